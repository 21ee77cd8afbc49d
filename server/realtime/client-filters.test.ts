import { describe, expect, it } from "vitest";
import { makeExchange } from "../traffic/test-exchanges";
import { ClientFilters } from "./client-filters";

describe("ClientFilters", () => {
  const ok = makeExchange(1);
  const timeout = makeExchange(2, { status: "timeout", cc: 0xc3, response: null });

  it("lets everything through for a client without a filter", () => {
    const filters = new ClientFilters();
    expect(filters.matches("a", ok)).toBe(true);
    expect(filters.matches("a", timeout)).toBe(true);
  });

  it("keeps a filter per client, and clears it with blank text", () => {
    const filters = new ClientFilters();
    expect(filters.set("a", "status == timeout")).toEqual({ ok: true });
    expect(filters.textOf("a")).toBe("status == timeout");
    expect(filters.matches("a", ok)).toBe(false);
    expect(filters.matches("a", timeout)).toBe(true);
    expect(filters.matches("b", ok)).toBe(true);
    expect(filters.set("a", "  ")).toEqual({ ok: true });
    expect(filters.matches("a", ok)).toBe(true);
  });

  it("refuses an invalid filter with its position and keeps the previous one", () => {
    const filters = new ClientFilters();
    filters.set("a", "status == timeout");
    expect(filters.set("a", "status == timeout and bogus == 1")).toEqual({
      ok: false,
      error: expect.stringContaining("unknown field 'bogus'"),
      position: 22,
    });
    expect(filters.textOf("a")).toBe("status == timeout");
    expect(filters.set("a", 42)).toEqual({ ok: false, error: "the filter must be text", position: 0 });
  });

  it("forgets a client that left", () => {
    const filters = new ClientFilters();
    filters.set("a", "id == 5");
    filters.delete("a");
    expect(filters.textOf("a")).toBeUndefined();
    expect(filters.matches("a", ok)).toBe(true);
  });
});
