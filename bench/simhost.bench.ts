/**
 * Section "simhost" of `npm run bench`: does the simulated host deliver the rate asked?
 * It runs through the router, the BMC's handlers and the log writer (in its worker), as
 * `npm start` runs it, for BENCH_SIMHOST_SECONDS (default 2) at each rate. Flat out
 * first: that is the most it can deliver here, so a rate asked above it is judged
 * against it instead.
 */
import { createTestDatabase } from "../server/persistence/test-database";
import { type BenchRow, type BenchSection, runIfMain } from "./report";
import { benchRouter, serverWriter } from "./router-log.bench";

const SECONDS = Number(process.env.BENCH_SIMHOST_SECONDS ?? 2);
const ASKED = [1000, 5000, 20_000];
const MIN_RATIO = 0.95;

async function delivered(rate: number, seconds: number): Promise<number> {
  const tdb = await createTestDatabase();
  const writer = await serverWriter(tdb);
  const limit = Number.isFinite(rate) ? Math.round(rate * seconds) : Number.POSITIVE_INFINITY;
  const { router, host } = benchRouter(rate, limit);
  router.onExchange((x) => writer.write(x));
  const stop = Number.isFinite(rate) ? undefined : setTimeout(() => void host.close(), seconds * 1000);
  const t0 = performance.now();
  await host.open();
  await host.done();
  const ms = performance.now() - t0;
  clearTimeout(stop);
  await host.close();
  await writer.close();
  await tdb.cleanup();
  return (host.stats.answered / ms) * 1000;
}

async function measureSimHost(): Promise<BenchRow[]> {
  await delivered(Number.POSITIVE_INFINITY, 0.5); // warm up the JIT and the worker's start
  const max = await delivered(Number.POSITIVE_INFINITY, SECONDS);
  const rows: BenchRow[] = [
    { name: "delivered, flat out", value: max, unit: "msg/s", note: "the most it delivers here, logging on" },
  ];
  for (const asked of ASKED) {
    const got = await delivered(asked, SECONDS);
    const expected = Math.min(asked, max);
    const ratio = got / expected;
    rows.push({
      name: `delivered, asked ${asked.toLocaleString("en-US")}/s`,
      value: got,
      unit: "msg/s",
      baseline: {
        name: asked <= max ? "asked" : "flat-out max (asked more)",
        value: expected,
        unit: "msg/s",
      },
      ratio,
      target: { text: `≥ ${MIN_RATIO}x asked, up to flat out`, met: ratio >= MIN_RATIO },
      note: `${SECONDS} s`,
    });
  }
  return rows;
}

export const section: BenchSection = { id: "simhost", title: "simulated host pacing", run: measureSimHost };

await runIfMain(import.meta.url, section);
