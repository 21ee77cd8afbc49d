import { describe, expect, it } from "vitest";
import {
  ALL,
  controlTarget,
  hrefWithChoice,
  nodeParam,
  nodesToWatch,
  parseNodeChoice,
  SELF,
  searchWithChoice,
  withTarget,
} from "./nodeChoice";

describe("the node choice (?node=)", () => {
  it("parses blank as this node, 'all' as every node, a name as that node", () => {
    expect(parseNodeChoice(null)).toEqual(SELF);
    expect(parseNodeChoice("")).toEqual(SELF);
    expect(parseNodeChoice("  ")).toEqual(SELF);
    expect(parseNodeChoice("all")).toEqual(ALL);
    expect(parseNodeChoice("c")).toEqual({ kind: "node", name: "c" });
    expect(parseNodeChoice(" c ")).toEqual({ kind: "node", name: "c" });
  });

  it("takes this node's own name, and a name longer than the contract allows, as this node", () => {
    expect(parseNodeChoice("a", "a")).toEqual(SELF);
    expect(parseNodeChoice("c", "a")).toEqual({ kind: "node", name: "c" });
    expect(parseNodeChoice("x".repeat(64), "a")).toEqual(SELF);
  });

  it("writes back what it read", () => {
    for (const v of ["all", "c"]) expect(nodeParam(parseNodeChoice(v))).toBe(v);
    expect(nodeParam(SELF)).toBeNull();
  });

  it("asks the socket for the chosen nodes; this node only once its name is known", () => {
    expect(nodesToWatch(ALL, "a")).toEqual({ nodes: "all" });
    expect(nodesToWatch({ kind: "node", name: "c" }, null)).toEqual({ nodes: ["c"] });
    expect(nodesToWatch(SELF, "a")).toEqual({ nodes: ["a"] });
    expect(nodesToWatch(SELF, null)).toBeNull();
  });

  it("sends control actions to one chosen other node; here for 'all' and this node", () => {
    expect(controlTarget({ kind: "node", name: "c" })).toBe("c");
    expect(controlTarget(ALL)).toBeUndefined();
    expect(controlTarget(SELF)).toBeUndefined();
    expect(withTarget("/api/handlers/app.x", "c")).toBe("/api/handlers/app.x?node=c");
    expect(withTarget("/api/rules?x=1", "node c")).toBe("/api/rules?x=1&node=node%20c");
    expect(withTarget("/api/rules", undefined)).toBe("/api/rules");
  });

  it("keeps the choice in links and the other parameters in the URL", () => {
    expect(hrefWithChoice("/history", ALL)).toBe("/history?node=all");
    expect(hrefWithChoice("/history", SELF)).toBe("/history");
    expect(hrefWithChoice("/?filter=x", { kind: "node", name: "c" })).toBe("/?filter=x&node=c");
    expect(searchWithChoice("?filter=cc%3D0&node=all", SELF)).toBe("?filter=cc%3D0");
    expect(searchWithChoice("?filter=a", { kind: "node", name: "c" })).toBe("?filter=a&node=c");
    expect(searchWithChoice("?node=c", SELF)).toBe("");
  });
});
