import { describe, expect, it } from "vitest";
import { parseHex, toHex } from "../hex";
import { le } from "./cursor";
import { bcd, formatNumber, guid, seconds, signed, timestamp, version } from "./format";
import { hex } from "./test-helpers";

describe("formatting", () => {
  it("reads values LS byte first", () => {
    expect(le(hex("57 01 00"))).toBe(343);
    expect(le(hex("ff ff ff ff"))).toBe(0xffffffff);
  });

  it("decodes BCD and versions", () => {
    expect(bcd(0x05)).toBe("05");
    expect(bcd(0x99)).toBe("99");
    expect(bcd(0x5a)).toBeUndefined();
    expect(version(0x02)).toBe("2.0");
    expect(version(0x51)).toBe("1.5");
  });

  it("signs two's complement fields", () => {
    expect(signed(0x3ff, 10)).toBe(-1);
    expect(signed(0x1ff, 10)).toBe(511);
    expect(signed(0xd, 4)).toBe(-3);
  });

  it("writes timestamps as ISO dates, with the spec's special values", () => {
    expect(timestamp(0x665f1ea0)).toBe("2024-06-04T14:03:12Z");
    expect(timestamp(0xffffffff)).toBe("unspecified (FFFFFFFFh)");
    expect(timestamp(0x00000010)).toBe("16 s after initialization (pre-init timestamp)");
  });

  it("writes seconds and numbers without float noise", () => {
    expect(seconds(1)).toBe("1 second");
    expect(seconds(0.1 * 3)).toBe("0.3 seconds");
    expect(formatNumber(58 * 0.001 * 200)).toBe("11.6");
  });

  it("reads a GUID sent least significant byte first, and offers the SMBIOS reading", () => {
    // guidToWire("8f3b2c1d-5e6f-4a7b-9c8d-0e1f2a3b4c5d"): the text's bytes reversed.
    const wire = hex("5d 4c 3b 2a 1f 0e 8d 9c 7b 4a 6f 5e 1d 2c 3b 8f");
    const g = guid(wire);
    expect(typeof g === "string" ? g : g.value).toBe("8f3b2c1d-5e6f-4a7b-9c8d-0e1f2a3b4c5d");
    expect(typeof g === "string" ? [] : g.children).toEqual([
      { name: "Version", value: "4" },
      { name: "Read in SMBIOS order", value: "2a3b4c5d-0e1f-9c8d-7b4a-6f5e1d2c3b8f" },
    ]);
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
