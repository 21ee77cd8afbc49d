import { describe, expect, it } from "vitest";
import { CC } from "../../ipmi/completion-codes";
import { CC_BOOT_PARAMETER_NOT_SUPPORTED, CC_BOOT_SET_IN_PROGRESS } from "../boot-options";
import { type ChassisStatus, LAST_POWER_EVENT, MISC_CHASSIS_STATE, POWER_FAULTS } from "../chassis";
import { createBmc } from "../index";
import { call, find, testBmc } from "../test-harness";

/**
 * Get Chassis Status of a BMC whose chassis starts on, always-off, nothing in byte 3,
 * with `status` changing that start.
 */
function status(status: Partial<ChassisStatus> = {}) {
  const b = createBmc({
    overrides: { chassis: { powerOn: true, restorePolicy: "always-off", miscState: 0, ...status } },
  });
  const spec = find(b.handlers, "chassis.get-chassis-status");
  return { bmc: b, get: (request: number[] = []) => call(spec, request) };
}

describe("Get Chassis Status (00h/01h)", () => {
  it("answers the default profile's chassis: on, restore previous, identify supported", async () => {
    expect(await testBmc().ask("chassis.get-chassis-status")).toEqual({
      cc: CC.OK,
      data: [0x21, 0x00, 0x40],
    });
  });

  it("answers ipmitool chassis status with power on and no events", async () => {
    const { get } = status();
    expect(await get()).toEqual({ cc: CC.OK, data: [0x01, 0x00, 0x00] });
  });

  it("follows the power state", async () => {
    const { bmc, get } = status();
    const control = find(bmc.handlers, "chassis.chassis-control");
    await call(control, [0x00]);
    expect(await get()).toEqual({ cc: CC.OK, data: [0x00, 0x00, 0x00] });
    await call(control, [0x01]);
    expect((await get()).data[0]).toBe(0x01);
    expect(await status({ powerOn: false }).get()).toEqual({ cc: CC.OK, data: [0x00, 0x00, 0x00] });
  });

  it.each([
    ["always-off", 0x01],
    ["previous", 0x21],
    ["always-on", 0x41],
    ["unknown", 0x61],
  ] as const)("puts restore policy %s in bits 6:5", async (policy, byte1) => {
    const { get } = status({ restorePolicy: policy });
    expect((await get()).data[0]).toBe(byte1);
  });

  it("reports faults, the last power event and misc state in their bytes", async () => {
    const { get } = status({
      powerOn: false,
      powerFaults: POWER_FAULTS.POWER_FAULT,
      lastPowerEvent: LAST_POWER_EVENT.AC_FAILED | LAST_POWER_EVENT.POWER_FAULT,
      miscState: MISC_CHASSIS_STATE.IDENTIFY_SUPPORTED | MISC_CHASSIS_STATE.IDENTIFY_TIMED_ON,
    });
    expect(await get()).toEqual({ cc: CC.OK, data: [0x08, 0x09, 0x50] });
  });

  it("adds the optional front panel byte when the state has one", async () => {
    const { get } = status({ lastPowerEvent: LAST_POWER_EVENT.POWER_ON_VIA_IPMI, frontPanelButtons: 0xf0 });
    expect(await get()).toEqual({ cc: CC.OK, data: [0x01, 0x10, 0x00, 0xf0] });
  });

  it("answers C8h to request data it does not take", async () => {
    const { get } = status();
    expect(await get([0x01])).toEqual({ cc: CC.REQUEST_FIELD_LENGTH_EXCEEDED, data: [] });
  });
});

describe("Get Chassis Capabilities (00h/00h)", () => {
  it("answers the profile's capability flags and this BMC's address four times", async () => {
    // Intrusion sensor (bit 0) and diagnostic interrupt (bit 2); FRU, SDR, SEL, system management at 20h.
    expect(await testBmc().ask("chassis.get-chassis-capabilities")).toEqual({
      cc: CC.OK,
      data: [0x05, 0x20, 0x20, 0x20, 0x20],
    });
  });
});

describe("Chassis Control (00h/02h)", () => {
  it("powers off and on; Get Chassis Status and the restart cause follow; listeners see each action", async () => {
    const b = testBmc();
    const actions: string[] = [];
    const off = b.chassis.onAction((a) => actions.push(a));
    expect(await b.ask("chassis.chassis-control", [0x00])).toEqual({ cc: CC.OK, data: [] });
    expect((await b.ask("chassis.get-chassis-status")).data).toEqual([0x20, 0x00, 0x40]);
    expect((await b.ask("app.get-acpi-power-state")).data).toEqual([0x0a, 0x00]);
    expect(await b.ask("chassis.chassis-control", [0x01])).toEqual({ cc: CC.OK, data: [] });
    // Power on, last power event "power on via IPMI" (bit 4).
    expect((await b.ask("chassis.get-chassis-status")).data).toEqual([0x21, 0x10, 0x40]);
    // Restart cause 1h (Chassis Control), over channel 0Fh (the system interface).
    expect(await b.ask("chassis.get-system-restart-cause")).toEqual({ cc: CC.OK, data: [0x01, 0x0f] });
    expect((await b.ask("chassis.chassis-control", [0x03], "lan")).cc).toBe(CC.OK);
    expect((await b.ask("chassis.get-system-restart-cause")).data).toEqual([0x01, 0x01]);
    expect((await b.ask("chassis.chassis-control", [0x02])).cc).toBe(CC.OK);
    expect((await b.ask("chassis.chassis-control", [0x04])).cc).toBe(CC.OK);
    expect((await b.ask("chassis.chassis-control", [0x05])).cc).toBe(CC.OK);
    expect((await b.ask("chassis.get-chassis-status")).data[0]).toBe(0x20);
    expect(actions).toEqual([
      "power-off",
      "power-on",
      "hard-reset",
      "power-cycle",
      "diagnostic-interrupt",
      "soft-off",
    ]);
    off();
  });

  it("does nothing (OK) to power on an on chassis or power off an off one", async () => {
    const b = testBmc();
    const actions: string[] = [];
    b.chassis.onAction((a) => actions.push(a));
    expect((await b.ask("chassis.chassis-control", [0x01])).cc).toBe(CC.OK);
    await b.ask("chassis.chassis-control", [0x00]);
    expect((await b.ask("chassis.chassis-control", [0x00])).cc).toBe(CC.OK);
    expect(actions).toEqual(["power-off"]);
  });

  it.each([
    ["power cycle", 0x02],
    ["hard reset", 0x03],
    ["diagnostic interrupt", 0x04],
    ["soft shutdown", 0x05],
  ])("answers D5h to %s while the power is off (28.3)", async (_name, control) => {
    const b = testBmc();
    await b.ask("chassis.chassis-control", [0x00]);
    expect((await b.ask("chassis.chassis-control", [control])).cc).toBe(CC.NOT_SUPPORTED_IN_STATE);
    expect(b.chassis.powerOn).toBe(false);
  });

  it("answers CCh to reserved controls and C7h/C8h to bad lengths", async () => {
    const b = testBmc();
    expect((await b.ask("chassis.chassis-control", [0x06])).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await b.ask("chassis.chassis-control", [0x10])).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await b.ask("chassis.chassis-control", [])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
    expect((await b.ask("chassis.chassis-control", [0x00, 0x00])).cc).toBe(CC.REQUEST_FIELD_LENGTH_EXCEEDED);
    expect(b.chassis.powerOn).toBe(true);
  });

  it("stops a running watchdog on power down and on reset (a system reset)", async () => {
    const b = testBmc();
    await b.ask("app.set-watchdog-timer", [0x44, 0x01, 0x00, 0x00, 0x64, 0x00]);
    await b.ask("app.reset-watchdog-timer");
    b.clock.advance(1_000);
    await b.ask("chassis.chassis-control", [0x03]);
    const wd = (await b.ask("app.get-watchdog-timer")).data;
    expect(wd[0]).toBe(0x04); // not running
    expect(wd.slice(6)).toEqual([0x5a, 0x00]); // stopped where it was: 9.0 s
  });
});

describe("Chassis Identify (00h/04h)", () => {
  it("identifies for 15 s by default, for the given seconds, forever when forced, and turns off with 0", async () => {
    const b = testBmc();
    const misc = async () => (await b.ask("chassis.get-chassis-status")).data[2];
    expect(await b.ask("chassis.chassis-identify")).toEqual({ cc: CC.OK, data: [] });
    expect(await misc()).toBe(0x50); // supported + temporary on
    b.clock.advance(14_999);
    expect(await misc()).toBe(0x50);
    b.clock.advance(1);
    expect(await misc()).toBe(0x40);
    await b.ask("chassis.chassis-identify", [0x05]);
    expect(await misc()).toBe(0x50);
    await b.ask("chassis.chassis-identify", [0x00]);
    expect(await misc()).toBe(0x40);
    await b.ask("chassis.chassis-identify", [0x00, 0x01]);
    b.clock.advance(3_600_000);
    expect(await misc()).toBe(0x60); // indefinite on
    await b.ask("chassis.chassis-identify", [0x00, 0x00]);
    expect(await misc()).toBe(0x40);
  });

  it("answers CCh to reserved force bits and C8h to a third byte", async () => {
    const b = testBmc();
    expect((await b.ask("chassis.chassis-identify", [0x05, 0x02])).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await b.ask("chassis.chassis-identify", [0x05, 0x01, 0x00])).cc).toBe(
      CC.REQUEST_FIELD_LENGTH_EXCEEDED,
    );
  });
});

describe("Set Power Restore Policy (00h/06h)", () => {
  it("sets the policy Get Chassis Status reports and answers the supported ones (07h)", async () => {
    const b = testBmc();
    expect(await b.ask("chassis.set-power-restore-policy", [0x02])).toEqual({ cc: CC.OK, data: [0x07] });
    expect((await b.ask("chassis.get-chassis-status")).data[0]).toBe(0x41);
    expect(await b.ask("chassis.set-power-restore-policy", [0x00])).toEqual({ cc: CC.OK, data: [0x07] });
    expect((await b.ask("chassis.get-chassis-status")).data[0]).toBe(0x01);
    // 03h: no change, just the supported policies.
    expect(await b.ask("chassis.set-power-restore-policy", [0x03])).toEqual({ cc: CC.OK, data: [0x07] });
    expect((await b.ask("chassis.get-chassis-status")).data[0]).toBe(0x01);
  });

  it("answers CCh to reserved values", async () => {
    const b = testBmc();
    expect((await b.ask("chassis.set-power-restore-policy", [0x04])).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await b.ask("chassis.set-power-restore-policy", [0x09])).cc).toBe(CC.INVALID_DATA_FIELD);
  });
});

describe("Get System Restart Cause (00h/07h)", () => {
  it("says the power came on by the restore-previous policy at start", async () => {
    expect(await testBmc().ask("chassis.get-system-restart-cause")).toEqual({
      cc: CC.OK,
      data: [0x07, 0x00],
    });
  });

  it("says soft reset after a host reset the BMC did not ask for", async () => {
    const b = testBmc();
    b.hostReset();
    expect((await b.ask("chassis.get-system-restart-cause")).data).toEqual([0x0a, 0x00]);
    await b.ask("chassis.chassis-control", [0x03]);
    b.hostReset(); // the reset the BMC asked for: the cause stays
    expect((await b.ask("chassis.get-system-restart-cause")).data).toEqual([0x01, 0x0f]);
  });
});

describe("Set/Get System Boot Options (00h/08h, 00h/09h)", () => {
  it("takes ipmitool chassis bootdev pxe and reads it back (parameter 5)", async () => {
    const b = testBmc();
    expect(await b.ask("chassis.get-system-boot-options", [0x05, 0x00, 0x00])).toEqual({
      cc: CC.OK,
      data: [0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00],
    });
    // set in progress; clear BIOS boot info ack; boot flags valid, PXE; commit write; set complete
    for (const req of [
      [0x00, 0x01],
      [0x04, 0x01, 0x01],
      [0x05, 0x80, 0x04, 0x00, 0x00, 0x00],
      [0x00, 0x02],
      [0x00, 0x00],
    ]) {
      expect(await b.ask("chassis.set-system-boot-options", req)).toEqual({ cc: CC.OK, data: [] });
    }
    expect((await b.ask("chassis.get-system-boot-options", [0x05, 0x00, 0x00])).data).toEqual([
      0x01, 0x05, 0x80, 0x04, 0x00, 0x00, 0x00,
    ]);
    expect((await b.ask("chassis.get-system-boot-options", [0x04, 0x00, 0x00])).data).toEqual([
      0x01, 0x04, 0x00, 0x01,
    ]);
    expect((await b.ask("chassis.get-system-boot-options", [0x00, 0x00, 0x00])).data).toEqual([
      0x01, 0x00, 0x00,
    ]);
  });

  it("clears the valid bit 60 s after it was set unless a Chassis Control restarted the countdown", async () => {
    const b = testBmc();
    const flags = async () => (await b.ask("chassis.get-system-boot-options", [0x05, 0x00, 0x00])).data[2];
    await b.ask("chassis.set-system-boot-options", [0x05, 0x80, 0x08, 0x00, 0x00, 0x00]);
    b.clock.advance(50_000);
    await b.ask("chassis.chassis-control", [0x02]);
    b.clock.advance(50_000);
    expect(await flags()).toBe(0x80);
    b.clock.advance(10_000);
    expect(await flags()).toBe(0x00);
    // Persistent flags (bit 6) and parameter 3 bit 3 keep it.
    await b.ask("chassis.set-system-boot-options", [0x05, 0xc0, 0x08, 0x00, 0x00, 0x00]);
    b.clock.advance(120_000);
    expect(await flags()).toBe(0xc0);
    await b.ask("chassis.set-system-boot-options", [0x03, 0x08]);
    await b.ask("chassis.set-system-boot-options", [0x05, 0x80, 0x08, 0x00, 0x00, 0x00]);
    b.clock.advance(120_000);
    expect(await flags()).toBe(0x80);
    expect((await b.ask("chassis.get-system-boot-options", [0x03, 0x00, 0x00])).data).toEqual([
      0x01, 0x03, 0x08,
    ]);
  });

  it("marks a parameter invalid/locked with bit 7 of byte 1 and reports it in bit 7", async () => {
    const b = testBmc();
    await b.ask("chassis.set-system-boot-options", [0x85, 0x00, 0x00, 0x00, 0x00, 0x00]);
    expect((await b.ask("chassis.get-system-boot-options", [0x05, 0x00, 0x00])).data.slice(0, 2)).toEqual([
      0x01, 0x85,
    ]);
  });

  it("answers 80h to unsupported parameters, 81h to a second set in progress", async () => {
    const b = testBmc();
    expect((await b.ask("chassis.set-system-boot-options", [0x06, 0x00])).cc).toBe(
      CC_BOOT_PARAMETER_NOT_SUPPORTED,
    );
    expect((await b.ask("chassis.get-system-boot-options", [0x07, 0x00, 0x00])).cc).toBe(
      CC_BOOT_PARAMETER_NOT_SUPPORTED,
    );
    expect(CC_BOOT_PARAMETER_NOT_SUPPORTED).toBe(0x80);
    expect((await b.ask("chassis.set-system-boot-options", [0x00, 0x01])).cc).toBe(CC.OK);
    expect((await b.ask("chassis.set-system-boot-options", [0x00, 0x01])).cc).toBe(CC_BOOT_SET_IN_PROGRESS);
    expect(CC_BOOT_SET_IN_PROGRESS).toBe(0x81);
  });

  it.each([
    ["a short boot flags parameter", [0x05, 0x80, 0x04, 0x00, 0x00], CC.REQUEST_LENGTH_INVALID],
    [
      "a long boot flags parameter",
      [0x05, 0x80, 0x04, 0x00, 0x00, 0x00, 0x00],
      CC.REQUEST_FIELD_LENGTH_EXCEEDED,
    ],
    ["reserved boot device 0Ah", [0x05, 0x80, 0x28, 0x00, 0x00, 0x00], CC.INVALID_DATA_FIELD],
    ["reserved bits in byte 1", [0x05, 0x81, 0x04, 0x00, 0x00, 0x00], CC.INVALID_DATA_FIELD],
    ["set in progress 11b", [0x00, 0x03], CC.INVALID_DATA_FIELD],
    ["no selector", [], CC.REQUEST_LENGTH_INVALID],
  ])("answers %s with its code", async (_name, bytes, cc) => {
    expect((await testBmc().ask("chassis.set-system-boot-options", bytes)).cc).toBe(cc);
  });

  it("needs the set and block selectors in Get", async () => {
    expect((await testBmc().ask("chassis.get-system-boot-options", [0x05])).cc).toBe(
      CC.REQUEST_LENGTH_INVALID,
    );
  });
});

describe("Get POH Counter (00h/0Fh)", () => {
  it("counts powered-on hours (60 minutes per count) and stops while off", async () => {
    const b = testBmc();
    expect(await b.ask("chassis.get-poh-counter")).toEqual({
      cc: CC.OK,
      data: [0x3c, 0x00, 0x00, 0x00, 0x00],
    });
    b.clock.advance(2 * 3_600_000 + 1);
    expect((await b.ask("chassis.get-poh-counter")).data).toEqual([0x3c, 0x02, 0x00, 0x00, 0x00]);
    await b.ask("chassis.chassis-control", [0x00]);
    b.clock.advance(5 * 3_600_000);
    expect((await b.ask("chassis.get-poh-counter")).data).toEqual([0x3c, 0x02, 0x00, 0x00, 0x00]);
  });
});
