import { describe, expect, it } from "vitest";
import defaultProfile from "../../bmc/profiles/default.json" with { type: "json" };
import { thresholdList } from "../records/sdr";
import { requesterId } from "./labels";
import {
  ACCESS_MODES,
  CHANNEL_MEDIUM_TYPES,
  CHANNEL_PROTOCOL_TYPES,
  CHASSIS_TYPES,
  ENTITY_IDS,
  entityLabel,
  eventOffsetName,
  eventReadingTypeLabel,
  PRIVILEGE_LEVELS,
  SDR_RECORD_TYPES,
  SENSOR_TYPES,
  SENSOR_UNITS,
  SESSION_SUPPORT,
  sensorTypeLabel,
  unitLabel,
} from "./tables";

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

describe("one table, both directions", () => {
  it("gives the profile's names their codes, and codes their names and keys", () => {
    expect(SENSOR_TYPES.codes.temperature).toBe(0x01);
    expect(SENSOR_TYPES.codes.watchdog2).toBe(0x23);
    expect(SENSOR_TYPES.keyOf(0x23)).toBe("watchdog2");
    expect(SENSOR_TYPES.get(0x23)).toBe("Watchdog 2");
    expect(SENSOR_TYPES.keyOf(0x11)).toBeUndefined();
    expect(ENTITY_IDS.codes["system-board"]).toBe(0x07);
    expect(ENTITY_IDS.codes["air-inlet"]).toBe(0x37);
    expect(SENSOR_UNITS.codes.volts).toBe(0x04);
    expect(SENSOR_UNITS.codes.rpm).toBe(18);
    expect(CHANNEL_MEDIUM_TYPES.codes["system-interface"]).toBe(0x0c);
    expect(CHANNEL_PROTOCOL_TYPES.codes["bt-1.5"]).toBe(0x08);
    expect(SESSION_SUPPORT.codes["session-based"]).toBe(3);
    expect(ACCESS_MODES.codes["always-available"]).toBe(2);
    expect(PRIVILEGE_LEVELS.codes.administrator).toBe(4);
    expect(CHASSIS_TYPES.codes["rack-mount"]).toBe(0x17);
    expect(CHASSIS_TYPES.label(0x17)).toBe("Rack Mount Chassis (17h)");
  });

  it("names units as table 43-15 numbers them ('errors' is error, 58h; 51h is reset)", () => {
    expect(SENSOR_UNITS.codes.errors).toBe(0x58);
    expect(SENSOR_UNITS.get(0x58)).toBe("error");
    expect(SENSOR_UNITS.get(0x51)).toBe("reset");
    expect(SENSOR_UNITS.codes.seconds).toBe(22);
    expect(SENSOR_UNITS.codes.bytes).toBe(70);
  });

  it("numbers the device locator records 10h-14h (section 43)", () => {
    expect(SDR_RECORD_TYPES.label(0x11)).toBe("FRU Device Locator Record (11h)");
    expect(SDR_RECORD_TYPES.label(0x12)).toBe("Management Controller Device Locator Record (12h)");
    expect(SDR_RECORD_TYPES.label(0x0b)).toBe("Reserved (0Bh)");
    expect(SDR_RECORD_TYPES.label(0xc5)).toBe("OEM Record (C5h)");
  });

  it("knows every name the default profile uses", () => {
    for (const s of defaultProfile.sensors) {
      expect(Object.hasOwn(SENSOR_TYPES.codes, s.type), s.type).toBe(true);
      expect(Object.hasOwn(ENTITY_IDS.codes, s.entity.id), s.entity.id).toBe(true);
      if ("unit" in s && typeof s.unit === "string")
        expect(Object.hasOwn(SENSOR_UNITS.codes, s.unit)).toBe(true);
    }
  });
});
