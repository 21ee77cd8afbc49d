/**
 * `npm run bench`: the simulated BT host flat out through the router and the BMC's
 * handlers, with the Prisma log writer on, for a fixed number of exchanges. Prints
 * exchanges/s routed, exchanges/s persisted (rows counted in the database after), and,
 * in the same run on the same records, plain better-sqlite3 batched inserts as the
 * ceiling, with the ratio. One run, same machine: compare ratios, not absolutes.
 */
import BetterSqlite3 from "better-sqlite3";
import { createBmc } from "../server/bmc";
import { BtBus } from "../server/buses/bt/bt-bus";
import { SimulatedHost } from "../server/buses/bt/sim-host";
import type { Exchange } from "../server/contract/exchange";
import { createTestDatabase } from "../server/persistence/test-database";
import { Router } from "../server/router/router";
import { EXCHANGE_COLUMN_LIST, EXCHANGE_COLUMNS, exchangeValues } from "../server/traffic/columns";
import { ExchangeLogWriter } from "../server/traffic/log-writer";
import { WorkerStatementRunner } from "../server/traffic/worker-runner";

const COUNT = Number(process.env.BENCH_COUNT ?? 100_000);

function fmt(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

async function routerOnly(count: number): Promise<number> {
  const router = new Router();
  for (const h of createBmc().handlers) router.registry.register(h);
  const host = new SimulatedHost({ rate: Number.POSITIVE_INFINITY, limit: count });
  router.addBus(new BtBus("bt0", host));
  const t0 = performance.now();
  await host.open();
  await host.done();
  return (count / (performance.now() - t0)) * 1000;
}

async function withLog(count: number, where: "worker" | "thread") {
  const tdb = await createTestDatabase();
  const router = new Router();
  for (const h of createBmc().handlers) router.registry.register(h);
  const writer = new ExchangeLogWriter(
    tdb.db,
    where === "worker" ? { runner: new WorkerStatementRunner(tdb.url) } : {},
  );
  const kept: Exchange[] = [];
  router.onExchange((x) => {
    writer.write(x);
    kept.push(x);
  });
  const host = new SimulatedHost({ rate: Number.POSITIVE_INFINITY, limit: count });
  router.addBus(new BtBus("bt0", host));
  const rss0 = process.memoryUsage().rss;
  let peakRss = rss0;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  const t0 = performance.now();
  await host.open();
  await host.done();
  const routedMs = performance.now() - t0;
  const backlog = writer.stats().pending;
  await writer.close();
  const persistedMs = performance.now() - t0;
  clearInterval(sampler);
  const rows = await tdb.db.exchange.count();
  await tdb.cleanup();
  return { routedMs, persistedMs, rows, backlog, kept, peakRssMb: (peakRss - rss0) / 1e6, host };
}

/** The ceiling: the same records through better-sqlite3's prepared insert, 1,000 per transaction. */
async function plainSqlite(records: Exchange[]): Promise<number> {
  const tdb = await createTestDatabase();
  await tdb.db.$disconnect();
  const sqlite = new BetterSqlite3(tdb.file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  const insert = sqlite.prepare(
    `INSERT INTO "Exchange" (${EXCHANGE_COLUMN_LIST}) VALUES (${EXCHANGE_COLUMNS.map(() => "?").join(", ")})`,
  );
  const batch = sqlite.transaction((xs: Exchange[]) => {
    for (const x of xs)
      insert.run(exchangeValues(x).map((v) => (v instanceof Uint8Array ? Buffer.from(v) : v)));
  });
  const t0 = performance.now();
  for (let i = 0; i < records.length; i += 1000) batch(records.slice(i, i + 1000));
  const ms = performance.now() - t0;
  const rows = (sqlite.prepare('SELECT COUNT(*) AS n FROM "Exchange"').get() as { n: number }).n;
  sqlite.close();
  await tdb.cleanup();
  if (rows !== records.length) throw new Error(`ceiling run stored ${rows} of ${records.length}`);
  return (rows / ms) * 1000;
}

async function main() {
  console.log(`bench: ${fmt(COUNT)} exchanges, simulated BT host flat out, one run (BENCH_COUNT to change)`);
  await routerOnly(Math.min(5000, COUNT)); // warm up the JIT
  const bare = await routerOnly(COUNT);
  const inThread = await withLog(COUNT, "thread");
  const run = await withLog(COUNT, "worker"); // as the server runs it
  const ceiling = await plainSqlite(run.kept);
  const perSecond = (n: number, ms: number) => (n / ms) * 1000;
  const lines: [string, string][] = [["router alone (no observers)", `${fmt(bare)} exchanges/s`]];
  for (const [label, r] of [
    ["log writer in a worker thread (the server's setup)", run],
    ["log writer in the router's thread", inThread],
  ] as const) {
    const routed = perSecond(COUNT, r.routedMs);
    const persisted = perSecond(r.rows, r.persistedMs);
    lines.push(
      [label, ""],
      ["  routed", `${fmt(routed)} exchanges/s  (${(routed / bare).toFixed(2)}x router alone)`],
      [
        "  persisted through Prisma",
        `${fmt(persisted)} rows/s  (${fmt(r.rows)} rows counted; backlog when traffic ended ${fmt(r.backlog)})`,
      ],
      ["  persisted / ceiling", `${(persisted / ceiling).toFixed(2)}`],
      ["  peak RSS growth", `${r.peakRssMb.toFixed(0)} MB`],
    );
  }
  lines.push(
    ["ceiling: better-sqlite3 batched", `${fmt(ceiling)} rows/s`],
    ["simulated host saw", JSON.stringify(run.host.stats.byCompletionCode)],
  );
  const width = Math.max(...lines.map(([k]) => k.length));
  for (const [k, v] of lines) console.log(`  ${k.padEnd(width)}  ${v}`);
  for (const r of [run, inThread]) {
    if (r.rows !== r.kept.length) {
      console.error(`LOST RECORDS: ${r.kept.length} exchanges, ${r.rows} rows`);
      process.exit(1);
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
