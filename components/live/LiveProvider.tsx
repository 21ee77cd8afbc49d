"use client";

import { type ReactNode, useEffect, useState } from "react";
import { connectLive } from "./connectLive";
import { LiveStore } from "./liveStore";
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

export function LiveProvider({ children }: { children: ReactNode }) {
  const [store] = useState(() => new LiveStore({ schedule: nextFrame }));
  useEffect(() => connectLive(store), [store]);
  return <LiveStoreContext value={store}>{children}</LiveStoreContext>;
}
