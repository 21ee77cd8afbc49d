import { describe, expect, it } from "vitest";
import { latestRates, publishRates, subscribeRates } from "./ratesFeed";

describe("rates feed", () => {
  it("hands each pushed snapshot to subscribers and keeps the newest while it is fresh", () => {
    const seen: number[] = [];
    const off = subscribeRates((r) => seen.push(r.at));
    publishRates({ at: 1000, secondsPerPoint: 1, buses: [], handlers: [] }, 50_000);
    off();
    publishRates({ at: 2000, secondsPerPoint: 1, buses: [], handlers: [] }, 51_000);
    expect(seen).toEqual([1000]);
    expect(latestRates(3000, 52_000)?.at).toBe(2000);
    expect(latestRates(3000, 60_000)).toBeNull();
  });
});
