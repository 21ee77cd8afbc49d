/**
 * FRU inventory layouts (Platform Management FRU Information Storage Definition v1.0,
 * rev 1.3): the common header every FRU image starts with (section 8, table 8-1), the
 * chassis, board and product info areas (sections 10, 11, 12: tables 10-1, 11-1, 12-1),
 * and the type/length-coded fields those areas hold (section 13). Each area is a multiple
 * of 8 bytes ending in a zero checksum. The BMC packs its FRU images with these layouts
 * (server/bmc/fru-image.ts); the dashboard decodes a Read FRU Data from offset 0 as the
 * header, and one holding a whole info area as that area's fields.
 */
import { hexByte, toHex } from "../hex";
import {
  type Bytes,
  bit,
  bits,
  bytes,
  type Codec,
  dependent,
  LayoutError,
  mapped,
  SHORT,
  struct,
  type Tree,
  u8,
  u24,
} from "../layout/codec";
import { Cursor, type Short, Writer } from "../layout/cursor";
import type { DecodedField } from "../layout/decoded";
import { field, h8, hexText, isoSeconds } from "../layout/format";
import { CHASSIS_TYPES } from "../spec/tables";
import { idString } from "./sdr";

/** Common header format version (section 8, byte 1 bits 3:0), and every info area's (10, 11, 12: byte 1). */
export const FRU_FORMAT_VERSION = 0x01;

/** Bytes of the common header, checksum included. */
export const FRU_COMMON_HEADER_LENGTH = 8;

/** Areas start at multiples of 8 bytes, and their length bytes count in them (section 8; 10, 11, 12 byte 2). */
export const FRU_AREA_UNIT = 8;

/** Most bytes an info area's length byte can count: 255 units of 8. */
const AREA_MAX_BYTES = 0xff * FRU_AREA_UNIT;

/** Type/length byte C1h: no more fields in the area (section 13: type 11b with length 1). */
export const FRU_END_OF_FIELDS = 0xc1;

/** Type/length bits 5:0: the most data bytes a field holds (section 13). */
export const FRU_FIELD_MAX = 0x3f;

/** Type/length bits 7:6, the type code (section 13). */
export const FRU_FIELD_TYPE = {
  BINARY: 0b00,
  BCD_PLUS: 0b01,
  SIX_BIT_ASCII: 0b10,
  /** 8-bit ASCII + Latin 1 in an English area, 2-byte Unicode (LS byte first) in any other. */
  TEXT: 0b11,
} as const;

/** Language code 25 is English ("en"), and 0, the default, reads as English too (section 15, table 15-1). */
export const FRU_LANGUAGE_ENGLISH = 25;

export function isEnglish(language: number): boolean {
  return language === 0 || language === FRU_LANGUAGE_ENGLISH;
}

/** The board's Mfg. Date/Time counts minutes from 0:00 hrs 1/1/96 (section 11, table 11-1), UTC. */
export const FRU_DATE_EPOCH_MS = Date.UTC(1996, 0, 1);

/** The byte that makes the sum of `bytes` and itself zero (mod 256): section 8 byte 8, and each area's last byte. */
export function zeroChecksum(bytes: readonly number[] | Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return (0x100 - sum) & 0xff;
}

function checksumText(got: number, expected: number): string {
  return got === expected ? `${h8(got)} (valid)` : `${h8(got)} (wrong: should be ${hexByte(expected)})`;
}

/** A value that does not fit an area's layout, with where in the area's value it is (["custom", 2]). */
export class FruLayoutError extends LayoutError {
  constructor(
    message: string,
    readonly path: readonly (string | number)[],
  ) {
    super(message);
    this.name = "FruLayoutError";
  }
}

/** `codec`'s bytes, then the zero checksum of them: written computed, read and checked. */
export function checksummed<O, I>(codec: Codec<O, I>, label: string): Codec<O, I> {
  return {
    minLength: codec.minLength + 1,
    maxLength: codec.maxLength + 1,
    read(c, tree) {
      const start = c.pos;
      const v = codec.read(c, tree);
      const covered = c.since(start);
      const b = c.take(1);
      if (v === SHORT || b === SHORT) return SHORT;
      tree?.push(field(label, checksumText(b[0]!, zeroChecksum(covered)), toHex(b)));
      return v;
    },
    write(w, v) {
      const inner = new Writer();
      codec.write(inner, v);
      const bytes = inner.finish();
      w.bytes(bytes);
      w.byte(zeroChecksum(bytes));
    },
  };
}

// ---- the common header (section 8) ---------------------------------------------------------------

/** An area's starting offset, in multiples of 8 bytes; 00h: the area is not present. */
const areaOffset = (label: string) =>
  u8(label, (v) => (v === 0 ? "00h (not present)" : `${h8(v)} (byte ${v * 8})`));

const formatVersion = (v: number) => (v === FRU_FORMAT_VERSION ? "1" : `${v} (unknown)`);

/** What the common header says: the format version and where each area starts (8-byte units, 0 = none). */
export interface FruCommonHeader {
  version: number;
  internalUse: number;
  chassis: number;
  board: number;
  product: number;
  multiRecord: number;
}

/** The common header (section 8, table 8-1): 8 bytes, the last a zero checksum. */
export const fruCommonHeader: Codec<FruCommonHeader> = checksummed(
  mapped(
    struct({
      format: bits(1, {
        version: bit("Format version", 0, 3, formatVersion),
        reserved: bit(undefined, 4, 7),
      }),
      internalUse: areaOffset("Internal use area offset"),
      chassis: areaOffset("Chassis info area offset"),
      board: areaOffset("Board area offset"),
      product: areaOffset("Product info area offset"),
      multiRecord: areaOffset("MultiRecord area offset"),
      pad: u8("Pad", h8),
    }),
    ({ format, pad: _pad, ...offsets }): FruCommonHeader => ({ version: format.version, ...offsets }),
    ({ version, ...offsets }: FruCommonHeader) => ({ format: { version, reserved: 0 }, ...offsets, pad: 0 }),
  ),
  "Checksum",
);

// ---- type/length-coded fields (section 13) -------------------------------------------------------

/** A type/length-coded field as read: its type code, its data bytes, and their text. */
export interface FruField {
  /** Type/length bits 7:6 (FRU_FIELD_TYPE). */
  type: number;
  bytes: Uint8Array;
  /** The text as the type (and for type 11b the area's language) codes it; binary data as hex. */
  text: string;
}

/**
 * What packs a field: text, written as 8-bit ASCII + Latin 1 (type 11b, English areas only),
 * or a type code and its data bytes (a field as read, or from `bcdPlus` / `sixBitAscii`).
 */
export type FruFieldIn = string | { readonly type: number; readonly bytes: Bytes };

/** Text as BCD plus (section 13.1): digits, space, dash, period; two a byte, the first in bits 7:4. */
export function bcdPlus(text: string): { type: number; bytes: Uint8Array } {
  const codes = Array.from(text, (ch) => {
    const code = "0123456789 -.".indexOf(ch);
    if (code < 0) throw new LayoutError(`"${ch}" has no BCD plus code (0-9, space, "-", ".")`);
    return code;
  });
  // An odd count ends in a space (Ah), the only filler the coding has.
  if (codes.length % 2 === 1) codes.push(0x0a);
  const out = new Uint8Array(codes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = (codes[2 * i]! << 4) | codes[2 * i + 1]!;
  return { type: FRU_FIELD_TYPE.BCD_PLUS, bytes: out };
}

/**
 * Text as 6-bit ASCII, packed (section 13): characters 20h-5Fh less 20h, four in three
 * bytes, the first in the least significant 6 bits of the first byte ("IPMI" is 29 DC A6).
 */
export function sixBitAscii(text: string): { type: number; bytes: Uint8Array } {
  const out = new Uint8Array(Math.ceil((text.length * 6) / 8));
  for (const [i, ch] of Array.from(text).entries()) {
    const code = ch.charCodeAt(0) - 0x20;
    if (code < 0 || code > 0x3f) throw new LayoutError(`"${ch}" is not 6-bit ASCII (20h-5Fh: no lower case)`);
    const at = i * 6;
    const word = code << (at & 7);
    out[at >> 3] = out[at >> 3]! | (word & 0xff);
    if (word > 0xff) out[(at >> 3) + 1] = out[(at >> 3) + 1]! | (word >> 8);
  }
  return { type: FRU_FIELD_TYPE.SIX_BIT_ASCII, bytes: out };
}

/** 2-byte Unicode, least significant byte first (section 13, type 11b outside English). */
function unicode(b: Uint8Array): string {
  let out = "";
  for (let i = 0; i + 1 < b.length; i += 2) {
    const c = b[i]! | (b[i + 1]! << 8);
    out += c >= 0x20 && (c < 0x7f || c >= 0xa0) ? String.fromCharCode(c) : ".";
  }
  return b.length % 2 === 1 ? `${out}.` : out;
}

function fieldText(type: number, b: Uint8Array, english: boolean): string {
  if (type === FRU_FIELD_TYPE.BINARY) return toHex(b);
  if (type === FRU_FIELD_TYPE.TEXT && !english) return unicode(b);
  // BCD plus, 6-bit ASCII and 8-bit ASCII + Latin 1 code text as SDR ID strings do (IPMI 2.0 43.15).
  return idString(type << 6, b);
}

const CODINGS = ["binary or unspecified", "BCD plus", "6-bit ASCII, packed"];

function typeLengthText(v: number, english: boolean): string {
  const type = v >> 6;
  const coding =
    type === FRU_FIELD_TYPE.TEXT
      ? english
        ? "8-bit ASCII + Latin 1"
        : "2-byte Unicode, LS byte first"
      : CODINGS[type]!;
  const n = v & FRU_FIELD_MAX;
  return `${coding}, ${n} ${n === 1 ? "byte" : "bytes"}`;
}

/** Text as 8-bit ASCII + Latin 1: printable characters only, so that it reads back as written. */
function latin1(label: string, s: string): Uint8Array {
  return Uint8Array.from(Array.from(s), (ch) => {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 || (code >= 0x7f && code < 0xa0) || code > 0xff) {
      throw new LayoutError(
        `${label}: "${ch}" (U+${code.toString(16).toUpperCase().padStart(4, "0")}) is not printable 8-bit ASCII + Latin 1`,
      );
    }
    return code;
  });
}

/** A field value as its type code and data bytes; throws LayoutError when section 13 has no room for it. */
function encodeField(label: string, v: FruFieldIn, english: boolean): { type: number; bytes: Bytes } {
  if (typeof v === "string") {
    if (!english && v.length > 0) {
      throw new LayoutError(
        `${label}: "${v}" cannot be 8-bit ASCII + Latin 1 here: the area's language is not English, ` +
          "so type 11b reads as 2-byte Unicode (FRU spec section 13); use language 0 or 25 (English)",
      );
    }
    return { type: FRU_FIELD_TYPE.TEXT, bytes: latin1(label, v) };
  }
  if (v === undefined || v === null) throw new LayoutError(`${label}: missing`);
  if (!Number.isInteger(v.type) || v.type < 0 || v.type > 3) {
    throw new LayoutError(`${label}: type ${v.type} does not fit 2 bits`);
  }
  return v;
}

/** A type/length byte and the field's data (section 13). `english`: how type 11b reads in this area. */
function typeLengthField(label: string, english: boolean): Codec<FruField, FruFieldIn> {
  return {
    minLength: 1,
    maxLength: 1 + FRU_FIELD_MAX,
    read(c, tree) {
      const start = c.pos;
      const tl = c.take(1);
      if (tl === SHORT) return SHORT;
      const type = tl[0]! >> 6;
      const typeLength = field("Type/length", typeLengthText(tl[0]!, english), toHex(tl));
      const b = c.take(tl[0]! & FRU_FIELD_MAX);
      if (b === SHORT) {
        tree?.push(field(label, { value: "", children: [typeLength] }, toHex(c.since(start))));
        return SHORT;
      }
      const text = fieldText(type, b, english);
      tree?.push(
        field(
          label,
          { value: b.length === 0 ? "(empty)" : text, children: [typeLength] },
          toHex(c.since(start)),
        ),
      );
      return { type, bytes: b.slice(), text };
    },
    write(w, v) {
      const { type, bytes: data } = encodeField(label, v, english);
      if (data.length > FRU_FIELD_MAX) {
        throw new LayoutError(`${label}: ${data.length} bytes, a field holds at most ${FRU_FIELD_MAX}`);
      }
      if (type === FRU_FIELD_TYPE.TEXT && data.length === 1) {
        throw new LayoutError(
          `${label}: one byte of type 11b would be C1h, the end-of-fields marker (FRU spec section 13 asks for 2 or more)`,
        );
      }
      w.byte((type << 6) | data.length);
      bytes(label, data.length).write(w, data);
    },
  };
}

/** A field of an area: the key of its value and the label the dashboard shows. */
interface FieldSlot<K extends string> {
  readonly key: K;
  readonly label: string;
}

type FieldsOut<K extends string> = { [P in K]: FruField } & { custom: FruField[] };
type FieldsIn<K extends string> = { readonly [P in K]: FruFieldIn } & {
  readonly custom?: readonly FruFieldIn[] | undefined;
};

/** Writes one field; a layout error says which field of the area it is. */
function writeAt(codec: Codec<FruField, FruFieldIn>, w: Writer, v: FruFieldIn, path: (string | number)[]) {
  try {
    codec.write(w, v);
  } catch (err) {
    if (err instanceof LayoutError && !(err instanceof FruLayoutError)) {
      throw new FruLayoutError(err.message, path);
    }
    throw err;
  }
}

/**
 * An area's type/length fields: the ones the area defines, in order, then its custom
 * fields, then C1h (sections 10, 11, 12: "Custom ... fields", "C1h (type/length byte
 * encoded to indicate no more info fields)"). Read until C1h: an area whose C1h comes
 * before all its defined fields is short of them.
 */
function typeLengthFields<K extends string>(
  slots: readonly FieldSlot<K>[],
  customLabel: string,
  english: boolean,
): Codec<FieldsOut<K>, FieldsIn<K>> {
  const defined = slots.map((s) => ({ key: s.key, codec: typeLengthField(s.label, english) }));
  const custom = (i: number) => typeLengthField(`${customLabel} ${i + 1}`, english);
  return {
    minLength: slots.length + 1,
    maxLength: AREA_MAX_BYTES,
    read(c, tree) {
      const out: Partial<Record<K, FruField>> = {};
      const customs: FruField[] = [];
      let i = 0;
      for (;;) {
        if (c.remaining > 0 && c.data[c.pos] === FRU_END_OF_FIELDS) {
          const end = c.take(1);
          if (end !== SHORT) tree?.push(field("End of fields", h8(FRU_END_OF_FIELDS), toHex(end)));
          break;
        }
        const slot = defined[i];
        const v = (slot?.codec ?? custom(i - defined.length)).read(c, tree);
        if (v === SHORT) return SHORT;
        if (slot) out[slot.key] = v;
        else customs.push(v);
        i++;
      }
      if (i < defined.length) {
        const missing = slots.slice(i).map((s) => s.label);
        tree?.push(field("(missing fields)", `the fields end before ${missing.join(", ")}`));
        return SHORT;
      }
      return { ...(out as Record<K, FruField>), custom: customs };
    },
    write(w, v) {
      for (const { key, codec } of defined) writeAt(codec, w, v[key], [key]);
      for (const [i, f] of (v.custom ?? []).entries()) writeAt(custom(i), w, f, ["custom", i]);
      w.byte(FRU_END_OF_FIELDS);
    },
  };
}

/** The fields of an area with a language code, laid out as the language says type 11b reads. */
function fieldsInLanguage<K extends string>(slots: readonly FieldSlot<K>[], customLabel: string) {
  const english = typeLengthFields(slots, customLabel, true);
  const other = typeLengthFields(slots, customLabel, false);
  return dependent({ minLength: english.minLength, maxLength: english.maxLength }, (earlier) =>
    typeof earlier.language === "number" && !isEnglish(earlier.language) ? other : english,
  );
}

// ---- info areas (sections 10, 11, 12) ------------------------------------------------------------

const areaFormat = bits(1, {
  version: bit("Format version", 0, 3, formatVersion),
  reserved: bit(undefined, 4, 7),
});

const areaLength = u8("Area length", (v) =>
  v === 0 ? "0 (invalid: an area takes at least 8 bytes)" : `${v} (${v * FRU_AREA_UNIT} bytes)`,
);

function paddingText(b: Uint8Array): string {
  const n = `${b.length} ${b.length === 1 ? "byte" : "bytes"}`;
  return b.every((x) => x === 0) ? `${n} of 00h` : `${n}, not all 00h: ${hexText(b)}`;
}

/** What reading an area found: its value, and the bytes between C1h and the checksum. */
interface AreaRead<O> {
  value: O | Short;
  padding?: Uint8Array;
}

/**
 * Reads an info area: format version, length (8-byte units), the body, which may not run
 * past the length, then the padding up to the last byte, the zero checksum of the area.
 */
function readArea<O>(body: Codec<O, never>, c: Cursor, tree?: Tree): AreaRead<O> {
  const start = c.pos;
  const format = areaFormat.read(c, tree);
  const length = areaLength.read(c, tree);
  if (format === SHORT || length === SHORT || length === 0) return { value: SHORT };
  const end = start + length * FRU_AREA_UNIT;
  const checksumAt = end - 1;
  // The body, in a cursor that ends where the area's checksum is (or the data, if sooner).
  const inner = new Cursor(c.data.subarray(c.pos, Math.min(checksumAt, c.data.length)), c.context);
  const value = body.read(inner, tree);
  c.take(inner.pos);
  if (end > c.data.length) {
    // The data ends inside the area: count the bytes it lacks.
    c.take(end - c.pos);
    return { value: SHORT };
  }
  if (inner.short) {
    tree?.push(field("(overrun)", `the fields run past the area's ${length * FRU_AREA_UNIT} bytes`));
  }
  const padding = c.take(checksumAt - c.pos);
  const sum = c.take(1);
  if (padding === SHORT || sum === SHORT) return { value: SHORT };
  if (padding.length > 0) tree?.push(field("Padding", paddingText(padding), toHex(padding)));
  const expected = zeroChecksum(c.data.subarray(start, checksumAt));
  tree?.push(field("Checksum", checksumText(sum[0]!, expected), toHex(sum)));
  return { value: inner.short ? SHORT : value, padding: padding.slice() };
}

/**
 * An info area around `body`: written with format version 1, the body, 00h up to a multiple
 * of 8 bytes less one, its length in 8-byte units and the zero checksum (sections 10, 11, 12).
 */
function infoArea<O, I>(body: Codec<O, I>): Codec<O, I> {
  return {
    minLength: FRU_AREA_UNIT,
    maxLength: AREA_MAX_BYTES,
    read: (c, tree) => readArea(body, c, tree).value,
    write(w, v) {
      const inner = new Writer();
      body.write(inner, v);
      const b = inner.finish();
      // Format version, length, the body, the checksum: rounded up to 8-byte units.
      const units = Math.ceil((b.length + 3) / FRU_AREA_UNIT);
      if (units > 0xff) {
        throw new FruLayoutError(
          `the area takes ${units * FRU_AREA_UNIT} bytes, more than its length byte counts (${AREA_MAX_BYTES})`,
          [],
        );
      }
      const area = new Uint8Array(units * FRU_AREA_UNIT);
      area[0] = FRU_FORMAT_VERSION;
      area[1] = units;
      area.set(b, 2);
      area[area.length - 1] = zeroChecksum(area.subarray(0, area.length - 1));
      w.bytes(area);
    },
  };
}

function languageText(v: number): string {
  return isEnglish(v)
    ? `English (${hexByte(v)})`
    : `${v} (${hexByte(v)}), not English: type 11b text is Unicode`;
}

/** Board Mfg. Date/Time: minutes since 1996-01-01 00:00 UTC, 0 unspecified (table 11-1). */
function mfgDateText(minutes: number): string {
  return minutes === 0 ? "000000h (unspecified)" : isoSeconds(FRU_DATE_EPOCH_MS / 1000 + minutes * 60);
}

/** Chassis info area (section 10, table 10-1). */
export interface ChassisInfo {
  /** Chassis type (SMBIOS system enclosure types: CHASSIS_TYPES). */
  type: number;
  partNumber: FruField;
  serialNumber: FruField;
  custom: FruField[];
}

export interface ChassisInfoIn {
  type: number;
  partNumber: FruFieldIn;
  serialNumber: FruFieldIn;
  custom?: readonly FruFieldIn[] | undefined;
}

/** Board info area (section 11, table 11-1). */
export interface BoardInfo {
  /** Language code (table 15-1); type 11b fields are Unicode unless it is English. */
  language: number;
  /** Minutes since 1996-01-01 00:00 UTC; undefined: unspecified (000000h). */
  manufacturedAt: number | undefined;
  manufacturer: FruField;
  productName: FruField;
  serialNumber: FruField;
  partNumber: FruField;
  fruFileId: FruField;
  custom: FruField[];
}

export interface BoardInfoIn {
  language: number;
  manufacturedAt?: number | undefined;
  manufacturer: FruFieldIn;
  productName: FruFieldIn;
  serialNumber: FruFieldIn;
  partNumber: FruFieldIn;
  fruFileId: FruFieldIn;
  custom?: readonly FruFieldIn[] | undefined;
}

/** Product info area (section 12, table 12-1). */
export interface ProductInfo {
  language: number;
  manufacturer: FruField;
  name: FruField;
  partNumber: FruField;
  version: FruField;
  serialNumber: FruField;
  assetTag: FruField;
  fruFileId: FruField;
  custom: FruField[];
}

export interface ProductInfoIn {
  language: number;
  manufacturer: FruFieldIn;
  name: FruFieldIn;
  partNumber: FruFieldIn;
  version: FruFieldIn;
  serialNumber: FruFieldIn;
  assetTag: FruFieldIn;
  fruFileId: FruFieldIn;
  custom?: readonly FruFieldIn[] | undefined;
}

const CHASSIS_FIELDS = [
  { key: "partNumber", label: "Chassis part number" },
  { key: "serialNumber", label: "Chassis serial number" },
] as const;

const BOARD_FIELDS = [
  { key: "manufacturer", label: "Board manufacturer" },
  { key: "productName", label: "Board product name" },
  { key: "serialNumber", label: "Board serial number" },
  { key: "partNumber", label: "Board part number" },
  { key: "fruFileId", label: "FRU file ID" },
] as const;

const PRODUCT_FIELDS = [
  { key: "manufacturer", label: "Manufacturer name" },
  { key: "name", label: "Product name" },
  { key: "partNumber", label: "Product part/model number" },
  { key: "version", label: "Product version" },
  { key: "serialNumber", label: "Product serial number" },
  { key: "assetTag", label: "Asset tag" },
  { key: "fruFileId", label: "FRU file ID" },
] as const;

/** The chassis area has no language code: its text is English (section 13: "the area ... containing the field"). */
const chassisBody: Codec<ChassisInfo, ChassisInfoIn> = mapped(
  struct({
    type: u8("Chassis type", (v) => CHASSIS_TYPES.label(v)),
    fields: typeLengthFields(CHASSIS_FIELDS, "Custom chassis info field", true),
  }),
  ({ type, fields }): ChassisInfo => ({ type, ...fields }),
  (v: ChassisInfoIn) => ({ type: v.type, fields: v }),
);

const boardBody: Codec<BoardInfo, BoardInfoIn> = mapped(
  struct({
    language: u8("Language code", languageText),
    manufacturedAt: mapped(
      u24("Mfg. date/time", mfgDateText),
      (v) => (v === 0 ? undefined : v),
      (v: number | undefined) => v ?? 0,
    ),
    fields: fieldsInLanguage(BOARD_FIELDS, "Custom board info field"),
  }),
  ({ fields, ...head }): BoardInfo => ({ ...head, ...fields }),
  (v: BoardInfoIn) => ({ language: v.language, manufacturedAt: v.manufacturedAt, fields: v }),
);

const productBody: Codec<ProductInfo, ProductInfoIn> = mapped(
  struct({
    language: u8("Language code", languageText),
    fields: fieldsInLanguage(PRODUCT_FIELDS, "Custom product info field"),
  }),
  ({ fields, language }): ProductInfo => ({ language, ...fields }),
  (v: ProductInfoIn) => ({ language: v.language, fields: v }),
);

/** Chassis info area (section 10, table 10-1). */
export const chassisInfoArea: Codec<ChassisInfo, ChassisInfoIn> = infoArea(chassisBody);
/** Board info area (section 11, table 11-1). */
export const boardInfoArea: Codec<BoardInfo, BoardInfoIn> = infoArea(boardBody);
/** Product info area (section 12, table 12-1). */
export const productInfoArea: Codec<ProductInfo, ProductInfoIn> = infoArea(productBody);

// ---- recognizing an area by its own bytes -------------------------------------------------------

export type FruAreaKind = "chassis" | "board" | "product";

/** An area read without knowing its kind: how many custom fields it had, a one-line summary, its padding. */
interface AreaGuess {
  customFields: number;
  summary: string;
  padding?: Uint8Array;
}

interface AreaKind {
  readonly kind: FruAreaKind;
  readonly label: string;
  read(c: Cursor, tree?: Tree): AreaGuess | undefined;
}

function areaKind<O extends { custom: FruField[] }>(
  kind: FruAreaKind,
  label: string,
  body: Codec<O, never>,
  summary: (v: O) => string,
): AreaKind {
  return {
    kind,
    label,
    read(c, tree) {
      const { value, padding } = readArea(body, c, tree);
      if (value === SHORT) return undefined;
      return { customFields: value.custom.length, summary: summary(value), ...(padding ? { padding } : {}) };
    },
  };
}

const quoted = (...fields: FruField[]) =>
  fields
    .filter((f) => f.bytes.length > 0)
    .map((f) => `"${f.text}"`)
    .join(", ");

const AREA_KINDS: readonly AreaKind[] = [
  areaKind("chassis", "Chassis info area", chassisBody, (v) =>
    [CHASSIS_TYPES.label(v.type), quoted(v.partNumber)].filter(Boolean).join(", "),
  ),
  areaKind("board", "Board info area", boardBody, (v) => quoted(v.manufacturer, v.productName)),
  areaKind("product", "Product info area", productBody, (v) => quoted(v.manufacturer, v.name)),
];

/**
 * Which info area `b` begins with, judged from its own bytes alone (nothing in an area
 * names its kind; only the common header does): format version 01h, a length whose area
 * fits in `b`, and a kind whose layout reads those bytes as a whole area: its defined
 * fields, C1h, nothing but 00h up to the checksum. Of several kinds, the one with the
 * fewest custom fields (a product area also reads as a chassis area with five custom
 * fields); a tie is no answer.
 */
export function infoAreaKind(b: Uint8Array): FruAreaKind | undefined {
  if (b.length < FRU_AREA_UNIT || b[0] !== FRU_FORMAT_VERSION || b[1] === 0) return undefined;
  const length = b[1]! * FRU_AREA_UNIT;
  if (length > b.length) return undefined;
  const area = b.subarray(0, length);
  let best: FruAreaKind | undefined;
  let fewest = Number.POSITIVE_INFINITY;
  let tie = false;
  for (const k of AREA_KINDS) {
    const c = new Cursor(area);
    const read = k.read(c);
    if (read === undefined || read.padding === undefined || read.padding.some((x) => x !== 0)) continue;
    if (c.remaining > 0) continue;
    if (read.customFields < fewest) {
      best = k.kind;
      fewest = read.customFields;
      tie = false;
    } else if (read.customFields === fewest) {
      tie = true;
    }
  }
  return tie ? undefined : best;
}

/** The info area `b` begins with (see infoAreaKind) as one field holding the area's fields; else undefined. */
export function infoAreaField(b: Uint8Array): DecodedField | undefined {
  const kind = infoAreaKind(b);
  const k = AREA_KINDS.find((a) => a.kind === kind);
  if (k === undefined) return undefined;
  const area = b.subarray(0, b[1]! * FRU_AREA_UNIT);
  const children: Tree = [];
  const read = k.read(new Cursor(area), children);
  if (read === undefined) return undefined;
  return field(k.label, { value: read.summary, children }, toHex(area));
}
