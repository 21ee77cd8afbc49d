/**
 * Chassis (NetFn 00h) handlers, IPMI 2.0 rev 1.1 section 28; privileges per table G-1.
 */
import { CC } from "../../ipmi/completion-codes";
import { IpmiError, noRequest, optional, rest, struct, u8 } from "../../ipmi/fields";
import { NETFN } from "../../ipmi/netfn";
import { defineHandler, type HandlerSpec } from "../../router/types";
import { CHASSIS_CONTROL, DEFAULT_IDENTIFY_SECONDS, RESTART_CAUSE } from "../chassis";
import { type BmcCore, channelOf, invalidField, le32 } from "../core";
import { type BmcState, RESTORE_POLICY_CODE, type RestorePolicy } from "../state";

export const CHASSIS_CMD = {
  GET_CHASSIS_CAPABILITIES: 0x00,
  GET_CHASSIS_STATUS: 0x01,
  CHASSIS_CONTROL: 0x02,
  CHASSIS_IDENTIFY: 0x04,
  SET_POWER_RESTORE_POLICY: 0x06,
  GET_SYSTEM_RESTART_CAUSE: 0x07,
  SET_SYSTEM_BOOT_OPTIONS: 0x08,
  GET_SYSTEM_BOOT_OPTIONS: 0x09,
  GET_POH_COUNTER: 0x0f,
} as const;

/** Set Power Restore Policy byte 1 bits 2:0; 011b asks for the supported policies only. */
const POLICY_BY_CODE: Readonly<Record<number, RestorePolicy>> = {
  0: "always-off",
  1: "previous",
  2: "always-on",
};
const POLICY_NO_CHANGE = 0b011;
/** Set Power Restore Policy response: staying off, restoring, powering up are all supported. */
const POLICIES_SUPPORTED = 0x07;

export function chassisHandlers(core: BmcCore): HandlerSpec[] {
  const { state, chassis } = core;
  return [
    defineHandler({
      id: "chassis.get-chassis-capabilities",
      netFn: NETFN.CHASSIS,
      cmd: CHASSIS_CMD.GET_CHASSIS_CAPABILITIES,
      privilege: "user",
      description: "Get Chassis Capabilities",
      request: noRequest,
      handle: () => {
        const caps = core.profile.chassis.capabilities;
        const flags =
          (caps.intrusionSensor ? 0x01 : 0) |
          (caps.frontPanelLockout ? 0x02 : 0) |
          (caps.diagnosticInterrupt ? 0x04 : 0) |
          (caps.powerInterlock ? 0x08 : 0);
        const bmc = core.profile.device.slaveAddress;
        // FRU info, SDR, SEL and system management device are all this BMC; no bridge byte.
        return { data: [flags, bmc, bmc, bmc, bmc] };
      },
    }),
    defineHandler({
      id: "chassis.get-chassis-status",
      netFn: NETFN.CHASSIS,
      cmd: CHASSIS_CMD.GET_CHASSIS_STATUS,
      privilege: "user",
      description: "Get Chassis Status",
      request: noRequest,
      handle: () => ({ data: chassisStatusBytes(state, chassis.identifyBits()) }),
    }),
    defineHandler({
      id: "chassis.chassis-control",
      netFn: NETFN.CHASSIS,
      cmd: CHASSIS_CMD.CHASSIS_CONTROL,
      privilege: "operator",
      description: "Chassis Control",
      request: struct({ control: u8 }),
      handle: (ctx) => {
        const { control } = ctx.request;
        if (control & 0xf0) invalidField("chassis control bits 7:4 are reserved");
        const action = CHASSIS_CONTROL[control];
        if (!action) invalidField(`chassis control ${control} is reserved`);
        if (action === "diagnostic-interrupt" && !core.profile.chassis.capabilities.diagnosticInterrupt) {
          invalidField("this chassis has no diagnostic interrupt");
        }
        // 28.3: power cycle (and the other host actions) while the power is off has no effect: D5h.
        const needsPower =
          action === "power-cycle" ||
          action === "hard-reset" ||
          action === "diagnostic-interrupt" ||
          action === "soft-off";
        if (needsPower && !chassis.powerOn) {
          throw new IpmiError(CC.NOT_SUPPORTED_IN_STATE, `${action} needs the system powered on`);
        }
        core.bootOptions.chassisControl();
        chassis.perform(action, RESTART_CAUSE.CHASSIS_CONTROL, channelOf(core, ctx));
        return {};
      },
    }),
    defineHandler({
      id: "chassis.chassis-identify",
      netFn: NETFN.CHASSIS,
      cmd: CHASSIS_CMD.CHASSIS_IDENTIFY,
      privilege: "operator",
      description: "Chassis Identify",
      request: struct({ interval: optional(u8), force: optional(u8) }),
      handle: (ctx) => {
        const { interval, force } = ctx.request;
        if (force !== undefined && force & 0xfe) invalidField("force identify bits 7:1 are reserved");
        chassis.identify(interval ?? DEFAULT_IDENTIFY_SECONDS, force === 0x01);
        return {};
      },
    }),
    defineHandler({
      id: "chassis.set-power-restore-policy",
      netFn: NETFN.CHASSIS,
      cmd: CHASSIS_CMD.SET_POWER_RESTORE_POLICY,
      privilege: "operator",
      description: "Set Power Restore Policy",
      request: struct({ policy: u8 }),
      handle: (ctx) => {
        const { policy } = ctx.request;
        if (policy !== POLICY_NO_CHANGE) {
          const next = POLICY_BY_CODE[policy];
          if (!next) invalidField(`power restore policy ${policy} is reserved`);
          state.chassis.restorePolicy = next;
          core.chassisChanged();
        }
        return { data: [POLICIES_SUPPORTED] };
      },
    }),
    defineHandler({
      id: "chassis.get-system-restart-cause",
      netFn: NETFN.CHASSIS,
      cmd: CHASSIS_CMD.GET_SYSTEM_RESTART_CAUSE,
      privilege: "user",
      description: "Get System Restart Cause",
      request: noRequest,
      handle: () => ({ data: [state.chassis.restartCause & 0x0f, state.chassis.restartChannel] }),
    }),
    defineHandler({
      id: "chassis.set-system-boot-options",
      netFn: NETFN.CHASSIS,
      cmd: CHASSIS_CMD.SET_SYSTEM_BOOT_OPTIONS,
      privilege: "operator",
      description: "Set System Boot Options",
      request: struct({ selector: u8, data: rest() }),
      handle: (ctx) => {
        core.bootOptions.set(ctx.request.selector, ctx.request.data);
        return {};
      },
    }),
    defineHandler({
      id: "chassis.get-system-boot-options",
      netFn: NETFN.CHASSIS,
      cmd: CHASSIS_CMD.GET_SYSTEM_BOOT_OPTIONS,
      privilege: "operator",
      description: "Get System Boot Options",
      request: struct({ selector: u8, setSelector: u8, blockSelector: u8 }),
      handle: (ctx) => {
        if (ctx.request.selector & 0x80) invalidField("parameter selector bit 7 is reserved");
        return { data: core.bootOptions.get(ctx.request.selector) };
      },
    }),
    defineHandler({
      id: "chassis.get-poh-counter",
      netFn: NETFN.CHASSIS,
      cmd: CHASSIS_CMD.GET_POH_COUNTER,
      privilege: "user",
      description: "Get POH Counter",
      request: noRequest,
      handle: () => ({
        data: [core.profile.chassis.pohMinutesPerCount, ...le32(chassis.pohCounter())],
      }),
    }),
  ];
}

/**
 * Get Chassis Status response data (28.2): current power state, last power event,
 * misc. chassis state (with the identify state) and, when the state has it, the
 * optional front panel byte.
 */
export function chassisStatusBytes(state: BmcState, identifyBits = 0): number[] {
  const c = state.chassis;
  const power = (c.powerOn ? 0x01 : 0) | (c.powerFaults & 0x1e) | (RESTORE_POLICY_CODE[c.restorePolicy] << 5);
  const bytes = [power, c.lastPowerEvent, c.miscState | identifyBits];
  if (c.frontPanelButtons !== null) bytes.push(c.frontPanelButtons);
  return bytes;
}
