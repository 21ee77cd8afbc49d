"use client";

import { type ReactNode, useEffect, useState } from "react";
import { setUnauthorizedHandler } from "@/components/api";
import { goToLogin } from "@/components/auth/navigation";
import { fleetOn } from "@/components/fleet/fleetApi";
import { useFleet } from "@/components/fleet/useFleet";
import { connectLive, SIGNED_OUT_LINGER_MS } from "./connectLive";
import { LiveStore } from "./state/store";
import { LiveStoreContext } from "./useLiveStream";

/** Coalesces store updates to one render per frame (or every 250 ms in a hidden tab, where frames stop). */
function nextFrame(flush: () => void): void {
  if (typeof window === "undefined") {
    flush();
  } else if (document.visibilityState === "visible") {
    window.requestAnimationFrame(() => flush());
  } else {
    window.setTimeout(flush, 250);
  }
}

/** The console's live connection (only under the signed-in pages: /login and /setup open none). */
export function LiveProvider({ children }: { children: ReactNode }) {
  const [store] = useState(() => new LiveStore({ schedule: nextFrame }));
  useEffect(() => connectLive(store), [store]);
  // Which exchanges are this node's: only their ids are resumed from after a reconnect.
  const { status } = useFleet();
  const selfNode = status === null ? undefined : fleetOn(status) ? status.node : null;
  useEffect(() => {
    if (selfNode !== undefined) store.setSelfNode(selfNode);
  }, [selfNode, store]);
  useEffect(() => {
    // Any API call answered 401: the session is gone, in this tab as in the others.
    setUnauthorizedHandler(() => {
      store.signOut("unauthorized");
      goToLogin({ signedOut: true, delayMs: SIGNED_OUT_LINGER_MS });
    });
    return () => setUnauthorizedHandler(null);
  }, [store]);
  return <LiveStoreContext value={store}>{children}</LiveStoreContext>;
}
