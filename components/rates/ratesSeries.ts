import type { RatesSnapshot } from "@/server/contract/rates";

/** uPlot's columns: x (seconds since the epoch), then exchanges/s per bus, then the error % of all buses. */
export interface RatesSeries {
  labels: string[];
  data: number[][];
  /** Exchanges/s over the last 10 s, per bus, for the numbers beside the chart. */
  recent: Array<{ busId: string; perSecond: number; errorPercent: number }>;
}

export function ratesSeries(r: RatesSnapshot): RatesSeries {
  const n = r.buses[0]?.exchanges.length ?? 0;
  const lastSecond = r.at / 1000;
  const x = Array.from({ length: n }, (_, i) => lastSecond - (n - 1 - i) * r.secondsPerPoint);
  const perBus = r.buses.map((b) => b.exchanges);
  const errorPercent = Array.from({ length: n }, (_, i) => {
    let all = 0;
    let bad = 0;
    for (const b of r.buses) {
      all += b.exchanges[i] ?? 0;
      bad += b.errors[i] ?? 0;
    }
    return all === 0 ? 0 : (100 * bad) / all;
  });
  // The current second is still filling: the figures use the 10 whole seconds before it.
  const recent = r.buses.map((b) => {
    const ex = b.exchanges.slice(-11, -1);
    const er = b.errors.slice(-11, -1);
    const sum = ex.reduce((a, v) => a + v, 0);
    const errs = er.reduce((a, v) => a + v, 0);
    return {
      busId: b.busId,
      perSecond: sum / Math.max(1, ex.length),
      errorPercent: sum === 0 ? 0 : (100 * errs) / sum,
    };
  });
  return { labels: r.buses.map((b) => b.busId), data: [x, ...perBus, errorPercent], recent };
}
