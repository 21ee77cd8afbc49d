/**
 * The held-request queue: requests waiting for an operator (the snapshot, `held`
 * events, or GET /api/held while the socket is not live), what just left it (a note
 * per request, so its card can say why for a moment), and how far the local clock is
 * from the server's, for the countdowns.
 */
import type { HeldRequestDto, HoldResolution } from "../../../server/contract/control";
import type { LiveEvent } from "../../../server/contract/events";
import { type ListSource, type LiveAction, takesRestList } from "./actions";

/** A held request that just left the queue, kept a moment so its card can say why. */
export interface HeldResolutionNote {
  id: number;
  held: HeldRequestDto;
  /** What happened, or "conflict" when our own action came too late (HTTP 409). */
  resolution: HoldResolution | "conflict";
  by: string | null;
  /** The server's words for a conflict ("already answered ..."). */
  message: string | null;
  /** Local time (ms) it left the queue. */
  at: number;
}

export interface HeldState {
  /** Requests waiting for an operator, oldest first. */
  list: readonly HeldRequestDto[];
  source: ListSource;
  /** Held requests that recently left the queue, newest last (at most RESOLUTION_NOTES). */
  resolutions: readonly HeldResolutionNote[];
  /** Held ids this tab resolved itself: their `hold-resolved` event needs no note. */
  dismissed: ReadonlySet<number>;
  /** Local clock minus server clock (ms), measured from fresh `held` events; 0 until measured. */
  clockOffsetMs: number;
}

export type HeldAction =
  /** GET /api/held answered; `socketLive`: the connection was live when it landed. */
  | { type: "held/rest"; held: readonly HeldRequestDto[]; socketLive: boolean }
  /**
   * This tab acted on held request `id` (at local time `at`). With `conflict` (our action
   * came second: HTTP 409/404) its card stays a moment to say so; after our own success
   * it just goes, and the `hold-resolved` event that follows adds nothing.
   */
  | { type: "held/dismiss"; id: number; conflict: { message: string | null } | null; at: number };

export const RESOLUTION_NOTES = 50;

export const INITIAL_HELD: HeldState = {
  list: [],
  source: "none",
  resolutions: [],
  dismissed: new Set(),
  clockOffsetMs: 0,
};

function addNote(notes: readonly HeldResolutionNote[], note: HeldResolutionNote): HeldResolutionNote[] {
  return [...notes.filter((n) => n.id !== note.id), note].slice(-RESOLUTION_NOTES);
}

function without(set: ReadonlySet<number>, id: number): ReadonlySet<number> {
  if (!set.has(id)) return set;
  const next = new Set(set);
  next.delete(id);
  return next;
}

function reduceEvent(state: HeldState, event: LiveEvent, at: number): HeldState {
  switch (event.type) {
    case "held": {
      const h = event.held;
      // Fresh from the server: how far our clock is from its clock (plus the trip).
      const clockOffsetMs = at - h.heldAt;
      // Once each; and one that already left the queue does not come back.
      const known = state.list.some((x) => x.id === h.id) || state.resolutions.some((n) => n.id === h.id);
      if (known && clockOffsetMs === state.clockOffsetMs) return state;
      return { ...state, clockOffsetMs, list: known ? state.list : [...state.list, h] };
    }
    case "hold-resolved": {
      const gone = state.list.find((x) => x.id === event.id);
      const dismissed = without(state.dismissed, event.id);
      if (gone === undefined) return dismissed === state.dismissed ? state : { ...state, dismissed };
      const list = state.list.filter((x) => x.id !== event.id);
      // This tab resolved it itself (dismissed): nothing to say.
      const resolutions = state.dismissed.has(event.id)
        ? state.resolutions
        : addNote(state.resolutions, {
            id: event.id,
            held: gone,
            resolution: event.resolution,
            by: event.by,
            message: null,
            at,
          });
      return { ...state, list, resolutions, dismissed };
    }
    default:
      return state;
  }
}

function dismiss(state: HeldState, action: Extract<HeldAction, { type: "held/dismiss" }>): HeldState {
  const { id, conflict, at } = action;
  const gone = state.list.find((x) => x.id === id);
  const list = gone === undefined ? state.list : state.list.filter((x) => x.id !== id);
  let { resolutions, dismissed } = state;
  if (conflict !== null) {
    // The event may have come first (with who did it): keep that, say it was a conflict.
    const earlier = resolutions.find((n) => n.id === id);
    const base = gone ?? earlier?.held;
    if (base !== undefined) {
      resolutions = addNote(resolutions, {
        id,
        held: base,
        resolution: "conflict",
        by: earlier?.by ?? null,
        message: conflict.message,
        at,
      });
    }
  } else {
    if (gone !== undefined) dismissed = new Set(dismissed).add(id);
    // Our own answer's response came after its event: drop the note the event made.
    if (resolutions.some((n) => n.id === id)) resolutions = resolutions.filter((n) => n.id !== id);
  }
  if (list === state.list && resolutions === state.resolutions && dismissed === state.dismissed) return state;
  return { ...state, list, resolutions, dismissed };
}

export function heldReducer(state: HeldState, action: LiveAction): HeldState {
  switch (action.type) {
    case "snapshot":
      return { ...state, list: action.snapshot.held, source: "live" };
    case "events": {
      let next = state;
      for (const event of action.events) next = reduceEvent(next, event, action.at);
      return next;
    }
    case "held/rest":
      return takesRestList(state.source, action.socketLive)
        ? { ...state, list: action.held, source: "rest" }
        : state;
    case "held/dismiss":
      return dismiss(state, action);
    default:
      return state;
  }
}
