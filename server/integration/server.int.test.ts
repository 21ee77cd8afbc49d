/**
 * The whole pipe in a real server process: simulated BT host -> router -> handlers ->
 * Prisma log in SQLite, the HTTP API, and the socket.io live stream.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { HandlerInfo } from "../contract/handlers";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { LiveWatcher, type RunningServer, startServer } from "./server-process";

const GET_MESSAGE_FLAGS = { netFn: 0x06, cmd: 0x31 };
const isFlags = (x: { netFn: number | null; cmd: number | null }) =>
  x.netFn === GET_MESSAGE_FLAGS.netFn && x.cmd === GET_MESSAGE_FLAGS.cmd;

let tdb: TestDatabase;
let server: RunningServer;
let live: LiveWatcher;
let cookie: string;

/** fetch as the signed-in admin. */
const api = (path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, {
    ...init,
    headers: { cookie, ...(init.headers as Record<string, string>) },
  });

const patchHandler = (id: string, body: unknown, headers: Record<string, string> = {}) =>
  api(`/api/handlers/${id}`, {
    method: "PATCH",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

async function start(): Promise<void> {
  server = await startServer({ DATABASE_URL: tdb.url, SIM_RATE: "200" });
  cookie = await server.login();
  live = new LiveWatcher(server.url, cookie);
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  await start();
});

afterAll(async () => {
  live?.close();
  await tdb?.cleanup();
});

describe("a running server", () => {
  it("reports health with its buses", async () => {
    const res = await api(`/api/health`);
    expect(res.status).toBe(200);
    const body = await res.json();
    // The default buses: the simulated host, the IPMB satellite to bridge to, and the LAN
    // bus on a free UDP port.
    expect(body).toMatchObject({
      status: "ok",
      buses: [
        { id: "bt0", kind: "bt", transport: "sim", address: null, state: "up" },
        { id: "ipmb0", kind: "ipmb", transport: "sim", state: "up" },
        {
          id: "lan0",
          kind: "lan",
          transport: "udp",
          state: "up",
          description: expect.stringMatching(/^LAN, udp 127\.0\.0\.1:\d+$/),
        },
      ],
      // The log on disk; no RETENTION_* set: nothing is pruned.
      log: {
        sizeBytes: expect.any(Number),
        retention: { days: null, rows: null, pruned: 0 },
      },
    });
    expect(body.log.sizeBytes).toBeGreaterThan(0);
    expect(body.log).toHaveProperty("oldestId");
    expect(body.log).toHaveProperty("oldestReceivedAt");
  });

  it("streams the simulated host's exchanges live", async () => {
    const x = await live.next(isFlags);
    expect(x).toMatchObject({ busId: "bt0", status: "ok", cc: 0, handlerId: "app.get-message-flags" });
    expect(live.snapshot?.handlers.length).toBeGreaterThan(5);
  });

  it("answers C1h once a handler is disabled through the API, and normally again once enabled", async () => {
    const off = await patchHandler("app.get-message-flags", { enabled: false });
    expect(off.status).toBe(200);
    expect(((await off.json()) as HandlerInfo).enabled).toBe(false);
    // Exchanges answered before the switch may still be on their way; look at later ones.
    const offAt = Date.now();
    const disabled = await live.next((x) => isFlags(x) && x.receivedAt > offAt);
    expect(disabled).toMatchObject({ cc: 0xc1, status: "error", handlerId: null });
    expect(disabled.note).toMatch(/disabled/);

    const on = await patchHandler("app.get-message-flags", { enabled: true });
    expect(on.status).toBe(200);
    const onAt = Date.now();
    const enabled = await live.next((x) => isFlags(x) && x.receivedAt > onAt);
    expect(enabled).toMatchObject({ cc: 0, status: "ok" });
  });

  it("refuses bad API input with a clear JSON error", async () => {
    const cases: [Promise<Response>, number, RegExp][] = [
      [patchHandler("app.get-message-flags", { enabled: "no" }), 400, /invalid body/],
      [patchHandler("app.get-message-flags", { enabled: true, extra: 1 }), 400, /invalid body/],
      [patchHandler("no.such-handler", { enabled: false }), 404, /no handler/],
      [patchHandler("BAD ID", { enabled: false }), 400, /invalid handler id/],
      [
        patchHandler("app.get-message-flags", { enabled: false }, { origin: "http://evil.example" }),
        403,
        /cross-origin/,
      ],
      [api("/api/handlers/app.get-message-flags", { method: "PATCH", body: "{" }), 415, /application\/json/],
      [api(`/api/exchanges?limit=abc`), 400, /invalid query/],
      [api(`/api/exchanges?bogus=1`), 400, /invalid query/],
      [api(`/api/exchanges/export?format=xml`), 400, /invalid query/],
    ];
    for (const [pending, status, message] of cases) {
      const res = await pending;
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toMatch(/json/);
      expect((await res.json()).error).toMatch(message);
    }
    // None of that changed the handler.
    const list = (await (await api(`/api/handlers`)).json()) as { handlers: HandlerInfo[] };
    expect(list.handlers.find((h) => h.id === "app.get-message-flags")?.enabled).toBe(true);
  });

  it("pages the history newest first", async () => {
    const res = await api(`/api/exchanges?limit=5`);
    const page = await res.json();
    expect(page.exchanges).toHaveLength(5);
    const ids = page.exchanges.map((x: { id: number }) => x.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const next = await (await api(`/api/exchanges?limit=5&before=${page.nextBefore}`)).json();
    expect(next.exchanges[0].id).toBeLessThan(ids.at(-1));
  });

  it("exports the log as CSV and NDJSON", async () => {
    const csv = await api(`/api/exchanges/export?format=csv`);
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    expect(csv.headers.get("content-disposition")).toMatch(/attachment; filename=".*\.csv"/);
    const lines = (await csv.text()).trim().split("\n");
    expect(lines[0]).toMatch(/^id,received_at,/);
    expect(lines.length).toBeGreaterThan(10);
    const nd = await api(`/api/exchanges/export?format=ndjson&status=ok`);
    const rows = (await nd.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.every((r) => r.status === "ok")).toBe(true);
  });

  it("keeps a disabled handler disabled across a restart", async () => {
    expect((await patchHandler("app.get-device-id", { enabled: false })).status).toBe(200);
    live.close();
    const first = await server.stop();
    expect(first.code).toBe(0);
    expect(first.persisted).toBe(first.routed);
    await start();
    const list = (await (await api(`/api/handlers`)).json()) as { handlers: HandlerInfo[] };
    expect(list.handlers.find((h) => h.id === "app.get-device-id")?.enabled).toBe(false);
    // The host probes Get Device ID first thing after start; in this run it got C1h.
    const probe = await vi.waitUntil(
      async () => {
        const page = await (await api(`/api/exchanges?netFn=6&cmd=1&limit=1`)).json();
        const x = page.exchanges[0];
        return x && x.id > first.routed ? x : undefined;
      },
      { timeout: 20_000, interval: 50 },
    );
    expect(probe).toMatchObject({ cc: 0xc1, status: "error" });
  });

  it("stops cleanly and the database holds exactly the exchanges it routed, none lost", async () => {
    await live.next(() => true);
    live.close();
    const { code, routed, persisted } = await server.stop();
    expect(code).toBe(0);
    expect(persisted).toBe(routed);
    const rows = await tdb.db.exchange.findMany({ select: { id: true }, orderBy: { id: "asc" } });
    // Two server runs on one database: ids continue and leave no gap.
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
    expect(rows.length).toBeGreaterThanOrEqual(routed);
    const last = await tdb.db.exchange.count({ where: { id: { gt: rows.length - routed } } });
    expect(last).toBe(routed);
  });
});
