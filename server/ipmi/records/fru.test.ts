import { describe, expect, it } from "vitest";
import { LayoutError } from "../layout/cursor";
import { EXTRA, TRUNCATED } from "../layout/decoded";
import { layout } from "../layout/layout";
import { childValues, get, hex, value, values } from "../layout/test-helpers";
import {
  bcdPlus,
  boardInfoArea,
  chassisInfoArea,
  FRU_DATE_EPOCH_MS,
  FruLayoutError,
  fruCommonHeader,
  infoAreaField,
  infoAreaKind,
  productInfoArea,
  sixBitAscii,
} from "./fru";

const board = layout(boardInfoArea);
const chassis = layout(chassisInfoArea);
const product = layout(productInfoArea);

/**
 * A board info area (section 11, table 11-1) using every type code of section 13:
 * - 01 04: format version 1, 4 x 8 = 32 bytes;
 * - 19: language code 25, English (table 15-1);
 * - a0 05 00: Mfg. date/time 0005A0h = 1440 minutes after 1996-01-01 00:00 = 1996-01-02 00:00;
 * - c4 "ACME": type 11b (8-bit ASCII + Latin 1 in an English area), 4 bytes;
 * - c2 "X1": the same, 2 bytes (11b needs at least 2: C1h is the end marker);
 * - 42 01 23: type 01b BCD plus, 2 bytes, digits 0 1 2 3 (13.1);
 * - 83 29 dc a6: type 10b 6-bit ASCII packed, 3 bytes: "IPMI" (I = 29h, P = 30h, M = 2Dh, I = 29h,
 *   less 20h each, packed LS bits first: 29h | 30h << 6 | 2Dh << 12 | 29h << 18 = A6DC29h);
 * - c0: FRU file ID empty; 02 de ad: a custom field, type 00b binary, 2 bytes;
 * - c1: end of fields; five 00h up to byte 31; 76h: the sum of all 32 bytes is 0 (mod 256).
 */
const BOARD_AREA = [
  "01 04 19 a0 05 00",
  "c4 41 43 4d 45",
  "c2 58 31",
  "42 01 23",
  "83 29 dc a6",
  "c0",
  "02 de ad",
  "c1 00 00 00 00 00 76",
].join(" ");

/** Chassis info area (section 10, table 10-1): rack mount (17h), part number "CHS-1", no serial, one custom field. */
const CHASSIS_AREA = "01 02 17 c5 43 48 53 2d 31 c0 c2 61 62 c1 00 df";

/** Product info area (section 12, table 12-1) in language 5, not English: type 11b is 2-byte Unicode, LS byte first. */
const PRODUCT_AREA_UNICODE = "01 02 05 c4 41 00 42 00 c0 c0 c0 c0 c0 c0 c1 70";

describe("type/length coded fields (section 13)", () => {
  it("codes BCD plus two digits a byte and 6-bit ASCII four characters in three bytes", () => {
    expect(bcdPlus("0123")).toEqual({ type: 1, bytes: hex("01 23") });
    // 1, period (Ch), 5, and a space (Ah) to fill the last byte.
    expect(bcdPlus("1.5")).toEqual({ type: 1, bytes: hex("1c 5a") });
    expect(sixBitAscii("IPMI")).toEqual({ type: 2, bytes: hex("29 dc a6") });
    expect(() => bcdPlus("12a")).toThrow(LayoutError);
    expect(() => sixBitAscii("ipmi")).toThrow(/not 6-bit ASCII/);
  });

  it("refuses what a type/length byte cannot hold, naming the field", () => {
    const p = {
      language: 0,
      manufacturer: "",
      name: "",
      partNumber: "",
      version: "",
      serialNumber: "",
      assetTag: "",
      fruFileId: "",
    };
    const refusal = (edit: Partial<Parameters<typeof product.pack>[0]>) => {
      try {
        product.pack({ ...p, ...edit });
      } catch (err) {
        if (err instanceof FruLayoutError) return { path: err.path, message: err.message };
        throw err;
      }
      throw new Error("packed");
    };
    expect(refusal({ name: "x".repeat(64) })).toEqual({
      path: ["name"],
      message: "Product name: 64 bytes, a field holds at most 63",
    });
    expect(refusal({ version: "A" })).toMatchObject({
      path: ["version"],
      message: expect.stringMatching(/C1h/),
    });
    expect(refusal({ custom: ["ok", "\u20ac"] })).toMatchObject({
      path: ["custom", 1],
      message: expect.stringMatching(/^Custom product info field 2: "€" \(U\+20AC\) is not printable/),
    });
    expect(refusal({ assetTag: { type: 3, bytes: [0x41] } })).toMatchObject({ path: ["assetTag"] });
    expect(refusal({ language: 5, manufacturer: "Acme" })).toMatchObject({
      path: ["manufacturer"],
      message: expect.stringMatching(/2-byte Unicode/),
    });
    // 63 bytes fit, and so does an empty text field in a non-English area.
    expect(() => product.pack({ ...p, name: "x".repeat(63) })).not.toThrow();
    expect(() => product.pack({ ...p, language: 5 })).not.toThrow();
  });
});

describe("the board info area (section 11)", () => {
  it("packs every type code and a manufacturing date to the spec's bytes", () => {
    const packed = board.pack({
      language: 25,
      manufacturedAt: 1440,
      manufacturer: "ACME",
      productName: "X1",
      serialNumber: bcdPlus("0123"),
      partNumber: sixBitAscii("IPMI"),
      fruFileId: "",
      custom: [{ type: 0, bytes: [0xde, 0xad] }],
    });
    expect(packed).toEqual(hex(BOARD_AREA));
  });

  it("reads the same bytes back to the typed value and to named fields", () => {
    const v = board.unpack(hex(BOARD_AREA));
    expect(v.language).toBe(25);
    expect(v.manufacturedAt).toBe(1440);
    expect(
      [v.manufacturer, v.productName, v.serialNumber, v.partNumber, v.fruFileId].map((f) => f.text),
    ).toEqual(["ACME", "X1", "0123", "IPMI", ""]);
    expect(v.custom).toEqual([{ type: 0, bytes: hex("de ad"), text: "de ad" }]);
    expect(board.pack(v)).toEqual(hex(BOARD_AREA));

    const fields = board.decode(hex(BOARD_AREA));
    expect(values(fields)).toEqual({
      "Format version": "1",
      "Area length": "4 (32 bytes)",
      "Language code": "English (19h)",
      "Mfg. date/time": "1996-01-02T00:00:00Z",
      "Board manufacturer": "ACME",
      "Board product name": "X1",
      "Board serial number": "0123",
      "Board part number": "IPMI",
      "FRU file ID": "(empty)",
      "Custom board info field 1": "de ad",
      "End of fields": "C1h",
      Padding: "5 bytes of 00h",
      Checksum: "76h (valid)",
    });
    expect(get(fields, "Board part number").raw).toBe("83 29 dc a6");
    expect(childValues(fields, "Board part number")).toEqual({
      "Type/length": "6-bit ASCII, packed, 3 bytes",
    });
    expect(childValues(fields, "Board serial number")).toEqual({ "Type/length": "BCD plus, 2 bytes" });
    expect(childValues(fields, "Custom board info field 1")).toEqual({
      "Type/length": "binary or unspecified, 2 bytes",
    });
  });

  it("reads a date of the 2020s and 000000h as unspecified", () => {
    // 2020-11-24 12:00 UTC: 24 years and 6 leap days to 2020-01-01 (8766 days), 328 more days
    // to November 24, half a day: 9094.5 days x 1440 = 13096080 minutes = C7D490h.
    const date = hex(BOARD_AREA.replace("a0 05 00", "90 d4 c7"));
    date[31] = 0; // checksum of the changed bytes
    date[31] = (0x100 - (date.reduce((a, b) => a + b, 0) & 0xff)) & 0xff;
    expect(value(board.decode(date), "Mfg. date/time")).toBe("2020-11-24T12:00:00Z");
    expect(board.unpack(date).manufacturedAt).toBe((Date.UTC(2020, 10, 24, 12) - FRU_DATE_EPOCH_MS) / 60_000);

    const unspecified = board.pack({
      language: 0,
      manufacturer: "",
      productName: "",
      serialNumber: "",
      partNumber: "",
      fruFileId: "",
    });
    expect(unspecified).toEqual(hex("01 02 00 00 00 00 c0 c0 c0 c0 c0 c1 00 00 00 7c"));
    expect(value(board.decode(unspecified), "Mfg. date/time")).toBe("000000h (unspecified)");
    expect(board.unpack(unspecified).manufacturedAt).toBeUndefined();
  });

  it("shows a wrong checksum, padding that is not 00h, a short area and one cut short", () => {
    const wrong = hex(BOARD_AREA);
    wrong[31] = 0x77;
    expect(value(board.decode(wrong), "Checksum")).toBe("77h (wrong: should be 76h)");
    const padded = hex(BOARD_AREA);
    padded[27] = 0xff;
    expect(value(board.decode(padded), "Padding")).toBe("5 bytes, not all 00h: 00 ff 00 00 00");
    // C1h before the part number: the area is short of its last two defined fields.
    const early = board.decode(hex("01 02 00 00 00 00 c0 c0 c0 c1 00 00 00 00 00 fc"));
    expect(value(early, "(missing fields)")).toBe("the fields end before Board part number, FRU file ID");
    // The data ends 10 bytes into a 32-byte area.
    expect(value(board.decode(hex(BOARD_AREA).subarray(0, 10)), TRUNCATED)).toBe("22 bytes missing");
    // A field that runs past the area's length.
    const overrun = board.decode(hex("01 01 00 00 00 00 cf 41"));
    expect(value(overrun, "(overrun)")).toBe("the fields run past the area's 8 bytes");
  });
});

describe("the chassis and product info areas (sections 10, 12)", () => {
  it("packs and reads a chassis area with a custom field", () => {
    const packed = chassis.pack({ type: 0x17, partNumber: "CHS-1", serialNumber: "", custom: ["ab"] });
    expect(packed).toEqual(hex(CHASSIS_AREA));
    expect(values(chassis.decode(packed))).toEqual({
      "Format version": "1",
      "Area length": "2 (16 bytes)",
      "Chassis type": "Rack Mount Chassis (17h)",
      "Chassis part number": "CHS-1",
      "Chassis serial number": "(empty)",
      "Custom chassis info field 1": "ab",
      "End of fields": "C1h",
      Padding: "1 byte of 00h",
      Checksum: "DFh (valid)",
    });
  });

  it("reads type 11b as 2-byte Unicode where the language is not English", () => {
    const fields = product.decode(hex(PRODUCT_AREA_UNICODE));
    expect(values(fields)).toMatchObject({
      "Language code": "5 (05h), not English: type 11b text is Unicode",
      "Manufacturer name": "AB",
      "Product name": "(empty)",
      "Asset tag": "(empty)",
      Checksum: "70h (valid)",
    });
    expect(childValues(fields, "Manufacturer name")).toEqual({
      "Type/length": "2-byte Unicode, LS byte first, 4 bytes",
    });
    // Packed back from what it read, byte for byte.
    expect(product.pack(product.unpack(hex(PRODUCT_AREA_UNICODE)))).toEqual(hex(PRODUCT_AREA_UNICODE));
  });

  it("refuses an area longer than its length byte counts", () => {
    const custom = Array.from({ length: 33 }, () => "x".repeat(63));
    expect(() => chassis.pack({ type: 1, partNumber: "", serialNumber: "", custom })).toThrow(
      /the area takes 2120 bytes, more than its length byte counts \(2040\)/,
    );
  });
});

describe("recognizing an area by its own bytes", () => {
  it("names each kind, and a product area is not taken for a chassis area with custom fields", () => {
    expect(infoAreaKind(hex(BOARD_AREA))).toBe("board");
    expect(infoAreaKind(hex(CHASSIS_AREA))).toBe("chassis");
    expect(infoAreaKind(hex(PRODUCT_AREA_UNICODE))).toBe("product");
    // Empty fields: as a product area, the date's 00h bytes would be binary fields and one more custom.
    expect(infoAreaKind(hex("01 02 00 00 00 00 c0 c0 c0 c0 c0 c1 00 00 00 7c"))).toBe("board");
    const field = infoAreaField(hex(`${BOARD_AREA} 00 00`));
    expect(field?.name).toBe("Board info area");
    expect(field?.value).toBe('"ACME", "X1"');
    expect(field?.raw).toBe(BOARD_AREA);
  });

  it("is conservative: another version, a length past the data, 00h missing, a header", () => {
    expect(infoAreaKind(hex(BOARD_AREA.replace(/^01/, "02")))).toBeUndefined();
    expect(infoAreaKind(hex(BOARD_AREA).subarray(0, 31))).toBeUndefined();
    const padded = hex(BOARD_AREA);
    padded[27] = 0xff;
    expect(infoAreaKind(padded)).toBeUndefined();
    // The shipped image's common header: its second byte (no internal use area) is 00h.
    expect(infoAreaKind(hex("01 00 01 05 0d 00 00 ec"))).toBeUndefined();
    expect(infoAreaField(hex("01 01 00 00 00 00 cf 41"))).toBeUndefined();
  });
});

describe("the common header (section 8)", () => {
  it("still packs and reads the header with its checksum", () => {
    const l = layout(fruCommonHeader);
    const bytes = l.pack({ version: 1, internalUse: 0, chassis: 1, board: 5, product: 13, multiRecord: 0 });
    expect(bytes).toEqual(hex("01 00 01 05 0d 00 00 ec"));
    expect(value(l.decode(bytes), "Checksum")).toBe("ECh (valid)");
    expect(l.decode(hex("01 00 01 05 0d 00 00 ec 00")).some((f) => f.name === EXTRA)).toBe(true);
  });
});
