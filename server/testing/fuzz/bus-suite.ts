/**
 * The unit tests' fuzzing of one bus (vitest): fast-check inputs (random bytes and mutated
 * valid frames, a fixed seed so a failure reproduces; fast-check prints seed and path), each
 * followed by a well-formed request that must get exactly one answer; then a longer PRNG run
 * through the same harness as the benchmark, with its heap bound.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRig, type FuzzBusKind, type FuzzRig, settle } from "./bus-rigs";
import { inputArb, Rng, randomInputs } from "./mutate";
import { runFuzz, watchRejections } from "./run";

/** Fixed: the same inputs on every run, so a failure is a regression, not luck. */
export const FUZZ_SEED = 0x1f0c_2026;

export function fuzzBusSuite(kind: FuzzBusKind, o: { properties?: number; stream?: number } = {}): void {
  describe(`${kind} bus fuzzing (bus code, router, BMC handlers)`, () => {
    let rig: FuzzRig;
    beforeAll(async () => {
      rig = await createRig(kind);
    }, 30_000);
    afterAll(() => rig.stop());

    it("answers or records every random or mutated input, and each well-formed request after it exactly once", async () => {
      const rejections = watchRejections();
      let probes = 0;
      try {
        await fc.assert(
          fc.asyncProperty(inputArb(rig.seeds, rig.maxLength), async (input) => {
            const malformed = rig.counts.malformed;
            rig.push(input);
            await settle();
            if (rig.refuses(input)) expect(rig.counts.malformed).toBeGreaterThan(malformed);
            rig.take();
            const probe = rig.probe(probes++);
            probe.send();
            await settle();
            expect(rig.take().filter((x) => probe.isAnswer(x))).toHaveLength(1);
            expect(rig.counts.brokenNotes).toEqual([]);
          }),
          { numRuns: o.properties ?? 1500, seed: FUZZ_SEED },
        );
      } finally {
        rejections.stop();
      }
      expect(rejections.first).toBeUndefined();
    }, 60_000);

    it("keeps its invariants and its heap over a longer stream", async () => {
      const report = await runFuzz(rig, randomInputs(new Rng(FUZZ_SEED), rig.seeds, rig.maxLength), {
        count: o.stream ?? 4000,
        probeEvery: 25,
      });
      expect(report.examples).toEqual([]);
      expect(report.violations).toBe(0);
      expect(report.probes).toBe(Math.floor((o.stream ?? 4000) / 25));
      // Generous: the router, handlers and rig hold nothing per input; garbage not yet collected stays below this.
      expect(report.heapGrowthMb).toBeLessThan(64);
    }, 60_000);
  });
}
