import { describe, expect, it } from "vitest";
import type { DecodedField } from "../layout/decoded";
import { hex } from "../layout/test-helpers";
import { decodedCommands, decodeRequest, decodeResponse, hasDecoder } from "./index";

/** Every field and sub-field, depth first. */
function flatten(fields: readonly DecodedField[]): DecodedField[] {
  return fields.flatMap((f) => [f, ...flatten(f.children ?? [])]);
}

describe("decoding through the command table", () => {
  it("answers for the request and the response netfn alike", () => {
    const data = hex("20 01 01 00 02 bf 57 01 00 49 00");
    expect(decodeResponse(0x06, 0x01, 0x00, data)).toEqual(decodeResponse(0x07, 0x01, 0x00, data));
    expect(hasDecoder(0x07, 0x01)).toBe(true);
  });

  it("has no decoder for commands it does not know, group extension or OEM netfns", () => {
    expect(decodeRequest(0x06, 0x52, hex("00"))).toBeUndefined();
    expect(decodeResponse(0x06, 0x52, 0x00, hex("00"))).toBeUndefined();
    expect(decodeRequest(0x2c, 0x01, hex("dc"))).toBeUndefined();
    expect(decodeResponse(0x2e, 0x01, 0x00, hex("57 01 00"))).toBeUndefined();
    expect(hasDecoder(0x30, 0x01)).toBe(false);
  });

  it("does not decode error responses, but names a command's own completion codes", () => {
    expect(decodeResponse(0x0a, 0x23, 0xc5, new Uint8Array())).toBeUndefined();
    expect(decodeResponse(0x06, 0x01, 0xc1, new Uint8Array())).toBeUndefined();
    expect(decodeResponse(0x0a, 0x43, 0x81, new Uint8Array())).toEqual([
      { name: "Completion code", value: "81h Cannot execute command, SEL erase in progress" },
    ]);
    expect(decodeResponse(0x0a, 0x43, 0x82, new Uint8Array())).toBeUndefined();
  });

  it("decodes requests and responses of every command the dashboard must explain", () => {
    const required: Array<[netFn: number, cmd: number, name: string]> = [
      [0x06, 0x01, "Get Device ID"],
      [0x06, 0x04, "Get Self Test Results"],
      [0x06, 0x06, "Set ACPI Power State"],
      [0x06, 0x07, "Get ACPI Power State"],
      [0x06, 0x08, "Get Device GUID"],
      [0x06, 0x24, "Set Watchdog Timer"],
      [0x06, 0x25, "Get Watchdog Timer"],
      [0x06, 0x2e, "Set BMC Global Enables"],
      [0x06, 0x2f, "Get BMC Global Enables"],
      [0x06, 0x31, "Get Message Flags"],
      [0x06, 0x36, "Get BT Interface Capabilities"],
      [0x06, 0x37, "Get System GUID"],
      [0x06, 0x41, "Get Channel Access"],
      [0x06, 0x42, "Get Channel Info"],
      [0x00, 0x01, "Get Chassis Status"],
      [0x00, 0x02, "Chassis Control"],
      [0x00, 0x07, "Get System Restart Cause"],
      [0x00, 0x08, "Set System Boot Options"],
      [0x00, 0x09, "Get System Boot Options"],
      [0x00, 0x0f, "Get POH Counter"],
      [0x04, 0x02, "Platform Event"],
      [0x04, 0x23, "Get Sensor Reading Factors"],
      [0x04, 0x26, "Set Sensor Threshold"],
      [0x04, 0x27, "Get Sensor Threshold"],
      [0x04, 0x2d, "Get Sensor Reading"],
      [0x0a, 0x10, "Get FRU Inventory Area Info"],
      [0x0a, 0x11, "Read FRU Data"],
      [0x0a, 0x20, "Get SDR Repository Info"],
      [0x0a, 0x22, "Reserve SDR Repository"],
      [0x0a, 0x23, "Get SDR"],
      [0x0a, 0x40, "Get SEL Info"],
      [0x0a, 0x42, "Reserve SEL"],
      [0x0a, 0x43, "Get SEL Entry"],
      [0x0a, 0x44, "Add SEL Entry"],
      [0x0a, 0x46, "Delete SEL Entry"],
      [0x0a, 0x47, "Clear SEL"],
      [0x0a, 0x48, "Get SEL Time"],
      [0x0a, 0x49, "Set SEL Time"],
    ];
    const registered = new Set(decodedCommands().map(([netFn, cmd]) => `${netFn}/${cmd}`));
    const missing = required.filter(([netFn, cmd]) => !registered.has(`${netFn}/${cmd}`)).map(([, , n]) => n);
    expect(missing).toEqual([]);
    for (const [netFn, cmd] of required) {
      expect(decodeRequest(netFn, cmd, new Uint8Array())).toBeDefined();
      expect(decodeResponse(netFn, cmd, 0x00, new Uint8Array())).toBeDefined();
    }
  });

  it("never throws, whatever the bytes", () => {
    const lengths = [0, 1, 2, 3, 5, 8, 16, 17, 40, 70];
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed & 0xff;
    };
    for (const [netFn, cmd] of decodedCommands()) {
      for (const n of lengths) {
        const data = Uint8Array.from({ length: n }, random);
        const request = Uint8Array.from({ length: 6 }, random);
        const rq = decodeRequest(netFn, cmd, data);
        const rs = decodeResponse(netFn, cmd, 0x00, data, request);
        for (const fields of [rq, rs]) {
          for (const f of flatten(fields ?? [])) {
            expect(f.name).not.toBe("(decoder error)");
            expect(typeof f.value).toBe("string");
            expect(f.value).not.toMatch(/undefined|NaN/);
          }
        }
      }
    }
  });
});
