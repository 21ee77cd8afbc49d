import { describe, expect, it } from "vitest";
import { CC } from "../../ipmi/completion-codes";
import { profileWith, T0_SECONDS_LE, testBmc } from "../test-harness";

// Default profile sensors used below (raw = value / step):
//   01h CPU Temp   1 °C/count, 45 °C ± 6 (180 s period), UNC 80, UC 88, UNR 95; needs host power
//   11h 5V         27 mV/count, 5.00 V (185), LC 4.50 (167), LNC 4.75 (176), UNC 5.25 (194), UC 5.50 (204)
//   30h Watchdog   discrete, sensor type 23h, sensor-specific (6Fh), states 0-3 and 8
//   40h PS1 Status discrete, sensor type 08h, state 0 (presence detected) asserted

describe("Get Sensor Reading (04h/2Dh)", () => {
  it("reads a threshold sensor: raw byte, events and scanning on, status with reserved bits 7:6 set", async () => {
    const b = testBmc();
    expect(await b.ask("sensor.get-sensor-reading", [0x11])).toEqual({ cc: CC.OK, data: [0xb9, 0xc0, 0xc0] });
    // At T0 the CPU wave is at its centre: 45 °C.
    expect(await b.ask("sensor.get-sensor-reading", [0x01])).toEqual({ cc: CC.OK, data: [0x2d, 0xc0, 0xc0] });
  });

  it("moves with the clock, deterministically", async () => {
    const b = testBmc();
    b.clock.advance(45_000); // a quarter period: +6 °C
    expect((await b.ask("sensor.get-sensor-reading", [0x01])).data[0]).toBe(51);
    b.clock.advance(90_000); // three quarters: -6 °C
    expect((await b.ask("sensor.get-sensor-reading", [0x01])).data[0]).toBe(39);
    const again = testBmc();
    again.clock.advance(135_000);
    expect((await again.ask("sensor.get-sensor-reading", [0x01])).data[0]).toBe(39);
  });

  it("sets the threshold status bits (at or above UNC/UC/UNR, at or below LNC/LC/LNR)", async () => {
    const b = testBmc();
    // UNC down to the reading (B9h) and UC just above: at or above UNC only.
    await b.ask("sensor.set-sensor-threshold", [0x11, 0x18, 0, 0, 0, 0xb9, 0xba, 0]);
    expect((await b.ask("sensor.get-sensor-reading", [0x11])).data).toEqual([0xb9, 0xc0, 0xc8]);
    await b.ask("sensor.set-sensor-threshold", [0x11, 0x1b, 0xb9, 0xb9, 0, 0xc2, 0xcc, 0]);
    expect((await b.ask("sensor.get-sensor-reading", [0x11])).data).toEqual([0xb9, 0xc0, 0xc3]);
  });

  it("reports the reading unavailable (byte 2 bit 5) for host-powered sensors while the power is off", async () => {
    const b = testBmc();
    await b.ask("chassis.chassis-control", [0x00]);
    expect(await b.ask("sensor.get-sensor-reading", [0x01])).toEqual({ cc: CC.OK, data: [0x00, 0xe0, 0xc0] });
    // VBAT (13h) runs on standby power.
    expect((await b.ask("sensor.get-sensor-reading", [0x13])).data[1]).toBe(0xc0);
  });

  it("reads a discrete sensor's states in bytes 3-4 (byte 4 bit 7 reserved, returned as 1b)", async () => {
    const b = testBmc();
    expect(await b.ask("sensor.get-sensor-reading", [0x40])).toEqual({
      cc: CC.OK,
      data: [0x00, 0xc0, 0x01, 0x80],
    });
    expect(await b.ask("sensor.get-sensor-reading", [0x30])).toEqual({
      cc: CC.OK,
      data: [0x00, 0xc0, 0x00, 0x80],
    });
  });

  it("answers CBh to a sensor the profile has not got (or on another LUN), C7h without the number", async () => {
    const b = testBmc();
    expect((await b.ask("sensor.get-sensor-reading", [0x99])).cc).toBe(CC.NOT_PRESENT);
    expect((await b.ask("sensor.get-sensor-reading", [])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
    expect((await b.ask("sensor.get-sensor-reading", [0x11, 0x00])).cc).toBe(
      CC.REQUEST_FIELD_LENGTH_EXCEEDED,
    );
  });
});

describe("Get/Set Sensor Threshold (04h/27h, 04h/26h)", () => {
  it("reads the profile's thresholds as raw bytes with the readable mask", async () => {
    // LNC, LC, UNC, UC readable (1Bh); order LNC, LC, LNR, UNC, UC, UNR.
    expect(await testBmc().ask("sensor.get-sensor-threshold", [0x11])).toEqual({
      cc: CC.OK,
      data: [0x1b, 0xb0, 0xa7, 0x00, 0xc2, 0xcc, 0x00],
    });
    expect(await testBmc().ask("sensor.get-sensor-threshold", [0x01])).toEqual({
      cc: CC.OK,
      data: [0x38, 0x00, 0x00, 0x00, 0x50, 0x58, 0x5f],
    });
  });

  it("sets only the thresholds the mask selects", async () => {
    const b = testBmc();
    // ipmitool sensor thresh "5V" unc 5.3: mask 08h, UNC C4h.
    expect(
      await b.ask("sensor.set-sensor-threshold", [0x11, 0x08, 0x00, 0x00, 0x00, 0xc4, 0x00, 0x00]),
    ).toEqual({
      cc: CC.OK,
      data: [],
    });
    expect((await b.ask("sensor.get-sensor-threshold", [0x11])).data).toEqual([
      0x1b, 0xb0, 0xa7, 0x00, 0xc4, 0xcc, 0x00,
    ]);
    // Mask 0: nothing changes.
    expect((await b.ask("sensor.set-sensor-threshold", [0x11, 0x00, 1, 2, 3, 4, 5, 6])).cc).toBe(CC.OK);
    expect((await b.ask("sensor.get-sensor-threshold", [0x11])).data[4]).toBe(0xc4);
  });

  it("answers CCh to a threshold that is not settable or reserved mask bits, CDh to a discrete sensor", async () => {
    const b = testBmc();
    expect((await b.ask("sensor.set-sensor-threshold", [0x11, 0x20, 0, 0, 0, 0, 0, 0xff])).cc).toBe(
      CC.INVALID_DATA_FIELD,
    );
    expect((await b.ask("sensor.set-sensor-threshold", [0x11, 0x40, 0, 0, 0, 0, 0, 0])).cc).toBe(
      CC.INVALID_DATA_FIELD,
    );
    expect((await b.ask("sensor.set-sensor-threshold", [0x30, 0x01, 0, 0, 0, 0, 0, 0])).cc).toBe(
      CC.ILLEGAL_FOR_SENSOR_OR_RECORD,
    );
    expect((await b.ask("sensor.get-sensor-threshold", [0x30])).cc).toBe(CC.ILLEGAL_FOR_SENSOR_OR_RECORD);
    expect((await b.ask("sensor.set-sensor-threshold", [0x99, 0x01, 0, 0, 0, 0, 0, 0])).cc).toBe(
      CC.NOT_PRESENT,
    );
    expect((await b.ask("sensor.set-sensor-threshold", [0x11, 0x08, 0, 0, 0, 0xc4])).cc).toBe(
      CC.REQUEST_LENGTH_INVALID,
    );
    expect((await b.ask("sensor.get-sensor-threshold", [0x11])).data).toEqual([
      0x1b, 0xb0, 0xa7, 0x00, 0xc2, 0xcc, 0x00,
    ]);
  });
});

describe("Get Sensor Reading Factors (04h/23h)", () => {
  it("answers M, tolerance, B, accuracy and the exponents as the SDR holds them", async () => {
    // 5V: M = 27 (1Bh), B = 0, R exponent -3 (Dh in bits 7:4), B exponent 0. Next reading FFh: one set for all.
    expect(await testBmc().ask("sensor.get-sensor-reading-factors", [0x11, 0xb9])).toEqual({
      cc: CC.OK,
      data: [0xff, 0x1b, 0x00, 0x00, 0x00, 0x00, 0xd0],
    });
  });

  it("packs 10-bit M and B, tolerance and accuracy", async () => {
    const profile = profileWith((p) => {
      const s = p.sensors.find((x: { name: string }) => x.name === "5V");
      Object.assign(s, {
        m: 300,
        b: -2,
        bExp: 1,
        rExp: -2,
        tolerance: 5,
        accuracy: 0x155,
        accuracyExp: 2,
        reading: 0,
      });
      s.thresholds = {};
      delete s.nominal;
    });
    const b = testBmc({ profile });
    // M 300 = 12Ch: LS 2Ch, MS 01b in bits 7:6 + tolerance 5; B -2 = 3FEh: LS FEh, MS 11b + accuracy LS 15h;
    // accuracy MS 5h in bits 7:4, accuracy exp 2 in bits 3:2; R exp -2 (Eh), B exp 1.
    expect((await b.ask("sensor.get-sensor-reading-factors", [0x11, 0x00])).data).toEqual([
      0xff, 0x2c, 0x45, 0xfe, 0xd5, 0x58, 0xe1,
    ]);
  });

  it("answers CDh for a discrete sensor and CBh for a missing one", async () => {
    const b = testBmc();
    expect((await b.ask("sensor.get-sensor-reading-factors", [0x30, 0x00])).cc).toBe(
      CC.ILLEGAL_FOR_SENSOR_OR_RECORD,
    );
    expect((await b.ask("sensor.get-sensor-reading-factors", [0x99, 0x00])).cc).toBe(CC.NOT_PRESENT);
    expect((await b.ask("sensor.get-sensor-reading-factors", [0x11])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
  });
});

describe("Get Sensor Event Enable (04h/29h)", () => {
  it("answers all events and scanning enabled and the SDR's event masks", async () => {
    const b = testBmc();
    // 5V: LNC going low (bit 0), LC going low (bit 2), UNC going high (bit 7), UC going high (bit 9).
    expect(await b.ask("sensor.get-sensor-event-enable", [0x11])).toEqual({
      cc: CC.OK,
      data: [0xc0, 0x85, 0x02, 0x85, 0x02],
    });
    // Watchdog: states 0-3 and 8.
    expect((await b.ask("sensor.get-sensor-event-enable", [0x30])).data).toEqual([
      0xc0, 0x0f, 0x01, 0x0f, 0x01,
    ]);
    expect((await b.ask("sensor.get-sensor-event-enable", [0x99])).cc).toBe(CC.NOT_PRESENT);
  });
});

describe("Get Sensor Type (04h/2Fh)", () => {
  it("answers the sensor type and event/reading type code", async () => {
    const b = testBmc();
    expect(await b.ask("sensor.get-sensor-type", [0x11])).toEqual({ cc: CC.OK, data: [0x02, 0x01] });
    expect(await b.ask("sensor.get-sensor-type", [0x30])).toEqual({ cc: CC.OK, data: [0x23, 0x6f] });
    expect((await b.ask("sensor.get-sensor-type", [0x98])).cc).toBe(CC.NOT_PRESENT);
  });
});

describe("Get Device SDR Info (04h/20h)", () => {
  it("counts the sensors on LUN 0 by default and all SDRs with operation bit 0", async () => {
    const b = testBmc();
    // 13 sensors, LUN 0 has sensors, static population; change indicator = when the SDRs were built.
    expect(await b.ask("sensor.get-device-sdr-info")).toEqual({
      cc: CC.OK,
      data: [0x0d, 0x01, ...T0_SECONDS_LE],
    });
    expect(await b.ask("sensor.get-device-sdr-info", [0x00])).toEqual({
      cc: CC.OK,
      data: [0x0d, 0x01, ...T0_SECONDS_LE],
    });
    // 16 records: 13 sensors, 2 FRU locators, the BMC's MC locator.
    expect(await b.ask("sensor.get-device-sdr-info", [0x01])).toEqual({
      cc: CC.OK,
      data: [0x10, 0x01, ...T0_SECONDS_LE],
    });
    expect((await b.ask("sensor.get-device-sdr-info", [0x02])).cc).toBe(CC.INVALID_DATA_FIELD);
  });
});

describe("Platform Event (04h/02h)", () => {
  it("logs a system event record with the generator id over the system interface", async () => {
    const b = testBmc();
    // ipmitool event: generator 41h (system software 20h), EvMRev 04h, physical security 05h, sensor 31h,
    // sensor-specific assertion, offset 0 (general chassis intrusion).
    expect(await b.ask("sensor.platform-event", [0x41, 0x04, 0x05, 0x31, 0x6f, 0x00, 0xff, 0xff])).toEqual({
      cc: CC.OK,
      data: [],
    });
    expect((await b.ask("storage.get-sel-entry", [0, 0, 0, 0, 0, 0xff])).data).toEqual([
      0xff,
      0xff,
      0x01,
      0x00,
      0x02,
      ...T0_SECONDS_LE,
      0x41,
      0x00,
      0x04,
      0x05,
      0x31,
      0x6f,
      0x00,
      0xff,
      0xff,
    ]);
  });

  it("takes the generator from the requester over LAN and fills missing event data with FFh", async () => {
    const b = testBmc();
    expect((await b.ask("sensor.platform-event", [0x04, 0x05, 0x31, 0x6f, 0x00], "lan")).cc).toBe(CC.OK);
    const reservation = (await b.ask("storage.reserve-sel")).data;
    expect((await b.ask("storage.get-sel-entry", [...reservation, 0, 0, 7, 9])).data).toEqual([
      0xff, 0xff, 0x81, 0x10, 0x04, 0x05, 0x31, 0x6f, 0x00, 0xff, 0xff,
    ]);
  });

  it("reads a 7-byte request by its channel: generator and event data 2 from the host, all event data over LAN", async () => {
    const b = testBmc();
    expect((await b.ask("sensor.platform-event", [0x41, 0x04, 0x05, 0x31, 0x6f, 0x00, 0x12])).cc).toBe(CC.OK);
    expect((await b.ask("sensor.platform-event", [0x04, 0x05, 0x31, 0x6f, 0x00, 0x12, 0x34], "lan")).cc).toBe(
      CC.OK,
    );
    const reservation = (await b.ask("storage.reserve-sel")).data;
    // Bytes 8-16 of each record: generator ID, EvMRev, sensor type and number, dir/type, event data 1-3.
    expect((await b.ask("storage.get-sel-entry", [...reservation, 1, 0, 7, 9])).data.slice(2)).toEqual([
      0x41, 0x00, 0x04, 0x05, 0x31, 0x6f, 0x00, 0x12, 0xff,
    ]);
    expect((await b.ask("storage.get-sel-entry", [...reservation, 2, 0, 7, 9])).data.slice(2)).toEqual([
      0x81, 0x10, 0x04, 0x05, 0x31, 0x6f, 0x00, 0x12, 0x34,
    ]);
  });

  it("answers C7h/C8h by the interface's lengths and CCh to another event message revision", async () => {
    const b = testBmc();
    expect((await b.ask("sensor.platform-event", [0x41, 0x04, 0x05, 0x31, 0x6f])).cc).toBe(
      CC.REQUEST_LENGTH_INVALID,
    );
    expect((await b.ask("sensor.platform-event", [0x41, 0x04, 0x05, 0x31, 0x6f, 0, 0, 0, 0])).cc).toBe(
      CC.REQUEST_FIELD_LENGTH_EXCEEDED,
    );
    expect((await b.ask("sensor.platform-event", [0x04, 0x05, 0x31, 0x6f, 0, 0, 0, 0], "lan")).cc).toBe(
      CC.REQUEST_FIELD_LENGTH_EXCEEDED,
    );
    expect((await b.ask("sensor.platform-event", [0x41, 0x03, 0x05, 0x31, 0x6f, 0x00])).cc).toBe(
      CC.INVALID_DATA_FIELD,
    );
    expect(b.sel.count).toBe(0);
  });

  it("is accepted but not logged while System Event Logging is disabled", async () => {
    const b = testBmc();
    await b.ask("app.set-bmc-global-enables", [0x00]);
    expect((await b.ask("sensor.platform-event", [0x41, 0x04, 0x05, 0x31, 0x6f, 0x00])).cc).toBe(CC.OK);
    expect(b.sel.count).toBe(0);
  });
});
