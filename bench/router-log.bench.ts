/**
 * Section "router" of `npm run bench` (`npm run bench:router` alone): the simulated BT
 * host flat out through the router and the BMC's handlers, with the Prisma log writer
 * as the server runs it (statements in a worker thread), for BENCH_COUNT exchanges.
 * Every figure beside a baseline measured in the same run:
 * - routed exchanges/s with logging, against the router with no observer;
 * - rows/s persisted (rows counted in the database after), end to end and for the writer
 *   alone on the same records, against plain better-sqlite3 inserting those records
 *   (the ceiling);
 * - the router's own time per exchange (Router.routerTime()), p50 and p99, with logging
 *   on, against the same without logging.
 */
import BetterSqlite3 from "better-sqlite3";
import { createBmc } from "../server/bmc";
import { BtBus } from "../server/buses/bt/bt-bus";
import { SimulatedHost } from "../server/buses/bt/sim-host";
import type { Exchange } from "../server/contract/exchange";
import { createTestDatabase, type TestDatabase } from "../server/persistence/test-database";
import { Router } from "../server/router/router";
import { EXCHANGE_COLUMN_LIST, EXCHANGE_COLUMNS, exchangeValues } from "../server/traffic/columns";
import { ExchangeLogWriter } from "../server/traffic/log-writer";
import { WorkerStatementRunner } from "../server/traffic/worker-runner";
import { type BenchRow, type BenchSection, below, runIfMain } from "./report";

const COUNT = Number(process.env.BENCH_COUNT ?? 100_000);
const MIN_PERSISTED = 50_000;
const MIN_CEILING_RATIO = 0.5;
const MAX_P99_US = 200;

/** A router with the BMC's handlers and the simulated host on bt0. */
export function benchRouter(rate: number, limit: number): { router: Router; host: SimulatedHost } {
  const router = new Router();
  for (const h of createBmc().handlers) router.registry.register(h);
  const host = new SimulatedHost({ rate, limit });
  router.addBus(new BtBus("bt0", host));
  return { router, host };
}

/**
 * The log writer as server/runtime.ts sets it up: statements in a worker thread. The
 * worker is started (tsx compiling it, Prisma opening) before any timing starts: that
 * takes seconds on a busy machine and is no part of the steady state measured.
 */
export async function serverWriter(tdb: TestDatabase): Promise<ExchangeLogWriter> {
  const runner = new WorkerStatementRunner(tdb.url);
  await runner.run("[]");
  return new ExchangeLogWriter(tdb.db, { runner });
}

async function routerAlone(count: number) {
  const { router, host } = benchRouter(Number.POSITIVE_INFINITY, count);
  const t0 = performance.now();
  await host.open();
  await host.done();
  return { perSecond: (count / (performance.now() - t0)) * 1000, timing: router.routerTime() };
}

/** The same stream of records the logged run produces, kept for the writer-alone and ceiling runs. */
async function records(count: number): Promise<Exchange[]> {
  const { router, host } = benchRouter(Number.POSITIVE_INFINITY, count);
  const kept: Exchange[] = [];
  router.onExchange((x) => kept.push(x));
  await host.open();
  await host.done();
  return kept;
}

async function endToEnd(count: number) {
  const tdb = await createTestDatabase();
  const writer = await serverWriter(tdb);
  const { router, host } = benchRouter(Number.POSITIVE_INFINITY, count);
  router.onExchange((x) => writer.write(x));
  const t0 = performance.now();
  await host.open();
  await host.done();
  const routedMs = performance.now() - t0;
  const timing = router.routerTime();
  const backlog = writer.stats().pending;
  await writer.close();
  const persistedMs = performance.now() - t0;
  const rows = await tdb.db.exchange.count();
  await tdb.cleanup();
  if (rows !== count) throw new Error(`lost records: ${count} exchanges, ${rows} rows`);
  return { routed: (count / routedMs) * 1000, persisted: (rows / persistedMs) * 1000, backlog, timing };
}

/** The writer on its own: every record handed over at once, timed until close() committed them. */
export async function writerAlone(xs: readonly Exchange[]) {
  const tdb = await createTestDatabase();
  const writer = await serverWriter(tdb);
  const t0 = performance.now();
  for (const x of xs) writer.write(x);
  await writer.close();
  const ms = performance.now() - t0;
  const rows = await tdb.db.exchange.count();
  const batches = writer.stats().batches;
  await tdb.cleanup();
  if (rows !== xs.length) throw new Error(`writer alone stored ${rows} of ${xs.length}`);
  return { perSecond: (rows / ms) * 1000, batches };
}

/** The ceiling: the same records through better-sqlite3's prepared insert, 1,000 per transaction. */
export async function plainSqlite(xs: readonly Exchange[]): Promise<number> {
  const tdb = await createTestDatabase();
  await tdb.db.$disconnect();
  const sqlite = new BetterSqlite3(tdb.file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  const insert = sqlite.prepare(
    `INSERT INTO "Exchange" (${EXCHANGE_COLUMN_LIST}) VALUES (${EXCHANGE_COLUMNS.map(() => "?").join(", ")})`,
  );
  const batch = sqlite.transaction((some: readonly Exchange[]) => {
    for (const x of some)
      insert.run(exchangeValues(x).map((v) => (v instanceof Uint8Array ? Buffer.from(v) : v)));
  });
  const t0 = performance.now();
  for (let i = 0; i < xs.length; i += 1000) batch(xs.slice(i, i + 1000));
  const ms = performance.now() - t0;
  const rows = (sqlite.prepare('SELECT COUNT(*) AS n FROM "Exchange"').get() as { n: number }).n;
  sqlite.close();
  await tdb.cleanup();
  if (rows !== xs.length) throw new Error(`ceiling run stored ${rows} of ${xs.length}`);
  return (rows / ms) * 1000;
}

function persistedRow(name: string, value: number, ceiling: number, note: string): BenchRow {
  const ratio = value / ceiling;
  return {
    name,
    value,
    unit: "rows/s",
    baseline: { name: "ceiling: better-sqlite3 prepared, same records", value: ceiling, unit: "rows/s" },
    ratio,
    target: {
      text: `≥ ${MIN_PERSISTED.toLocaleString("en-US")} rows/s and ≥ ${MIN_CEILING_RATIO}x ceiling`,
      met: value >= MIN_PERSISTED && ratio >= MIN_CEILING_RATIO,
    },
    note,
  };
}

export const section: BenchSection = {
  id: "router",
  title: "router + log",
  async run() {
    await routerAlone(Math.min(5000, COUNT)); // warm up the JIT
    const bare = await routerAlone(COUNT);
    const xs = await records(COUNT);
    const ceiling = await plainSqlite(xs);
    const alone = await writerAlone(xs);
    const run = await endToEnd(COUNT);
    const ceiling2 = await plainSqlite(xs); // again, after: the machine's load drifts
    const ceilingMean = (ceiling + ceiling2) / 2;
    const routerBaseline = { name: "router alone, no observer", unit: "exchanges/s", value: bare.perSecond };
    return [
      {
        name: "routed, log writer in its worker",
        value: run.routed,
        unit: "exchanges/s",
        baseline: routerBaseline,
        ratio: run.routed / bare.perSecond,
        note: `${COUNT.toLocaleString("en-US")} exchanges flat out; writer backlog when traffic ended ${run.backlog}`,
      },
      persistedRow(
        "persisted through Prisma, end to end",
        run.persisted,
        ceilingMean,
        "rows counted after close(); bounded by the routed rate (one process, 2 cores shared)",
      ),
      persistedRow(
        "persisted through Prisma, writer alone",
        alone.perSecond,
        ceilingMean,
        `same records written at once, ${alone.batches} statements in the worker; ceiling ${Math.round(ceiling)} before, ${Math.round(ceiling2)} after`,
      ),
      {
        name: "router time per exchange p50, logging on",
        value: run.timing.p50Us,
        unit: "µs",
        baseline: { name: "same, no observer", value: bare.timing.p50Us, unit: "µs" },
        ratio: bare.timing.p50Us > 0 ? run.timing.p50Us / bare.timing.p50Us : undefined,
        note: "dispatch to response queued and record given to the listeners, minus handle()",
      },
      {
        name: "router time per exchange p99, logging on",
        value: run.timing.p99Us,
        unit: "µs",
        baseline: { name: "same, no observer", value: bare.timing.p99Us, unit: "µs" },
        ratio: bare.timing.p99Us > 0 ? run.timing.p99Us / bare.timing.p99Us : undefined,
        target: below(run.timing.p99Us, MAX_P99_US, "µs"),
        note: `last ${run.timing.samples} exchanges of the run; max ${run.timing.maxUs.toFixed(0)} µs`,
      },
    ];
  },
};

await runIfMain(import.meta.url, section);
