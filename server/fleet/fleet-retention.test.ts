/**
 * The store's retention against a real throwaway PostgreSQL: old rows of every table go,
 * new rows and the roster stay, batches bound each statement, and of two nodes pruning at
 * once only the one holding the lock works.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadConfig } from "../config";
import type { Logger } from "../logger";
import {
  batchStatement,
  FleetRetention,
  type FleetRetentionOptions,
  type PrunedStream,
} from "./fleet-retention";
import { type FleetStore, startFleetStore } from "./test-postgres";

const DAY_MS = 86_400_000;
const NOW = Date.UTC(2026, 5, 1);
const CUTOFF = NOW - 30 * DAY_MS;

let store: FleetStore;
const lines: string[] = [];
const log: Logger = {
  debug: () => {},
  info: (m) => lines.push(m),
  warn: (m) => lines.push(m),
  error: (m) => lines.push(m),
};

beforeAll(async () => {
  store = await startFleetStore();
}, 60_000);

afterAll(async () => {
  await store?.stop();
});

beforeEach(async () => {
  lines.length = 0;
  await store.db.$executeRawUnsafe(
    'TRUNCATE "FleetExchange", "FleetAudit", "FleetConsoleChunk", "FleetNode"',
  );
});

/** `old` rows before the cutoff and `fresh` after it, ids 1.. in that order, in each of the three tables. */
async function seed(table: PrunedStream, node: string, old: number, fresh: number): Promise<void> {
  // Old rows reach back from the cutoff, new ones forward from it: the newest old row is 1 ms before.
  const at = `CASE WHEN i <= ${old} THEN ${CUTOFF} - 1 - (${old} - i) * 1000 ELSE ${CUTOFF} + (i - ${old}) * 1000 END`;
  const series = `FROM generate_series(1, ${old + fresh}) AS i`;
  const sql = {
    exchange: `INSERT INTO "FleetExchange" ("node", "id", "busId", "busKind", "origin", "request", "status", "receivedAt")
      SELECT $1, i, 'bt0', 'bt', 'host', '\\x0601'::bytea, 'ok', ${at} ${series}`,
    audit: `INSERT INTO "FleetAudit" ("node", "id", "at", "actor", "action") SELECT $1, i, ${at}, 'alice', 'handler.set' ${series}`,
    console: `INSERT INTO "FleetConsoleChunk" ("node", "id", "receivedAt", "direction", "text")
      SELECT $1, i, ${at}, 'out', 'login: ' ${series}`,
  }[table];
  await store.db.$executeRawUnsafe(sql, node);
}

async function count(table: string): Promise<number> {
  const [row] = await store.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM "${table}"`);
  return row!.n;
}

function pruner(extra: Partial<FleetRetentionOptions> = {}): FleetRetention {
  return new FleetRetention({
    url: store.url,
    days: 30,
    ready: async () => {},
    log,
    now: () => NOW,
    ...extra,
  });
}

describe("the fleet store's retention", () => {
  it("deletes what is older than the limit from every table in bounded batches, and keeps the rest and the roster", async () => {
    for (const node of ["a", "b"]) {
      await seed("exchange", node, 1250, 150);
      await seed("audit", node, 125, 10);
      await seed("console", node, 60, 5);
    }
    await store.db.$executeRawUnsafe(
      `INSERT INTO "FleetNode" ("name", "version", "address", "buses", "startedAt", "lastSeen")
       VALUES ('gone-long-ago', '0.1.0', 'http://10.0.0.9:3000', '[]', now() - interval '1 year', now() - interval '1 year')`,
    );
    const batches: [PrunedStream, number][] = [];
    const r = pruner({ batchRows: 1000, onBatch: (s, n) => batches.push([s, n]) });

    const result = await r.prune();
    expect(result?.locked).toBe(true);
    expect(result?.deleted).toEqual({ exchange: 2500, audit: 250, console: 120 });
    // No statement deleted more than a batch; the last one of each table found less and ended it.
    expect(batches).toEqual([
      ["exchange", 1000],
      ["exchange", 1000],
      ["exchange", 500],
      ["audit", 250],
      ["console", 120],
    ]);
    expect(await count("FleetExchange")).toBe(300);
    expect(await count("FleetAudit")).toBe(20);
    expect(await count("FleetConsoleChunk")).toBe(10);
    expect(await count("FleetNode")).toBe(1);
    const [oldest] = await store.db.$queryRawUnsafe<{ at: number }[]>(
      'SELECT min("receivedAt") AS at FROM "FleetExchange"',
    );
    expect(oldest!.at).toBeGreaterThanOrEqual(CUTOFF);
    expect(r.stats()).toEqual({ days: 30, pruned: 2870, lastPruneAt: NOW, lastPruned: 2870, error: null });
    expect(lines.filter((l) => l.startsWith("fleet retention: pruned 2870 row(s)"))).toHaveLength(1);

    // Nothing left to do: no line, the figures say so.
    expect((await r.prune())?.deleted).toEqual({ exchange: 0, audit: 0, console: 0 });
    expect(r.stats()).toMatchObject({ pruned: 2870, lastPruned: 0 });
    expect(lines.filter((l) => l.startsWith("fleet retention"))).toHaveLength(1);
  });

  it("finds the rows of a batch through the time index and deletes them by ctid, not by scanning the table", async () => {
    await seed("exchange", "a", 5000, 5000);
    await store.db.$executeRawUnsafe('ANALYZE "FleetExchange"');
    const plan = (
      await store.db.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(
        `EXPLAIN ${batchStatement("FleetExchange", "receivedAt").replace("$1", String(CUTOFF)).replace("$2", "1000")}`,
      )
    )
      .map((r) => r["QUERY PLAN"])
      .join("\n");
    expect(plan).toMatch(/Tid Scan/);
    expect(plan).toMatch(/Index (Only )?Scan using "FleetExchange_receivedAt_idx"/);
    expect(plan).not.toMatch(/Seq Scan/);
  });

  it("lets one node at a time prune: a second pass finds the lock taken and deletes nothing", async () => {
    await seed("exchange", "a", 3000, 10);
    let inside!: () => void;
    const paused = new Promise<void>((resolve) => {
      inside = resolve;
    });
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = pruner({
      batchRows: 1000,
      pause: () => {
        inside();
        return held;
      },
    });
    const second = pruner({ batchRows: 1000 });

    const running = first.prune();
    await paused; // the first pass deleted a batch and holds the lock
    const other = await second.prune();
    expect(other?.locked).toBe(false);
    expect(other?.deleted).toEqual({ exchange: 0, audit: 0, console: 0 });
    expect(second.stats()).toMatchObject({ pruned: 0, lastPruneAt: null });
    expect(await count("FleetExchange")).toBe(2010);

    release();
    expect((await running)?.deleted.exchange).toBe(3000);
    expect(await count("FleetExchange")).toBe(10);
    // The lock went with the first pass's connection: the second node works next time.
    expect((await second.prune())?.locked).toBe(true);
  });

  it("keeps everything with FLEET_RETENTION_DAYS=0, defaults to 30 days, and waits quietly for a store that is away", async () => {
    expect(loadConfig({}).FLEET_RETENTION_DAYS).toBe(30);
    expect(loadConfig({ FLEET_RETENTION_DAYS: "0" }).FLEET_RETENTION_DAYS).toBe(0);
    expect(() => loadConfig({ FLEET_RETENTION_DAYS: "-1" })).toThrow(/FLEET_RETENTION_DAYS/);

    await seed("exchange", "a", 10, 0);
    const off = pruner({ days: 0 });
    off.start();
    expect(await off.prune()).toBeNull();
    expect(off.stats()).toEqual({ days: null, pruned: 0, lastPruneAt: null, lastPruned: 0, error: null });
    await off.stop();
    expect(await count("FleetExchange")).toBe(10);

    const away = pruner({ ready: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432")) });
    expect(await away.prune()).toBeNull();
    expect(away.stats().error).toMatch(/ECONNREFUSED/);
    expect(lines).toEqual([]);
    expect(await count("FleetExchange")).toBe(10);
  });

  it("starts with a pass soon after start and stops cleanly", async () => {
    await seed("audit", "a", 40, 2);
    const r = pruner({ firstDelayMs: 10, intervalMs: 60_000 });
    r.start();
    const t0 = Date.now();
    while (r.stats().lastPruneAt === null && Date.now() - t0 < 10_000)
      await new Promise((ok) => setTimeout(ok, 20));
    await r.stop();
    expect(r.stats()).toMatchObject({ pruned: 40, lastPruned: 40 });
    expect(await count("FleetAudit")).toBe(2);
  });
});
