"use client";

import { useCallback, useEffect, useState } from "react";
import { messageOf } from "@/components/api";

export interface RemoteList<T> {
  /** The chosen node's last answer; null with no node chosen, or until its first answer. */
  data: T | null;
  /** Why the last read failed (the node is gone, unknown, ...); null after a good one. */
  error: string | null;
  /** Reads again now (after an action there), then keeps the interval from there. */
  reload: () => void;
  /** Puts what the node answered an action with in place until the next read. */
  replace: (update: (data: T) => T) => void;
}

interface Held<T> {
  node: string;
  data: T | null;
  error: string | null;
}

/**
 * Another node's list (handlers, rules, held requests) while the console is on it
 * (`?node=c`): polled through this node's GET route with the node named, because the live
 * socket carries this node's lists only. Does nothing while `node` is undefined. A switch to
 * another node never shows the previous node's list. `load` must be stable (module-level).
 */
export function useRemoteList<T>(
  node: string | undefined,
  load: (node: string, signal: AbortSignal) => Promise<T>,
  intervalMs: number,
): RemoteList<T> {
  const [held, setHeld] = useState<Held<T> | null>(null);
  const [round, setRound] = useState(0);

  useEffect(() => {
    // `round` restarts the loop: reload() bumps it.
    void round;
    if (node === undefined) return;
    const ctrl = new AbortController();
    let timer: number | undefined;
    const tick = async () => {
      try {
        const data = await load(node, ctrl.signal);
        if (ctrl.signal.aborted) return;
        setHeld({ node, data, error: null });
      } catch (e) {
        if (ctrl.signal.aborted) return;
        setHeld((h) => ({ node, data: h?.node === node ? h.data : null, error: messageOf(e) }));
      }
      timer = window.setTimeout(tick, intervalMs);
    };
    void tick();
    return () => {
      ctrl.abort();
      window.clearTimeout(timer);
    };
  }, [node, load, intervalMs, round]);

  const reload = useCallback(() => setRound((r) => r + 1), []);
  const replace = useCallback(
    (update: (data: T) => T) =>
      setHeld((h) => (h === null || h.data === null ? h : { ...h, data: update(h.data) })),
    [],
  );
  const current = node !== undefined && held?.node === node ? held : null;
  return { data: current?.data ?? null, error: current?.error ?? null, reload, replace };
}
