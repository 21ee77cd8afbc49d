import { describe, expect, it } from "vitest";
import type { LiveAction } from "./actions";
import { events, exchangeEvents, handler, reduceAll, snapshot, snapshotAction } from "./fixtures";
import { type HandlersState, handlersReducer, INITIAL_HANDLERS } from "./handlers";

const run = (state: HandlersState, ...actions: LiveAction[]) => reduceAll(handlersReducer, state, ...actions);
const ids = (s: HandlersState) => s.list.map((h) => h.id);

describe("handlers slice", () => {
  it("starts with nothing, from nowhere", () => {
    expect(INITIAL_HANDLERS).toEqual({ list: [], source: "none" });
  });

  it("takes the snapshot's list, from the socket", () => {
    const s = run(INITIAL_HANDLERS, snapshotAction(snapshot([])));
    expect(ids(s)).toEqual(["a"]);
    expect(s.source).toBe("live");
  });

  it("applies handler events: changed ones in place, new ones at the end", () => {
    const before = run(INITIAL_HANDLERS, snapshotAction(snapshot([])));
    const s = run(
      before,
      events([
        { type: "handler", handler: handler("a", false) },
        { type: "handler", handler: handler("b") },
      ]),
    );
    expect(s.list.map((h) => [h.id, h.enabled])).toEqual([
      ["a", false],
      ["b", true],
    ]);
    expect(before.list[0]?.enabled).toBe(true); // published lists are never changed in place
    expect(s.source).toBe("live");
  });

  it("takes the REST list only while the socket has not delivered one live", () => {
    let s = run(INITIAL_HANDLERS, { type: "handlers/rest", handlers: [handler("rest")], socketLive: false });
    expect(s.source).toBe("rest");
    expect(ids(s)).toEqual(["rest"]);
    // Connecting (not live yet): REST still counts; the snapshot then replaces it.
    s = run(s, { type: "handlers/rest", handlers: [handler("early")], socketLive: true });
    expect(ids(s)).toEqual(["early"]);
    s = run(s, snapshotAction(snapshot([])));
    // Live and delivered: a late REST answer is older than what the socket said.
    const live = s;
    s = run(s, { type: "handlers/rest", handlers: [handler("stale")], socketLive: true });
    expect(s).toBe(live);
    expect(ids(s)).toEqual(["a"]);
    // The socket dropped: REST is the source again.
    s = run(s, { type: "handlers/rest", handlers: [handler("offline")], socketLive: false });
    expect(ids(s)).toEqual(["offline"]);
    expect(s.source).toBe("rest");
  });

  it("applies a handler as the PATCH answered it, keeping the source", () => {
    const before = run(INITIAL_HANDLERS, {
      type: "handlers/rest",
      handlers: [handler("a")],
      socketLive: false,
    });
    const s = run(before, { type: "handlers/upsert", handler: handler("a", false) });
    expect(s.list.map((h) => [h.id, h.enabled])).toEqual([["a", false]]);
    expect(s.source).toBe("rest");
    expect(before.list[0]?.enabled).toBe(true);
  });

  it("returns the same state for what is not its", () => {
    const s = run(INITIAL_HANDLERS, snapshotAction(snapshot([])));
    const unrelated: LiveAction[] = [
      events(exchangeEvents([1])),
      events([{ type: "buses", buses: [] }]),
      { type: "connection", status: "disconnected", error: null },
      { type: "rules/remove", id: 1 },
    ];
    for (const action of unrelated) expect(handlersReducer(s, action)).toBe(s);
  });
});
