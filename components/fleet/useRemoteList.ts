"use client";

import { useCallback } from "react";
import { type Polled, usePolling } from "@/components/usePolling";

export interface RemoteList<T> extends Omit<Polled<T>, "replace"> {
  /** Puts what the node answered an action with in place until the next read (nothing read yet: nothing). */
  replace: (update: (data: T) => T) => void;
}

/**
 * Another node's list (handlers, rules, held requests) while the console is on it
 * (`?node=c`): polled through this node's GET route with the node named, because the live
 * socket carries this node's lists only. Polls nothing while `node` is undefined, and a
 * switch to another node never shows the previous node's list. `load` must be stable
 * (module-level).
 */
export function useRemoteList<T>(
  node: string | undefined,
  load: (node: string, signal: AbortSignal) => Promise<T>,
  intervalMs: number,
): RemoteList<T> {
  const bound = useCallback((signal: AbortSignal) => load(node ?? "", signal), [load, node]);
  const polled = usePolling(bound, intervalMs, node ?? null);
  const { replace: replaceAny } = polled;
  const replace = useCallback(
    (update: (data: T) => T) => replaceAny((data) => (data === null ? null : update(data))),
    [replaceAny],
  );
  return { ...polled, replace };
}
