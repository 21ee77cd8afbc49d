"use client";

import { useCallback, useEffect, useState } from "react";
import { messageOf } from "@/components/api";

export interface Polled<T> {
  /** The last answer; null until the first one. */
  data: T | null;
  /** Why the last load failed; null after a good one. */
  error: string | null;
  /** Loads again now (after an action), then keeps the interval from there. */
  reload: () => void;
  /** Puts a value the server answered an action with in place of the last load's. */
  replace: (update: (data: T | null) => T | null) => void;
}

/**
 * Calls `load` now and every `intervalMs` after the previous call settled (never two at
 * once); aborts the one in flight on unmount or reload. `load` must be stable (a module
 * function).
 */
export function usePolling<T>(load: (signal: AbortSignal) => Promise<T>, intervalMs: number): Polled<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [round, setRound] = useState(0);

  useEffect(() => {
    // `round` restarts the loop: reload() bumps it.
    void round;
    const ctrl = new AbortController();
    let timer: number | undefined;
    const tick = async () => {
      try {
        const value = await load(ctrl.signal);
        if (ctrl.signal.aborted) return;
        setData(value);
        setError(null);
      } catch (e) {
        if (ctrl.signal.aborted) return;
        setError(messageOf(e));
      }
      timer = window.setTimeout(tick, intervalMs);
    };
    void tick();
    return () => {
      ctrl.abort();
      window.clearTimeout(timer);
    };
  }, [load, intervalMs, round]);

  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, error, reload, replace: setData };
}
