/**
 * A filter tree as a predicate over Exchange records (the live stream). Null
 * semantics, the same as sql.ts: a comparison with a null field is false, whatever the
 * operator (`cc != 0` does not match a record without a completion code); only
 * `field == null` and `field != null` test for presence.
 */
import type { Exchange } from "../../contract/exchange";
import { type CommandPair, type CompareOp, FIELDS, type FieldValue, type FilterValue } from "./fields";
import type { FilterAst } from "./parser";

export function evaluate(ast: FilterAst, x: Exchange): boolean {
  switch (ast.kind) {
    case "and":
      return evaluate(ast.left, x) && evaluate(ast.right, x);
    case "or":
      return evaluate(ast.left, x) || evaluate(ast.right, x);
    case "not":
      return !evaluate(ast.operand, x);
    case "compare": {
      const field = FIELDS.get(ast.field);
      if (!field) throw new Error(`filter: unknown field ${ast.field}`);
      const actual = field.get(x);
      if (ast.value.kind === "null") return ast.op === "==" ? actual === null : actual !== null;
      if (actual === null) return false;
      if (ast.value.kind === "commands") {
        if (x.netFn === null || x.cmd === null) return false;
        const hit = ast.value.commands.some((c) => isCommand(c, x));
        return ast.op === "==" ? hit : !hit;
      }
      return compare(actual, ast.op, ast.value);
    }
  }
}

function isCommand(c: CommandPair, x: Exchange): boolean {
  return c.netFn === x.netFn && c.cmd === x.cmd && (c.group === undefined || x.request[0] === c.group);
}

/** One comparison of a present value (sql.ts folds the `node` field's comparisons with it). */
export function compare(actual: Exclude<FieldValue, null>, op: CompareOp, value: FilterValue): boolean {
  if (value.kind === "number" && typeof actual === "number") return ordered(actual, op, value.value);
  if (value.kind === "string" && typeof actual === "string") {
    if (op === "contains") return actual.includes(value.value);
    if (op === "startswith") return actual.startsWith(value.value);
    return ordered(actual, op, value.value);
  }
  if (value.kind === "bytes" && actual instanceof Uint8Array) {
    if (op === "contains") return indexOf(actual, value.value) >= 0;
    if (op === "startswith") return startsWith(actual, value.value);
    if (op === "==") return equal(actual, value.value);
    if (op === "!=") return !equal(actual, value.value);
  }
  throw new Error(`filter: cannot compare ${typeof actual} with ${value.kind} by ${op}`);
}

function ordered<T extends number | string>(a: T, op: CompareOp, b: T): boolean {
  switch (op) {
    case "==":
      return a === b;
    case "!=":
      return a !== b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
    default:
      throw new Error(`filter: ${op} does not order`);
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && startsWith(a, b);
}

function startsWith(a: Uint8Array, prefix: Uint8Array): boolean {
  if (prefix.length > a.length) return false;
  for (let i = 0; i < prefix.length; i++) if (a[i] !== prefix[i]) return false;
  return true;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
