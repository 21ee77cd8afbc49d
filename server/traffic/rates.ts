/**
 * Traffic rates and latencies, kept incrementally as exchanges are routed (issue 10): per
 * bus, exchanges and errors per second over the last minutes; per handler, requests,
 * errors and p50/p99 latency since start and over the last minute. O(1) per exchange;
 * a snapshot costs a pass over the handlers' small histograms.
 *
 * Latencies go into log-spaced buckets (5% apart), so a percentile is exact to within
 * 5% whatever the range (1 µs to hours) and a histogram stays a few dozen entries.
 */
import type { Exchange } from "../contract/exchange";
import type { HandlerRates, RatesSnapshot } from "../contract/rates";

const STEP = Math.log(1.05);

/** The bucket of a latency (µs); bucket b covers [1.05^b, 1.05^(b+1)). */
export function latencyBucket(us: number): number {
  return us < 1 ? 0 : Math.floor(Math.log(us) / STEP);
}

/** The middle of a bucket, as the value a percentile reports. */
export function bucketValue(b: number): number {
  return Math.round(Math.exp((b + 0.5) * STEP));
}

/** A sparse latency histogram. */
export class LatencyHistogram {
  readonly counts = new Map<number, number>();
  total = 0;

  add(us: number): void {
    const b = latencyBucket(us);
    this.counts.set(b, (this.counts.get(b) ?? 0) + 1);
    this.total++;
  }

  merge(other: LatencyHistogram): void {
    for (const [b, n] of other.counts) this.counts.set(b, (this.counts.get(b) ?? 0) + n);
    this.total += other.total;
  }

  /** The latency (µs) at quantile q (0..1); null when empty. */
  quantile(q: number): number | null {
    if (this.total === 0) return null;
    const rank = Math.max(1, Math.ceil(q * this.total));
    let seen = 0;
    for (const b of [...this.counts.keys()].sort((x, y) => x - y)) {
      seen += this.counts.get(b)!;
      if (seen >= rank) return bucketValue(b);
    }
    return null;
  }
}

interface SecondSlot {
  second: number;
  exchanges: number;
  errors: number;
}

interface HandlerSlot {
  second: number;
  requests: number;
  errors: number;
  latency: LatencyHistogram;
}

interface HandlerStats {
  requests: number;
  errors: number;
  latency: LatencyHistogram;
  /** The last `window` seconds, one slot per second (a ring). */
  recent: HandlerSlot[];
}

export interface TrafficRatesOptions {
  /** Seconds of per-bus history kept (the chart's width); default 300. */
  historySeconds?: number;
  /** Seconds of the handlers' "last minute"; default 60. */
  windowSeconds?: number;
  now?: () => number;
}

export class TrafficRates {
  private readonly historySeconds: number;
  private readonly windowSeconds: number;
  private readonly now: () => number;
  private readonly buses = new Map<string, SecondSlot[]>();
  private readonly handlers = new Map<string, HandlerStats>();

  constructor(options: TrafficRatesOptions = {}) {
    this.historySeconds = options.historySeconds ?? 300;
    this.windowSeconds = options.windowSeconds ?? 60;
    this.now = options.now ?? Date.now;
  }

  /** Counts one exchange (an error: any status but "ok"). */
  record(x: Exchange): void {
    const second = Math.floor(x.receivedAt / 1000);
    const error = x.status !== "ok";
    let ring = this.buses.get(x.busId);
    if (!ring) {
      ring = Array.from({ length: this.historySeconds }, () => ({ second: -1, exchanges: 0, errors: 0 }));
      this.buses.set(x.busId, ring);
    }
    const slot = ring[second % this.historySeconds]!;
    if (slot.second !== second) {
      slot.second = second;
      slot.exchanges = 0;
      slot.errors = 0;
    }
    slot.exchanges++;
    if (error) slot.errors++;

    if (x.handlerId === null) return;
    let h = this.handlers.get(x.handlerId);
    if (!h) {
      h = {
        requests: 0,
        errors: 0,
        latency: new LatencyHistogram(),
        recent: Array.from({ length: this.windowSeconds }, () => ({
          second: -1,
          requests: 0,
          errors: 0,
          latency: new LatencyHistogram(),
        })),
      };
      this.handlers.set(x.handlerId, h);
    }
    h.requests++;
    if (error) h.errors++;
    const r = h.recent[second % this.windowSeconds]!;
    if (r.second !== second) {
      r.second = second;
      r.requests = 0;
      r.errors = 0;
      r.latency = new LatencyHistogram();
    }
    r.requests++;
    if (error) r.errors++;
    if (x.latencyUs !== null) {
      h.latency.add(x.latencyUs);
      r.latency.add(x.latencyUs);
    }
  }

  /** Per bus the last `historySeconds` seconds (oldest first, up to the current one); per handler the figures. */
  snapshot(): RatesSnapshot {
    const nowSecond = Math.floor(this.now() / 1000);
    const from = nowSecond - this.historySeconds + 1;
    const buses = [...this.buses].map(([busId, ring]) => {
      const exchanges: number[] = [];
      const errors: number[] = [];
      for (let s = from; s <= nowSecond; s++) {
        const slot = ring[((s % this.historySeconds) + this.historySeconds) % this.historySeconds]!;
        const here = slot.second === s;
        exchanges.push(here ? slot.exchanges : 0);
        errors.push(here ? slot.errors : 0);
      }
      return { busId, exchanges, errors };
    });
    const windowFrom = nowSecond - this.windowSeconds + 1;
    const handlers: HandlerRates[] = [...this.handlers].map(([id, h]) => {
      const minute = new LatencyHistogram();
      let requests = 0;
      let errors = 0;
      for (const r of h.recent) {
        if (r.second < windowFrom || r.second > nowSecond) continue;
        requests += r.requests;
        errors += r.errors;
        minute.merge(r.latency);
      }
      return {
        id,
        total: {
          requests: h.requests,
          errors: h.errors,
          p50Us: h.latency.quantile(0.5),
          p99Us: h.latency.quantile(0.99),
        },
        lastMinute: { requests, errors, p50Us: minute.quantile(0.5), p99Us: minute.quantile(0.99) },
      };
    });
    return { at: nowSecond * 1000, secondsPerPoint: 1, buses, handlers };
  }
}
