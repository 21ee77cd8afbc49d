/**
 * SOL's configuration handlers byte for byte, as ipmitool's `sol info 1` and `sol set`
 * (lib/ipmi_sol.c) send them, and Get Channel Payload Support.
 */
import { describe, expect, it } from "vitest";
import { CC } from "../../ipmi/completion-codes";
import type { Requester } from "../../router/types";
import { solConfigOf } from "../index";
import { SOL_SETTING } from "../sol-config";
import { MemoryBmcStore } from "../store";
import { call, testBmc } from "../test-harness";

const lanSession: Requester = {
  channel: 1,
  peer: "192.0.2.7:50123",
  sessionId: 0x0200_0001,
  user: "admin",
  privilege: "admin",
};
const bmc = (options: Parameters<typeof testBmc>[0] = {}) =>
  testBmc({ lanAddress: () => ({ ip: "127.0.0.1", port: 6230 }), ...options });
const GET = "transport.get-sol-configuration-parameters";
const SET = "transport.set-sol-configuration-parameters";

describe("Get SOL Configuration Parameters (0Ch/22h)", () => {
  it("answers `sol info 1`: revision 11h and each parameter", async () => {
    const b = bmc();
    const get = (p: number) => b.ask(GET, [0x01, p, 0x00, 0x00]);
    expect(await get(0)).toEqual({ cc: CC.OK, data: [0x11, 0x00] });
    expect(await get(1)).toEqual({ cc: CC.OK, data: [0x11, 0x01] });
    expect(await get(2)).toEqual({ cc: CC.OK, data: [0x11, 0xc2] });
    expect(await get(3)).toEqual({ cc: CC.OK, data: [0x11, 0x0c, 0x60] });
    expect(await get(4)).toEqual({ cc: CC.OK, data: [0x11, 0x07, 0x32] });
    expect(await get(5)).toEqual({ cc: CC.OK, data: [0x11, 0x0a] });
    expect(await get(6)).toEqual({ cc: CC.OK, data: [0x11, 0x0a] });
    expect(await get(7)).toEqual({ cc: CC.OK, data: [0x11, 0x01] });
    expect(await get(8)).toEqual({ cc: CC.OK, data: [0x11, 0x56, 0x18] });
    expect((await get(9)).cc).toBe(0x80);
    expect(await b.ask(GET, [0x81, 0x03, 0x00, 0x00])).toEqual({ cc: CC.OK, data: [0x11] });
  });

  it("answers CCh for a channel SOL is not on, and reads 0Eh as the session's channel", async () => {
    const b = bmc();
    expect((await b.ask(GET, [0x0f, 0x01, 0x00, 0x00])).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await b.ask(GET, [0x0e, 0x01, 0x00, 0x00])).cc).toBe(CC.INVALID_DATA_FIELD); // from BT: channel 0Fh
    expect(await call(b.h(GET), [0x0e, 0x01, 0x00, 0x00], "lan", lanSession)).toEqual({
      cc: CC.OK,
      data: [0x11, 0x01],
    });
  });
});

describe("Set SOL Configuration Parameters (0Ch/21h)", () => {
  it("applies `sol set enabled false 1` and keeps it across a restart", async () => {
    const store = new MemoryBmcStore();
    const first = bmc({ store });
    expect(await first.ask(SET, [0x01, 0x01, 0x00])).toEqual({ cc: CC.OK, data: [] });
    expect(await first.ask(SET, [0x01, 0x04, 0x03, 0x14])).toEqual({ cc: CC.OK, data: [] });
    expect(solConfigOf(first).enabled).toBe(false);
    expect((await store.load()).settings.get(SOL_SETTING)).toMatchObject({ enabled: false, retryCount: 3 });
    const second = bmc({ store, persisted: await store.load() });
    expect(await second.ask(GET, [0x01, 0x01, 0x00, 0x00])).toEqual({ cc: CC.OK, data: [0x11, 0x00] });
    expect(await second.ask(GET, [0x01, 0x04, 0x00, 0x00])).toEqual({ cc: CC.OK, data: [0x11, 0x03, 0x14] });
  });

  it("answers 82h for read-only parameters, 81h for a second set in progress, CCh for bad values", async () => {
    const b = bmc();
    expect((await b.ask(SET, [0x01, 0x08, 0x6f, 0x02])).cc).toBe(0x82);
    expect((await b.ask(SET, [0x01, 0x00, 0x01])).cc).toBe(CC.OK);
    expect((await b.ask(SET, [0x01, 0x00, 0x01])).cc).toBe(0x81);
    expect((await b.ask(SET, [0x01, 0x03, 0x00, 0x60])).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await b.ask(SET, [0x02, 0x01, 0x01])).cc).toBe(CC.INVALID_DATA_FIELD);
  });
});

describe("Get Channel Payload Support (06h/4Eh)", () => {
  it("lists IPMI, SOL and the RMCP+ session set-up on the LAN channel, IPMI alone elsewhere", async () => {
    const b = bmc();
    expect(await b.ask("app.get-channel-payload-support", [0x01])).toEqual({
      cc: CC.OK,
      data: [0x03, 0x00, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x00],
    });
    expect(await b.ask("app.get-channel-payload-support", [0x0f])).toEqual({
      cc: CC.OK,
      data: [0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00],
    });
    expect((await b.ask("app.get-channel-payload-support", [0x05])).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await b.ask("app.get-channel-payload-support", [0x11])).cc).toBe(CC.INVALID_DATA_FIELD);
  });
});
