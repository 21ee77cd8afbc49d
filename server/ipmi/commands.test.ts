import { describe, expect, it } from "vitest";
import { commandLabel, commandName, commandsOf, DCMI_GROUP, findCommand } from "./commands";
import { NETFN, responseNetFn } from "./netfn";

const NAMED_NETFNS = [
  NETFN.CHASSIS,
  NETFN.BRIDGE,
  NETFN.SENSOR_EVENT,
  NETFN.APP,
  NETFN.FIRMWARE,
  NETFN.STORAGE,
  NETFN.TRANSPORT,
] as const;

describe("commandName", () => {
  it.each([
    [0x06, 0x01, "Get Device ID"],
    [0x06, 0x22, "Reset Watchdog Timer"],
    [0x06, 0x31, "Get Message Flags"],
    [0x06, 0x35, "Read Event Message Buffer"],
    [0x06, 0x36, "Get BT Interface Capabilities"],
    [0x06, 0x38, "Get Channel Authentication Capabilities"],
    [0x06, 0x48, "Activate Payload"],
    [0x06, 0x55, "Suspend/Resume Payload Encryption"],
    [0x06, 0x64, "Get OEM NetFn IANA Support"],
    [0x00, 0x00, "Get Chassis Capabilities"],
    [0x00, 0x01, "Get Chassis Status"],
    [0x00, 0x02, "Chassis Control"],
    [0x00, 0x0f, "Get POH Counter"],
    [0x02, 0x00, "Get Bridge State"],
    [0x02, 0xff, "Error Report"],
    [0x04, 0x02, "Platform Event"],
    [0x04, 0x12, "Set PEF Configuration Parameters"],
    [0x04, 0x2d, "Get Sensor Reading"],
    [0x04, 0x30, "Set Sensor Reading And Event Status"],
    [0x0a, 0x11, "Read FRU Data"],
    [0x0a, 0x23, "Get SDR"],
    [0x0a, 0x43, "Get SEL Entry"],
    [0x0a, 0x5c, "Get SEL Time UTC Offset"],
    [0x0a, 0x5d, "Set SEL Time UTC Offset"],
    [0x0c, 0x01, "Set LAN Configuration Parameters"],
    [0x0c, 0x02, "Get LAN Configuration Parameters"],
    [0x0c, 0x20, "SOL Activating"],
    [0x0c, 0x21, "Set SOL Configuration Parameters"],
    [0x0c, 0x22, "Get SOL Configuration Parameters"],
  ])("netfn %i cmd %i is %s", (netFn, cmd, name) => {
    expect(commandName(netFn, cmd)).toBe(name);
  });

  it("takes the response netfn as well as the request netfn", () => {
    expect(commandName(0x07, 0x01)).toBe("Get Device ID");
    expect(commandName(0x01, 0x01)).toBe("Get Chassis Status");
    expect(commandName(0x0b, 0x43)).toBe("Get SEL Entry");
    for (const netFn of NAMED_NETFNS) {
      for (const { cmd, name } of commandsOf(netFn))
        expect(commandName(responseNetFn(netFn), cmd)).toBe(name);
    }
  });

  it("returns undefined for unknown commands and netfns", () => {
    expect(commandName(0x06, 0x00)).toBeUndefined();
    expect(commandName(0x06, 0x3e)).toBeUndefined();
    expect(commandName(0x00, 0x0c)).toBeUndefined();
    expect(commandName(0x08, 0x01)).toBeUndefined();
    expect(commandName(0x0a, 0xff)).toBeUndefined();
    expect(commandName(0x30, 0x01)).toBeUndefined();
    expect(commandName(0x2e, 0x01)).toBeUndefined();
    expect(commandName(0x06, 0x101)).toBeUndefined();
  });

  it("names group extension commands only by body code", () => {
    expect(commandName(0x2c, 0x02, DCMI_GROUP)).toBe("Get Power Reading");
    expect(commandName(0x2d, 0x01, DCMI_GROUP)).toBe("Get DCMI Capabilities Info");
    expect(commandName(0x2c, 0x02)).toBeUndefined();
    expect(commandName(0x2c, 0x02, 0x00)).toBeUndefined();
  });

  it("ignores the group for netfns without one", () => {
    expect(commandName(0x06, 0x01, DCMI_GROUP)).toBe("Get Device ID");
  });
});

describe("commandLabel", () => {
  it("is the name when known", () => {
    expect(commandLabel(0x07, 0x01)).toBe("Get Device ID");
    expect(commandLabel(0x2c, 0x10, DCMI_GROUP)).toBe("Get Temperature Reading");
  });

  it('is "Cmd XXh" when unknown', () => {
    expect(commandLabel(0x06, 0x5a)).toBe("Cmd 5Ah");
    expect(commandLabel(0x08, 0x00)).toBe("Cmd 00h");
    expect(commandLabel(0x2c, 0x02)).toBe("Cmd 02h");
    expect(commandLabel(0x3a, 0xfe)).toBe("Cmd FEh");
  });
});

describe("commandsOf", () => {
  const all = [...NAMED_NETFNS.map((netFn) => commandsOf(netFn)), commandsOf(0x2c, DCMI_GROUP)];

  it("lists every netfn's commands", () => {
    expect(commandsOf(NETFN.CHASSIS)).toHaveLength(13);
    expect(commandsOf(NETFN.BRIDGE)).toHaveLength(26);
    expect(commandsOf(NETFN.SENSOR_EVENT)).toHaveLength(27);
    expect(commandsOf(NETFN.APP)).toHaveLength(62);
    expect(commandsOf(NETFN.FIRMWARE)).toHaveLength(0);
    expect(commandsOf(NETFN.STORAGE)).toHaveLength(30);
    expect(commandsOf(NETFN.TRANSPORT)).toHaveLength(24);
    expect(commandsOf(0x2c, DCMI_GROUP)).toHaveLength(15);
  });

  it("is the same list for the response netfn", () => {
    expect(commandsOf(0x07)).toBe(commandsOf(0x06));
  });

  it("is empty for netfns without standard names", () => {
    expect(commandsOf(0x2c)).toEqual([]);
    expect(commandsOf(0x2e)).toEqual([]);
    expect(commandsOf(0x30)).toEqual([]);
    expect(commandsOf(0x10)).toEqual([]);
  });

  it("is sorted by command with no duplicate numbers", () => {
    for (const list of all) {
      for (let i = 1; i < list.length; i++) expect(list[i]!.cmd).toBeGreaterThan(list[i - 1]!.cmd);
    }
  });

  it("holds byte-sized numbers and non-empty trimmed names", () => {
    for (const list of all) {
      for (const { cmd, name } of list) {
        expect(Number.isInteger(cmd) && cmd >= 0 && cmd <= 0xff).toBe(true);
        expect(name.length).toBeGreaterThan(0);
        expect(name.trim()).toBe(name);
      }
    }
  });
});

describe("findCommand", () => {
  it("finds by exact name regardless of case", () => {
    expect(findCommand("Get Device ID")).toEqual({ netFn: 0x06, cmd: 0x01 });
    expect(findCommand("get sel entry")).toEqual({ netFn: 0x0a, cmd: 0x43 });
    expect(findCommand("GET SENSOR READING")).toEqual({ netFn: 0x04, cmd: 0x2d });
    expect(findCommand("Get Power Reading")).toEqual({ netFn: 0x2c, cmd: 0x02, group: DCMI_GROUP });
  });

  it("does not match partial or unknown names", () => {
    expect(findCommand("Get Device")).toBeUndefined();
    expect(findCommand("Get Device ID ")).toBeUndefined();
    expect(findCommand("")).toBeUndefined();
    expect(findCommand("Frobnicate")).toBeUndefined();
  });

  it("round-trips every entry", () => {
    let count = 0;
    for (const netFn of NAMED_NETFNS) {
      for (const { cmd, name } of commandsOf(netFn)) {
        expect(findCommand(name)).toEqual({ netFn, cmd });
        expect(findCommand(name.toUpperCase())).toEqual({ netFn, cmd });
        count++;
      }
    }
    for (const { cmd, name } of commandsOf(0x2c, DCMI_GROUP)) {
      const found = findCommand(name);
      expect(found).toEqual({ netFn: 0x2c, cmd, group: DCMI_GROUP });
      expect(commandName(found!.netFn, found!.cmd, found!.group)).toBe(name);
      count++;
    }
    expect(count).toBe(13 + 26 + 27 + 62 + 30 + 24 + 15);
  });
});
