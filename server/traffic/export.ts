/**
 * Streams the exchange log as CSV or NDJSON, oldest first, in chunks of one keyset
 * page (by id) each: memory stays bounded by the page size whatever the log holds.
 * The export ends at the newest id present when it started, so it terminates while
 * the router keeps logging.
 */
import type { ExportQuery } from "../contract/api";
import type { RemoteExchange } from "../contract/exchange";
import type { Database } from "../persistence/database";
import { Prisma } from "../persistence/generated/client";
import { type CsvOptions, csvHeader, exchangeCsvLine, exchangeNdjsonLine } from "./formats";
import {
  exchangeFilterConditions,
  idWindow,
  maxExchangeId,
  rowToExchange,
  selectExchangeRows,
} from "./history";
import {
  concatBytes,
  exchangeHpm2Records,
  exchangeWireRecords,
  LINKTYPE_IPMI_HPM_2,
  LINKTYPE_RAW,
  pcapGlobalHeader,
} from "./pcap";

export const EXPORT_PAGE_SIZE = 1000;

export function exportContentType(format: ExportQuery["format"]): string {
  if (format === "pcap" || format === "pcap-wire") return "application/vnd.tcpdump.pcap";
  return format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8";
}

/** A chunk of an export: text (CSV, NDJSON) or bytes (pcap, pcap-wire). */
export type ExportChunk = string | Uint8Array;

/** CSV's header line or pcap's global header, before the first record; nothing for NDJSON. */
export function exportHeader(format: ExportQuery["format"], options: CsvOptions = {}): ExportChunk | null {
  if (format === "csv") return csvHeader(options);
  if (format === "pcap") return pcapGlobalHeader(LINKTYPE_IPMI_HPM_2);
  if (format === "pcap-wire") return pcapGlobalHeader(LINKTYPE_RAW);
  return null;
}

/**
 * A page of records in the export's format: text for CSV and NDJSON, bytes for pcap and
 * pcap-wire (server/traffic/pcap.ts); null when the page adds nothing (pcap of records
 * without frames). `node` puts the fleet node first in CSV (NDJSON carries it anyway).
 */
export function exportPage(
  records: readonly RemoteExchange[],
  format: ExportQuery["format"],
  options: CsvOptions = {},
): ExportChunk | null {
  if (format === "pcap" || format === "pcap-wire") {
    const encode = format === "pcap" ? exchangeHpm2Records : exchangeWireRecords;
    const parts: Uint8Array[] = [];
    for (const x of records) parts.push(...encode(x));
    return parts.length > 0 ? concatBytes(parts) : null;
  }
  let chunk = "";
  for (const x of records) chunk += format === "csv" ? exchangeCsvLine(x, options) : exchangeNdjsonLine(x);
  return chunk;
}

/**
 * Yields the header (CSV, pcap) and then one chunk per page of up to `pageSize` records:
 * text for CSV and NDJSON, bytes for pcap and pcap-wire (server/traffic/pcap.ts).
 * `from` and `to` bound receivedAt (ms since the epoch), both inclusive.
 */
export async function* exportExchanges(
  db: Database,
  query: ExportQuery,
  pageSize = EXPORT_PAGE_SIZE,
): AsyncGenerator<ExportChunk, void, undefined> {
  const header = exportHeader(query.format);
  if (header !== null) yield header;

  let hi = await maxExchangeId(db);
  let after: number | null = null;
  const conditions = exchangeFilterConditions(query);
  // The query's from/to and the filter's own time bounds, as ids (history.ts idWindow).
  const range = await idWindow(db, query);
  if (range === null) return;
  if (range) {
    after = range.lo - 1;
    hi = Math.min(hi, range.hi);
  }
  if (query.from !== undefined || query.to !== undefined) {
    // `+` keeps these terms off the receivedAt index: the pages walk the primary key.
    if (query.from !== undefined) conditions.push(Prisma.sql`+"receivedAt" >= ${query.from}`);
    if (query.to !== undefined) conditions.push(Prisma.sql`+"receivedAt" <= ${query.to}`);
  }
  for (;;) {
    const idRange =
      after === null ? Prisma.sql`"id" <= ${hi}` : Prisma.sql`"id" > ${after} AND "id" <= ${hi}`;
    const rows = await selectExchangeRows(db, [idRange, ...conditions], "asc", pageSize);
    if (rows.length === 0) return;
    const chunk = exportPage(rows.map(rowToExchange), query.format);
    if (chunk !== null) yield chunk;
    after = rows.at(-1)!.id;
    if (rows.length < pageSize || after >= hi) return;
  }
}
