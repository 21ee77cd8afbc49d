/**
 * App (NetFn 06h) handlers. Response data is the bytes after the completion code, laid
 * out as IPMI 2.0 rev 1.1 lays them out; privileges follow Appendix G (table G-1).
 */
import { IpmiError, noRequest, struct, u8, u16 } from "../../ipmi/fields";
import { NETFN } from "../../ipmi/netfn";
import { defineHandler, type HandlerSpec } from "../../router/types";
import { ACCESS_MODE_CODES, IPMI_VENDOR_IANA, SESSION_SUPPORT_CODES } from "../codes";
import { type BmcCore, channelOf, invalidField, le16, requireSystemInterface } from "../core";
import { type BmcState, GLOBAL_ENABLES, MESSAGE_FLAGS, toBcd } from "../state";

export const APP_CMD = {
  GET_DEVICE_ID: 0x01,
  COLD_RESET: 0x02,
  WARM_RESET: 0x03,
  GET_SELF_TEST_RESULTS: 0x04,
  SET_ACPI_POWER_STATE: 0x06,
  GET_ACPI_POWER_STATE: 0x07,
  GET_DEVICE_GUID: 0x08,
  RESET_WATCHDOG_TIMER: 0x22,
  SET_WATCHDOG_TIMER: 0x24,
  GET_WATCHDOG_TIMER: 0x25,
  SET_BMC_GLOBAL_ENABLES: 0x2e,
  GET_BMC_GLOBAL_ENABLES: 0x2f,
  CLEAR_MESSAGE_FLAGS: 0x30,
  GET_MESSAGE_FLAGS: 0x31,
  GET_MESSAGE: 0x33,
  READ_EVENT_MESSAGE_BUFFER: 0x35,
  GET_BT_INTERFACE_CAPABILITIES: 0x36,
  GET_SYSTEM_GUID: 0x37,
  GET_CHANNEL_ACCESS: 0x41,
  GET_CHANNEL_INFO: 0x42,
} as const;

/** Get Message / Read Event Message Buffer: "data not available (queue / buffer empty)". */
const QUEUE_EMPTY = 0x80;

/** Set ACPI Power State: the system and device state values 20.6 defines; 7Fh is "no change". */
const ACPI_SYSTEM_STATES = new Set([
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x20, 0x21, 0x2a,
]);
const ACPI_DEVICE_STATES = new Set([0x00, 0x01, 0x02, 0x03, 0x2a]);
const ACPI_NO_CHANGE = 0x7f;
const ACPI_SET = 0x80;

/** Clear Message Flags bits 2 and 4 are reserved (22.3). */
const CLEAR_FLAGS_RESERVED = 0x14;

/** Get Channel Info / Access: 0Eh asks about the channel the request came in on. */
const CURRENT_CHANNEL = 0x0e;
/** Get Channel Access byte 2 bits 7:6. */
const ACCESS_NON_VOLATILE = 0x40;
const ACCESS_VOLATILE = 0x80;
/** Get Channel Access completion code 82h: command not supported for the selected channel (session-less). */
export const CC_CHANNEL_SESSION_LESS = 0x82;

export function appHandlers(core: BmcCore): HandlerSpec[] {
  const { state, watchdog } = core;
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
      id: "app.cold-reset",
      netFn: NETFN.APP,
      cmd: APP_CMD.COLD_RESET,
      privilege: "admin",
      description: "Cold Reset",
      request: noRequest,
      handle: () => {
        core.coldReset();
        return {};
      },
    }),
    defineHandler({
      id: "app.warm-reset",
      netFn: NETFN.APP,
      cmd: APP_CMD.WARM_RESET,
      privilege: "admin",
      description: "Warm Reset",
      request: noRequest,
      handle: () => {
        core.warmReset();
        return {};
      },
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
      id: "app.set-acpi-power-state",
      netFn: NETFN.APP,
      cmd: APP_CMD.SET_ACPI_POWER_STATE,
      privilege: "admin",
      description: "Set ACPI Power State",
      request: struct({ system: u8, device: u8 }),
      handle: (ctx) => {
        const { system, device } = ctx.request;
        const sys = system & 0x7f;
        const dev = device & 0x7f;
        if (system & ACPI_SET && sys !== ACPI_NO_CHANGE && !ACPI_SYSTEM_STATES.has(sys)) {
          invalidField(`system power state ${sys.toString(16)}h is reserved`);
        }
        if (device & ACPI_SET && dev !== ACPI_NO_CHANGE && !ACPI_DEVICE_STATES.has(dev)) {
          invalidField(`device power state ${dev.toString(16)}h is reserved`);
        }
        if (system & ACPI_SET && sys !== ACPI_NO_CHANGE) state.acpi.system = sys;
        if (device & ACPI_SET && dev !== ACPI_NO_CHANGE) state.acpi.device = dev;
        return {};
      },
    }),
    defineHandler({
      id: "app.get-acpi-power-state",
      netFn: NETFN.APP,
      cmd: APP_CMD.GET_ACPI_POWER_STATE,
      privilege: "user",
      description: "Get ACPI Power State",
      request: noRequest,
      handle: () => ({ data: [state.acpi.system & 0x7f, state.acpi.device & 0x7f] }),
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
        if (ctx.request.enables & GLOBAL_ENABLES.RESERVED) invalidField("global enables bit 4 is reserved");
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
      id: "app.clear-message-flags",
      netFn: NETFN.APP,
      cmd: APP_CMD.CLEAR_MESSAGE_FLAGS,
      // Table G-1: local only.
      privilege: "admin",
      description: "Clear Message Flags",
      request: struct({ clear: u8 }),
      handle: (ctx) => {
        requireSystemInterface(ctx);
        const clear = ctx.request.clear;
        if (clear & CLEAR_FLAGS_RESERVED) invalidField("clear message flags bits 2 and 4 are reserved");
        if (clear & MESSAGE_FLAGS.WATCHDOG_PRE_TIMEOUT) watchdog.clearPreTimeoutFlag();
        state.messageFlags &= ~clear;
        return {};
      },
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
    // This BMC queues nothing for the host yet (no receive message queue, no event
    // message buffer): both answer the spec's "data not available" code, 80h, as a real
    // BMC with empty queues does. The Linux driver reads the buffer once at load.
    defineHandler({
      id: "app.get-message",
      netFn: NETFN.APP,
      cmd: APP_CMD.GET_MESSAGE,
      privilege: "admin",
      description: "Get Message",
      request: noRequest,
      handle: (ctx) => {
        requireSystemInterface(ctx);
        return { cc: QUEUE_EMPTY };
      },
    }),
    defineHandler({
      id: "app.read-event-message-buffer",
      netFn: NETFN.APP,
      cmd: APP_CMD.READ_EVENT_MESSAGE_BUFFER,
      privilege: "admin",
      description: "Read Event Message Buffer",
      request: noRequest,
      handle: (ctx) => {
        requireSystemInterface(ctx);
        return { cc: QUEUE_EMPTY };
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
    defineHandler({
      id: "app.get-system-guid",
      netFn: NETFN.APP,
      cmd: APP_CMD.GET_SYSTEM_GUID,
      privilege: "user",
      description: "Get System GUID",
      request: noRequest,
      handle: () => ({ data: state.systemGuid }),
    }),
    defineHandler({
      id: "app.get-channel-access",
      netFn: NETFN.APP,
      cmd: APP_CMD.GET_CHANNEL_ACCESS,
      privilege: "user",
      description: "Get Channel Access",
      request: struct({ channel: u8, access: u8 }),
      handle: (ctx) => {
        const { channel, access } = ctx.request;
        if (channel & 0xf0) invalidField("channel byte bits 7:4 are reserved");
        const which = access & 0xc0;
        if (access & 0x3f || (which !== ACCESS_NON_VOLATILE && which !== ACCESS_VOLATILE)) {
          invalidField("byte 2 must be 40h (non-volatile) or 80h (present setting)");
        }
        const c = findChannel(core, channel === CURRENT_CHANNEL ? channelOf(core, ctx) : channel);
        if (c.sessionSupport === "session-less") {
          throw new IpmiError(CC_CHANNEL_SESSION_LESS, `channel ${c.number} is session-less`);
        }
        // No Set Channel Access yet: the volatile and non-volatile settings are the profile's.
        const a = c.access;
        return {
          data: [
            (a.pefAlerting ? 0 : 0x20) |
              (a.perMessageAuth ? 0 : 0x10) |
              (a.userLevelAuth ? 0 : 0x08) |
              ACCESS_MODE_CODES[a.mode],
            a.privilegeLimit & 0x0f,
          ],
        };
      },
    }),
    defineHandler({
      id: "app.get-channel-info",
      netFn: NETFN.APP,
      cmd: APP_CMD.GET_CHANNEL_INFO,
      privilege: "user",
      description: "Get Channel Info Command",
      request: struct({ channel: u8 }),
      handle: (ctx) => {
        const { channel } = ctx.request;
        if (channel & 0xf0) invalidField("channel byte bits 7:4 are reserved");
        const c = findChannel(core, channel === CURRENT_CHANNEL ? channelOf(core, ctx) : channel);
        return {
          data: [
            c.number,
            c.medium & 0x7f,
            c.protocol & 0x1f,
            // No sessions are active until the LAN channel exists.
            SESSION_SUPPORT_CODES[c.sessionSupport] << 6,
            IPMI_VENDOR_IANA & 0xff,
            (IPMI_VENDOR_IANA >> 8) & 0xff,
            (IPMI_VENDOR_IANA >> 16) & 0xff,
            ...c.auxInfo,
          ],
        };
      },
    }),
  ];
}

function findChannel(core: BmcCore, number: number) {
  const c = core.profile.channels.find((ch) => ch.number === number);
  if (!c) invalidField(`channel ${number} does not exist`);
  return c;
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
