import { describe, expect, it } from "vitest";
import { EXTRA, TRUNCATED } from "../layout/decoded";
import { childValues, hex, value, values } from "../layout/test-helpers";
import { decodeRequest, decodeResponse } from "./index";

const SE = 0x04;
const rs = (cmd: number, data: string, request?: string) =>
  decodeResponse(SE, cmd, 0x00, hex(data), request === undefined ? undefined : hex(request));
const rq = (cmd: number, data: string) => decodeRequest(SE, cmd, hex(data));

describe("Platform Event Message", () => {
  it("decodes ipmitool `event 1` (temperature upper critical going high) from the system interface", () => {
    // lib/ipmi_event.c: generator EVENT_GENERATOR(SMS, 0) = 41h, then the sample event.
    const fields = rq(0x02, "41 04 01 30 01 09 ff ff");
    expect(values(fields)).toEqual({
      "Generator ID": "System software ID 41h (System Management Software)",
      "EvM revision": "04h (IPMI 1.5/2.0)",
      "Sensor type": "Temperature (01h)",
      "Sensor number": "30h",
      "Event direction": "Assertion",
      "Event type": "Threshold (01h)",
      "Event data 1": "09h",
      "Event data 2": "FFh",
      "Event data 3": "FFh",
    });
    expect(childValues(fields, "Event data 1")).toEqual({
      "Event data 2 usage": "unspecified",
      "Event data 3 usage": "unspecified",
      Offset: "Upper Critical - going high (09h)",
    });
  });

  it("names the trigger reading and threshold when event data 1 says they are there", () => {
    const fields = rq(0x02, "41 04 01 30 01 59 4b 50");
    expect(values(fields)).toMatchObject({
      "Event data 2": "4Bh (trigger reading)",
      "Event data 3": "50h (trigger threshold value)",
    });
    expect(childValues(fields, "Event data 1")).toMatchObject({
      "Event data 2 usage": "trigger reading",
      "Event data 3 usage": "trigger threshold value",
    });
  });

  it("decodes ipmitool `event 3` (correctable ECC, sensor-specific) with its previous-state byte", () => {
    const fields = rq(0x02, "41 04 0c 53 6f 40 f1 ff");
    expect(values(fields)).toMatchObject({
      "Sensor type": "Memory (0Ch)",
      "Event type": "Sensor-specific (6Fh)",
    });
    expect(childValues(fields, "Event data 2")).toEqual({
      "Severity offset": "unspecified",
      "Previous state offset": "01h",
    });
  });

  it("reads the IPMB form, which has no generator ID byte", () => {
    const fields = rq(0x02, "04 23 05 ef 01 ff ff");
    expect(values(fields)).toMatchObject({
      "Generator ID": "not in the request (IPMB: the requester's address)",
      "Sensor type": "Watchdog 2 (23h)",
      "Event direction": "Deassertion",
      "Event type": "Sensor-specific (6Fh)",
    });
    expect(value(fields, "Offset")).toBe("Hard Reset (01h)");
  });

  it("reports a truncated event", () => {
    expect(value(rq(0x02, "41 04 01 30"), TRUNCATED)).toBe("4 bytes missing");
  });
});

describe("event receiver", () => {
  it("decodes Set and Get Event Receiver", () => {
    expect(values(rq(0x00, "20 00"))).toEqual({
      "Event receiver slave address": "20h",
      "Event receiver LUN": "0",
    });
    expect(value(rs(0x01, "ff 00"), "Event receiver slave address")).toBe(
      "FFh (event message generation disabled)",
    );
  });
});

describe("Get Device SDR Info", () => {
  it("names the count after the operation asked for", () => {
    expect(values(rs(0x20, "05 01", "01"))).toEqual({ "SDR count": "5", Flags: "01h" });
    const dynamic = rs(0x20, "05 83 a0 1e 5f 66", "00");
    expect(values(dynamic)).toEqual({
      "Sensor count": "5",
      Flags: "83h",
      "Sensor population change indicator": "2024-06-04T14:03:12Z",
    });
    expect(childValues(dynamic, "Flags")).toEqual({
      "Sensor population": "dynamic",
      "LUNs with sensors": "0, 1",
    });
  });
});

describe("Get Sensor Reading", () => {
  it("decodes the reading, the flags and the threshold status", () => {
    expect(values(rq(0x2d, "30"))).toEqual({ "Sensor number": "30h" });
    const fields = rs(0x2d, "2d c0 c0");
    expect(values(fields)).toEqual({
      "Sensor reading": "2Dh (raw 45)",
      "Event messages": "enabled",
      "Sensor scanning": "enabled",
      "Reading unavailable": "no",
      "Threshold status": "none crossed",
    });
  });

  it("names the thresholds crossed, and the reading-unavailable flag", () => {
    const fields = rs(0x2d, "66 60 d8");
    expect(values(fields)).toMatchObject({
      "Event messages": "all disabled",
      "Sensor scanning": "enabled",
      "Reading unavailable": "yes",
      "Threshold status": "At or above upper critical, At or above upper non-critical",
    });
    expect(childValues(fields, "Threshold status")).toMatchObject({
      "At or above upper non-recoverable": "no",
      "At or above upper critical": "yes",
      "At or below lower non-critical": "no",
    });
  });

  it("reads the optional fourth byte of discrete sensors", () => {
    expect(value(rs(0x2d, "00 c0 01 80"), "Discrete states 8-14")).toBe("00h");
    expect(value(rs(0x2d, "00 c0"), TRUNCATED)).toBe("1 byte missing");
    expect(value(rs(0x2d, "00 c0 01 80 00"), EXTRA)).toBe("00");
  });
});

describe("sensor thresholds", () => {
  it("decodes Get Sensor Threshold, marking values that are not readable", () => {
    const fields = rs(0x27, "1b 0a 05 00 5f 64 00");
    expect(values(fields)).toEqual({
      "Readable mask": "1Bh (LNC, LC, UNC, UC)",
      "Lower non-critical": "0Ah",
      "Lower critical": "05h",
      "Lower non-recoverable": "00h (not readable)",
      "Upper non-critical": "5Fh",
      "Upper critical": "64h",
      "Upper non-recoverable": "00h (not readable)",
    });
    expect(childValues(fields, "Readable mask")).toMatchObject({
      "Upper critical": "yes",
      "Upper non-recoverable": "no",
    });
  });

  it("decodes Set Sensor Threshold", () => {
    const fields = rq(0x26, "30 10 00 00 00 00 6e 00");
    expect(values(fields)).toMatchObject({
      "Sensor number": "30h",
      "Set mask": "10h (UC)",
      "Upper critical": "6Eh",
      "Lower non-critical": "00h (not set)",
    });
    expect(value(rq(0x26, "30 10 00"), TRUNCATED)).toBe("5 bytes missing");
  });
});

describe("Get Sensor Reading Factors", () => {
  it("decodes M, B, tolerance, accuracy and the exponents", () => {
    // M = 58 (3Ah), tolerance 2, B = -5 (3FBh), accuracy 500 (1F4h) exp 1, R exp -3, B exp 1.
    expect(values(rq(0x23, "31 80"))).toEqual({ "Sensor number": "31h", "Reading byte": "80h" });
    const fields = rs(0x23, "ff 3a 02 fb f4 74 d1");
    expect(values(fields)).toEqual({
      "Next reading": "FFh",
      M: "58",
      Tolerance: "±1 raw counts",
      B: "-5",
      Accuracy: "50 %",
      "Accuracy exponent": "1",
      "R exponent": "-3",
      "B exponent": "1",
    });
  });
});

describe("sensor type and event enables", () => {
  it("decodes Get/Set Sensor Type", () => {
    expect(values(rs(0x2f, "04 01"))).toEqual({
      "Sensor type": "Fan (04h)",
      "Event/reading type": "Threshold (01h)",
    });
    expect(values(rq(0x2e, "40 08 6f"))).toEqual({
      "Sensor number": "40h",
      "Sensor type": "Power Supply (08h)",
      "Event/reading type": "Sensor-specific (6Fh)",
    });
    expect(value(rs(0x2f, "c3 70"), "Sensor type")).toBe("OEM (C3h)");
    expect(value(rs(0x2f, "c3 70"), "Event/reading type")).toBe("OEM (70h)");
  });

  it("decodes Get Sensor Event Enable", () => {
    expect(values(rs(0x29, "c0 95 0a 95 0a"))).toEqual({
      "Event messages": "enabled",
      "Sensor scanning": "enabled",
      "Assertion event mask": "0A95h",
      "Deassertion event mask": "0A95h",
    });
    expect(values(rs(0x29, "40"))).toEqual({
      "Event messages": "all disabled",
      "Sensor scanning": "enabled",
    });
  });
});
