/**
 * Sensor reading conversion, IPMI 2.0 section 36.3, both ways:
 *
 *   y = L[(M·x + B·10^Bexp)·10^Rexp]          raw reading x → value y
 *   x = (L⁻¹(y)·10^-Rexp − B·10^Bexp) / M     value y → raw reading x (rounded)
 *
 * x is the reading byte read in the record's analog data format (unsigned, 1's or 2's
 * complement: full sensor record byte 21 bits 7:6), L the linearization function (byte 24,
 * the "Linearization" enumeration of table 43-1), M and B 10-bit two's complement, Bexp and
 * Rexp 4-bit two's complement. The BMC turns the profile's engineering values into raw bytes
 * with it; the dashboard turns the raw bytes of records and readings back into values.
 */
import { codeTable } from "./code-table";

/** Analog (numeric) data format, full/compact sensor record byte 21 bits 7:6 (table 43-1). */
export const ANALOG_DATA_FORMATS = codeTable([
  [0b00, "unsigned", "unsigned"],
  [0b01, "1's complement (signed)", "ones-complement"],
  [0b10, "2's complement (signed)", "twos-complement"],
  [0b11, "no analog reading"],
] as const);

/** Formats a numeric reading can have. */
export type AnalogFormat = keyof typeof ANALOG_DATA_FORMATS.codes;

/** Byte 21 bits 7:6 = 11b: the sensor has no numeric reading (discrete sensors). */
export const NO_ANALOG_READING = 0b11;

/** The code of an analog data format. */
export function analogFormatCode(format: AnalogFormat): number {
  return ANALOG_DATA_FORMATS.codes[format];
}

/** The analog data format of a code; undefined for 11b, "no analog reading". */
export function analogFormatOf(code: number): AnalogFormat | undefined {
  return ANALOG_DATA_FORMATS.keyOf(code);
}

/** Linearization, full sensor record byte 24 bits 6:0 (table 43-1). 70h-7Fh: OEM non-linear. */
export const LINEARIZATIONS = codeTable(
  [
    [0x00, "linear", "linear"],
    [0x01, "ln", "ln"],
    [0x02, "log10", "log10"],
    [0x03, "log2", "log2"],
    [0x04, "e", "e"],
    [0x05, "exp10", "exp10"],
    [0x06, "exp2", "exp2"],
    [0x07, "1/x", "1/x"],
    [0x08, "sqr(x)", "sqr"],
    [0x09, "cube(x)", "cube"],
    [0x0a, "sqrt(x)", "sqrt"],
    [0x0b, "cube-1(x)", "cube-1"],
  ] as const,
  (code) => (code >= 0x70 ? "non-linear (OEM)" : "reserved"),
);

export const LINEAR = 0x00;

type Fn = (x: number) => number;

/** Each linearization and its inverse: L and L⁻¹. */
const FUNCTIONS: ReadonlyMap<number, readonly [l: Fn, inverse: Fn]> = new Map<number, readonly [Fn, Fn]>([
  [0x00, [(x) => x, (y) => y]],
  [0x01, [Math.log, Math.exp]],
  [0x02, [Math.log10, (y) => 10 ** y]],
  [0x03, [Math.log2, (y) => 2 ** y]],
  [0x04, [Math.exp, Math.log]],
  [0x05, [(x) => 10 ** x, Math.log10]],
  [0x06, [(x) => 2 ** x, Math.log2]],
  [0x07, [(x) => 1 / x, (y) => 1 / y]],
  [0x08, [(x) => x * x, Math.sqrt]],
  [0x09, [(x) => x * x * x, Math.cbrt]],
  [0x0a, [Math.sqrt, (y) => y * y]],
  [0x0b, [Math.cbrt, (y) => y * y * y]],
]);

/** M, B and the exponents: Get Sensor Reading Factors (35.5) and full sensor record bytes 25-30. */
export interface ReadingFactors {
  /** 10-bit two's complement. */
  m: number;
  /** 10-bit two's complement. */
  b: number;
  /** 4-bit two's complement. */
  bExp: number;
  /** 4-bit two's complement. */
  rExp: number;
}

/** What converting a reading takes: the factors, the reading's format, the linearization (default linear). */
export interface LinearFactors extends ReadingFactors {
  format: AnalogFormat;
  /** Table 43-1 byte 24 bits 6:0; absent: 00h, linear. */
  linearization?: number;
}

/** The raw reading's range, as the numbers the formula takes. */
export function rawDomain(format: AnalogFormat): { min: number; max: number } {
  if (format === "unsigned") return { min: 0, max: 255 };
  // 1's complement has two zeros (00h, FFh): -127..127.
  return format === "twos-complement" ? { min: -128, max: 127 } : { min: -127, max: 127 };
}

/** The reading byte as the number x the formula takes. */
export function rawToSigned(raw: number, format: AnalogFormat): number {
  const byte = raw & 0xff;
  if (format === "unsigned" || byte < 0x80) return byte;
  return format === "twos-complement" ? byte - 0x100 : byte - 0xff;
}

/** The reading byte of a number x in the format's range. */
export function signedToRaw(x: number, format: AnalogFormat): number {
  if (x >= 0 || format === "unsigned") return x & 0xff;
  return format === "twos-complement" ? (x + 0x100) & 0xff : (x + 0xff) & 0xff;
}

/** y = L[(M·x + B·10^Bexp)·10^Rexp] of a raw reading byte; undefined for an OEM or reserved linearization or no finite value. */
export function rawToValue(raw: number, f: LinearFactors): number | undefined {
  const fns = FUNCTIONS.get((f.linearization ?? LINEAR) & 0x7f);
  if (fns === undefined) return undefined;
  const x = rawToSigned(raw, f.format);
  const y = fns[0]((f.m * x + f.b * 10 ** f.bExp) * 10 ** f.rExp);
  return Number.isFinite(y) ? y : undefined;
}

/** The (unrounded) x whose value is `value`: the formula solved for x. NaN when it has none. */
export function valueToX(value: number, f: LinearFactors): number {
  const fns = FUNCTIONS.get((f.linearization ?? LINEAR) & 0x7f);
  if (fns === undefined || f.m === 0) return Number.NaN;
  return (fns[1](value) / 10 ** f.rExp - f.b * 10 ** f.bExp) / f.m;
}

/**
 * The raw byte whose value is nearest to `value`, or null when it falls outside the
 * format's range by more than half a step (or no reading has it).
 */
export function valueToRaw(value: number, f: LinearFactors): number | null {
  const x = Math.round(valueToX(value, f));
  const { min, max } = rawDomain(f.format);
  if (!Number.isFinite(x) || x < min || x > max) return null;
  return signedToRaw(x, f.format);
}

/** Orders two raw bytes as readings: negative, zero or positive like a comparator. */
export function compareRaw(a: number, b: number, format: AnalogFormat): number {
  return rawToSigned(a, format) - rawToSigned(b, format);
}

/** Rounds an x to the format's range and returns its byte. */
export function clampToRaw(x: number, format: AnalogFormat): number {
  const { min, max } = rawDomain(format);
  return signedToRaw(Math.min(max, Math.max(min, Math.round(x))), format);
}

/**
 * The value of a raw byte as a record gives its conversion: the analog data format code
 * (byte 21 bits 7:6) and the linearization byte. Undefined when the record has no numeric
 * reading (11b), an OEM or reserved linearization, or no finite value.
 */
export function convertReading(
  raw: number,
  factors: ReadingFactors,
  analogFormat: number,
  linearization: number,
): number | undefined {
  const format = analogFormatOf(analogFormat);
  if (format === undefined) return undefined;
  return rawToValue(raw, { ...factors, format, linearization });
}
