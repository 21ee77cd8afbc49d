import { describe, expect, it } from "vitest";
import { commandName } from "../../ipmi/commands";
import { CC } from "../../ipmi/completion-codes";
import { NETFN } from "../../ipmi/netfn";
import { guidToWire, MESSAGE_FLAGS } from "../controller";
import { createBmc } from "../index";
import { defaultProfile } from "../profile";
import { call, find, manualClock, T0_SECONDS_LE, testBmc } from "../test-harness";
import { CC_CHANNEL_SESSION_LESS } from "./app";

/** A system event record for Add SEL Entry (the BMC fills in id and timestamp). */
const SEL_RECORD = [0, 0, 0x02, 0, 0, 0, 0, 0x41, 0x00, 0x04, 0x1f, 0x01, 0x6f, 0x01, 0xff, 0xff];

function bmc(options: Parameters<typeof createBmc>[0] = {}) {
  const b = createBmc(options);
  return Object.assign(b, { h: (id: string) => find(b.handlers, id) });
}

describe("createBmc", () => {
  it("returns one handler per command, with stable ids, spec names and table G-1 privileges", () => {
    const { handlers } = createBmc();
    const rows = handlers.map((h) => [h.id, h.netFn, h.cmd, h.privilege]);
    expect(rows).toEqual([
      ["app.get-device-id", 0x06, 0x01, "user"],
      ["app.cold-reset", 0x06, 0x02, "admin"],
      ["app.warm-reset", 0x06, 0x03, "admin"],
      ["app.get-self-test-results", 0x06, 0x04, "user"],
      ["app.set-acpi-power-state", 0x06, 0x06, "admin"],
      ["app.get-acpi-power-state", 0x06, 0x07, "user"],
      ["app.get-device-guid", 0x06, 0x08, "user"],
      ["app.reset-watchdog-timer", 0x06, 0x22, "operator"],
      ["app.set-watchdog-timer", 0x06, 0x24, "operator"],
      ["app.get-watchdog-timer", 0x06, 0x25, "user"],
      ["app.set-bmc-global-enables", 0x06, 0x2e, "admin"],
      ["app.get-bmc-global-enables", 0x06, 0x2f, "user"],
      ["app.clear-message-flags", 0x06, 0x30, "admin"],
      ["app.get-message-flags", 0x06, 0x31, "admin"],
      ["app.get-message", 0x06, 0x33, "admin"],
      ["app.read-event-message-buffer", 0x06, 0x35, "admin"],
      ["app.get-bt-interface-capabilities", 0x06, 0x36, "user"],
      // 22.14: Get System GUID may be asked outside a session (RMCP+ discovery).
      ["app.get-system-guid", 0x06, 0x37, "none"],
      ["app.get-system-interface-capabilities", 0x06, 0x57, "user"],
      ["app.get-channel-access", 0x06, 0x41, "user"],
      ["app.set-channel-access", 0x06, 0x40, "admin"],
      ["app.get-channel-info", 0x06, 0x42, "user"],
      ["chassis.get-chassis-capabilities", 0x00, 0x00, "user"],
      ["chassis.get-chassis-status", 0x00, 0x01, "user"],
      ["chassis.chassis-control", 0x00, 0x02, "operator"],
      ["chassis.chassis-identify", 0x00, 0x04, "operator"],
      ["chassis.set-power-restore-policy", 0x00, 0x06, "operator"],
      ["chassis.get-system-restart-cause", 0x00, 0x07, "user"],
      ["chassis.set-system-boot-options", 0x00, 0x08, "operator"],
      ["chassis.get-system-boot-options", 0x00, 0x09, "operator"],
      ["chassis.get-poh-counter", 0x00, 0x0f, "user"],
      ["sensor.platform-event", 0x04, 0x02, "operator"],
      ["sensor.get-device-sdr-info", 0x04, 0x20, "user"],
      ["sensor.get-sensor-reading-factors", 0x04, 0x23, "user"],
      ["sensor.set-sensor-threshold", 0x04, 0x26, "operator"],
      ["sensor.get-sensor-threshold", 0x04, 0x27, "user"],
      ["sensor.get-sensor-event-enable", 0x04, 0x29, "user"],
      ["sensor.get-sensor-reading", 0x04, 0x2d, "user"],
      ["sensor.get-sensor-type", 0x04, 0x2f, "user"],
      ["storage.get-fru-inventory-area-info", 0x0a, 0x10, "user"],
      ["storage.read-fru-data", 0x0a, 0x11, "user"],
      ["storage.write-fru-data", 0x0a, 0x12, "operator"],
      ["storage.get-sdr-repository-info", 0x0a, 0x20, "user"],
      ["storage.get-sdr-repository-allocation-info", 0x0a, 0x21, "user"],
      ["storage.reserve-sdr-repository", 0x0a, 0x22, "user"],
      ["storage.get-sdr", 0x0a, 0x23, "user"],
      ["storage.get-sel-info", 0x0a, 0x40, "user"],
      ["storage.get-sel-allocation-info", 0x0a, 0x41, "user"],
      ["storage.reserve-sel", 0x0a, 0x42, "user"],
      ["storage.get-sel-entry", 0x0a, 0x43, "user"],
      ["storage.add-sel-entry", 0x0a, 0x44, "operator"],
      ["storage.delete-sel-entry", 0x0a, 0x46, "operator"],
      ["storage.clear-sel", 0x0a, 0x47, "operator"],
      ["storage.get-sel-time", 0x0a, 0x48, "user"],
      ["storage.set-sel-time", 0x0a, 0x49, "operator"],
      ["app.set-user-access", 0x06, 0x43, "admin"],
      ["app.get-user-access", 0x06, 0x44, "operator"],
      ["app.set-user-name", 0x06, 0x45, "admin"],
      ["app.get-user-name", 0x06, 0x46, "operator"],
      ["app.set-user-password", 0x06, 0x47, "admin"],
      ["transport.set-lan-configuration-parameters", 0x0c, 0x01, "admin"],
      ["transport.get-lan-configuration-parameters", 0x0c, 0x02, "operator"],
      ["transport.set-sol-configuration-parameters", 0x0c, 0x21, "admin"],
      ["transport.get-sol-configuration-parameters", 0x0c, 0x22, "user"],
      ["app.get-channel-payload-support", 0x06, 0x4e, "user"],
    ]);
    for (const h of handlers) expect(h.description).toBe(commandName(h.netFn, h.cmd));
  });

  it("answers from its parts: what a part holds is what the handlers see", async () => {
    const b = bmc();
    b.controller.setGlobalEnables(0x0f);
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
  it("answers ipmitool mc info with the default profile's identity", async () => {
    // 20h id, rev 1, fw 1.00, IPMI 2.0 (02h), chassis + FRU + SEL + SDR repository + sensor
    // device (8Fh), IANA 32473 (D9 7E 00), product 0001h, aux 0.
    expect(await call(bmc().h("app.get-device-id"))).toEqual({
      cc: CC.OK,
      data: [0x20, 0x01, 0x01, 0x00, 0x02, 0x8f, 0xd9, 0x7e, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00],
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
    expect(guidToWire(defaultProfile().deviceGuid)).toHaveLength(16);
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
    expect(b.controller.globalEnables).toBe(0x08);
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
  it("answers the flags byte the controller holds", async () => {
    const b = bmc();
    expect(await call(b.h("app.get-message-flags"))).toEqual({ cc: CC.OK, data: [0x00] });
    // Receive Message Available comes from the queue (a message for this interface), the rest as held.
    b.queues.messages.push({ channel: 0, privilege: 0, data: Uint8Array.of(0x1c, 0x01) });
    b.controller.raiseMessageFlags(MESSAGE_FLAGS.OEM0);
    expect(await call(b.h("app.get-message-flags"))).toEqual({ cc: CC.OK, data: [0x21] });
  });

  it("adds bit 3 once the watchdog pre-timeout interrupt fired, until Set Watchdog Timer clears it", async () => {
    const clock = manualClock();
    const b = bmc({ clock });
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

describe("Get Message (06h/33h) and Read Event Message Buffer (06h/35h)", () => {
  it("answer 80h 'data not available' while nothing is queued for the host", async () => {
    const b = bmc();
    expect(await call(b.h("app.get-message"))).toEqual({ cc: 0x80, data: [] });
    expect(await call(b.h("app.read-event-message-buffer"))).toEqual({ cc: 0x80, data: [] });
    expect((await call(b.h("app.get-message"), [0x00])).cc).toBe(CC.REQUEST_FIELD_LENGTH_EXCEEDED);
  });

  it("a threshold crossing reaches the host as the Linux driver reads it (ipmi_si handle_flags)", async () => {
    const b = testBmc();
    // The driver at load: event message buffer and SEL logging on (22.1).
    expect((await b.ask("app.set-bmc-global-enables", [0x0c])).cc).toBe(CC.OK);
    const atn: boolean[] = [];
    b.onAttention((p) => atn.push(p));
    // An operator sets System Temp's UNC (10 °C) below its reading (32 °C).
    await b.ask("sensor.set-sensor-threshold", [0x02, 0x08, 0, 0, 0, 10, 0, 0]);
    expect(atn).toEqual([false, true]);
    expect(await b.ask("app.get-message-flags")).toEqual({
      cc: CC.OK,
      data: [MESSAGE_FLAGS.EVENT_MESSAGE_BUFFER_FULL],
    });
    const event = await b.ask("app.read-event-message-buffer");
    expect(event.cc).toBe(CC.OK);
    // Record 0001h as the SEL logged it, type 02h, T0, generator 20h, EvM 04h, temperature 01h,
    // sensor 02h, threshold assertion, UNC going high with the trigger reading and threshold.
    expect(event.data).toEqual([
      0x01,
      0x00,
      0x02,
      ...T0_SECONDS_LE,
      0x20,
      0x00,
      0x04,
      0x01,
      0x02,
      0x01,
      0x57,
      0x20,
      0x0a,
    ]);
    expect((await b.ask("storage.get-sel-entry", [0, 0, 0x01, 0x00, 0x00, 0xff])).data.slice(2)).toEqual(
      event.data,
    );
    expect(await b.ask("app.get-message-flags")).toEqual({ cc: CC.OK, data: [0x00] });
    expect(atn).toEqual([false, true, false]);
    expect(await b.ask("app.read-event-message-buffer")).toEqual({ cc: 0x80, data: [] });
  });

  it("the simulated drift raises the same: Inlet Temp over UNC 12 minutes after T0", async () => {
    const b = testBmc();
    await b.ask("app.set-bmc-global-enables", [0x0c]);
    b.clock.advance(722_000);
    expect((await b.ask("app.get-message-flags")).data).toEqual([0x02]);
    expect((await b.ask("app.read-event-message-buffer")).data.slice(7)).toEqual([
      0x20, 0x00, 0x04, 0x01, 0x03, 0x01, 0x57, 40, 40,
    ]);
  });

  it("no event reaches the buffer while global enables bit 2 is off (the power-up value)", async () => {
    const b = testBmc();
    await b.ask("sensor.set-sensor-threshold", [0x02, 0x08, 0, 0, 0, 10, 0, 0]);
    expect(b.sel.count).toBe(1);
    expect((await b.ask("app.get-message-flags")).data).toEqual([0x00]);
    expect((await b.ask("app.read-event-message-buffer")).cc).toBe(0x80);
  });

  it("a full buffer keeps the unread event; Clear Message Flags bit 1 empties it", async () => {
    const b = testBmc();
    await b.ask("app.set-bmc-global-enables", [0x0c]);
    await b.ask("sensor.set-sensor-threshold", [0x02, 0x08, 0, 0, 0, 10, 0, 0]);
    await b.ask("sensor.set-sensor-threshold", [0x02, 0x08, 0, 0, 0, 55, 0, 0]); // the deassertion
    expect(b.sel.count).toBe(2);
    expect(b.queues.events.dropped).toBe(1);
    expect(await b.ask("app.clear-message-flags", [0x02])).toEqual({ cc: CC.OK, data: [] });
    expect((await b.ask("app.get-message-flags")).data).toEqual([0x00]);
    expect((await b.ask("app.read-event-message-buffer")).cc).toBe(0x80);
  });

  it("a Platform Event from the host is logged with its generator ID and buffered too", async () => {
    const b = testBmc();
    await b.ask("app.set-bmc-global-enables", [0x0c]);
    // System software 41h: OS critical stop (20h), sensor 01h, sensor-specific offset 1.
    await b.ask("sensor.platform-event", [0x41, 0x04, 0x20, 0x01, 0x6f, 0x01, 0xff, 0xff]);
    const event = (await b.ask("app.read-event-message-buffer")).data;
    expect(event.slice(7)).toEqual([0x41, 0x00, 0x04, 0x20, 0x01, 0x6f, 0x01, 0xff, 0xff]);
    expect([...b.sel.all()[0]!.data]).toEqual(event);
  });

  it("Get Message returns the oldest queued message with its channel and privilege; Clear Message Flags bit 0 empties the queue", async () => {
    const b = testBmc();
    b.queues.messages.push({ channel: 1, privilege: 4, data: Uint8Array.of(0x1c, 0x81, 0x63) });
    b.queues.messages.push({ channel: 2, privilege: 2, data: Uint8Array.of(0x07) });
    b.queues.messages.push({ channel: 2, privilege: 2, data: Uint8Array.of(0x08) });
    expect((await b.ask("app.get-message-flags")).data).toEqual([0x01]);
    expect(await b.ask("app.get-message")).toEqual({ cc: CC.OK, data: [0x41, 0x1c, 0x81, 0x63] });
    expect(await b.ask("app.clear-message-flags", [0x01])).toEqual({ cc: CC.OK, data: [] });
    expect((await b.ask("app.get-message-flags")).data).toEqual([0x00]);
    expect((await b.ask("app.get-message")).cc).toBe(0x80);
  });

  it("hands a bridged answer only to the interface whose Send Message it answers", async () => {
    const b = testBmc();
    b.queues.messages.push({ channel: 0, privilege: 0, data: Uint8Array.of(0x1c, 0x01), forBus: "kcs0" });
    // bt0 (another interface of the same host, its own driver) neither sees nor takes it.
    expect((await b.ask("app.get-message-flags", [], "bt")).data).toEqual([0x00]);
    expect((await b.ask("app.get-message", [], "bt")).cc).toBe(0x80);
    expect((await b.ask("app.get-message-flags", [], "kcs")).data).toEqual([0x01]);
    expect(await b.ask("app.get-message", [], "kcs")).toEqual({ cc: CC.OK, data: [0x00, 0x1c, 0x01] });
    expect((await b.ask("app.get-message-flags", [], "kcs")).data).toEqual([0x00]);
  });

  it("are local only", async () => {
    expect((await call(bmc().h("app.read-event-message-buffer"), [], "lan")).cc).toBe(
      CC.INSUFFICIENT_PRIVILEGE,
    );
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

describe("Cold Reset (06h/02h) and Warm Reset (06h/03h)", () => {
  it("cold reset returns the BMC to its power-up state and keeps non-volatile data", async () => {
    const b = testBmc();
    await b.ask("app.set-bmc-global-enables", [0x0f]);
    await b.ask("app.set-watchdog-timer", [0x04, 0x01, 0x00, 0x00, 0x64, 0x00]);
    await b.ask("app.reset-watchdog-timer");
    const [lo, hi] = (await b.ask("storage.reserve-sdr-repository")).data as [number, number];
    expect((await b.ask("storage.add-sel-entry", SEL_RECORD)).cc).toBe(CC.OK);
    expect(await b.ask("app.cold-reset")).toEqual({ cc: CC.OK, data: [] });
    expect((await b.ask("app.get-bmc-global-enables")).data).toEqual([0x08]);
    // The watchdog stopped; its configuration stayed.
    expect((await b.ask("app.get-watchdog-timer")).data).toEqual([
      0x04, 0x01, 0x00, 0x00, 0x64, 0x00, 0x64, 0x00,
    ]);
    expect((await b.ask("storage.get-sdr", [lo, hi, 0x01, 0x00, 0x05, 0x04])).cc).toBe(
      CC.RESERVATION_INVALID,
    );
    expect((await b.ask("storage.get-sel-info")).data.slice(1, 3)).toEqual([0x01, 0x00]);
  });

  it("warm reset cancels reservations but leaves the watchdog running", async () => {
    const b = testBmc();
    await b.ask("app.set-watchdog-timer", [0x44, 0x01, 0x00, 0x00, 0x64, 0x00]);
    await b.ask("app.reset-watchdog-timer");
    const [lo, hi] = (await b.ask("storage.reserve-sel")).data as [number, number];
    expect(await b.ask("app.warm-reset")).toEqual({ cc: CC.OK, data: [] });
    expect((await b.ask("app.get-watchdog-timer")).data[0]).toBe(0x44);
    expect((await b.ask("storage.clear-sel", [lo, hi, 0x43, 0x4c, 0x52, 0x00])).cc).toBe(
      CC.RESERVATION_INVALID,
    );
  });

  it("take no request data", async () => {
    expect((await testBmc().ask("app.cold-reset", [0x00])).cc).toBe(CC.REQUEST_FIELD_LENGTH_EXCEEDED);
  });
});

describe("Set/Get ACPI Power State (06h/06h, 06h/07h)", () => {
  it("starts at S0/G0 and D0 with the power on", async () => {
    expect(await testBmc().ask("app.get-acpi-power-state")).toEqual({ cc: CC.OK, data: [0x00, 0x00] });
  });

  it("sets the states whose bit 7 is set and leaves the others", async () => {
    const b = testBmc();
    // ipmitool raw 0x06 0x06 0x85 0x83: S5/G2 soft off, D3.
    expect(await b.ask("app.set-acpi-power-state", [0x85, 0x83])).toEqual({ cc: CC.OK, data: [] });
    expect((await b.ask("app.get-acpi-power-state")).data).toEqual([0x05, 0x03]);
    // Bit 7 clear: "don't set"; 7Fh: no change.
    expect((await b.ask("app.set-acpi-power-state", [0x01, 0xff])).cc).toBe(CC.OK);
    expect((await b.ask("app.get-acpi-power-state")).data).toEqual([0x05, 0x03]);
    expect((await b.ask("app.set-acpi-power-state", [0xa0, 0x2a])).cc).toBe(CC.OK);
    expect((await b.ask("app.get-acpi-power-state")).data).toEqual([0x20, 0x03]);
  });

  it.each([
    ["system state 0Bh", [0x8b, 0x00]],
    ["system state 22h", [0xa2, 0x00]],
    ["device state 04h", [0x00, 0x84]],
  ])("answers CCh to reserved %s", async (_name, bytes) => {
    const b = testBmc();
    expect((await b.ask("app.set-acpi-power-state", bytes)).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await b.ask("app.get-acpi-power-state")).data).toEqual([0x00, 0x00]);
  });

  it("needs both bytes", async () => {
    expect((await testBmc().ask("app.set-acpi-power-state", [0x85])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
  });
});

describe("Get System GUID (06h/37h)", () => {
  it("sends the profile's system GUID least significant byte first", async () => {
    expect(await testBmc().ask("app.get-system-guid")).toEqual({
      cc: CC.OK,
      data: [0x1d, 0x2c, 0x3b, 0x8f, 0x8d, 0x9c, 0x7b, 0x8a, 0x6f, 0x4e, 0x5d, 0x4c, 0x3b, 0x2a, 0x1f, 0x0e],
    });
  });
});

describe("Clear Message Flags (06h/30h)", () => {
  it("clears the watchdog pre-timeout flag (bit 3) and the flags the BMC holds", async () => {
    const b = testBmc();
    await b.ask("app.set-watchdog-timer", [0x04, 0x31, 0x02, 0x00, 0x64, 0x00]);
    await b.ask("app.reset-watchdog-timer");
    b.clock.advance(8_000);
    b.controller.raiseMessageFlags(MESSAGE_FLAGS.OEM0);
    expect((await b.ask("app.get-message-flags")).data).toEqual([0x28]);
    expect(await b.ask("app.clear-message-flags", [0x08])).toEqual({ cc: CC.OK, data: [] });
    expect((await b.ask("app.get-message-flags")).data).toEqual([0x20]);
    expect(await b.ask("app.clear-message-flags", [0xe3])).toEqual({ cc: CC.OK, data: [] });
    expect((await b.ask("app.get-message-flags")).data).toEqual([0x00]);
  });

  it("answers CCh to reserved bits 2 and 4, D4h over LAN, C7h without the byte", async () => {
    const b = testBmc();
    expect((await b.ask("app.clear-message-flags", [0x04])).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await b.ask("app.clear-message-flags", [0x10])).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await b.ask("app.clear-message-flags", [0x08], "lan")).cc).toBe(CC.INSUFFICIENT_PRIVILEGE);
    expect((await b.ask("app.clear-message-flags", [])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
  });
});

describe("Get Channel Info (06h/42h)", () => {
  it("describes the system interface as the current channel of a BT request", async () => {
    // Channel 0Fh, medium 0Ch (system interface), protocol 08h (BT-v1.5), session-less,
    // vendor IPMI forum (7154 = F2 1B 00), no interrupts (FFh FFh).
    expect(await testBmc().ask("app.get-channel-info", [0x0e])).toEqual({
      cc: CC.OK,
      data: [0x0f, 0x0c, 0x08, 0x00, 0xf2, 0x1b, 0x00, 0xff, 0xff],
    });
  });

  it("describes the LAN channel, which is the current one over LAN", async () => {
    const lan = [0x01, 0x04, 0x01, 0x80, 0xf2, 0x1b, 0x00, 0xff, 0xff];
    const b = testBmc();
    expect(await b.ask("app.get-channel-info", [0x01])).toEqual({ cc: CC.OK, data: lan });
    expect(await b.ask("app.get-channel-info", [0x0e], "lan")).toEqual({ cc: CC.OK, data: lan });
    expect((await b.ask("app.get-channel-info", [0x00])).data.slice(0, 4)).toEqual([0x00, 0x01, 0x01, 0x00]);
  });

  it("answers CCh to a channel the profile has not got and to reserved bits", async () => {
    const b = testBmc();
    expect((await b.ask("app.get-channel-info", [0x05])).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await b.ask("app.get-channel-info", [0x11])).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await b.ask("app.get-channel-info", [])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
  });
});

describe("Get Channel Access (06h/41h)", () => {
  it("answers the LAN channel's access mode and privilege limit, volatile and non-volatile", async () => {
    const b = testBmc();
    // PEF alerting disabled (bit 5), per-message and user-level auth enabled, always available; admin limit.
    expect(await b.ask("app.get-channel-access", [0x01, 0x40])).toEqual({ cc: CC.OK, data: [0x22, 0x04] });
    expect(await b.ask("app.get-channel-access", [0x01, 0x80])).toEqual({ cc: CC.OK, data: [0x22, 0x04] });
    expect(await b.ask("app.get-channel-access", [0x0e, 0x80], "lan")).toEqual({
      cc: CC.OK,
      data: [0x22, 0x04],
    });
  });

  it("answers 82h for session-less channels and CCh for bad selectors", async () => {
    const b = testBmc();
    expect((await b.ask("app.get-channel-access", [0x0f, 0x80])).cc).toBe(CC_CHANNEL_SESSION_LESS);
    expect(CC_CHANNEL_SESSION_LESS).toBe(0x82);
    expect((await b.ask("app.get-channel-access", [0x01, 0x00])).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await b.ask("app.get-channel-access", [0x01, 0xc0])).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await b.ask("app.get-channel-access", [0x07, 0x40])).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await b.ask("app.get-channel-access", [0x01])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
  });
});

describe("Get System Interface Capabilities (06h/57h)", () => {
  it("answers SSIF and KCS with what this BMC takes, and CCh for SMIC and reserved bits", async () => {
    const b = testBmc();
    // SSIF: reserved, version 1.0 without PEC, start/middle/end multi-part (80h), 255 in, 255 out.
    expect(await b.ask("app.get-system-interface-capabilities", [0x00])).toEqual({
      cc: CC.OK,
      data: [0x00, 0x80, 0xff, 0xff],
    });
    // KCS: reserved, version 1.0, 255-byte requests.
    expect(await b.ask("app.get-system-interface-capabilities", [0x01])).toEqual({
      cc: CC.OK,
      data: [0x00, 0x00, 0xff],
    });
    expect((await b.ask("app.get-system-interface-capabilities", [0x02])).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await b.ask("app.get-system-interface-capabilities", [0x11])).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await b.ask("app.get-system-interface-capabilities", [])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
  });
});
