/** The tab's live connection: how it stands and why the last attempt failed. */
import type { LiveAction } from "./actions";

/** "signed-out": the server refused or ended the session; the socket stays closed. */
export type ConnectionStatus = "connecting" | "live" | "disconnected" | "signed-out";

export interface ConnectionState {
  status: ConnectionStatus;
  /** Why the last connection attempt failed, for the indicator's tooltip. */
  error: string | null;
}

export type ConnectionAction =
  | { type: "connection"; status: ConnectionStatus; error: string | null }
  /** The session is gone (sign-out, expiry, a 401): the stream stops and the operator is forgotten. */
  | { type: "signed-out"; reason: string };

export const INITIAL_CONNECTION: ConnectionState = { status: "connecting", error: null };

function set(state: ConnectionState, status: ConnectionStatus, error: string | null): ConnectionState {
  return state.status === status && state.error === error ? state : { status, error };
}

export function connectionReducer(state: ConnectionState, action: LiveAction): ConnectionState {
  switch (action.type) {
    case "connection":
      return set(state, action.status, action.error);
    case "signed-out":
      return set(state, "signed-out", action.reason);
    case "snapshot":
      // Connected, but live only once the snapshot is applied.
      return set(state, "live", null);
    default:
      return state;
  }
}
