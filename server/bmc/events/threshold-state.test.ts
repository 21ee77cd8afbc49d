import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nextThresholdState, type ThresholdTransition, thresholdEventOffset } from "./threshold-state";

const UNC = 3;
const LC = 1;
/** Upper non-critical at 100, lower critical at 20 (unsigned raw counts). */
const THRESHOLDS = [null, 20, null, 100, null, null];

function run(
  readings: readonly number[],
  hysteresis = { positive: 3, negative: 3 },
  thresholds = THRESHOLDS,
) {
  let asserted = 0;
  const events: ThresholdTransition[] = [];
  for (const raw of readings) {
    const next = nextThresholdState(asserted, raw, thresholds, hysteresis, "unsigned");
    asserted = next.asserted;
    events.push(...next.transitions);
  }
  return { asserted, events };
}

describe("threshold event offsets (table 42-2)", () => {
  it("go low for lower thresholds and high for upper ones", () => {
    expect([0, 1, 2, 3, 4, 5].map(thresholdEventOffset)).toEqual([0x00, 0x02, 0x04, 0x07, 0x09, 0x0b]);
  });
});

describe("hysteresis", () => {
  it("asserts at the upper threshold and deasserts only below threshold − positive hysteresis", () => {
    const { events } = run([99, 100, 98, 97, 96, 100]);
    expect(events).toEqual([
      { threshold: UNC, offset: 7, asserted: true },
      { threshold: UNC, offset: 7, asserted: false }, // at 96 < 100 − 3
      { threshold: UNC, offset: 7, asserted: true },
    ]);
  });

  it("asserts at the lower threshold and deasserts only above threshold + negative hysteresis", () => {
    const { events } = run([21, 20, 22, 23, 24]);
    expect(events).toEqual([
      { threshold: LC, offset: 2, asserted: true },
      { threshold: LC, offset: 2, asserted: false }, // at 24 > 20 + 3
    ]);
  });

  it("reports every threshold passed in one step, the milder first", () => {
    const t = [null, null, null, 100, 110, 120];
    expect(run([130], { positive: 0, negative: 0 }, t).events.map((e) => e.offset)).toEqual([7, 9, 11]);
  });

  it("compares signed formats as signed numbers", () => {
    // Two's complement: FEh is −2, below an upper threshold of 5 and below a lower one of 0.
    const t = [0x00, null, null, 0x05, null, null];
    const r = nextThresholdState(0, 0xfe, t, { positive: 0, negative: 0 }, "twos-complement");
    expect(r.transitions).toEqual([{ threshold: 0, offset: 0, asserted: true }]);
  });

  it("deasserts when a moved threshold leaves the reading outside the band", () => {
    const up = nextThresholdState(
      1 << UNC,
      100,
      [null, null, null, 110, null, null],
      { positive: 3, negative: 3 },
      "unsigned",
    );
    expect(up.transitions).toEqual([{ threshold: UNC, offset: 7, asserted: false }]);
  });

  const reading = fc.integer({ min: 0, max: 255 });
  const hyst = fc.record({
    positive: fc.integer({ min: 0, max: 20 }),
    negative: fc.integer({ min: 0, max: 20 }),
  });

  it("never asserts an event twice without a deassertion between (property)", () => {
    fc.assert(
      fc.property(fc.array(reading, { maxLength: 200 }), hyst, (readings, h) => {
        const { events } = run(readings, h);
        for (const threshold of [LC, UNC]) {
          const edges = events.filter((e) => e.threshold === threshold).map((e) => e.asserted);
          edges.forEach((asserted, i) => {
            expect(asserted).toBe(i % 2 === 0); // assert, deassert, assert, ...
          });
        }
      }),
    );
  });

  it("gives no event for a reading oscillating inside the hysteresis band (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 200 }),
        (h, picks) => {
          // Asserted at the threshold first, then anywhere in [threshold − h, threshold]: nothing more.
          const inside = picks.map((p) => 100 - (p % (h + 1)));
          const { events } = run([100, ...inside], { positive: h, negative: h });
          expect(events).toEqual([{ threshold: UNC, offset: 7, asserted: true }]);
          // And below a lower threshold, inside [threshold, threshold + h].
          const low = picks.map((p) => 20 + (p % (h + 1)));
          expect(run([20, ...low], { positive: h, negative: h }).events).toEqual([
            { threshold: LC, offset: 2, asserted: true },
          ]);
        },
      ),
    );
  });

  it("has the event asserted exactly when the last edge was an assertion (property)", () => {
    fc.assert(
      fc.property(fc.array(reading, { minLength: 1, maxLength: 100 }), hyst, (readings, h) => {
        const { asserted, events } = run(readings, h);
        const last = events.filter((e) => e.threshold === UNC).at(-1);
        expect((asserted & (1 << UNC)) !== 0).toBe(last?.asserted ?? false);
      }),
    );
  });
});
