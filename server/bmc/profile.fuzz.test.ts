/**
 * Profile files fuzzed: the shipped default's text mutated byte-wise (bit flips, truncation,
 * insertion) through loadProfileFile, and its parsed form with random values put at random
 * places through parseProfile. Either a profile comes back (and a BMC starts from it) or a
 * ProfileError that names what is wrong; never another exception.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inputArb } from "../testing/fuzz/mutate";
import { createBmc } from ".";
import { loadProfileFile, ProfileError, parseProfile } from "./profile";

const SEED = 0x1f0c_2026;
const DEFAULT = fileURLToPath(new URL("./profiles/default.json", import.meta.url));

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** The value at `at` (a walk of indices into the tree) replaced by `value`. */
function replaceAt(tree: Json, at: readonly number[], value: Json): Json {
  if (at.length === 0 || tree === null || typeof tree !== "object") return value;
  const [i, ...rest] = at;
  if (Array.isArray(tree)) {
    if (tree.length === 0) return value;
    const k = i! % tree.length;
    return tree.map((v, j) => (j === k ? replaceAt(v, rest, value) : v));
  }
  const keys = Object.keys(tree);
  if (keys.length === 0) return value;
  const key = keys[i! % keys.length]!;
  return { ...tree, [key]: replaceAt(tree[key]!, rest, value) };
}

function expectProfileOrError(run: () => unknown): void {
  try {
    const profile = run();
    expect(() => createBmc({ profile: profile as ReturnType<typeof parseProfile> })).not.toThrow();
  } catch (err) {
    expect(err).toBeInstanceOf(ProfileError);
    expect((err as ProfileError).problems.length).toBeGreaterThan(0);
  }
}

describe("profile loader fuzzing", () => {
  let dir: string;
  let text: Uint8Array;
  let parsed: Json;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "profile-fuzz-"));
    text = new Uint8Array(await readFile(DEFAULT));
    parsed = JSON.parse(new TextDecoder().decode(text)) as Json;
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("refuses mutated profile files with a ProfileError, or loads them", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(inputArb([text], 2000), async (bytes) => {
        const file = path.join(dir, `p${n++}.json`);
        await writeFile(file, bytes);
        let profile: unknown;
        try {
          profile = await loadProfileFile(file);
        } catch (err) {
          expect(err).toBeInstanceOf(ProfileError);
          return;
        }
        expectProfileOrError(() => profile);
      }),
      { numRuns: 300, seed: SEED },
    );
    await expect(loadProfileFile(path.join(dir, "missing.json"))).rejects.toBeInstanceOf(ProfileError);
  }, 60_000);

  it("refuses profiles with random values at random places with a ProfileError, or accepts them", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.array(fc.nat(), { maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>),
          { minLength: 1, maxLength: 3 },
        ),
        (edits) => {
          let tree = parsed;
          for (const [at, value] of edits) tree = replaceAt(tree, at, value);
          expectProfileOrError(() => parseProfile(tree, "fuzzed"));
        },
      ),
      { numRuns: 400, seed: SEED },
    );
  }, 60_000);

  it("refuses values that are not a profile at all", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
        expect(() => parseProfile(value, "fuzzed")).toThrow(ProfileError);
      }),
      { numRuns: 300, seed: SEED },
    );
  });
});
