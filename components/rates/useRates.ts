"use client";

import { useEffect, useState } from "react";
import type { RatesSnapshot } from "@/server/contract/rates";
import { fetchRates } from "./ratesApi";

/** The server's rates, fetched every `everyMs` while the page is shown. */
export function useRates(everyMs = 1000): RatesSnapshot | null {
  const [rates, setRates] = useState<RatesSnapshot | null>(null);
  useEffect(() => {
    const ac = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const tick = async () => {
      try {
        setRates(await fetchRates(ac.signal));
      } catch {
        // Offline or signed out: keep the last figures; the connection indicator says why.
      }
      if (!ac.signal.aborted) timer = setTimeout(tick, everyMs);
    };
    void tick();
    return () => {
      ac.abort();
      if (timer) clearTimeout(timer);
    };
  }, [everyMs]);
  return rates;
}
