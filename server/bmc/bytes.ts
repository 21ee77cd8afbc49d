/**
 * Byte helpers for response fields: the commands lay multi-byte fields out least
 * significant byte first (e.g. Get SEL Info, IPMI 2.0 section 31.2), and a few in BCD.
 *
 * They belong in server/ipmi/ with the field layouts; they live here until the command
 * table there encodes responses, so the BMC does not reach into a module in flux.
 */

export function le16(value: number): [number, number] {
  return [value & 0xff, (value >> 8) & 0xff];
}

export function le32(value: number): [number, number, number, number] {
  const v = value >>> 0;
  return [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
}

/** Two decimal digits as one BCD byte: 12 -> 12h (Get Device ID byte 4, section 20.1). */
export function toBcd(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 99) {
    throw new RangeError(`BCD value must be an integer in 0..99, is ${value}`);
  }
  return ((Math.floor(value / 10) << 4) | (value % 10)) & 0xff;
}
