/**
 * The Live page's console lane in a real server process (HOST_SERIAL=qemu:127.0.0.1:0, a
 * TCP client playing the host): a live client that turned the lane on gets what the host
 * prints as `console` events, the same chunks (id, receivedAt, text) the console history
 * then answers; a client that did not gets none; a malformed option is refused.
 */
import net from "node:net";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ConsoleChunkDto, ConsoleHistoryPageDto } from "../contract/console";
import {
  type ClientToServerEvents,
  type ConsoleLaneResult,
  LIVE_NAMESPACE,
  type LiveEvent,
  type ServerToClientEvents,
} from "../contract/events";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { type RunningServer, startServer } from "./server-process";

let tdb: TestDatabase;
let server: RunningServer;
let cookie: string;
let host: net.Socket;

/** A live client and, in stream order, the events it was sent. */
class LiveClient {
  readonly socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  readonly events: LiveEvent[] = [];
  readonly ready: Promise<void>;

  constructor() {
    this.socket = io(`${server.url}${LIVE_NAMESPACE}`, {
      transports: ["websocket"],
      reconnection: false,
      extraHeaders: { cookie },
    });
    this.socket.on("live", (events: LiveEvent[], ack: () => void) => {
      this.events.push(...events);
      ack();
    });
    this.ready = new Promise<void>((resolve) => this.socket.once("snapshot", () => resolve()));
  }

  lane(options: unknown): Promise<ConsoleLaneResult> {
    // The raw emit: the test sends malformed options on purpose.
    const raw = this.socket as unknown as Socket;
    return new Promise((resolve) => raw.emit("setConsoleLane", options, resolve));
  }

  chunks(): ConsoleChunkDto[] {
    return this.events.flatMap((e) => (e.type === "console" ? [e.chunk] : []));
  }

  exchangeIds(): number[] {
    return this.events.flatMap((e) => (e.type === "exchange" ? [e.exchange.id] : []));
  }
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  server = await startServer({
    DATABASE_URL: tdb.url,
    HOST_SERIAL: "qemu:127.0.0.1:0",
    LOG_LEVEL: "info",
    SIM_RATE: "50",
  });
  cookie = await server.login();
  const m = /host console: QEMU serial \(chardev socket, listening on 127\.0\.0\.1:(\d+),/.exec(
    server.output(),
  );
  if (!m) throw new Error(`the server did not say where the serial line listens:\n${server.output()}`);
  host = net.connect({ host: "127.0.0.1", port: Number(m[1]) });
  await new Promise<void>((resolve) => host.once("connect", () => resolve()));
});

afterAll(async () => {
  host?.destroy();
  await server?.stop().catch(() => undefined);
  await tdb?.cleanup();
});

/**
 * Waits until `other` (lane off) has been sent everything `witness` (lane on) was sent up to
 * the first exchange after chunk `chunkId`: events reach each client in the order they were
 * offered, so by then `other` would have had the chunk. No sleep: a condition on the stream.
 */
async function expectNoneBy(other: LiveClient, witness: LiveClient, chunkId: number): Promise<void> {
  const at = witness.events.findIndex((e) => e.type === "console" && e.chunk.id === chunkId);
  expect(at).toBeGreaterThanOrEqual(0);
  let afterId = -1;
  await vi.waitFor(
    () => {
      const after = witness.events.slice(at).find((e) => e.type === "exchange");
      expect(after?.type).toBe("exchange");
      if (after?.type === "exchange") afterId = after.exchange.id;
    },
    { timeout: 10_000, interval: 20 },
  );
  await vi.waitFor(() => expect(other.exchangeIds().some((id) => id >= afterId)).toBe(true), {
    timeout: 10_000,
    interval: 20,
  });
  expect(other.chunks().some((c) => c.id === chunkId)).toBe(false);
}

describe("the console lane of the live stream", () => {
  it("refuses malformed options", async () => {
    const client = new LiveClient();
    try {
      await client.ready;
      expect(await client.lane({ on: "yes" })).toEqual({ ok: false, error: expect.stringContaining("on") });
      expect(await client.lane({ on: true, extra: 1 })).toMatchObject({ ok: false });
      expect(await client.lane(null)).toMatchObject({ ok: false });
    } finally {
      client.socket.close();
    }
  });

  it("sends the host's chunks to a client with the lane on, as stored, and none to one without", async () => {
    const withLane = new LiveClient();
    const without = new LiveClient();
    try {
      await Promise.all([withLane.ready, without.ready]);
      expect(await withLane.lane({ on: true })).toEqual({ ok: true });
      const marker = `lane-marker-${Date.now()}`;
      host.write(`[   12.345678] ${marker}\r\n`);

      await vi.waitFor(() => expect(withLane.chunks().some((c) => c.text.includes(marker))).toBe(true), {
        timeout: 10_000,
        interval: 20,
      });
      const chunk = withLane.chunks().find((c) => c.text.includes(marker))!;
      expect(chunk).toMatchObject({ direction: "out", source: null });

      // Live and history agree: the same row, id and time.
      const page = (await (
        await fetch(`${server.url}/api/console/history?text=${marker}`, { headers: { cookie } })
      ).json()) as ConsoleHistoryPageDto;
      expect(page.chunks).toEqual([chunk]);

      await expectNoneBy(without, withLane, chunk.id);

      // Swapped: the first client turns its lane off, the second on; the host prints again.
      expect(await withLane.lane({ on: false })).toEqual({ ok: true });
      expect(await without.lane({ on: true })).toEqual({ ok: true });
      const seen = withLane.chunks().length;
      host.write("after the lane went off\r\n");
      await vi.waitFor(
        () => expect(without.chunks().some((c) => c.text.includes("after the lane went off"))).toBe(true),
        { timeout: 10_000, interval: 20 },
      );
      const second = without.chunks().find((c) => c.text.includes("after the lane went off"))!;
      await expectNoneBy(withLane, without, second.id);
      expect(withLane.chunks()).toHaveLength(seen);
    } finally {
      withLane.socket.close();
      without.socket.close();
    }
  });
});
