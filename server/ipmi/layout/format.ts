/**
 * How layouts write values for people: hex with the spec's trailing "h", code-table
 * names, flags, BCD, versions, timestamps, GUIDs.
 */
import { hexByte, toHex } from "../hex";
import type { DecodedField } from "./decoded";

/** What a formatter makes of a value: the text, or the text with sub-fields. */
export type Described = string | { value: string; children?: DecodedField[] };

/** A field from a name, a described value and the hex of its bytes. */
export function field(name: string, described: Described, raw?: string): DecodedField {
  const value = typeof described === "string" ? described : described.value;
  const children = typeof described === "string" ? undefined : described.children;
  const f: DecodedField = { name, value };
  if (raw !== undefined) f.raw = raw;
  if (children !== undefined && children.length > 0) f.children = children;
  return f;
}

// ---------------------------------------------------------------------------------------
// Formatting

export function h8(v: number): string {
  return hexByte(v);
}

export function h16(v: number): string {
  return hexN(v, 4);
}

/** Hex with the spec's trailing "h", `digits` wide: hexN(0x157, 6) -> "000157h". */
export function hexN(v: number, digits: number): string {
  return `${v.toString(16).toUpperCase().padStart(digits, "0")}h`;
}

/** "20 01 00", or "none" for no bytes. */
export function hexText(b: Uint8Array): string {
  return b.length === 0 ? "none" : toHex(b);
}

export function dec(v: number): string {
  return String(v);
}

export function yesNo(v: boolean | number): string {
  return v ? "yes" : "no";
}

/** "Temperature (01h)"; an unnamed code is "<fallback> (xxh)". */
export function named(code: number, name: string | undefined, fallback = "Reserved"): string {
  return `${name ?? fallback} (${hexByte(code)})`;
}

/** A lookup in a code table, as `named` writes it. */
export function lookup(
  table: ReadonlyMap<number, string>,
  fallback: string | ((code: number) => string) = "Reserved",
): (code: number) => string {
  return (code) => named(code, table.get(code), typeof fallback === "string" ? fallback : fallback(code));
}

/** One bit of a flags byte, in the order the spec lists them (most significant first). */
export type BitName = readonly [bit: number, name: string];

/** Sub-fields "name: yes/no" for the named bits of `v`. */
export function bitFields(v: number, bits: readonly BitName[]): DecodedField[] {
  return bits.map(([bit, name]) => ({ name, value: yesNo((v >> bit) & 1) }));
}

/** A flags byte: its hex, and each named bit as a sub-field. */
export function flags(bits: readonly BitName[]): (v: number) => Described {
  return (v) => ({ value: hexByte(v), children: bitFields(v, bits) });
}

/** Bits `hi`..`lo` of `v`. */
export function bitsOf(v: number, hi: number, lo: number): number {
  return (v >> lo) & ((1 << (hi - lo + 1)) - 1);
}

/** Two's complement value of a `width`-bit field. */
export function signed(v: number, width: number): number {
  return v & (1 << (width - 1)) ? v - (1 << width) : v;
}

/** Two BCD digits ("05"), or undefined when a nibble is not a decimal digit. */
export function bcd(v: number): string | undefined {
  const hi = v >> 4;
  const lo = v & 0x0f;
  return hi > 9 || lo > 9 ? undefined : `${hi}${lo}`;
}

/** IPMI and SDR/SEL versions: major in bits 3:0, minor in bits 7:4. 02h -> "2.0", 51h -> "1.5". */
export function version(v: number): string {
  return `${v & 0x0f}.${v >> 4}`;
}

/** Seconds with their plural: "1 second", "30 seconds", "6553.5 seconds". */
export function seconds(s: number): string {
  return `${formatNumber(s)} ${s === 1 ? "second" : "seconds"}`;
}

/** A number without float noise: 0.1 * 3 -> "0.3". */
export function formatNumber(n: number): string {
  return String(Number.parseFloat(n.toPrecision(10)));
}

/** Largest value of a "pre-init" timestamp (IPMI 2.0 section 37.1: 0-20000000h count from init). */
const PRE_INIT_MAX = 0x20000000;

/** An IPMI timestamp (seconds since 1970-01-01 UTC) as ISO 8601 text. */
export function timestamp(v: number): string {
  if (v === 0xffffffff) return "unspecified (FFFFFFFFh)";
  if (v <= PRE_INIT_MAX) return `${v} s after initialization (pre-init timestamp)`;
  return isoSeconds(v);
}

/** "2024-05-01T12:00:00Z" for seconds since the epoch. */
export function isoSeconds(v: number): string {
  return new Date(v * 1000).toISOString().replace(".000Z", "Z");
}

/** Printable ASCII of the bytes, other bytes as "."; for FRU data and such. */
export function ascii(b: Uint8Array): string {
  let out = "";
  for (const c of b) out += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : ".";
  return out;
}

/** A GUID string, reading the 16 bytes in the given order (indexes into `b`). */
function guidFrom(b: Uint8Array, order: readonly number[]): string {
  const hex = order.map((i) => b[i]!.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const REVERSED = Array.from({ length: 16 }, (_, i) => 15 - i);
/** SMBIOS order: time fields little-endian, clock sequence and node as sent. */
const SMBIOS = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];

/**
 * Get Device GUID / Get System GUID data. IPMI 2.0 section 20.8 (with the Wired for
 * Management layout freeipmi also follows) sends the GUID least significant byte first:
 * node, clock sequence, time high, time mid, time low, so the text is the bytes reversed.
 * Many BMCs send the SMBIOS order instead; that reading is given as a sub-field.
 */
export function guid(b: Uint8Array): Described {
  const text = guidFrom(b, REVERSED);
  // time_high_and_version is bytes 9-10, LS byte first: the version is the top nibble of byte 10.
  const ver = b[9]! >> 4;
  return {
    value: text,
    children: [
      { name: "Version", value: String(ver) },
      { name: "Read in SMBIOS order", value: guidFrom(b, SMBIOS) },
    ],
  };
}
