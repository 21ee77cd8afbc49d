/**
 * App (NetFn 06h) handlers: the bodies of the commands the command table lays out in
 * `server/ipmi/commands/app.ts` (IPMI 2.0 sections 20, 22 and 27). Each returns the typed
 * response its table entry packs; errors are thrown as IpmiError.
 */
import {
  CC_QUEUE_EMPTY,
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
  setChannelAccess,
  setWatchdogTimer,
  warmReset,
} from "../../ipmi/commands/app";
import { IpmiError } from "../../ipmi/ipmi-error";
import { handlerFor } from "../../router/handler";
import type { HandlerContext, HandlerSpec } from "../../router/types";
import type { Bmc } from "../bmc";
import { type AccessCopy, ChannelAccessError, type ChannelAccessSettings, requestChannel } from "../channels";
import { GLOBAL_ENABLES, MESSAGE_FLAGS } from "../controller";
import { invalidField } from "../invalid-field";

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
/** Set Channel Access 83h: access mode not supported. */
export const CC_ACCESS_MODE_NOT_SUPPORTED = 0x83;
/** Set Channel Access bytes 2 and 3 bits 7:6: 01b set non-volatile, 10b set volatile, 11b reserved. */
const SET_COPY: Readonly<Record<number, AccessCopy>> = { 1: "non-volatile", 2: "volatile" };

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
        // Bits 0 and 1 empty the receive message queue and the event message buffer too (22.3).
        bmc.queues.clearFlags(clear);
      },
    }),
    // Receive Message Available as this interface sees it: a bridged answer is for the
    // interface that asked (message-queues.ts takeFor), not for a second one.
    handlerFor(getMessageFlags, {
      handle: ({ busId }) => {
        const others = controller.messageFlags & ~MESSAGE_FLAGS.RECEIVE_MESSAGE_AVAILABLE;
        const mine = bmc.queues.messages.hasFor(busId) ? MESSAGE_FLAGS.RECEIVE_MESSAGE_AVAILABLE : 0;
        return { flags: others | mine };
      },
    }),
    // Each takes the oldest entry of its queue (message-queues.ts); the last one clears
    // its message flag. Empty: 80h "data not available" (22.6, 22.8). The Linux driver
    // reads until it gets 80h (ipmi_si_intf.c, SI_GETTING_EVENTS / SI_GETTING_MESSAGES).
    handlerFor(getMessage, {
      handle: ({ busId }) => {
        const m = bmc.queues.messages.takeFor(busId);
        if (!m) throw new IpmiError(CC_QUEUE_EMPTY, "the receive message queue is empty");
        return { origin: { channel: m.channel, privilege: m.privilege }, message: m.data };
      },
    }),
    handlerFor(readEventMessageBuffer, {
      handle: () => {
        const e = bmc.queues.events.take();
        if (!e) throw new IpmiError(CC_QUEUE_EMPTY, "the event message buffer is empty");
        return { message: e.data };
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
        const number = requestedChannel(bmc, ctx, channel);
        const a = bmc.channels.get(number, which === ACCESS_VOLATILE ? "volatile" : "non-volatile");
        if (!a) throw new IpmiError(CC_CHANNEL_SESSION_LESS, `channel ${number} is session-less`);
        return {
          access: {
            pefAlertingDisabled: !a.pefAlerting,
            perMessageAuthDisabled: !a.perMessageAuth,
            userLevelAuthDisabled: !a.userLevelAuth,
            mode: a.mode,
          },
          privilegeLimit: { limit: a.privilegeLimit & 0x0f },
        };
      },
    }),
    handlerFor(setChannelAccess, {
      handle: (ctx) => {
        const { channel, access, privilege } = ctx.request;
        const number = requestedChannel(bmc, ctx, channel);
        if (access.set === 3) invalidField("channel access bits 7:6 = 11b is reserved");
        if (privilege.set === 3) invalidField("privilege level limit bits 7:6 = 11b is reserved");
        if (privilege.reserved !== 0) invalidField("privilege level limit bits 5:4 are reserved");
        const accessChange: Partial<ChannelAccessSettings> = {
          mode: access.mode,
          pefAlerting: !access.pefAlertingDisabled,
          perMessageAuth: !access.perMessageAuthDisabled,
          userLevelAuth: !access.userLevelAuthDisabled,
        };
        const changes: Array<[AccessCopy, Partial<ChannelAccessSettings>]> = [];
        if (access.set !== 0) changes.push([SET_COPY[access.set]!, accessChange]);
        if (privilege.set !== 0)
          changes.push([SET_COPY[privilege.set]!, { privilegeLimit: privilege.limit }]);
        // Checked first, so a refused request changes nothing.
        if (!bmc.channels.isSessionBased(number)) {
          throw new IpmiError(CC_CHANNEL_SESSION_LESS, `channel ${number} is session-less`);
        }
        if (privilege.set !== 0 && !(privilege.limit >= 1 && privilege.limit <= 5)) {
          invalidField(`privilege level limit ${privilege.limit} is reserved`);
        }
        for (const [which, change] of changes) {
          try {
            bmc.channels.set(number, which, change);
          } catch (err) {
            if (!(err instanceof ChannelAccessError)) throw err;
            if (err.reason === "mode") throw new IpmiError(CC_ACCESS_MODE_NOT_SUPPORTED, err.message);
            if (err.reason === "session-less") throw new IpmiError(CC_CHANNEL_SESSION_LESS, err.message);
            invalidField(err.message);
          }
        }
      },
    }),
    handlerFor(getChannelInfo, {
      handle: (ctx) => {
        const info = bmc.channels.info(requestedChannel(bmc, ctx, ctx.request.channel))!;
        return {
          channel: info.number,
          medium: info.medium,
          protocol: info.protocol,
          sessions: { support: info.sessionSupport, active: info.activeSessions },
          vendorId: info.vendorId,
          aux: info.auxInfo,
        };
      },
    }),
  ];
}

/** The channel a channel command asks about (0Eh: the one the request came in on); CCh when it does not exist. */
function requestedChannel(bmc: Bmc, ctx: HandlerContext<unknown>, channel: number): number {
  if (channel & 0xf0) invalidField("channel byte bits 7:4 are reserved");
  const number = requestChannel(channel, ctx, bmc.profile.channels);
  if (!bmc.channels.exists(number)) invalidField(`channel ${number} does not exist`);
  return number;
}
