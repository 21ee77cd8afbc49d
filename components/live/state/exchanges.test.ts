import { describe, expect, it } from "vitest";
import type { LiveAction } from "./actions";
import {
  type ExchangesState,
  exchangesReducer,
  initialExchanges,
  type LiveRow,
  receivedWhilePaused,
  shownRows,
} from "./exchanges";
import {
  events,
  exchange,
  exchangeEvents,
  handler,
  reduceAll,
  rule,
  snapshot,
  snapshotAction,
} from "./fixtures";

const describeRows = (rows: readonly LiveRow[]) =>
  rows.map((r) => (r.kind === "exchange" ? r.exchange.id : `skip ${r.count}`));

const run = (state: ExchangesState, ...actions: LiveAction[]) =>
  reduceAll(exchangesReducer, state, ...actions);

describe("exchanges slice", () => {
  it("starts empty, with nothing to resume from", () => {
    const s = initialExchanges();
    expect(s.rows).toEqual([]);
    expect(s.lastExchangeId).toBeNull();
    expect(s.received).toBe(0);
    expect(s.skipped).toBe(0);
    expect(s.paused).toBeNull();
  });

  it("takes the snapshot's exchanges, oldest first", () => {
    const s = run(initialExchanges(), snapshotAction(snapshot([1, 2, 3])));
    expect(describeRows(s.rows)).toEqual([1, 2, 3]);
    expect(s.received).toBe(3);
    expect(s.lastExchangeId).toBe(3);
    expect(s.serverStartedAt).toBe(1000);
    expect(s.skipped).toBe(0);
  });

  it("appends live exchanges and keeps only the newest `capacity` rows", () => {
    const s = run(initialExchanges(4), snapshotAction(snapshot([1, 2])), events(exchangeEvents([4, 5, 6])));
    expect(describeRows(s.rows)).toEqual([2, 4, 5, 6]);
    expect(s.received).toBe(5);
    expect(s.ids).toEqual(new Set([":2", ":4", ":5", ":6"]));
  });

  it("puts a marker where the server skipped exchanges, merging adjacent gaps", () => {
    const s = run(
      initialExchanges(),
      snapshotAction(snapshot([1])),
      events([
        { type: "skipped", count: 3 },
        { type: "skipped", count: 2 },
        { type: "exchange", exchange: exchange(7) },
        { type: "skipped", count: 1 },
      ]),
    );
    expect(describeRows(s.rows)).toEqual([1, "skip 5", 7, "skip 1"]);
    expect(s.skipped).toBe(6);
    // Gaps in different batches with nothing between are one gap too.
    const next = run(s, events([{ type: "skipped", count: 4 }]));
    expect(describeRows(next.rows)).toEqual([1, "skip 5", 7, "skip 5"]);
    expect(next.skipped).toBe(10);
  });

  it("gives every row its own key, markers included, also after rows fell off", () => {
    const s = run(
      initialExchanges(3),
      snapshotAction(snapshot([1])),
      events([{ type: "skipped", count: 1 }, ...exchangeEvents([2]), { type: "skipped", count: 1 }]),
      events([...exchangeEvents([3]), { type: "skipped", count: 2 }]),
    );
    expect(describeRows(s.rows)).toEqual(["skip 1", 3, "skip 2"]);
    const keys = s.rows.map((r) => r.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual(["s2", "x:3", "s3"]);
  });

  it("resumes after a reconnect: keeps the ring and marks what the reconnect missed", () => {
    let s = run(initialExchanges(), snapshotAction(snapshot([1, 2])), events(exchangeEvents([3])));
    expect(s.lastExchangeId).toBe(3);
    s = run(s, snapshotAction(snapshot([3, 9, 10], { skipped: 5 })));
    expect(describeRows(s.rows)).toEqual([1, 2, 3, "skip 5", 9, 10]);
    expect(s.received).toBe(5);
    expect(s.skipped).toBe(5);
    expect(s.lastExchangeId).toBe(10);
  });

  it("starts over when the server restarted", () => {
    const s = run(
      initialExchanges(),
      snapshotAction(snapshot([5, 6])),
      snapshotAction(snapshot([1], { serverStartedAt: 2000 })),
    );
    expect(describeRows(s.rows)).toEqual([1]);
    expect(s.ids).toEqual(new Set([":1"]));
    expect(s.serverStartedAt).toBe(2000);
    expect(s.lastExchangeId).toBe(1);
  });

  it("replaces an exchange it already holds instead of duplicating it", () => {
    const s = run(
      initialExchanges(),
      snapshotAction(snapshot([1, 2])),
      events([{ type: "exchange", exchange: exchange(1, { status: "late" }) }]),
    );
    expect(describeRows(s.rows)).toEqual([1, 2]);
    expect(s.rows[0]?.kind === "exchange" && s.rows[0].exchange.status).toBe("late");
    expect(s.received).toBe(2);
    // Stream order: the one sent last is where a reconnect resumes.
    expect(s.lastExchangeId).toBe(1);
  });

  it("pauses: the shown rows stay as they were while the ring goes on", () => {
    let s = run(initialExchanges(), snapshotAction(snapshot([1, 2])));
    const atPause = s.rows;
    s = run(s, { type: "exchanges/pause" }, events(exchangeEvents([3, 4])));
    expect(s.paused).not.toBeNull();
    expect(shownRows(s)).toBe(atPause);
    expect(describeRows(s.rows)).toEqual([1, 2, 3, 4]);
    expect(receivedWhilePaused(s)).toBe(2);
    // Pausing again changes nothing.
    expect(run(s, { type: "exchanges/pause" })).toBe(s);

    s = run(s, { type: "exchanges/resume" });
    expect(s.paused).toBeNull();
    expect(describeRows(shownRows(s))).toEqual([1, 2, 3, 4]);
    expect(receivedWhilePaused(s)).toBe(0);
    expect(run(s, { type: "exchanges/resume" })).toBe(s);
  });

  it("returns the same state for what is not its", () => {
    const s = run(initialExchanges(), snapshotAction(snapshot([1])));
    const unrelated: LiveAction[] = [
      events([
        { type: "handler", handler: handler("b") },
        { type: "rules", rules: [rule(1, 0)] },
      ]),
      events([]),
      { type: "connection", status: "disconnected", error: null },
      { type: "signed-out", reason: "signed out" },
      { type: "rules/remove", id: 1 },
      // A reconnect to the same server with nothing new.
      snapshotAction(snapshot([])),
    ];
    for (const action of unrelated) expect(exchangesReducer(s, action)).toBe(s);
  });

  it("never changes the state it is given (published rows are never changed in place)", () => {
    const before = run(initialExchanges(3), snapshotAction(snapshot([1, 2, 3])));
    const copy = structuredClone(before);
    const rows = before.rows;
    run(
      before,
      events([...exchangeEvents([2, 4]), { type: "skipped", count: 1 }]),
      snapshotAction(snapshot([9], { serverStartedAt: 2000 })),
    );
    expect(before).toEqual(copy);
    expect(before.rows).toBe(rows);
  });
});
