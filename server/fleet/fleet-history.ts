/**
 * The history and the export of other nodes, or of every node at once, read from the
 * fleet's shared store (FleetExchange in PostgreSQL) with the same filter language as the
 * node's own log (filter/sql.ts, "postgres" dialect, where `node` is a real column).
 *
 * One node: pages by id, newest first, on the (node, id) primary key, as the local log
 * does. Every node: ids repeat across nodes, so pages go by (receivedAt, node, id), newest
 * first, on the receivedAt index; the cursor carries all three (history-cursor.ts).
 *
 * The store is as fresh as each node's shipping (its lag is in /api/fleet): a node's
 * newest exchanges may be a batch behind its own log, and the dashboard says so.
 */
import type { ExchangesPage, ExchangesQuery, ExportQuery } from "../contract/api";
import { type ExchangeDto, type RemoteExchange, toExchangeDto } from "../contract/exchange";
import { EXCHANGE_COLUMN_LIST } from "../traffic/columns";
import { type ExportChunk, exportHeader, exportPage } from "../traffic/export";
import { type Filter, isBlankFilter, parseFilter } from "../traffic/filter";
import { timeBounds } from "../traffic/filter/time-bounds";
import { type ExchangeRow, rowToExchange } from "../traffic/history";
import { parseCursor } from "../traffic/history-cursor";
import type { FleetDatabase } from "./fleet-database";
import { type FleetScope, keyset } from "./fleet-keyset";
import { Prisma } from "./generated/client";

type FleetRow = ExchangeRow & { node: string };

export type { FleetScope };

const pages = keyset<FleetRow>({
  table: "FleetExchange",
  select: Prisma.raw(`SELECT "node", ${EXCHANGE_COLUMN_LIST} FROM "FleetExchange"`),
  timeColumn: "receivedAt",
  timeOf: (r) => r.receivedAt,
});

const DEFAULT_LIMIT = 100;
export const FLEET_EXPORT_PAGE_SIZE = 1000;

function compiled(text: string): Filter {
  const parsed = parseFilter(text);
  if (!parsed.ok) throw new RangeError(`invalid filter at ${parsed.position}: ${parsed.error}`);
  return parsed.filter;
}

type Bounds = { from?: number | undefined; to?: number | undefined };

/** The query's fields, its filter and its time window as conditions on FleetExchange. */
export function fleetConditions(scope: FleetScope, query: ExchangesQuery | ExportQuery): Prisma.Sql[] {
  const c = pages.scopeConditions(scope);
  if (query.bus !== undefined) c.push(Prisma.sql`"busId" = ${query.bus}::text`);
  if (query.status !== undefined) c.push(Prisma.sql`"status" = ${query.status}::text`);
  if (query.netFn !== undefined) c.push(Prisma.sql`"netFn" = ${query.netFn}::int8`);
  if (query.cmd !== undefined) c.push(Prisma.sql`"cmd" = ${query.cmd}::int8`);
  const bounds: Bounds = "from" in query ? { from: query.from, to: query.to } : {};
  if (!isBlankFilter(query.filter)) {
    const filter = compiled(query.filter!);
    c.push(filter.pgSql);
    // Stated once more as plain ranges so the planner finds the receivedAt index.
    const b = timeBounds(filter.ast);
    if (b.from !== undefined) bounds.from = Math.max(bounds.from ?? b.from, b.from);
    if (b.to !== undefined) bounds.to = Math.min(bounds.to ?? b.to, b.to);
  }
  if (bounds.from !== undefined) c.push(Prisma.sql`"receivedAt" >= ${bounds.from}::float8`);
  if (bounds.to !== undefined) c.push(Prisma.sql`"receivedAt" <= ${bounds.to}::float8`);
  return c;
}

export function fleetRowToDto(row: FleetRow): ExchangeDto {
  return { ...toExchangeDto(rowToExchange(row)), node: row.node };
}

function fleetRowToExchange(row: FleetRow): RemoteExchange {
  return { ...rowToExchange(row), node: row.node };
}

/** One page of the store's history, newest first; `nextCursor` for the next (older) page. */
export async function fleetExchangesPage(
  db: FleetDatabase,
  scope: FleetScope,
  query: ExchangesQuery,
): Promise<ExchangesPage> {
  const page = await pages.newest(db, scope, fleetConditions(scope, query), {
    ...query,
    limit: query.limit ?? DEFAULT_LIMIT,
  });
  return {
    exchanges: page.rows.map(fleetRowToDto),
    nextBefore: page.nextBefore,
    nextCursor: page.nextCursor,
  };
}

/** The newest exchanges of some nodes (a live view's backfill), newest first. */
export async function fleetLatest(
  db: FleetDatabase,
  nodes: "all" | readonly string[],
  filter: Filter | undefined,
  limit: number,
): Promise<ExchangeDto[]> {
  if (nodes !== "all" && nodes.length === 0) return [];
  const conditions: Prisma.Sql[] = [];
  if (nodes !== "all") {
    const list = Prisma.join(nodes.map((n) => Prisma.sql`${n}::text`));
    conditions.push(Prisma.sql`"node" IN (${list})`);
  }
  if (filter) conditions.push(filter.pgSql);
  const page = await pages.newest(db, "all", conditions, { limit });
  return page.rows.map(fleetRowToDto);
}

/**
 * The store's exchanges as CSV (a leading `node` column), NDJSON (each line with its
 * `node`) or pcap, oldest first, a keyset page at a time. Bounded by what the store held
 * when it started: one node's newest id then, or for every node the time then, so it ends
 * while the nodes keep shipping.
 */
export async function* exportFleetExchanges(
  db: FleetDatabase,
  scope: FleetScope,
  query: ExportQuery,
  pageSize = FLEET_EXPORT_PAGE_SIZE,
): AsyncGenerator<ExportChunk, void, undefined> {
  const header = exportHeader(query.format, { node: true });
  if (header !== null) yield header;
  for await (const rows of pages.oldestFirst(db, scope, fleetConditions(scope, query), pageSize)) {
    const chunk = exportPage(rows.map(fleetRowToExchange), query.format, { node: true });
    if (chunk !== null) yield chunk;
  }
}

/** What a history or export query reads: this node's own log, or the shared store. */
export type HistorySource = { kind: "local" } | { kind: "fleet"; db: FleetDatabase; scope: FleetScope };

/**
 * Why a query cannot be read, as the route answers it. A value rather than an exception:
 * the route and the runtime are separate bundles, and an error class does not cross.
 */
export interface HistoryRefusal {
  status: 400 | 404 | 503;
  error: string;
}

export interface HistoryFleet {
  readonly node: string;
  store(): Promise<FleetDatabase>;
  /** Every node the store knows (gone ones too: their history stays). */
  nodeNames(): Promise<string[]>;
}

/**
 * The source for a query's `node`, its `cursor` (or `before`) checked against it. Absent or
 * this node: the local log (SQLite, always freshest). "all": the store; on a node alone,
 * "all" is just this one. Another name: the store, if it knows the node (404 otherwise, as
 * the control routes answer). A store that does not answer is 503: the local log still is
 * there without `node`. The exchange history and the audit trail both read through this.
 */
export async function historySource(
  query: { node?: string | undefined; cursor?: string | undefined; before?: number | undefined },
  self: string,
  fleet: HistoryFleet | undefined,
): Promise<HistorySource | { refused: HistoryRefusal }> {
  const source = await sourceOf(query.node, self, fleet);
  if ("refused" in source) return source;
  const wanted = source.kind === "fleet" && source.scope === "all" ? "time" : "id";
  // An id means nothing across nodes (ids repeat): 400 here, not a failed read later.
  if (query.cursor === undefined && query.before !== undefined && wanted === "time")
    return {
      refused: { status: 400, error: "`before` names an id of one node; pass `cursor` for every node" },
    };
  if (query.cursor === undefined) return source;
  if (parseCursor(query.cursor)?.kind === wanted) return source;
  return {
    refused: {
      status: 400,
      error: `invalid cursor: pass back the nextCursor of a page of the same log (${wanted === "time" ? "every node's" : "one node's"})`,
    },
  };
}

async function sourceOf(
  node: string | undefined,
  self: string,
  fleet: HistoryFleet | undefined,
): Promise<HistorySource | { refused: HistoryRefusal }> {
  if (node === undefined || node === self) return { kind: "local" };
  if (!fleet) {
    if (node === "all") return { kind: "local" };
    return {
      refused: { status: 404, error: `no node '${node}': this node runs alone (no FLEET_DATABASE_URL)` },
    };
  }
  let db: FleetDatabase;
  let names: string[];
  try {
    db = await fleet.store();
    names = node === "all" ? [] : await fleet.nodeNames();
  } catch (err) {
    return {
      refused: {
        status: 503,
        error: `the fleet store does not answer (${err instanceof Error ? err.message : String(err)}); this node's own log is still readable without ?node=`,
      },
    };
  }
  if (node === "all") return { kind: "fleet", db, scope: "all" };
  if (!names.includes(node)) return { refused: { status: 404, error: `no node '${node}' in the fleet` } };
  return { kind: "fleet", db, scope: { node } };
}
