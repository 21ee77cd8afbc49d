"use client";

import { useEffect, useState } from "react";
import type { RatesSnapshot } from "@/server/contract/rates";
import { fetchRates } from "./ratesApi";
import { latestRates, subscribeRates } from "./ratesFeed";

/**
 * The server's rates: pushed by the live socket each second; while none arrive (the
 * socket is down or not yet live), fetched from GET /api/rates every `everyMs`.
 */
export function useRates(everyMs = 1000): RatesSnapshot | null {
  const [rates, setRates] = useState<RatesSnapshot | null>(() => latestRates(3000));
  useEffect(() => {
    const ac = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = subscribeRates(setRates);
    const tick = async () => {
      if (latestRates(3 * everyMs) === null) {
        try {
          setRates(await fetchRates(ac.signal));
        } catch {
          // Offline or signed out: keep the last figures; the connection indicator says why.
        }
      }
      if (!ac.signal.aborted) timer = setTimeout(tick, everyMs);
    };
    void tick();
    return () => {
      unsubscribe();
      ac.abort();
      if (timer) clearTimeout(timer);
    };
  }, [everyMs]);
  return rates;
}
