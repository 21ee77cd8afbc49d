/**
 * How IPMI's small recurring fields read for people: record and reservation ids, byte
 * counts, requester ids (IPMI 2.0 section 5.5, table 5-4), channel numbers (section 6.3).
 */
import { hexByte } from "../hex";
import { h16 } from "../layout/format";

/** Record IDs: FFFFh as "next" means there is none (Get SDR / Get SEL Entry). */
export function nextRecordId(v: number): string {
  return v === 0xffff ? "FFFFh (last record)" : h16(v);
}

export function reservationId(v: number): string {
  return v === 0 ? "0000h (none)" : h16(v);
}

/** Requested record id: 0000h is the first record, FFFFh the last. */
export function requestedRecordId(v: number): string {
  if (v === 0x0000) return "0000h (first)";
  if (v === 0xffff) return "FFFFh (last)";
  return h16(v);
}

export function bytesToRead(v: number): string {
  return v === 0xff ? "FFh (entire record)" : `${v} bytes`;
}

export function byteCount(v: number): string {
  return `${v} ${v === 1 ? "byte" : "bytes"}`;
}

/** An 8-bit slave address or system software ID (IPMI 2.0 section 5.5, table 5-4). */
export function requesterId(v: number): string {
  if ((v & 1) === 0) return `IPMB slave address ${hexByte(v)}`;
  let kind = "Reserved";
  if (v <= 0x1f) kind = "BIOS";
  else if (v <= 0x3f) kind = "SMI Handler";
  else if (v <= 0x5f) kind = "System Management Software";
  else if (v <= 0x7f) kind = "OEM";
  else if (v <= 0x8d) kind = "Remote Console software";
  else if (v === 0x8f) kind = "Terminal Mode Remote Console software";
  return `System software ID ${hexByte(v)} (${kind})`;
}

/** Channel numbers (section 6.3). */
export function channelLabel(n: number): string {
  if (n === 0x0) return "0 (Primary IPMB)";
  if (n === 0xe) return "Eh (present interface)";
  if (n === 0xf) return "Fh (system interface)";
  if (n <= 0xb) return `${n}`;
  return `${n.toString(16).toUpperCase()}h (reserved)`;
}
