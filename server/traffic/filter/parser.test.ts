import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseFilter } from ".";
import type { FilterAst } from "./parser";

function ast(text: string): FilterAst {
  const parsed = parseFilter(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.error} at ${parsed.position}`);
  return parsed.filter.ast;
}

function error(text: string): { error: string; position: number } {
  const parsed = parseFilter(text);
  if (parsed.ok) throw new Error(`${text} parsed`);
  return { error: parsed.error, position: parsed.position };
}

const num = (value: number) => ({ kind: "number", value }) as const;
const str = (value: string) => ({ kind: "string", value }) as const;
const bytes = (...b: number[]) => ({ kind: "bytes", value: Uint8Array.from(b) }) as const;

describe("filter parser", () => {
  it("parses the documented examples", () => {
    expect(ast('cmd == "Get Sensor Reading" and latency > 2ms')).toEqual({
      kind: "and",
      left: {
        kind: "compare",
        field: "cmd",
        op: "==",
        value: { kind: "commands", name: "Get Sensor Reading", commands: [{ netFn: 0x04, cmd: 0x2d }] },
      },
      right: { kind: "compare", field: "latency", op: ">", value: num(2000) },
    });
    expect(ast("netfn == 0x0a and cc != 0")).toEqual({
      kind: "and",
      left: { kind: "compare", field: "netfn", op: "==", value: num(0x0a) },
      right: { kind: "compare", field: "cc", op: "!=", value: num(0) },
    });
    expect(ast("status == timeout or status == malformed")).toEqual({
      kind: "or",
      left: { kind: "compare", field: "status", op: "==", value: str("timeout") },
      right: { kind: "compare", field: "status", op: "==", value: str("malformed") },
    });
    expect(ast('bus == lan0 and user == "admin"')).toEqual({
      kind: "and",
      left: { kind: "compare", field: "bus", op: "==", value: str("lan0") },
      right: { kind: "compare", field: "user", op: "==", value: str("admin") },
    });
    expect(ast("data contains 20 01")).toEqual({
      kind: "compare",
      field: "data",
      op: "contains",
      value: bytes(0x20, 0x01),
    });
    expect(ast('not handler == "app.get-device-id"')).toEqual({
      kind: "not",
      operand: { kind: "compare", field: "handler", op: "==", value: str("app.get-device-id") },
    });
    expect(ast("(bus == bt0 or bus == lan0) and id >= 100")).toEqual({
      kind: "and",
      left: {
        kind: "or",
        left: { kind: "compare", field: "bus", op: "==", value: str("bt0") },
        right: { kind: "compare", field: "bus", op: "==", value: str("lan0") },
      },
      right: { kind: "compare", field: "id", op: ">=", value: num(100) },
    });
  });

  it("binds and tighter than or, and not tightest; && || ! are synonyms", () => {
    const a = { kind: "compare", field: "id", op: "==", value: num(1) } as const;
    const b = { kind: "compare", field: "id", op: "==", value: num(2) } as const;
    const c = { kind: "compare", field: "id", op: "==", value: num(3) } as const;
    expect(ast("id == 1 or id == 2 and id == 3")).toEqual({
      kind: "or",
      left: a,
      right: { kind: "and", left: b, right: c },
    });
    expect(ast("id == 1 || id == 2 && id == 3")).toEqual(ast("id == 1 or id == 2 and id == 3"));
    expect(ast("!id == 1 and id == 2")).toEqual({ kind: "and", left: { kind: "not", operand: a }, right: b });
    expect(ast("NOT not id == 1")).toEqual({ kind: "not", operand: { kind: "not", operand: a } });
  });

  it("reads every form of hex bytes alike", () => {
    const expected = ast("data contains 20 01");
    expect(ast("data contains 2001")).toEqual(expected);
    expect(ast("request contains 0x20 0x01")).toEqual(expected);
    expect(ast('data contains "20 01"')).toEqual(expected);
    expect(ast("data contains 0x20 0x1")).toEqual(expected);
    expect(ast("response startswith 20 81 and cc == 0")).toEqual({
      kind: "and",
      left: { kind: "compare", field: "response", op: "startswith", value: bytes(0x20, 0x81) },
      right: { kind: "compare", field: "cc", op: "==", value: num(0) },
    });
    expect(ast('data == ""')).toEqual({ kind: "compare", field: "data", op: "==", value: bytes() });
  });

  it("reads netfn names, command names, units, times and null", () => {
    expect(ast("netfn == App")).toEqual(ast("netfn == 6"));
    expect(ast('netfn == "Sensor/Event"')).toEqual(ast("netfn == 0x04"));
    expect(ast("netfn == sensor_event")).toEqual(ast("netfn == 4"));
    expect(ast("latency > 2 ms")).toEqual(ast("latency > 2000"));
    expect(ast("latency < 1.5s")).toEqual(ast("latency < 1500000us"));
    expect(ast('time >= "2026-12-02T10:00:00Z"')).toEqual(ast(`time >= ${Date.UTC(2026, 11, 2, 10)}`));
    expect(ast("time < 2026-12-02")).toEqual(ast(`time < ${Date.UTC(2026, 11, 2)}`));
    expect(ast("cc == null")).toEqual({ kind: "compare", field: "cc", op: "==", value: { kind: "null" } });
    expect(ast("peer != null")).toEqual({
      kind: "compare",
      field: "address",
      op: "!=",
      value: { kind: "null" },
    });
    const dcmi = ast('cmd == "Get DCMI Capabilities Info"');
    expect(dcmi).toMatchObject({ value: { commands: [{ netFn: 0x2c, cmd: 0x01, group: 0xdc }] } });
  });

  it("resolves a command name to its (netfn, cmd) pairs, ignoring case and punctuation", () => {
    const names = ast('cmd == "Get SDR"');
    expect(names).toMatchObject({ value: { kind: "commands", commands: [{ netFn: 0x0a, cmd: 0x23 }] } });
    expect(ast('cmd == "get sdr"')).toMatchObject({ value: { commands: [{ netFn: 0x0a, cmd: 0x23 }] } });
    expect(ast("cmd == Get-SDR")).toMatchObject({ value: { commands: [{ netFn: 0x0a, cmd: 0x23 }] } });
  });

  it.each([
    ["", "empty filter", 0],
    ["   ", "empty filter", 0],
    ["foo == 1", "unknown field 'foo'", 0],
    ["id == 1 and bogus > 2", "unknown field 'bogus'", 12],
    ["cc contains 01", "operator contains does not apply to cc", 3],
    ["bus > lan0", "operator > does not apply to bus", 4],
    ['note == "x"', "operator == does not apply to note", 5],
    ['user == "adm', "unterminated string", 8],
    ["data contains 2g", "bad hex '2g'", 14],
    ["data contains 201", "bad hex '201': odd number of digits", 14],
    ['data contains "20 0x"', "bad hex '0x'", 18],
    ['cmd == "Get Nothing"', "unknown command name 'Get Nothing'", 7],
    ['cmd > "Get Device ID"', "a command name compares with == or != only", 6],
    ["netfn == Apps", "unknown netfn name 'Apps'", 9],
    ["id == 1 xyz", "unexpected 'xyz': expected 'and', 'or' or the end of the filter", 8],
    ["id == 1)", "unmatched ')'", 7],
    ["()", "empty parentheses", 0],
    ["(id == 1", "expected ')' to close the '(' at 0", 8],
    ["id", "expected an operator after 'id'", 2],
    ["id = 1", "unexpected character '=' (compare with ==)", 3],
    ["id ==", "expected a value after ==", 5],
    ["id == and", "expected a value after ==", 6],
    ["id == x1", "expected a number", 6],
    ["id == 99999999999999999999", "number too large", 6],
    ["latency > 2h", "unknown unit 'h'", 10],
    ["status == tmeout", "unknown status 'tmeout'", 10],
    ['time > "2026-12-02T10:00:00"', "give the time zone", 7],
    ["id < null", "null compares with == or != only", 5],
    ["and id == 1", "expected a field name, got 'and'", 0],
    ["id == 1 and", "expected a field name, got the end of the filter", 11],
    ["data contains", "expected a value after contains", 13],
    ['user == "a\\x"', "bad escape in string", 10],
  ])("rejects %j: %s at %i", (text, message, position) => {
    const e = error(text);
    expect(e.error).toContain(message);
    expect(e.position).toBe(position);
  });

  it("rejects a filter longer than 2000 characters", () => {
    expect(error(`id == ${"1".repeat(2000)}`).error).toContain("longer than 2000");
  });
});

describe("docs/filters.md", () => {
  const doc = readFileSync(new URL("../../../docs/filters.md", import.meta.url), "utf8");

  it("has examples that parse", () => {
    const block = /^```\n([\s\S]*?)^```/m.exec(doc)?.[1] ?? "";
    const examples = block.split("\n").filter((line) => line.trim() !== "");
    expect(examples.length).toBeGreaterThan(5);
    for (const example of examples) expect(parseFilter(example).ok, example).toBe(true);
  });

  it("shows the errors the parser gives", () => {
    const section = doc.slice(doc.indexOf("## Errors"), doc.indexOf("## Where it applies"));
    const rows = section
      .split("\n")
      .filter((line) => /^\| `/.test(line))
      .map((line) => line.split("|").map((cell) => cell.trim()));
    expect(rows.length).toBeGreaterThan(5);
    for (const [, filter, message, position] of rows) {
      const e = error(filter!.slice(1, -1));
      for (const piece of message!.split("...")) expect(e.error, filter).toContain(piece.trim());
      expect(e.position, filter).toBe(Number(position));
    }
  });
});
