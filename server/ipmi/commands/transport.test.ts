/**
 * Set / Get SOL Configuration Parameters (26.2, 26.3, table 26-5) as the dashboard decodes
 * them, byte vectors as ipmitool's lib/ipmi_sol.c builds them (`sol info 1`, `sol set ...`).
 */
import { describe, expect, it } from "vitest";
import { commandAt, decodeRequest, decodeResponse } from "../commands";
import { hex, values } from "../layout/test-helpers";

const TRANSPORT = 0x0c;
const rs = (cmd: number, data: string, request: string) =>
  decodeResponse(TRANSPORT, cmd, 0x00, hex(data), hex(request));
const rq = (cmd: number, data: string) => decodeRequest(TRANSPORT, cmd, hex(data));

describe("Get SOL Configuration Parameters (0Ch/22h)", () => {
  it("decodes `sol info 1`'s requests: channel, selector, set 0, block 0", () => {
    expect(values(rq(0x22, "01 03 00 00"))).toEqual({
      "Get parameter revision only": "no",
      "Channel number": expect.stringContaining("1"),
      "Parameter selector": "Character Accumulate Interval & Send Threshold (03h)",
      "Set selector": "0",
      "Block selector": "0",
    });
  });

  it("decodes each answer by the request's selector", () => {
    expect(values(rs(0x22, "11 01", "01 01 00 00"))).toMatchObject({ "SOL enable": "yes" });
    expect(values(rs(0x22, "11 c2", "01 02 00 00"))).toMatchObject({
      "Force SOL payload encryption": "yes",
      "Force SOL payload authentication": "yes",
      "SOL privilege level": expect.stringContaining("User"),
    });
    expect(values(rs(0x22, "11 0c 60", "01 03 00 00"))).toMatchObject({
      "Character accumulate interval": "60 ms (12 × 5 ms)",
      "Character send threshold": "96 characters",
    });
    expect(values(rs(0x22, "11 07 32", "01 04 00 00"))).toMatchObject({
      "Retry count": "7",
      "Retry interval": "500 ms (50 × 10 ms)",
    });
    expect(values(rs(0x22, "11 0a", "01 05 00 00"))).toMatchObject({ "Bit rate": "115200 bps" });
    expect(values(rs(0x22, "11 06", "01 06 00 00"))).toMatchObject({ "Bit rate": "9600 bps" });
    expect(values(rs(0x22, "11 01", "01 07 00 00"))).toMatchObject({
      "SOL payload channel": expect.stringContaining("1"),
    });
    expect(values(rs(0x22, "11 6f 02", "01 08 00 00"))).toMatchObject({ "SOL payload port": "623" });
  });

  it("shows data that does not fit the parameter as hex", () => {
    expect(values(rs(0x22, "11 01 02 03", "01 01 00 00"))).toMatchObject({ "Parameter data": "01 02 03" });
  });
});

describe("Set SOL Configuration Parameters (0Ch/21h)", () => {
  it("decodes `sol set` requests as ipmitool sends them", () => {
    // sol set set-in-progress set-in-progress 1
    expect(values(rq(0x21, "01 00 01"))).toMatchObject({ "Set in progress": "Set in progress (01h)" });
    // sol set enabled false 1
    expect(values(rq(0x21, "01 01 00"))).toMatchObject({ "SOL enable": "no" });
    // sol set force-encryption true 1 (ipmitool re-sends the other bits it read: here privilege admin)
    expect(values(rq(0x21, "01 02 84"))).toMatchObject({
      "Force SOL payload encryption": "yes",
      "SOL privilege level": expect.stringContaining("Administrator"),
    });
    // sol set character-accumulate-level 10 1 / character-send-threshold 50 1 (both bytes)
    expect(values(rq(0x21, "01 03 0a 32"))).toMatchObject({
      "Character accumulate interval": "50 ms (10 × 5 ms)",
      "Character send threshold": "50 characters",
    });
    // sol set retry-count 5 1 / retry-interval 100 1
    expect(values(rq(0x21, "01 04 05 64"))).toMatchObject({
      "Retry count": "5",
      "Retry interval": "1000 ms (100 × 10 ms)",
    });
    // sol set volatile-bit-rate 38.4 1
    expect(values(rq(0x21, "01 06 08"))).toMatchObject({ "Bit rate": "38400 bps" });
  });

  it("names the command's own completion codes", () => {
    expect(commandAt(TRANSPORT, 0x21)?.completionCodes).toEqual({
      128: "Parameter not supported",
      129: "Attempt to set the 'set in progress' value when not in the 'set complete' state",
      130: "Attempt to write read-only parameter",
    });
  });
});
