import { describe, expect, it } from "vitest";
import type { Codec } from "../ipmi/layout/codec";
import { EXTRA, TRUNCATED } from "../ipmi/layout/decoded";
import { layout } from "../ipmi/layout/layout";
import {
  compactSensorRecord,
  decodeSdrRecord,
  fruLocatorRecord,
  fullSensorRecord,
  mcLocatorRecord,
  packSdr,
  SDR_RECORD_TYPE,
  sdrRecord,
} from "../ipmi/records/sdr";
import { testBmc } from "./test-harness";

const CODECS = new Map<number, Codec<unknown, never>>([
  [SDR_RECORD_TYPE.FULL_SENSOR, fullSensorRecord],
  [SDR_RECORD_TYPE.COMPACT_SENSOR, compactSensorRecord],
  [SDR_RECORD_TYPE.FRU_DEVICE_LOCATOR, fruLocatorRecord],
  [SDR_RECORD_TYPE.MC_DEVICE_LOCATOR, mcLocatorRecord],
] as Array<[number, Codec<unknown, never>]>);

describe("the SDR repository's records", () => {
  const records = testBmc().sdr.records;

  it("are laid out by the records module: each decodes and packs back to its bytes", () => {
    const read = layout(sdrRecord);
    for (const r of records) {
      const record = read.unpack(r.bytes);
      expect(record.recordId).toBe(r.id);
      const codec = CODECS.get(record.recordType);
      expect(codec, `record ${r.id} type ${record.recordType}`).toBeDefined();
      expect(packSdr(codec as never, record as never)).toEqual(r.bytes);
    }
  });

  it("decode for the dashboard whole, without missing or extra bytes", () => {
    for (const r of records) {
      const fields = decodeSdrRecord(r.bytes);
      expect(
        fields.some((f) => f.name === TRUNCATED || f.name === EXTRA),
        `record ${r.id}`,
      ).toBe(false);
      expect(fields.find((f) => f.name === "Record type")?.value).not.toMatch(/^Reserved/);
    }
  });

  it("count sensors by their owner LUN", () => {
    const b = testBmc();
    const sensors = records.filter((r) => r.sensorLun !== undefined);
    expect(b.sdr.sensorCount(0)).toBe(sensors.length);
    expect(b.sdr.sensorLuns()).toBe(0x01);
  });
});
