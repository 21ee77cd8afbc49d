"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useMemo } from "react";
import type { FleetStatusDto } from "@/server/contract/fleet";
import { fleetOn } from "./fleetApi";
import { NODE_PARAM, type NodeChoice, parseNodeChoice, SELF, searchWithChoice } from "./nodeChoice";
import { useFleet } from "./useFleet";

export interface NodeChoiceView {
  /** The fleet's status when it is on; null while off or not read yet. */
  fleet: FleetStatusDto | null;
  /** This node's name; null when the fleet is off or not read yet. */
  self: string | null;
  /** What the URL chose; always "self" while the fleet is off (a stale `?node=` changes nothing). */
  choice: NodeChoice;
  /** Writes the choice into the URL (the other parameters kept). */
  setChoice: (choice: NodeChoice) => void;
}

/**
 * The console's node choice (`?node=`) with the fleet it applies to. Read through Next's
 * search params, as the Live page's filter is, so server and client render the same.
 */
export function useNodeChoice(): NodeChoiceView {
  const { status } = useFleet();
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  const fleet = fleetOn(status) ? status : null;
  const self = fleet?.node ?? null;
  const raw = params.get(NODE_PARAM);
  const on = fleet !== null;
  // Stable across polls (a new status object every 5 s), so effects keyed on it run on real changes.
  const choice = useMemo(() => (on ? parseNodeChoice(raw, self) : SELF), [on, raw, self]);
  const setChoice = useCallback(
    (next: NodeChoice) => {
      // From window.location: the Live page rewrites its own parameters with replaceState.
      router.replace(`${pathname}${searchWithChoice(window.location.search, next)}`, { scroll: false });
    },
    [router, pathname],
  );
  return { fleet, self, choice, setChoice };
}
