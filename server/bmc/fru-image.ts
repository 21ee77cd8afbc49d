/**
 * FRU inventory images, laid out as the Platform Management FRU Information Storage
 * Definition v1.0 (rev 1.3) says: an 8-byte common header, then the chassis info,
 * board info and product info areas, each a multiple of 8 bytes with a zero checksum,
 * text fields as 8-bit ASCII type/length bytes (C0h | length) ended by C1h. The rest of
 * the device's `size` bytes is 00h, free for Write FRU Data.
 *
 * The input is described here, not imported from profile.ts: the profile checks that
 * its FRU devices build (so it imports this module), and a profile's FRU device is one
 * of these by shape.
 */

import { layout } from "../ipmi/layout/layout";
import {
  FRU_COMMON_HEADER_LENGTH,
  FRU_FORMAT_VERSION,
  type FruCommonHeader,
  fruCommonHeader,
  zeroChecksum,
} from "../ipmi/records/fru";

export { FRU_FORMAT_VERSION };

/** Type/length byte C1h: no more fields in the area (section 13.1). */
const END_OF_FIELDS = 0xc1;
/** Areas start at multiples of 8 bytes, and their lengths are counted in them (section 8). */
const AREA_UNIT = 8;

const commonHeader = layout(fruCommonHeader);

/** What a FRU device's image is built from (a profile's `fru[]` entry). */
export interface FruImageSource {
  id: number;
  /** Bytes of the inventory area; the rest after the areas is 00h. */
  size: number;
  chassis?: { type: number; partNumber: string; serialNumber: string; custom: readonly string[] } | undefined;
  board?:
    | {
        language: number;
        /** Minutes since 1996-01-01 00:00 UTC; undefined: unspecified. */
        manufacturedAt?: number | undefined;
        manufacturer: string;
        productName: string;
        serialNumber: string;
        partNumber: string;
        fruFileId: string;
        custom: readonly string[];
      }
    | undefined;
  product?:
    | {
        language: number;
        manufacturer: string;
        name: string;
        partNumber: string;
        version: string;
        serialNumber: string;
        assetTag: string;
        fruFileId: string;
        custom: readonly string[];
      }
    | undefined;
}

function text(s: string): number[] {
  const bytes = [...Buffer.from(s, "latin1")];
  return [0xc0 | bytes.length, ...bytes];
}

/** Pads an area (version, length placeholder, fields..., C1h) to 8 bytes with its checksum and length. */
function finishArea(bytes: number[]): number[] {
  const withChecksum = bytes.length + 1;
  const padded = Math.ceil(withChecksum / AREA_UNIT) * AREA_UNIT;
  while (bytes.length < padded - 1) bytes.push(0x00);
  bytes[1] = padded / AREA_UNIT;
  bytes.push(zeroChecksum(bytes));
  return bytes;
}

function chassisArea(c: NonNullable<FruImageSource["chassis"]>): number[] {
  return finishArea([
    FRU_FORMAT_VERSION,
    0,
    c.type,
    ...text(c.partNumber),
    ...text(c.serialNumber),
    ...c.custom.flatMap(text),
    END_OF_FIELDS,
  ]);
}

function boardArea(b: NonNullable<FruImageSource["board"]>): number[] {
  const minutes = b.manufacturedAt ?? 0; // 0: unspecified
  return finishArea([
    FRU_FORMAT_VERSION,
    0,
    b.language,
    minutes & 0xff,
    (minutes >> 8) & 0xff,
    (minutes >> 16) & 0xff,
    ...text(b.manufacturer),
    ...text(b.productName),
    ...text(b.serialNumber),
    ...text(b.partNumber),
    ...text(b.fruFileId),
    ...b.custom.flatMap(text),
    END_OF_FIELDS,
  ]);
}

function productArea(p: NonNullable<FruImageSource["product"]>): number[] {
  return finishArea([
    FRU_FORMAT_VERSION,
    0,
    p.language,
    ...text(p.manufacturer),
    ...text(p.name),
    ...text(p.partNumber),
    ...text(p.version),
    ...text(p.serialNumber),
    ...text(p.assetTag),
    ...text(p.fruFileId),
    ...p.custom.flatMap(text),
    END_OF_FIELDS,
  ]);
}

/** The FRU device's image, `size` bytes; throws RangeError when the areas do not fit. */
export function buildFruImage(f: FruImageSource): Uint8Array {
  const areas: { slot: "chassis" | "board" | "product"; bytes: number[] }[] = [];
  if (f.chassis) areas.push({ slot: "chassis", bytes: chassisArea(f.chassis) });
  if (f.board) areas.push({ slot: "board", bytes: boardArea(f.board) });
  if (f.product) areas.push({ slot: "product", bytes: productArea(f.product) });
  // Common header: the areas' offsets in 8-byte units, 0 for those not present.
  const header: FruCommonHeader = {
    version: FRU_FORMAT_VERSION,
    internalUse: 0,
    chassis: 0,
    board: 0,
    product: 0,
    multiRecord: 0,
  };
  let offset = FRU_COMMON_HEADER_LENGTH;
  for (const a of areas) {
    if (offset / AREA_UNIT > 0xff)
      throw new RangeError(`FRU ${f.id}: an area starting past byte 2040 cannot be addressed`);
    header[a.slot] = offset / AREA_UNIT;
    offset += a.bytes.length;
  }
  if (offset > f.size)
    throw new RangeError(`the areas take ${offset} bytes, more than the size of ${f.size}`);
  const image = new Uint8Array(f.size);
  image.set(commonHeader.pack(header), 0);
  let at = FRU_COMMON_HEADER_LENGTH;
  for (const a of areas) {
    image.set(a.bytes, at);
    at += a.bytes.length;
  }
  return image;
}
