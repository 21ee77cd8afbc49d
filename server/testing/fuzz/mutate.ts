/**
 * Inputs for fuzzing: mutations of valid frames (bit flips, truncation, extension, byte
 * insertion and substitution) and random bytes, both as fast-check arbitraries (the unit
 * tests: shrinking and a printed seed) and from a seeded PRNG (the benchmark: a million
 * inputs per bus, where fast-check's generation would cost more than the code under test).
 */
import fc from "fast-check";

export type Mutation =
  | { kind: "flip"; at: number; bit: number }
  | { kind: "truncate"; keep: number }
  | { kind: "extend"; bytes: Uint8Array }
  | { kind: "insert"; at: number; bytes: Uint8Array }
  | { kind: "substitute"; at: number; value: number };

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant("truncate" as const), keep: fc.nat() }),
  fc.record({ kind: fc.constant("extend" as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
  }),
  fc.record({
    kind: fc.constant("substitute" as const),
    at: fc.nat(),
    value: fc.integer({ min: 0, max: 255 }),
  }),
);

export const mutationsArb = fc.array(mutationArb, { minLength: 1, maxLength: 4 });

export function mutate(d: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = Uint8Array.from(d);
  for (const m of mutations) {
    switch (m.kind) {
      case "flip":
        if (out.length > 0) out[m.at % out.length] = out[m.at % out.length]! ^ (1 << m.bit);
        break;
      case "substitute":
        if (out.length > 0) out[m.at % out.length] = m.value;
        break;
      case "truncate":
        out = out.slice(0, m.keep % (out.length + 1));
        break;
      case "extend":
      case "insert": {
        const at = m.kind === "extend" ? out.length : m.at % (out.length + 1);
        const longer = new Uint8Array(out.length + m.bytes.length);
        longer.set(out.subarray(0, at));
        longer.set(m.bytes, at);
        longer.set(out.subarray(at), at + m.bytes.length);
        out = longer;
        break;
      }
    }
  }
  return out;
}

/** fast-check: random bytes, or one of `seeds` mutated. */
export function inputArb(seeds: readonly Uint8Array[], maxLength: number): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength }),
    fc.tuple(fc.constantFrom(...seeds), mutationsArb).map(([seed, ms]) => mutate(seed, ms)),
  );
}

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same inputs on every machine. */
export class Rng {
  private s: number;
  constructor(readonly seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 2^32). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** Uniform in [0, n). */
  below(n: number): number {
    return this.next() % n;
  }
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.next() & 0xff;
    return out;
  }
}

/** One random mutation, as `mutationArb` would draw it. */
export function randomMutation(rng: Rng): Mutation {
  switch (rng.below(5)) {
    case 0:
      return { kind: "flip", at: rng.next(), bit: rng.below(8) };
    case 1:
      return { kind: "truncate", keep: rng.next() };
    case 2:
      return { kind: "extend", bytes: rng.bytes(1 + rng.below(40)) };
    case 3:
      return { kind: "insert", at: rng.next(), bytes: rng.bytes(1 + rng.below(8)) };
    default:
      return { kind: "substitute", at: rng.next(), value: rng.below(256) };
  }
}

/**
 * An endless stream of inputs: a quarter random bytes up to `maxLength`, the rest a seed
 * with one to four random mutations.
 */
export function* randomInputs(
  rng: Rng,
  seeds: readonly Uint8Array[],
  maxLength: number,
): Generator<Uint8Array> {
  for (;;) {
    if (rng.below(4) === 0) yield rng.bytes(rng.below(maxLength + 1));
    else {
      const seed = seeds[rng.below(seeds.length)]!;
      const ms: Mutation[] = [];
      for (let n = 1 + rng.below(4); n > 0; n--) ms.push(randomMutation(rng));
      yield mutate(seed, ms);
    }
  }
}
