/**
 * Section "memory" of `npm run bench`: resident set size while BENCH_MEMORY_COUNT
 * (default 1,000,000) exchanges go through the router and the log writer (in its worker,
 * as the server runs it), the simulated host flat out. Nothing keeps the records: what
 * grows is the process. RSS is read at each quarter; the figure is the growth from the
 * first quarter to the end, against the RSS at the first quarter. The writer's backlog
 * is noted at each point: records waiting for the database are memory too.
 */
import { createTestDatabase } from "../server/persistence/test-database";
import { type BenchRow, type BenchSection, below, runIfMain } from "./report";
import { benchRouter, serverWriter } from "./router-log.bench";

const COUNT = Number(process.env.BENCH_MEMORY_COUNT ?? 1_000_000);
const MAX_GROWTH_MB = 50;
const MB = 2 ** 20;

async function measureMemory(): Promise<BenchRow[]> {
  const tdb = await createTestDatabase();
  const writer = await serverWriter(tdb);
  const { router, host } = benchRouter(Number.POSITIVE_INFINITY, COUNT);
  const marks = [1, 2, 3, 4].map((q) => Math.round((COUNT * q) / 4));
  const seen: { at: number; rssMb: number; backlog: number }[] = [];
  let n = 0;
  router.onExchange((x) => {
    writer.write(x);
    if (++n === marks[seen.length])
      seen.push({ at: n, rssMb: process.memoryUsage().rss / MB, backlog: writer.stats().pending });
  });
  const t0 = performance.now();
  await host.open();
  await host.done();
  const ms = performance.now() - t0;
  await writer.close();
  const rows = await tdb.db.exchange.count();
  await tdb.cleanup();
  if (rows !== COUNT) throw new Error(`lost records: ${COUNT} exchanges, ${rows} rows`);
  const first = seen[0]!;
  const last = seen.at(-1)!;
  const growth = last.rssMb - first.rssMb;
  const points = seen.map(
    (s) => `${(s.at / 1000).toFixed(0)}k ${s.rssMb.toFixed(0)} MB (backlog ${s.backlog})`,
  );
  return [
    {
      name: `RSS growth, ${(first.at / 1000).toFixed(0)}k to ${(last.at / 1000).toFixed(0)}k exchanges`,
      value: growth,
      unit: "MB",
      baseline: { name: `RSS at ${(first.at / 1000).toFixed(0)}k`, value: first.rssMb, unit: "MB" },
      ratio: last.rssMb / first.rssMb,
      target: below(growth, MAX_GROWTH_MB, "MB"),
      note: `${points.join(", ")}; ${Math.round((COUNT / ms) * 1000)} exchanges/s; ${rows} rows counted`,
    },
  ];
}

export const section: BenchSection = { id: "memory", title: "memory (router + log)", run: measureMemory };

await runIfMain(import.meta.url, section);
