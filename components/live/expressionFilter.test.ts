import { describe, expect, it } from "vitest";
import { compileClientFilter } from "./expressionFilter";
import { exchange } from "./state/fixtures";

describe("the filter language in the browser", () => {
  it("matches exchange DTOs as the server matches records", () => {
    const f = compileClientFilter('cmd == "Get Device ID" and data contains 20 01');
    expect(f?.ok).toBe(true);
    if (!f?.ok) return;
    expect(f.test(exchange(1, { request: "", response: "20 01 00" }))).toBe(false); // request data is empty
    const g = compileClientFilter("response startswith 20 01 and latency < 1ms");
    if (!g?.ok) throw new Error("should parse");
    expect(g.test(exchange(2, { response: "20 01", latencyUs: 800 }))).toBe(true);
    expect(g.test(exchange(3, { response: "20 02", latencyUs: 800 }))).toBe(false);
  });

  it("says where an expression is wrong, and nothing for a blank one", () => {
    expect(compileClientFilter("  ")).toBeNull();
    const bad = compileClientFilter("bus == bt0 and nosuchfield == 1");
    expect(bad).toMatchObject({ ok: false, position: 15 });
  });
});
