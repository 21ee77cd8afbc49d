import { describe, expect, it } from "vitest";
import type { LiveEvent } from "../../../server/contract/events";
import type { LiveAction } from "./actions";
import type { LiveRow } from "./exchanges";
import { audit, exchange, exchangeEvents, handler, held, rule, snapshot } from "./fixtures";
import { INITIAL_LIVE_STATE, initialLiveState, type LiveState, LiveStore, liveReducer } from "./store";

const describeRows = (rows: readonly LiveRow[]) =>
  rows.map((r) => (r.kind === "exchange" ? r.exchange.id : `skip ${r.count}`));
const ids = (list: readonly { id: number | string }[]) => list.map((x) => x.id);

const SLICES = ["connection", "session", "exchanges", "handlers", "buses", "rules", "held", "audit"] as const;
/** The slices `action` gives a new object, from `state`. */
const touched = (state: LiveState, action: LiveAction) => {
  const next = liveReducer(state, action);
  return SLICES.filter((k) => next[k] !== state[k]);
};

describe("LiveStore: the root over the slices", () => {
  it("starts connecting and goes live with the snapshot", () => {
    const store = new LiveStore();
    expect(store.getState()).toBe(INITIAL_LIVE_STATE);
    expect(store.getState().connection.status).toBe("connecting");
    store.applySnapshot(snapshot([1, 2, 3]));
    const s = store.getState();
    expect(s.connection.status).toBe("live");
    expect(describeRows(s.exchanges.rows)).toEqual([1, 2, 3]);
    expect(ids(s.handlers.list)).toEqual(["a"]);
    expect(s.handlers.source).toBe("live");
    expect(s.buses.list).toHaveLength(1);
    expect(s.exchanges.received).toBe(3);
    expect(s.exchanges.lastExchangeId).toBe(3);
    expect(s.session.operator).toEqual({ id: 1, username: "admin", role: "operator" });
  });

  it("takes rules, held requests and the operator from the snapshot", () => {
    const store = new LiveStore();
    store.applySnapshot(
      snapshot([], {
        rules: [rule(2, 1), rule(1, 0)],
        held: [held(7)],
        operator: { id: 4, username: "vic", role: "viewer" },
      }),
    );
    const s = store.getState();
    expect(ids(s.rules.list)).toEqual([1, 2]);
    expect(s.rules.source).toBe("live");
    expect(ids(s.held.list)).toEqual([7]);
    expect(s.held.source).toBe("live");
    expect(s.session.operator).toEqual({ id: 4, username: "vic", role: "viewer" });
  });

  it("applies the snapshot, then each batch in order, every event to its slice", () => {
    const store = new LiveStore({ now: () => 10_250 });
    store.applySnapshot(snapshot([1, 2], { rules: [rule(1, 0)], held: [held(7)] }));
    store.applyEvents([
      ...exchangeEvents([3]),
      { type: "handler", handler: handler("b") },
      { type: "held", held: held(8) },
      { type: "audit", entry: audit(1) },
    ]);
    store.applyEvents([
      { type: "skipped", count: 2 },
      ...exchangeEvents([6]),
      { type: "rules", rules: [rule(1, 1), rule(2, 0)] },
      { type: "hold-resolved", id: 7, resolution: "expired", by: null },
      { type: "buses", buses: [] },
    ]);
    const s = store.getState();
    expect(describeRows(s.exchanges.rows)).toEqual([1, 2, 3, "skip 2", 6]);
    expect(s.exchanges.received).toBe(4);
    expect(s.exchanges.lastExchangeId).toBe(6);
    expect(ids(s.handlers.list)).toEqual(["a", "b"]);
    expect(ids(s.rules.list)).toEqual([2, 1]);
    expect(ids(s.held.list)).toEqual([8]);
    expect(s.held.clockOffsetMs).toBe(250);
    expect(s.held.resolutions).toMatchObject([{ id: 7, resolution: "expired", by: null, at: 10_250 }]);
    expect(ids(s.audit.entries)).toEqual([1]);
    expect(s.buses.list).toEqual([]);
    expect(store.handshake()).toEqual({ resumeFrom: 6 });
  });

  it("resumes from the last exchange seen and marks what the reconnect missed", () => {
    const store = new LiveStore();
    expect(store.handshake()).toEqual({});
    store.applySnapshot(snapshot([1, 2]));
    store.applyEvents([{ type: "exchange", exchange: exchange(3) }]);
    store.setConnection("disconnected", "transport close");
    expect(store.getState().connection).toEqual({ status: "disconnected", error: "transport close" });
    expect(store.handshake()).toEqual({ resumeFrom: 3 });

    store.setConnection("connecting");
    store.applySnapshot(snapshot([3, 9, 10], { skipped: 5 }));
    const s = store.getState();
    expect(describeRows(s.exchanges.rows)).toEqual([1, 2, 3, "skip 5", 9, 10]);
    expect(s.exchanges.received).toBe(5);
    expect(s.connection).toEqual({ status: "live", error: null });
    expect(store.handshake()).toEqual({ resumeFrom: 10 });
  });

  it("on a reconnect to a restarted server starts the ring over, replaces the lists, keeps the audit", () => {
    const store = new LiveStore();
    store.applySnapshot(snapshot([5, 6], { rules: [rule(1, 0)], held: [held(7)] }));
    store.applyEvents([{ type: "audit", entry: audit(1) }]);
    const before = store.getState();
    store.setConnection("disconnected", "transport close");
    store.applySnapshot(snapshot([1], { serverStartedAt: 2000, rules: [], held: [] }));
    const s = store.getState();
    expect(describeRows(s.exchanges.rows)).toEqual([1]);
    expect(s.rules.list).toEqual([]);
    expect(s.held.list).toEqual([]);
    expect(s.audit).toBe(before.audit);
    expect(s.connection.status).toBe("live");
  });

  it("takes the REST lists only while the socket has not delivered them", () => {
    const store = new LiveStore();
    store.setHandlersFromRest([handler("rest")]);
    store.setRulesFromRest([rule(5, 0)]);
    store.setHeldFromRest([held(5)]);
    let s = store.getState();
    expect(s.handlers.source).toBe("rest");
    expect(s.rules.source).toBe("rest");
    expect(s.held.source).toBe("rest");

    store.applySnapshot(snapshot([], { rules: [rule(1, 0)], held: [] }));
    store.setHandlersFromRest([handler("stale")]);
    store.setRulesFromRest([rule(6, 0)]);
    store.setHeldFromRest([held(6)]);
    s = store.getState();
    expect(ids(s.handlers.list)).toEqual(["a"]);
    expect(ids(s.rules.list)).toEqual([1]);
    expect(s.held.list).toEqual([]);

    store.setConnection("disconnected");
    store.setHandlersFromRest([handler("offline")]);
    store.setRulesFromRest([rule(6, 0)]);
    store.setHeldFromRest([held(6)]);
    s = store.getState();
    expect(ids(s.handlers.list)).toEqual(["offline"]);
    expect(ids(s.rules.list)).toEqual([6]);
    expect(ids(s.held.list)).toEqual([6]);
  });

  it("stamps batches and dismissals with its own clock", () => {
    let now = 10_250;
    const store = new LiveStore({ now: () => now });
    store.applySnapshot(snapshot([], { held: [held(7)] }));
    store.applyEvents([{ type: "held", held: held(8) }]);
    expect(store.getState().held.clockOffsetMs).toBe(250);
    now = 20_000;
    store.applyEvents([{ type: "held", held: held(9, { heldAt: 20_100 }) }]);
    expect(store.getState().held.clockOffsetMs).toBe(-100);
    now = 30_000;
    store.dismissHeld(7, { message: "held request 7 was already answered" });
    expect(store.getState().held.resolutions).toMatchObject([
      { id: 7, resolution: "conflict", message: "held request 7 was already answered", at: 30_000 },
    ]);
    store.dismissHeld(8);
    store.applyEvents([{ type: "hold-resolved", id: 8, resolution: "answered", by: "admin" }]);
    expect(ids(store.getState().held.resolutions)).toEqual([7]);
    expect(ids(store.getState().held.list)).toEqual([9]);
  });

  it("applies handlers and rules as the API answered them", () => {
    const store = new LiveStore();
    store.applySnapshot(snapshot([], { rules: [rule(1, 0), rule(2, 1)] }));
    store.upsertHandler(handler("a", false));
    store.upsertRule(rule(3, 0));
    store.removeRule(1);
    const s = store.getState();
    expect(s.handlers.list.map((h) => [h.id, h.enabled])).toEqual([["a", false]]);
    expect(ids(s.rules.list)).toEqual([3, 2]);
    expect(s.rules.list.map((r) => r.position)).toEqual([0, 1]);
  });

  it("says signed out and forgets the operator", () => {
    const store = new LiveStore();
    store.applySnapshot(snapshot([]));
    store.setConnection("signed-out", "the server ended the session");
    store.setOperator(null);
    expect(store.getState().connection.status).toBe("signed-out");
    expect(store.getState().session.operator).toBeNull();

    const other = new LiveStore();
    other.applySnapshot(snapshot([]));
    other.signOut("unauthorized");
    expect(other.getState().connection).toEqual({ status: "signed-out", error: "unauthorized" });
    expect(other.getState().session.operator).toBeNull();
  });

  it("pauses the Live page's rows while the ring goes on", () => {
    const store = new LiveStore({ capacity: 3 });
    store.applySnapshot(snapshot([1, 2]));
    store.pause();
    store.applyEvents(exchangeEvents([3, 4]));
    let s = store.getState().exchanges;
    expect(describeRows(s.paused!.rows)).toEqual([1, 2]);
    expect(describeRows(s.rows)).toEqual([2, 3, 4]);
    store.resume();
    s = store.getState().exchanges;
    expect(s.paused).toBeNull();
  });

  it("coalesces updates into one notification per scheduled flush", () => {
    const queued: (() => void)[] = [];
    const store = new LiveStore({ schedule: (flush) => queued.push(flush) });
    let notified = 0;
    store.subscribe(() => notified++);
    store.applySnapshot(snapshot([1]));
    store.applyEvents([{ type: "exchange", exchange: exchange(2) }]);
    // Applied at once (the handshake sees it), published on the flush.
    expect(store.getState().exchanges.rows).toHaveLength(0);
    expect(store.handshake()).toEqual({ resumeFrom: 2 });
    expect(queued).toHaveLength(1);
    queued[0]!();
    expect(notified).toBe(1);
    expect(describeRows(store.getState().exchanges.rows)).toEqual([1, 2]);

    // The next change schedules the next flush.
    store.applyEvents([{ type: "exchange", exchange: exchange(3) }]);
    expect(queued).toHaveLength(2);
    queued[1]!();
    expect(notified).toBe(2);
  });

  it("neither schedules nor notifies when an action changes nothing", () => {
    const queued: (() => void)[] = [];
    const store = new LiveStore({ schedule: (flush) => queued.push(flush) });
    store.applySnapshot(snapshot([1]));
    queued.shift()!();
    const published = store.getState();
    let notified = 0;
    store.subscribe(() => notified++);
    store.applyEvents([]);
    store.setConnection("live");
    store.removeRule(42);
    store.resume();
    expect(queued).toHaveLength(0);
    expect(notified).toBe(0);
    expect(store.getState()).toBe(published);
  });

  it("does not publish a new rules/held/audit slice when a batch has only exchanges", () => {
    const store = new LiveStore();
    store.applySnapshot(snapshot([], { rules: [rule(1, 0)], held: [held(7)] }));
    const before = store.getState();
    store.applyEvents([{ type: "skipped", count: 1 }]);
    const after = store.getState();
    expect(after.rules).toBe(before.rules);
    expect(after.held).toBe(before.held);
    expect(after.audit).toBe(before.audit);
    expect(after.handlers).toBe(before.handlers);
    expect(after.exchanges).not.toBe(before.exchanges);
  });
});

describe("liveReducer: what each action touches", () => {
  // Live, with a bit of everything, so each action has something to change.
  const setup: LiveAction[] = [
    { type: "snapshot", snapshot: snapshot([1, 2], { rules: [rule(1, 0)], held: [held(7)] }) },
    { type: "events", events: [{ type: "audit", entry: audit(1) }], at: 10_000 },
  ];
  const base = setup.reduce(liveReducer, initialLiveState());
  const batch = (...events: LiveEvent[]): LiveAction => ({ type: "events", events, at: 10_000 });

  const cases: [string, LiveAction, string[]][] = [
    ["exchange", batch(...exchangeEvents([3])), ["exchanges"]],
    ["skipped", batch({ type: "skipped", count: 4 }), ["exchanges"]],
    ["handler", batch({ type: "handler", handler: handler("a", false) }), ["handlers"]],
    ["buses", batch({ type: "buses", buses: [] }), ["buses"]],
    ["rules", batch({ type: "rules", rules: [rule(2, 0)] }), ["rules"]],
    ["held", batch({ type: "held", held: held(8) }), ["held"]],
    ["hold-resolved", batch({ type: "hold-resolved", id: 7, resolution: "passed", by: "bob" }), ["held"]],
    ["audit", batch({ type: "audit", entry: audit(2) }), ["audit"]],
    [
      "a mixed batch",
      batch(...exchangeEvents([3]), { type: "audit", entry: audit(2) }),
      ["exchanges", "audit"],
    ],
    ["an empty batch", batch(), []],
    [
      "snapshot after a reconnect",
      { type: "snapshot", snapshot: snapshot([3], { operator: { id: 2, username: "vic", role: "viewer" } }) },
      ["session", "exchanges", "handlers", "buses", "rules", "held"],
    ],
    ["connection", { type: "connection", status: "disconnected", error: "transport close" }, ["connection"]],
    ["signed-out", { type: "signed-out", reason: "signed out" }, ["connection", "session"]],
    ["operator", { type: "operator", operator: null }, ["session"]],
    ["pause", { type: "exchanges/pause" }, ["exchanges"]],
    ["resume while not paused", { type: "exchanges/resume" }, []],
    ["handlers/rest while live", { type: "handlers/rest", handlers: [], socketLive: true }, []],
    ["handlers/rest offline", { type: "handlers/rest", handlers: [], socketLive: false }, ["handlers"]],
    ["handlers/upsert", { type: "handlers/upsert", handler: handler("c") }, ["handlers"]],
    ["rules/rest offline", { type: "rules/rest", rules: [], socketLive: false }, ["rules"]],
    ["rules/upsert", { type: "rules/upsert", rule: rule(3, 1) }, ["rules"]],
    ["rules/remove", { type: "rules/remove", id: 1 }, ["rules"]],
    ["held/rest offline", { type: "held/rest", held: [], socketLive: false }, ["held"]],
    ["held/dismiss", { type: "held/dismiss", id: 7, conflict: null, at: 10_000 }, ["held"]],
  ];

  it.each(cases)("%s", (_name, action, slices) => {
    expect(touched(base, action)).toEqual(slices);
    if (slices.length === 0) expect(liveReducer(base, action)).toBe(base);
  });

  it("never changes the state it is given", () => {
    const copy = structuredClone(base);
    for (const [, action] of cases) liveReducer(base, action);
    expect(base).toEqual(copy);
  });
});
