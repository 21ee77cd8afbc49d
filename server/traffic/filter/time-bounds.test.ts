import { describe, expect, it } from "vitest";
import { parseFilter } from ".";
import { timeBounds } from "./time-bounds";

function bounds(text: string) {
  const parsed = parseFilter(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return timeBounds(parsed.filter.ast);
}

describe("timeBounds", () => {
  it("takes the time terms every match must satisfy, the tightest of each side", () => {
    expect(bounds("time >= 100 and time < 200")).toEqual({ from: 100, to: 200 });
    expect(bounds("time > 100 and bus == bt0 and (time >= 150 and time <= 300) and time <= 250")).toEqual({
      from: 150,
      to: 250,
    });
    expect(bounds("time == 5")).toEqual({ from: 5, to: 5 });
    expect(bounds('time >= "2026-12-02T10:00:00Z"')).toEqual({ from: Date.UTC(2026, 11, 2, 10) });
  });

  it("bounds nothing through or, not or !=", () => {
    expect(bounds("time >= 100 or bus == bt0")).toEqual({});
    expect(bounds("not time >= 100")).toEqual({});
    expect(bounds("time != 100 and id > 3")).toEqual({});
  });
});
