import { describe, expect, it } from "vitest";
import { decodeRequest, decodeResponse } from "@/server/ipmi/commands";
import { fieldAt, ipmitoolRaw, locateFields } from "./fieldBytes";

describe("field bytes", () => {
  it("finds each field of a Get Device ID response in order, bit groups of one byte in the same place", () => {
    const data = Uint8Array.of(0x20, 0x81, 0x02, 0x03, 0x02, 0xbf, 0x57, 0x01, 0x00, 0x34, 0x12, 0, 0, 0, 0);
    const tree = decodeResponse(0x06, 0x01, 0x00, data)!;
    const withCc = Uint8Array.of(0x00, ...data);
    const located = locateFields(tree, withCc, 1);
    expect(located[0]!.range).toEqual({ offset: 1, length: 1 }); // Device ID, after the completion code
    // Every field with bytes lies inside the data, and they never run backwards.
    let prev = 1;
    for (const l of located) {
      if (l.range === null) continue;
      expect(l.range.offset).toBeGreaterThanOrEqual(1);
      expect(l.range.offset + l.range.length).toBeLessThanOrEqual(withCc.length);
      expect(l.range.offset).toBeGreaterThanOrEqual(prev - l.range.length);
      prev = l.range.offset + l.range.length;
    }
    // The manufacturer ID (3 bytes, 57 01 00) holds offset 7, and is what is found there.
    const manufacturer = fieldAt(located, 7);
    expect(manufacturer?.field.name).toMatch(/Manufacturer/);
    expect(manufacturer?.range).toEqual({ offset: 7, length: 3 });
  });

  it("locates a request's fields and the field of a byte", () => {
    const data = Uint8Array.of(0x01);
    const tree = decodeRequest(0x04, 0x2d, Uint8Array.of(0x01))!; // Get Sensor Reading, sensor 1
    const located = locateFields(tree, data);
    expect(fieldAt(located, 0)?.range).toEqual({ offset: 0, length: 1 });
    expect(fieldAt(located, 5)).toBeNull();
  });

  it("writes the ipmitool raw command line", () => {
    expect(ipmitoolRaw(0x06, 0x01, new Uint8Array(0))).toBe("ipmitool raw 0x06 0x01");
    expect(ipmitoolRaw(0x0a, 0x43, Uint8Array.of(0, 0, 0xff, 0xff, 0, 0xff))).toBe(
      "ipmitool raw 0x0a 0x43 0x00 0x00 0xff 0xff 0x00 0xff",
    );
  });
});
