/**
 * The BMC as a whole: what the machine it manages sees of it (HostFacingBmc), resets
 * that each part answers for itself, and changes that reach the store because the part
 * that made them emitted them.
 */
import { describe, expect, it } from "vitest";
import type { HostFacingBmc } from "../contract/host-control";
import { CC } from "../ipmi/completion-codes";
import { MESSAGE_FLAGS } from "./controller";
import { MemoryBmcStore, SETTING } from "./store";
import { testBmc } from "./test-harness";

/** SMS/OS; messaging pre-timeout interrupt + hard reset; 2 s pre-timeout; 10.0 s. */
const SET_PRE_TIMEOUT = [0x04, 0x31, 0x02, 0x00, 0x64, 0x00];

describe("the BMC toward its host (HostFacingBmc)", () => {
  it("is one", () => {
    const host: HostFacingBmc = testBmc();
    expect(typeof host.onChassisAction).toBe("function");
  });

  it("reports attention at once, then when the watchdog's pre-timeout fires, with no request asked", async () => {
    const b = testBmc();
    const seen: boolean[] = [];
    b.onAttention((pending) => seen.push(pending));
    expect(seen).toEqual([false]);
    await b.ask("app.set-watchdog-timer", SET_PRE_TIMEOUT);
    await b.ask("app.reset-watchdog-timer");
    b.clock.advance(7_999);
    expect(seen).toEqual([false]);
    b.clock.advance(1);
    expect(seen).toEqual([false, true]);
    expect((await b.ask("app.get-message-flags")).data).toEqual([0x08]);
    expect(await b.ask("app.clear-message-flags", [0x08])).toEqual({ cc: CC.OK, data: [] });
    expect(seen).toEqual([false, true, false]);
    expect((await b.ask("app.get-message-flags")).data).toEqual([0x00]);
  });

  it("drops attention when Set Watchdog Timer clears the pre-timeout flag, or the expiry's reset does", async () => {
    const b = testBmc();
    const seen: boolean[] = [];
    const off = b.onAttention((pending) => seen.push(pending));
    await b.ask("app.set-watchdog-timer", SET_PRE_TIMEOUT);
    await b.ask("app.reset-watchdog-timer");
    b.clock.advance(8_000);
    await b.ask("app.set-watchdog-timer", SET_PRE_TIMEOUT);
    expect(seen).toEqual([false, true, false]);
    await b.ask("app.reset-watchdog-timer");
    b.clock.advance(10_000); // pre-timeout, then the hard reset: a system reset clears the flag
    expect(seen).toEqual([false, true, false, true, false]);
    expect((await b.ask("chassis.get-system-restart-cause")).data[0]).toBe(0x04);
    off();
    b.controller.raiseMessageFlags(MESSAGE_FLAGS.RECEIVE_MESSAGE_AVAILABLE);
    expect(seen).toHaveLength(5);
  });

  it("asks for attention for a received message or a full event buffer, not for the OEM flags", () => {
    const b = testBmc();
    const seen: boolean[] = [];
    b.onAttention((pending) => seen.push(pending));
    b.controller.raiseMessageFlags(MESSAGE_FLAGS.OEM0 | MESSAGE_FLAGS.OEM2);
    expect(seen).toEqual([false]);
    b.controller.raiseMessageFlags(MESSAGE_FLAGS.EVENT_MESSAGE_BUFFER_FULL);
    b.controller.raiseMessageFlags(MESSAGE_FLAGS.RECEIVE_MESSAGE_AVAILABLE);
    expect(seen).toEqual([false, true]);
    b.controller.clearMessageFlags(MESSAGE_FLAGS.EVENT_MESSAGE_BUFFER_FULL);
    expect(seen).toEqual([false, true]);
    b.reset("cold");
    expect(seen).toEqual([false, true, false]);
  });

  it("goes on when a bus's listener throws: the watchdog still logs and acts, commands still answer", async () => {
    const b = testBmc();
    b.onAttention((pending) => {
      if (pending) throw new Error("SMS_ATN line gone");
    });
    b.onChassisAction(() => {
      throw new Error("VM gone");
    });
    await b.ask("app.set-watchdog-timer", SET_PRE_TIMEOUT);
    await b.ask("app.reset-watchdog-timer");
    b.clock.advance(10_000);
    expect(b.sel.count).toBe(2);
    expect((await b.ask("chassis.get-system-restart-cause")).data[0]).toBe(0x04);
    b.controller.raiseMessageFlags(MESSAGE_FLAGS.RECEIVE_MESSAGE_AVAILABLE);
    expect(await b.ask("app.clear-message-flags", [0x01])).toEqual({ cc: CC.OK, data: [] });
    expect(await b.ask("chassis.chassis-control", [0x02])).toEqual({ cc: CC.OK, data: [] });
  });

  it("reports Chassis Control's actions and the watchdog's to onChassisAction", async () => {
    const b = testBmc();
    const actions: string[] = [];
    b.onChassisAction((a) => actions.push(a));
    await b.ask("chassis.chassis-control", [0x03]);
    await b.ask("app.set-watchdog-timer", [0x04, 0x03, 0x00, 0x00, 0x0a, 0x00]); // power cycle, 1.0 s
    await b.ask("app.reset-watchdog-timer");
    b.clock.advance(1_000);
    expect(actions).toEqual(["hard-reset", "power-cycle"]);
  });

  it("a host reset is reset('host'): power on, watchdog stopped, restart cause soft reset", async () => {
    const b = testBmc();
    await b.ask("chassis.chassis-control", [0x00]);
    b.clock.advance(1_000);
    b.hostReset(); // the host came back on by itself: the BMC asked for nothing
    expect(b.chassis.powerOn).toBe(true);
    expect((await b.ask("chassis.get-system-restart-cause")).data).toEqual([0x0a, 0x00]);
  });
});

describe("resets", () => {
  it("warm reset keeps the enables, the flags and identify; cold reset returns them to power-up", async () => {
    const b = testBmc();
    await b.ask("app.set-bmc-global-enables", [0x0f]);
    b.controller.raiseMessageFlags(MESSAGE_FLAGS.OEM1);
    await b.ask("chassis.chassis-identify", [0x00, 0x01]);
    b.reset("warm");
    expect((await b.ask("app.get-bmc-global-enables")).data).toEqual([0x0f]);
    expect((await b.ask("app.get-message-flags")).data).toEqual([0x40]);
    expect((await b.ask("chassis.get-chassis-status")).data[2]).toBe(0x60);
    b.reset("cold");
    expect((await b.ask("app.get-bmc-global-enables")).data).toEqual([0x08]);
    expect((await b.ask("app.get-message-flags")).data).toEqual([0x00]);
    expect((await b.ask("chassis.get-chassis-status")).data[2]).toBe(0x40);
  });
});

describe("persistence", () => {
  it("gets every persistent change from the part that made it, with nothing for a handler to call", async () => {
    const store = new MemoryBmcStore();
    const b = testBmc({ store });
    const saved = async () => store.load();
    await b.ask("chassis.set-power-restore-policy", [0x02]);
    expect((await saved()).settings.get(SETTING.CHASSIS)).toMatchObject({ restorePolicy: "always-on" });
    await b.ask("chassis.set-system-boot-options", [0x05, 0x80, 0x04, 0x00, 0x00, 0x00]);
    expect((await saved()).settings.get(SETTING.BOOT_OPTIONS)).toMatchObject({
      bootFlags: [0x80, 4, 0, 0, 0],
    });
    await b.ask("app.set-watchdog-timer", [0x04, 0x01, 0x00, 0x00, 0x64, 0x00]);
    expect((await saved()).settings.get(SETTING.WATCHDOG)).toMatchObject({ initialCountdown: 100 });
    await b.ask("sensor.set-sensor-threshold", [0x11, 0x08, 0, 0, 0, 0xc4, 0, 0]);
    expect((await saved()).thresholds).toEqual([
      { lun: 0, number: 0x11, values: [null, null, null, 0xc4, null, null] },
    ]);
    await b.ask("storage.write-fru-data", [0x00, 0xf0, 0x01, 0xde, 0xad]);
    expect([...((await saved()).fru.get(0) ?? []).slice(0x1f0, 0x1f2)]).toEqual([0xde, 0xad]);
    await b.ask("storage.set-sel-time", [0x00, 0x10, 0x5e, 0x5f]);
    expect((await saved()).settings.get(SETTING.SEL_TIME)).toEqual({ offsetMs: expect.any(Number) });
    await b.ask("sensor.platform-event", [0x41, 0x04, 0x05, 0x31, 0x6f, 0x00]);
    expect((await saved()).sel.map((e) => e.recordId)).toEqual([1]);
    expect((await saved()).settings.get(SETTING.SEL)).toMatchObject({ nextRecordId: 2 });
    await b.stop();
  });
});
