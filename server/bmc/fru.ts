/**
 * FRU inventory images, laid out as the Platform Management FRU Information Storage
 * Definition v1.0 (rev 1.3) says: an 8-byte common header, then the chassis info,
 * board info and product info areas, each a multiple of 8 bytes with a zero checksum,
 * text fields as 8-bit ASCII type/length bytes (C0h | length) ended by C1h. The rest of
 * the device's `size` bytes is 00h, free for Write FRU Data.
 */
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/fields";
import type { FruProfile } from "./profile";

export const FRU_FORMAT_VERSION = 0x01;
const END_OF_FIELDS = 0xc1;

function text(s: string): number[] {
  const bytes = [...Buffer.from(s, "latin1")];
  return [0xc0 | bytes.length, ...bytes];
}

/** Pads an area (version, length placeholder, fields..., C1h) to 8 bytes with its checksum and length. */
function finishArea(bytes: number[]): number[] {
  const withChecksum = bytes.length + 1;
  const padded = Math.ceil(withChecksum / 8) * 8;
  while (bytes.length < padded - 1) bytes.push(0x00);
  bytes[1] = padded / 8;
  bytes.push(checksum(bytes));
  return bytes;
}

/** The byte that makes the sum of `bytes` and itself zero (mod 256). */
export function checksum(bytes: readonly number[] | Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return (0x100 - sum) & 0xff;
}

function chassisArea(c: NonNullable<FruProfile["chassis"]>): number[] {
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

function boardArea(b: NonNullable<FruProfile["board"]>): number[] {
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

function productArea(p: NonNullable<FruProfile["product"]>): number[] {
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
export function buildFruImage(f: FruProfile): Uint8Array {
  const areas: { slot: number; bytes: number[] }[] = [];
  if (f.chassis) areas.push({ slot: 2, bytes: chassisArea(f.chassis) });
  if (f.board) areas.push({ slot: 3, bytes: boardArea(f.board) });
  if (f.product) areas.push({ slot: 4, bytes: productArea(f.product) });
  // Common header: version, internal use, chassis, board, product, multirecord offsets (8-byte units), pad.
  const header = [FRU_FORMAT_VERSION, 0, 0, 0, 0, 0, 0];
  let offset = 8;
  for (const a of areas) {
    if (offset / 8 > 0xff)
      throw new RangeError(`FRU ${f.id}: an area starting past byte 2040 cannot be addressed`);
    header[a.slot] = offset / 8;
    offset += a.bytes.length;
  }
  if (offset > f.size)
    throw new RangeError(`the areas take ${offset} bytes, more than the size of ${f.size}`);
  header.push(checksum(header));
  const image = new Uint8Array(f.size);
  image.set(header, 0);
  let at = 8;
  for (const a of areas) {
    image.set(a.bytes, at);
    at += a.bytes.length;
  }
  return image;
}

export interface FruDevice {
  id: number;
  name: string;
  data: Uint8Array;
}

/** Read FRU Data (34.2): offset past the end is C9h; a count past the end returns what there is. */
export function readFru(dev: FruDevice, offset: number, count: number, maxCount: number): Uint8Array {
  if (offset >= dev.data.length) {
    throw new IpmiError(
      CC.PARAMETER_OUT_OF_RANGE,
      `offset ${offset} is past FRU ${dev.id}'s ${dev.data.length} bytes`,
    );
  }
  if (count > maxCount) throw new IpmiError(CC.CANNOT_RETURN_BYTES, `${count} bytes do not fit one response`);
  return dev.data.slice(offset, Math.min(dev.data.length, offset + count));
}

/** Write FRU Data (34.3): the whole write must fit the area (C9h otherwise); returns the count written. */
export function writeFru(dev: FruDevice, offset: number, bytes: Uint8Array): number {
  if (offset + bytes.length > dev.data.length) {
    throw new IpmiError(
      CC.PARAMETER_OUT_OF_RANGE,
      `${bytes.length} bytes at offset ${offset} run past FRU ${dev.id}'s ${dev.data.length} bytes`,
    );
  }
  dev.data.set(bytes, offset);
  return bytes.length;
}
