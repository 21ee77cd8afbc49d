/**
 * Section "fleet" of `npm run bench` (only when named: `npx tsx bench/run.ts fleet`; it
 * starts a PostgreSQL cluster and three servers). Everything on one throwaway PostgreSQL
 * (startThrowawayPostgres), in one run:
 * - rows/s shipped into PostgreSQL by 1, 3 and 8 nodes at once: one FleetShipper per node
 *   in this process, each on its own SQLite log filled beforehand, timed until every
 *   shipper found nothing left (then the rows are counted per node), against plain pg
 *   multi-row INSERTs of the same records by as many clients (the ceiling);
 * - live fan-out latency, p50 and p99: three real servers (a, b, c) with simulated hosts,
 *   a socket.io client of A that asked for every node; a remote exchange's receivedAt
 *   (its node's clock, the same machine) to its arrival, against A's own exchanges to the
 *   same client;
 * - the shipper's time on the main thread (the router's) per 2,000-row batch, one node
 *   shipping a backlog: read in the worker thread and sent over the shipper's pg pool,
 *   against read, serialised and sent through Prisma in this thread (as before), by event
 *   loop utilisation, with the longest stall (monitorEventLoopDelay) in the note;
 * - storage per exchange row (heap and indexes) after the 8-node run, and pruning by time:
 *   DELETE by the receivedAt index against DETACH + DROP of a range partition.
 *
 * BENCH_FLEET_ROWS: rows shipped per run, split over its nodes (default 72,000, a multiple
 * of 24 so every node gets as many); BENCH_FLEET_LIVE_S: the fan-out sampling window.
 * The servers come from BMC_DIST (`node scripts/build.mjs --server-only --out DIR`) or dist/.
 */
import { monitorEventLoopDelay, performance as nodePerformance } from "node:perf_hooks";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import type { Socket } from "socket.io-client";
import type { ClientToServerEvents, LiveEvent, ServerToClientEvents } from "../server/contract/events";
import type { Exchange } from "../server/contract/exchange";
import { type FleetDatabase, openFleetDatabase } from "../server/fleet/fleet-database";
import { migrateFleet } from "../server/fleet/migrate";
import { PrismaShipReader } from "../server/fleet/ship-reader";
import { FleetShipper } from "../server/fleet/shipper";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../server/fleet/test-postgres";
import { LiveWatcher, type RunningServer, startServer } from "../server/integration/server-process";
import type { Logger } from "../server/logger";
import { createTestDatabase, type TestDatabase } from "../server/persistence/test-database";
import { EXCHANGE_COLUMN_LIST, EXCHANGE_COLUMNS, exchangeValues } from "../server/traffic/columns";
import { type BenchRow, type BenchSection, fmt, runIfMain } from "./report";
import { benchRouter } from "./router-log.bench";

const TOTAL_ROWS = Number(process.env.BENCH_FLEET_ROWS ?? 72_000);
const NODE_COUNTS = [1, 3, 8] as const;
const LIVE_SECONDS = Number(process.env.BENCH_FLEET_LIVE_S ?? 15);
/** Per node: modest, as a BMC's typical traffic, so the fan-out is measured unloaded. */
const SIM_RATE = 50;
/** The shipper's own batch size, so the ceiling sends statements of the same size. */
const BATCH = 2000;

const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

/** Undo steps, run last-first whatever failed; also on Ctrl-C, so no cluster or server outlives the run. */
class Cleanup {
  private readonly steps: (() => unknown)[] = [];

  add(step: () => unknown): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop()!;
      try {
        await step();
      } catch (err) {
        console.error("bench fleet: cleanup step failed:", err);
      }
    }
  }
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** The router's own records (the simulated BT host flat out through the BMC's handlers), ids 1..count. */
async function records(count: number): Promise<Exchange[]> {
  const { router, host } = benchRouter(Number.POSITIVE_INFINITY, count);
  const kept: Exchange[] = [];
  router.onExchange((x) => kept.push(x));
  await host.open();
  await host.done();
  return kept;
}

/** A node's SQLite log holding exactly `xs`, written with better-sqlite3 before any timing. */
async function filledLog(xs: readonly Exchange[]): Promise<TestDatabase> {
  const tdb = await createTestDatabase();
  const sqlite = new BetterSqlite3(tdb.file);
  try {
    sqlite.pragma("journal_mode = WAL");
    const insert = sqlite.prepare(
      `INSERT INTO "Exchange" (${EXCHANGE_COLUMN_LIST}) VALUES (${EXCHANGE_COLUMNS.map(() => "?").join(", ")})`,
    );
    const batch = sqlite.transaction((some: readonly Exchange[]) => {
      for (const x of some)
        insert.run(exchangeValues(x).map((v) => (v instanceof Uint8Array ? Buffer.from(v) : v)));
    });
    for (let i = 0; i < xs.length; i += 5000) batch(xs.slice(i, i + 5000));
  } finally {
    sqlite.close();
  }
  return tdb;
}

async function countPerNode(admin: pg.Client, prefix: string): Promise<Map<string, number>> {
  const { rows } = await admin.query<{ node: string; n: number }>(
    'SELECT node, count(*)::int AS n FROM "FleetExchange" WHERE node LIKE $1 GROUP BY node',
    [`${prefix}%`],
  );
  return new Map(rows.map((r) => [r.node, r.n]));
}

function expectRows(counts: Map<string, number>, nodes: readonly string[], each: number, what: string): void {
  for (const n of nodes) {
    const got = counts.get(n) ?? 0;
    if (got !== each) throw new Error(`${what}: node ${n} has ${got} rows in PostgreSQL, expected ${each}`);
  }
}

/** k shippers at once, each with its own Prisma client (as k processes would), until all caught up. */
async function shipRun(url: string, admin: pg.Client, xs: readonly Exchange[], k: number, cleanup: Cleanup) {
  const each = xs.length / k;
  const nodes = Array.from({ length: k }, (_, i) => `ship${k}-n${i}`);
  const local: TestDatabase[] = [];
  const stores: FleetDatabase[] = [];
  const shippers: FleetShipper[] = [];
  const undo = new Cleanup();
  cleanup.add(() => undo.run());
  try {
    for (let i = 0; i < k; i++) {
      const tdb = await filledLog(xs.slice(0, each));
      undo.add(() => tdb.cleanup());
      local.push(tdb);
      const store = await openFleetDatabase(url, { migrate: false, max: 2 });
      undo.add(() => store.$disconnect());
      stores.push(store);
    }
    await admin.query('TRUNCATE "FleetExchange"');
    await admin.query("CHECKPOINT");
    for (let i = 0; i < k; i++) {
      const store = stores[i]!;
      const s = new FleetShipper({
        local: local[i]!.db,
        localUrl: local[i]!.url,
        storeUrl: url,
        node: nodes[i]!,
        store: async () => store,
        log: quiet,
      });
      undo.add(() => s.stop());
      shippers.push(s);
    }
    const t0 = performance.now();
    const done = shippers.map((s) => s.caughtUp());
    for (const s of shippers) s.start();
    await Promise.all(done);
    const seconds = (performance.now() - t0) / 1000;
    expectRows(await countPerNode(admin, `ship${k}-`), nodes, each, "shipper");
    const failures = shippers.reduce((n, s) => n + s.stats().failures, 0);
    const batches = shippers.reduce((n, s) => n + s.stats().batches, 0);
    return { perSecond: xs.length / seconds, seconds, failures, batches };
  } finally {
    await undo.run();
  }
}

/**
 * One node ships its whole log, alone in this process: the event loop's active time per
 * batch, and its longest stall. "main": read, mapped and serialised in this thread through
 * Prisma, statements through the Prisma client (as before the worker); "worker": read in
 * the worker thread, statements still through Prisma; "worker+pg": what a node runs, the
 * statements over the shipper's own pg pool.
 */
async function mainThreadRun(
  url: string,
  admin: pg.Client,
  xs: readonly Exchange[],
  reader: "main" | "worker" | "worker+pg",
) {
  const node = `main-${reader.replace("+", "-")}`;
  const undo = new Cleanup();
  try {
    const tdb = await filledLog(xs);
    undo.add(() => tdb.cleanup());
    const store = await openFleetDatabase(url, { migrate: false, max: 2 });
    undo.add(() => store.$disconnect());
    await admin.query('TRUNCATE "FleetExchange"');
    await admin.query("CHECKPOINT");
    const s = new FleetShipper({
      local: tdb.db,
      node,
      store: async () => store,
      log: quiet,
      ...(reader === "main" ? { reader: new PrismaShipReader(tdb.db) } : { localUrl: tdb.url }),
      ...(reader === "worker+pg" ? { storeUrl: url } : {}),
    });
    undo.add(() => s.stop());
    const delay = monitorEventLoopDelay({ resolution: 1 });
    const done = s.caughtUp();
    const elu0 = nodePerformance.eventLoopUtilization();
    const t0 = performance.now();
    delay.enable();
    s.start();
    await done;
    delay.disable();
    const elu = nodePerformance.eventLoopUtilization(elu0);
    const seconds = (performance.now() - t0) / 1000;
    expectRows(await countPerNode(admin, node), [node], xs.length, `main-thread run (${reader})`);
    const batches = s.stats().batches;
    return {
      msPerBatch: elu.active / batches,
      batches,
      seconds,
      maxStallMs: delay.max / 1e6,
      p99StallMs: delay.percentile(99) / 1e6,
    };
  } finally {
    await undo.run();
  }
}

const INSERT_COLUMNS = `"node", ${EXCHANGE_COLUMN_LIST}`;
const PER_ROW = EXCHANGE_COLUMNS.length + 1;

function insertSql(rows: number): string {
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const base = r * PER_ROW;
    tuples.push(`(${Array.from({ length: PER_ROW }, (_, c) => `$${base + c + 1}`).join(", ")})`);
  }
  return `INSERT INTO "FleetExchange" (${INSERT_COLUMNS}) VALUES ${tuples.join(", ")}`;
}

/** The ceiling: k pg clients at once, each inserting its node's records 2,000 rows a statement. */
async function plainRun(url: string, admin: pg.Client, xs: readonly Exchange[], k: number) {
  const each = xs.length / k;
  const nodes = Array.from({ length: k }, (_, i) => `plain${k}-n${i}`);
  const clients: pg.Client[] = [];
  try {
    for (let i = 0; i < k; i++) {
      const c = new pg.Client({ connectionString: url });
      clients.push(c);
      await c.connect();
    }
    await admin.query('TRUNCATE "FleetExchange"');
    await admin.query("CHECKPOINT");
    const full = insertSql(Math.min(BATCH, each));
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (c, i) => {
        for (let a = 0; a < each; a += BATCH) {
          const some = xs.slice(a, Math.min(each, a + BATCH));
          const values: unknown[] = [];
          for (const x of some) {
            values.push(nodes[i]);
            for (const v of exchangeValues(x)) values.push(v instanceof Uint8Array ? Buffer.from(v) : v);
          }
          await c.query(some.length === BATCH ? full : insertSql(some.length), values);
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    expectRows(await countPerNode(admin, `plain${k}-`), nodes, each, "plain pg");
    return { perSecond: xs.length / seconds, seconds };
  } finally {
    await Promise.allSettled(clients.map((c) => c.end()));
  }
}

interface Storage {
  rows: number;
  totalBytes: number;
  heapBytes: number;
  indexBytes: number;
}

async function storage(admin: pg.Client): Promise<Storage> {
  await admin.query('VACUUM ANALYZE "FleetExchange"');
  const { rows } = await admin.query<{ rows: number; total: string; heap: string; idx: string }>(
    `SELECT (SELECT count(*)::int FROM "FleetExchange") AS rows,
       pg_total_relation_size('"FleetExchange"') AS total,
       pg_table_size('"FleetExchange"') AS heap,
       pg_indexes_size('"FleetExchange"') AS idx`,
  );
  const r = rows[0]!;
  return { rows: r.rows, totalBytes: Number(r.total), heapBytes: Number(r.heap), indexBytes: Number(r.idx) };
}

/**
 * Pruning the older half by time, two ways on the same rows: a range-partitioned copy
 * (two partitions split at the median receivedAt) losing its older partition by DETACH +
 * DROP, and the table itself losing the same rows by DELETE through its receivedAt index.
 */
async function pruning(admin: pg.Client) {
  const { rows } = await admin.query<{ median: number }>(
    `SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY "receivedAt") AS median FROM "FleetExchange"`,
  );
  const median = rows[0]!.median;
  await admin.query(
    `CREATE TABLE "BenchParted" (LIKE "FleetExchange" INCLUDING DEFAULTS) PARTITION BY RANGE ("receivedAt")`,
  );
  try {
    await admin.query(
      `CREATE TABLE "BenchParted_old" PARTITION OF "BenchParted" FOR VALUES FROM (MINVALUE) TO (${median})`,
    );
    await admin.query(
      `CREATE TABLE "BenchParted_new" PARTITION OF "BenchParted" FOR VALUES FROM (${median}) TO (MAXVALUE)`,
    );
    // The key and indexes the real table has (a partitioned key must hold the partition column).
    await admin.query(`ALTER TABLE "BenchParted" ADD PRIMARY KEY ("node", "id", "receivedAt")`);
    await admin.query(`CREATE INDEX ON "BenchParted" ("receivedAt")`);
    await admin.query(`CREATE INDEX ON "BenchParted" ("node", "receivedAt")`);
    await admin.query(`CREATE INDEX ON "BenchParted" ("netFn", "cmd")`);
    await admin.query(`CREATE INDEX ON "BenchParted" ("status")`);
    await admin.query(`INSERT INTO "BenchParted" SELECT * FROM "FleetExchange"`);
    const old = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM "BenchParted_old"`);
    await admin.query("CHECKPOINT");
    const t0 = performance.now();
    await admin.query(`ALTER TABLE "BenchParted" DETACH PARTITION "BenchParted_old"`);
    await admin.query(`DROP TABLE "BenchParted_old"`);
    const dropMs = performance.now() - t0;

    await admin.query("CHECKPOINT");
    const t1 = performance.now();
    const del = await admin.query(`DELETE FROM "FleetExchange" WHERE "receivedAt" < $1`, [median]);
    const deleteMs = performance.now() - t1;
    return { partitionRows: old.rows[0]!.n, dropMs, deleted: del.rowCount ?? 0, deleteMs };
  } finally {
    await admin.query(`DROP TABLE IF EXISTS "BenchParted"`);
  }
}

/** Three servers on the store; A's client asks for all nodes; latency of remote and local exchanges. */
async function fanout(url: string, cleanup: Cleanup) {
  const names = ["a", "b", "c"] as const;
  const dbs: TestDatabase[] = [];
  for (const _ of names) {
    const tdb = await createTestDatabase();
    cleanup.add(() => tdb.cleanup());
    dbs.push(tdb);
  }
  const started = await Promise.allSettled(
    names.map((name, i) =>
      startServer({
        DATABASE_URL: dbs[i]!.url,
        FLEET_DATABASE_URL: url,
        NODE_NAME: name,
        SIM_RATE: String(SIM_RATE),
        LAN_PORT: "off",
      }),
    ),
  );
  const servers: RunningServer[] = [];
  for (const s of started) {
    if (s.status !== "fulfilled") continue;
    servers.push(s.value);
    cleanup.add(() => s.value.stop());
  }
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
  const a = servers[0]!;
  const watcher = new LiveWatcher(a.url, await a.login());
  cleanup.add(() => watcher.close());
  const socket = watcher.socket as unknown as Socket<ServerToClientEvents, ClientToServerEvents>;
  await new Promise<void>((resolve) => socket.once("snapshot", () => resolve()));
  const set = await socket.emitWithAck("setNodes", { nodes: "all" });
  if (!set.ok) throw new Error(`setNodes refused: ${JSON.stringify(set)}`);
  // Steady state only: both remote nodes heard and flowing before the window opens.
  await watcher.next((x) => x.node === "b", 30_000);
  await watcher.next((x) => x.node === "c", 30_000);

  const remote: number[] = [];
  const local: number[] = [];
  let sampling = true;
  socket.on("live", (events: LiveEvent[]) => {
    if (!sampling) return;
    const now = Date.now();
    for (const e of events) {
      if (e.type !== "exchange") continue;
      (e.exchange.node === "a" ? local : remote).push(now - e.exchange.receivedAt);
    }
  });
  await new Promise((resolve) => setTimeout(resolve, LIVE_SECONDS * 1000));
  sampling = false;
  return { remote, local };
}

export const section: BenchSection = {
  id: "fleet",
  title: "fleet",
  async run() {
    const cleanup = new Cleanup();
    const interrupted = () => {
      void cleanup.run().finally(() => process.exit(130));
    };
    process.once("SIGINT", interrupted);
    process.once("SIGTERM", interrupted);
    try {
      if (TOTAL_ROWS % 24 !== 0)
        throw new Error("BENCH_FLEET_ROWS must be a multiple of 24 (split over 1, 3, 8)");
      const server: ThrowawayPostgres = await startThrowawayPostgres();
      cleanup.add(() => server.stop());
      await migrateFleet(server.url);
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      cleanup.add(() => admin.end());

      const xs = await records(TOTAL_ROWS);
      const rows: BenchRow[] = [];
      for (const k of NODE_COUNTS) {
        const plain = await plainRun(server.url, admin, xs, k);
        const ship = await shipRun(server.url, admin, xs, k, cleanup);
        rows.push({
          name: `shipped into PostgreSQL, ${k} node${k > 1 ? "s" : ""} at once (FleetShipper)`,
          value: ship.perSecond,
          unit: "rows/s",
          baseline: {
            name: `plain pg multi-row INSERT, ${k} client(s)`,
            value: plain.perSecond,
            unit: "rows/s",
          },
          ratio: ship.perSecond / plain.perSecond,
          note: `${fmt(TOTAL_ROWS / k)} rows a node in ${ship.seconds.toFixed(1)} s (ceiling ${plain.seconds.toFixed(1)} s); ${ship.batches} batches, ${ship.failures} failures; shippers in one process`,
        });
      }

      // After the 8-node run: the table holds exactly what the shippers stored.
      const st = await storage(admin);
      rows.push({
        name: "storage per exchange row, heap + indexes",
        value: st.totalBytes / st.rows,
        unit: "B/row",
        note: `${fmt(st.rows)} rows, ${fmt(st.totalBytes / 2 ** 20)} MiB: heap (with TOAST) ${fmt(st.heapBytes / st.rows)} B, 5 indexes ${fmt(st.indexBytes / st.rows)} B`,
      });
      const prune = await pruning(admin);
      rows.push({
        name: "prune the older half: DETACH + DROP a partition",
        value: prune.dropMs,
        unit: "ms",
        baseline: { name: "DELETE by the receivedAt index, same rows", value: prune.deleteMs, unit: "ms" },
        ratio: prune.dropMs / prune.deleteMs,
        note: `${fmt(prune.partitionRows)} rows in the partition, ${fmt(prune.deleted)} deleted: DELETE at ${fmt((prune.deleted / prune.deleteMs) * 1000)} rows/s (VACUUM after it not counted)`,
      });

      // After storage and pruning: these runs empty the table first.
      const inMain = await mainThreadRun(server.url, admin, xs, "main");
      const inWorker = await mainThreadRun(server.url, admin, xs, "worker");
      const inNode = await mainThreadRun(server.url, admin, xs, "worker+pg");
      const stalls = (r: typeof inMain) =>
        `${fmt(r.msPerBatch)} ms a batch, longest stall ${fmt(r.maxStallMs)} ms, p99 ${fmt(r.p99StallMs)} ms, ${fmt(TOTAL_ROWS / r.seconds)} rows/s`;
      rows.push({
        name: "shipper's main-thread time per 2,000-row batch (worker reads, pg sends)",
        value: inNode.msPerBatch,
        unit: "ms",
        baseline: {
          name: "read, mapped, serialised and sent through Prisma in the main thread",
          value: inMain.msPerBatch,
          unit: "ms",
        },
        ratio: inNode.msPerBatch / inMain.msPerBatch,
        note: `1 node, ${fmt(TOTAL_ROWS)} rows, ${inNode.batches} batches; event loop active time. worker+pg: ${stalls(inNode)}; worker, sent through Prisma: ${stalls(inWorker)}; main: ${stalls(inMain)}`,
      });

      const live = await fanout(server.url, cleanup);
      const row = (p: number): BenchRow => {
        const remote = percentile(live.remote, p);
        const local = percentile(live.local, p);
        return {
          name: `live fan-out latency p${p}: another node's exchange to A's client`,
          value: remote,
          unit: "ms",
          baseline: { name: "A's own exchanges, same client", value: local, unit: "ms" },
          ratio: local > 0 ? remote / local : undefined,
          note: `${live.remote.length} remote / ${live.local.length} local samples in ${LIVE_SECONDS} s; 3 servers at SIM_RATE=${SIM_RATE}; receivedAt to arrival, ms clock`,
        };
      };
      rows.push(row(50), row(99));
      return rows;
    } finally {
      await cleanup.run();
      process.off("SIGINT", interrupted);
      process.off("SIGTERM", interrupted);
    }
  },
};

await runIfMain(import.meta.url, section);
