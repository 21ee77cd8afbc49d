/**
 * The rates the live socket pushes every second (the "rates" event), for any component
 * that shows them. Outside React and the store: one value, replaced each second.
 */
import type { RatesSnapshot } from "@/server/contract/rates";

type Listener = (r: RatesSnapshot) => void;

const listeners = new Set<Listener>();
let latest: { rates: RatesSnapshot; at: number } | null = null;

export function publishRates(rates: RatesSnapshot, now = Date.now()): void {
  latest = { rates, at: now };
  for (const l of listeners) l(rates);
}

export function subscribeRates(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The newest pushed rates, if they came within `maxAgeMs`. */
export function latestRates(maxAgeMs: number, now = Date.now()): RatesSnapshot | null {
  return latest !== null && now - latest.at <= maxAgeMs ? latest.rates : null;
}
