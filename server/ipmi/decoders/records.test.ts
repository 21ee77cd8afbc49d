import { describe, expect, it } from "vitest";
import { convertReading, idString, requesterId, thresholdList } from "./records";
import { entityLabel, eventOffsetName, eventReadingTypeLabel, sensorTypeLabel, unitLabel } from "./tables";
import { hex } from "./test-helpers";

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

describe("reading conversion", () => {
  const factors = { m: 58, b: 0, bExp: 0, rExp: -3 };

  it("applies y = (M·x + B·10^Bexp)·10^Rexp", () => {
    expect(convertReading(200, factors, 0, 0)).toBeCloseTo(11.6);
    expect(convertReading(10, { m: 2, b: -5, bExp: 1, rExp: 0 }, 0, 0)).toBe(-30);
  });

  it("reads signed raw values per the analog data format", () => {
    expect(convertReading(0xff, { m: 1, b: 0, bExp: 0, rExp: 0 }, 2, 0)).toBe(-1);
    expect(convertReading(0xfe, { m: 1, b: 0, bExp: 0, rExp: 0 }, 1, 0)).toBe(-1);
    expect(convertReading(0xff, { m: 1, b: 0, bExp: 0, rExp: 0 }, 0, 0)).toBe(255);
  });

  it("applies the linearization and gives up on no analog reading and OEM functions", () => {
    expect(convertReading(4, { m: 1, b: 0, bExp: 0, rExp: 0 }, 0, 0x08)).toBe(16);
    expect(convertReading(4, { m: 1, b: 0, bExp: 0, rExp: 0 }, 3, 0)).toBeUndefined();
    expect(convertReading(4, { m: 1, b: 0, bExp: 0, rExp: 0 }, 0, 0x70)).toBeUndefined();
  });
});

describe("names", () => {
  it("names requesters by slave address or software ID range", () => {
    expect(requesterId(0x20)).toBe("IPMB slave address 20h");
    expect(requesterId(0x01)).toBe("System software ID 01h (BIOS)");
    expect(requesterId(0x21)).toBe("System software ID 21h (SMI Handler)");
    expect(requesterId(0x8f)).toBe("System software ID 8Fh (Terminal Mode Remote Console software)");
  });

  it("lists thresholds", () => {
    expect(thresholdList(0x00)).toBe("none");
    expect(thresholdList(0x3f)).toBe("LNC, LC, LNR, UNC, UC, UNR");
  });

  it("names sensor types (table 42-3), entities (43-13), units (43-15) and event types", () => {
    expect(sensorTypeLabel(0x01)).toBe("Temperature (01h)");
    expect(sensorTypeLabel(0x23)).toBe("Watchdog 2 (23h)");
    expect(sensorTypeLabel(0x2c)).toBe("FRU State (2Ch)");
    expect(sensorTypeLabel(0x2d)).toBe("Reserved (2Dh)");
    expect(sensorTypeLabel(0xc0)).toBe("OEM (C0h)");
    expect(entityLabel(0x07)).toBe("System board (07h)");
    expect(entityLabel(0x1d)).toBe("Fan / cooling device (1Dh)");
    expect(entityLabel(0x35)).toBe("Real time clock (RTC) (35h)");
    expect(entityLabel(0x37)).toBe("Air inlet (37h)");
    expect(entityLabel(0x42)).toBe("Baseboard (main system board) (42h)");
    expect(entityLabel(0x95)).toBe("Chassis-specific (95h)");
    expect(entityLabel(0xd1)).toBe("OEM system integrator defined (D1h)");
    expect(unitLabel(0x01)).toBe("degrees C (01h)");
    expect(unitLabel(0x12)).toBe("RPM (12h)");
    expect(unitLabel(0x5c)).toBe("grams (5Ch)");
    expect(unitLabel(0x5d)).toBe("Reserved (5Dh)");
    expect(eventReadingTypeLabel(0x6f)).toBe("Sensor-specific (6Fh)");
    expect(eventReadingTypeLabel(0x7f)).toBe("OEM (7Fh)");
  });

  it("names event offsets by event type and sensor type", () => {
    expect(eventOffsetName(0x01, 0x01, 0x07)).toBe("Upper Non-critical - going high");
    expect(eventOffsetName(0x6f, 0x10, 0x02)).toBe("Log Area Reset/Cleared");
    expect(eventOffsetName(0x6f, 0x23, 0x08)).toBe("Timer interrupt");
    expect(eventOffsetName(0x08, 0x25, 0x01)).toBe("Device Inserted / Device Present");
    expect(eventOffsetName(0x6f, 0x01, 0x00)).toBeUndefined();
  });
});
