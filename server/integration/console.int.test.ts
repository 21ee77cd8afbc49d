/**
 * The host console in a real server process (HOST_SERIAL=qemu:127.0.0.1:0): a TCP client
 * stands in for QEMU's serial chardev. What the "host" prints reaches a browser's socket
 * (the Console page's namespace) with the scrollback first; an operator takes the keyboard
 * and what they type reaches the host; a viewer may watch but not type; everything is in
 * the console history, searchable and exported as text, and the claim is in the audit trail.
 */
import net from "node:net";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  CONSOLE_NAMESPACE,
  type ConsoleClaimResult,
  type ConsoleClientToServer,
  type ConsoleHistoryPageDto,
  type ConsoleServerToClient,
  type ConsoleStateDto,
} from "../contract/console";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { type RunningServer, startServer } from "./server-process";

let tdb: TestDatabase;
let server: RunningServer;
let cookie: string;
let host: net.Socket;
let fromConsole = "";

const api = (p: string, init: RequestInit = {}, as = cookie) =>
  fetch(`${server.url}${p}`, {
    ...init,
    headers: { "content-type": "application/json", cookie: as, ...(init.headers as object) },
  });

/** A browser tab on the Console page: its state and everything it was sent. */
class Tab {
  readonly socket: Socket<ConsoleServerToClient, ConsoleClientToServer>;
  text = "";
  state: ConsoleStateDto | undefined;

  constructor(as: string) {
    this.socket = io(`${server.url}${CONSOLE_NAMESPACE}`, {
      transports: ["websocket"],
      reconnection: false,
      extraHeaders: { cookie: as },
    });
    this.socket.on("state", (s) => {
      this.state = s;
    });
    this.socket.on("output", (bytes, ack) => {
      this.text += Buffer.from(bytes as Uint8Array).toString("utf8");
      ack();
    });
  }

  claim(takeOver = false): Promise<ConsoleClaimResult> {
    return new Promise((resolve) => this.socket.emit("claim", { takeOver }, resolve));
  }

  input(text: string): Promise<ConsoleClaimResult> {
    return new Promise((resolve) => this.socket.emit("input", text, resolve));
  }

  close(): void {
    this.socket.close();
  }
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  server = await startServer({ DATABASE_URL: tdb.url, HOST_SERIAL: "qemu:127.0.0.1:0", LOG_LEVEL: "info" });
  cookie = await server.login();
  const m = /host console: QEMU serial \(chardev socket, listening on 127\.0\.0\.1:(\d+),/.exec(
    server.output(),
  );
  if (!m) throw new Error(`the server did not say where the serial line listens:\n${server.output()}`);
  host = net.connect({ host: "127.0.0.1", port: Number(m[1]) });
  host.on("data", (b: Buffer) => {
    fromConsole += b.toString("utf8");
  });
  await new Promise<void>((resolve) => host.once("connect", () => resolve()));
});

afterAll(async () => {
  host?.destroy();
  await server?.stop().catch(() => undefined);
  await tdb?.cleanup();
});

describe("the host console", () => {
  it("shows a tab what the host printed, the scrollback first, then live", async () => {
    host.write("Debian GNU/Linux 12 guest ttyS0\r\nguest login: ");
    const early = new Tab(cookie);
    try {
      await vi.waitFor(() => expect(early.text).toContain("guest login: "), { timeout: 5000, interval: 20 });
      expect(early.state).toMatchObject({ host: "up", canType: true, writer: null });
      // A tab opened later gets the same from the scrollback.
      const late = new Tab(cookie);
      try {
        await vi.waitFor(() => expect(late.text).toContain("Debian GNU/Linux 12 guest ttyS0"), {
          timeout: 5000,
          interval: 20,
        });
        host.write("more output\r\n");
        await vi.waitFor(() => expect(late.text).toContain("more output"), { timeout: 5000, interval: 20 });
        // Each sees the other attached.
        await vi.waitFor(() => expect(early.state?.readers.length).toBe(2), { timeout: 5000, interval: 20 });
      } finally {
        late.close();
      }
    } finally {
      early.close();
    }
  });

  it("lets an operator type once they hold the keyboard, a viewer only watch; the claim is audited", async () => {
    const created = await api("/api/operators", {
      method: "POST",
      body: JSON.stringify({ username: "watcher", password: "watcher-password", role: "viewer" }),
    });
    expect(created.status).toBe(201);
    const viewerCookie = await server.login("watcher", "watcher-password");
    const operator = new Tab(cookie);
    const viewer = new Tab(viewerCookie);
    try {
      await vi.waitFor(() => expect(viewer.state?.canType).toBe(false), { timeout: 5000, interval: 20 });
      expect(await operator.input("echo nope\r")).toEqual({
        ok: false,
        error: "take the keyboard first (someone else may have it)",
      });
      expect(await operator.claim()).toEqual({ ok: true });
      expect(await operator.input("echo sol-42\r")).toEqual({ ok: true });
      await vi.waitFor(() => expect(fromConsole).toBe("echo sol-42\r"), { timeout: 5000, interval: 20 });
      await vi.waitFor(
        () => expect(viewer.state?.writer).toMatchObject({ kind: "browser", label: "admin" }),
        {
          timeout: 5000,
          interval: 20,
        },
      );
      expect(await viewer.claim(true)).toEqual({
        ok: false,
        error: "viewers watch the console; an operator types",
      });
      expect((await viewer.input("x")).ok).toBe(false);
      const audit = (await (await api("/api/audit?limit=20")).json()) as { entries: { action: string }[] };
      expect(audit.entries.map((e) => e.action)).toContain("console.claim");
    } finally {
      operator.close();
      viewer.close();
    }
  });

  it("keeps the history both ways, searchable, and exports the host's output as text", async () => {
    await vi.waitFor(
      async () => {
        const page = (await (
          await api(`/api/console/history?text=${encodeURIComponent("sol-42")}`)
        ).json()) as ConsoleHistoryPageDto;
        expect(page.chunks).toEqual([
          expect.objectContaining({ direction: "in", source: "browser:admin", text: "echo sol-42\r" }),
        ]);
      },
      { timeout: 5000, interval: 100 },
    );
    const out = (await (await api("/api/console/history?direction=out")).json()) as ConsoleHistoryPageDto;
    expect(out.chunks.map((c) => c.text).join("")).toContain("guest login: ");
    const text = await (await api("/api/console/export?format=text")).text();
    expect(text).toContain("Debian GNU/Linux 12 guest ttyS0");
    expect(text).toContain("more output");
    expect(text).not.toContain("echo sol-42");
    expect((await api("/api/console/history?limit=0")).status).toBe(400);
  });
});
