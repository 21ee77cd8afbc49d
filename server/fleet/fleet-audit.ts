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
import { formatCursor, type HistoryCursor } from "../traffic/history-cursor";
import type { FleetDatabase } from "./fleet-database";
import { type FleetScope, keyset } from "./fleet-keyset";
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

const { where, orderBy, pastCursor, cursorOf, queryCursor } = keyset<FleetAuditRow>("at", (r) => r.at);

function scopeConditions(scope: FleetScope): Prisma.Sql[] {
  return scope === "all" ? [] : [Prisma.sql`"node" = ${scope.node}::text`];
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
