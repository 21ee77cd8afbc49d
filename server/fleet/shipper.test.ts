/**
 * The shipper against a real throwaway PostgreSQL and real SQLite logs: exactly once,
 * idempotent re-shipping, an outage under continued writes, restart from the mark, gaps.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Logger } from "../logger";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { insertExchanges } from "../traffic/log-writer";
import { makeExchanges } from "../traffic/test-exchanges";
import type { FleetDatabase } from "./fleet-database";
import { WorkerShipReader } from "./ship-reader";
import { FleetShipper, type ShipperOptions } from "./shipper";
import { type FleetStore, startFleetStore, type ThrowawayPostgres } from "./test-postgres";

let store: FleetStore;
let pg: ThrowawayPostgres;
let fleet: FleetDatabase;
const locals: TestDatabase[] = [];
const shippers: FleetShipper[] = [];

const lines: string[] = [];
const log: Logger = {
  debug: () => {},
  info: (m) => lines.push(m),
  warn: (m) => lines.push(m),
  error: (m) => lines.push(m),
};

beforeAll(async () => {
  store = await startFleetStore();
  fleet = store.db;
  pg = store.pg;
}, 60_000);

afterAll(async () => {
  for (const s of shippers) await s.stop();
  for (const l of locals) await l.cleanup();
  await store?.stop();
});

/** ids from..to into the local log, in statements of the writer's size. */
async function insertRange(
  db: TestDatabase,
  from: number,
  to: number,
  overrides?: Parameters<typeof makeExchanges>[2],
): Promise<void> {
  for (let a = from; a <= to; a += 2000)
    await insertExchanges(db.db, makeExchanges(a, Math.min(to, a + 1999), overrides));
}

async function local(): Promise<TestDatabase> {
  const t = await createTestDatabase();
  locals.push(t);
  return t;
}

function shipper(db: TestDatabase, node: string, extra: Partial<ShipperOptions> = {}): FleetShipper {
  // As a node ships: batches read by the worker thread, statements over the shipper's own pg pool.
  const s = new FleetShipper({
    local: db.db,
    localUrl: db.url,
    storeUrl: store.url,
    node,
    store: async () => fleet,
    log,
    pollMs: 20,
    ...extra,
  });
  shippers.push(s);
  return s;
}

async function stored(node: string): Promise<{ count: number; distinct: number; min: number; max: number }> {
  const [row] = await fleet.$queryRawUnsafe<{ count: number; distinct: number; min: number; max: number }[]>(
    `SELECT count(*)::int AS count, count(DISTINCT id)::int AS distinct, coalesce(min(id), 0) AS min, coalesce(max(id), 0) AS max
     FROM "FleetExchange" WHERE node = $1`,
    node,
  );
  return row!;
}

async function waitFor(
  test: () => Promise<boolean> | boolean,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("the fleet shipper", () => {
  it("ships every exchange, audit entry and console chunk exactly once, byte for byte", async () => {
    const db = await local();
    const n = 5000;
    await insertRange(db, 1, n, (id) => ({ request: Uint8Array.of(id & 0xff, 0x00, 0xff), frame: null }));
    for (let i = 0; i < 3; i++)
      await db.db.auditEntry.create({ data: { at: i, actor: "a", action: `x${i}` } });
    await db.db.consoleChunk.create({
      data: { receivedAt: 1.5, direction: "out", source: null, data: Uint8Array.of(0x68, 0x69), text: "hi" },
    });
    const s = shipper(db, "once");
    const t0 = performance.now();
    s.start();
    await s.caughtUp();
    const ms = performance.now() - t0;
    console.log(`shipped ${n} exchanges in ${ms.toFixed(0)} ms (${Math.round((n / ms) * 1000)} rows/s)`);

    expect(await stored("once")).toEqual({ count: n, distinct: n, min: 1, max: n });
    expect(s.stats().shipped).toEqual({ exchange: n, audit: 3, console: 1 });
    const node = await fleet.fleetNode.findUniqueOrThrow({ where: { name: "once" } });
    expect([node.shippedExchangeId, node.shippedAuditId, node.shippedConsoleId]).toEqual([n, 3, 1]);
    const x = await fleet.fleetExchange.findUniqueOrThrow({ where: { node_id: { node: "once", id: 258 } } });
    const original = makeExchanges(258, 258)[0]!;
    expect([...x.request]).toEqual([2, 0, 0xff]);
    expect([...(x.response ?? [])]).toEqual([...(original.response ?? [])]);
    expect(x.receivedAt).toBe(original.receivedAt);
    expect(x.frame).toBeNull();
    const chunk = await fleet.fleetConsoleChunk.findFirstOrThrow({ where: { node: "once" } });
    expect(chunk.text).toBe("hi");
    expect(await s.lag()).toMatchObject({ records: 0, seconds: 0, shippedId: n, error: null });

    // A crash after the insert but before the mark (as if): set the mark back and ship again.
    await s.stop();
    await fleet.fleetNode.update({ where: { name: "once" }, data: { shippedExchangeId: 1000 } });
    const again = shipper(db, "once");
    again.start();
    await again.caughtUp();
    expect(await stored("once")).toEqual({ count: n, distinct: n, min: 1, max: n });
    expect(again.stats().shipped.exchange).toBe(0);
    expect(again.stats().duplicates.exchange).toBe(n - 1000);
    expect(again.shippedIds()?.exchange).toBe(n);
  }, 60_000);

  it("resumes after a restart from the persisted mark", async () => {
    const db = await local();
    await insertExchanges(db.db, makeExchanges(1, 1000));
    const first = shipper(db, "restart");
    first.start();
    await first.caughtUp();
    await first.stop();
    await insertExchanges(db.db, makeExchanges(1001, 1500));
    const second = shipper(db, "restart");
    second.start();
    await second.caughtUp();
    expect(second.stats().shipped.exchange).toBe(500);
    expect(second.stats().duplicates.exchange).toBe(0);
    expect(await stored("restart")).toEqual({ count: 1500, distinct: 1500, min: 1, max: 1500 });
  });

  it("stops, and says why, when the node's log was recreated under the same name", async () => {
    const first = await local();
    await insertExchanges(first.db, makeExchanges(1, 500));
    const s1 = shipper(first, "recreated");
    s1.start();
    await s1.caughtUp();
    await s1.stop();
    // A new SQLite log (ids from 1 again) under the same NODE_NAME: its rows would collide
    // with the stored ones and be dropped as duplicates.
    const second = await local();
    await insertExchanges(second.db, makeExchanges(1, 100));
    const s2 = shipper(second, "recreated", { maxBackoffMs: 50 });
    s2.start();
    await waitFor(async () => (await s2.lag()).error !== null, "the shipper to refuse");
    expect((await s2.lag()).error).toMatch(
      /newest exchange is 100 but the store already holds node recreated's exchanges up to 500.*new NODE_NAME/,
    );
    expect(lines.some((l) => /shipping stopped: the local log's newest exchange is 100/.test(l))).toBe(true);
    expect(s2.stats().shipped.exchange).toBe(0);
    expect(await stored("recreated")).toEqual({ count: 500, distinct: 500, min: 1, max: 500 });
  });

  it("skips and counts ids pruned locally before they were shipped", async () => {
    const db = await local();
    await insertExchanges(db.db, makeExchanges(1, 300));
    // Retention removed the oldest before the store was reached, and a hole in the middle.
    await db.db.exchange.deleteMany({
      where: { OR: [{ id: { lte: 100 } }, { id: { gte: 150, lte: 159 } }] },
    });
    const s = shipper(db, "gaps", { batchSize: 120 });
    s.start();
    await s.caughtUp();
    expect(s.stats().skipped.exchange).toBe(110);
    expect(await stored("gaps")).toEqual({ count: 190, distinct: 190, min: 101, max: 300 });
    // One batch of 120 rows (101..149, 160..230) covers both gaps.
    expect(lines).toContain(
      "fleet: 110 exchange record(s) between ids 1 and 230 were gone locally before shipping (retention or dropped), skipped",
    );
  });

  it("waits for a store that is down at start, then ships", async () => {
    const db = await local();
    await insertExchanges(db.db, makeExchanges(1, 50));
    let refusals = 3;
    const s = shipper(db, "late", {
      maxBackoffMs: 50,
      store: async () => {
        if (refusals-- > 0) throw new Error("connect ECONNREFUSED 127.0.0.1:1");
        return fleet;
      },
    });
    s.start();
    await waitFor(() => s.lastError() !== null, "the error to be reported");
    expect((await s.lag()).error).toMatch(/ECONNREFUSED/);
    await s.caughtUp();
    expect(s.lastError()).toBeNull();
    expect(s.stats().failures).toBe(3);
    expect(lines).toContain(
      "fleet: store unreachable (connect ECONNREFUSED 127.0.0.1:1), shipping when it returns",
    );
    expect(await stored("late")).toEqual({ count: 50, distinct: 50, min: 1, max: 50 });
  });

  it("loses and duplicates nothing when PostgreSQL stops mid-shipping under continued writes", async () => {
    const db = await local();
    let written = 0;
    const write = async (count: number) => {
      await insertRange(db, written + 1, written + count);
      written += count;
    };
    await write(3000);
    const s = shipper(db, "outage", { batchSize: 500, maxBackoffMs: 200 });
    s.start();
    await waitFor(() => (s.shippedIds()?.exchange ?? 0) > 0, "the first batch");
    // Keep writing while the store goes away and comes back.
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await write(50);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    try {
      pg.pause();
      await waitFor(() => s.lastError() !== null, "the shipper to notice the outage");
      const during = written;
      await waitFor(() => written >= during + 500, "writes during the outage");
      pg.resume();
      await waitFor(
        () => s.lastError() === null && (s.shippedIds()?.exchange ?? 0) > during,
        "shipping again",
      );
    } finally {
      pg.resume();
      writing = false;
      await writer;
    }
    await s.caughtUp();
    expect(await s.lag()).toMatchObject({ records: 0, shippedId: written, error: null });
    expect(await stored("outage")).toEqual({ count: written, distinct: written, min: 1, max: written });
    expect(s.stats().skipped.exchange).toBe(0);
    expect(s.stats().failures).toBeGreaterThan(0);
  }, 60_000);
  it("reports a dead reader worker as an error, backs off, and ships with a new one", async () => {
    const db = await local();
    await insertExchanges(db.db, makeExchanges(1, 300));
    const worker = new WorkerShipReader(db.file);
    let crashes = 2;
    const s = shipper(db, "crash", {
      maxBackoffMs: 50,
      // And the statements through the Prisma client, as without storeUrl.
      storeUrl: undefined,
      reader: {
        read(stream, after, take) {
          const read = worker.read(stream, after, take);
          // As a crash would (a native fault, out of memory): the worker ends with the read in flight.
          if (crashes-- > 0)
            void (
              worker as unknown as { thread: { worker: { terminate(): Promise<number> } } }
            ).thread.worker.terminate();
          return read;
        },
        close: () => worker.close(),
      },
    });
    s.start();
    await waitFor(() => s.lastError() !== null, "the crash to be reported");
    expect(s.lastError()).toMatch(/reading the local log failed \(ship reader worker exited/);
    await s.caughtUp();
    expect(s.lastError()).toBeNull();
    expect(s.stats().failures).toBe(2);
    // The exit code of a terminated worker depends on how far it had started.
    expect(
      lines.filter((l) =>
        /^fleet: reading the local log failed \(ship reader worker exited \(\d+\)\), retrying$/.test(l),
      ),
    ).toHaveLength(1);
    expect(lines).toContain("fleet: local log readable again, shipping");
    expect(await stored("crash")).toEqual({ count: 300, distinct: 300, min: 1, max: 300 });
    // Stopping ends the worker: a read afterwards has none to go to.
    await s.stop();
    await expect(worker.read("exchange", 0, 1)).rejects.toThrow(/closed/);
  });
});
