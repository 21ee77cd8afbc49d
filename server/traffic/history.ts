/**
 * Reading the exchange log back: the history page (newest first, keyset paging by
 * id), counts, and the mapping from a database row to the Exchange record.
 *
 * Pages are read with raw SQL rather than findMany so the query plan stays a walk of
 * the primary key in id order: for "netFn = ?" alone (or a receivedAt range) SQLite
 * would otherwise pick that column's index and sort every match for every page, which
 * makes paging through a large log quadratic. A unary `+` keeps such a term off the
 * index. netFn and cmd together use the (netFn, cmd) index, which SQLite keeps in id
 * order within a pair, so no sort either; so does `status` with its own index (and one
 * `==` term of a filter expression, filter/sql.ts).
 */
import type { ExchangesPage, ExchangesQuery } from "../contract/api";
import type { Exchange, ExchangeOrigin, ExchangeStatus, SessionPayload } from "../contract/exchange";
import { toExchangeDto } from "../contract/exchange";
import type { Privilege } from "../ipmi/commands/define";
import type { Database } from "../persistence/database";
import { type Exchange as ExchangeRow, Prisma } from "../persistence/generated/client";
import type { BusKind } from "../router/types";
import { EXCHANGE_COLUMN_LIST } from "./columns";
import { type Filter, isBlankFilter, parseFilter } from "./filter";
import { timeBounds } from "./filter/time-bounds";
import { parseCursor } from "./history-cursor";

export type { ExchangeRow };

/** The filters the history page and the export share. */
export interface ExchangeFilter {
  bus?: string | undefined;
  netFn?: number | undefined;
  cmd?: number | undefined;
  status?: ExchangeStatus | undefined;
  /** A filter expression (docs/filters.md); blank means none. Throws if invalid: check it first. */
  filter?: string | undefined;
}

/** The filter as SQL conditions (to be joined with AND). */
export function exchangeFilterConditions(filter: ExchangeFilter): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [];
  if (filter.bus !== undefined) conditions.push(Prisma.sql`"busId" = ${filter.bus}`);
  if (filter.status !== undefined) conditions.push(Prisma.sql`"status" = ${filter.status}`);
  if (filter.netFn !== undefined && filter.cmd !== undefined) {
    conditions.push(Prisma.sql`"netFn" = ${filter.netFn} AND "cmd" = ${filter.cmd}`);
  } else if (filter.netFn !== undefined) {
    conditions.push(Prisma.sql`+"netFn" = ${filter.netFn}`);
  } else if (filter.cmd !== undefined) {
    conditions.push(Prisma.sql`"cmd" = ${filter.cmd}`);
  }
  if (!isBlankFilter(filter.filter)) conditions.push(compiledFilter(filter.filter!).sql);
  return conditions;
}

function compiledFilter(text: string): Filter {
  const parsed = parseFilter(text);
  if (!parsed.ok) throw new RangeError(`invalid filter at ${parsed.position}: ${parsed.error}`);
  return parsed.filter;
}

/**
 * The ids that can hold matches of a time window: the query's `from`/`to` (the export's)
 * and the filter's own `time` bounds (filter/time-bounds.ts), found with the receivedAt
 * index. `undefined`: no time bound, every id; `null`: no record in the window.
 */
export async function idWindow(
  db: Database,
  query: ExchangeFilter & { from?: number | undefined; to?: number | undefined },
): Promise<{ lo: number; hi: number } | null | undefined> {
  let { from, to } = query;
  if (!isBlankFilter(query.filter)) {
    const b = timeBounds(compiledFilter(query.filter!).ast);
    if (b.from !== undefined) from = from === undefined ? b.from : Math.max(from, b.from);
    if (b.to !== undefined) to = to === undefined ? b.to : Math.min(to, b.to);
  }
  if (from === undefined && to === undefined) return undefined;
  const bounds: Prisma.Sql[] = [];
  if (from !== undefined) bounds.push(Prisma.sql`"receivedAt" >= ${from}`);
  if (to !== undefined) bounds.push(Prisma.sql`"receivedAt" <= ${to}`);
  const rows = await db.$queryRaw<{ lo: number | bigint | null; hi: number | bigint | null }[]>`
    SELECT min("id") AS "lo", max("id") AS "hi" FROM "Exchange" WHERE ${Prisma.join(bounds, " AND ")}`;
  const row = rows[0];
  if (!row || row.lo === null || row.hi === null) return null;
  return { lo: Number(row.lo), hi: Number(row.hi) };
}

/** SELECT of whole rows with the conditions, in id order, at most `limit` rows. */
export function selectExchangeRows(
  db: Database,
  conditions: readonly Prisma.Sql[],
  order: "asc" | "desc",
  limit: number,
): Promise<ExchangeRow[]> {
  const where =
    conditions.length === 0 ? Prisma.empty : Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}`;
  const direction = Prisma.raw(order === "asc" ? "ASC" : "DESC");
  return db.$queryRaw<ExchangeRow[]>`SELECT ${Prisma.raw(EXCHANGE_COLUMN_LIST)} FROM "Exchange" ${where}
    ORDER BY "id" ${direction} LIMIT ${limit}`;
}

/** Bytes as a plain Uint8Array (a view, not a copy, when the driver hands back a Buffer). */
export function toUint8Array(bytes: Uint8Array): Uint8Array {
  if (bytes.constructor === Uint8Array) return bytes;
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A database row (from findMany or $queryRaw) as the Exchange record. */
export function rowToExchange(row: ExchangeRow): Exchange {
  return {
    id: row.id,
    busId: row.busId,
    busKind: row.busKind as BusKind,
    origin: row.origin as ExchangeOrigin,
    seq: row.seq,
    netFn: row.netFn,
    lun: row.lun,
    cmd: row.cmd,
    request: toUint8Array(row.request),
    cc: row.cc,
    response: row.response === null ? null : toUint8Array(row.response),
    handlerId: row.handlerId,
    status: row.status as ExchangeStatus,
    receivedAt: row.receivedAt,
    answeredAt: row.answeredAt,
    latencyUs: row.latencyUs,
    note: row.note,
    frame: row.frame === null ? null : toUint8Array(row.frame),
    responseFrame: row.responseFrame === null ? null : toUint8Array(row.responseFrame),
    relatedId: row.relatedId,
    ruleId: row.ruleId,
    payload: row.payload as SessionPayload | null,
    peer: row.peer,
    user: row.user,
    privilege: row.privilege as Privilege | null,
    sessionId: row.sessionId,
  };
}

const DEFAULT_LIMIT = 100;

/** The page's upper id bound: the cursor (this log's is the id as text) or `before`. */
function beforeOf(query: ExchangesQuery): number | undefined {
  if (query.cursor === undefined) return query.before;
  const cursor = parseCursor(query.cursor);
  if (cursor?.kind !== "id") throw new RangeError("invalid cursor: not one of this log's");
  return cursor.id;
}

/** One page of the history, newest first. Pass `nextBefore` as `before` for the next (older) page. */
export async function exchangesPage(db: Database, query: ExchangesQuery): Promise<ExchangesPage> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  const conditions = exchangeFilterConditions(query);
  const window = await idWindow(db, query);
  if (window === null) return { exchanges: [], nextBefore: null, nextCursor: null };
  const below = Math.min(
    beforeOf(query) ?? Number.POSITIVE_INFINITY,
    (window?.hi ?? Number.POSITIVE_INFINITY) + 1,
  );
  if (Number.isFinite(below)) conditions.unshift(Prisma.sql`"id" < ${below}`);
  if (window) conditions.unshift(Prisma.sql`"id" >= ${window.lo}`);
  const rows = await selectExchangeRows(db, conditions, "desc", limit + 1);
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  const nextBefore = more ? page.at(-1)!.id : null;
  return {
    exchanges: page.map((row) => toExchangeDto(rowToExchange(row))),
    nextBefore,
    nextCursor: nextBefore === null ? null : String(nextBefore),
  };
}

export function countExchanges(db: Database): Promise<number> {
  return db.exchange.count();
}

/** The highest id in the log, 0 when it is empty: the router numbers on from here after a restart. */
export async function maxExchangeId(db: Database): Promise<number> {
  // findFirst is "ORDER BY id DESC LIMIT 1" (one b-tree step); aggregate({_max}) scans an index.
  const last = await db.exchange.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
  return last?.id ?? 0;
}
