/** Who this tab is signed in as. */
import type { OperatorInfo } from "../../../server/contract/control";
import type { LiveAction } from "./actions";

export interface SessionState {
  /** From GET /api/auth/session or the snapshot; null until known, and once signed out. */
  operator: OperatorInfo | null;
}

export type SessionAction = { type: "operator"; operator: OperatorInfo | null };

export const INITIAL_SESSION: SessionState = { operator: null };

function sameOperator(a: OperatorInfo | null, b: OperatorInfo | null): boolean {
  return (
    a === b || (a !== null && b !== null && a.id === b.id && a.username === b.username && a.role === b.role)
  );
}

function set(state: SessionState, operator: OperatorInfo | null): SessionState {
  return sameOperator(state.operator, operator) ? state : { operator };
}

export function sessionReducer(state: SessionState, action: LiveAction): SessionState {
  switch (action.type) {
    case "operator":
      return set(state, action.operator);
    case "snapshot":
      return set(state, action.snapshot.operator);
    case "signed-out":
      return set(state, null);
    default:
      return state;
  }
}
