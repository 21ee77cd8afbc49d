/**
 * Filter expressions (docs/filters.md) in a real server process: the history and the
 * export answer only matching records, an invalid filter is 400 with its position, and a
 * live client that sets a filter gets only matching exchanges.
 */
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ExchangesPage } from "../contract/api";
import {
  type ClientToServerEvents,
  LIVE_NAMESPACE,
  type LiveEvent,
  type ServerToClientEvents,
  type SetFilterResult,
} from "../contract/events";
import type { ExchangeDto } from "../contract/exchange";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { type RunningServer, startServer } from "./server-process";

const FLAGS = 'cmd == "Get Message Flags"';
const isFlags = (x: ExchangeDto) => x.netFn === 0x06 && x.cmd === 0x31;

let tdb: TestDatabase;
let server: RunningServer;
let cookie: string;

const api = (path: string) => fetch(`${server.url}${path}`, { headers: { cookie } });

beforeAll(async () => {
  tdb = await createTestDatabase();
  server = await startServer({ DATABASE_URL: tdb.url, SIM_RATE: "200" });
  cookie = await server.login();
});

afterAll(async () => {
  await server?.stop().catch(() => undefined);
  await tdb?.cleanup();
});

describe("filter expressions in a running server", () => {
  it("pages the history through a filter", async () => {
    await vi.waitFor(
      async () => {
        const page = (await (
          await api(`/api/exchanges?filter=${encodeURIComponent(FLAGS)}`)
        ).json()) as ExchangesPage;
        expect(page.exchanges.length).toBeGreaterThan(2);
        expect(page.exchanges.every(isFlags)).toBe(true);
      },
      { timeout: 20_000, interval: 250 },
    );
    const notFlags = (await (
      await api(`/api/exchanges?limit=200&filter=${encodeURIComponent(`not ${FLAGS}`)}`)
    ).json()) as ExchangesPage;
    expect(notFlags.exchanges.length).toBeGreaterThan(0);
    expect(notFlags.exchanges.some(isFlags)).toBe(false);
  });

  it("exports only matching records", async () => {
    const res = await api(
      `/api/exchanges/export?format=ndjson&filter=${encodeURIComponent(`netfn == App and ${FLAGS}`)}`,
    );
    expect(res.status).toBe(200);
    const records = (await res.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as ExchangeDto);
    expect(records.length).toBeGreaterThan(0);
    expect(records.every(isFlags)).toBe(true);
  });

  it("answers an invalid filter with 400, the error and its position", async () => {
    for (const path of ["/api/exchanges", "/api/exchanges/export?format=csv&"]) {
      const sep = path.includes("?") ? "" : "?";
      const res = await api(`${path}${sep}filter=${encodeURIComponent("cc == 0 and frob == 1")}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: expect.stringContaining("unknown field 'frob'"),
        position: 12,
      });
    }
  });

  it("sends a live client only the exchanges its filter matches", async () => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(`${server.url}${LIVE_NAMESPACE}`, {
      transports: ["websocket"],
      reconnection: false,
      extraHeaders: { cookie },
    });
    const received: ExchangeDto[] = [];
    socket.on("live", (events: LiveEvent[], ack: () => void) => {
      for (const e of events) if (e.type === "exchange") received.push(e.exchange);
      ack();
    });
    try {
      await new Promise<void>((resolve) => socket.on("snapshot", () => resolve()));
      const set = (text: string) =>
        new Promise<SetFilterResult>((resolve) => socket.emit("setFilter", text, resolve));
      expect(await set("id == 1 and")).toEqual({
        ok: false,
        error: expect.stringContaining("expected a field name"),
        position: 11,
      });
      expect(await set(FLAGS)).toEqual({ ok: true });
      // What was queued before the filter may still arrive; look only at what comes after.
      await new Promise((resolve) => setTimeout(resolve, 500));
      received.length = 0;
      await vi.waitFor(() => expect(received.length).toBeGreaterThan(3), { timeout: 20_000, interval: 100 });
      expect(received.every(isFlags)).toBe(true);

      expect(await set("")).toEqual({ ok: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
      received.length = 0;
      await vi.waitFor(() => expect(received.some((x) => !isFlags(x))).toBe(true), { timeout: 20_000 });
    } finally {
      socket.close();
    }
  });
});
