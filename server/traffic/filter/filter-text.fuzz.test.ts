/**
 * Filter text fuzzed (filter.test.ts covers generated syntax trees): random strings and
 * mutations of valid expressions through the parser give either a result or an error with
 * a position inside the text, never an exception; and whatever parses selects the same
 * records in SQLite as the in-memory evaluator matches.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Exchange } from "../../contract/exchange";
import { createTestDatabase, type TestDatabase } from "../../persistence/test-database";
import { mutate, mutationsArb } from "../../testing/fuzz/mutate";
import { insertExchanges } from "../log-writer";
import { makeExchange } from "../test-exchanges";
import { MAX_FILTER_LENGTH, parseFilter } from ".";

const SEED = 0x1f0c_2026;

const VALID = [
  'cmd == "Get Sensor Reading" and latency > 2ms',
  "netfn == 0x0a and cc != 0",
  "status == timeout or status == malformed",
  'bus == lan0 and user == "admin"',
  "data contains 20 01",
  'data == ""',
  'not handler == "app.get-device-id"',
  "(bus == bt0 or bus == lan0) and id >= 5",
  "cc == null",
  'note startswith "x" or address contains ":623"',
];

const RECORDS: Exchange[] = [
  makeExchange(1),
  makeExchange(2, { netFn: 0x04, cmd: 0x2d, request: Uint8Array.of(0x20), latencyUs: 2500, handlerId: null }),
  makeExchange(3, { status: "timeout", cc: 0xc3, response: null, latencyUs: 5_000_000 }),
  makeExchange(4, {
    status: "malformed",
    netFn: null,
    cmd: null,
    lun: null,
    cc: null,
    seq: null,
    latencyUs: null,
  }),
  makeExchange(5, { busId: "lan0", busKind: "lan", user: "admin", netFn: 0x0a, cc: 0xc1, note: "x" }),
];

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** Random text made of the filter's own vocabulary, so the parser gets past its first token. */
const tokenSoup = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "bus",
        "cmd",
        "netfn",
        "data",
        "cc",
        "id",
        "latency",
        "user",
        "note",
        "status",
        "response",
      ),
      fc.constantFrom(
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "contains",
        "startswith",
        "and",
        "or",
        "not",
        "(",
        ")",
      ),
      fc.constantFrom(
        '"',
        '""',
        "0x",
        "ms",
        "null",
        "20 01",
        "é",
        "\\",
        "\u0000",
        "1e309",
        "-1",
        "9".repeat(30),
      ),
      fc.string({ maxLength: 6 }),
    ),
    { maxLength: 14 },
  )
  .map((parts) => parts.join(" "));

const filterText = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  tokenSoup,
  fc
    .tuple(fc.constantFrom(...VALID), mutationsArb)
    .map(([v, ms]) => textDecoder.decode(mutate(textEncoder.encode(v), ms))),
  fc.nat({ max: 300 }).map((n) => `${"(".repeat(n)}bus == bt0${")".repeat(n)}`),
  fc.constant("x".repeat(MAX_FILTER_LENGTH + 1)),
);

describe("filter text fuzzing", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await insertExchanges(t.db, RECORDS);
  });
  afterAll(() => t.cleanup());

  it("parses or names a position, and SQL agrees with the evaluator on what parses", async () => {
    let parsed = 0;
    await fc.assert(
      fc.asyncProperty(filterText, async (text) => {
        const r = parseFilter(text);
        if (!r.ok) {
          expect(r.error.length).toBeGreaterThan(0);
          expect(r.position).toBeGreaterThanOrEqual(0);
          expect(r.position).toBeLessThanOrEqual(text.length);
          return;
        }
        parsed++;
        const expected = RECORDS.filter((x) => r.filter.matches(x)).map((x) => x.id);
        const rows = await t.db.$queryRaw<
          { id: number }[]
        >`SELECT "id" FROM "Exchange" WHERE ${r.filter.sql} ORDER BY "id"`;
        expect(rows.map((x) => Number(x.id))).toEqual(expected);
      }),
      { numRuns: 600, seed: SEED },
    );
    // The mutated valid expressions keep a share of inputs that get as far as SQL.
    expect(parsed).toBeGreaterThan(20);
  }, 60_000);
});
