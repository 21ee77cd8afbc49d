/**
 * Keyset paging over a table of the fleet's store (FleetExchange, FleetAudit): one node's
 * rows by id on the (node, id) key, every node's by (time, node, id), since ids repeat
 * across nodes. The time column is the table's own ("receivedAt", "at"); cursors are
 * history-cursor.ts's, so a page of the history and of the audit hand out the same kind.
 */
import { formatCursor, type HistoryCursor, parseCursor } from "../traffic/history-cursor";
import type { FleetDatabase } from "./fleet-database";
import { Prisma } from "./generated/client";

/** Whose rows: one node's, or "all" of them. */
export type FleetScope = { node: string } | "all";

export interface KeysetTable<Row extends { node: string; id: number }> {
  /** The table's name, as in the schema. */
  table: string;
  /** `SELECT <columns> FROM "<table>"`: what a row holds. */
  select: Prisma.Sql;
  /** The indexed time column, ms since the epoch. */
  timeColumn: string;
  timeOf(row: Row): number;
}

export interface NewestPage<Row> {
  rows: Row[];
  /** One node's next page as an id (the local log's `nextBefore`); null for every node, or at the end. */
  nextBefore: number | null;
  nextCursor: string | null;
}

export interface Keyset<Row extends { node: string; id: number }> {
  /** `node = <name>` for one node; nothing for all. */
  scopeConditions(scope: FleetScope): Prisma.Sql[];
  /** Newest first: a page of `limit` rows past the query's cursor (`cursor`, or `before` for one node). */
  newest(
    db: FleetDatabase,
    scope: FleetScope,
    conditions: readonly Prisma.Sql[],
    query: { limit: number; before?: number | undefined; cursor?: string | undefined },
  ): Promise<NewestPage<Row>>;
  /**
   * Oldest first, `pageSize` rows at a time, up to what the store held at the start (one
   * node's newest id then, or for every node the time then), so an export ends while the
   * nodes keep shipping.
   */
  oldestFirst(
    db: FleetDatabase,
    scope: FleetScope,
    conditions: readonly Prisma.Sql[],
    pageSize: number,
  ): AsyncGenerator<Row[], void, undefined>;
}

export function keyset<Row extends { node: string; id: number }>(t: KeysetTable<Row>): Keyset<Row> {
  const time = Prisma.raw(`"${t.timeColumn}"`);
  const where = (conditions: readonly Prisma.Sql[]) =>
    conditions.length === 0 ? Prisma.empty : Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}`;
  const orderBy = (scope: FleetScope, direction: "ASC" | "DESC") => {
    const d = Prisma.raw(direction);
    return scope === "all"
      ? Prisma.sql`ORDER BY ${time} ${d}, "node" ${d}, "id" ${d}`
      : Prisma.sql`ORDER BY "id" ${d}`;
  };
  /** "Past the cursor" in the order walked: `<` newest first, `>` oldest first. */
  const pastCursor = (cursor: HistoryCursor, op: "<" | ">") => {
    const o = Prisma.raw(op);
    return cursor.kind === "id"
      ? Prisma.sql`"id" ${o} ${cursor.id}::int8`
      : Prisma.sql`(${time}, "node", "id") ${o} (${cursor.receivedAt}::float8, ${cursor.node}::text, ${cursor.id}::int8)`;
  };
  const cursorOf = (scope: FleetScope, row: Row): HistoryCursor =>
    scope === "all"
      ? { kind: "time", receivedAt: t.timeOf(row), node: row.node, id: row.id }
      : { kind: "id", id: row.id };
  /** historySource refuses a wrong cursor first; the RangeError is for callers that did not ask it. */
  const queryCursor = (
    scope: FleetScope,
    query: { before?: number | undefined; cursor?: string | undefined },
  ): HistoryCursor | undefined => {
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
  };
  const select = (
    db: FleetDatabase,
    scope: FleetScope,
    conditions: readonly Prisma.Sql[],
    direction: "ASC" | "DESC",
    limit: number,
  ) =>
    db.$queryRaw<Row[]>`${t.select} ${where(conditions)} ${orderBy(scope, direction)} LIMIT ${limit}::int8`;

  return {
    scopeConditions: (scope) => (scope === "all" ? [] : [Prisma.sql`"node" = ${scope.node}::text`]),
    async newest(db, scope, conditions, query) {
      const cursor = queryCursor(scope, query);
      const all = cursor ? [...conditions, pastCursor(cursor, "<")] : conditions;
      const rows = await select(db, scope, all, "DESC", query.limit + 1);
      const more = rows.length > query.limit;
      const page = more ? rows.slice(0, query.limit) : rows;
      const last = more ? page.at(-1) : undefined;
      return {
        rows: page,
        nextBefore: last && scope !== "all" ? last.id : null,
        nextCursor: last ? formatCursor(cursorOf(scope, last)) : null,
      };
    },
    async *oldestFirst(db, scope, conditions, pageSize) {
      const bounded = [...conditions];
      if (scope === "all") bounded.push(Prisma.sql`${time} <= ${Date.now()}::float8`);
      else {
        const top = await db.$queryRaw<{ hi: number | bigint | null }[]>`
          SELECT max("id") AS "hi" FROM ${Prisma.raw(`"${t.table}"`)} WHERE "node" = ${scope.node}::text`;
        const hi = top[0]?.hi;
        if (hi === null || hi === undefined) return;
        bounded.push(Prisma.sql`"id" <= ${Number(hi)}::int8`);
      }
      let cursor: HistoryCursor | undefined;
      for (;;) {
        const page = cursor ? [...bounded, pastCursor(cursor, ">")] : bounded;
        const rows = await select(db, scope, page, "ASC", pageSize);
        if (rows.length === 0) return;
        yield rows;
        if (rows.length < pageSize) return;
        cursor = cursorOf(scope, rows.at(-1)!);
      }
    },
  };
}
