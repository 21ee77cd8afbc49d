import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketValue, LatencyHistogram, latencyBucket, TrafficRates } from "./rates";
import { makeExchange } from "./test-exchanges";

describe("latency histogram", () => {
  it("reports any quantile within 5% of the exact one (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 10_000_000 }), { minLength: 1, maxLength: 400 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        (values, q) => {
          const h = new LatencyHistogram();
          for (const v of values) h.add(v);
          const sorted = [...values].sort((a, b) => a - b);
          const exact = sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1]!;
          const got = h.quantile(q)!;
          expect(Math.abs(got - exact) / exact).toBeLessThanOrEqual(0.051);
        },
      ),
    );
  });

  it("puts a value in the bucket whose range holds it", () => {
    for (const v of [1, 2, 99, 1000, 123_456]) {
      const b = latencyBucket(v);
      expect(1.05 ** b).toBeLessThanOrEqual(v * (1 + 1e-9));
      expect(1.05 ** (b + 1)).toBeGreaterThan(v);
      expect(Math.abs(bucketValue(b) - v) / v).toBeLessThan(0.05);
    }
    expect(new LatencyHistogram().quantile(0.5)).toBeNull();
  });
});

describe("traffic rates", () => {
  it("counts exchanges and errors per bus per second, oldest first, zero where nothing came", () => {
    let now = 1_000_000_000_000;
    const rates = new TrafficRates({ historySeconds: 5, now: () => now });
    const at = (s: number, o: Parameters<typeof makeExchange>[1] = {}) =>
      makeExchange(1, { receivedAt: now - s * 1000 + 10, ...o });
    rates.record(at(2));
    rates.record(at(2, { status: "error", cc: 0xc1 }));
    rates.record(at(0));
    rates.record(at(0, { busId: "lan0" }));
    const snap = rates.snapshot();
    expect(snap.buses.find((b) => b.busId === "bt0")).toEqual({
      busId: "bt0",
      exchanges: [0, 0, 2, 0, 1],
      errors: [0, 0, 1, 0, 0],
    });
    expect(snap.buses.find((b) => b.busId === "lan0")?.exchanges).toEqual([0, 0, 0, 0, 1]);
    // Seconds slide out of the window; a slot reused for a later second starts from zero.
    now += 3000;
    expect(rates.snapshot().buses.find((b) => b.busId === "bt0")?.exchanges).toEqual([0, 1, 0, 0, 0]);
    rates.record(at(0));
    expect(rates.snapshot().buses.find((b) => b.busId === "bt0")?.exchanges).toEqual([0, 1, 0, 0, 1]);
  });

  it("keeps per handler requests, errors and p50/p99 since start and over the last minute", () => {
    let now = 2_000_000_000_000;
    const rates = new TrafficRates({ now: () => now });
    for (let i = 1; i <= 100; i++)
      rates.record(makeExchange(i, { receivedAt: now, latencyUs: i * 10, handlerId: "app.get-device-id" }));
    rates.record(
      makeExchange(101, {
        receivedAt: now,
        status: "timeout",
        cc: 0xc3,
        latencyUs: 2_000_000,
        handlerId: "app.get-device-id",
      }),
    );
    rates.record(makeExchange(102, { receivedAt: now, handlerId: null }));
    let h = rates.snapshot().handlers;
    expect(h).toHaveLength(1);
    expect(h[0]!.total).toMatchObject({ requests: 101, errors: 1 });
    expect(Math.abs(h[0]!.total.p50Us! - 510) / 510).toBeLessThan(0.05);
    expect(h[0]!.lastMinute.p99Us).toBeGreaterThan(900);
    now += 61_000;
    rates.record(makeExchange(103, { receivedAt: now, latencyUs: 40, handlerId: "app.get-device-id" }));
    h = rates.snapshot().handlers;
    expect(h[0]!.total.requests).toBe(102);
    expect(h[0]!.lastMinute).toMatchObject({ requests: 1, errors: 0 });
    expect(Math.abs(h[0]!.lastMinute.p50Us! - 40) / 40).toBeLessThan(0.05);
  });
});
