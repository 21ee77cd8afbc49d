/** Audit entries received live since the page loaded (older ones the Audit page reads by page). */
import type { AuditEntryDto } from "../../../server/contract/control";
import type { LiveAction } from "./actions";

export interface AuditState {
  /** Newest first, at most AUDIT_CAPACITY. */
  entries: readonly AuditEntryDto[];
}

export const AUDIT_CAPACITY = 500;

export const INITIAL_AUDIT: AuditState = { entries: [] };

export function auditReducer(state: AuditState, action: LiveAction): AuditState {
  if (action.type !== "events") return state;
  let entries = state.entries;
  for (const event of action.events) {
    if (event.type === "audit" && !entries.some((a) => a.id === event.entry.id)) {
      entries = [event.entry, ...entries].slice(0, AUDIT_CAPACITY);
    }
  }
  return entries === state.entries ? state : { entries };
}
