import { describe, expect, it } from "vitest";
import type { FleetNodeDto, FleetStatusDto } from "@/server/contract/fleet";
import { ago, lagText, sortedNodes } from "./nodesFormat";

const node = (name: string, state: "up" | "gone", self = false): FleetNodeDto => ({
  name,
  version: "1.0.0",
  address: `http://${name}:3000`,
  buses: [],
  startedAt: 0,
  lastSeen: 0,
  state,
  self,
  shippedId: 0,
});

describe("Nodes page texts", () => {
  it("says how long ago, never negative", () => {
    expect(ago(10_000, 10_500)).toBe("just now");
    expect(ago(10_000, 9_000)).toBe("just now");
    expect(ago(0, 12_000)).toBe("12 s ago");
    expect(ago(0, 240_000)).toBe("4 min ago");
    expect(ago(0, 3 * 3_600_000)).toBe("3 h ago");
  });

  it("says how far shipping is behind", () => {
    expect(lagText(null)).toBe("—");
    expect(lagText({ records: 0, seconds: 0, shippedId: 5, error: null })).toBe("in step");
    expect(lagText({ records: 12, seconds: 3.2, shippedId: 5, error: null })).toBe("12 records, 3 s behind");
    expect(lagText({ records: 1, seconds: 0, shippedId: 5, error: "down" })).toBe("stalled: down");
  });

  it("lists this node first, then up, then gone", () => {
    const status: FleetStatusDto = {
      enabled: true,
      node: "b",
      store: "up",
      lag: null,
      nodes: [node("a", "gone"), node("c", "up"), node("b", "up", true), node("d", "up")],
    };
    expect(sortedNodes(status).map((n) => n.name)).toEqual(["b", "c", "d", "a"]);
  });
});
