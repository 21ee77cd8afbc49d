/**
 * A filter tree as an SQL condition, every value a bound parameter: on the node's own
 * Exchange table (SQLite), or on the fleet's FleetExchange table (PostgreSQL, the
 * "postgres" dialect: history and export across nodes). Column names come from the field
 * table, never from the filter text.
 * Each comparison is two-valued (0 or 1, never NULL: a nullable column is guarded with
 * IS NOT NULL), so NOT behaves as in evaluate.ts: a comparison with a null field is
 * false and its negation true. Bytes compare as BLOBs: instr() for contains, substr()
 * for startswith (after a length test).
 */
import { Prisma } from "../../persistence/generated/client";
import { compare } from "./evaluate";
import { type CommandPair, FIELDS, type FieldDef } from "./fields";
import type { FilterAst } from "./parser";

const ORDER_OPS = new Set(["==", "!=", "<", "<=", ">", ">="]);

type Compare = Extract<FilterAst, { kind: "compare" }>;

/**
 * sqlite: the local log, where `node` is a constant and `+` steers SQLite's planner.
 * postgres: the shared store, where `node` is a column, the planner has statistics (no
 * `+`, which PostgreSQL would also refuse on text), conditions are booleans, and every
 * parameter is cast to its column's type so the driver's parameter typing cannot matter.
 */
export type SqlDialect = "sqlite" | "postgres";

export function toSql(ast: FilterAst, dialect: SqlDialect = "sqlite"): Prisma.Sql {
  const indexed = dialect === "sqlite" ? indexedTerm(ast) : undefined;
  return treeSql(ast, { dialect, indexed });
}

interface Context {
  dialect: SqlDialect;
  indexed: Compare | undefined;
}

function treeSql(ast: FilterAst, cx: Context): Prisma.Sql {
  switch (ast.kind) {
    case "and":
      return Prisma.sql`(${treeSql(ast.left, cx)} AND ${treeSql(ast.right, cx)})`;
    case "or":
      return Prisma.sql`(${treeSql(ast.left, cx)} OR ${treeSql(ast.right, cx)})`;
    case "not":
      return Prisma.sql`(NOT ${treeSql(ast.operand, cx)})`;
    case "compare":
      return cx.dialect === "postgres" ? pgCompareSql(ast) : compareSql(ast, ast === cx.indexed);
  }
}

/**
 * Fields whose `==` may use their index (prisma/migrations/20261202130000_filter_indexes),
 * most selective first. An index on one column keeps its entries in id order within a
 * value, so `col = ?` walks it newest first with no sort, like the primary key. Measured
 * on 1,000,000 rows (`npm run bench:history`): `status == timeout` (0.1%) 20 ms → 3 ms a
 * page; an unselective value costs the same either way. `status == ok` is most of the log
 * and never gets the index. busId has none: a handful of buses, nothing to gain.
 */
const INDEXED_EQUALITY: readonly string[] = ["status", "user", "handler"];

/**
 * The one comparison allowed to use an index: an `==` on an indexed field that must hold
 * for the whole filter (reached from the root through `and` only). One at most, so SQLite
 * never has to guess between two indexes without statistics (it guessed the unselective
 * one in the measurements); under `or` or `not` every term keeps its `+`.
 */
function indexedTerm(ast: FilterAst): Compare | undefined {
  const terms: Compare[] = [];
  const walk = (node: FilterAst) => {
    if (node.kind === "and") {
      walk(node.left);
      walk(node.right);
    } else if (node.kind === "compare") terms.push(node);
  };
  walk(ast);
  const candidates = terms.filter(
    (t) =>
      t.op === "==" &&
      t.value.kind === "string" &&
      INDEXED_EQUALITY.includes(t.field) &&
      !(t.field === "status" && t.value.value === "ok"),
  );
  candidates.sort((a, b) => INDEXED_EQUALITY.indexOf(a.field) - INDEXED_EQUALITY.indexOf(b.field));
  return candidates[0];
}

/**
 * A column as an operand. The unary `+` (a no-op on any value) keeps filter terms off the
 * indexes, so the history's pages stay a walk of the primary key in id order (history.ts):
 * a range or a (netFn, cmd) term on an index would sort every match for every page. Only
 * the term indexedTerm() picks goes bare.
 */
function column(name: string, indexed = false): Prisma.Sql {
  return Prisma.raw(indexed ? `"${name}"` : `+"${name}"`);
}

function compareSql(ast: Compare, indexed: boolean): Prisma.Sql {
  const field = FIELDS.get(ast.field);
  if (!field) throw new Error(`filter: unknown field ${ast.field}`);
  if (field.constant) {
    // Every row has the same value (the local log is this node's): the term is true or false.
    const hit = ast.value.kind === "null" ? ast.op === "!=" : compare(field.constant(), ast.op, ast.value);
    return Prisma.raw(hit ? "(1)" : "(0)");
  }
  const col = column(field.column, indexed);
  const { op, value } = ast;
  if (value.kind === "null")
    return op === "==" ? Prisma.sql`(${col} IS NULL)` : Prisma.sql`(${col} IS NOT NULL)`;
  let condition: Prisma.Sql;
  if (value.kind === "commands") {
    const any = Prisma.join(value.commands.map(commandSql), " OR ");
    const guarded = Prisma.sql`${column("netFn")} IS NOT NULL AND ${column("cmd")} IS NOT NULL`;
    return op === "==" ? Prisma.sql`(${guarded} AND (${any}))` : Prisma.sql`(${guarded} AND NOT (${any}))`;
  }
  const param = value.kind === "bytes" ? blob(value.value) : value.value;
  const empty = (op === "contains" || op === "startswith") && length(value) === 0;
  // Everything contains and starts with nothing (SQLite's substr(x, 1, 0) is text, not a BLOB).
  if (empty) condition = Prisma.sql`1`;
  else if (op === "contains") condition = Prisma.sql`instr(${col}, ${param}) > 0`;
  else if (op === "startswith") condition = startsWith(col, length(value), param);
  else if (ORDER_OPS.has(op)) condition = Prisma.sql`${col} ${Prisma.raw(op === "==" ? "=" : op)} ${param}`;
  else throw new Error(`filter: unknown operator ${op}`);
  return guard(col, field, condition);
}

/** substr() counts characters (code points) in text and bytes in a BLOB. */
function length(value: { kind: string; value: string | Uint8Array | number }): number {
  if (typeof value.value === "string") return [...value.value].length;
  if (value.value instanceof Uint8Array) return value.value.length;
  throw new Error("filter: startswith needs text or bytes");
}

/** SQLite's substr() of an empty BLOB is NULL, not an empty BLOB: the length test keeps this two-valued. */
function startsWith(col: Prisma.Sql, n: number, prefix: unknown): Prisma.Sql {
  return Prisma.sql`length(${col}) >= ${n} AND substr(${col}, 1, ${n}) = ${prefix}`;
}

function guard(col: Prisma.Sql, field: FieldDef, condition: Prisma.Sql): Prisma.Sql {
  return field.nullable ? Prisma.sql`(${col} IS NOT NULL AND ${condition})` : Prisma.sql`(${condition})`;
}

function commandSql(c: CommandPair): Prisma.Sql {
  return c.group === undefined
    ? Prisma.sql`(${column("netFn")} = ${c.netFn} AND ${column("cmd")} = ${c.cmd})`
    : Prisma.sql`(${column("netFn")} = ${c.netFn} AND ${column("cmd")} = ${c.cmd} AND ${startsWith(column("request"), 1, blob(Uint8Array.of(c.group)))})`;
}

/** Bytes as a BLOB parameter. */
function blob(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A comparison on FleetExchange. Two-valued like the SQLite form (nullable columns
 * guarded). position() finds text in text and bytes in bytes; substr() and length() count
 * characters of text and bytes of bytea, as SQLite's do. (Text fields take no ordering
 * operators, so the cluster's collation never decides a match.)
 */
function pgCompareSql(ast: Compare): Prisma.Sql {
  const field = FIELDS.get(ast.field);
  if (!field) throw new Error(`filter: unknown field ${ast.field}`);
  const col = Prisma.raw(`"${field.column}"`);
  const { op, value } = ast;
  if (value.kind === "null")
    return op === "==" ? Prisma.sql`(${col} IS NULL)` : Prisma.sql`(${col} IS NOT NULL)`;
  if (value.kind === "commands") {
    const any = Prisma.join(value.commands.map(pgCommandSql), " OR ");
    const guarded = Prisma.sql`"netFn" IS NOT NULL AND "cmd" IS NOT NULL`;
    return op === "==" ? Prisma.sql`(${guarded} AND (${any}))` : Prisma.sql`(${guarded} AND NOT (${any}))`;
  }
  const param = pgParam(value.value, field);
  let condition: Prisma.Sql;
  if ((op === "contains" || op === "startswith") && length(value) === 0) condition = Prisma.sql`TRUE`;
  else if (op === "contains") condition = Prisma.sql`position(${param} in ${col}) > 0`;
  else if (op === "startswith") condition = pgStartsWith(col, length(value), param);
  else if (ORDER_OPS.has(op)) condition = Prisma.sql`${col} ${Prisma.raw(op === "==" ? "=" : op)} ${param}`;
  else throw new Error(`filter: unknown operator ${op}`);
  return field.nullable ? Prisma.sql`(${col} IS NOT NULL AND ${condition})` : Prisma.sql`(${condition})`;
}

function pgStartsWith(col: Prisma.Sql, n: number, prefix: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`length(${col}) >= ${n}::int AND substr(${col}, 1, ${n}::int) = ${prefix}`;
}

/** A value as a typed parameter: integers as int8 (an int column's index still serves), times and fractions as float8. */
function pgParam(value: string | number | Uint8Array, field: FieldDef): Prisma.Sql {
  if (value instanceof Uint8Array) return Prisma.sql`${blob(value)}::bytea`;
  if (typeof value === "string") return Prisma.sql`${value}::text`;
  return Number.isInteger(value) && field.type !== "time"
    ? Prisma.sql`${value}::int8`
    : Prisma.sql`${value}::float8`;
}

function pgCommandSql(c: CommandPair): Prisma.Sql {
  const pair = Prisma.sql`"netFn" = ${c.netFn}::int8 AND "cmd" = ${c.cmd}::int8`;
  if (c.group === undefined) return Prisma.sql`(${pair})`;
  const group = Prisma.sql`${blob(Uint8Array.of(c.group))}::bytea`;
  return Prisma.sql`(${pair} AND ${pgStartsWith(Prisma.raw('"request"'), 1, group)})`;
}
