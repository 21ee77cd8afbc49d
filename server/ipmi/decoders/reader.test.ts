import { describe, expect, it } from "vitest";
import { bcd, formatNumber, guid, le, Reader, seconds, signed, timestamp, version } from "./reader";
import { hex } from "./test-helpers";
import { EXTRA, TRUNCATED } from "./types";

describe("Reader", () => {
  it("reads little-endian fields with the hex of their bytes", () => {
    const r = new Reader(hex("01 34 12 78 56 34 12"));
    r.u8("a");
    r.u16("b");
    r.u32("c", (v) => v.toString(16));
    expect(r.finish()).toEqual([
      { name: "a", value: "01h", raw: "01" },
      { name: "b", value: "1234h", raw: "34 12" },
      { name: "c", value: "12345678", raw: "78 56 34 12" },
    ]);
  });

  it("counts every byte the layout still wanted once the data ran out", () => {
    const r = new Reader(hex("01 02"));
    r.u8("a");
    r.u16("b");
    r.u32("c", String);
    const fields = r.finish();
    expect(fields.map((f) => f.name)).toEqual(["a", TRUNCATED]);
    expect(fields.at(-1)?.value).toBe("5 bytes missing");
  });

  it("says byte, not bytes, for one missing byte", () => {
    const r = new Reader(hex("01"));
    r.u16("a");
    expect(r.finish()).toEqual([{ name: TRUNCATED, value: "1 byte missing" }]);
  });

  it("reports bytes past the layout as extra", () => {
    const r = new Reader(hex("01 aa bb"));
    r.u8("a");
    expect(r.finish().at(-1)).toEqual({ name: EXTRA, value: "aa bb" });
  });

  it("skips optional fields when no byte is left, and reads them when some are", () => {
    const none = new Reader(hex("01"));
    none.u8("a");
    none.optional(() => none.u32("b", String));
    expect(none.finish().map((f) => f.name)).toEqual(["a"]);

    const some = new Reader(hex("01 02"));
    some.u8("a");
    some.optional(() => some.u32("b", String));
    expect(some.finish().at(-1)).toEqual({ name: TRUNCATED, value: "3 bytes missing" });
  });

  it("splits one byte into several fields that share its hex", () => {
    const r = new Reader(hex("c5"));
    r.multi(1, (v) => [
      ["hi", String(v >> 4)],
      ["lo", String(v & 0xf)],
    ]);
    expect(r.finish()).toEqual([
      { name: "hi", value: "12", raw: "c5" },
      { name: "lo", value: "5", raw: "c5" },
    ]);
  });

  it("leaves out empty children", () => {
    const r = new Reader(hex("00"));
    r.u8("a", () => ({ value: "x", children: [] }));
    expect(r.finish()).toEqual([{ name: "a", value: "x", raw: "00" }]);
  });
});

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
