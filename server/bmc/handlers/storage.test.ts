import { describe, expect, it } from "vitest";
import { CC } from "../../ipmi/completion-codes";
import { CC_SEL_RECORD_TYPE_UNSUPPORTED } from "../sel";
import { profileWith, T0_SECONDS_LE, testBmc } from "../test-harness";

const ascii = (s: string) => [...Buffer.from(s, "latin1")];

/** Full Sensor Record of CPU Temp (01h), record 0001h, IPMI 2.0 table 43-1, byte by byte. */
const CPU_TEMP_SDR = [
  0x01,
  0x00,
  0x51,
  0x01,
  0x33, // id 0001h, SDR 51h, full sensor record, 51 bytes follow
  0x20,
  0x00,
  0x01, // owner 20h, channel 0 LUN 0, sensor 01h
  0x03,
  0x01, // entity: processor, instance 1
  0x73, // init: scanning, events, thresholds; events and scanning enabled
  0x49, // capabilities: auto re-arm, thresholds readable+settable, entire-sensor event control
  0x01,
  0x01, // temperature, threshold
  0x80,
  0x0a, // assertion events: UNC, UC, UNR going high
  0x80,
  0x7a, // deassertion events, + upper thresholds compared (bits 14:12)
  0x38,
  0x38, // readable, settable: UNC, UC, UNR
  0x00,
  0x01,
  0x00, // unsigned, no rate/modifier; degrees C
  0x00, // linear
  0x01,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00, // M 1, tolerance 0, B 0, accuracy 0, exponents 0
  0x00,
  0x00,
  0x00,
  0x00, // no nominal/normal readings
  0xff,
  0x00, // sensor max, min
  0x5f,
  0x58,
  0x50,
  0x00,
  0x00,
  0x00, // UNR 95, UC 88, UNC 80, LNR, LC, LNC
  0x00,
  0x00,
  0x00,
  0x00,
  0x00, // hysteresis, reserved, OEM
  0xc8,
  ...ascii("CPU Temp"),
];

/** Compact Sensor Record of Watchdog (30h), record 000Ah, table 43-2. */
const WATCHDOG_SDR = [
  0x0a,
  0x00,
  0x51,
  0x02,
  0x23,
  0x20,
  0x00,
  0x30,
  0x06,
  0x01, // system management module 1
  0x63,
  0x41, // init; auto re-arm, entire-sensor event control
  0x23,
  0x6f, // watchdog 2, sensor-specific
  0x0f,
  0x01,
  0x0f,
  0x01,
  0x0f,
  0x01, // assertion, deassertion, reading masks: states 0-3, 8
  0xc0,
  0x00,
  0x00, // no analog reading
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00,
  0x00, // sharing, hysteresis, reserved, OEM
  0xc8,
  ...ascii("Watchdog"),
];

/** FRU Device Locator of the power supply's FRU (device 1), record 000Fh, table 43-7. */
const PS1_FRU_LOCATOR = [
  0x0f,
  0x00,
  0x51,
  0x11,
  0x12,
  0x20,
  0x01,
  0x80,
  0x00,
  0x00,
  0x10,
  0x00, // at 20h, FRU 1, logical, channel 0; FRU inventory device
  0x0a,
  0x01,
  0x00, // power supply 1, OEM
  0xc7,
  ...ascii("PS1 FRU"),
];

/** Management Controller Device Locator of the BMC, the last record (0010h), table 43-8. */
const BMC_MC_LOCATOR = [
  0x10,
  0x00,
  0x51,
  0x12,
  0x0e,
  0x20,
  0x00,
  0x00,
  0x8f,
  0x00,
  0x00,
  0x00, // 20h, channel 0; chassis, FRU, SEL, SDR, sensor device
  0x06,
  0x01,
  0x00,
  0xc3,
  ...ascii("BMC"),
];

async function reserveSdr(b: ReturnType<typeof testBmc>) {
  return (await b.ask("storage.reserve-sdr-repository")).data as [number, number];
}

describe("Get SDR Repository Info (0Ah/20h) and Allocation Info (0Ah/21h)", () => {
  it("answers version 51h, 16 records, no free space, when the records were built, no erase, reserve + alloc", async () => {
    expect(await testBmc().ask("storage.get-sdr-repository-info")).toEqual({
      cc: CC.OK,
      data: [0x51, 0x10, 0x00, 0x00, 0x00, ...T0_SECONDS_LE, 0xff, 0xff, 0xff, 0xff, 0x03],
    });
  });

  it("answers 16-byte allocation units, all in use", async () => {
    const b = testBmc();
    const units = b.sdr.records.reduce((n, r) => n + Math.ceil(r.bytes.length / 16), 0);
    expect(await b.ask("storage.get-sdr-repository-allocation-info")).toEqual({
      cc: CC.OK,
      data: [units & 0xff, units >> 8, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04],
    });
  });
});

describe("Reserve SDR Repository (0Ah/22h) and Get SDR (0Ah/23h)", () => {
  it("hands out reservation ids from 0001h", async () => {
    const b = testBmc();
    expect(await b.ask("storage.reserve-sdr-repository")).toEqual({ cc: CC.OK, data: [0x01, 0x00] });
    expect(await b.ask("storage.reserve-sdr-repository")).toEqual({ cc: CC.OK, data: [0x02, 0x00] });
  });

  it("answers the full sensor record as table 43-1 lays it out, whole or in pieces", async () => {
    const b = testBmc();
    const [lo, hi] = await reserveSdr(b);
    // Record 0000h = the first; the header (5 bytes) as ipmitool reads it first.
    expect(await b.ask("storage.get-sdr", [lo, hi, 0x00, 0x00, 0x00, 0x05])).toEqual({
      cc: CC.OK,
      data: [0x02, 0x00, ...CPU_TEMP_SDR.slice(0, 5)],
    });
    expect(await b.ask("storage.get-sdr", [lo, hi, 0x01, 0x00, 0x05, 0x10])).toEqual({
      cc: CC.OK,
      data: [0x02, 0x00, ...CPU_TEMP_SDR.slice(5, 21)],
    });
    // FFh reads the whole record; a count past the end returns what is left.
    expect(await b.ask("storage.get-sdr", [0x00, 0x00, 0x01, 0x00, 0x00, 0xff])).toEqual({
      cc: CC.OK,
      data: [0x02, 0x00, ...CPU_TEMP_SDR],
    });
    expect(await b.ask("storage.get-sdr", [lo, hi, 0x01, 0x00, 0x35, 0x20])).toEqual({
      cc: CC.OK,
      data: [0x02, 0x00, ...CPU_TEMP_SDR.slice(0x35)],
    });
  });

  it("answers compact sensor, FRU locator and MC locator records; FFFFh after the last", async () => {
    const b = testBmc();
    const get = (id: number) => b.ask("storage.get-sdr", [0x00, 0x00, id, 0x00, 0x00, 0xff]);
    expect(await get(0x0a)).toEqual({ cc: CC.OK, data: [0x0b, 0x00, ...WATCHDOG_SDR] });
    expect(await get(0x0f)).toEqual({ cc: CC.OK, data: [0x10, 0x00, ...PS1_FRU_LOCATOR] });
    expect(await get(0x10)).toEqual({ cc: CC.OK, data: [0xff, 0xff, ...BMC_MC_LOCATOR] });
  });

  it("answers C5h to a partial read without the current reservation", async () => {
    const b = testBmc();
    // Before any reservation exists, too: 0000h is never a reservation.
    expect((await b.ask("storage.get-sdr", [0x00, 0x00, 0x01, 0x00, 0x05, 0x10])).cc).toBe(
      CC.RESERVATION_INVALID,
    );
    const [lo, hi] = await reserveSdr(b);
    // Offset 5 with reservation 0000h: a partial read needs one.
    expect((await b.ask("storage.get-sdr", [0x00, 0x00, 0x01, 0x00, 0x05, 0x10])).cc).toBe(
      CC.RESERVATION_INVALID,
    );
    await reserveSdr(b); // cancels the first
    expect((await b.ask("storage.get-sdr", [lo, hi, 0x01, 0x00, 0x05, 0x10])).cc).toBe(
      CC.RESERVATION_INVALID,
    );
    expect((await b.ask("storage.get-sdr", [lo, hi, 0x01, 0x00, 0x00, 0x05])).cc).toBe(
      CC.RESERVATION_INVALID,
    );
  });

  it("answers CBh to a missing record, C9h to an offset past the record, C7h to a short request", async () => {
    const b = testBmc();
    expect((await b.ask("storage.get-sdr", [0x00, 0x00, 0x99, 0x00, 0x00, 0xff])).cc).toBe(CC.NOT_PRESENT);
    expect((await b.ask("storage.get-sdr", [0x00, 0x00, 0xff, 0xff, 0x00, 0xff])).cc).toBe(CC.NOT_PRESENT);
    const [lo, hi] = await reserveSdr(b);
    expect((await b.ask("storage.get-sdr", [lo, hi, 0x01, 0x00, 0x38, 0x01])).cc).toBe(
      CC.PARAMETER_OUT_OF_RANGE,
    );
    expect((await b.ask("storage.get-sdr", [lo, hi, 0x01, 0x00, 0x00])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
  });

  it("walks the whole repository as ipmitool does: header, then the rest in 16-byte reads", async () => {
    const b = testBmc();
    const [lo, hi] = await reserveSdr(b);
    const walked: number[][] = [];
    let id = 0x0000;
    while (id !== 0xffff) {
      const head = await b.ask("storage.get-sdr", [lo, hi, id & 0xff, id >> 8, 0x00, 0x05]);
      expect(head.cc).toBe(CC.OK);
      const record = head.data.slice(2);
      const recordId = record[0]! | (record[1]! << 8);
      for (let offset = 5; offset < 5 + record[4]!; offset += 16) {
        const n = Math.min(16, 5 + record[4]! - offset);
        const part = await b.ask("storage.get-sdr", [lo, hi, recordId & 0xff, recordId >> 8, offset, n]);
        record.push(...part.data.slice(2));
      }
      walked.push(record);
      id = head.data[0]! | (head.data[1]! << 8);
    }
    expect(walked).toEqual(b.sdr.records.map((r) => [...r.bytes]));
    expect(walked.map((r) => r[3])).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 0x11, 0x11, 0x12]);
  });
});

describe("FRU inventory (0Ah/10h, 11h, 12h)", () => {
  it("answers each FRU device's size, byte-accessed; CBh for a missing one", async () => {
    const b = testBmc();
    expect(await b.ask("storage.get-fru-inventory-area-info", [0x00])).toEqual({
      cc: CC.OK,
      data: [0x00, 0x02, 0x00],
    });
    expect(await b.ask("storage.get-fru-inventory-area-info", [0x01])).toEqual({
      cc: CC.OK,
      data: [0x80, 0x00, 0x00],
    });
    expect((await b.ask("storage.get-fru-inventory-area-info", [0x07])).cc).toBe(CC.NOT_PRESENT);
  });

  it("reads the common header and areas of the FRU spec layout", async () => {
    const b = testBmc();
    // Version 1; chassis area at 8, board at 40, product at 104 (8-byte units); zero checksum.
    expect(await b.ask("storage.read-fru-data", [0x00, 0x00, 0x00, 0x08])).toEqual({
      cc: CC.OK,
      data: [0x08, 0x01, 0x00, 0x01, 0x05, 0x0d, 0x00, 0x00, 0xec],
    });
    // Chassis info area: version, 4 x 8 bytes, rack mount (17h), part number "CHS-1U-0001".
    expect((await b.ask("storage.read-fru-data", [0x00, 0x08, 0x00, 0x10])).data).toEqual([
      0x10,
      0x01,
      0x04,
      0x17,
      0xcb,
      ...ascii("CHS-1U-0001"),
      0xca,
    ]);
    const area = (await b.ask("storage.read-fru-data", [0x00, 0x08, 0x00, 0x20])).data.slice(1);
    expect(area.reduce((s, x) => (s + x) & 0xff, 0)).toBe(0);
  });

  it("returns fewer bytes at the end, C9h past it, CAh for more than a response carries", async () => {
    const b = testBmc();
    expect((await b.ask("storage.read-fru-data", [0x00, 0xf8, 0x01, 0x10])).data).toEqual([
      0x08, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    expect((await b.ask("storage.read-fru-data", [0x00, 0x00, 0x02, 0x01])).cc).toBe(
      CC.PARAMETER_OUT_OF_RANGE,
    );
    expect((await b.ask("storage.read-fru-data", [0x00, 0x00, 0x00, 0xf1])).cc).toBe(CC.CANNOT_RETURN_BYTES);
    expect((await b.ask("storage.read-fru-data", [0x00, 0x00, 0x00, 0xf0])).data[0]).toBe(0xf0);
    expect((await b.ask("storage.read-fru-data", [0x09, 0x00, 0x00, 0x01])).cc).toBe(CC.NOT_PRESENT);
    expect((await b.ask("storage.read-fru-data", [0x00, 0x00, 0x00])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
  });

  it("writes bytes that Read FRU Data then returns; C9h past the end, C7h with no data", async () => {
    const b = testBmc();
    expect(await b.ask("storage.write-fru-data", [0x00, 0xf0, 0x01, 0xde, 0xad, 0xbe, 0xef])).toEqual({
      cc: CC.OK,
      data: [0x04],
    });
    expect((await b.ask("storage.read-fru-data", [0x00, 0xf0, 0x01, 0x04])).data).toEqual([
      0x04, 0xde, 0xad, 0xbe, 0xef,
    ]);
    expect((await b.ask("storage.write-fru-data", [0x01, 0x7f, 0x00, 0x01, 0x02])).cc).toBe(
      CC.PARAMETER_OUT_OF_RANGE,
    );
    expect((await b.ask("storage.write-fru-data", [0x00, 0x00, 0x00])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
    expect((await b.ask("storage.write-fru-data", [0x05, 0x00, 0x00, 0x01])).cc).toBe(CC.NOT_PRESENT);
  });
});

/** A system event record as ipmitool sel add would send it; id and timestamp are the BMC's. */
const RECORD = [
  0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x41, 0x00, 0x04, 0x1f, 0x01, 0x6f, 0x01, 0xff, 0xff,
];
const stored = (id: number, ts: readonly number[] = T0_SECONDS_LE) => [
  id & 0xff,
  id >> 8,
  0x02,
  ...ts,
  ...RECORD.slice(7),
];

describe("SEL (0Ah/40h-49h)", () => {
  it("Get SEL Info: version 51h, entries, free bytes, never added/erased, delete+reserve+alloc supported", async () => {
    const b = testBmc();
    expect(await b.ask("storage.get-sel-info")).toEqual({
      cc: CC.OK,
      data: [0x51, 0x00, 0x00, 0x00, 0x20, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0b],
    });
    await b.ask("storage.add-sel-entry", RECORD);
    expect((await b.ask("storage.get-sel-info")).data).toEqual([
      0x51,
      0x01,
      0x00,
      0xf0,
      0x1f,
      ...T0_SECONDS_LE,
      0xff,
      0xff,
      0xff,
      0xff,
      0x0b,
    ]);
  });

  it("Get SEL Allocation Info: 512 units of 16 bytes, free ones, 1 unit per record", async () => {
    const b = testBmc();
    await b.ask("storage.add-sel-entry", RECORD);
    expect(await b.ask("storage.get-sel-allocation-info")).toEqual({
      cc: CC.OK,
      data: [0x00, 0x02, 0x10, 0x00, 0xff, 0x01, 0xff, 0x01, 0x01],
    });
  });

  it("adds entries with the BMC's record id and timestamp and reads them by id, first (0000h) and last (FFFFh)", async () => {
    const b = testBmc();
    expect(await b.ask("storage.add-sel-entry", RECORD)).toEqual({ cc: CC.OK, data: [0x01, 0x00] });
    b.clock.advance(2_000);
    expect(await b.ask("storage.add-sel-entry", RECORD)).toEqual({ cc: CC.OK, data: [0x02, 0x00] });
    const t2 = [0x02, 0xd2, 0x49, 0x6b];
    expect(await b.ask("storage.get-sel-entry", [0, 0, 0x00, 0x00, 0x00, 0xff])).toEqual({
      cc: CC.OK,
      data: [0x02, 0x00, ...stored(1)],
    });
    expect(await b.ask("storage.get-sel-entry", [0, 0, 0x02, 0x00, 0x00, 0xff])).toEqual({
      cc: CC.OK,
      data: [0xff, 0xff, ...stored(2, t2)],
    });
    expect((await b.ask("storage.get-sel-entry", [0, 0, 0xff, 0xff, 0x00, 0xff])).data).toEqual([
      0xff,
      0xff,
      ...stored(2, t2),
    ]);
  });

  it("keeps OEM non-timestamped records as given and refuses reserved record types with 80h", async () => {
    const b = testBmc();
    const oem = [0x00, 0x00, 0xe0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
    expect((await b.ask("storage.add-sel-entry", oem)).data).toEqual([0x01, 0x00]);
    expect((await b.ask("storage.get-sel-entry", [0, 0, 0x01, 0x00, 0x00, 0xff])).data).toEqual([
      0xff,
      0xff,
      0x01,
      0x00,
      ...oem.slice(2),
    ]);
    const reserved = [...RECORD];
    reserved[2] = 0x10;
    expect((await b.ask("storage.add-sel-entry", reserved)).cc).toBe(CC_SEL_RECORD_TYPE_UNSUPPORTED);
    expect(CC_SEL_RECORD_TYPE_UNSUPPORTED).toBe(0x80);
    expect((await b.ask("storage.add-sel-entry", RECORD.slice(1))).cc).toBe(CC.REQUEST_LENGTH_INVALID);
  });

  it("reads part of an entry with a reservation; C5h without it or with a stale one", async () => {
    const b = testBmc();
    await b.ask("storage.add-sel-entry", RECORD);
    const [lo, hi] = (await b.ask("storage.reserve-sel")).data as [number, number];
    expect(await b.ask("storage.get-sel-entry", [lo, hi, 0x01, 0x00, 0x03, 0x04])).toEqual({
      cc: CC.OK,
      data: [0xff, 0xff, ...T0_SECONDS_LE],
    });
    expect((await b.ask("storage.get-sel-entry", [0, 0, 0x01, 0x00, 0x03, 0x04])).cc).toBe(
      CC.RESERVATION_INVALID,
    );
    const current = (await b.ask("storage.reserve-sel")).data;
    expect((await b.ask("storage.get-sel-entry", [lo, hi, 0x01, 0x00, 0x00, 0xff])).cc).toBe(
      CC.RESERVATION_INVALID,
    );
    expect((await b.ask("storage.get-sel-entry", [...current, 0x01, 0x00, 0x10, 0x01])).cc).toBe(
      CC.PARAMETER_OUT_OF_RANGE,
    );
  });

  it("answers CBh for a missing entry and for any entry of an empty SEL", async () => {
    const b = testBmc();
    expect((await b.ask("storage.get-sel-entry", [0, 0, 0x00, 0x00, 0x00, 0xff])).cc).toBe(CC.NOT_PRESENT);
    expect((await b.ask("storage.get-sel-entry", [0, 0, 0xff, 0xff, 0x00, 0xff])).cc).toBe(CC.NOT_PRESENT);
    await b.ask("storage.add-sel-entry", RECORD);
    expect((await b.ask("storage.get-sel-entry", [0, 0, 0x05, 0x00, 0x00, 0xff])).cc).toBe(CC.NOT_PRESENT);
  });

  it("deletes entries under a reservation (several under one, as ipmitool sel delete does)", async () => {
    const b = testBmc();
    for (let i = 0; i < 3; i++) await b.ask("storage.add-sel-entry", RECORD);
    expect((await b.ask("storage.delete-sel-entry", [0x00, 0x00, 0x02, 0x00])).cc).toBe(
      CC.RESERVATION_INVALID,
    );
    const [lo, hi] = (await b.ask("storage.reserve-sel")).data as [number, number];
    expect(await b.ask("storage.delete-sel-entry", [lo, hi, 0x02, 0x00])).toEqual({
      cc: CC.OK,
      data: [0x02, 0x00],
    });
    expect(await b.ask("storage.delete-sel-entry", [lo, hi, 0xff, 0xff])).toEqual({
      cc: CC.OK,
      data: [0x03, 0x00],
    });
    expect((await b.ask("storage.delete-sel-entry", [lo, hi, 0x02, 0x00])).cc).toBe(CC.NOT_PRESENT);
    expect((await b.ask("storage.get-sel-entry", [0, 0, 0x00, 0x00, 0x00, 0xff])).data.slice(0, 4)).toEqual([
      0xff, 0xff, 0x01, 0x00,
    ]);
    // The erase timestamp moved; new ids keep counting.
    expect((await b.ask("storage.get-sel-info")).data.slice(9, 13)).toEqual([...T0_SECONDS_LE]);
    expect((await b.ask("storage.add-sel-entry", RECORD)).data).toEqual([0x04, 0x00]);
  });

  it("clears with the reservation and 'CLR': AAh erases, 00h asks the status; both answer 'completed'", async () => {
    const b = testBmc();
    await b.ask("storage.add-sel-entry", RECORD);
    const [lo, hi] = (await b.ask("storage.reserve-sel")).data as [number, number];
    expect((await b.ask("storage.clear-sel", [lo, hi, 0x43, 0x4c, 0x51, 0xaa])).cc).toBe(
      CC.INVALID_DATA_FIELD,
    );
    expect((await b.ask("storage.clear-sel", [lo, hi, 0x43, 0x4c, 0x52, 0x55])).cc).toBe(
      CC.INVALID_DATA_FIELD,
    );
    expect((await b.ask("storage.clear-sel", [0x00, 0x00, 0x43, 0x4c, 0x52, 0xaa])).cc).toBe(
      CC.RESERVATION_INVALID,
    );
    expect(b.sel.count).toBe(1);
    expect(await b.ask("storage.clear-sel", [lo, hi, 0x43, 0x4c, 0x52, 0xaa])).toEqual({
      cc: CC.OK,
      data: [0x01],
    });
    expect(await b.ask("storage.clear-sel", [lo, hi, 0x43, 0x4c, 0x52, 0x00])).toEqual({
      cc: CC.OK,
      data: [0x01],
    });
    expect((await b.ask("storage.get-sel-info")).data.slice(0, 5)).toEqual([0x51, 0x00, 0x00, 0x00, 0x20]);
    expect((await b.ask("storage.clear-sel", [lo, hi, 0x43, 0x4c, 0x52])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
  });

  it("answers C4h when full, sets the overflow flag, and clears it with Clear SEL", async () => {
    const b = testBmc({ profile: profileWith((p) => (p.sel.capacity = 2)) });
    await b.ask("storage.add-sel-entry", RECORD);
    await b.ask("storage.add-sel-entry", RECORD);
    expect((await b.ask("storage.add-sel-entry", RECORD)).cc).toBe(CC.OUT_OF_SPACE);
    // Platform events are lost the same way, and still complete normally.
    expect((await b.ask("sensor.platform-event", [0x41, 0x04, 0x05, 0x31, 0x6f, 0x00])).cc).toBe(CC.OK);
    expect((await b.ask("storage.get-sel-info")).data).toEqual([
      0x51,
      0x02,
      0x00,
      0x00,
      0x00,
      ...T0_SECONDS_LE,
      0xff,
      0xff,
      0xff,
      0xff,
      0x8b,
    ]);
    const [lo, hi] = (await b.ask("storage.reserve-sel")).data as [number, number];
    await b.ask("storage.clear-sel", [lo, hi, 0x43, 0x4c, 0x52, 0xaa]);
    expect((await b.ask("storage.get-sel-info")).data[13]).toBe(0x0b);
  });

  it("Get/Set SEL Time: seconds since 1970 LS byte first, running on from what was set", async () => {
    const b = testBmc();
    expect(await b.ask("storage.get-sel-time")).toEqual({ cc: CC.OK, data: [...T0_SECONDS_LE] });
    expect(await b.ask("storage.set-sel-time", [0x00, 0x10, 0x5e, 0x5f])).toEqual({ cc: CC.OK, data: [] });
    b.clock.advance(5_000);
    expect((await b.ask("storage.get-sel-time")).data).toEqual([0x05, 0x10, 0x5e, 0x5f]);
    // New entries carry SEL time.
    await b.ask("storage.add-sel-entry", RECORD);
    expect((await b.ask("storage.get-sel-entry", [0, 0, 0, 0, 0, 0xff])).data.slice(5, 9)).toEqual([
      0x05, 0x10, 0x5e, 0x5f,
    ]);
    expect((await b.ask("storage.set-sel-time", [0x00, 0x10, 0x5e])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
  });
});

describe("the BMC's own events in the SEL", () => {
  it("logs an event given by its fields as the system event record of table 32-1", async () => {
    const b = testBmc();
    // Watchdog 2 (23h) sensor 30h, sensor-specific assertion, offset 1 (hard reset), from the BMC (20h).
    const id = b.sel.logEvent({
      generator: { id: 0x20, lun: 0, reserved: 0, channel: 0 },
      event: {
        evmRev: 0x04,
        sensorType: 0x23,
        sensorNumber: 0x30,
        dirType: { deassertion: false, eventType: 0x6f },
        eventData: [0xc1, 0x04, 0xff],
      },
    });
    expect(id).toBe(1);
    const body = [0x02, ...T0_SECONDS_LE, 0x20, 0x00, 0x04, 0x23, 0x30, 0x6f, 0xc1, 0x04, 0xff];
    expect((await b.ask("storage.get-sel-entry", [0, 0, 0x01, 0x00, 0x00, 0xff])).data).toEqual([
      0xff,
      0xff,
      0x01,
      0x00,
      ...body,
    ]);
  });

  it("keeps the record's own bytes 4-16 for OEM non-timestamped records, and the SEL's time for timestamped ones", async () => {
    const b = testBmc();
    const oemTimestamped = [0x00, 0x00, 0xc1, 9, 9, 9, 9, 0x57, 0x01, 0x00, 1, 2, 3, 4, 5, 6];
    expect((await b.ask("storage.add-sel-entry", oemTimestamped)).data).toEqual([0x01, 0x00]);
    expect((await b.ask("storage.get-sel-entry", [0, 0, 0x01, 0x00, 0x00, 0xff])).data).toEqual([
      0xff,
      0xff,
      0x01,
      0x00,
      0xc1,
      ...T0_SECONDS_LE,
      ...oemTimestamped.slice(7),
    ]);
  });
});
