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

/** What the last load gave, and for which `key`. */
interface Loaded<T> {
  key: string;
  data: T | null;
  error: string | null;
}

/**
 * Calls `load` now and every `intervalMs` after the previous call settled (never two at
 * once); aborts the one in flight on unmount, reload or a new `key`. `load` must be stable
 * (a module function, or a useCallback on what `key` names). `key` names what is polled
 * (another node's list: its name): answers for another key are never shown, and null
 * polls nothing.
 */
export function usePolling<T>(
  load: (signal: AbortSignal) => Promise<T>,
  intervalMs: number,
  key: string | null = "",
): Polled<T> {
  const [loaded, setLoaded] = useState<Loaded<T> | null>(null);
  const [round, setRound] = useState(0);

  useEffect(() => {
    // `round` restarts the loop: reload() bumps it.
    void round;
    if (key === null) return;
    const ctrl = new AbortController();
    let timer: number | undefined;
    const tick = async () => {
      try {
        const value = await load(ctrl.signal);
        if (ctrl.signal.aborted) return;
        setLoaded({ key, data: value, error: null });
      } catch (e) {
        if (ctrl.signal.aborted) return;
        // A failed read keeps the last good answer for the same key.
        setLoaded((l) => ({ key, data: l?.key === key ? l.data : null, error: messageOf(e) }));
      }
      timer = window.setTimeout(tick, intervalMs);
    };
    void tick();
    return () => {
      ctrl.abort();
      window.clearTimeout(timer);
    };
  }, [load, intervalMs, round, key]);

  const reload = useCallback(() => setRound((r) => r + 1), []);
  const replace = useCallback(
    (update: (data: T | null) => T | null) =>
      setLoaded((l) => (l === null ? l : { ...l, data: update(l.data) })),
    [],
  );
  const current = key !== null && loaded?.key === key ? loaded : null;
  return { data: current?.data ?? null, error: current?.error ?? null, reload, replace };
}
