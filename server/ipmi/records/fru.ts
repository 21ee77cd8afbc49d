/**
 * FRU inventory layouts (Platform Management FRU Information Storage Definition v1.0,
 * rev 1.3): the common header every FRU image starts with (section 8), and the zero
 * checksum that ends it and every area. The BMC builds its FRU images' headers with it
 * (server/bmc/fru-image.ts); the dashboard shows it in a Read FRU Data from offset 0.
 */
import { hexByte, toHex } from "../hex";
import { bit, bits, type Codec, mapped, SHORT, struct, u8 } from "../layout/codec";
import { Writer } from "../layout/cursor";
import { field, h8 } from "../layout/format";

/** Common header format version (section 8, byte 1 bits 3:0), and every area's (9.1, 10.1, 11.1). */
export const FRU_FORMAT_VERSION = 0x01;

/** Bytes of the common header, checksum included. */
export const FRU_COMMON_HEADER_LENGTH = 8;

/** The byte that makes the sum of `bytes` and itself zero (mod 256): section 8 byte 8, and each area's last byte. */
export function zeroChecksum(bytes: readonly number[] | Uint8Array): number {
  let sum = 0;
  for (const b of bytes) sum = (sum + b) & 0xff;
  return (0x100 - sum) & 0xff;
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
      const expected = zeroChecksum(covered);
      tree?.push(
        field(
          label,
          b[0] === expected ? `${h8(b[0]!)} (valid)` : `${h8(b[0]!)} (wrong: should be ${hexByte(expected)})`,
          toHex(b),
        ),
      );
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

/** An area's starting offset, in multiples of 8 bytes; 00h: the area is not present. */
const areaOffset = (label: string) =>
  u8(label, (v) => (v === 0 ? "00h (not present)" : `${h8(v)} (byte ${v * 8})`));

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
        version: bit("Format version", 0, 3, (v) => (v === FRU_FORMAT_VERSION ? "1" : `${v} (unknown)`)),
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
