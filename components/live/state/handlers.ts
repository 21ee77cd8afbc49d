/** The handler list: from the snapshot and `handler` events, or GET /api/handlers while the socket is not live. */
import type { HandlerInfo } from "../../../server/contract/handlers";
import { type ListSource, type LiveAction, takesRestList } from "./actions";

export interface HandlersState {
  list: readonly HandlerInfo[];
  /** Where `list` came from: nothing yet, GET /api/handlers, or the socket. */
  source: ListSource;
}

export type HandlersAction =
  /** GET /api/handlers answered; `socketLive`: the connection was live when it landed. */
  | { type: "handlers/rest"; handlers: readonly HandlerInfo[]; socketLive: boolean }
  /** A handler as a PATCH answered it (the live event may follow, or not when offline). */
  | { type: "handlers/upsert"; handler: HandlerInfo };

export const INITIAL_HANDLERS: HandlersState = { list: [], source: "none" };

/** Copy-on-write: a published list is never changed in place. */
function upsert(list: readonly HandlerInfo[], handler: HandlerInfo): readonly HandlerInfo[] {
  const i = list.findIndex((h) => h.id === handler.id);
  if (i === -1) return [...list, handler];
  const next = list.slice();
  next[i] = handler;
  return next;
}

export function handlersReducer(state: HandlersState, action: LiveAction): HandlersState {
  switch (action.type) {
    case "snapshot":
      return { list: action.snapshot.handlers, source: "live" };
    case "events": {
      let list = state.list;
      for (const event of action.events) {
        if (event.type === "handler") list = upsert(list, event.handler);
      }
      return list === state.list ? state : { ...state, list };
    }
    case "handlers/rest":
      return takesRestList(state.source, action.socketLive)
        ? { list: action.handlers, source: "rest" }
        : state;
    case "handlers/upsert":
      return { ...state, list: upsert(state.list, action.handler) };
    default:
      return state;
  }
}
