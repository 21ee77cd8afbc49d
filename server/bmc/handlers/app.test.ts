import { describe, expect, it } from "vitest";
import { commandName } from "../../ipmi/commands";
import { CC } from "../../ipmi/completion-codes";
import { NETFN } from "../../ipmi/netfn";
import { createBmc } from "../index";
import { createBmcState, EXAMPLE_GUID, guidToWire, MESSAGE_FLAGS } from "../state";
import { call, find, manualClock } from "../test-harness";

function bmc(options: Parameters<typeof createBmc>[0] = {}) {
  const b = createBmc(options);
  return { ...b, h: (id: string) => find(b.handlers, id) };
}

describe("createBmc", () => {
  it("returns one handler per command, with stable ids, spec names and table G-1 privileges", () => {
    const { handlers } = createBmc();
    const rows = handlers.map((h) => [h.id, h.netFn, h.cmd, h.privilege]);
    expect(rows).toEqual([
      ["app.get-device-id", 0x06, 0x01, "user"],
      ["app.get-self-test-results", 0x06, 0x04, "user"],
      ["app.get-device-guid", 0x06, 0x08, "user"],
      ["app.reset-watchdog-timer", 0x06, 0x22, "operator"],
      ["app.set-watchdog-timer", 0x06, 0x24, "operator"],
      ["app.get-watchdog-timer", 0x06, 0x25, "user"],
      ["app.set-bmc-global-enables", 0x06, 0x2e, "admin"],
      ["app.get-bmc-global-enables", 0x06, 0x2f, "user"],
      ["app.get-message-flags", 0x06, 0x31, "admin"],
      ["app.get-bt-interface-capabilities", 0x06, 0x36, "user"],
      ["chassis.get-chassis-status", 0x00, 0x01, "user"],
    ]);
    for (const h of handlers) expect(h.description).toBe(commandName(h.netFn, h.cmd));
  });

  it("uses a given state object as is and shares it with the handlers", async () => {
    const state = createBmcState();
    const b = bmc({ state });
    expect(b.state).toBe(state);
    state.globalEnables = 0x0f;
    expect(await call(b.h("app.get-bmc-global-enables"))).toEqual({ cc: CC.OK, data: [0x0f] });
  });

  it("refuses a state the response bytes cannot carry", () => {
    expect(() => createBmc({ overrides: { device: { firmwareMinor: 100 } } })).toThrow(RangeError);
    expect(() => createBmc({ overrides: { device: { manufacturerId: 0x100000 } } })).toThrow(RangeError);
    expect(() => createBmc({ overrides: { deviceGuid: [1, 2, 3] } })).toThrow(RangeError);
    expect(() => createBmc({ overrides: { chassis: { powerFaults: 0x01 } } })).toThrow(RangeError);
  });
});

describe("Get Device ID (06h/01h)", () => {
  it("answers ipmitool mc info with the default identity", async () => {
    // 20h id, rev 1, fw 1.00, IPMI 2.0 (02h), chassis device, IANA 32473 (D9 7E 00), product 0001h, aux 0.
    expect(await call(bmc().h("app.get-device-id"))).toEqual({
      cc: CC.OK,
      data: [0x20, 0x01, 0x01, 0x00, 0x02, 0x80, 0xd9, 0x7e, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00],
    });
  });

  it("packs the flag bits, BCD minor revision, 20-bit manufacturer and LS-first product id", async () => {
    const b = bmc({
      overrides: {
        device: {
          deviceId: 0x01,
          deviceRevision: 0x3,
          providesDeviceSdrs: true,
          updateInProgress: true,
          firmwareMajor: 2,
          firmwareMinor: 15,
          ipmiVersion: 0x51,
          additionalDeviceSupport: 0xbf,
          manufacturerId: 0x0a2b3c,
          productId: 0x1234,
          auxFirmwareRevision: [0x01, 0x02, 0x03, 0x04],
        },
      },
    });
    expect(await call(b.h("app.get-device-id"))).toEqual({
      cc: CC.OK,
      data: [0x01, 0x83, 0x82, 0x15, 0x51, 0xbf, 0x3c, 0x2b, 0x0a, 0x34, 0x12, 0x01, 0x02, 0x03, 0x04],
    });
  });

  it("leaves out the optional auxiliary firmware revision when the state has none", async () => {
    const b = bmc({ overrides: { device: { auxFirmwareRevision: null } } });
    expect((await call(b.h("app.get-device-id"))).data).toHaveLength(11);
  });

  it("answers C8h to request data it does not take", async () => {
    expect(await call(bmc().h("app.get-device-id"), [0x00])).toEqual({
      cc: CC.REQUEST_FIELD_LENGTH_EXCEEDED,
      data: [],
    });
  });
});

describe("Get Self Test Results (06h/04h)", () => {
  it("answers 55h 00h (no error) by default", async () => {
    expect(await call(bmc().h("app.get-self-test-results"))).toEqual({ cc: CC.OK, data: [0x55, 0x00] });
  });

  it("reports a 57h failure with its detail bits", async () => {
    // 57h = corrupted or inaccessible data or devices; 08h = SDR repository empty.
    const b = bmc({ overrides: { selfTest: { result: 0x57, detail: 0x08 } } });
    expect(await call(b.h("app.get-self-test-results"))).toEqual({ cc: CC.OK, data: [0x57, 0x08] });
  });
});

describe("Get Device GUID (06h/08h)", () => {
  it("sends the GUID least significant byte first", async () => {
    expect(await call(bmc().h("app.get-device-guid"))).toEqual({
      cc: CC.OK,
      data: [0x5d, 0x4c, 0x3b, 0x2a, 0x1f, 0x0e, 0x8d, 0x9c, 0x7b, 0x4a, 0x6f, 0x5e, 0x1d, 0x2c, 0x3b, 0x8f],
    });
    expect(guidToWire(EXAMPLE_GUID)).toHaveLength(16);
  });
});

describe("Set/Get BMC Global Enables (06h/2Eh, 06h/2Fh)", () => {
  it("starts with system event logging enabled", async () => {
    expect(await call(bmc().h("app.get-bmc-global-enables"))).toEqual({ cc: CC.OK, data: [0x08] });
  });

  it("round-trips what Set stores", async () => {
    const b = bmc();
    // What the Linux ipmi_si driver sets: receive message interrupt, event buffer, its interrupt, SEL.
    expect(await call(b.h("app.set-bmc-global-enables"), [0x0f])).toEqual({ cc: CC.OK, data: [] });
    expect(await call(b.h("app.get-bmc-global-enables"))).toEqual({ cc: CC.OK, data: [0x0f] });
    expect(await call(b.h("app.set-bmc-global-enables"), [0xe0])).toEqual({ cc: CC.OK, data: [] });
    expect(await call(b.h("app.get-bmc-global-enables"))).toEqual({ cc: CC.OK, data: [0xe0] });
  });

  it("answers CCh to the reserved bit 4 and keeps the old value", async () => {
    const b = bmc();
    expect(await call(b.h("app.set-bmc-global-enables"), [0x18])).toEqual({
      cc: CC.INVALID_DATA_FIELD,
      data: [],
    });
    expect(b.state.globalEnables).toBe(0x08);
  });

  it("answers C7h without the enables byte and C8h with an extra byte", async () => {
    const set = bmc().h("app.set-bmc-global-enables");
    expect((await call(set, [])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
    expect((await call(set, [0x08, 0x00])).cc).toBe(CC.REQUEST_FIELD_LENGTH_EXCEEDED);
  });

  it("is local only: refused over LAN, Get still answers", async () => {
    const b = bmc();
    expect(await call(b.h("app.set-bmc-global-enables"), [0x0f], "lan")).toEqual({
      cc: CC.INSUFFICIENT_PRIVILEGE,
      data: [],
    });
    expect(await call(b.h("app.get-bmc-global-enables"), [], "lan")).toEqual({ cc: CC.OK, data: [0x08] });
    expect((await call(b.h("app.set-bmc-global-enables"), [0x0f], "kcs")).cc).toBe(CC.OK);
  });
});

describe("Get Message Flags (06h/31h)", () => {
  it("answers the flags byte the state holds", async () => {
    const b = bmc();
    expect(await call(b.h("app.get-message-flags"))).toEqual({ cc: CC.OK, data: [0x00] });
    b.state.messageFlags = MESSAGE_FLAGS.RECEIVE_MESSAGE_AVAILABLE | MESSAGE_FLAGS.OEM0;
    expect(await call(b.h("app.get-message-flags"))).toEqual({ cc: CC.OK, data: [0x21] });
  });

  it("adds bit 3 once the watchdog pre-timeout interrupt fired, until Set Watchdog Timer clears it", async () => {
    const clock = manualClock();
    const b = bmc({ now: clock.now });
    // SMS/OS, messaging interrupt + hard reset, 2 s pre-timeout, 10 s countdown.
    await call(b.h("app.set-watchdog-timer"), [0x04, 0x31, 0x02, 0x00, 0x64, 0x00]);
    await call(b.h("app.reset-watchdog-timer"));
    clock.advance(8_000);
    expect(await call(b.h("app.get-message-flags"))).toEqual({ cc: CC.OK, data: [0x08] });
    await call(b.h("app.set-watchdog-timer"), [0x04, 0x01, 0x00, 0x00, 0x64, 0x00]);
    expect(await call(b.h("app.get-message-flags"))).toEqual({ cc: CC.OK, data: [0x00] });
  });

  it("is local only", async () => {
    expect((await call(bmc().h("app.get-message-flags"), [], "lan")).cc).toBe(CC.INSUFFICIENT_PRIVILEGE);
  });
});

describe("Get BT Interface Capabilities (06h/36h)", () => {
  it("answers 1 outstanding request, 63-byte buffers, 5 s, 1 retry", async () => {
    expect(await call(bmc().h("app.get-bt-interface-capabilities"))).toEqual({
      cc: CC.OK,
      data: [0x01, 0x3f, 0x3f, 0x05, 0x01],
    });
  });

  it("answers what the state holds", async () => {
    const b = bmc({
      overrides: { btInterface: { inputBufferSize: 0xff, outputBufferSize: 0xff, retries: 2 } },
    });
    expect((await call(b.h("app.get-bt-interface-capabilities"))).data).toEqual([
      0x01, 0xff, 0xff, 0x05, 0x02,
    ]);
  });
});

describe("NETFN", () => {
  it("registers App handlers on 06h", () => {
    const app = createBmc().handlers.filter((h) => h.id.startsWith("app."));
    expect(app.every((h) => h.netFn === NETFN.APP)).toBe(true);
  });
});
