/**
 * The filter against records: the evaluator on hand-made exchanges, and the SQL
 * translation against the same records in a real SQLite database (examples, then a
 * property test over random filters and random records).
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Exchange } from "../../contract/exchange";
import type { Prisma } from "../../persistence/generated/client";
import { createTestDatabase, type TestDatabase } from "../../persistence/test-database";
import { insertExchanges } from "../log-writer";
import { BASE_TIME, makeExchange } from "../test-exchanges";
import { compileFilter, type FilterAst, parseFilter } from ".";
import type { FilterValue } from "./fields";
import { exchangeArb, filterTree as tree } from "./test-arbitraries";

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
  makeExchange(5, {
    busId: "lan0",
    busKind: "lan",
    user: "admin",
    peer: "127.0.0.1:50123",
    privilege: "admin",
    sessionId: 0x1234,
    netFn: 0x0a,
    cmd: 0x23,
    request: Uint8Array.of(0x00, 0x00, 0x20, 0x01, 0x00, 0xff),
    cc: 0xcb,
    status: "error",
    note: "no such record",
  }),
  makeExchange(6, { busId: "lan0", busKind: "lan", user: "", payload: "rakp-1", netFn: null, cmd: null }),
  makeExchange(7, {
    netFn: 0x2c,
    cmd: 0x01,
    request: Uint8Array.of(0xdc),
    handlerId: "dcmi.get-dcmi-capabilities-info",
  }),
  makeExchange(8, { netFn: 0x2c, cmd: 0x01, request: Uint8Array.of(0x00) }),
];

function compiled(text: string) {
  const parsed = parseFilter(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.error} at ${parsed.position}`);
  return parsed.filter;
}

async function sqlIds(t: TestDatabase, sql: Prisma.Sql): Promise<number[]> {
  const rows = await t.db.$queryRaw<{ id: number }[]>`SELECT "id" FROM "Exchange" WHERE ${sql} ORDER BY "id"`;
  return rows.map((r) => Number(r.id));
}

const EXAMPLES: [string, number[]][] = [
  ['cmd == "Get Sensor Reading" and latency > 2ms', [2]],
  ["netfn == 0x0a and cc != 0", [5]],
  ["status == timeout or status == malformed", [3, 4]],
  ['bus == lan0 and user == "admin"', [5]],
  ["data contains 20 01", [5]],
  ["data startswith 00 00 20", [5]],
  ["data == 20", [2]],
  ['data == ""', [1, 3, 4, 6]],
  ['not handler == "app.get-device-id"', [2, 7]],
  ["(bus == bt0 or bus == lan0) and id >= 5", [5, 6, 7, 8]],
  ["cc != 0", [3, 5]],
  ["not cc == 0", [3, 4, 5]],
  ["cc == null", [4]],
  ["response == null", [3]],
  ["response startswith 20 81", [1, 2, 4, 5, 6, 7, 8]],
  ["netfn == App", [1, 3]],
  ['netfn == "Sensor/Event"', [2]],
  ['cmd == "Get DCMI Capabilities Info"', [7]],
  ['cmd != "Get Device ID"', [2, 5, 7, 8]],
  ["cmd == 1", [1, 3, 7, 8]],
  ["latency >= 1s", [3]],
  ["latency < 600", [1, 5, 6, 7, 8]],
  ['user == ""', [6]],
  ["user != null", [5, 6]],
  ['address startswith "127.0.0.1"', [5]],
  ['peer contains ":5012"', [5]],
  ["privilege == admin", [5]],
  ["session == 0x1234", [5]],
  ["payload == rakp-1", [6]],
  ['note contains "record"', [5]],
  ["kind == lan && !(user == admin)", [6]],
  [`time >= ${BASE_TIME + 50} and time < ${BASE_TIME + 70}`, [5, 6]],
  [`time < "${new Date(BASE_TIME + 20).toISOString()}"`, [1]],
  ['handler startswith "dcmi."', [7]],
  ["origin == host", [1, 2, 3, 4, 5, 6, 7, 8]],
];

describe("filter on records", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    await insertExchanges(t.db, RECORDS);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it.each(EXAMPLES)("%s matches %j, in memory and in SQL", async (text, expected) => {
    const filter = compiled(text);
    expect(RECORDS.filter((x) => filter.matches(x)).map((x) => x.id)).toEqual(expected);
    expect(await sqlIds(t, filter.sql)).toEqual(expected);
  });

  it("binds values as parameters, never as SQL text", () => {
    const filter = compiled(`user == "x' OR 1=1 --" or data contains 20`);
    expect(filter.sql.sql).not.toContain("OR 1=1");
    expect(filter.sql.values).toContain("x' OR 1=1 --");
  });
});

// ---- property test: the SQL translation selects exactly what the evaluator matches ----
// (the arbitraries are shared with the fleet store's PostgreSQL test: test-arbitraries.ts)

describe("filter SQL translation (property)", () => {
  const RECORD_COUNT = 40;
  let t: TestDatabase;
  let records: Exchange[];
  beforeAll(async () => {
    t = await createTestDatabase();
    records = fc.sample(fc.tuple(...Array.from({ length: RECORD_COUNT }, (_, i) => exchangeArb(i + 1))), {
      numRuns: 1,
      seed: 20261202,
    })[0]!;
    await insertExchanges(t.db, records);
  });
  afterAll(async () => {
    await t.cleanup();
  });

  it("selects exactly the records the evaluator matches", async () => {
    await fc.assert(
      fc.asyncProperty(tree, async (ast) => {
        const filter = compileFilter(ast);
        const expected = records.filter((x) => filter.matches(x)).map((x) => x.id);
        expect(await sqlIds(t, filter.sql)).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  it("agrees on fresh random records too", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer(), { minLength: 1, maxLength: 1 }),
        tree,
        exchangeArb(1000),
        async (_, ast, x) => {
          const filter = compileFilter(ast);
          await t.db.$executeRaw`DELETE FROM "Exchange" WHERE "id" = 1000`;
          await insertExchanges(t.db, [x]);
          const rows = await t.db.$queryRaw<
            { id: number }[]
          >`SELECT "id" FROM "Exchange" WHERE "id" = 1000 AND ${filter.sql}`;
          expect(rows.length === 1).toBe(filter.matches(x));
        },
      ),
      { numRuns: 300 },
    );
  });
});

// ---- property test: printed trees parse back to themselves ----

function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function printValue(value: FilterValue): string {
  switch (value.kind) {
    case "number":
      return String(value.value);
    case "string":
      return quote(value.value);
    case "bytes":
      return quote([...value.value].map((b) => b.toString(16).padStart(2, "0")).join(" "));
    case "null":
      return "null";
    case "commands":
      return quote(value.name);
  }
}

function print(ast: FilterAst): string {
  switch (ast.kind) {
    case "and":
      return `(${print(ast.left)}) and (${print(ast.right)})`;
    case "or":
      return `(${print(ast.left)}) || (${print(ast.right)})`;
    case "not":
      return `not (${print(ast.operand)})`;
    case "compare":
      return `${ast.field} ${ast.op} ${printValue(ast.value)}`;
  }
}

const ENUMS: Record<string, string[]> = {
  kind: ["bt", "kcs", "ssif", "lan", "ipmb", "inject"],
  origin: ["host", "injected", "replay"],
  status: ["ok", "error", "timeout", "malformed", "late", "dropped"],
  privilege: ["none", "callback", "user", "operator", "admin"],
  payload: ["presence-ping", "open-session", "rakp-1", "rakp-3"],
};

/** Whether the parser accepts the tree's values (the generators also make some it rightly refuses). */
function printable(ast: FilterAst): boolean {
  if (ast.kind === "and" || ast.kind === "or") return printable(ast.left) && printable(ast.right);
  if (ast.kind === "not") return printable(ast.operand);
  if (ast.value.kind === "commands") return ast.value.name !== "(two)";
  const values = ENUMS[ast.field];
  if (values && ast.value.kind === "string" && (ast.op === "==" || ast.op === "!=")) {
    return values.includes(ast.value.value);
  }
  return true;
}

describe("filter text (property)", () => {
  it("parses a printed tree back to the same tree", () => {
    fc.assert(
      fc.property(tree, (ast) => {
        fc.pre(printable(ast));
        const parsed = parseFilter(print(ast));
        if (!parsed.ok) throw new Error(`${print(ast)}: ${parsed.error} at ${parsed.position}`);
        expect(parsed.filter.ast).toEqual(ast);
      }),
      { numRuns: 500 },
    );
  });

  it("never throws on arbitrary text: it parses or reports a position inside the text", () => {
    const pieces = fc.constantFrom(
      "id",
      "cc",
      "data",
      "cmd",
      "netfn",
      "latency",
      "time",
      "==",
      "!=",
      "<",
      ">=",
      "contains",
      "startswith",
      "and",
      "or",
      "not",
      "!",
      "&&",
      "(",
      ")",
      '"',
      '"Get Device ID"',
      "0x",
      "20",
      "01",
      "2ms",
      "lan0",
      "null",
      " ",
      "=",
      "\\",
      "é",
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 12 }), (parts) => {
        const text = parts.join(" ");
        const parsed = parseFilter(text);
        if (!parsed.ok) {
          expect(parsed.position).toBeGreaterThanOrEqual(0);
          expect(parsed.position).toBeLessThanOrEqual(text.length);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
