/**
 * Set / Get LAN Configuration Parameters (23.1, 23.2) byte for byte, as ipmitool's `lan
 * print` and `lan set` send them, and as the dashboard decodes them.
 */
import { describe, expect, it } from "vitest";
import { decodeRequest, decodeResponse } from "../../ipmi/commands";
import { CC } from "../../ipmi/completion-codes";
import { childValues, hex, value, values } from "../../ipmi/layout/test-helpers";
import type { Requester } from "../../router/types";
import { MemoryBmcStore } from "../store";
import { call, testBmc } from "../test-harness";

const TRANSPORT = 0x0c;
const lanSession: Requester = {
  channel: 1,
  peer: "192.0.2.7:50123",
  sessionId: 0x0200_0001,
  user: "admin",
  privilege: "admin",
};

const bmc = (options: Parameters<typeof testBmc>[0] = {}) =>
  testBmc({ lanAddress: () => ({ ip: "127.0.0.1", port: 623 }), ...options });

describe("Get LAN Configuration Parameters (0Ch/02h)", () => {
  it("answers revision 11h and the parameter's data", async () => {
    const b = bmc();
    const get = (p: number) => b.ask("transport.get-lan-configuration-parameters", [0x01, p, 0x00, 0x00]);
    expect(await get(0)).toEqual({ cc: CC.OK, data: [0x11, 0x00] });
    expect(await get(1)).toEqual({ cc: CC.OK, data: [0x11, 0x15] });
    expect(await get(2)).toEqual({ cc: CC.OK, data: [0x11, 0x04, 0x04, 0x04, 0x04, 0x04] });
    expect(await get(3)).toEqual({ cc: CC.OK, data: [0x11, 127, 0, 0, 1] });
    expect(await get(4)).toEqual({ cc: CC.OK, data: [0x11, 0x01] });
    expect(await get(8)).toEqual({ cc: CC.OK, data: [0x11, 0x6f, 0x02] });
    expect(await get(22)).toEqual({ cc: CC.OK, data: [0x11, 0x02] });
    expect(await get(23)).toEqual({ cc: CC.OK, data: [0x11, 0x00, 0x03, 0x11] });
    expect(await get(24)).toEqual({ cc: CC.OK, data: [0x11, 0x00, 0x44, 0, 0, 0, 0, 0, 0, 0] });
  });

  it("answers the revision only with bit 7, 80h to parameters it does not support", async () => {
    const b = bmc();
    expect(await b.ask("transport.get-lan-configuration-parameters", [0x81, 0x03, 0x00, 0x00])).toEqual({
      cc: CC.OK,
      data: [0x11],
    });
    expect((await b.ask("transport.get-lan-configuration-parameters", [0x81, 0x07, 0x00, 0x00])).cc).toBe(
      0x80,
    );
    expect((await b.ask("transport.get-lan-configuration-parameters", [0x01, 0x07, 0x00, 0x00])).cc).toBe(
      0x80,
    );
    expect((await b.ask("transport.get-lan-configuration-parameters", [0x01, 0xc0, 0x00, 0x00])).cc).toBe(
      0x80,
    );
  });

  it("answers CCh for another channel or reserved bits, and reads 0Eh as the session's channel", async () => {
    const b = bmc();
    for (const request of [
      [0x00, 0x03, 0x00, 0x00],
      [0x0f, 0x03, 0x00, 0x00],
      [0x0e, 0x03, 0x00, 0x00],
      [0x11, 0x03, 0x00, 0x00],
    ]) {
      expect((await b.ask("transport.get-lan-configuration-parameters", request)).cc).toBe(
        CC.INVALID_DATA_FIELD,
      );
    }
    expect(
      await call(b.h("transport.get-lan-configuration-parameters"), [0x0e, 0x04, 0, 0], "lan", lanSession),
    ).toEqual({
      cc: CC.OK,
      data: [0x11, 0x01],
    });
    expect((await b.ask("transport.get-lan-configuration-parameters", [0x01, 0x03, 0x00])).cc).toBe(
      CC.REQUEST_LENGTH_INVALID,
    );
  });
});

describe("Set LAN Configuration Parameters (0Ch/01h)", () => {
  it("runs `ipmitool lan set 1 auth ADMIN MD5,PASSWORD`: lock, write, commit, unlock", async () => {
    const b = bmc();
    const set = (data: number[]) => b.ask("transport.set-lan-configuration-parameters", [0x01, ...data]);
    expect(await set([0x00, 0x01])).toEqual({ cc: CC.OK, data: [] });
    expect((await set([0x00, 0x01])).cc).toBe(0x81);
    expect(await set([0x02, 0x04, 0x04, 0x04, 0x14, 0x04])).toEqual({ cc: CC.OK, data: [] });
    expect(await set([0x00, 0x02])).toEqual({ cc: CC.OK, data: [] });
    expect(await set([0x00, 0x00])).toEqual({ cc: CC.OK, data: [] });
    expect(b.lanConfig.authTypeEnabled(4, 4)).toBe(true);
    expect((await b.ask("transport.get-lan-configuration-parameters", [0x01, 0x02, 0, 0])).data).toEqual([
      0x11, 0x04, 0x04, 0x04, 0x14, 0x04,
    ]);
  });

  it("answers 82h to read-only parameters, 80h to unsupported ones, C7h/C8h to the wrong length", async () => {
    const b = bmc();
    const set = (data: number[]) => b.ask("transport.set-lan-configuration-parameters", [0x01, ...data]);
    // ipmitool lan set 1 ipaddr 10.0.0.2: the address is the bus's (LAN_HOST).
    expect((await set([0x03, 10, 0, 0, 2])).cc).toBe(0x82);
    expect((await set([0x04, 0x02])).cc).toBe(0x82);
    expect((await set([0x17, 0x00, 0x03])).cc).toBe(0x82);
    expect((await set([0x07, 0x40, 0x40, 0x10])).cc).toBe(0x80);
    expect((await set([0x14, 0x00, 0x00])).cc).toBe(0x80);
    expect((await set([0x02, 0x04])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
    expect((await set([0x10, ...new Array(19).fill(0x41)])).cc).toBe(CC.REQUEST_FIELD_LENGTH_EXCEEDED);
    expect((await set([])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
  });

  it("answers CCh for another channel, reserved bits and unsupported authentication types", async () => {
    const b = bmc();
    expect((await b.ask("transport.set-lan-configuration-parameters", [0x0f, 0x00, 0x01])).cc).toBe(
      CC.INVALID_DATA_FIELD,
    );
    expect((await b.ask("transport.set-lan-configuration-parameters", [0x21, 0x00, 0x01])).cc).toBe(
      CC.INVALID_DATA_FIELD,
    );
    expect(
      (await b.ask("transport.set-lan-configuration-parameters", [0x01, 0x02, 0x06, 0x04, 0x04, 0x04, 0x04]))
        .cc,
    ).toBe(CC.INVALID_DATA_FIELD);
  });

  it("keeps what it set across a restart", async () => {
    const store = new MemoryBmcStore();
    const first = bmc({ store });
    await first.ask(
      "transport.set-lan-configuration-parameters",
      [0x01, 0x18, 0x00, 0x32, 0, 0, 0, 0, 0, 0, 0],
    );
    await first.stop();
    const second = bmc({ store, persisted: await store.load() });
    expect(second.lanConfig.cipherSuitePrivilege(3)).toBe(2);
    expect(second.lanConfig.cipherSuitePrivilege(17)).toBe(3);
    expect((await second.ask("transport.get-lan-configuration-parameters", [0x01, 0x18, 0, 0])).data).toEqual(
      [0x11, 0x00, 0x32, 0, 0, 0, 0, 0, 0, 0],
    );
  });
});

describe("decoding LAN parameters for the dashboard", () => {
  const rq = (cmd: number, data: string) => decodeRequest(TRANSPORT, cmd, hex(data));
  const rs = (data: string, request: string) =>
    decodeResponse(TRANSPORT, 0x02, 0x00, hex(data), hex(request));

  it("names the parameter and lays out its data by the selector", () => {
    expect(values(rq(0x02, "01 03 00 00"))).toEqual({
      "Get parameter revision only": "no",
      "Channel number": "1",
      "Parameter selector": "IP Address (03h)",
      "Set selector": "0",
      "Block selector": "0",
    });
    expect(values(rs("11 c0 a8 01 0a", "01 03 00 00"))).toEqual({
      "Parameter revision": "1, compatible with 1 (11h)",
      "IP address": "192.168.1.10",
    });
    expect(value(rs("11 52 54 00 12 34 56", "01 05 00 00"), "MAC address")).toBe("52:54:00:12:34:56");
    expect(value(rs("11 6f 02", "01 08 00 00"), "Primary RMCP port")).toBe("623");
    expect(childValues(rs("11 15", "01 01 00 00"), "Authentication type support")).toMatchObject({
      None: "yes",
      MD2: "no",
      MD5: "yes",
      "Straight password / key": "yes",
    });
    expect(value(rs("11 00 03 11", "01 17 00 00"), "Cipher suite IDs")).toBe("3, 17");
    expect(
      childValues(rs("11 00 43 00 00 00 00 00 00 00", "01 18 00 00"), "Maximum privilege levels"),
    ).toMatchObject({
      "Entry A": "Operator (03h)",
      "Entry B": "Administrator (04h)",
      "Entry C": "unused (0h)",
    });
    expect(
      value(
        rs("11 70 75 62 6c 69 63 00 00 00 00 00 00 00 00 00 00 00 00", "01 10 00 00"),
        "Community string",
      ),
    ).toBe('"public"');
    expect(values(rq(0x01, "01 00 01"))).toEqual({
      "Channel number": "1",
      "Parameter selector": "Set In Progress (00h)",
      "Set in progress": "Set in progress (01h)",
    });
    expect(childValues(rq(0x01, "01 02 04 04 04 14 04"), "Administrator level")).toMatchObject({
      "Straight password / key": "yes",
      MD5: "yes",
    });
  });

  it("shows data that does not fit the parameter, or an OEM parameter, as hex", () => {
    expect(values(rq(0x01, "01 03 0a 00"))).toMatchObject({ "Parameter data": "0a 00" });
    expect(values(rq(0x01, "01 c1 01 02 03"))).toMatchObject({
      "Parameter selector": "OEM (C1h)",
      "Parameter data": "01 02 03",
    });
    expect(values(decodeResponse(TRANSPORT, 0x02, 0x00, hex("11 0a 00 00 01")))).toMatchObject({
      "Parameter data": "0a 00 00 01",
    });
    expect(decodeResponse(TRANSPORT, 0x01, 0x82, new Uint8Array())?.[0]?.value).toBe(
      "82h Attempt to write read-only parameter",
    );
  });
});
