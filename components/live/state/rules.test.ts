import { describe, expect, it } from "vitest";
import type { LiveAction } from "./actions";
import { events, exchangeEvents, reduceAll, rule, snapshot, snapshotAction } from "./fixtures";
import { INITIAL_RULES, moveRule, type RulesState, rulesReducer, sortRules } from "./rules";

const ids = (list: readonly { id: number }[]) => list.map((x) => x.id);
const run = (state: RulesState, ...actions: LiveAction[]) => reduceAll(rulesReducer, state, ...actions);

describe("rule ordering helpers", () => {
  it("sorts by position, then id", () => {
    expect(ids(sortRules([rule(3, 1), rule(1, 2), rule(2, 1)]))).toEqual([2, 3, 1]);
  });

  it("moves a rule to an index and renumbers positions", () => {
    const rules = [rule(1, 0), rule(2, 1), rule(3, 2)];
    const moved = moveRule(rules, 3, 0);
    expect(ids(moved)).toEqual([3, 1, 2]);
    expect(moved.map((r) => r.position)).toEqual([0, 1, 2]);
    expect(ids(moveRule(rules, 1, 99))).toEqual([2, 3, 1]);
    expect(ids(moveRule(rules, 42, 0))).toEqual([1, 2, 3]);
    expect(rules[0]!.position).toBe(0); // the input is not changed in place
  });
});

describe("rules slice", () => {
  it("starts with nothing, from nowhere", () => {
    expect(INITIAL_RULES).toEqual({ list: [], source: "none" });
  });

  it("takes the snapshot's rules, in order", () => {
    const s = run(INITIAL_RULES, snapshotAction(snapshot([], { rules: [rule(2, 1), rule(1, 0)] })));
    expect(ids(s.list)).toEqual([1, 2]);
    expect(s.source).toBe("live");
  });

  it("replaces the rule list with each rules event", () => {
    const s = run(
      INITIAL_RULES,
      snapshotAction(snapshot([], { rules: [rule(1, 0)] })),
      events([{ type: "rules", rules: [rule(2, 0), rule(1, 1, { hits: 5 })] }]),
    );
    expect(ids(s.list)).toEqual([2, 1]);
    expect(s.list[1]!.hits).toBe(5);
    expect(s.source).toBe("live");
  });

  it("takes the REST list only while the socket has not delivered one live", () => {
    let s = run(INITIAL_RULES, { type: "rules/rest", rules: [rule(5, 1), rule(4, 0)], socketLive: false });
    expect(s.source).toBe("rest");
    expect(ids(s.list)).toEqual([4, 5]);
    s = run(s, snapshotAction(snapshot([], { rules: [rule(1, 0)] })));
    const live = s;
    s = run(s, { type: "rules/rest", rules: [rule(6, 0)], socketLive: true });
    expect(s).toBe(live);
    expect(ids(s.list)).toEqual([1]);
    s = run(s, { type: "rules/rest", rules: [rule(6, 0)], socketLive: false });
    expect(ids(s.list)).toEqual([6]);
    expect(s.source).toBe("rest");
  });

  it("applies a rule as the API answered it: new, changed, moved, deleted", () => {
    let s = run(INITIAL_RULES, snapshotAction(snapshot([], { rules: [rule(1, 0), rule(2, 1)] })));
    s = run(s, { type: "rules/upsert", rule: rule(3, 2) });
    expect(ids(s.list)).toEqual([1, 2, 3]);
    s = run(s, { type: "rules/upsert", rule: rule(2, 1, { enabled: false }) });
    expect(s.list[1]!.enabled).toBe(false);
    s = run(s, { type: "rules/upsert", rule: rule(3, 0) });
    expect(ids(s.list)).toEqual([3, 1, 2]);
    expect(s.list.map((r) => r.position)).toEqual([0, 1, 2]);
    s = run(s, { type: "rules/remove", id: 1 });
    expect(ids(s.list)).toEqual([3, 2]);
    expect(s.list.map((r) => r.position)).toEqual([0, 1]);
    expect(s.source).toBe("live");
    // Deleting one it does not have changes nothing.
    expect(run(s, { type: "rules/remove", id: 42 })).toBe(s);
  });

  it("returns the same state for what is not its", () => {
    const s = run(INITIAL_RULES, snapshotAction(snapshot([], { rules: [rule(1, 0)] })));
    const unrelated: LiveAction[] = [
      events(exchangeEvents([1])),
      events([{ type: "skipped", count: 1 }]),
      { type: "connection", status: "disconnected", error: null },
      { type: "held/dismiss", id: 1, conflict: null, at: 0 },
    ];
    for (const action of unrelated) expect(rulesReducer(s, action)).toBe(s);
  });
});
