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

const pages = keyset<FleetAuditRow>({
  table: "FleetAudit",
  select: Prisma.sql`SELECT "node", "id", "at", "actor", "action", "target", "detail" FROM "FleetAudit"`,
  timeColumn: "at",
  timeOf: (r) => r.at,
});

function rowToDto(row: FleetAuditRow): AuditEntryDto {
  const { node, id, at, actor, action, target } = row;
  return { node, id, at, actor, action, target, detail: auditDetail(row.detail) };
}

/** One page of the store's audit trail, newest first; `nextCursor` for the next (older) page. */
export async function fleetAuditPage(
  db: FleetDatabase,
  scope: FleetScope,
  query: { limit: number; before?: number | undefined; cursor?: string | undefined },
): Promise<AuditPage> {
  const page = await pages.newest(db, scope, pages.scopeConditions(scope), query);
  return { entries: page.rows.map(rowToDto), nextBefore: page.nextBefore, nextCursor: page.nextCursor };
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
  for await (const rows of pages.oldestFirst(db, scope, pages.scopeConditions(scope), pageSize)) {
    yield rows
      .map(rowToDto)
      .map((e) => (format === "csv" ? auditCsvLine(e, { node: true }) : auditNdjsonLine(e)))
      .join("");
  }
}
