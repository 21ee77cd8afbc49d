/**
 * The receivedAt range a filter cannot match outside of: its `time` comparisons that must
 * hold for the whole expression (reached from the root through `and` only). The history
 * and the export turn this range into an id range through the receivedAt index once
 * (idRangeOf in history.ts), so a time window deep in a large log is found by two index
 * lookups instead of a walk of the primary key from the newest row down to the window.
 * The bounds may be wider than the filter (`>` is taken as `>=`): the filter itself still
 * applies to every row in the range.
 */
import type { FilterAst } from "./parser";

export interface TimeBounds {
  /** Inclusive lower bound on receivedAt (ms since the epoch). */
  from?: number;
  /** Inclusive upper bound. */
  to?: number;
}

export function timeBounds(ast: FilterAst): TimeBounds {
  const bounds: TimeBounds = {};
  const lower = (v: number) => {
    bounds.from = bounds.from === undefined ? v : Math.max(bounds.from, v);
  };
  const upper = (v: number) => {
    bounds.to = bounds.to === undefined ? v : Math.min(bounds.to, v);
  };
  const walk = (node: FilterAst) => {
    if (node.kind === "and") {
      walk(node.left);
      walk(node.right);
      return;
    }
    if (node.kind !== "compare" || node.field !== "time" || node.value.kind !== "number") return;
    const v = node.value.value;
    switch (node.op) {
      case "==":
        lower(v);
        upper(v);
        break;
      case ">":
      case ">=":
        lower(v);
        break;
      case "<":
      case "<=":
        upper(v);
        break;
    }
  };
  walk(ast);
  return bounds;
}
