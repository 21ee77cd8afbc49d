/**
 * Pure row formatters for the exchange export: CSV (RFC 4180) and NDJSON. No I/O;
 * export.ts feeds them pages read from the database.
 */
import {
  type Exchange,
  type RemoteExchange,
  SESSION_PAYLOAD_NAMES,
  toExchangeDto,
} from "../contract/exchange";
import { commandLabel } from "../ipmi/commands";
import { completionCodeName } from "../ipmi/completion-codes";
import { toHex } from "../ipmi/hex";
import { RMCP_PLUS_STATUS_CODES } from "../ipmi/lan/rakp";
import { NETFN, netFnName, requestNetFn } from "../ipmi/netfn";

export const CSV_COLUMNS = [
  "id",
  "received_at",
  "answered_at",
  "bus",
  "bus_kind",
  "origin",
  "seq",
  "netfn",
  "netfn_name",
  "lun",
  "cmd",
  "cmd_name",
  "request",
  "cc",
  "cc_name",
  "response",
  "latency_ms",
  "handler",
  "status",
  "rule",
  "peer",
  "user",
  "privilege",
  "session_id",
  "note",
] as const;

/** RFC 4180 line break, used between CSV records. */
export const CSV_EOL = "\r\n";

const NEEDS_QUOTES = /[",\r\n]/;

/** One CSV field: null is empty; text with a comma, quote or line break is quoted, quotes doubled. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "number" ? String(value) : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(fields: ReadonlyArray<string | number | null | undefined>): string {
  return fields.map(csvField).join(",") + CSV_EOL;
}

/** CSV options: `node` puts the fleet node's name first (an export of other nodes or of all). */
export interface CsvOptions {
  node?: boolean;
}

export function csvHeader(options: CsvOptions = {}): string {
  return csvLine(options.node ? ["node", ...CSV_COLUMNS] : CSV_COLUMNS);
}

/** ISO 8601 in UTC with milliseconds ("2026-11-23T21:13:05.123Z"); sub-ms digits are cut. null stays null. */
export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** "06" for 6; null stays null. */
export function hexByteOrNull(value: number | null): string | null {
  return value === null ? null : toHex([value]);
}

/** Latency in ms with 3 decimals (µs resolution): 1234 µs -> "1.234". */
export function latencyMs(latencyUs: number | null): string | null {
  return latencyUs === null ? null : (latencyUs / 1000).toFixed(3);
}

/** The command's name; group extension (2Ch) commands are named by the body code in the first data byte. */
export function exchangeCommandName(
  x: Pick<Exchange, "netFn" | "cmd" | "request"> & { payload?: Exchange["payload"] },
): string | null {
  if (x.payload) return SESSION_PAYLOAD_NAMES[x.payload];
  if (x.netFn === null || x.cmd === null) return null;
  const group = requestNetFn(x.netFn) === NETFN.GROUP_EXTENSION ? x.request[0] : undefined;
  return commandLabel(x.netFn, x.cmd, group);
}

/** A completion code's name, or for a session-layer record the RMCP+ status code's (table 13-15). */
export function ccName(x: Pick<Exchange, "cc" | "payload">): string | null {
  if (x.cc === null) return null;
  if (x.payload && x.payload !== "presence-ping") return RMCP_PLUS_STATUS_CODES.get(x.cc) ?? "Reserved";
  return completionCodeName(x.cc);
}

/** The CSV fields of an exchange, in CSV_COLUMNS order. */
export function exchangeCsvFields(x: Exchange): Array<string | number | null> {
  return [
    x.id,
    isoTime(x.receivedAt),
    isoTime(x.answeredAt),
    x.busId,
    x.busKind,
    x.origin,
    x.seq,
    hexByteOrNull(x.netFn),
    x.netFn === null ? null : netFnName(x.netFn),
    x.lun,
    hexByteOrNull(x.cmd),
    exchangeCommandName(x),
    toHex(x.request),
    hexByteOrNull(x.cc),
    ccName(x),
    x.response === null ? null : toHex(x.response),
    latencyMs(x.latencyUs),
    x.handlerId,
    x.status,
    x.ruleId,
    x.peer,
    x.user,
    x.privilege,
    x.sessionId,
    x.note,
  ];
}

/** One CSV record, ending in CRLF. */
export function exchangeCsvLine(x: RemoteExchange, options: CsvOptions = {}): string {
  return csvLine(options.node ? [x.node ?? null, ...exchangeCsvFields(x)] : exchangeCsvFields(x));
}

/** One NDJSON line: the ExchangeDto (bytes as hex), ending in LF. */
export function exchangeNdjsonLine(x: Exchange): string {
  return `${JSON.stringify(toExchangeDto(x))}\n`;
}
