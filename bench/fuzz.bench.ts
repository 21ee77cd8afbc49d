/**
 * `npm run bench -- fuzz` (`npx tsx bench/run.ts fuzz`): a million generated or mutated
 * inputs per bus (bt, kcs, ssif, ipmb, vm, lan) through the bus code, the router and the
 * BMC's handlers in-process (server/testing/fuzz/), with every invariant checked on the way:
 * no throw, no unhandled rejection, no "internal error", what the codec refuses recorded
 * malformed (checked per batch of 10), a well-formed request every 50 inputs answered
 * exactly once. Baseline: the
 * same inputs through the bus's codec alone, in the same run; the ratio is what the full
 * path costs on top. BENCH_FUZZ_COUNT changes the count (smaller while developing).
 */
import { createRig, FUZZ_BUS_KINDS } from "../server/testing/fuzz/bus-rigs";
import { Rng, randomInputs } from "../server/testing/fuzz/mutate";
import { heapMb, runFuzz } from "../server/testing/fuzz/run";
import { against, atLeast, type BenchRow, type BenchSection } from "./report";

const COUNT = Number(process.env.BENCH_FUZZ_COUNT ?? 1_000_000);
const SEED = 0x1f0c_2026;

/** Inputs/s of generation plus the codec's decode alone. */
function codecRate(
  decode: (input: Uint8Array) => unknown,
  inputs: Iterator<Uint8Array>,
  count: number,
): number {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) decode(inputs.next().value as Uint8Array);
  return (count / (performance.now() - t0)) * 1000;
}

export const section: BenchSection = {
  id: "fuzz",
  title: "fuzzing every bus",
  async run() {
    const rows: BenchRow[] = [];
    const heapStart = heapMb();
    for (const kind of FUZZ_BUS_KINDS) {
      const rig = await createRig(kind);
      // Warm the JIT on other inputs of the same kind first.
      await runFuzz(rig, randomInputs(new Rng(SEED + 1), rig.seeds, rig.maxLength), {
        count: Math.min(20_000, COUNT),
      });
      const baseline = codecRate(
        (i) => rig.decodeOnly(i),
        randomInputs(new Rng(SEED), rig.seeds, rig.maxLength),
        Math.min(COUNT, 200_000),
      );
      const r = await runFuzz(rig, randomInputs(new Rng(SEED), rig.seeds, rig.maxLength), {
        count: COUNT,
        probeEvery: 50,
        batch: 10,
      });
      await rig.stop();
      const note = `${r.exchanges.toLocaleString("en-US")} exchanges (${r.malformed.toLocaleString("en-US")} malformed), ${r.probes.toLocaleString("en-US")} probes; heap ${r.heapGrowthMb >= 0 ? "+" : ""}${r.heapGrowthMb.toFixed(1)} MB${r.examples[0] ? `; first violation: ${r.examples[0]}` : ""}`;
      rows.push(
        against(
          {
            name: `${kind}: inputs through bus, router, handlers`,
            value: r.inputsPerSecond,
            unit: "inputs/s",
          },
          { name: "codec alone", value: baseline, unit: "inputs/s" },
          { note },
        ),
        {
          name: `${kind}: inputs checked`,
          value: r.inputs,
          unit: "inputs",
          target: atLeast(r.inputs, 1_000_000, "inputs"),
        },
        {
          name: `${kind}: invariant violations`,
          value: r.violations,
          unit: "violations",
          target: { text: "0 violations", met: r.violations === 0 },
        },
      );
    }
    rows.push({
      name: "heap growth over all buses",
      value: heapMb() - heapStart,
      unit: "MB",
      note: process.execArgv.includes("--expose-gc")
        ? "after gc"
        : "without --expose-gc: includes uncollected garbage",
    });
    return rows;
  },
};
