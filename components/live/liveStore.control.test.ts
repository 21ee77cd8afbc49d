import { describe, expect, it } from "vitest";
import type { AuditEntryDto, HeldRequestDto, RuleDto } from "../../server/contract/control";
import type { Snapshot } from "../../server/contract/events";
import { AUDIT_CAPACITY, LiveStore, moveRule, sortRules } from "./liveStore";

function rule(id: number, position: number, overrides: Partial<RuleDto> = {}): RuleDto {
  return {
    id,
    position,
    name: `rule ${id}`,
    enabled: true,
    match: { busId: null, netFn: 6, cmd: 1, dataPrefix: null, dataMask: null },
    action: { type: "hold" },
    hits: 0,
    ...overrides,
  };
}

function held(id: number, overrides: Partial<HeldRequestDto> = {}): HeldRequestDto {
  return {
    id,
    busId: "bt0",
    seq: 3,
    netFn: 6,
    lun: 0,
    cmd: 1,
    request: "",
    ruleId: 1,
    heldAt: 10_000,
    deadline: 15_000,
    onExpiry: "handler",
    suggested: { cc: 0, data: "20 01", handlerId: "app.get-device-id" },
    suggestedNote: null,
    ...overrides,
  };
}

function audit(id: number): AuditEntryDto {
  return {
    id,
    at: 1_700_000_000_000 + id,
    actor: "admin",
    action: "rule.create",
    target: String(id),
    detail: null,
  };
}

function snapshot(overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    exchanges: [],
    handlers: [],
    buses: [],
    rules: [],
    held: [],
    operator: { id: 1, username: "admin", role: "operator" },
    skipped: 0,
    serverStartedAt: 1000,
    ...overrides,
  };
}

const ids = (list: readonly { id: number }[]) => list.map((x) => x.id);

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

describe("LiveStore: operator control", () => {
  it("takes rules, held requests and the operator from the snapshot", () => {
    const store = new LiveStore();
    store.applySnapshot(
      snapshot({
        rules: [rule(2, 1), rule(1, 0)],
        held: [held(7)],
        operator: { id: 4, username: "vic", role: "viewer" },
      }),
    );
    const s = store.getState();
    expect(ids(s.rules)).toEqual([1, 2]);
    expect(s.rulesSource).toBe("live");
    expect(ids(s.held)).toEqual([7]);
    expect(s.heldSource).toBe("live");
    expect(s.operator).toEqual({ id: 4, username: "vic", role: "viewer" });
  });

  it("replaces the rule list with each rules event", () => {
    const store = new LiveStore();
    store.applySnapshot(snapshot({ rules: [rule(1, 0)] }));
    store.applyEvents([{ type: "rules", rules: [rule(2, 0), rule(1, 1, { hits: 5 })] }]);
    const s = store.getState();
    expect(ids(s.rules)).toEqual([2, 1]);
    expect(s.rules[1]!.hits).toBe(5);
  });

  it("queues held requests once each and measures the clock offset from fresh ones", () => {
    let now = 10_250;
    const store = new LiveStore({ now: () => now });
    store.applySnapshot(snapshot());
    store.applyEvents([
      { type: "held", held: held(7) },
      { type: "held", held: held(7) },
    ]);
    expect(ids(store.getState().held)).toEqual([7]);
    expect(store.getState().clockOffsetMs).toBe(250);
    now = 20_000;
    store.applyEvents([{ type: "held", held: held(8, { heldAt: 20_100 }) }]);
    expect(ids(store.getState().held)).toEqual([7, 8]);
    expect(store.getState().clockOffsetMs).toBe(-100);
  });

  it("removes a resolved request and keeps a note of who did what", () => {
    const store = new LiveStore({ now: () => 50_000 });
    store.applySnapshot(snapshot({ held: [held(7), held(8)] }));
    store.applyEvents([{ type: "hold-resolved", id: 7, resolution: "answered", by: "bob" }]);
    const s = store.getState();
    expect(ids(s.held)).toEqual([8]);
    expect(s.holdResolutions).toEqual([
      { id: 7, held: held(7), resolution: "answered", by: "bob", message: null, at: 50_000 },
    ]);
    // A late `held` event for a request already resolved does not bring it back.
    store.applyEvents([{ type: "held", held: held(7) }]);
    expect(ids(store.getState().held)).toEqual([8]);
  });

  it("ignores a hold-resolved for a request it never had", () => {
    const store = new LiveStore();
    store.applySnapshot(snapshot({ held: [held(7)] }));
    store.applyEvents([{ type: "hold-resolved", id: 99, resolution: "expired", by: null }]);
    expect(ids(store.getState().held)).toEqual([7]);
    expect(store.getState().holdResolutions).toEqual([]);
  });

  it("dismisses a request this tab answered without a note, also when the event follows", () => {
    const store = new LiveStore();
    store.applySnapshot(snapshot({ held: [held(7)] }));
    store.dismissHeld(7);
    expect(store.getState().held).toEqual([]);
    store.applyEvents([{ type: "hold-resolved", id: 7, resolution: "answered", by: "admin" }]);
    expect(store.getState().holdResolutions).toEqual([]);
  });

  it("drops the note when our own answer's response comes after its event", () => {
    const store = new LiveStore();
    store.applySnapshot(snapshot({ held: [held(7)] }));
    store.applyEvents([{ type: "hold-resolved", id: 7, resolution: "answered", by: "admin" }]);
    expect(store.getState().holdResolutions).toHaveLength(1);
    store.dismissHeld(7);
    expect(store.getState().holdResolutions).toEqual([]);
  });

  it("keeps a conflict note (409) on the card, with who was first when the event said", () => {
    const store = new LiveStore({ now: () => 1 });
    store.applySnapshot(snapshot({ held: [held(7), held(8)] }));
    store.dismissHeld(7, { message: "held request 7 was already answered" });
    let s = store.getState();
    expect(ids(s.held)).toEqual([8]);
    expect(s.holdResolutions[0]).toMatchObject({
      id: 7,
      resolution: "conflict",
      by: null,
      message: "held request 7 was already answered",
    });

    store.applyEvents([{ type: "hold-resolved", id: 8, resolution: "passed", by: "bob" }]);
    store.dismissHeld(8, { message: "already answered" });
    s = store.getState();
    expect(s.holdResolutions.find((n) => n.id === 8)).toMatchObject({ resolution: "conflict", by: "bob" });
  });

  it("takes the REST lists only while the socket has not delivered them", () => {
    const store = new LiveStore();
    store.setRulesFromRest([rule(5, 0)]);
    store.setHeldFromRest([held(5)]);
    expect(store.getState().rulesSource).toBe("rest");
    expect(store.getState().heldSource).toBe("rest");
    store.applySnapshot(snapshot({ rules: [rule(1, 0)], held: [] }));
    store.setRulesFromRest([rule(6, 0)]);
    store.setHeldFromRest([held(6)]);
    expect(ids(store.getState().rules)).toEqual([1]);
    expect(store.getState().held).toEqual([]);
    store.setConnection("disconnected");
    store.setRulesFromRest([rule(6, 0)]);
    expect(ids(store.getState().rules)).toEqual([6]);
  });

  it("applies a rule as the API answered it: new, changed, moved, deleted", () => {
    const store = new LiveStore();
    store.applySnapshot(snapshot({ rules: [rule(1, 0), rule(2, 1)] }));
    store.upsertRule(rule(3, 2));
    expect(ids(store.getState().rules)).toEqual([1, 2, 3]);
    store.upsertRule(rule(2, 1, { enabled: false }));
    expect(store.getState().rules[1]!.enabled).toBe(false);
    store.upsertRule(rule(3, 0));
    expect(ids(store.getState().rules)).toEqual([3, 1, 2]);
    expect(store.getState().rules.map((r) => r.position)).toEqual([0, 1, 2]);
    store.removeRule(1);
    expect(ids(store.getState().rules)).toEqual([3, 2]);
    expect(store.getState().rules.map((r) => r.position)).toEqual([0, 1]);
  });

  it("prepends audit entries, once each, newest first, capped", () => {
    const store = new LiveStore();
    store.applySnapshot(snapshot());
    store.applyEvents([
      { type: "audit", entry: audit(1) },
      { type: "audit", entry: audit(2) },
      { type: "audit", entry: audit(2) },
    ]);
    expect(ids(store.getState().audit)).toEqual([2, 1]);
    store.applyEvents(
      Array.from({ length: AUDIT_CAPACITY + 5 }, (_, i) => ({
        type: "audit" as const,
        entry: audit(10 + i),
      })),
    );
    expect(store.getState().audit).toHaveLength(AUDIT_CAPACITY);
    expect(store.getState().audit[0]!.id).toBe(10 + AUDIT_CAPACITY + 4);
  });

  it("says signed out and forgets the operator", () => {
    const store = new LiveStore();
    store.applySnapshot(snapshot());
    store.setConnection("signed-out", "the server ended the session");
    store.setOperator(null);
    expect(store.getState().connection).toBe("signed-out");
    expect(store.getState().operator).toBeNull();
  });

  it("does not publish a new rules/held list when a batch has only exchanges", () => {
    const store = new LiveStore();
    store.applySnapshot(snapshot({ rules: [rule(1, 0)], held: [held(7)] }));
    const before = store.getState();
    store.applyEvents([{ type: "skipped", count: 1 }]);
    const after = store.getState();
    expect(after.rules).toBe(before.rules);
    expect(after.held).toBe(before.held);
    expect(after.audit).toBe(before.audit);
  });
});
