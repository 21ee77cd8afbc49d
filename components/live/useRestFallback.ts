"use client";

import { useCallback, useEffect, useState } from "react";
import { messageOf } from "@/components/api";
import type { LiveState, LiveStore } from "./state/store";
import { useLiveStore, useLiveValue } from "./useLiveStream";

const selectConnection = (s: LiveState) => s.connection.status;

interface RestFallback {
  /** Why the last read failed; null once one worked. */
  loadError: string | null;
  /** After this tab changed something: offline no event brings the result, so read the list again. */
  reloadUnlessLive: () => void;
}

/**
 * A list the socket keeps (handlers, rules, held requests), read from the REST API while
 * the socket is not live: on mount, when the connection drops, and every `pollMs` if given.
 * `fill` fetches the list and hands it to the store; it must be stable (module-level).
 */
export function useRestFallback(
  fill: (store: LiveStore, signal?: AbortSignal) => Promise<void>,
  pollMs?: number,
): RestFallback {
  const store = useLiveStore();
  const connection = useLiveValue(selectConnection);
  const [loadError, setLoadError] = useState<string | null>(null);

  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        await fill(store, signal);
        setLoadError(null);
      } catch (e) {
        if (!signal?.aborted) setLoadError(messageOf(e));
      }
    },
    [fill, store],
  );

  useEffect(() => {
    if (connection === "live" || connection === "signed-out") return;
    const ctrl = new AbortController();
    void load(ctrl.signal);
    const timer = pollMs === undefined ? undefined : window.setInterval(() => void load(ctrl.signal), pollMs);
    return () => {
      ctrl.abort();
      window.clearInterval(timer);
    };
  }, [connection, load, pollMs]);

  const reloadUnlessLive = () => {
    if (connection !== "live") void load();
  };
  return { loadError, reloadUnlessLive };
}
