/**
 * App (NetFn 06h) handlers: the bodies of the commands the command table lays out in
 * `server/ipmi/commands/app.ts` (IPMI 2.0 sections 20, 22 and 27). Each returns the typed
 * response its table entry packs; errors are thrown as IpmiError.
 */
import {
  CC_QUEUE_EMPTY,
  CURRENT_CHANNEL,
  clearMessageFlags,
  coldReset,
  getAcpiPowerState,
  getBmcGlobalEnables,
  getBtInterfaceCapabilities,
  getChannelAccess,
  getChannelInfo,
  getDeviceGuid,
  getDeviceId,
  getMessage,
  getMessageFlags,
  getSelfTestResults,
  getSystemGuid,
  getSystemInterfaceCapabilities,
  getWatchdogTimer,
  readEventMessageBuffer,
  resetWatchdogTimer,
  SYSTEM_INTERFACE,
  type SystemInterfaceCapabilities,
  setAcpiPowerState,
  setBmcGlobalEnables,
  setWatchdogTimer,
  warmReset,
} from "../../ipmi/commands/app";
import { IpmiError } from "../../ipmi/ipmi-error";
import { ACCESS_MODES, IANA_IPMI_FORUM, SESSION_SUPPORT } from "../../ipmi/spec/tables";
import { handlerFor } from "../../router/handler";
import type { HandlerContext, HandlerSpec } from "../../router/types";
import type { Bmc } from "../bmc";
import { GLOBAL_ENABLES } from "../controller";
import { invalidField } from "../invalid-field";
import type { ChannelProfile } from "../profile";
import { channelOf } from "../request-channel";

/** Set ACPI Power State: the system and device state values 20.6 defines; 7Fh is "no change". */
const ACPI_SYSTEM_STATES = new Set([
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x20, 0x21, 0x2a,
]);
const ACPI_DEVICE_STATES = new Set([0x00, 0x01, 0x02, 0x03, 0x2a]);
const ACPI_NO_CHANGE = 0x7f;

/** Clear Message Flags bits 2 and 4 are reserved (22.3). */
const CLEAR_FLAGS_RESERVED = 0x14;

/**
 * What this BMC's system interfaces take (22.9): SSIF with multi-part reads and writes of
 * up to 255 bytes (netfn, cmd and 253 data bytes, the most an SSIF message carries) and no
 * PEC; KCS, whose protocol sets no limit, as large a request as the byte can say. It has no SMIC.
 */
const INTERFACE_CAPABILITIES: ReadonlyMap<number, SystemInterfaceCapabilities> = new Map([
  [
    SYSTEM_INTERFACE.SSIF,
    {
      kind: "ssif",
      flags: { version: 0, pec: false, reserved: 0, transactionSupport: 2 },
      inputMessageSize: 255,
      outputMessageSize: 255,
    },
  ],
  [SYSTEM_INTERFACE.KCS, { kind: "kcs", flags: { version: 0, reserved: 0 }, inputMaxMessageSize: 255 }],
]);

/** Get Channel Access byte 2 bits 7:6: 01b non-volatile, 10b the present (volatile) setting (22.23). */
const ACCESS_NON_VOLATILE = 0x40;
const ACCESS_VOLATILE = 0x80;
/** Get Channel Access completion code 82h: command not supported for the selected channel (session-less). */
export const CC_CHANNEL_SESSION_LESS = 0x82;

export function appHandlers(bmc: Bmc): HandlerSpec[] {
  const { controller, watchdog } = bmc;
  return [
    handlerFor(getDeviceId, {
      handle: () => {
        const d = controller.identity;
        return {
          deviceId: d.deviceId,
          revision: { revision: d.deviceRevision, providesSdrs: d.providesDeviceSdrs },
          firmware: { major: d.firmwareMajor, minor: d.firmwareMinor, updateInProgress: d.updateInProgress },
          ipmiVersion: d.ipmiVersion,
          support: d.additionalDeviceSupport,
          manufacturerId: { id: d.manufacturerId },
          productId: d.productId,
          auxFirmwareRevision: d.auxFirmwareRevision ?? undefined,
        };
      },
    }),
    handlerFor(coldReset, { handle: () => bmc.reset("cold") }),
    handlerFor(warmReset, { handle: () => bmc.reset("warm") }),
    handlerFor(getSelfTestResults, { handle: () => controller.selfTest }),
    handlerFor(setAcpiPowerState, {
      handle: ({ request: { system, device } }) => {
        const setSystem = system.set && system.state !== ACPI_NO_CHANGE;
        const setDevice = device.set && device.state !== ACPI_NO_CHANGE;
        if (setSystem && !ACPI_SYSTEM_STATES.has(system.state)) {
          invalidField(`system power state ${system.state.toString(16)}h is reserved`);
        }
        if (setDevice && !ACPI_DEVICE_STATES.has(device.state)) {
          invalidField(`device power state ${device.state.toString(16)}h is reserved`);
        }
        controller.setAcpiPowerState({
          ...(setSystem ? { system: system.state } : {}),
          ...(setDevice ? { device: device.state } : {}),
        });
      },
    }),
    handlerFor(getAcpiPowerState, {
      handle: () => ({
        system: { state: controller.acpi.system & 0x7f },
        device: { state: controller.acpi.device & 0x7f },
      }),
    }),
    handlerFor(getDeviceGuid, { handle: () => ({ guid: controller.deviceGuid }) }),
    handlerFor(resetWatchdogTimer, { handle: () => watchdog.resetTimer() }),
    handlerFor(setWatchdogTimer, { handle: (ctx) => watchdog.set(ctx.request) }),
    handlerFor(getWatchdogTimer, { handle: () => watchdog.report() }),
    handlerFor(setBmcGlobalEnables, {
      handle: ({ request: { enables } }) => {
        if (enables & GLOBAL_ENABLES.RESERVED) invalidField("global enables bit 4 is reserved");
        controller.setGlobalEnables(enables);
      },
    }),
    handlerFor(getBmcGlobalEnables, { handle: () => ({ enables: controller.globalEnables }) }),
    handlerFor(clearMessageFlags, {
      handle: ({ request: { clear } }) => {
        if (clear & CLEAR_FLAGS_RESERVED) invalidField("clear message flags bits 2 and 4 are reserved");
        controller.clearMessageFlags(clear);
      },
    }),
    handlerFor(getMessageFlags, { handle: () => ({ flags: controller.messageFlags }) }),
    // This BMC queues nothing for the host yet (no receive message queue, no event
    // message buffer): both answer the spec's "data not available" code, 80h, as a real
    // BMC with empty queues does. The Linux driver reads the buffer once at load.
    handlerFor(getMessage, {
      handle: () => {
        throw new IpmiError(CC_QUEUE_EMPTY, "the receive message queue is empty");
      },
    }),
    handlerFor(readEventMessageBuffer, {
      handle: () => {
        throw new IpmiError(CC_QUEUE_EMPTY, "the event message buffer is empty");
      },
    }),
    handlerFor(getBtInterfaceCapabilities, { handle: () => controller.btInterface }),
    handlerFor(getSystemGuid, { handle: () => ({ guid: controller.systemGuid }) }),
    handlerFor(getSystemInterfaceCapabilities, {
      handle: ({ request: { type } }) => {
        if (type.reserved !== 0) invalidField("system interface type bits 7:4 are reserved");
        const capabilities = INTERFACE_CAPABILITIES.get(type.type);
        if (!capabilities) invalidField(`this BMC has no system interface of type ${type.type}`);
        return { reserved: 0, capabilities };
      },
    }),
    handlerFor(getChannelAccess, {
      handle: (ctx) => {
        const { channel, access } = ctx.request;
        const which = access & 0xc0;
        if (access & 0x3f || (which !== ACCESS_NON_VOLATILE && which !== ACCESS_VOLATILE)) {
          invalidField("byte 2 must be 40h (non-volatile) or 80h (present setting)");
        }
        const c = requestedChannel(bmc, ctx, channel);
        if (c.sessionSupport === "session-less") {
          throw new IpmiError(CC_CHANNEL_SESSION_LESS, `channel ${c.number} is session-less`);
        }
        // No Set Channel Access yet: the volatile and non-volatile settings are the profile's.
        const a = c.access;
        return {
          access: {
            pefAlertingDisabled: !a.pefAlerting,
            perMessageAuthDisabled: !a.perMessageAuth,
            userLevelAuthDisabled: !a.userLevelAuth,
            mode: ACCESS_MODES.codes[a.mode],
          },
          privilegeLimit: { limit: a.privilegeLimit & 0x0f },
        };
      },
    }),
    handlerFor(getChannelInfo, {
      handle: (ctx) => {
        const c = requestedChannel(bmc, ctx, ctx.request.channel);
        return {
          channel: c.number,
          medium: c.medium & 0x7f,
          protocol: c.protocol & 0x1f,
          // No sessions are active until the LAN channel exists.
          sessions: { support: SESSION_SUPPORT.codes[c.sessionSupport], active: 0 },
          vendorId: IANA_IPMI_FORUM,
          aux: c.auxInfo,
        };
      },
    }),
  ];
}

/** The channel a Get Channel Info / Access asks about (0Eh: the one the request came in on). */
function requestedChannel(bmc: Bmc, ctx: HandlerContext<unknown>, channel: number): ChannelProfile {
  if (channel & 0xf0) invalidField("channel byte bits 7:4 are reserved");
  const number = channel === CURRENT_CHANNEL ? channelOf(bmc.profile.channels, ctx) : channel;
  const c = bmc.profile.channels.find((ch) => ch.number === number);
  if (!c) invalidField(`channel ${number} does not exist`);
  return c;
}
