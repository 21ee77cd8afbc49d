"use client";

/**
 * The fleet's status (GET /api/fleet) for every component of the tab that wants it (the
 * nav's picker, the Live page, the Nodes page, ...): one poll every FLEET_POLL_MS while
 * anything is subscribed, not one per component.
 */
import { useSyncExternalStore } from "react";
import { messageOf } from "@/components/api";
import type { FleetStatusDto } from "@/server/contract/fleet";
import { fetchFleet } from "./fleetApi";

export const FLEET_POLL_MS = 5000;

export interface FleetView {
  /** The last answer; null until the first. A failed read keeps the previous one. */
  status: FleetStatusDto | null;
  /** Why the last read failed; null after a good one. */
  error: string | null;
}

const NOT_READ: FleetView = { status: null, error: null };

let view: FleetView = NOT_READ;
const listeners = new Set<() => void>();
let stop: (() => void) | null = null;

function publish(next: FleetView): void {
  view = next;
  for (const l of listeners) l();
}

function startPolling(): () => void {
  const ctrl = new AbortController();
  let timer: number | undefined;
  const tick = async () => {
    try {
      const status = await fetchFleet(ctrl.signal);
      if (ctrl.signal.aborted) return;
      publish({ status, error: null });
    } catch (e) {
      if (ctrl.signal.aborted) return;
      publish({ status: view.status, error: messageOf(e) });
    }
    timer = window.setTimeout(tick, FLEET_POLL_MS);
  };
  void tick();
  return () => {
    ctrl.abort();
    window.clearTimeout(timer);
  };
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  stop ??= startPolling();
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && stop !== null) {
      stop();
      stop = null;
    }
  };
}

const current = () => view;
const serverView = () => NOT_READ;

/** The fleet as last read; re-renders when a read brings news. */
export function useFleet(): FleetView {
  return useSyncExternalStore(subscribe, current, serverView);
}
