/**
 * Keyset paging over a table of the fleet's store (FleetExchange, FleetAudit): one node's
 * rows by id on the (node, id) key, every node's by (time, node, id), since ids repeat
 * across nodes. The time column is the table's own ("receivedAt", "at"); cursors are
 * history-cursor.ts's, so a page of the history and of the audit hand out the same kind.
 */
import { type HistoryCursor, parseCursor } from "../traffic/history-cursor";
import { Prisma } from "./generated/client";

/** Whose rows: one node's, or "all" of them. */
export type FleetScope = { node: string } | "all";

export interface Keyset<Row extends { node: string; id: number }> {
  where(conditions: readonly Prisma.Sql[]): Prisma.Sql;
  orderBy(scope: FleetScope, direction: "ASC" | "DESC"): Prisma.Sql;
  /** "Past the cursor" in the order walked: `<` newest first, `>` oldest first. */
  pastCursor(cursor: HistoryCursor, op: "<" | ">"): Prisma.Sql;
  /** Where the page after `row` starts. */
  cursorOf(scope: FleetScope, row: Row): HistoryCursor;
  /**
   * The cursor a query names (`cursor`, or `before` for one node), checked against the
   * scope. historySource refuses a wrong one first; the RangeError is for callers that did not ask it.
   */
  queryCursor(
    scope: FleetScope,
    query: { before?: number | undefined; cursor?: string | undefined },
  ): HistoryCursor | undefined;
}

export function keyset<Row extends { node: string; id: number }>(
  timeColumn: string,
  timeOf: (row: Row) => number,
): Keyset<Row> {
  const time = Prisma.raw(`"${timeColumn}"`);
  return {
    where: (conditions) =>
      conditions.length === 0 ? Prisma.empty : Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}`,
    orderBy(scope, direction) {
      const d = Prisma.raw(direction);
      return scope === "all"
        ? Prisma.sql`ORDER BY ${time} ${d}, "node" ${d}, "id" ${d}`
        : Prisma.sql`ORDER BY "id" ${d}`;
    },
    pastCursor(cursor, op) {
      const o = Prisma.raw(op);
      return cursor.kind === "id"
        ? Prisma.sql`"id" ${o} ${cursor.id}::int8`
        : Prisma.sql`(${time}, "node", "id") ${o} (${cursor.receivedAt}::float8, ${cursor.node}::text, ${cursor.id}::int8)`;
    },
    cursorOf: (scope, row) =>
      scope === "all"
        ? { kind: "time", receivedAt: timeOf(row), node: row.node, id: row.id }
        : { kind: "id", id: row.id },
    queryCursor(scope, query) {
      if (query.cursor !== undefined) {
        const cursor = parseCursor(query.cursor);
        if (cursor?.kind !== (scope === "all" ? "time" : "id"))
          throw new RangeError(`invalid cursor for ${scope === "all" ? "every node" : "one node"}`);
        return cursor;
      }
      if (query.before === undefined) return undefined;
      if (scope === "all")
        throw new RangeError("`before` names an id of one node; use `cursor` for every node");
      return { kind: "id", id: query.before };
    },
  };
}
