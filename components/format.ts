/**
 * Pure formatting helpers for the console. No React, no DOM: everything here is
 * unit-tested in format.test.ts. Relative imports keep it loadable by a bare vitest.
 */
import { type ExchangeDto, SESSION_PAYLOAD_NAMES } from "../server/contract/exchange";
import { commandLabel } from "../server/ipmi/commands";
import { completionCodeName } from "../server/ipmi/completion-codes";
import { hexByte, parseHex } from "../server/ipmi/hex";
import { RMCP_PLUS_STATUS_CODES } from "../server/ipmi/lan/rakp";
import { NETFN, netFnName, requestNetFn } from "../server/ipmi/netfn";

export const DASH = "—";

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** Local wall-clock time of an epoch-ms instant: "HH:MM:SS.mmm". */
export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getHours(), 2)}:${pad(d.getMinutes(), 2)}:${pad(d.getSeconds(), 2)}.${pad(d.getMilliseconds(), 3)}`;
}

/** ISO 8601 (UTC) with ms, or a dash for null. */
export function formatIso(ms: number | null): string {
  return ms === null ? DASH : new Date(ms).toISOString();
}

/** Latency given in µs, shown in ms with two decimals: 1234 -> "1.23 ms". */
export function formatLatency(latencyUs: number | null): string {
  if (latencyUs === null || !Number.isFinite(latencyUs)) return DASH;
  return `${(latencyUs / 1000).toFixed(2)} ms`;
}

/** Two lower-case hex digits ("c1"), or "" when there is no byte (for data attributes). */
export function hex2(value: number | null): string {
  return value === null ? "" : (value & 0xff).toString(16).padStart(2, "0");
}

/** "C1h Invalid Command"; a dash when no completion code was sent. */
export function ccLabel(cc: number | null): string {
  if (cc === null) return DASH;
  return `${hexByte(cc)} ${completionCodeName(cc)}`;
}

/** "App (06h)"; a dash when the frame had no netfn. */
export function netFnLabel(netFn: number | null): string {
  if (netFn === null) return DASH;
  return `${netFnName(netFn)} (${hexByte(netFn)})`;
}

/** Bytes of a wire hex string ("20 01 00"); empty for null or unparsable text. */
export function bytesOf(hex: string | null): Uint8Array {
  if (hex === null) return new Uint8Array(0);
  const parsed = parseHex(hex);
  return parsed.ok ? parsed.bytes : new Uint8Array(0);
}

/** The group extension body code of a 2Ch request (its first data byte). */
export function groupOf(netFn: number | null, requestHex: string): number | undefined {
  if (netFn === null || requestNetFn(netFn) !== NETFN.GROUP_EXTENSION) return undefined;
  return bytesOf(requestHex)[0];
}

/** The fields that name an exchange's command; `payload` is absent in older callers' values. */
export type CommandFields = Pick<ExchangeDto, "netFn" | "cmd" | "request"> & {
  payload?: ExchangeDto["payload"];
};

/**
 * The command's name for an exchange ("Get Device ID", "Cmd 5Ah"), the session-layer
 * payload's for a LAN handshake record ("RAKP 1 / RAKP 2"), or a dash for a headerless frame.
 */
export function exchangeCommandLabel(x: CommandFields): string {
  if (x.payload) return SESSION_PAYLOAD_NAMES[x.payload];
  if (x.netFn === null || x.cmd === null) return DASH;
  return commandLabel(x.netFn, x.cmd, groupOf(x.netFn, x.request));
}

/** Whether an exchange's `cc` is an RMCP+ status code (table 13-15), not a completion code: the RMCP+ handshake. */
export function isRmcpPlusStatus(x: Pick<ExchangeDto, "payload">): boolean {
  return x.payload != null && x.payload !== "presence-ping";
}

/** The name of an exchange's answer code: an RMCP+ status for the handshake, else the completion code's; null when none was sent. */
export function exchangeCcName(x: Pick<ExchangeDto, "cc" | "payload">): string | null {
  if (x.cc === null) return null;
  if (isRmcpPlusStatus(x)) return RMCP_PLUS_STATUS_CODES.get(x.cc) ?? "Reserved";
  return completionCodeName(x.cc);
}

/** "C1h Invalid Command", "0Fh Invalid integrity check value" (an RMCP+ status); a dash when no code was sent. */
export function exchangeCcLabel(x: Pick<ExchangeDto, "cc" | "payload">): string {
  const name = exchangeCcName(x);
  return x.cc === null || name === null ? DASH : `${hexByte(x.cc)} ${name}`;
}

/** The null user's name as people read it (its name is empty, IPMI 2.0 22.28). */
export const NULL_USER_LABEL = "(null user)";

/**
 * Who sent an exchange: "alice@10.0.0.5:50123" in a LAN session, "(null user)@…" for the
 * null user, just the address outside a session, a dash on the system interface.
 */
export function exchangeFrom(x: Pick<ExchangeDto, "peer" | "user">): string {
  if (x.peer === null) return x.user === null ? DASH : x.user || NULL_USER_LABEL;
  if (x.user === null) return x.peer;
  return `${x.user || NULL_USER_LABEL}@${x.peer}`;
}

/**
 * What went back on the wire after the header: the completion code, then the data.
 * Null when nothing was answered.
 */
export function responseBytes(cc: number | null, responseHex: string | null): Uint8Array | null {
  if (cc === null && responseHex === null) return null;
  const data = bytesOf(responseHex);
  if (cc === null) return data;
  const out = new Uint8Array(data.length + 1);
  out[0] = cc & 0xff;
  out.set(data, 1);
  return out;
}

export interface HexDumpLine {
  /** "0000", "0010", ... */
  offset: string;
  /** 16 bytes as "20 01 00 ...", a wider gap after the eighth. */
  hex: string;
  /** Printable ASCII, "." for the rest. */
  ascii: string;
}

export const HEX_DUMP_WIDTH = 16;

/** Classic hex dump lines, 16 bytes a line. */
export function hexDumpLines(bytes: Uint8Array | readonly number[]): HexDumpLine[] {
  const lines: HexDumpLine[] = [];
  for (let start = 0; start < bytes.length; start += HEX_DUMP_WIDTH) {
    let hex = "";
    let ascii = "";
    const end = Math.min(start + HEX_DUMP_WIDTH, bytes.length);
    for (let i = start; i < end; i++) {
      const b = bytes[i]! & 0xff;
      if (i > start) hex += i - start === 8 ? "  " : " ";
      hex += b.toString(16).padStart(2, "0");
      ascii += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : ".";
    }
    lines.push({ offset: start.toString(16).padStart(4, "0"), hex, ascii });
  }
  return lines;
}

/**
 * Whether an exchange matches free text typed in the filter box: a case-insensitive
 * substring of its command label, netfn label (which includes the hex, "06h") or, for a
 * LAN exchange, who sent it ("alice@10.0.0.5:50123"). Empty text matches everything.
 */
export function matchesText(
  x: CommandFields & Partial<Pick<ExchangeDto, "peer" | "user">>,
  text: string,
): boolean {
  const q = text.trim().toLowerCase();
  if (q === "") return true;
  if (exchangeCommandLabel(x).toLowerCase().includes(q)) return true;
  if (netFnLabel(x.netFn).toLowerCase().includes(q)) return true;
  return (
    x.peer != null &&
    exchangeFrom({ peer: x.peer, user: x.user ?? null })
      .toLowerCase()
      .includes(q)
  );
}
