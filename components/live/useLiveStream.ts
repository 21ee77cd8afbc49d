/**
 * React access to the tab's live connection. <LiveProvider> (in the console layout)
 * owns the one socket; components read one part of its state with useLiveValue()
 * (a slice, or a field of one: it re-renders only when that part changes) and reach
 * the store's actions with useLiveStore().
 */
import { createContext, useContext, useSyncExternalStore } from "react";
import type { OperatorInfo } from "@/server/contract/control";
import { INITIAL_LIVE_STATE, type LiveState, type LiveStore } from "./state/store";

export const LiveStoreContext = createContext<LiveStore | null>(null);

export function useLiveStore(): LiveStore {
  const store = useContext(LiveStoreContext);
  if (store === null) throw new Error("useLiveStore() needs a <LiveProvider> above it");
  return store;
}

/**
 * One part of the live state. `select` must return something stable (a slice, a field
 * of one, a primitive; not a fresh array or object): the component re-renders when it
 * changes, not on every batch.
 */
export function useLiveValue<T>(select: (state: LiveState) => T): T {
  const store = useLiveStore();
  return useSyncExternalStore(
    store.subscribe,
    () => select(store.getState()),
    () => select(INITIAL_LIVE_STATE),
  );
}

const selectOperator = (s: LiveState) => s.session.operator;
// Unknown (the session not read yet, a few ms after load) counts as not allowed, so a
// viewer never sees controls flash up; Playwright-style clicks wait for them to enable.
const selectCanControl = (s: LiveState) => s.session.operator?.role === "operator";

/** Who this tab is signed in as; null until the session or the snapshot said. */
export function useOperator(): OperatorInfo | null {
  return useLiveValue(selectOperator);
}

/** Whether the signed-in person may change things (viewers watch and export only). */
export function useCanControl(): boolean {
  return useLiveValue(selectCanControl);
}
