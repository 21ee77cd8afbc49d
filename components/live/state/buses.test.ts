import { describe, expect, it } from "vitest";
import type { BusInfo } from "../../../server/contract/handlers";
import { busesReducer, INITIAL_BUSES } from "./buses";
import { events, exchangeEvents, handler, snapshot, snapshotAction } from "./fixtures";

const bus = (id: string): BusInfo => ({
  id,
  kind: "bt",
  transport: "sim",
  address: null,
  state: "up",
  description: "simulated host",
  queued: 0,
});

describe("buses slice", () => {
  it("takes the snapshot's buses", () => {
    const s = busesReducer(INITIAL_BUSES, snapshotAction(snapshot([])));
    expect(s.list).toHaveLength(1);
    expect(s.list[0]?.id).toBe("bt0");
  });

  it("replaces the list with each buses event, the last of a batch winning", () => {
    const before = busesReducer(INITIAL_BUSES, snapshotAction(snapshot([])));
    expect(busesReducer(before, events([{ type: "buses", buses: [] }])).list).toEqual([]);
    const s = busesReducer(
      before,
      events([
        { type: "buses", buses: [bus("one")] },
        ...exchangeEvents([1]),
        { type: "buses", buses: [bus("bt0"), bus("bt1")] },
      ]),
    );
    expect(s.list.map((b) => b.id)).toEqual(["bt0", "bt1"]);
  });

  it("returns the same state for what is not its", () => {
    const s = busesReducer(INITIAL_BUSES, snapshotAction(snapshot([])));
    expect(
      busesReducer(s, events([...exchangeEvents([1]), { type: "handler", handler: handler("a") }])),
    ).toBe(s);
    expect(busesReducer(s, { type: "connection", status: "disconnected", error: null })).toBe(s);
  });
});
