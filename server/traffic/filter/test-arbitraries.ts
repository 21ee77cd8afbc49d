/**
 * Random records and random filter trees for the property tests that hold the SQL
 * translations (SQLite: filter.test.ts; PostgreSQL: fleet-history.test.ts) to the evaluator.
 * Values are drawn from small sets so comparisons hit, miss and tie, with nulls, empty
 * bytes and text, non-ASCII text and LIKE's wildcards among them.
 */
import fc from "fast-check";
import type { Exchange } from "../../contract/exchange";
import { BASE_TIME, makeExchange } from "../test-exchanges";
import type { FilterAst } from ".";
import type { CompareOp, FilterValue } from "./fields";

const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const smallBytes = fc
  .uint8Array({ minLength: 0, maxLength: 4 })
  .map((b) => b.map((v) => [0x00, 0x20, 0x01, 0xdc][v % 4]!));
const someText = fc.constantFrom("", "admin", "ad", "min", "x", "é✓", "ad%", "a_b");

export const exchangeArb = (id: number): fc.Arbitrary<Exchange> =>
  fc
    .record({
      busId: fc.constantFrom("bt0", "lan0", "Bt0"),
      busKind: fc.constantFrom("bt" as const, "lan" as const),
      origin: fc.constantFrom("host" as const, "injected" as const),
      seq: maybe(fc.integer({ min: 0, max: 3 })),
      netFn: maybe(fc.constantFrom(0x00, 0x04, 0x06, 0x0a, 0x2c)),
      lun: maybe(fc.integer({ min: 0, max: 3 })),
      cmd: maybe(fc.constantFrom(0x01, 0x2d, 0x23)),
      request: smallBytes,
      cc: maybe(fc.constantFrom(0, 0xc3, 0xff)),
      response: maybe(smallBytes),
      handlerId: maybe(fc.constantFrom("app.get-device-id", "dcmi.x", "")),
      status: fc.constantFrom("ok" as const, "error" as const, "timeout" as const),
      dt: fc.integer({ min: 0, max: 40 }),
      latencyUs: maybe(fc.constantFrom(0, 500, 2000, 2001, 1_000_000)),
      note: maybe(someText),
      ruleId: maybe(fc.integer({ min: 1, max: 3 })),
      payload: maybe(fc.constantFrom("rakp-1" as const, "open-session" as const)),
      peer: maybe(fc.constantFrom("127.0.0.1:1", "10.0.0.2:623")),
      user: maybe(someText),
      privilege: maybe(fc.constantFrom("admin" as const, "user" as const)),
      sessionId: maybe(fc.integer({ min: 0, max: 2 })),
    })
    .map(({ dt, ...rest }) => makeExchange(id, { ...rest, receivedAt: BASE_TIME + dt + 0.5 }));

const ordered = fc.constantFrom<CompareOp>("==", "!=", "<", "<=", ">", ">=");
const textOps = fc.constantFrom<CompareOp>("==", "!=", "contains", "startswith");
const number = (...values: number[]) =>
  fc.constantFrom(...values).map((value): FilterValue => ({ kind: "number", value }));
const nullValue: fc.Arbitrary<FilterValue> = fc.constant({ kind: "null" });

function compare(
  field: string,
  op: fc.Arbitrary<CompareOp>,
  value: fc.Arbitrary<FilterValue>,
): fc.Arbitrary<FilterAst> {
  return fc.tuple(op, value).map(([o, v]) => ({ kind: "compare", field, op: o, value: v }));
}

function withNull(field: string, arb: fc.Arbitrary<FilterAst>): fc.Arbitrary<FilterAst> {
  return fc.oneof(
    { arbitrary: arb, weight: 5 },
    { arbitrary: compare(field, fc.constantFrom<CompareOp>("==", "!="), nullValue), weight: 1 },
  );
}

const text = (values: fc.Arbitrary<string>) =>
  values.map((value): FilterValue => ({ kind: "string", value }));
const bytesValue = (min: number) =>
  smallBytes.filter((b) => b.length >= min).map((value): FilterValue => ({ kind: "bytes", value }));

export const filterLeaf: fc.Arbitrary<FilterAst> = fc.oneof(
  compare("id", ordered, number(0, 1, 3, 5, 8)),
  compare("time", ordered, number(BASE_TIME, BASE_TIME + 10.5, BASE_TIME + 20, BASE_TIME + 40.5)),
  compare("bus", textOps, text(fc.constantFrom("bt0", "lan0", "bt", "0", ""))),
  compare("kind", textOps, text(fc.constantFrom("bt", "lan"))),
  compare("origin", textOps, text(fc.constantFrom("host", "injected", "h"))),
  withNull("netfn", compare("netfn", ordered, number(0x00, 0x04, 0x06, 0x2c))),
  withNull(
    "cmd",
    fc.oneof(
      compare("cmd", ordered, number(0x01, 0x23)),
      compare(
        "cmd",
        fc.constantFrom<CompareOp>("==", "!="),
        fc.constantFrom<FilterValue>(
          { kind: "commands", name: "Get Device ID", commands: [{ netFn: 0x06, cmd: 0x01 }] },
          {
            kind: "commands",
            name: "Get DCMI Capabilities Info",
            commands: [{ netFn: 0x2c, cmd: 0x01, group: 0xdc }],
          },
          {
            kind: "commands",
            name: "(two)",
            commands: [
              { netFn: 0x04, cmd: 0x2d },
              { netFn: 0x0a, cmd: 0x23 },
            ],
          },
        ),
      ),
    ),
  ),
  withNull("cc", compare("cc", ordered, number(0, 0xc3, 0xff))),
  withNull("seq", compare("seq", ordered, number(0, 2))),
  withNull("lun", compare("lun", ordered, number(0, 1))),
  withNull("latency", compare("latency", ordered, number(0, 500, 2000, 2000.5, 1_000_000))),
  compare("status", textOps, text(fc.constantFrom("ok", "error", "timeout", "o"))),
  withNull(
    "handler",
    compare("handler", textOps, text(fc.constantFrom("app.get-device-id", "app.", "", "dcmi"))),
  ),
  withNull("rule", compare("rule", ordered, number(1, 2))),
  withNull("user", compare("user", textOps, text(someText))),
  withNull("address", compare("address", textOps, text(fc.constantFrom("127.0.0.1:1", "127.", ":623")))),
  withNull("privilege", compare("privilege", textOps, text(fc.constantFrom("admin", "user")))),
  withNull("session", compare("session", ordered, number(0, 1))),
  withNull("payload", compare("payload", textOps, text(fc.constantFrom("rakp-1", "rakp", "open-session")))),
  withNull("note", compare("note", fc.constantFrom<CompareOp>("contains", "startswith"), text(someText))),
  compare("data", fc.constantFrom<CompareOp>("==", "!="), bytesValue(0)),
  compare("data", fc.constantFrom<CompareOp>("contains", "startswith"), bytesValue(1)),
  withNull(
    "response",
    fc.oneof(
      compare("response", fc.constantFrom<CompareOp>("==", "!="), bytesValue(0)),
      compare("response", fc.constantFrom<CompareOp>("contains", "startswith"), bytesValue(0)),
    ),
  ),
);

/** Random trees over `leaves` (default: every field of the local log). */
export function filterTreeOf(leaves: fc.Arbitrary<FilterAst>): fc.Arbitrary<FilterAst> {
  const { tree } = fc.letrec<{ tree: FilterAst }>((tie) => ({
    tree: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      { arbitrary: leaves, weight: 3 },
      fc.record({ kind: fc.constant("not" as const), operand: tie("tree") }),
      fc.record({ kind: fc.constant("and" as const), left: tie("tree"), right: tie("tree") }),
      fc.record({ kind: fc.constant("or" as const), left: tie("tree"), right: tie("tree") }),
    ),
  }));
  return tree;
}

export const filterTree = filterTreeOf(filterLeaf);

/** The `node` field's leaves, for records of several nodes (the fleet's store). */
export const nodeLeaf: fc.Arbitrary<FilterAst> = fc
  .tuple(
    fc.constantFrom<CompareOp>("==", "!=", "contains", "startswith"),
    fc.constantFrom("a", "b", "node-c", "", "n", "B"),
  )
  .map(([op, value]) => ({ kind: "compare", field: "node", op, value: { kind: "string", value } }));

export { compare as compareArb };
