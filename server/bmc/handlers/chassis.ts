/**
 * Chassis (NetFn 00h) handlers, IPMI 2.0 rev 1.1 section 28; privileges per table G-1.
 */
import { noRequest } from "../../ipmi/fields";
import { NETFN } from "../../ipmi/netfn";
import { defineHandler, type HandlerSpec } from "../../router/types";
import { type BmcState, RESTORE_POLICY_CODE } from "../state";

export const CHASSIS_CMD = {
  GET_CHASSIS_STATUS: 0x01,
} as const;

export function chassisHandlers(state: BmcState): HandlerSpec[] {
  return [
    defineHandler({
      id: "chassis.get-chassis-status",
      netFn: NETFN.CHASSIS,
      cmd: CHASSIS_CMD.GET_CHASSIS_STATUS,
      privilege: "user",
      description: "Get Chassis Status",
      request: noRequest,
      handle: () => ({ data: chassisStatusBytes(state) }),
    }),
  ];
}

/**
 * Get Chassis Status response data (28.2): current power state, last power event,
 * misc. chassis state and, when the state has it, the optional front panel byte.
 */
export function chassisStatusBytes(state: BmcState): number[] {
  const c = state.chassis;
  const power = (c.powerOn ? 0x01 : 0) | (c.powerFaults & 0x1e) | (RESTORE_POLICY_CODE[c.restorePolicy] << 5);
  const bytes = [power, c.lastPowerEvent, c.miscState];
  if (c.frontPanelButtons !== null) bytes.push(c.frontPanelButtons);
  return bytes;
}
