import { describe, expect, it } from "vitest";
import { LayoutError } from "../layout/cursor";
import { layout } from "../layout/layout";
import { childValues, hex, values } from "../layout/test-helpers";
import { decodeSelRecord, packSelRecord, SEL_RECORD_LENGTH, selRecord } from "./sel";

describe("the SEL record (table 32-1)", () => {
  it("packs a system event record the dashboard reads back field by field", () => {
    const bytes = packSelRecord({
      recordId: 0x0001,
      recordType: 0x02,
      body: {
        timestamp: 0x665f1ea0,
        generator: { id: 0x20, lun: 0, reserved: 0, channel: 0 },
        event: {
          evmRev: 0x04,
          sensorType: 0x01,
          sensorNumber: 0x30,
          dirType: { deassertion: false, eventType: 0x01 },
          eventData: [0x59, 0x4b, 0x50],
        },
      },
    });
    expect(bytes).toEqual(hex("01 00 02 a0 1e 5f 66 20 00 04 01 30 01 59 4b 50"));
    expect(bytes.length).toBe(SEL_RECORD_LENGTH);
    const fields = decodeSelRecord(bytes);
    expect(values(fields)).toMatchObject({
      "Record type": "System event record (02h)",
      Timestamp: "2024-06-04T14:03:12Z",
      "Event direction": "Assertion",
      "Event type": "Threshold (01h)",
      "Event data 2": "4Bh (trigger reading)",
      "Event data 3": "50h (trigger threshold value)",
    });
    expect(childValues(fields, "Event data 1")).toMatchObject({
      Offset: "Upper Critical - going high (09h)",
    });
  });

  it("reads every record type and packs it back to the same 16 bytes", () => {
    const l = layout(selRecord);
    for (const text of [
      "01 00 02 a0 1e 5f 66 41 00 04 05 31 ef 00 ff ff",
      "02 00 df 5c d2 99 63 37 01 00 04 00 00 00 00 00",
      "03 00 e0 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d",
      "04 00 10 01 02 03 04 05 36 07 08 09 0a 0b 0c 0d",
    ]) {
      const b = hex(text);
      expect(packSelRecord(l.unpack(b) as never)).toEqual(b);
    }
  });

  it("refuses an event that does not fit", () => {
    expect(() =>
      packSelRecord({
        recordId: 1,
        recordType: 0x02,
        body: {
          timestamp: 0,
          generator: { id: 0x20, lun: 4, reserved: 0, channel: 0 },
          event: {
            evmRev: 4,
            sensorType: 1,
            sensorNumber: 1,
            dirType: { deassertion: false, eventType: 1 },
            eventData: [0, 0, 0],
          },
        },
      }),
    ).toThrow(LayoutError);
  });
});
