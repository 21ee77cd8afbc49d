/** Traffic rates and handler latencies as the server streams them (server/traffic/rates.ts). */

export interface LatencyFigures {
  requests: number;
  errors: number;
  /** µs; null when no request had a latency. */
  p50Us: number | null;
  p99Us: number | null;
}

export interface HandlerRates {
  id: string;
  /** Since the server started. */
  total: LatencyFigures;
  /** The last 60 seconds. */
  lastMinute: LatencyFigures;
}

export interface BusRates {
  busId: string;
  /** Exchanges per second, oldest first, the last point being the current second. */
  exchanges: number[];
  /** Of which not "ok". */
  errors: number[];
}

export interface RatesSnapshot {
  /** ms since the epoch of the last point (the start of the current second). */
  at: number;
  secondsPerPoint: number;
  buses: BusRates[];
  handlers: HandlerRates[];
}
