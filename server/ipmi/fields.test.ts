import { describe, expect, it } from "vitest";
import { CC } from "./completion-codes";
import { bytes, IpmiError, noRequest, optional, rest, struct, u8, u16, u24, u32 } from "./fields";
import { parseHex, toHex } from "./hex";

const ccOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof IpmiError) return err.cc;
    throw err;
  }
  return null;
};

describe("request layouts", () => {
  // Set Watchdog Timer, as `ipmitool mc watchdog` style clients send it: 10.0 s, hard reset.
  const setWatchdog = struct({ use: u8, actions: u8, pretimeout: u8, clear: u8, count: u16 });

  it("unpacks little-endian fields by type", () => {
    expect(setWatchdog.unpack(Uint8Array.of(0x44, 0x01, 0x00, 0x10, 0x64, 0x00))).toEqual({
      use: 0x44,
      actions: 0x01,
      pretimeout: 0,
      clear: 0x10,
      count: 100,
    });
    const wide = struct({ a: u24, b: u32, c: bytes(2) });
    expect(wide.unpack(Uint8Array.of(0x01, 0x02, 0x03, 0xff, 0xff, 0xff, 0xff, 9, 8))).toEqual({
      a: 0x030201,
      b: 0xffffffff,
      c: Uint8Array.of(9, 8),
    });
  });

  it("answers C7h for a short request and C8h for a long one", () => {
    expect(setWatchdog.minLength).toBe(6);
    expect(ccOf(() => setWatchdog.unpack(new Uint8Array(5)))).toBe(CC.REQUEST_LENGTH_INVALID);
    expect(ccOf(() => setWatchdog.unpack(new Uint8Array(7)))).toBe(CC.REQUEST_FIELD_LENGTH_EXCEEDED);
    expect(ccOf(() => noRequest.unpack(Uint8Array.of(1)))).toBe(CC.REQUEST_FIELD_LENGTH_EXCEEDED);
  });

  it("takes optional trailing fields, but not half of one", () => {
    const l = struct({ channel: u8, extra: optional(u16) });
    expect(l.unpack(Uint8Array.of(1))).toEqual({ channel: 1, extra: undefined });
    expect(l.unpack(Uint8Array.of(1, 2, 0))).toEqual({ channel: 1, extra: 2 });
    expect(ccOf(() => l.unpack(Uint8Array.of(1, 2)))).toBe(CC.REQUEST_LENGTH_INVALID);
  });

  it("takes the rest up to its limit", () => {
    const l = struct({ offset: u16, data: rest(4) });
    expect(l.unpack(Uint8Array.of(1, 0, 7, 7))).toEqual({ offset: 1, data: Uint8Array.of(7, 7) });
    expect(ccOf(() => l.unpack(new Uint8Array(7)))).toBe(CC.REQUEST_FIELD_LENGTH_EXCEEDED);
  });

  it("refuses layouts that cannot be unpacked unambiguously", () => {
    expect(() => struct({ a: optional(u8), b: u8 })).toThrow(/cannot follow/);
    expect(() => struct({ a: rest(), b: optional(u8) })).toThrow(/rest must be last/);
  });
});

describe("hex", () => {
  it("formats and parses the ways people write bytes", () => {
    expect(toHex(Uint8Array.of(0x20, 0x01, 0xff))).toBe("20 01 ff");
    for (const text of ["20 01 ff", "2001ff", "0x20,0x01,0xFF", "20:01:ff"]) {
      expect(parseHex(text)).toEqual({ ok: true, bytes: Uint8Array.of(0x20, 0x01, 0xff) });
    }
    expect(parseHex("")).toEqual({ ok: true, bytes: new Uint8Array() });
    expect(parseHex("2g")).toMatchObject({ ok: false });
    expect(parseHex("201")).toMatchObject({ ok: false, error: expect.stringMatching(/even/) });
  });
});
