import { describe, expect, it } from "vitest";
import type { FleetNodeDto, FleetStatusDto } from "@/server/contract/fleet";
import { ago, lagText, retentionText, sortedNodes } from "./nodesFormat";

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

describe("the store's retention line", () => {
  const r = { days: 30, pruned: 1500, lastPruneAt: 1_000_000, lastPruned: 1200, error: null };
  it("says how long the store keeps rows and what this node last pruned", () => {
    expect(retentionText(r, 1_000_000 + 300_000)).toBe(
      "keeps 30 days; this node pruned 1200 rows 5 min ago (1500 since start)",
    );
    expect(retentionText({ ...r, days: 1, lastPruned: 1 }, 1_000_500)).toBe(
      "keeps 1 day; this node pruned 1 row just now (1500 since start)",
    );
  });
  it("says when nothing is pruned, nothing has run here, a pass failed, or the server is too old", () => {
    expect(retentionText({ ...r, pruned: 0, lastPruned: 0 }, 1_000_000 + 18_000)).toBe(
      "keeps 30 days; nothing older to prune when this node last looked, 18 s ago (0 rows pruned since start)",
    );
    expect(retentionText({ ...r, days: null, lastPruneAt: null }, 0)).toBe(
      "keeps everything; not pruned from this node yet",
    );
    expect(retentionText({ ...r, error: "canceling statement due to statement timeout" }, 0)).toBe(
      "keeps 30 days; last prune failed: canceling statement due to statement timeout",
    );
    expect(retentionText(undefined, 0)).toBeNull();
  });
});
