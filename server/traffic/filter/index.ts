/**
 * The traffic filter language (docs/filters.md), Wireshark display filter style:
 * `cmd == "Get Sensor Reading" and latency > 2ms`. One parse gives both a predicate
 * for live records and an SQL condition for the log, which select the same records.
 */
import type { Exchange } from "../../contract/exchange";
import type { Prisma } from "../../persistence/generated/client";
import { evaluate } from "./evaluate";
import { FilterSyntaxError } from "./lexer";
import { type FilterAst, parseFilterAst } from "./parser";
import { toSql } from "./sql";

export type { CompareOp, FilterValue } from "./fields";
export { getLocalNodeName, setLocalNodeName } from "./fields";
export { FilterSyntaxError } from "./lexer";
export type { FilterAst } from "./parser";

export interface Filter {
  /** The text it was parsed from. */
  readonly text: string;
  readonly ast: FilterAst;
  matches(x: Exchange): boolean;
  /** A WHERE condition on the Exchange table, values bound as parameters. */
  readonly sql: Prisma.Sql;
  /** The same condition on the fleet's FleetExchange table (PostgreSQL), `node` a real column. */
  readonly pgSql: Prisma.Sql;
}

export type ParseFilterResult =
  | { ok: true; filter: Filter }
  /** `position`: 0-based character offset in the text where the problem is. */
  | { ok: false; error: string; position: number };

export const MAX_FILTER_LENGTH = 2000;

export function compileFilter(ast: FilterAst, text = ""): Filter {
  let sql: Prisma.Sql | undefined;
  let pgSql: Prisma.Sql | undefined;
  return {
    text,
    ast,
    matches: (x) => evaluate(ast, x),
    get sql() {
      sql ??= toSql(ast);
      return sql;
    },
    get pgSql() {
      pgSql ??= toSql(ast, "postgres");
      return pgSql;
    },
  };
}

export function parseFilter(text: string): ParseFilterResult {
  if (text.length > MAX_FILTER_LENGTH) {
    return {
      ok: false,
      error: `filter longer than ${MAX_FILTER_LENGTH} characters`,
      position: MAX_FILTER_LENGTH,
    };
  }
  try {
    return { ok: true, filter: compileFilter(parseFilterAst(text), text) };
  } catch (err) {
    if (err instanceof FilterSyntaxError) return { ok: false, error: err.message, position: err.position };
    throw err;
  }
}

/** Blank text means "no filter". */
export function isBlankFilter(text: string | undefined): boolean {
  return text === undefined || text.trim() === "";
}
