/**
 * Slow and hostile dashboard clients against the real server process: a socket.io client
 * that stops acknowledging, a raw websocket that stops reading its TCP socket, a tab that
 * reconnects in a loop, and one flooding commands. Each time a well-behaved client keeps
 * getting every exchange in order, and the server keeps answering.
 */
import { readFileSync } from "node:fs";
import net from "node:net";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { CONSOLE_NAMESPACE, type ConsoleClaimResult } from "../contract/console";
import {
  type ClientToServerEvents,
  LIVE_NAMESPACE,
  type LiveEvent,
  type ServerToClientEvents,
  type SetFilterResult,
} from "../contract/events";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { type RunningServer, startServer } from "./server-process";

let tdb: TestDatabase;
let server: RunningServer;
let cookie: string;

/** A live client that keeps, in stream order, what it was sent; it acknowledges unless paused. */
class LiveClient {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly events: LiveEvent[] = [];
  readonly ready: Promise<void>;
  private held: (() => void)[] = [];
  paused = false;

  constructor(options: { paused?: boolean } = {}) {
    this.paused = options.paused ?? false;
    this.socket = io(`${server.url}${LIVE_NAMESPACE}`, {
      transports: ["websocket"],
      reconnection: false,
      extraHeaders: { cookie },
    });
    this.socket.on("live", (events: LiveEvent[], ack: () => void) => {
      this.events.push(...events);
      if (this.paused) this.held.push(ack);
      else ack();
    });
    this.ready = new Promise<void>((resolve) => this.socket.once("snapshot", () => resolve()));
  }

  resume(): void {
    this.paused = false;
    for (const ack of this.held.splice(0)) ack();
  }

  exchangeIds(): number[] {
    return this.events.flatMap((e) => (e.type === "exchange" ? [e.exchange.id] : []));
  }

  skipped(): number {
    return this.events.reduce((n, e) => n + (e.type === "skipped" ? e.count : 0), 0);
  }

  close(): void {
    this.socket.close();
  }
}

/** Every exchange in order, none skipped: ids strictly increase and nothing was left out. */
function expectInOrder(c: LiveClient): void {
  const ids = c.exchangeIds();
  expect(ids.length).toBeGreaterThan(0);
  for (let i = 1; i < ids.length; i++) if (ids[i]! <= ids[i - 1]!) expect.fail(`out of order at ${i}`);
  expect(c.skipped()).toBe(0);
}

/** Waits until `c` has been sent `n` more exchanges than it had. */
async function more(c: LiveClient, n: number, timeout = 15_000): Promise<void> {
  const from = c.exchangeIds().length;
  await vi.waitFor(() => expect(c.exchangeIds().length).toBeGreaterThanOrEqual(from + n), {
    timeout,
    interval: 20,
  });
}

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(m?.[1] ?? 0);
}

/**
 * A websocket client that completes the handshake, joins /live, then never reads again: the
 * server's writes pile up in the kernel's buffers and then in its own.
 */
async function stalledWebsocket(url: URL): Promise<net.Socket> {
  const sock = net.connect({ host: url.hostname, port: Number(url.port) });
  await new Promise<void>((resolve) => sock.once("connect", () => resolve()));
  sock.write(
    [
      "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1",
      `Host: ${url.host}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
      "Sec-WebSocket-Version: 13",
      `Origin: ${url.origin}`,
      `Cookie: ${cookie}`,
      "",
      "",
    ].join("\r\n"),
  );
  let seen = "";
  await new Promise<void>((resolve) => {
    const onData = (b: Buffer) => {
      seen += b.toString("latin1");
      // The engine.io open packet ("0{...sid...}") follows the 101.
      if (seen.includes("101 Switching Protocols") && seen.includes('"sid"')) {
        sock.off("data", onData);
        resolve();
      }
    };
    sock.on("data", onData);
  });
  // RFC 6455 section 5.3: a client's frames are masked; a zero mask keeps the payload as is.
  const payload = Buffer.from(`40${LIVE_NAMESPACE},`);
  sock.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length, 0, 0, 0, 0]), payload]));
  sock.pause();
  return sock;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  // A steady 1,500 exchanges/s, not flat out: the slow client passes the server's 2,000
  // pending in under 2 s, while a well-behaved client on a loaded 2-core CI machine (other
  // test files' servers running beside this one) can still keep up, which is what it tests.
  server = await startServer({ DATABASE_URL: tdb.url, SIM_RATE: "1500", LOG_LEVEL: "warn" });
  cookie = await server.login();
});

afterAll(async () => {
  await server?.stop().catch(() => undefined);
  await tdb?.cleanup();
});

describe("slow and hostile dashboard clients", () => {
  it("a client that stops acknowledging is told what it skipped; the others get every exchange in order", async () => {
    const good = new LiveClient();
    const slow = new LiveClient({ paused: true });
    try {
      await Promise.all([good.ready, slow.ready]);
      await vi.waitFor(() => expect(slow.exchangeIds().length).toBeGreaterThan(0), { timeout: 10_000 });
      // Past the server's 2000 pending for `slow`.
      await more(good, 3000, 20_000);
      const before = slow.exchangeIds().length;
      expect(before).toBeLessThanOrEqual(500); // one batch in flight, the rest held server-side
      slow.resume();
      await vi.waitFor(() => expect(slow.skipped()).toBeGreaterThan(0), { timeout: 10_000, interval: 20 });
      const marker = slow.events.findIndex((e) => e.type === "skipped");
      await vi.waitFor(
        () => expect(slow.events.slice(marker).some((e) => e.type === "exchange")).toBe(true),
        { timeout: 10_000, interval: 20 },
      );
      const ids = slow.exchangeIds();
      for (let i = 1; i < ids.length; i++) expect(ids[i]!).toBeGreaterThan(ids[i - 1]!);
      expectInOrder(good);
    } finally {
      good.close();
      slow.close();
    }
  });

  it("a raw websocket that stops reading does not hold the others up", async () => {
    const good = new LiveClient();
    await good.ready;
    const stalled = await stalledWebsocket(new URL(server.url));
    try {
      await more(good, 1000, 20_000);
      expectInOrder(good);
      const res = await fetch(`${server.url}/api/health`, { headers: { cookie } });
      expect(res.status).toBeLessThan(500);
    } finally {
      stalled.destroy();
      good.close();
    }
  });

  it("hundreds of connect/disconnect cycles, signed in and not, leave the server responsive", async () => {
    const good = new LiveClient();
    await good.ready;
    const rssBefore = rssKb(server.pid);
    for (let i = 0; i < 120; i++) {
      const signedIn = i % 2 === 0;
      const s = io(`${server.url}${LIVE_NAMESPACE}`, {
        transports: ["websocket"],
        reconnection: false,
        forceNew: true,
        ...(signedIn ? { extraHeaders: { cookie } } : {}),
      });
      await new Promise<void>((resolve) => {
        s.once("snapshot", () => resolve());
        s.once("connect_error", () => resolve());
      });
      s.close();
    }
    await more(good, 500);
    expectInOrder(good);
    const fresh = new LiveClient();
    try {
      await fresh.ready;
      await more(fresh, 10);
    } finally {
      fresh.close();
      good.close();
    }
    // A leak of the connections' state would show here; this bounds gross growth only.
    expect(rssKb(server.pid) - rssBefore).toBeLessThan(100_000);
    expect(server.output()).not.toMatch(/MaxListenersExceeded/);
  });

  it("a flood of commands is refused per connection with a clear error; other clients are unaffected", async () => {
    const flooder = new LiveClient();
    const other = new LiveClient();
    const consoleFlooder = io(`${server.url}${CONSOLE_NAMESPACE}`, {
      transports: ["websocket"],
      reconnection: false,
      extraHeaders: { cookie },
    }) as unknown as Socket;
    try {
      await Promise.all([flooder.ready, other.ready]);
      // It may have connected while the live clients waited for their snapshots.
      if (!consoleFlooder.connected)
        await new Promise<void>((resolve) => consoleFlooder.once("connect", () => resolve()));
      const raw = flooder.socket as unknown as Socket;
      const results = await Promise.all(
        Array.from(
          { length: 1000 },
          () => new Promise<SetFilterResult>((resolve) => raw.emit("setFilter", "", resolve)),
        ),
      );
      const refused = results.filter((r) => !r.ok);
      expect(refused.length).toBeGreaterThan(800);
      expect(refused[0]).toMatchObject({
        ok: false,
        error: expect.stringMatching(/^rate limited: at most 50 commands per second; retry in \d+ ms$/),
      });
      // The other connection's commands go through meanwhile, and its stream keeps flowing.
      const otherResult = await new Promise<SetFilterResult>((resolve) =>
        (other.socket as unknown as Socket).emit("setFilter", "", resolve),
      );
      expect(otherResult).toEqual({ ok: true });
      await more(other, 200);
      expectInOrder(other);

      const typed = await Promise.all(
        Array.from(
          { length: 500 },
          () => new Promise<ConsoleClaimResult>((resolve) => consoleFlooder.emit("input", "x", resolve)),
        ),
      );
      const limited = typed.filter((r) => !r.ok && /^rate limited/.test(r.error));
      expect(limited.length).toBeGreaterThan(300);
      expect(server.output()).toMatch(
        /live client \S+: commands refused \(rate limited\), starting with 'setFilter'/,
      );
    } finally {
      flooder.close();
      other.close();
      consoleFlooder.close();
    }
  });
});
