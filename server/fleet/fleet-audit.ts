/**
 * The audit trail of other nodes, or of every node at once, read from the fleet's shared
 * store (FleetAudit in PostgreSQL), where each node ships its own entries (issue 14: "C's
 * audit trail and the shared one say who did it from where").
 *
 * Paged as the history is (fleet-history.ts): one node by id, newest first, on the
 * (node, id) key; every node by (at, node, id), since ids repeat across nodes, on the `at`
 * index, with the cursor of history-cursor.ts (its time field carries `at`). The detail is
 * the JSON text the node wrote, returned parsed as the node's own log returns it.
 */
import type { AuditEntryDto, AuditPage } from "../contract/control";
import { auditCsvHeader, auditCsvLine, auditDetail, auditNdjsonLine } from "../control/audit-log";
import { formatCursor, type HistoryCursor, parseCursor } from "../traffic/history-cursor";
import type { FleetDatabase } from "./fleet-database";
import type { FleetScope } from "./fleet-history";
import { Prisma } from "./generated/client";

interface FleetAuditRow {
  node: string;
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  detail: string | null;
}

export const FLEET_AUDIT_EXPORT_PAGE_SIZE = 1000;

const SELECT = Prisma.sql`SELECT "node", "id", "at", "actor", "action", "target", "detail" FROM "FleetAudit"`;

function where(conditions: readonly Prisma.Sql[]): Prisma.Sql {
  return conditions.length === 0 ? Prisma.empty : Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}`;
}

function scopeConditions(scope: FleetScope): Prisma.Sql[] {
  return scope === "all" ? [] : [Prisma.sql`"node" = ${scope.node}::text`];
}

/** Keyset order: one node by id, every node by (at, node, id). */
function orderBy(scope: FleetScope, direction: "ASC" | "DESC"): Prisma.Sql {
  const d = Prisma.raw(direction);
  return scope === "all"
    ? Prisma.sql`ORDER BY "at" ${d}, "node" ${d}, "id" ${d}`
    : Prisma.sql`ORDER BY "id" ${d}`;
}

/** The condition "after the cursor" in the order walked (`<` newest first, `>` oldest first). */
function pastCursor(cursor: HistoryCursor, op: "<" | ">"): Prisma.Sql {
  const o = Prisma.raw(op);
  return cursor.kind === "id"
    ? Prisma.sql`"id" ${o} ${cursor.id}::int8`
    : Prisma.sql`("at", "node", "id") ${o} (${cursor.receivedAt}::float8, ${cursor.node}::text, ${cursor.id}::int8)`;
}

function cursorOf(scope: FleetScope, row: FleetAuditRow): HistoryCursor {
  return scope === "all"
    ? { kind: "time", receivedAt: row.at, node: row.node, id: row.id }
    : { kind: "id", id: row.id };
}

/**
 * The cursor a query names, checked against the scope. historySource refuses a wrong one
 * before this runs; the RangeError is for callers that skipped it.
 */
function queryCursor(
  scope: FleetScope,
  query: { before?: number | undefined; cursor?: string | undefined },
): HistoryCursor | undefined {
  if (query.cursor !== undefined) {
    const cursor = parseCursor(query.cursor);
    if (cursor?.kind !== (scope === "all" ? "time" : "id"))
      throw new RangeError(`invalid cursor for ${scope === "all" ? "every node" : "one node"}`);
    return cursor;
  }
  if (query.before === undefined) return undefined;
  if (scope === "all") throw new RangeError("`before` names an id of one node; use `cursor` for every node");
  return { kind: "id", id: query.before };
}

function rowToDto(row: FleetAuditRow): AuditEntryDto {
  const { node, id, at, actor, action, target } = row;
  return { node, id, at, actor, action, target, detail: auditDetail(row.detail) };
}

function selectRows(
  db: FleetDatabase,
  scope: FleetScope,
  conditions: readonly Prisma.Sql[],
  direction: "ASC" | "DESC",
  limit: number,
): Promise<FleetAuditRow[]> {
  return db.$queryRaw<
    FleetAuditRow[]
  >`${SELECT} ${where(conditions)} ${orderBy(scope, direction)} LIMIT ${limit}::int8`;
}

/** One page of the store's audit trail, newest first; `nextCursor` for the next (older) page. */
export async function fleetAuditPage(
  db: FleetDatabase,
  scope: FleetScope,
  query: { limit: number; before?: number | undefined; cursor?: string | undefined },
): Promise<AuditPage> {
  const conditions = scopeConditions(scope);
  const cursor = queryCursor(scope, query);
  if (cursor) conditions.push(pastCursor(cursor, "<"));
  const rows = await selectRows(db, scope, conditions, "DESC", query.limit + 1);
  const more = rows.length > query.limit;
  const page = more ? rows.slice(0, query.limit) : rows;
  const last = more ? page.at(-1) : undefined;
  return {
    entries: page.map(rowToDto),
    nextBefore: last && scope !== "all" ? last.id : null,
    nextCursor: last ? formatCursor(cursorOf(scope, last)) : null,
  };
}

/**
 * The store's audit entries as CSV (a leading `node` column) or NDJSON (each line with its
 * `node`), oldest first, a keyset page at a time. Bounded by what the store held when it
 * started (one node's newest id, or for every node the time then), so it ends while the
 * nodes keep shipping.
 */
export async function* exportFleetAudit(
  db: FleetDatabase,
  scope: FleetScope,
  format: "csv" | "ndjson",
  pageSize = FLEET_AUDIT_EXPORT_PAGE_SIZE,
): AsyncGenerator<string, void, undefined> {
  if (format === "csv") yield auditCsvHeader({ node: true });
  const conditions = scopeConditions(scope);
  if (scope === "all") conditions.push(Prisma.sql`"at" <= ${Date.now()}::float8`);
  else {
    const top = await db.$queryRaw<{ hi: number | bigint | null }[]>`
      SELECT max("id") AS "hi" FROM "FleetAudit" WHERE "node" = ${scope.node}::text`;
    const hi = top[0]?.hi;
    if (hi === null || hi === undefined) return;
    conditions.push(Prisma.sql`"id" <= ${Number(hi)}::int8`);
  }
  let cursor: HistoryCursor | undefined;
  for (;;) {
    const page = cursor ? [...conditions, pastCursor(cursor, ">")] : conditions;
    const rows = await selectRows(db, scope, page, "ASC", pageSize);
    if (rows.length === 0) return;
    yield rows
      .map(rowToDto)
      .map((e) => (format === "csv" ? auditCsvLine(e, { node: true }) : auditNdjsonLine(e)))
      .join("");
    if (rows.length < pageSize) return;
    cursor = cursorOf(scope, rows.at(-1)!);
  }
}
