/** The buses the server runs, from the snapshot and `buses` events. */
import type { BusInfo } from "../../../server/contract/handlers";
import type { LiveAction } from "./actions";

export interface BusesState {
  list: readonly BusInfo[];
}

export const INITIAL_BUSES: BusesState = { list: [] };

export function busesReducer(state: BusesState, action: LiveAction): BusesState {
  switch (action.type) {
    case "snapshot":
      return { list: action.snapshot.buses };
    case "events": {
      // Each `buses` event is the whole list: the last one in the batch wins.
      const last = action.events.findLast((e) => e.type === "buses");
      return last === undefined ? state : { list: last.buses };
    }
    default:
      return state;
  }
}
