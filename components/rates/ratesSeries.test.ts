import { describe, expect, it } from "vitest";
import { ratesSeries } from "./ratesSeries";

describe("rates series", () => {
  it("lays out x, one column per bus and the error percentage, and averages the last whole 10 s", () => {
    const exchanges = [...Array(9).fill(0), 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 4];
    const errors = [...Array(9).fill(0), 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0];
    const s = ratesSeries({
      at: 1_000_000_000_000,
      secondsPerPoint: 1,
      buses: [{ busId: "bt0", exchanges, errors }],
      handlers: [],
    });
    expect(s.labels).toEqual(["bt0"]);
    expect(s.data[0]!.at(-1)).toBe(1_000_000_000);
    expect(s.data[0]![0]).toBe(1_000_000_000 - 20);
    expect(s.data[1]).toEqual(exchanges);
    expect(s.data[2]![10]).toBe(50);
    expect(s.recent).toEqual([{ busId: "bt0", perSecond: 10, errorPercent: 10 }]);
  });
});
