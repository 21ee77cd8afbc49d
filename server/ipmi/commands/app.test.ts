import { describe, expect, it } from "vitest";
import { commandAt, decodeRequest, decodeResponse } from "../commands";
import { EXTRA, TRUNCATED } from "../layout/decoded";
import { childValues, hex, value, values } from "../layout/test-helpers";

const APP = 0x06;
const rs = (cmd: number, data: string) => decodeResponse(APP, cmd, 0x00, hex(data));
const rq = (cmd: number, data: string) => decodeRequest(APP, cmd, hex(data));

describe("Get Device ID", () => {
  it("decodes an Intel BMC's response (the brief's capture)", () => {
    const fields = rs(0x01, "20 01 01 00 02 bf 57 01 00 49 00");
    expect(values(fields)).toEqual({
      "Device ID": "20h",
      "Device revision": "1",
      "Provides device SDRs": "no",
      "Firmware revision": "1.00",
      "IPMI version": "2.0 (02h)",
      "Additional device support": "BFh",
      "Manufacturer ID": "343 (Intel Corporation)",
      "Product ID": "0049h (73)",
    });
    expect(childValues(fields, "Additional device support")).toEqual({
      "Chassis device": "yes",
      Bridge: "no",
      "IPMB event generator": "yes",
      "IPMB event receiver": "yes",
      "FRU inventory device": "yes",
      "SEL device": "yes",
      "SDR repository device": "yes",
      "Sensor device": "yes",
    });
    expect(value(fields, "Device available")).toBe("yes: normal operation");
  });

  it("decodes a Wiwynn BMC's response as `mc info` printed it (u-root PR 1695)", () => {
    // Device ID 32, revision 1 with SDRs, firmware 20.14, IPMI 2.0, manufacturer 40981, product 12614.
    const fields = rs(0x01, "20 81 14 14 02 bf 15 a0 00 46 31 00 00 00 00");
    expect(values(fields)).toMatchObject({
      "Device ID": "20h",
      "Device revision": "1",
      "Provides device SDRs": "yes",
      "Firmware revision": "20.14",
      "IPMI version": "2.0 (02h)",
      "Manufacturer ID": "40981 (Facebook, Inc.)",
      "Product ID": "3146h (12614)",
      "Aux firmware revision": "00 00 00 00",
    });
  });

  it("reads the minor firmware revision as BCD and flags an update in progress", () => {
    const fields = rs(0x01, "20 01 83 25 51 00 00 00 00 00 00");
    expect(value(fields, "Firmware revision")).toBe("3.25");
    expect(value(fields, "Device available")).toMatch(/^no: /);
    expect(value(fields, "IPMI version")).toBe("1.5 (51h)");
    expect(value(fields, "Manufacturer ID")).toBe("0");
  });

  it("reports a short response and a partial aux revision", () => {
    const short = rs(0x01, "20 01 01 00 02 bf 57");
    expect(short?.map((f) => f.name)).toEqual([
      "Device ID",
      "Device revision",
      "Provides device SDRs",
      "Firmware revision",
      "IPMI version",
      "Additional device support",
      TRUNCATED,
    ]);
    expect(value(short, TRUNCATED)).toBe("4 bytes missing");
    expect(value(rs(0x01, "20 01 01 00 02 bf 57 01 00 49 00 01 02"), TRUNCATED)).toBe("2 bytes missing");
    expect(value(rs(0x01, "20 01 01 00 02 bf 57 01 00 49 00 01 02 03 04 05"), EXTRA)).toBe("05");
  });

  it("has an empty request, and flags bytes sent with it", () => {
    expect(rq(0x01, "")).toEqual([]);
    expect(rq(0x01, "00")).toEqual([{ name: EXTRA, value: "00" }]);
  });
});

describe("Get Self Test Results", () => {
  it("names the result codes", () => {
    expect(values(rs(0x04, "55 00"))).toEqual({ Result: "No error (55h)", Detail: "00h" });
    expect(value(rs(0x04, "56 00"), "Result")).toBe(
      "Self Test function not implemented in this controller (56h)",
    );
    expect(value(rs(0x04, "58 12"), "Device-specific failure code")).toBe("12h");
    expect(value(rs(0x04, "01 00"), "Result")).toBe("Device-specific internal failure (01h)");
  });

  it("names the failure bits of 57h", () => {
    const fields = rs(0x04, "57 88");
    expect(value(fields, "Result")).toBe("Corrupted or inaccessible data or devices (57h)");
    expect(childValues(fields, "Failures")).toMatchObject({
      "Cannot access SEL device": "yes",
      "Cannot access SDR Repository": "no",
      "SDR Repository empty": "yes",
      "Controller operational firmware corrupted": "no",
    });
  });
});

describe("ACPI power state", () => {
  it("decodes Set ACPI Power State", () => {
    expect(values(rq(0x06, "85 7f"))).toEqual({
      "Set system power state": "yes",
      "System power state": "S5/G2 (soft off) (05h)",
      "Set device power state": "no",
      "Device power state": "No change (7Fh)",
    });
  });

  it("decodes Get ACPI Power State", () => {
    expect(values(rs(0x07, "00 03"))).toEqual({
      "System power state": "S0/G0 (working) (00h)",
      "Device power state": "D3 (03h)",
    });
  });
});

describe("GUIDs", () => {
  it("decodes Get Device GUID and Get System GUID as GUID strings", () => {
    const wire = "5d 4c 3b 2a 1f 0e 8d 9c 7b 4a 6f 5e 1d 2c 3b 8f";
    expect(value(rs(0x08, wire), "GUID")).toBe("8f3b2c1d-5e6f-4a7b-9c8d-0e1f2a3b4c5d");
    expect(value(rs(0x37, wire), "GUID")).toBe("8f3b2c1d-5e6f-4a7b-9c8d-0e1f2a3b4c5d");
    expect(value(rs(0x37, wire.slice(0, -3)), TRUNCATED)).toBe("1 byte missing");
  });
});

describe("watchdog", () => {
  it("decodes Set Watchdog Timer as ipmitool's `mc watchdog` and bmc-watchdog send it", () => {
    // SMS/OS, don't stop, hard reset, NMI pre-timeout 10 s, clear SMS/OS flag, 60.0 s.
    const fields = rq(0x24, "44 21 0a 10 58 02");
    expect(values(fields)).toEqual({
      "Timer use": "SMS/OS (04h)",
      "Don't log": "no",
      "Don't stop timer": "yes",
      "Pre-timeout interrupt": "NMI / Diagnostic interrupt (02h)",
      "Timeout action": "Hard reset (01h)",
      "Pre-timeout interval": "10 seconds",
      "Timer use expiration flags clear": "10h",
      "Initial countdown": "60 seconds",
    });
    expect(childValues(fields, "Timer use expiration flags clear")).toEqual({
      OEM: "no",
      "SMS/OS": "yes",
      "OS Load": "no",
      "BIOS/POST": "no",
      "BIOS FRB2": "no",
    });
    expect(value(rq(0x24, "84 03 00 00 64 00"), "Don't log")).toBe("yes");
  });

  it("decodes Get Watchdog Timer with both countdowns", () => {
    const fields = rs(0x25, "44 01 00 10 58 02 2d 01");
    expect(values(fields)).toMatchObject({
      "Timer use": "SMS/OS (04h)",
      "Timer running": "yes",
      "Timeout action": "Hard reset (01h)",
      "Pre-timeout interrupt": "None (00h)",
      "Timer use expiration flags": "10h",
      "Initial countdown": "60 seconds",
      "Present countdown": "30.1 seconds",
    });
    expect(value(rs(0x25, "44 01 00 10 58 02"), TRUNCATED)).toBe("2 bytes missing");
  });

  it("names Reset Watchdog Timer's own completion code", () => {
    expect(decodeResponse(APP, 0x22, 0x80, new Uint8Array())).toEqual([
      { name: "Completion code", value: "80h Attempt to start un-initialized watchdog" },
    ]);
  });
});

describe("global enables and message flags", () => {
  it("names each bit of the BMC global enables", () => {
    const get = rs(0x2f, "0c");
    expect(value(get, "BMC global enables")).toBe("0Ch");
    expect(childValues(get, "BMC global enables")).toEqual({
      "OEM 2": "no",
      "OEM 1": "no",
      "OEM 0": "no",
      "System Event Logging": "yes",
      "Event Message Buffer": "yes",
      "Event Message Buffer Full Interrupt": "no",
      "Receive Message Queue Interrupt": "no",
    });
    expect(childValues(rq(0x2e, "09"), "BMC global enables")).toMatchObject({
      "System Event Logging": "yes",
      "Receive Message Queue Interrupt": "yes",
    });
  });

  it("names each bit of Get Message Flags and Clear Message Flags", () => {
    expect(childValues(rs(0x31, "08"), "Message flags")).toMatchObject({
      "Watchdog pre-timeout interrupt occurred": "yes",
      "Receive Message Available": "no",
    });
    expect(childValues(rq(0x30, "0a"), "Flags to clear")).toMatchObject({
      "Clear watchdog pre-timeout interrupt flag": "yes",
      "Clear Event Message Buffer": "yes",
      "Clear Receive Message Queue": "no",
    });
  });
});

describe("Get BT Interface Capabilities", () => {
  it("decodes an ASPEED BT controller's answer", () => {
    expect(values(rs(0x36, "01 3f 3f 05 02"))).toEqual({
      "Outstanding requests supported": "1",
      "Input buffer size": "63 bytes",
      "Output buffer size": "63 bytes",
      "Request-to-response time": "5 seconds",
      "Recommended retries": "2",
    });
  });
});

describe("channels", () => {
  it("decodes Get Channel Info for a LAN channel", () => {
    expect(values(rq(0x42, "01"))).toEqual({ "Channel number": "1" });
    expect(values(rs(0x42, "01 04 01 82 f2 1b 00 00 00"))).toEqual({
      "Channel number": "1",
      "Channel medium type": "802.3 LAN (04h)",
      "Channel protocol type": "IPMB-1.0 (01h)",
      "Session support": "multi-session",
      "Active sessions": "2",
      "Vendor ID": "7154 (Intelligent Platform Management Interface forum)",
      "Auxiliary channel info": "00 00",
    });
  });

  it("decodes the system interface's interrupt types", () => {
    const fields = rs(0x42, "0f 0c 08 00 f2 1b 00 0a ff");
    expect(values(fields)).toMatchObject({
      "Channel number": "Fh (system interface)",
      "Channel medium type": "System Interface (KCS, SMIC, or BT) (0Ch)",
      "Channel protocol type": "BT-15 (08h)",
      "Session support": "session-less",
      "SMS interrupt type": "IRQ 10 (0Ah)",
      "Event message buffer interrupt type": "no interrupt / unspecified (FFh)",
    });
  });

  it("decodes Get Channel Access", () => {
    expect(values(rq(0x41, "01 80"))).toEqual({
      "Channel number": "1",
      "Access to get": "Present volatile (active) (02h)",
    });
    expect(values(rs(0x41, "22 04"))).toEqual({
      "PEF alerting": "disabled",
      "Per-message authentication": "enabled",
      "User level authentication": "enabled",
      "Access mode": "Always available (02h)",
      "Channel privilege level limit": "Administrator (04h)",
    });
    expect(decodeResponse(APP, 0x41, 0x82, new Uint8Array())?.[0]?.value).toBe(
      "82h Command not supported for selected channel",
    );
  });

  it("decodes Set Channel Access", () => {
    expect(values(rq(0x40, "01 42 84"))).toMatchObject({
      "Channel access": "Set non-volatile (01h)",
      "Access mode": "Always available (02h)",
      "Privilege level limit change": "Set volatile (active) (02h)",
      "Channel privilege level limit": "Administrator (04h)",
    });
  });
});

describe("Get System Interface Capabilities", () => {
  it("lays the answer out by the interface the request asked about", () => {
    expect(values(rq(0x57, "00"))).toEqual({ "System interface type": "SSIF (00h)" });
    const ssif = decodeResponse(APP, 0x57, 0x00, hex("00 80 ff ff"), hex("00"));
    expect(values(ssif)).toEqual({
      Reserved: "00h",
      "SSIF version": "1.0 (000b)",
      "PEC support": "no",
      "Transaction support": "multi-part reads and writes, start, middle and end transactions (02h)",
      "Input message size": "255 bytes",
      "Output message size": "255 bytes",
    });
    const kcs = decodeResponse(APP, 0x57, 0x00, hex("00 00 ff"), hex("01"));
    expect(values(kcs)).toEqual({
      Reserved: "00h",
      "System interface version": "1.0 (000b)",
      "Input maximum message size": "255 bytes",
    });
  });

  it("reads the interface from the length when the request is not known", () => {
    expect(value(rs(0x57, "00 80 ff ff"), "Output message size")).toBe("255 bytes");
    expect(value(rs(0x57, "00 00 ff"), "Input maximum message size")).toBe("255 bytes");
  });
});

describe("session set-up commands (laid out with the LAN session code)", () => {
  it("decodes Get Session Challenge and names its completion codes", () => {
    // MD5, user "admin" padded to 16 bytes.
    expect(values(rq(0x39, "02 61 64 6d 69 6e 00 00 00 00 00 00 00 00 00 00 00"))).toMatchObject({
      "User name": '"admin"',
    });
    expect(decodeResponse(APP, 0x39, 0x81, new Uint8Array())).toEqual([
      { name: "Completion code", value: "81h Invalid user name" },
    ]);
  });

  it("decodes a Get Channel Cipher Suites page", () => {
    expect(values(rs(0x54, "01 c0 03 01 41 81"))).toMatchObject({ Channel: "1" });
  });
});

describe("RMCP+ payload commands (section 24)", () => {
  it("decodes `ipmitool sol activate`'s request: SOL instance 1, C6h 00 00 00 (lib/ipmi_sol.c)", () => {
    expect(values(rq(0x48, "01 01 c6 00 00 00"))).toEqual({
      "Payload type": "SOL (serial over LAN) (01h)",
      "Payload instance": "1",
      "SOL startup handshake": "CTS and DCD/DSR deasserted until the console's first packet",
      "Shared serial alert behaviour": "Serial/modem alerts deferred while SOL is active (01h)",
      "Test mode": "no",
      "Authentication activation": "yes",
      "Encryption activation": "yes",
    });
  });

  it("decodes Activate Payload's 12-byte answer as OpenIPMI lanserv sends it (sizes, port, no VLAN)", () => {
    const fields = rs(0x48, "00 00 00 00 20 00 00 40 6f 02 ff ff");
    expect(values(fields)).toMatchObject({
      "Test mode": "no",
      "Inbound payload size": "32 bytes",
      "Outbound payload size": "16384 bytes",
      "Payload UDP port": "623",
      "Payload VLAN number": "no VLAN (FFFFh)",
    });
  });

  it("names Activate Payload's own completion codes 80h-84h, and Deactivate Payload's", () => {
    const activate = commandAt(APP, 0x48);
    expect(activate?.completionCodes[0x80]).toBe("Payload already active on another session");
    expect(Object.keys(activate?.completionCodes ?? {})).toEqual(["128", "129", "130", "131", "132"]);
    expect(commandAt(APP, 0x49)?.completionCodes[0x80]).toBe("Payload already deactivated");
  });

  it("decodes `sol deactivate` (01 01 00 00 00 00) and the activation status", () => {
    expect(values(rq(0x49, "01 01 00 00 00 00"))).toMatchObject({
      "Payload type": "SOL (serial over LAN) (01h)",
      "Payload instance": "1",
    });
    expect(values(rs(0x4a, "01 01 00"))).toEqual({ "Instance capacity": "1", "Active instances": "1" });
    expect(values(rs(0x4a, "01 00 00"))).toEqual({ "Instance capacity": "1", "Active instances": "none" });
  });

  it("decodes Get Payload Instance Info: the session it is active on and the port", () => {
    expect(values(rs(0x4b, "01 00 00 02 01 00 00 00 00 00 00 00"))).toMatchObject({
      "Session ID": "02000001h",
      "Port number": "1",
    });
  });

  it("decodes Get Channel Payload Support: IPMI and SOL, session set-up 10h-15h", () => {
    expect(values(rq(0x4e, "01"))).toEqual({ "Channel number": expect.stringContaining("1") });
    expect(values(rs(0x4e, "03 00 3f 00 00 00 00 00"))).toMatchObject({
      "Standard payload types": "IPMI Message (00h), SOL (serial over LAN) (01h)",
      "OEM payload types": "none",
    });
    expect(value(rs(0x4e, "03 00 3f 00 00 00 00 00"), "Session setup payload types")).toContain(
      "RAKP Message 4",
    );
  });
});
