/**
 * App (NetFn 06h) handlers. Response data is the bytes after the completion code, laid
 * out as IPMI 2.0 rev 1.1 lays them out; privileges follow Appendix G (table G-1).
 */
import { CC } from "../../ipmi/completion-codes";
import { IpmiError, noRequest, struct, u8, u16 } from "../../ipmi/fields";
import { NETFN } from "../../ipmi/netfn";
import { defineHandler, type HandlerContext, type HandlerSpec } from "../../router/types";
import { type BmcState, GLOBAL_ENABLES, MESSAGE_FLAGS, toBcd } from "../state";
import type { Watchdog } from "../watchdog";

export const APP_CMD = {
  GET_DEVICE_ID: 0x01,
  GET_SELF_TEST_RESULTS: 0x04,
  GET_DEVICE_GUID: 0x08,
  RESET_WATCHDOG_TIMER: 0x22,
  SET_WATCHDOG_TIMER: 0x24,
  GET_WATCHDOG_TIMER: 0x25,
  SET_BMC_GLOBAL_ENABLES: 0x2e,
  GET_BMC_GLOBAL_ENABLES: 0x2f,
  GET_MESSAGE_FLAGS: 0x31,
  GET_BT_INTERFACE_CAPABILITIES: 0x36,
} as const;

export function appHandlers(state: BmcState, watchdog: Watchdog): HandlerSpec[] {
  return [
    defineHandler({
      id: "app.get-device-id",
      netFn: NETFN.APP,
      cmd: APP_CMD.GET_DEVICE_ID,
      privilege: "user",
      description: "Get Device ID",
      request: noRequest,
      handle: () => ({ data: deviceIdBytes(state) }),
    }),
    defineHandler({
      id: "app.get-self-test-results",
      netFn: NETFN.APP,
      cmd: APP_CMD.GET_SELF_TEST_RESULTS,
      privilege: "user",
      description: "Get Self Test Results",
      request: noRequest,
      handle: () => ({ data: [state.selfTest.result, state.selfTest.detail] }),
    }),
    defineHandler({
      id: "app.get-device-guid",
      netFn: NETFN.APP,
      cmd: APP_CMD.GET_DEVICE_GUID,
      privilege: "user",
      description: "Get Device GUID",
      request: noRequest,
      handle: () => ({ data: state.deviceGuid }),
    }),
    defineHandler({
      id: "app.reset-watchdog-timer",
      netFn: NETFN.APP,
      cmd: APP_CMD.RESET_WATCHDOG_TIMER,
      privilege: "operator",
      description: "Reset Watchdog Timer",
      request: noRequest,
      handle: () => {
        watchdog.reset();
        return {};
      },
    }),
    defineHandler({
      id: "app.set-watchdog-timer",
      netFn: NETFN.APP,
      cmd: APP_CMD.SET_WATCHDOG_TIMER,
      privilege: "operator",
      description: "Set Watchdog Timer",
      request: struct({
        timerUse: u8,
        timerActions: u8,
        preTimeoutInterval: u8,
        expirationFlagsClear: u8,
        initialCountdown: u16,
      }),
      handle: (ctx) => {
        watchdog.set(ctx.request);
        return {};
      },
    }),
    defineHandler({
      id: "app.get-watchdog-timer",
      netFn: NETFN.APP,
      cmd: APP_CMD.GET_WATCHDOG_TIMER,
      privilege: "user",
      description: "Get Watchdog Timer",
      request: noRequest,
      handle: () => {
        const r = watchdog.report();
        return {
          data: [
            r.timerUse,
            r.timerActions,
            r.preTimeoutInterval,
            r.expirationFlags,
            ...le16(r.initialCountdown),
            ...le16(r.presentCountdown),
          ],
        };
      },
    }),
    defineHandler({
      id: "app.set-bmc-global-enables",
      netFn: NETFN.APP,
      cmd: APP_CMD.SET_BMC_GLOBAL_ENABLES,
      // Table G-1: local (system interface) only. Privilege has no "local"; admin is the
      // strictest it offers, and the handler refuses other channels itself.
      privilege: "admin",
      description: "Set BMC Global Enables",
      request: struct({ enables: u8 }),
      handle: (ctx) => {
        requireSystemInterface(ctx);
        if (ctx.request.enables & GLOBAL_ENABLES.RESERVED) {
          throw new IpmiError(CC.INVALID_DATA_FIELD, "global enables bit 4 is reserved");
        }
        state.globalEnables = ctx.request.enables;
        return {};
      },
    }),
    defineHandler({
      id: "app.get-bmc-global-enables",
      netFn: NETFN.APP,
      cmd: APP_CMD.GET_BMC_GLOBAL_ENABLES,
      privilege: "user",
      description: "Get BMC Global Enables",
      request: noRequest,
      handle: () => ({ data: [state.globalEnables] }),
    }),
    defineHandler({
      id: "app.get-message-flags",
      netFn: NETFN.APP,
      cmd: APP_CMD.GET_MESSAGE_FLAGS,
      // Table G-1: local only, as Set BMC Global Enables.
      privilege: "admin",
      description: "Get Message Flags",
      request: noRequest,
      handle: (ctx) => {
        requireSystemInterface(ctx);
        const preTimeout = watchdog.preTimeoutFlag() ? MESSAGE_FLAGS.WATCHDOG_PRE_TIMEOUT : 0;
        return { data: [state.messageFlags | preTimeout] };
      },
    }),
    defineHandler({
      id: "app.get-bt-interface-capabilities",
      netFn: NETFN.APP,
      cmd: APP_CMD.GET_BT_INTERFACE_CAPABILITIES,
      privilege: "user",
      description: "Get BT Interface Capabilities",
      request: noRequest,
      handle: () => {
        const bt = state.btInterface;
        return {
          data: [
            bt.outstandingRequests,
            bt.inputBufferSize,
            bt.outputBufferSize,
            bt.requestToResponseSeconds,
            bt.retries,
          ],
        };
      },
    }),
  ];
}

/** Get Device ID response data, bytes 1..11 and the optional 12..15 (section 20.1). */
export function deviceIdBytes(state: BmcState): number[] {
  const d = state.device;
  const m = d.manufacturerId;
  const bytes = [
    d.deviceId,
    (d.providesDeviceSdrs ? 0x80 : 0) | (d.deviceRevision & 0x0f),
    (d.updateInProgress ? 0x80 : 0) | (d.firmwareMajor & 0x7f),
    toBcd(d.firmwareMinor),
    d.ipmiVersion,
    d.additionalDeviceSupport,
    m & 0xff,
    (m >> 8) & 0xff,
    (m >> 16) & 0x0f,
    ...le16(d.productId),
  ];
  if (d.auxFirmwareRevision !== null) bytes.push(...d.auxFirmwareRevision);
  return bytes;
}

/**
 * Commands table G-1 marks "local only" are for the system interface: the host's BT or
 * KCS, or the console injecting as the host. LAN and IPMB requests get D4h.
 */
function requireSystemInterface(ctx: HandlerContext<unknown>): void {
  if (ctx.busKind === "lan" || ctx.busKind === "ipmb") {
    throw new IpmiError(CC.INSUFFICIENT_PRIVILEGE, "command is only available on the system interface");
  }
}

function le16(value: number): [number, number] {
  return [value & 0xff, (value >> 8) & 0xff];
}
