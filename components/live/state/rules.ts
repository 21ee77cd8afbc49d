/**
 * The response rules, in order (position ascending): the snapshot and each `rules`
 * event carry the whole list; GET /api/rules stands in while the socket is not live;
 * what POST/PATCH/DELETE answered keeps the page right until the event comes (or
 * when offline, where none comes).
 */
import type { RuleDto } from "../../../server/contract/control";
import { type ListSource, type LiveAction, takesRestList } from "./actions";

export interface RulesState {
  list: readonly RuleDto[];
  source: ListSource;
}

export type RulesAction =
  /** GET /api/rules answered; `socketLive`: the connection was live when it landed. */
  | { type: "rules/rest"; rules: readonly RuleDto[]; socketLive: boolean }
  /** A rule as POST/PATCH answered it; a changed position moves it. */
  | { type: "rules/upsert"; rule: RuleDto }
  /** A rule the server deleted (204). */
  | { type: "rules/remove"; id: number };

export const INITIAL_RULES: RulesState = { list: [], source: "none" };

const byPosition = (a: RuleDto, b: RuleDto) => a.position - b.position || a.id - b.id;

/** The rule list in order: by position, then id. */
export function sortRules(rules: readonly RuleDto[]): RuleDto[] {
  return [...rules].sort(byPosition);
}

/**
 * The list after moving rule `id` to index `position` (clamped), positions renumbered:
 * what the server answers a PATCH { position } with, for when no `rules` event follows.
 */
export function moveRule(rules: readonly RuleDto[], id: number, position: number): RuleDto[] {
  const ordered = sortRules(rules);
  const from = ordered.findIndex((r) => r.id === id);
  if (from === -1) return ordered;
  const [rule] = ordered.splice(from, 1);
  const to = Math.max(0, Math.min(position, ordered.length));
  ordered.splice(to, 0, rule!);
  return ordered.map((r, i) => (r.position === i ? r : { ...r, position: i }));
}

function upsert(rules: readonly RuleDto[], rule: RuleDto): RuleDto[] {
  const old = rules.find((r) => r.id === rule.id);
  if (old === undefined) return sortRules([...rules, rule]);
  if (old.position !== rule.position) {
    // Put it where it was, then move it as the server did.
    const inPlace = rules.map((r) => (r.id === rule.id ? { ...rule, position: old.position } : r));
    return moveRule(inPlace, rule.id, rule.position);
  }
  return sortRules(rules.map((r) => (r.id === rule.id ? rule : r)));
}

function remove(rules: readonly RuleDto[], id: number): RuleDto[] {
  return rules.filter((r) => r.id !== id).map((r, i) => (r.position === i ? r : { ...r, position: i }));
}

export function rulesReducer(state: RulesState, action: LiveAction): RulesState {
  switch (action.type) {
    case "snapshot":
      return { list: sortRules(action.snapshot.rules), source: "live" };
    case "events": {
      // Each `rules` event is the whole list: the last one in the batch wins.
      const last = action.events.findLast((e) => e.type === "rules");
      return last === undefined ? state : { list: sortRules(last.rules), source: "live" };
    }
    case "rules/rest":
      return takesRestList(state.source, action.socketLive)
        ? { list: sortRules(action.rules), source: "rest" }
        : state;
    case "rules/upsert":
      return { ...state, list: upsert(state.list, action.rule) };
    case "rules/remove":
      return state.list.some((r) => r.id === action.id)
        ? { ...state, list: remove(state.list, action.id) }
        : state;
    default:
      return state;
  }
}
