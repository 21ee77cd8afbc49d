import type { RatesSnapshot } from "@/server/contract/rates";

export async function fetchRates(signal?: AbortSignal): Promise<RatesSnapshot> {
  const res = await fetch("/api/rates", { signal, cache: "no-store" });
  if (!res.ok) throw new Error(`GET /api/rates: ${res.status}`);
  return (await res.json()) as RatesSnapshot;
}
