import { describe, expect, it } from "vitest";
import { CC } from "../../ipmi/completion-codes";
import { createBmc } from "../index";
import { LAST_POWER_EVENT, MISC_CHASSIS_STATE, POWER_FAULTS } from "../state";
import { call, find } from "../test-harness";

function status() {
  const b = createBmc();
  const spec = find(b.handlers, "chassis.get-chassis-status");
  return { state: b.state, get: (request: number[] = []) => call(spec, request) };
}

describe("Get Chassis Status (00h/01h)", () => {
  it("answers ipmitool chassis status with power on and no events by default", async () => {
    const { get } = status();
    expect(await get()).toEqual({ cc: CC.OK, data: [0x01, 0x00, 0x00] });
  });

  it("follows the power state", async () => {
    const { state, get } = status();
    state.chassis.powerOn = false;
    expect(await get()).toEqual({ cc: CC.OK, data: [0x00, 0x00, 0x00] });
    state.chassis.powerOn = true;
    expect((await get()).data[0]).toBe(0x01);
  });

  it.each([
    ["always-off", 0x01],
    ["previous", 0x21],
    ["always-on", 0x41],
    ["unknown", 0x61],
  ] as const)("puts restore policy %s in bits 6:5", async (policy, byte1) => {
    const { state, get } = status();
    state.chassis.restorePolicy = policy;
    expect((await get()).data[0]).toBe(byte1);
  });

  it("reports faults, the last power event and misc state in their bytes", async () => {
    const { state, get } = status();
    state.chassis.powerOn = false;
    state.chassis.powerFaults = POWER_FAULTS.POWER_FAULT;
    state.chassis.lastPowerEvent = LAST_POWER_EVENT.AC_FAILED | LAST_POWER_EVENT.POWER_FAULT;
    state.chassis.miscState = MISC_CHASSIS_STATE.IDENTIFY_SUPPORTED | MISC_CHASSIS_STATE.IDENTIFY_TIMED_ON;
    expect(await get()).toEqual({ cc: CC.OK, data: [0x08, 0x09, 0x50] });
  });

  it("adds the optional front panel byte when the state has one", async () => {
    const { state, get } = status();
    state.chassis.lastPowerEvent = LAST_POWER_EVENT.POWER_ON_VIA_IPMI;
    state.chassis.frontPanelButtons = 0xf0;
    expect(await get()).toEqual({ cc: CC.OK, data: [0x01, 0x10, 0x00, 0xf0] });
  });

  it("answers C8h to request data it does not take", async () => {
    const { get } = status();
    expect(await get([0x01])).toEqual({ cc: CC.REQUEST_FIELD_LENGTH_EXCEEDED, data: [] });
  });
});
