import { describe, expect, it } from "vitest";
import { CC } from "../completion-codes";
import { IpmiError } from "../ipmi-error";
import {
  bit,
  bits,
  bytes,
  dependent,
  empty,
  flag,
  group,
  LayoutError,
  mapped,
  optional,
  repeat,
  rest,
  struct,
  u8,
  u16,
  u24,
  u32,
} from "./codec";
import { EXTRA, TRUNCATED } from "./decoded";
import { layout } from "./layout";
import { hex } from "./test-helpers";

const ccOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof IpmiError) return err.cc;
    throw err;
  }
  return null;
};

// Set Watchdog Timer, as `ipmitool mc watchdog` style clients send it: 10.0 s, hard reset.
const setWatchdog = layout(
  struct({
    use: u8("use"),
    actions: u8("actions"),
    pretimeout: u8("pre"),
    clear: u8("clear"),
    count: u16("count"),
  }),
);

describe("request layouts (unpack)", () => {
  it("unpacks little-endian fields by type", () => {
    expect(setWatchdog.unpack(hex("44 01 00 10 64 00"))).toEqual({
      use: 0x44,
      actions: 0x01,
      pretimeout: 0,
      clear: 0x10,
      count: 100,
    });
    const wide = layout(struct({ a: u24("a"), b: u32("b"), c: bytes("c", 2) }));
    expect(wide.unpack(hex("01 02 03 ff ff ff ff 09 08"))).toEqual({
      a: 0x030201,
      b: 0xffffffff,
      c: Uint8Array.of(9, 8),
    });
  });

  it("answers C7h for a short request and C8h for a long one", () => {
    expect(setWatchdog.minLength).toBe(6);
    expect(ccOf(() => setWatchdog.unpack(new Uint8Array(5)))).toBe(CC.REQUEST_LENGTH_INVALID);
    expect(ccOf(() => setWatchdog.unpack(new Uint8Array(7)))).toBe(CC.REQUEST_FIELD_LENGTH_EXCEEDED);
    expect(ccOf(() => layout(empty).unpack(Uint8Array.of(1)))).toBe(CC.REQUEST_FIELD_LENGTH_EXCEEDED);
  });

  it("takes optional trailing fields, but not half of one", () => {
    const l = layout(struct({ channel: u8("channel"), extra: optional(u16("extra")) }));
    expect(l.unpack(Uint8Array.of(1))).toEqual({ channel: 1, extra: undefined });
    expect(l.unpack(Uint8Array.of(1, 2, 0))).toEqual({ channel: 1, extra: 2 });
    expect(ccOf(() => l.unpack(Uint8Array.of(1, 2)))).toBe(CC.REQUEST_LENGTH_INVALID);
  });

  it("takes the rest up to its limit", () => {
    const l = layout(struct({ offset: u16("offset"), data: rest("data", 4) }));
    expect(l.unpack(Uint8Array.of(1, 0, 7, 7))).toEqual({ offset: 1, data: Uint8Array.of(7, 7) });
    expect(ccOf(() => l.unpack(new Uint8Array(7)))).toBe(CC.REQUEST_FIELD_LENGTH_EXCEEDED);
  });

  it("refuses layouts that cannot be read unambiguously", () => {
    expect(() => struct({ a: optional(u8("a")), b: u8("b") })).toThrow(/cannot follow/);
    expect(() => struct({ a: rest("a"), b: optional(u8("b")) })).toThrow(/reads to the end/);
    expect(() => struct({ a: struct({ r: rest("r") }), b: optional(u8("b")) })).toThrow(/reads to the end/);
    expect(() => bits(1, { a: bit("a", 6, 8) })).toThrow(/outside/);
  });
});

describe("packing typed values", () => {
  it("writes each field LS byte first, bit groups into their bytes", () => {
    const l = layout(
      struct({
        id: u8("id"),
        flags: bits(1, { rev: bit("rev", 0, 3), sdrs: flag("sdrs", 7) }),
        product: u16("product"),
        wide: bits(3, { iana: bit("iana", 0, 19) }),
      }),
    );
    expect(l.pack({ id: 0x20, flags: { rev: 1, sdrs: true }, product: 0x0049, wide: { iana: 343 } })).toEqual(
      hex("20 81 49 00 57 01 00"),
    );
  });

  it("refuses a value that does not fit its field, never writing wrong bytes", () => {
    const l = layout(struct({ a: u8("a"), b: bits(1, { x: bit("x", 0, 2) }), c: bytes("c", 2) }));
    expect(() => l.pack({ a: 256, b: { x: 0 }, c: [0, 0] })).toThrow(LayoutError);
    expect(() => l.pack({ a: 1.5, b: { x: 0 }, c: [0, 0] })).toThrow(/does not fit/);
    expect(() => l.pack({ a: 1, b: { x: 8 }, c: [0, 0] })).toThrow(/x: 8 does not fit 3 bits/);
    expect(() => l.pack({ a: 1, b: { x: 1 }, c: [0] })).toThrow(/c: 1 bytes, the layout has 2/);
    expect(() => l.pack({ a: 1, b: { x: 1 }, c: [0, 300] })).toThrow(/byte 1 is 300/);
    expect(l.pack({ a: 1, b: { x: 7 }, c: Uint8Array.of(9, 8) })).toEqual(hex("01 07 09 08"));
  });

  it("leaves an absent optional field out and writes repeated records up to their limit", () => {
    const l = layout(struct({ a: u8("a"), b: optional(u16("b")) }));
    expect(l.pack({ a: 1, b: undefined })).toEqual(hex("01"));
    expect(l.pack({ a: 1, b: 2 })).toEqual(hex("01 02 00"));
    const r = layout(repeat(u16("id"), { max: 2 }));
    expect(r.pack([1, 2])).toEqual(hex("01 00 02 00"));
    expect(() => r.pack([1, 2, 3])).toThrow(/at most 2/);
  });

  it("lets earlier fields choose a dependent field's layout, both ways", () => {
    const l = layout(
      struct({
        kind: u8("kind"),
        body: dependent({ minLength: 1, maxLength: 2 }, (e) => (e.kind === 1 ? u16("wide") : u8("narrow"))),
      }),
    );
    expect(l.unpack(hex("01 34 12"))).toEqual({ kind: 1, body: 0x1234 });
    expect(l.unpack(hex("02 34"))).toEqual({ kind: 2, body: 0x34 });
    expect(l.pack({ kind: 1, body: 0x1234 })).toEqual(hex("01 34 12"));
    expect(l.decode(hex("02 34"))).toEqual([
      { name: "kind", value: "02h", raw: "02" },
      { name: "narrow", value: "34h", raw: "34" },
    ]);
  });

  it("maps values both ways", () => {
    const text = layout(
      mapped(
        bytes("tag", 3),
        (b) => String.fromCharCode(...b),
        (s: string) => [...s].map((ch) => ch.charCodeAt(0)),
      ),
    );
    expect(text.unpack(hex("43 4c 52"))).toBe("CLR");
    expect(text.pack("CLR")).toEqual(hex("43 4c 52"));
  });
});

describe("decoding for people", () => {
  it("names each field with the hex of its bytes", () => {
    const l = layout(struct({ a: u8("a"), b: u16("b"), c: u32("c", (v) => v.toString(16)) }));
    expect(l.decode(hex("01 34 12 78 56 34 12"))).toEqual([
      { name: "a", value: "01h", raw: "01" },
      { name: "b", value: "1234h", raw: "34 12" },
      { name: "c", value: "12345678", raw: "78 56 34 12" },
    ]);
  });

  it("counts every byte the layout still wanted once the data ran out", () => {
    const l = layout(struct({ a: u8("a"), b: u16("b"), c: u32("c", String) }));
    const fields = l.decode(hex("01 02"));
    expect(fields.map((f) => f.name)).toEqual(["a", TRUNCATED]);
    expect(fields.at(-1)?.value).toBe("5 bytes missing");
    expect(layout(u16("a")).decode(hex("01"))).toEqual([{ name: TRUNCATED, value: "1 byte missing" }]);
  });

  it("reports bytes past the layout as extra", () => {
    expect(
      layout(struct({ a: u8("a") }))
        .decode(hex("01 aa bb"))
        .at(-1),
    ).toEqual({ name: EXTRA, value: "aa bb" });
  });

  it("skips optional fields when no byte is left, and reads them when some are", () => {
    const l = layout(struct({ a: u8("a"), b: optional(u32("b", String)) }));
    expect(l.decode(hex("01")).map((f) => f.name)).toEqual(["a"]);
    expect(l.decode(hex("01 02")).at(-1)).toEqual({ name: TRUNCATED, value: "3 bytes missing" });
  });

  it("shows bit groups as fields sharing their byte's hex, or under one labelled field", () => {
    const flat = layout(
      bits(1, { hi: bit("hi", 4, 7), lo: bit("lo", 0, 3), hidden: bit(undefined, 8 - 8, 0) }),
    );
    expect(flat.decode(hex("c5"))).toEqual([
      { name: "hi", value: "12", raw: "c5" },
      { name: "lo", value: "5", raw: "c5" },
    ]);
    const labelled = layout(bits(1, { on: flag("on", 7) }, { label: "Flags" }));
    expect(labelled.decode(hex("80"))).toEqual([
      { name: "Flags", value: "80h", raw: "80", children: [{ name: "on", value: "yes" }] },
    ]);
  });

  it("leaves out empty children and groups records under one field", () => {
    expect(layout(u8("a", () => ({ value: "x", children: [] }))).decode(hex("00"))).toEqual([
      { name: "a", value: "x", raw: "00" },
    ]);
    const records = layout(repeat(group("Entry", u8("id")), { max: 4, label: (i) => `#${i + 1}` }));
    expect(records.decode(hex("01 02"))).toEqual([
      {
        name: "#1",
        value: "",
        raw: "01",
        children: [
          { name: "Entry", value: "", raw: "01", children: [{ name: "id", value: "01h", raw: "01" }] },
        ],
      },
      {
        name: "#2",
        value: "",
        raw: "02",
        children: [
          { name: "Entry", value: "", raw: "02", children: [{ name: "id", value: "02h", raw: "02" }] },
        ],
      },
    ]);
  });

  it("never throws: a faulty field shows as a decoder error", () => {
    const faulty = layout(
      u8("a", () => {
        throw new Error("boom");
      }),
    );
    expect(faulty.decode(hex("01"))).toEqual([{ name: "(decoder error)", value: "boom" }]);
  });
});
