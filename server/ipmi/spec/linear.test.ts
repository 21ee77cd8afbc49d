import { describe, expect, it } from "vitest";
import {
  clampToRaw,
  compareRaw,
  convertReading,
  LINEARIZATIONS,
  type LinearFactors,
  rawDomain,
  rawToSigned,
  rawToValue,
  signedToRaw,
  valueToRaw,
} from "./linear";

describe("reading conversion", () => {
  const factors = { m: 58, b: 0, bExp: 0, rExp: -3 };

  it("applies y = (M·x + B·10^Bexp)·10^Rexp", () => {
    expect(convertReading(200, factors, 0, 0)).toBeCloseTo(11.6);
    expect(convertReading(10, { m: 2, b: -5, bExp: 1, rExp: 0 }, 0, 0)).toBe(-30);
  });

  it("reads signed raw values per the analog data format", () => {
    expect(convertReading(0xff, { m: 1, b: 0, bExp: 0, rExp: 0 }, 2, 0)).toBe(-1);
    expect(convertReading(0xfe, { m: 1, b: 0, bExp: 0, rExp: 0 }, 1, 0)).toBe(-1);
    expect(convertReading(0xff, { m: 1, b: 0, bExp: 0, rExp: 0 }, 0, 0)).toBe(255);
  });

  it("applies the linearization and gives up on no analog reading and OEM functions", () => {
    expect(convertReading(4, { m: 1, b: 0, bExp: 0, rExp: 0 }, 0, 0x08)).toBe(16);
    expect(convertReading(4, { m: 1, b: 0, bExp: 0, rExp: 0 }, 3, 0)).toBeUndefined();
    expect(convertReading(4, { m: 1, b: 0, bExp: 0, rExp: 0 }, 0, 0x70)).toBeUndefined();
  });
});

describe("the linear formula both ways (IPMI 2.0 section 36.3)", () => {
  // The default profile's 5V sensor: 27 mV per count.
  const volts: LinearFactors = { m: 27, b: 0, bExp: 0, rExp: -3, format: "unsigned" };

  it("turns engineering values into the nearest raw byte and back", () => {
    expect(valueToRaw(5.0, volts)).toBe(185);
    expect(valueToRaw(4.5, volts)).toBe(167);
    expect(valueToRaw(5.25, volts)).toBe(194);
    expect(rawToValue(185, volts)).toBeCloseTo(4.995);
    expect(rawToValue(0xff, volts)).toBeCloseTo(6.885);
  });

  it("refuses values more than half a step outside the raw range", () => {
    expect(valueToRaw(6.885, volts)).toBe(255);
    expect(valueToRaw(6.895, volts)).toBe(255);
    expect(valueToRaw(6.9, volts)).toBeNull();
    expect(valueToRaw(6.93, volts)).toBeNull();
    expect(valueToRaw(-0.1, volts)).toBeNull();
    expect(valueToRaw(1, { ...volts, m: 0 })).toBeNull();
  });

  it("offsets by B·10^Bexp and reads two's complement readings", () => {
    // -50 + 2·x degrees, x signed: 00h is -50, 80h (-128) is -306, 7Fh is 204.
    const f: LinearFactors = { m: 2, b: -5, bExp: 1, rExp: 0, format: "twos-complement" };
    expect(rawToValue(0x00, f)).toBe(-50);
    expect(rawToValue(0x80, f)).toBe(-306);
    expect(rawToValue(0x7f, f)).toBe(204);
    expect(valueToRaw(-52, f)).toBe(0xff);
    expect(valueToRaw(204, f)).toBe(0x7f);
    expect(valueToRaw(206, f)).toBeNull();
  });

  it("reads 1's complement readings, both of whose zeros are 0", () => {
    expect(rawToSigned(0xff, "ones-complement")).toBe(0);
    expect(rawToSigned(0x80, "ones-complement")).toBe(-127);
    expect(signedToRaw(-1, "ones-complement")).toBe(0xfe);
    expect(signedToRaw(-127, "ones-complement")).toBe(0x80);
    expect(rawDomain("ones-complement")).toEqual({ min: -127, max: 127 });
  });

  it("inverts every linearization of table 43-1", () => {
    for (const code of LINEARIZATIONS.keys()) {
      const f: LinearFactors = { m: 3, b: 2, bExp: 0, rExp: -1, format: "unsigned", linearization: code };
      for (const raw of [1, 7, 40]) {
        const y = rawToValue(raw, f);
        if (y === undefined) continue; // log of a non-positive number
        expect(valueToRaw(y, f), `${LINEARIZATIONS.label(code)} of ${raw}`).toBe(raw);
      }
    }
    expect(rawToValue(2, { m: 1, b: 0, bExp: 0, rExp: 0, format: "unsigned", linearization: 0x05 })).toBe(
      100,
    );
  });

  it("orders and clamps raw bytes in the format's domain", () => {
    expect(compareRaw(0xff, 0x01, "twos-complement")).toBeLessThan(0);
    expect(compareRaw(0xff, 0x01, "unsigned")).toBeGreaterThan(0);
    expect(clampToRaw(-3.4, "unsigned")).toBe(0);
    expect(clampToRaw(300, "unsigned")).toBe(255);
    expect(clampToRaw(-200, "twos-complement")).toBe(0x80);
    expect(clampToRaw(-1.2, "twos-complement")).toBe(0xff);
  });
});
