import { describe, expect, it } from "vitest";
import type { Exchange } from "../contract/exchange";
import { RecentExchanges } from "./recent-exchanges";

const x = (id: number) => ({ id }) as Exchange;

describe("recent exchanges ring", () => {
  it("keeps the newest, oldest first", () => {
    const r = new RecentExchanges(3);
    for (let i = 1; i <= 5; i++) r.push(x(i));
    expect(r.latest().map((e) => e.id)).toEqual([3, 4, 5]);
    expect(r.latest(2).map((e) => e.id)).toEqual([4, 5]);
  });

  it("resumes after an id and says how many fell off", () => {
    const r = new RecentExchanges(3);
    for (let i = 1; i <= 6; i++) r.push(x(i));
    expect(r.since(5)).toEqual({ exchanges: [x(6)], missed: 0 });
    expect(r.since(1)).toEqual({ exchanges: [x(4), x(5), x(6)], missed: 2 });
    expect(r.since(6)).toEqual({ exchanges: [], missed: 0 });
  });

  it("resumes by position in the stream, where ids arrive out of order", () => {
    const r = new RecentExchanges(10);
    for (const id of [1, 3, 2, 4]) r.push(x(id));
    expect(r.since(3).exchanges.map((e) => e.id)).toEqual([2, 4]);
  });

  it("works before it is full", () => {
    const r = new RecentExchanges(10);
    r.push(x(1));
    expect(r.latest().map((e) => e.id)).toEqual([1]);
    expect(() => new RecentExchanges(0)).toThrow();
  });
});
