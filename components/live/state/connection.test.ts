import { describe, expect, it } from "vitest";
import { connectionReducer, INITIAL_CONNECTION } from "./connection";
import { events, exchangeEvents, snapshot, snapshotAction } from "./fixtures";

describe("connection slice", () => {
  it("starts connecting and goes live with the snapshot", () => {
    expect(INITIAL_CONNECTION).toEqual({ status: "connecting", error: null });
    const s = connectionReducer(INITIAL_CONNECTION, snapshotAction(snapshot([])));
    expect(s).toEqual({ status: "live", error: null });
  });

  it("says why it dropped, and clears that once live again", () => {
    let s = connectionReducer(INITIAL_CONNECTION, snapshotAction(snapshot([])));
    s = connectionReducer(s, { type: "connection", status: "disconnected", error: "transport close" });
    expect(s).toEqual({ status: "disconnected", error: "transport close" });
    s = connectionReducer(s, { type: "connection", status: "connecting", error: null });
    expect(s).toEqual({ status: "connecting", error: null });
    s = connectionReducer(s, snapshotAction(snapshot([])));
    expect(s).toEqual({ status: "live", error: null });
  });

  it("says signed out, with why", () => {
    const s = connectionReducer(INITIAL_CONNECTION, {
      type: "signed-out",
      reason: "the server ended the session",
    });
    expect(s).toEqual({ status: "signed-out", error: "the server ended the session" });
  });

  it("returns the same state when nothing changes", () => {
    const live = connectionReducer(INITIAL_CONNECTION, snapshotAction(snapshot([])));
    expect(connectionReducer(live, snapshotAction(snapshot([])))).toBe(live);
    expect(connectionReducer(live, { type: "connection", status: "live", error: null })).toBe(live);
    expect(connectionReducer(live, events(exchangeEvents([1])))).toBe(live);
    expect(connectionReducer(live, { type: "operator", operator: null })).toBe(live);
  });
});
