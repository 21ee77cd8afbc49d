import { describe, expect, it } from "vitest";
import { LayoutError } from "../layout/cursor";
import { TRUNCATED } from "../layout/decoded";
import { layout } from "../layout/layout";
import { get, hex, value, values } from "../layout/test-helpers";
import {
  compactSensorRecord,
  decodeSdrRecord,
  fruLocatorRecord,
  fullSensorRecord,
  idString,
  mcLocatorRecord,
  packSdr,
  readingFactors,
  SDR_RECORD_TYPE,
  sdrRecord,
} from "./sdr";
import { COMPACT_SENSOR, FULL_SENSOR } from "./sdr-vectors";

describe("ID strings", () => {
  it("unpacks 6-bit packed ASCII (the spec's 'IPMI' example)", () => {
    expect(idString(0x83, hex("29 dc a6"))).toBe("IPMI");
  });

  it("reads 8-bit ASCII up to a NUL, BCD plus, and shows Unicode as hex", () => {
    expect(idString(0xc8, hex("43 50 55 20 54 65 6d 70"))).toBe("CPU Temp");
    expect(idString(0xc4, hex("46 41 4e 00"))).toBe("FAN");
    expect(idString(0x42, hex("12 ab"))).toBe("12 -");
    expect(idString(0x02, hex("41 00"))).toBe("41 00");
  });
});

const FRU_LOCATOR = "06 00 51 11 0e 20 00 80 00 00 10 00 07 01 00 c3 46 52 55";
const MC_LOCATOR = "07 00 51 12 0e 20 00 00 bf 00 00 00 2e 01 00 c3 42 4d 43";

describe("SDR records: one layout decodes and packs", () => {
  const decode = layout(sdrRecord);

  it.each([
    ["full sensor", FULL_SENSOR, fullSensorRecord],
    ["compact sensor", COMPACT_SENSOR, compactSensorRecord],
    ["FRU device locator", FRU_LOCATOR, fruLocatorRecord],
    ["MC device locator", MC_LOCATOR, mcLocatorRecord],
  ] as const)("packs a %s record back to the bytes it was read from", (_name, text, codec) => {
    const bytes = hex(text);
    const record = decode.unpack(bytes);
    expect(packSdr(codec as never, record as never)).toEqual(bytes);
  });

  it("counts the record length and fills in the type and the SDR version", () => {
    const bytes = packSdr(fruLocatorRecord, {
      recordId: 0x0106,
      body: {
        accessAddress: 0x20,
        fruDeviceId: 0x00,
        access: { logical: true, lun: 0, privateBus: 0 },
        channel: { channel: 0 },
        deviceType: 0x10,
        deviceTypeModifier: 0x00,
        entity: { id: 0x07, instance: 1, logical: false },
        oem: 0,
        idString: "FRU",
      },
    });
    expect(bytes).toEqual(hex("06 01 51 11 0e 20 00 80 00 00 10 00 07 01 00 c3 46 52 55"));
    expect(bytes[3]).toBe(SDR_RECORD_TYPE.FRU_DEVICE_LOCATOR);
  });

  it("decodes the device locator records by their spec type codes, 11h and 12h", () => {
    const fru = decodeSdrRecord(hex(FRU_LOCATOR));
    expect(values(fru)).toMatchObject({
      "Record type": "FRU Device Locator Record (11h)",
      "FRU device ID / slave address": "00h",
      "Logical FRU device": "yes",
      "FRU entity ID": "System board (07h)",
      "Device ID string": "FRU",
    });
    expect(value(decodeSdrRecord(hex(MC_LOCATOR)), "Record type")).toBe(
      "Management Controller Device Locator Record (12h)",
    );
  });

  it("converts the record's readings with its own units and factors", () => {
    const fields = decodeSdrRecord(hex(FULL_SENSOR));
    expect(value(fields, "Nominal reading")).toBe("28h = 40 degrees C");
    expect(value(fields, "Upper critical threshold")).toBe("64h = 100 degrees C");
    expect(get(fields, "Sensor units 1").raw).toBe("00");
  });

  it("counts missing bytes by the record length in the header", () => {
    expect(value(decodeSdrRecord(hex(FULL_SENSOR).subarray(0, 20)), TRUNCATED)).toBe("36 bytes missing");
  });

  it("refuses values that do not fit: a long ID string, an M beyond 10 bits", () => {
    // A real compact record, read with its layout, then changed one field at a time.
    const record = layout(compactSensorRecord).unpack(hex(COMPACT_SENSOR));
    const { body } = record;
    expect(packSdr(compactSensorRecord, { recordId: record.recordId, body })).toEqual(hex(COMPACT_SENSOR));
    expect(() =>
      packSdr(compactSensorRecord, {
        recordId: record.recordId,
        body: { ...body, idString: "x".repeat(17) },
      }),
    ).toThrow(LayoutError);
    const factors = layout(readingFactors(false));
    const f = { m: 27, b: 0, bExp: 0, rExp: -3, tolerance: 0, accuracy: 0, accuracyExp: 0, direction: 0 };
    expect(factors.pack(f)).toEqual(hex("1b 00 00 00 00 d0"));
    expect(() => factors.pack({ ...f, m: 512 })).toThrow(LayoutError);
    expect(() => factors.pack({ ...f, rExp: -9 })).toThrow(LayoutError);
  });
});
