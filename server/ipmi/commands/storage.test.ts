import { describe, expect, it } from "vitest";
import { EXTRA, PARTIAL, TRUNCATED } from "../layout/decoded";
import { childValues, get, hex, value, values } from "../layout/test-helpers";
import { COMPACT_SENSOR, FULL_SENSOR } from "../records/sdr-vectors";
import { decodeRequest, decodeResponse } from "./index";

const STORAGE = 0x0a;
const rs = (cmd: number, data: string, request?: string) =>
  decodeResponse(STORAGE, cmd, 0x00, hex(data), request === undefined ? undefined : hex(request));
const rq = (cmd: number, data: string) => decodeRequest(STORAGE, cmd, hex(data));

describe("Get SDR", () => {
  it("decodes the request", () => {
    expect(values(rq(0x23, "12 34 00 00 00 ff"))).toEqual({
      "Reservation ID": "3412h",
      "Record ID": "0000h (first)",
      "Offset into record": "0",
      "Bytes to read": "FFh (entire record)",
    });
    expect(values(rq(0x23, "00 00 05 00 05 10"))).toMatchObject({
      "Reservation ID": "0000h (none)",
      "Record ID": "0005h",
      "Bytes to read": "16 bytes",
    });
  });

  it("decodes a full sensor record with its header and main fields", () => {
    const fields = rs(0x23, `02 00 ${FULL_SENSOR}`, "00 00 01 00 00 ff");
    expect(value(fields, "Next record ID")).toBe("0002h");
    const record = get(fields, "Record");
    expect(record.value).toBe('Full Sensor Record (01h), "CPU Temp"');
    expect(values(record.children)).toMatchObject({
      "Record ID": "0001h",
      "SDR version": "1.5 (51h)",
      "Record type": "Full Sensor Record (01h)",
      "Record length": "51 bytes",
      "Sensor owner ID": "IPMB slave address 20h",
      "Sensor number": "30h",
      "Entity ID": "Processor (03h)",
      "Entity instance": "1 (physical)",
      "Sensor type": "Temperature (01h)",
      "Event/reading type": "Threshold (01h)",
      "Base unit": "degrees C (01h)",
      Units: "degrees C",
      Linearization: "linear (00h)",
      M: "1",
      B: "0",
      "Sensor direction": "input",
      "Nominal reading": "28h = 40 degrees C",
      "Upper critical threshold": "64h = 100 degrees C",
      "Lower non-critical threshold": "0Ah = 10 degrees C",
      "ID string type/length": "8-bit ASCII + Latin 1, 8 bytes",
      "ID string": "CPU Temp",
    });
    expect(childValues(record.children, "Settable / readable threshold mask")).toEqual({
      "Readable thresholds": "LNC, LC, LNR, UNC, UC, UNR",
      "Settable thresholds": "LNC, LC, LNR, UNC, UC, UNR",
    });
    expect(childValues(record.children, "Sensor owner LUN")).toEqual({
      Channel: "0 (Primary IPMB)",
      LUN: "0",
    });
    expect(record.children?.some((f) => f.name === TRUNCATED || f.name === EXTRA)).toBe(false);
  });

  it("converts readings with M, B and the exponents", () => {
    // Same record, as a voltage: M = 58, R exp = -3, so 200 raw counts are 11.6 Volts.
    const volts = FULL_SENSOR.replace("00 01 00 00", "00 04 00 00").replace(
      "01 00 00 00 01 00",
      "3a 00 00 00 01 d0",
    );
    const record = get(rs(0x23, `ff ff ${volts}`), "Record");
    expect(value(record.children, "Units")).toBe("Volts");
    expect(value(record.children, "R exponent")).toBe("-3");
    expect(value(record.children, "Sensor maximum reading")).toBe("FFh = 14.79 Volts");
    expect(value(rs(0x23, `ff ff ${volts}`), "Next record ID")).toBe("FFFFh (last record)");
  });

  it("decodes a compact sensor record with a 6-bit packed ID string", () => {
    const record = get(rs(0x23, `03 00 ${COMPACT_SENSOR}`), "Record");
    expect(record.value).toBe('Compact Sensor Record (02h), "PSU1"');
    expect(values(record.children)).toMatchObject({
      "Record length": "30 bytes",
      "Sensor number": "40h",
      "Entity ID": "Power supply (0Ah)",
      "Sensor type": "Power Supply (08h)",
      "Event/reading type": "Sensor-specific (6Fh)",
      "Assertion event mask": "000Fh",
      Units: "none",
      "Share count": "0",
      "ID string type/length": "6-bit ASCII, packed, 3 bytes",
      "ID string": "PSU1",
    });
    expect(childValues(record.children, "Sensor units 1")).toMatchObject({
      "Analog data format": "no analog reading",
    });
  });

  it("shows a header-only read (ipmitool reads 5 bytes first) as a partial read, not a truncated one", () => {
    const fields = rs(0x23, "02 00 01 00 51 01 33", "00 00 01 00 00 05");
    const record = get(fields, "Record");
    expect(values(record.children)).toMatchObject({
      "Record ID": "0001h",
      "Record type": "Full Sensor Record (01h)",
      "Record length": "51 bytes",
      [PARTIAL]: "5 of 56 bytes read",
    });
    expect(record.children?.some((f) => f.name === TRUNCATED)).toBe(false);
  });

  it("shows a read from a non-zero offset as bytes of the record", () => {
    const fields = rs(0x23, "02 00 20 00 30 03 01", "34 12 01 00 05 05");
    expect(values(fields)).toEqual({
      "Next record ID": "0002h",
      "Record data": "bytes 5-9 of the record",
    });
    expect(get(fields, "Record data").raw).toBe("20 00 30 03 01");
  });

  it("reports a record cut short when the whole record was asked for", () => {
    const record = get(rs(0x23, `02 00 ${FULL_SENSOR.slice(0, 3 * 20 - 1)}`, "00 00 01 00 00 ff"), "Record");
    expect(value(record.children, TRUNCATED)).toBe("36 bytes missing");
  });

  it("shows the body of records it has no layout for as hex", () => {
    const record = get(rs(0x23, "ff ff 05 00 51 c0 04 57 01 00 aa"), "Record");
    expect(values(record.children)).toEqual({
      "Record ID": "0005h",
      "SDR version": "1.5 (51h)",
      "Record type": "OEM Record (C0h)",
      "Record length": "4 bytes",
      "Record body": "57 01 00 aa",
    });
  });

  it("decodes FRU and management controller device locator records", () => {
    const fru = get(rs(0x23, "ff ff 06 00 51 11 0e 20 00 80 00 00 10 00 07 01 00 c3 46 52 55"), "Record");
    expect(values(fru.children)).toMatchObject({
      "Record type": "FRU Device Locator Record (11h)",
      "FRU device ID / slave address": "00h",
      "Logical FRU device": "yes",
      "FRU entity ID": "System board (07h)",
      "Device ID string": "FRU",
    });
    const mc = get(rs(0x23, "ff ff 07 00 51 12 0e 20 00 00 bf 00 00 00 2e 01 00 c3 42 4d 43"), "Record");
    expect(values(mc.children)).toMatchObject({
      "Record type": "Management Controller Device Locator Record (12h)",
      "Device slave address": "20h",
      "Entity ID": "Management controller firmware (2Eh)",
      "Device ID string": "BMC",
    });
    expect(childValues(mc.children, "Device capabilities")).toMatchObject({
      "SEL device": "yes",
      Bridge: "no",
    });
    for (const r of [fru, mc])
      expect(r.children?.some((f) => f.name === TRUNCATED || f.name === EXTRA)).toBe(false);
  });

  it("decodes Get Device SDR (Sensor/Event 21h) the same way", () => {
    const record = get(decodeResponse(0x04, 0x21, 0x00, hex(`ff ff ${COMPACT_SENSOR}`)), "Record");
    expect(value(record.children, "ID string")).toBe("PSU1");
  });
});

describe("SDR repository", () => {
  it("decodes Get SDR Repository Info", () => {
    const fields = rs(0x20, "51 0c 00 ff ff a0 1e 5f 66 ff ff ff ff 22");
    expect(values(fields)).toEqual({
      "SDR version": "1.5 (51h)",
      "Record count": "12",
      "Free space": "FFFFh (unspecified)",
      "Most recent addition": "2024-06-04T14:03:12Z",
      "Most recent erase": "unspecified (FFFFFFFFh)",
      "Operation support": "22h",
    });
    expect(childValues(fields, "Operation support")).toMatchObject({
      Overflow: "no",
      "Reserve SDR Repository supported": "yes",
      "SDR repository update": "non-modal",
    });
  });

  it("decodes the allocation info and reservations", () => {
    expect(values(rs(0x21, "00 02 10 00 f0 01 f0 01 04"))).toEqual({
      "Possible allocation units": "512",
      "Allocation unit size": "16 bytes",
      "Free allocation units": "496",
      "Largest free block": "496 allocation units",
      "Maximum record size": "4 allocation units",
    });
    expect(values(rs(0x22, "01 00"))).toEqual({ "Reservation ID": "0001h" });
    expect(values(rs(0x42, "34 12"))).toEqual({ "Reservation ID": "1234h" });
    expect(value(rs(0x42, "34"), TRUNCATED)).toBe("1 byte missing");
  });
});

describe("FRU inventory", () => {
  it("decodes Get FRU Inventory Area Info", () => {
    expect(values(rq(0x10, "00"))).toEqual({ "FRU device ID": "00h" });
    expect(values(rs(0x10, "00 01 00"))).toEqual({
      "FRU inventory area size": "256 bytes",
      Access: "by bytes",
    });
  });

  it("decodes Read FRU Data, offset and count", () => {
    expect(values(rq(0x11, "00 08 00 10"))).toEqual({
      "FRU device ID": "00h",
      Offset: "0008h (8)",
      "Count to read": "16 bytes",
    });
    expect(values(rs(0x11, "04 01 00 00 01"))).toEqual({
      "Count returned": "4 bytes",
      Data: '01 00 00 01 "...."',
    });
    expect(value(rs(0x11, "04 01 00"), TRUNCATED)).toBe("2 bytes missing");
    expect(decodeResponse(STORAGE, 0x11, 0x81, new Uint8Array())?.[0]?.value).toBe("81h FRU device busy");
  });

  it("shows the common header of a read from offset 0 (FRU spec section 8)", () => {
    const data = get(rs(0x11, "08 01 00 01 05 0d 00 00 ec", "00 00 00 08"), "Data");
    expect(data.value).toBe('01 00 01 05 0d 00 00 ec "........"');
    expect(values(data.children)).toEqual({
      "Format version": "1",
      "Internal use area offset": "00h (not present)",
      "Chassis info area offset": "01h (byte 8)",
      "Board area offset": "05h (byte 40)",
      "Product info area offset": "0Dh (byte 104)",
      "MultiRecord area offset": "00h (not present)",
      Pad: "00h",
      Checksum: "ECh (valid)",
    });
    const wrong = get(rs(0x11, "08 01 00 01 05 0d 00 00 ed", "00 00 00 08"), "Data");
    expect(value(wrong.children, "Checksum")).toBe("EDh (wrong: should be ECh)");
    // From elsewhere in the image the bytes are just bytes.
    expect(get(rs(0x11, "08 01 00 01 05 0d 00 00 ec", "00 08 00 08"), "Data").children).toBeUndefined();
  });

  it("shows an info area's fields when a read from where it starts holds it whole (FRU spec 10-13)", () => {
    // The shipped image's chassis info area (byte 8): rack mount, part and serial number, C1h, 00h, checksum.
    const CHASSIS =
      "01 04 17 cb 43 48 53 2d 31 55 2d 30 30 30 31 ca 43 48 30 30 30 30 30 30 30 31 c1 00 00 00 00 03";
    const chassis = get(get(rs(0x11, `20 ${CHASSIS}`, "00 08 00 20"), "Data").children, "Chassis info area");
    expect(chassis.value).toBe('Rack Mount Chassis (17h), "CHS-1U-0001"');
    expect(values(chassis.children)).toEqual({
      "Format version": "1",
      "Area length": "4 (32 bytes)",
      "Chassis type": "Rack Mount Chassis (17h)",
      "Chassis part number": "CHS-1U-0001",
      "Chassis serial number": "CH00000001",
      "End of fields": "C1h",
      Padding: "4 bytes of 00h",
      Checksum: "03h (valid)",
    });

    // A board area with a manufacturing date (1440 minutes after 1996-01-01), BCD plus and
    // 6-bit ASCII fields, and a custom binary field, read from byte 40 with two bytes more.
    const BOARD =
      "01 04 19 a0 05 00 c4 41 43 4d 45 c2 58 31 42 01 23 83 29 dc a6 c0 02 de ad c1 00 00 00 00 00 76";
    const data = get(rs(0x11, `22 ${BOARD} 01 02`, "00 28 00 22"), "Data");
    expect(values(data.children)).toEqual({
      "Board info area": '"ACME", "X1"',
      "After the area": '01 02 ".."',
    });
    expect(values(get(data.children, "Board info area").children)).toMatchObject({
      "Language code": "English (19h)",
      "Mfg. date/time": "1996-01-02T00:00:00Z",
      "Board manufacturer": "ACME",
      "Board serial number": "0123",
      "Board part number": "IPMI",
      "Custom board info field 1": "de ad",
      Checksum: "76h (valid)",
    });

    const plain = (data: string, request?: string) => get(rs(0x11, data, request), "Data").children;
    // ipmitool's first read of an area: format and length only.
    expect(plain("02 01 04", "00 28 00 02")).toBeUndefined();
    // Half the area.
    expect(plain(`10 ${BOARD.slice(0, 16 * 3 - 1)}`, "00 28 00 10")).toBeUndefined();
    // Not where an area can start (a multiple of 8 past the header), or nothing says where.
    expect(plain(`20 ${BOARD}`, "00 29 00 20")).toBeUndefined();
    expect(plain(`20 ${BOARD}`)).toBeUndefined();
    // Not a well-formed area: a byte of the padding is not 00h.
    expect(plain(`20 ${BOARD.replace("c1 00 00", "c1 00 ff")}`, "00 28 00 20")).toBeUndefined();
  });

  it("decodes Write FRU Data", () => {
    expect(values(rq(0x12, "00 10 00 41 42"))).toEqual({
      "FRU device ID": "00h",
      Offset: "0010h (16)",
      Data: '2 bytes: 41 42 "AB"',
    });
    expect(values(rs(0x12, "02"))).toEqual({ "Count written": "2 bytes" });
  });
});

describe("SEL", () => {
  it("decodes Get SEL Info", () => {
    const fields = rs(0x40, "51 03 00 d0 0f a0 1e 5f 66 00 00 00 00 0a");
    expect(values(fields)).toEqual({
      "SEL version": "1.5 (51h)",
      Entries: "3",
      "Free space": "4048 bytes",
      "Most recent addition": "2024-06-04T14:03:12Z",
      "Most recent erase": "0 s after initialization (pre-init timestamp)",
      "Operation support": "0Ah",
    });
    expect(childValues(fields, "Operation support")).toMatchObject({
      "Delete SEL supported": "yes",
      "Reserve SEL supported": "yes",
      "Partial Add SEL Entry supported": "no",
    });
  });

  it("decodes a Get SEL Entry response holding a system event record", () => {
    const fields = rs(0x43, "02 00 01 00 02 a0 1e 5f 66 20 00 04 01 30 01 59 4b 50", "00 00 01 00 00 ff");
    expect(value(fields, "Next record ID")).toBe("0002h");
    const record = get(fields, "Record");
    expect(record.value).toBe("System event record (02h), Temperature (01h)");
    expect(values(record.children)).toEqual({
      "Record ID": "0001h",
      "Record type": "System event record (02h)",
      Timestamp: "2024-06-04T14:03:12Z",
      "Generator ID": "0020h",
      "EvM revision": "04h (IPMI 1.5/2.0)",
      "Sensor type": "Temperature (01h)",
      "Sensor number": "30h",
      "Event direction": "Assertion",
      "Event type": "Threshold (01h)",
      "Event data 1": "59h",
      "Event data 2": "4Bh (trigger reading)",
      "Event data 3": "50h (trigger threshold value)",
    });
    expect(childValues(record.children, "Generator ID")).toEqual({
      ID: "IPMB slave address 20h",
      Channel: "0 (Primary IPMB)",
      LUN: "0",
    });
  });

  it("decodes an OEM timestamped record as a BMC returned it (ipmitool issue 384)", () => {
    const fields = rs(0x43, "ff ff 02 00 df 5c d2 99 63 37 01 00 04 00 00 00 00 00", "00 00 02 00 00 ff");
    expect(value(fields, "Next record ID")).toBe("FFFFh (last record)");
    expect(values(get(fields, "Record").children)).toEqual({
      "Record ID": "0002h",
      "Record type": "OEM timestamped (DFh)",
      Timestamp: "2022-12-14T13:40:44Z",
      "Manufacturer ID": "311",
      "OEM defined": "04 00 00 00 00 00",
    });
  });

  it("decodes an OEM non-timestamped record", () => {
    const record = get(rs(0x43, "ff ff 03 00 e0 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d"), "Record");
    expect(values(record.children)).toEqual({
      "Record ID": "0003h",
      "Record type": "OEM non-timestamped (E0h)",
      "OEM defined": "01 02 03 04 05 06 07 08 09 0a 0b 0c 0d",
    });
  });

  it("tells partial reads of a SEL record from truncated ones", () => {
    const partial = get(rs(0x43, "02 00 01 00 02 a0 1e", "00 00 01 00 00 05"), "Record");
    expect(value(partial.children, PARTIAL)).toBe("5 of 16 bytes read");
    const truncated = get(rs(0x43, "02 00 01 00 02 a0 1e", "00 00 01 00 00 ff"), "Record");
    expect(value(truncated.children, TRUNCATED)).toBe("11 bytes missing");
    expect(value(rs(0x43, "02 00 a0 1e", "00 00 01 00 05 02"), "Record data")).toBe(
      "bytes 5-6 of the record",
    );
    expect(values(rs(0x43, "02"))).toEqual({ [TRUNCATED]: "1 byte missing" });
  });

  it("decodes Add SEL Entry as the fboss issue sent it (pre-init timestamp, software generator)", () => {
    // facebook/openbmc issue 273: ipmitool raw 0x0a 0x44 0x01 0x00 0x02 0xab 0xcd 0xef 0x00 0x01 0x00 0x04 0x01 0x17 0x00 0xa0 0x04 0x07
    const fields = rq(0x44, "01 00 02 ab cd ef 00 01 00 04 01 17 00 a0 04 07");
    expect(values(fields)).toMatchObject({
      "Record ID": "0001h",
      "Record type": "System event record (02h)",
      Timestamp: "15715755 s after initialization (pre-init timestamp)",
      "Sensor type": "Temperature (01h)",
      "Sensor number": "17h",
      "Event type": "Unspecified (00h)",
      "Event data 1": "A0h",
    });
    expect(childValues(fields, "Generator ID")).toEqual({
      ID: "System software ID 01h (BIOS)",
      Channel: "0 (Primary IPMB)",
      LUN: "n/a",
    });
    expect(values(rs(0x44, "01 00"))).toEqual({ "Record ID": "0001h" });
    expect(value(rq(0x44, "01 00 02 ab cd ef 00 01 00 04 01 17 00 a0 04 07 00"), EXTRA)).toBe("00");
  });

  it("decodes Delete SEL Entry", () => {
    expect(values(rq(0x46, "05 00 ff ff"))).toEqual({
      "Reservation ID": "0005h",
      "Record ID": "FFFFh (last)",
    });
    expect(values(rs(0x46, "07 00"))).toEqual({ "Record ID": "0007h" });
    expect(decodeResponse(STORAGE, 0x46, 0x81, new Uint8Array())?.[0]?.value).toBe(
      "81h Cannot execute command, SEL erase in progress",
    );
  });

  it("decodes Clear SEL: the 'CLR' handshake, the action and the erasure status", () => {
    expect(values(rq(0x47, "01 00 43 4c 52 aa"))).toEqual({
      "Reservation ID": "0001h",
      Confirmation: "'CLR'",
      Action: "AAh (initiate erase)",
    });
    expect(values(rq(0x47, "01 00 43 4c 52 00"))).toMatchObject({ Action: "00h (get erasure status)" });
    expect(value(rq(0x47, "01 00 43 4c 51 aa"), "Confirmation")).toBe("43 4c 51 (not 'CLR': 43 4c 52)");
    expect(values(rs(0x47, "01"))).toEqual({ "Erasure progress": "Erase completed" });
    expect(values(rs(0x47, "00"))).toEqual({ "Erasure progress": "Erasure in progress" });
  });

  it("decodes Get/Set SEL Time as ISO time", () => {
    expect(values(rs(0x48, "a0 1e 5f 66"))).toEqual({ Time: "2024-06-04T14:03:12Z" });
    expect(values(rq(0x49, "00 00 00 00"))).toEqual({
      Time: "0 s after initialization (pre-init timestamp)",
    });
    expect(value(rq(0x49, "a0 1e"), TRUNCATED)).toBe("2 bytes missing");
  });

  it("decodes Get/Set SEL Time UTC Offset as signed minutes (31.11a, 31.11b)", () => {
    expect(values(rs(0x5c, "c4 ff"))).toEqual({ "UTC offset": "-60 minutes" });
    expect(values(rq(0x5d, "ff 07"))).toEqual({ "UTC offset": "07FFh (unspecified)" });
  });

  it("names the SEL's own completion codes (31.4-31.8)", () => {
    const cc = (cmd: number, code: number) =>
      decodeResponse(STORAGE, cmd, code, new Uint8Array())?.[0]?.value;
    expect(cc(0x42, 0x81)).toBe("81h Cannot execute command, SEL erase in progress");
    expect(cc(0x43, 0x81)).toBe("81h Cannot execute command, SEL erase in progress");
    expect(cc(0x44, 0x80)).toBe("80h Operation not supported for this Record Type");
    expect(cc(0x47, 0x81)).toBeUndefined();
  });
});

describe("SDR repository time", () => {
  it("decodes Get/Set SDR Repository Time as ISO time (33.13, 33.14)", () => {
    expect(values(rs(0x28, "a0 1e 5f 66"))).toEqual({ Time: "2024-06-04T14:03:12Z" });
    expect(values(rq(0x29, "a0 1e 5f 66"))).toEqual({ Time: "2024-06-04T14:03:12Z" });
  });
});
