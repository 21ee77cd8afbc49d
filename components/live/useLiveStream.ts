/**
 * React access to the tab's live connection. <LiveProvider> (in the root layout)
 * owns the one socket; components read its state with useLiveStream() and reach the
 * store's actions with useLiveStore().
 */
import { createContext, useContext, useSyncExternalStore } from "react";
import { INITIAL_LIVE_STATE, type LiveState, type LiveStore } from "./liveStore";

export const LiveStoreContext = createContext<LiveStore | null>(null);

export function useLiveStore(): LiveStore {
  const store = useContext(LiveStoreContext);
  if (store === null) throw new Error("useLiveStore() needs a <LiveProvider> above it");
  return store;
}

const getServerState = (): LiveState => INITIAL_LIVE_STATE;

/** The live state: connection, rows (exchanges and skipped markers), handlers, buses, counters. */
export function useLiveStream(): LiveState {
  const store = useLiveStore();
  return useSyncExternalStore(store.subscribe, store.getState, getServerState);
}
