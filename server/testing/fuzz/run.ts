/**
 * Pushes inputs through a fuzzing rig (./bus-rigs.ts) and checks the invariants on the way:
 * pushing never throws, nothing rejects unhandled, no exchange says the code under test
 * failed, what the codec refuses is recorded malformed, a well-formed request interleaved
 * every so often gets exactly one answer, and the heap stays bounded.
 */
import type { FuzzBusKind, FuzzRig } from "./bus-rigs";
import { settle } from "./bus-rigs";

export interface FuzzRunOptions {
  count: number;
  /** A well-formed probe after every this many inputs. */
  probeEvery?: number;
  /** Inputs pushed between two waits for the router to settle (1: each input on its own). */
  batch?: number;
  /** Stops collecting violation texts after this many (the count goes on). */
  keepViolations?: number;
}

export interface FuzzReport {
  kind: FuzzBusKind;
  inputs: number;
  probes: number;
  elapsedMs: number;
  inputsPerSecond: number;
  violations: number;
  /** The first few, for the failure message. */
  examples: string[];
  exchanges: number;
  malformed: number;
  /** heapUsed after minus before, in MB (after a gc when node runs with --expose-gc). */
  heapGrowthMb: number;
}

const hex = (b: Uint8Array) => Buffer.from(b.subarray(0, 64)).toString("hex") + (b.length > 64 ? "…" : "");

/** heapUsed in MB, collected first when the gc is exposed. */
export function heapMb(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

/** Counts unhandled rejections while it is installed (the process's default would crash or warn). */
export function watchRejections(): { count: number; first: string | undefined; stop(): void } {
  const w = {
    count: 0,
    first: undefined as string | undefined,
    stop: () => process.off("unhandledRejection", listener),
  };
  const listener = (reason: unknown) => {
    w.count++;
    w.first ??= reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
  };
  process.on("unhandledRejection", listener);
  return w;
}

export async function runFuzz(
  rig: FuzzRig,
  inputs: Iterator<Uint8Array>,
  options: FuzzRunOptions,
): Promise<FuzzReport> {
  const probeEvery = options.probeEvery ?? 50;
  const keep = options.keepViolations ?? 5;
  const batch = options.batch ?? 1;
  const examples: string[] = [];
  let violations = 0;
  const violation = (text: string) => {
    violations++;
    if (examples.length < keep) examples.push(text);
  };
  const rejections = watchRejections();
  const heapBefore = heapMb();
  const exchangesBefore = rig.counts.total;
  const malformedBefore = rig.counts.malformed;
  const brokenBefore = rig.counts.broken;
  let probes = 0;
  const t0 = performance.now();
  try {
    // Inputs go in batches between settles (a probe ends each batch): what the codec refuses
    // in a batch must have added at least as many malformed records by its end.
    let refused = 0;
    let malformedAtBatch = rig.counts.malformed;
    let last: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < options.count; i++) {
      const next = inputs.next();
      if (next.done) break;
      const input = next.value;
      last = input;
      if (rig.refuses(input)) refused++;
      try {
        rig.push(input);
      } catch (err) {
        violation(`push threw ${err instanceof Error ? err.message : String(err)} on ${hex(input)}`);
      }
      const probing = (i + 1) % probeEvery === 0;
      if (!probing && (i + 1) % batch !== 0) continue;
      await settle();
      if (rig.counts.malformed - malformedAtBatch < refused)
        violation(
          `${refused} inputs the codec refuses up to input ${i} (${hex(last)}), ${rig.counts.malformed - malformedAtBatch} malformed records`,
        );
      rig.take();
      if (probing) {
        const probe = rig.probe(probes++);
        probe.send();
        await settle();
        const answers = rig.take().filter((o) => probe.isAnswer(o)).length;
        if (answers !== 1)
          violation(`well-formed probe ${probes - 1} after input ${i} (${hex(last)}) got ${answers} answers`);
      }
      refused = 0;
      malformedAtBatch = rig.counts.malformed;
    }
  } finally {
    rejections.stop();
  }
  const elapsedMs = performance.now() - t0;
  if (rejections.count > 0) violation(`${rejections.count} unhandled rejections; first: ${rejections.first}`);
  const broken = rig.counts.broken - brokenBefore;
  if (broken > 0) violation(`${broken} exchanges say the code failed: ${rig.counts.brokenNotes.join(" | ")}`);
  const inputs_ = options.count;
  return {
    kind: rig.kind,
    inputs: inputs_,
    probes,
    elapsedMs,
    inputsPerSecond: (inputs_ / elapsedMs) * 1000,
    violations,
    examples,
    exchanges: rig.counts.total - exchangesBefore,
    malformed: rig.counts.malformed - malformedBefore,
    heapGrowthMb: heapMb() - heapBefore,
  };
}
