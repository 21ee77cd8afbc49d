import type { ExchangeLogHealth, HealthResponse } from "@/server/contract/api";

/**
 * The History page's state that is not React's: what the URL holds (filter, highlight,
 * page size), the keyset paging over the log (newest first, `cursor` = the previous
 * page's `nextCursor`: an id on one node's log, time-node-id across the fleet's), and the
 * query each page asks GET /api/exchanges for.
 */

export const PAGE_SIZES = [100, 500, 1000] as const;
export type PageSize = (typeof PAGE_SIZES)[number];
export const DEFAULT_PAGE_SIZE: PageSize = 100;

/** What a link to the History page carries: `?filter=&highlight=&size=`. */
export interface HistoryUrlState {
  filter: string;
  highlight: string;
  size: PageSize;
}

export function isPageSize(value: number): value is PageSize {
  return (PAGE_SIZES as readonly number[]).includes(value);
}

/** A page size from text: one of PAGE_SIZES, anything else the default. */
export function parsePageSize(text: string | null | undefined): PageSize {
  const n = Number(text);
  return text != null && text !== "" && isPageSize(n) ? n : DEFAULT_PAGE_SIZE;
}

/** The view from the page's query string (`?filter=...&highlight=...&size=...`). */
export function readHistoryUrl(query: URLSearchParams): HistoryUrlState {
  return {
    filter: query.get("filter") ?? "",
    highlight: query.get("highlight") ?? "",
    size: parsePageSize(query.get("size")),
  };
}

/** Next's `searchParams` record as URLSearchParams (a repeated key keeps its first value). */
export function searchParamsOf(record: Record<string, string | string[] | undefined>): URLSearchParams {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(record)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) q.set(key, first);
  }
  return q;
}

/**
 * The query string for a view, keeping any other parameters of `current`; blank boxes
 * and the default page size are left out. Starts with "?" unless empty.
 */
export function historySearch(state: HistoryUrlState, current = ""): string {
  const q = new URLSearchParams(current);
  for (const [key, value] of [
    ["filter", state.filter],
    ["highlight", state.highlight],
  ] as const) {
    if (value.trim() === "") q.delete(key);
    else q.set(key, value);
  }
  if (state.size === DEFAULT_PAGE_SIZE) q.delete("size");
  else q.set("size", String(state.size));
  const search = q.toString();
  return search === "" ? "" : `?${search}`;
}

/** Where the view is in the log: the page's cursor (null: the newest page) and the pages above it. */
export interface Paging {
  before: string | null;
  /** The cursor of each newer page, the newest first; "Newer" goes back to the last one. */
  newer: readonly (string | null)[];
}

export const FIRST_PAGE: Paging = { before: null, newer: [] };

/** The next older page, from the shown page's `nextCursor` (null: the log ends here, stay). */
export function olderPage(p: Paging, nextCursor: string | null): Paging {
  if (nextCursor === null) return p;
  return { before: nextCursor, newer: [...p.newer, p.before] };
}

/** The page above this one (the newest page stays where it is). */
export function newerPage(p: Paging): Paging {
  if (p.newer.length === 0) return p;
  return { before: p.newer[p.newer.length - 1] ?? null, newer: p.newer.slice(0, -1) };
}

/** 0 for the newest page. */
export function pageIndex(p: Paging): number {
  return p.newer.length;
}

/**
 * GET /api/exchanges's query string for a page of a (server-side) filter; `node` (the
 * console's node choice: another node's name or "all") reads the fleet's shared store.
 */
export function pageQuery(filter: string, size: PageSize, p: Paging, node: string | null = null): string {
  const q = new URLSearchParams({ limit: String(size) });
  if (p.before !== null) q.set("cursor", p.before);
  if (filter.trim() !== "") q.set("filter", filter);
  if (node !== null) q.set("node", node);
  return q.toString();
}

/**
 * "Rows 101–200" for the rows shown, counted from the newest match (every page above
 * this one was full); "No rows" for an empty page.
 */
export function rowsLabel(p: Paging, size: PageSize, shown: number): string {
  if (shown === 0) return pageIndex(p) === 0 ? "No rows" : "No older rows";
  const first = pageIndex(p) * size + 1;
  return `Rows ${first}–${first + shown - 1}`;
}

/** The log's size, oldest record and retention, when GET /api/health reports them (`HealthResponse.log`). */
export type LogInfo = Pick<ExchangeLogHealth, "sizeBytes" | "oldestId" | "oldestReceivedAt"> & {
  retention: ExchangeLogHealth["retention"] | null;
};

function numberOr(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** ms since the epoch, or an ISO 8601 text. */
function timeOr(value: unknown): number | null {
  if (typeof value === "string" && value !== "") {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  return numberOr(value);
}

function retentionOf(value: unknown): LogInfo["retention"] {
  if (typeof value !== "object" || value === null) return null;
  const r = value as Record<string, unknown>;
  return { days: numberOr(r.days), rows: numberOr(r.rows), pruned: numberOr(r.pruned) ?? 0 };
}

/**
 * The log figures of a health answer, read defensively (a server older than
 * `HealthResponse.log` has none); null when it has none of them.
 */
export function logInfoOf(health: Pick<HealthResponse, "log"> | null | undefined): LogInfo | null {
  const log: unknown = health?.log;
  if (typeof log !== "object" || log === null) return null;
  const l = log as Record<string, unknown>;
  const info: LogInfo = {
    sizeBytes: numberOr(l.sizeBytes),
    oldestId: numberOr(l.oldestId),
    oldestReceivedAt: timeOr(l.oldestReceivedAt),
    retention: retentionOf(l.retention),
  };
  return info.sizeBytes === null && info.oldestId === null && info.oldestReceivedAt === null ? null : info;
}

/** "30 days", "1000000 rows", "30 days or 1000000 rows"; null without a limit. */
export function retentionLabel(r: LogInfo["retention"]): string | null {
  if (r === null) return null;
  const parts: string[] = [];
  if (r.days !== null) parts.push(`${r.days} day${r.days === 1 ? "" : "s"}`);
  if (r.rows !== null) parts.push(`${r.rows} rows`);
  return parts.length === 0 ? null : parts.join(" or ");
}

/** 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}
