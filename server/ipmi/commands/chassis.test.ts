import { describe, expect, it } from "vitest";
import { EXTRA, TRUNCATED } from "../layout/decoded";
import { childValues, hex, value, values } from "../layout/test-helpers";
import { decodeRequest, decodeResponse } from "./index";

const CHASSIS = 0x00;
const rs = (cmd: number, data: string) => decodeResponse(CHASSIS, cmd, 0x00, hex(data));
const rq = (cmd: number, data: string) => decodeRequest(CHASSIS, cmd, hex(data));

describe("Get Chassis Capabilities", () => {
  it("decodes the flags and addresses, the bridge address optional", () => {
    const fields = rs(0x00, "01 20 20 20 20");
    expect(values(fields)).toEqual({
      Capabilities: "01h",
      "FRU info device address": "20h",
      "SDR device address": "20h",
      "SEL device address": "20h",
      "System management device address": "20h",
    });
    expect(value(fields, "Chassis intrusion sensor")).toBe("yes");
    expect(value(rs(0x00, "01 20 20 20 20 20"), "Bridge device address")).toBe("20h");
  });
});

describe("Get Chassis Status", () => {
  it("decodes power on, the restore policy, last power event and misc state", () => {
    // ipmitool `chassis status` on a powered-on system, policy previous, last on via IPMI.
    const fields = rs(0x01, "21 10 40 00");
    expect(values(fields)).toEqual({
      "Power is on": "yes",
      "Power restore policy": "Previous (restores the state power was in when AC was lost) (01h)",
      "Power faults": "none",
      "Last power event": "Power on entered via IPMI command",
      "Misc chassis state": "none",
      "Front panel button capabilities": "00h",
    });
    expect(childValues(fields, "Last power event")).toEqual({
      "Power on entered via IPMI command": "yes",
      "Power down caused by power fault": "no",
      "Power down caused by power interlock": "no",
      "Power down caused by power overload": "no",
      "AC failed": "no",
    });
    expect(value(fields, "Chassis identify state")).toBe("off");
  });

  it("shows faults, identify state and that the fourth byte is optional", () => {
    const fields = rs(0x01, "48 01 5c");
    expect(values(fields)).toMatchObject({
      "Power is on": "no",
      "Power restore policy": "Always on (powers up after AC returns) (02h)",
      "Power faults": "Power fault",
      "Last power event": "AC failed",
      "Misc chassis state": "Cooling/fan fault detected, Drive fault",
    });
    expect(value(fields, "Chassis identify state")).toBe("temporary (timed) on");
    expect(fields?.some((f) => f.name === "Front panel button capabilities")).toBe(false);
    expect(value(rs(0x01, "21"), TRUNCATED)).toBe("2 bytes missing");
  });
});

describe("Chassis Control", () => {
  it("names the action", () => {
    expect(values(rq(0x02, "01"))).toEqual({ "Chassis control": "Power up (01h)" });
    expect(values(rq(0x02, "00"))).toEqual({ "Chassis control": "Power down (00h)" });
    expect(values(rq(0x02, "02"))).toEqual({ "Chassis control": "Power cycle (02h)" });
    expect(values(rq(0x02, "03"))).toEqual({ "Chassis control": "Hard reset (03h)" });
    expect(value(rq(0x02, "05"), "Chassis control")).toMatch(/^Initiate soft-shutdown/);
    expect(value(rq(0x02, "06"), "Chassis control")).toBe("Reserved (06h)");
    expect(value(rq(0x02, ""), TRUNCATED)).toBe("1 byte missing");
    expect(value(rq(0x02, "01 00"), EXTRA)).toBe("00");
  });
});

describe("Chassis Identify", () => {
  it("reads the optional interval and force bytes", () => {
    expect(rq(0x04, "")).toEqual([]);
    expect(values(rq(0x04, "0f"))).toEqual({ "Identify interval": "15 seconds" });
    expect(values(rq(0x04, "00 01"))).toEqual({
      "Identify interval": "0 (turn off identify)",
      "Force identify on": "yes",
    });
  });
});

describe("power restore policy and restart cause", () => {
  it("decodes Set Power Restore Policy", () => {
    expect(values(rq(0x06, "02"))).toEqual({
      "Power restore policy": "Always power up after AC returns (02h)",
    });
    const supported = rs(0x06, "07");
    expect(childValues(supported, "Policies supported")).toEqual({
      "Always powering up after AC returns": "yes",
      "Restoring power to the state when AC was lost": "yes",
      "Staying powered off after AC returns": "yes",
    });
  });

  it("names the restart cause", () => {
    expect(values(rs(0x07, "04 0f"))).toEqual({
      "Restart cause": "Watchdog expiration (04h)",
      Channel: "Fh (system interface)",
    });
    expect(value(rs(0x07, "01 01"), "Restart cause")).toBe("Chassis Control command (01h)");
  });
});

describe("system boot options", () => {
  it("decodes Get System Boot Options requests", () => {
    expect(values(rq(0x09, "05 00 00"))).toEqual({
      Parameter: "Boot flags (05h)",
      "Set selector": "0",
      "Block selector": "0",
    });
  });

  it("decodes ipmitool `chassis bootdev pxe options=efiboot,persistent` (Set, parameter 5)", () => {
    const fields = rq(0x08, "05 e0 04 00 00 00");
    expect(values(fields)).toEqual({
      Parameter: "Boot flags (05h)",
      "Parameter valid": "yes (mark valid / unlocked)",
      "Boot flags valid": "yes",
      Persistent: "yes (all future boots)",
      "BIOS boot type": "EFI",
      "CMOS clear": "no",
      "Lock keyboard": "no",
      "Boot device": "Force PXE (01h)",
      "Screen blank": "no",
      "Lock out reset button": "no",
      "Lock out power button": "no",
      "Firmware verbosity": "System default",
      "Force progress event traps": "no",
      "User password bypass": "no",
      "Lock out sleep button": "no",
      "Console redirection": "System default (BIOS setting)",
      "BIOS shared mode override": "no",
      "BIOS mux control override": "Recommended setting at end of POST (00h)",
      "Device instance selector": "0 (default)",
    });
  });

  it("decodes the Get response for boot flags: next boot only, legacy, BIOS setup", () => {
    const fields = rs(0x09, "01 05 80 18 00 00 00");
    expect(values(fields)).toMatchObject({
      "Parameter version": "1",
      Parameter: "Boot flags (05h)",
      "Parameter valid": "yes (valid / unlocked)",
      "Boot flags valid": "yes",
      Persistent: "no (next boot only)",
      "BIOS boot type": "PC compatible (legacy)",
      "Boot device": "Force boot into BIOS Setup (06h)",
    });
    expect(value(rs(0x09, "01 05 80 18"), TRUNCATED)).toBe("3 bytes missing");
  });

  it("decodes set in progress, boot info acknowledge and unknown parameters", () => {
    expect(values(rq(0x08, "00 01"))).toMatchObject({
      Parameter: "Set in progress (00h)",
      "Set in progress": "Set in progress",
    });
    const ack = rs(0x09, "01 04 00 fe");
    expect(childValues(ack, "Boot info acknowledge")).toEqual({
      OEM: "not handled",
      SMS: "not handled",
      "OS / service partition": "not handled",
      "OS loader": "not handled",
      "BIOS/POST": "handled",
    });
    expect(values(rs(0x09, "01 62 01 02"))).toMatchObject({
      Parameter: "OEM (62h)",
      "Parameter data": "01 02",
    });
  });

  it("names the boot options completion codes", () => {
    expect(decodeResponse(CHASSIS, 0x09, 0x80, new Uint8Array())).toEqual([
      { name: "Completion code", value: "80h Parameter not supported" },
    ]);
    expect(decodeResponse(CHASSIS, 0x08, 0x82, new Uint8Array())?.[0]?.value).toBe(
      "82h Attempt to write read-only parameter",
    );
  });
});

describe("Get POH Counter", () => {
  it("gives the count and the hours", () => {
    expect(values(rs(0x0f, "3c 10 27 00 00"))).toEqual({
      "Minutes per count": "60",
      "Counter reading": "10000 counts (10000 hours)",
    });
  });
});
