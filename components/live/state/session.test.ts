import { describe, expect, it } from "vitest";
import { events, exchangeEvents, snapshot, snapshotAction } from "./fixtures";
import { INITIAL_SESSION, sessionReducer } from "./session";

describe("session slice", () => {
  it("knows nobody until told", () => {
    expect(INITIAL_SESSION.operator).toBeNull();
  });

  it("takes the operator from the session answer and from the snapshot", () => {
    let s = sessionReducer(INITIAL_SESSION, {
      type: "operator",
      operator: { id: 1, username: "admin", role: "operator" },
    });
    expect(s.operator).toEqual({ id: 1, username: "admin", role: "operator" });
    s = sessionReducer(
      s,
      snapshotAction(snapshot([], { operator: { id: 4, username: "vic", role: "viewer" } })),
    );
    expect(s.operator).toEqual({ id: 4, username: "vic", role: "viewer" });
  });

  it("forgets the operator when signed out", () => {
    const s = sessionReducer(INITIAL_SESSION, snapshotAction(snapshot([])));
    expect(sessionReducer(s, { type: "signed-out", reason: "signed out" }).operator).toBeNull();
    expect(sessionReducer(s, { type: "operator", operator: null }).operator).toBeNull();
  });

  it("returns the same state when the operator is the same one", () => {
    const s = sessionReducer(INITIAL_SESSION, snapshotAction(snapshot([])));
    expect(sessionReducer(s, snapshotAction(snapshot([3])))).toBe(s);
    expect(
      sessionReducer(s, { type: "operator", operator: { id: 1, username: "admin", role: "operator" } }),
    ).toBe(s);
    expect(sessionReducer(s, events(exchangeEvents([1])))).toBe(s);
    expect(sessionReducer(s, { type: "connection", status: "disconnected", error: null })).toBe(s);
    expect(sessionReducer(INITIAL_SESSION, { type: "signed-out", reason: "x" })).toBe(INITIAL_SESSION);
  });
});
