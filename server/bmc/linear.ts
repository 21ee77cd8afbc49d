/**
 * Linear sensor conversion, IPMI 2.0 section 36.3:
 *   y = (M * x + B * 10^Bexp) * 10^Rexp
 * with x the raw reading byte (unsigned, or two's complement when the SDR says so),
 * M and B 10-bit two's complement, Bexp and Rexp 4-bit two's complement.
 */

export type AnalogFormat = "unsigned" | "twos-complement";

export interface LinearFactors {
  m: number;
  b: number;
  bExp: number;
  rExp: number;
  format: AnalogFormat;
}

/** SDR byte 21 bits 7:6 for each format (01b, one's complement, is not offered). */
export const ANALOG_FORMAT_CODE: Readonly<Record<AnalogFormat, number>> = {
  unsigned: 0b00,
  "twos-complement": 0b10,
};

/** The raw reading's numeric range, in the format's own domain. */
export function rawDomain(format: AnalogFormat): { min: number; max: number } {
  return format === "unsigned" ? { min: 0, max: 255 } : { min: -128, max: 127 };
}

/** The reading byte as the number the formula takes. */
export function rawToSigned(raw: number, format: AnalogFormat): number {
  const byte = raw & 0xff;
  return format === "twos-complement" && byte >= 0x80 ? byte - 0x100 : byte;
}

/** Engineering value of a raw reading byte. */
export function rawToValue(raw: number, f: LinearFactors): number {
  const x = rawToSigned(raw, f.format);
  const value = (f.m * x + f.b * 10 ** f.bExp) * 10 ** f.rExp;
  // Strip binary noise: 0.1 * 3 is 0.30000000000000004.
  return Number(value.toPrecision(12));
}

/**
 * The raw byte whose value is nearest to `value`, or null when it falls outside the
 * format's range by more than half a step.
 */
export function valueToRaw(value: number, f: LinearFactors): number | null {
  if (f.m === 0) return null;
  const x = Math.round((value / 10 ** f.rExp - f.b * 10 ** f.bExp) / f.m);
  const { min, max } = rawDomain(f.format);
  if (!Number.isFinite(x) || x < min || x > max) return null;
  return x & 0xff;
}

/** Orders two raw bytes as readings: negative, zero or positive like a comparator. */
export function compareRaw(a: number, b: number, format: AnalogFormat): number {
  return rawToSigned(a, format) - rawToSigned(b, format);
}

/** Clamps a (signed-domain) reading to the format's range and returns its byte. */
export function clampToRaw(x: number, format: AnalogFormat): number {
  const { min, max } = rawDomain(format);
  return Math.min(max, Math.max(min, Math.round(x))) & 0xff;
}
