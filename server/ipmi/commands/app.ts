/**
 * App (NetFn 06h): IPMI 2.0 sections 20 (IPM device "global" commands), 22 (BMC device
 * and messaging) and 27 (watchdog timer). Every command of table G-1 with its privilege;
 * request and response layouts for the commands this product answers or decodes.
 * Privileges follow table G-1, cross-checked against OpenIPMI's lanserv privilege table;
 * "none" marks commands allowed outside a session.
 */
import { hexByte, toHex } from "../hex";
import {
  ACTIVATE_SESSION_CC,
  activateSessionRequest,
  activateSessionResponse,
  GET_SESSION_CHALLENGE_CC,
  getSessionChallengeRequest,
  getSessionChallengeResponse,
} from "../lan/auth15";
import { getChannelCipherSuitesRequest, getChannelCipherSuitesResponse } from "../lan/cipher-suites";
import {
  CLOSE_SESSION_CC,
  closeSessionRequest,
  GET_SESSION_INFO_CC,
  getChannelAuthCapabilitiesRequest,
  getChannelAuthCapabilitiesResponse,
  getSessionInfoRequest,
  getSessionInfoResponse,
  SET_SESSION_PRIVILEGE_CC,
  setSessionPrivilegeRequest,
  setSessionPrivilegeResponse,
} from "../lan/session-messages";
import {
  type Bytes,
  bit,
  bits,
  bytes,
  type Codec,
  dependent,
  type Earlier,
  empty,
  flag,
  type In,
  LayoutError,
  mapped,
  optional,
  rest,
  SHORT,
  struct,
  u8,
  u16,
  u24,
} from "../layout/codec";
import {
  type BitName,
  bcd,
  dec,
  field,
  flags,
  guid,
  h8,
  h16,
  hexText,
  lookup,
  seconds,
  version,
} from "../layout/format";
import { NETFN } from "../netfn";
import {
  ACTIVATE_PAYLOAD_CODES,
  activatePayloadRequest,
  activatePayloadResponse,
  DEACTIVATE_PAYLOAD_CODES,
  deactivatePayloadRequest,
  getChannelPayloadSupportRequest,
  getChannelPayloadSupportResponse,
  getPayloadActivationStatusRequest,
  getPayloadActivationStatusResponse,
  getPayloadInstanceInfoRequest,
  getPayloadInstanceInfoResponse,
} from "../sol/payload-messages";
import { byteCount, channelLabel } from "../spec/labels";
import {
  ACPI_DEVICE_POWER_STATES,
  ACPI_SYSTEM_POWER_STATES,
  CHANNEL_MEDIUM_TYPES,
  CHANNEL_PROTOCOL_TYPES,
  DEVICE_SUPPORT_BITS,
  ianaLabel,
  PRIVILEGE_LEVELS,
  TIMER_USES,
} from "../spec/tables";
import { type Command, command, named } from "./define";

const NF = NETFN.APP;

/** Get Message / Read Event Message Buffer 80h (22.6, 22.8). */
export const CC_QUEUE_EMPTY = 0x80;

// ---- shared fields -------------------------------------------------------------------------

// ---- IPM device "global" commands (section 20) ------------------------------------------------

/** Firmware revision, Get Device ID bytes 3-4: major binary, minor BCD, bit 7 "update in progress". */
const firmwareRevision: Codec<FirmwareRevision> = {
  minLength: 2,
  maxLength: 2,
  read(c, tree) {
    const b = c.take(2);
    if (b === SHORT) return SHORT;
    const major = b[0]! & 0x7f;
    const minor = bcd(b[1]!);
    tree?.push(
      field(
        "Firmware revision",
        {
          value: `${major}.${minor ?? `${hexByte(b[1]!)} (not BCD)`}`,
          children: [
            {
              name: "Device available",
              value:
                b[0]! & 0x80
                  ? "no: firmware, SDR update or self-initialization in progress"
                  : "yes: normal operation",
            },
          ],
        },
        toHex(b),
      ),
    );
    return { major, minor: (b[1]! >> 4) * 10 + (b[1]! & 0x0f), updateInProgress: (b[0]! & 0x80) !== 0 };
  },
  write(w, v) {
    if (!Number.isInteger(v.major) || v.major < 0 || v.major > 0x7f) {
      throw new LayoutError(`Firmware revision: major ${v.major} does not fit 7 bits`);
    }
    if (!Number.isInteger(v.minor) || v.minor < 0 || v.minor > 99) {
      throw new LayoutError(`Firmware revision: minor ${v.minor} is not two BCD digits`);
    }
    w.byte((v.updateInProgress ? 0x80 : 0) | v.major);
    w.byte(((Math.floor(v.minor / 10) << 4) | (v.minor % 10)) & 0xff);
  },
};

export interface FirmwareRevision {
  major: number;
  /** 0..99, sent as two BCD digits. */
  minor: number;
  updateInProgress: boolean;
}

export const getDeviceId = command({
  netFn: NF,
  cmd: 0x01,
  name: "Get Device ID",
  privilege: "user",
  request: empty,
  response: struct({
    deviceId: u8("Device ID"),
    revision: bits(1, {
      revision: bit("Device revision", 0, 3),
      providesSdrs: flag("Provides device SDRs", 7),
    }),
    firmware: firmwareRevision,
    ipmiVersion: u8("IPMI version", (v) => `${version(v)} (${hexByte(v)})`),
    support: u8("Additional device support", flags(DEVICE_SUPPORT_BITS)),
    manufacturerId: bits(3, { id: bit("Manufacturer ID", 0, 19, ianaLabel) }),
    productId: u16("Product ID", (v) => `${h16(v)} (${v})`),
    auxFirmwareRevision: optional(bytes("Aux firmware revision", 4)),
  }),
});

export const coldReset = command({
  netFn: NF,
  cmd: 0x02,
  name: "Cold Reset",
  privilege: "admin",
  request: empty,
  response: empty,
});

export const warmReset = command({
  netFn: NF,
  cmd: 0x03,
  name: "Warm Reset",
  privilege: "admin",
  request: empty,
  response: empty,
});

const SELF_TEST_RESULTS: ReadonlyMap<number, string> = new Map([
  [0x55, "No error"],
  [0x56, "Self Test function not implemented in this controller"],
  [0x57, "Corrupted or inaccessible data or devices"],
  [0x58, "Fatal hardware error"],
  [0xff, "Reserved"],
]);

const SELF_TEST_57H: readonly BitName[] = [
  [7, "Cannot access SEL device"],
  [6, "Cannot access SDR Repository"],
  [5, "Cannot access BMC FRU device"],
  [4, "IPMB signal lines do not respond"],
  [3, "SDR Repository empty"],
  [2, "Internal Use Area of BMC FRU corrupted"],
  [1, "Controller update 'boot block' firmware corrupted"],
  [0, "Controller operational firmware corrupted"],
];

/** Section 20.4: what byte 2 means depends on byte 1. */
function selfTestDetail(result: unknown): Codec<number> {
  if (result === 0x57) return u8("Failures", flags(SELF_TEST_57H));
  if (result === 0x58) return u8("Device-specific failure code", h8);
  if (result === 0x55 || result === 0x56) {
    return u8("Detail", (v) => (v === 0 ? "00h" : `${hexByte(v)} (expected 00h)`));
  }
  return u8("Detail", h8);
}

export const getSelfTestResults = command({
  netFn: NF,
  cmd: 0x04,
  name: "Get Self Test Results",
  privilege: "user",
  request: empty,
  response: struct({
    result: u8("Result", lookup(SELF_TEST_RESULTS, "Device-specific internal failure")),
    detail: dependent({ minLength: 1, maxLength: 1 }, (e) => selfTestDetail(e.result)),
  }),
});

const systemPowerState = lookup(ACPI_SYSTEM_POWER_STATES);
const devicePowerState = lookup(ACPI_DEVICE_POWER_STATES);

export const setAcpiPowerState = command({
  netFn: NF,
  cmd: 0x06,
  name: "Set ACPI Power State",
  privilege: "admin",
  request: struct({
    system: bits(1, {
      set: flag("Set system power state", 7),
      state: bit("System power state", 0, 6, systemPowerState),
    }),
    device: bits(1, {
      set: flag("Set device power state", 7),
      state: bit("Device power state", 0, 6, devicePowerState),
    }),
  }),
  response: empty,
});

export const getAcpiPowerState = command({
  netFn: NF,
  cmd: 0x07,
  name: "Get ACPI Power State",
  privilege: "user",
  request: empty,
  response: struct({
    system: bits(1, { state: bit("System power state", 0, 6, systemPowerState) }),
    device: bits(1, { state: bit("Device power state", 0, 6, devicePowerState) }),
  }),
});

/** A 16-byte GUID (20.8, 22.14), sent least significant byte first. */
const guidField = bytes("GUID", 16, guid);

export const getDeviceGuid = command({
  netFn: NF,
  cmd: 0x08,
  name: "Get Device GUID",
  privilege: "user",
  request: empty,
  response: struct({ guid: guidField }),
});

// ---- BMC watchdog timer (section 27) -------------------------------------------------------------

const PRE_TIMEOUT_INTERRUPTS: ReadonlyMap<number, string> = new Map([
  [0, "None"],
  [1, "SMI"],
  [2, "NMI / Diagnostic interrupt"],
  [3, "Messaging interrupt"],
]);

const TIMEOUT_ACTIONS: ReadonlyMap<number, string> = new Map([
  [0, "No action"],
  [1, "Hard reset"],
  [2, "Power down"],
  [3, "Power cycle"],
]);

const EXPIRATION_FLAGS: readonly BitName[] = [
  [5, "OEM"],
  [4, "SMS/OS"],
  [3, "OS Load"],
  [2, "BIOS/POST"],
  [1, "BIOS FRB2"],
];

/** Countdown values count 100 ms. */
const countdown = (v: number) => seconds(v / 10);

/**
 * Timer use and actions bytes (27.6, 27.7). The reserved bits are read too (unnamed), so
 * Set Watchdog Timer can refuse them with CCh.
 */
const useGroups = {
  use: bit("Timer use", 0, 2, lookup(TIMER_USES)),
  reserved: bit(undefined, 3, 5),
  dontLog: flag("Don't log", 7),
};
const setTimerUse = bits(1, { ...useGroups, dontStop: flag("Don't stop timer", 6) });
const getTimerUse = bits(1, { ...useGroups, running: flag("Timer running", 6) });

const timerActions = bits(1, {
  preTimeoutInterrupt: bit("Pre-timeout interrupt", 4, 6, lookup(PRE_TIMEOUT_INTERRUPTS)),
  timeoutAction: bit("Timeout action", 0, 2, lookup(TIMEOUT_ACTIONS)),
  reserved3: bit(undefined, 3),
  reserved7: bit(undefined, 7),
});

export const resetWatchdogTimer = command({
  netFn: NF,
  cmd: 0x22,
  name: "Reset Watchdog Timer",
  privilege: "operator",
  completionCodes: { 128: "Attempt to start un-initialized watchdog" },
  request: empty,
  response: empty,
});

export const setWatchdogTimer = command({
  netFn: NF,
  cmd: 0x24,
  name: "Set Watchdog Timer",
  privilege: "operator",
  request: struct({
    timerUse: setTimerUse,
    timerActions,
    preTimeoutInterval: u8("Pre-timeout interval", seconds),
    expirationFlagsClear: u8("Timer use expiration flags clear", flags(EXPIRATION_FLAGS)),
    initialCountdown: u16("Initial countdown", countdown),
  }),
  response: empty,
});

export const getWatchdogTimer = command({
  netFn: NF,
  cmd: 0x25,
  name: "Get Watchdog Timer",
  privilege: "user",
  request: empty,
  response: struct({
    timerUse: getTimerUse,
    timerActions,
    preTimeoutInterval: u8("Pre-timeout interval", seconds),
    expirationFlags: u8("Timer use expiration flags", flags(EXPIRATION_FLAGS)),
    initialCountdown: u16("Initial countdown", countdown),
    presentCountdown: u16("Present countdown", countdown),
  }),
});

// ---- BMC device and messaging (section 22) -------------------------------------------------------

const GLOBAL_ENABLES: readonly BitName[] = [
  [7, "OEM 2"],
  [6, "OEM 1"],
  [5, "OEM 0"],
  [3, "System Event Logging"],
  [2, "Event Message Buffer"],
  [1, "Event Message Buffer Full Interrupt"],
  [0, "Receive Message Queue Interrupt"],
];

const CLEAR_MESSAGE_FLAGS: readonly BitName[] = [
  [7, "Clear OEM 2"],
  [6, "Clear OEM 1"],
  [5, "Clear OEM 0"],
  [3, "Clear watchdog pre-timeout interrupt flag"],
  [1, "Clear Event Message Buffer"],
  [0, "Clear Receive Message Queue"],
];

const MESSAGE_FLAGS: readonly BitName[] = [
  [7, "OEM 2 data available"],
  [6, "OEM 1 data available"],
  [5, "OEM 0 data available"],
  [3, "Watchdog pre-timeout interrupt occurred"],
  [1, "Event Message Buffer Full"],
  [0, "Receive Message Available"],
];

export const setBmcGlobalEnables = command({
  netFn: NF,
  cmd: 0x2e,
  name: "Set BMC Global Enables",
  privilege: "admin",
  channels: ["system"],
  request: struct({ enables: u8("BMC global enables", flags(GLOBAL_ENABLES)) }),
  response: empty,
});

export const getBmcGlobalEnables = command({
  netFn: NF,
  cmd: 0x2f,
  name: "Get BMC Global Enables",
  privilege: "user",
  request: empty,
  response: struct({ enables: u8("BMC global enables", flags(GLOBAL_ENABLES)) }),
});

export const clearMessageFlags = command({
  netFn: NF,
  cmd: 0x30,
  name: "Clear Message Flags",
  privilege: "admin",
  channels: ["system"],
  request: struct({ clear: u8("Flags to clear", flags(CLEAR_MESSAGE_FLAGS)) }),
  response: empty,
});

export const getMessageFlags = command({
  netFn: NF,
  cmd: 0x31,
  name: "Get Message Flags",
  privilege: "admin",
  channels: ["system"],
  request: empty,
  response: struct({ flags: u8("Message flags", flags(MESSAGE_FLAGS)) }),
});

export const getMessage = command({
  netFn: NF,
  cmd: 0x33,
  name: "Get Message",
  privilege: "admin",
  channels: ["system"],
  completionCodes: { [CC_QUEUE_EMPTY]: "Data not available (queue / buffer empty)" },
  request: empty,
  // 22.6: byte 2 is the channel the message came from and, in IPMI 2.0, the privilege
  // the BMC inferred for it; the message follows as it arrived.
  response: struct({
    origin: bits(1, {
      channel: bit("Channel number", 0, 3, channelLabel),
      privilege: bit("Inferred privilege level", 4, 7, lookup(PRIVILEGE_LEVELS)),
    }),
    message: rest("Message data", 254),
  }),
});

/** Send Message byte 1 bits 7:6 (22.7, table 22-10). */
const SEND_MESSAGE_TRACKING: ReadonlyMap<number, string> = new Map([
  [0, "No tracking"],
  [1, "Track request"],
  [2, "Send raw (test mode)"],
  [3, "Reserved"],
]);

export const SEND_MESSAGE_CC = {
  INVALID_SESSION_HANDLE: 0x80,
  LOST_ARBITRATION: 0x81,
  BUS_ERROR: 0x82,
  NAK_ON_WRITE: 0x83,
} as const;

export const sendMessage = command({
  netFn: NF,
  cmd: 0x34,
  name: "Send Message",
  privilege: "user",
  completionCodes: {
    [SEND_MESSAGE_CC.INVALID_SESSION_HANDLE]: "Invalid session handle",
    [SEND_MESSAGE_CC.LOST_ARBITRATION]: "Lost arbitration",
    [SEND_MESSAGE_CC.BUS_ERROR]: "Bus error",
    [SEND_MESSAGE_CC.NAK_ON_WRITE]: "NAK on write",
  },
  // 22.7, table 22-10: the channel byte, then the message as it goes on that channel (for
  // IPMB the whole frame from rsSA, both checksums included).
  request: struct({
    channel: bits(1, {
      channel: bit("Channel number", 0, 3, channelLabel),
      authentication: flag("Send message with authentication", 4),
      encryption: flag("Send message with encryption", 5),
      tracking: bit("Tracking", 6, 7, lookup(SEND_MESSAGE_TRACKING)),
    }),
    message: rest("Message data", 254),
  }),
  // Response data follows the completion code only when the message went to the system
  // interface from a session (the answer is sent back in it); none for IPMB.
  response: struct({ response: rest("Response data", 254) }),
});

export const readEventMessageBuffer = command({
  netFn: NF,
  cmd: 0x35,
  name: "Read Event Message Buffer",
  privilege: "admin",
  channels: ["system"],
  completionCodes: { [CC_QUEUE_EMPTY]: "Data not available (queue / buffer empty)" },
  request: empty,
  // 22.8: 16 bytes in the SEL record format.
  response: struct({ message: bytes("Message data", 16, hexText) }),
});

export const getBtInterfaceCapabilities = command({
  netFn: NF,
  cmd: 0x36,
  name: "Get BT Interface Capabilities",
  privilege: "user",
  request: empty,
  response: struct({
    outstandingRequests: u8("Outstanding requests supported", dec),
    inputBufferSize: u8("Input buffer size", byteCount),
    outputBufferSize: u8("Output buffer size", byteCount),
    requestToResponseSeconds: u8("Request-to-response time", seconds),
    retries: u8("Recommended retries", dec),
  }),
});

export const getSystemGuid = command({
  netFn: NF,
  cmd: 0x37,
  name: "Get System GUID",
  // 22.14: may be asked outside a session (RMCP+ discovery).
  privilege: "none",
  request: empty,
  response: struct({ guid: guidField }),
});

// ---- channels (sections 22.22-22.24) ---------------------------------------------------------------

/** Get Channel Info / Access: 0Eh asks about the channel the request came in on. */
export const CURRENT_CHANNEL = 0x0e;

const ACCESS_MODES: ReadonlyMap<number, string> = new Map([
  [0, "Disabled"],
  [1, "Pre-boot only"],
  [2, "Always available"],
  [3, "Shared"],
]);

const ACCESS_SET: ReadonlyMap<number, string> = new Map([
  [0, "Don't set"],
  [1, "Set non-volatile"],
  [2, "Set volatile (active)"],
]);

const ACCESS_GET: ReadonlyMap<number, string> = new Map([
  [1, "Non-volatile"],
  [2, "Present volatile (active)"],
]);

const privilegeLevel = lookup(PRIVILEGE_LEVELS);
const disabledWhenSet = (v: boolean) => (v ? "disabled" : "enabled");

/** The channel access byte (22.22 byte 2, 22.23 response byte 1): each "disable" bit set means off. */
const accessGroups = {
  pefAlertingDisabled: flag("PEF alerting", 5, disabledWhenSet),
  perMessageAuthDisabled: flag("Per-message authentication", 4, disabledWhenSet),
  userLevelAuthDisabled: flag("User level authentication", 3, disabledWhenSet),
  mode: bit("Access mode", 0, 2, lookup(ACCESS_MODES)),
};

const channelNumber = u8("Channel number", (v) => channelLabel(v & 0x0f));

export const setChannelAccess = command({
  netFn: NF,
  cmd: 0x40,
  name: "Set Channel Access",
  privilege: "admin",
  completionCodes: { 130: "Set not supported on selected channel", 131: "Access mode not supported" },
  request: struct({
    channel: channelNumber,
    access: bits(1, { set: bit("Channel access", 6, 7, lookup(ACCESS_SET)), ...accessGroups }),
    privilege: bits(1, {
      set: bit("Privilege level limit change", 6, 7, lookup(ACCESS_SET)),
      reserved: bit(undefined, 4, 5),
      limit: bit("Channel privilege level limit", 0, 3, privilegeLevel),
    }),
  }),
  response: empty,
});

export const getChannelAccess = command({
  netFn: NF,
  cmd: 0x41,
  name: "Get Channel Access",
  privilege: "user",
  completionCodes: { 130: "Command not supported for selected channel" },
  request: struct({
    channel: channelNumber,
    access: u8("Access to get", (v) => lookup(ACCESS_GET)(v >> 6)),
  }),
  response: struct({
    access: bits(1, accessGroups),
    privilegeLimit: bits(1, { limit: bit("Channel privilege level limit", 0, 3, privilegeLevel) }),
  }),
});

const SESSION_SUPPORT = ["session-less", "single-session", "multi-session", "session-based"];

/** Interrupt types of the system interface's auxiliary channel info (table 22-28). */
function interruptType(v: number): string {
  if (v <= 0x0f) return `IRQ ${v} (${hexByte(v)})`;
  if (v <= 0x13) return `PCI ${"ABCD"[v - 0x10]} (${hexByte(v)})`;
  if (v === 0x14) return "SMI (14h)";
  if (v === 0x15) return "SCI (15h)";
  if (v >= 0x20 && v <= 0x5f) return `system interrupt ${v - 0x20} (${hexByte(v)})`;
  if (v === 0x60) return "assigned by ACPI / Plug and Play BIOS (60h)";
  if (v === 0xff) return "no interrupt / unspecified (FFh)";
  return `reserved (${hexByte(v)})`;
}

/** Bytes 8-9: the system interface's interrupts (table 22-28), other channels' OEM data. */
function auxChannelInfo(channel: unknown): Codec<Uint8Array, Bytes> {
  if (typeof channel === "number" && (channel & 0x0f) === 0x0f) {
    return mapped(
      struct({
        sms: u8("SMS interrupt type", interruptType),
        eventBuffer: u8("Event message buffer interrupt type", interruptType),
      }),
      (v) => Uint8Array.of(v.sms, v.eventBuffer),
      (b: Bytes) => ({ sms: b[0] ?? -1, eventBuffer: b[1] ?? -1 }),
    );
  }
  return bytes("Auxiliary channel info", 2, hexText);
}

export const getChannelInfo = command({
  netFn: NF,
  cmd: 0x42,
  name: "Get Channel Info Command",
  privilege: "user",
  request: struct({ channel: channelNumber }),
  response: struct({
    channel: channelNumber,
    medium: u8("Channel medium type", (v) =>
      lookup(CHANNEL_MEDIUM_TYPES, (c) => (c >= 0x60 ? "OEM" : "Reserved"))(v & 0x7f),
    ),
    protocol: u8("Channel protocol type", (v) =>
      lookup(CHANNEL_PROTOCOL_TYPES, (c) => (c >= 0x1c ? "OEM" : "Reserved"))(v & 0x1f),
    ),
    sessions: bits(1, {
      support: bit("Session support", 6, 7, (v) => SESSION_SUPPORT[v]!),
      active: bit("Active sessions", 0, 5),
    }),
    vendorId: u24("Vendor ID", ianaLabel),
    aux: dependent({ minLength: 2, maxLength: 2 }, (e) => auxChannelInfo(e.channel)),
  }),
});

// ---- users (sections 22.26-22.30) --------------------------------------------------------------------

/** Set User Password (22.30) 80h: the test failed, the password does not match. */
export const CC_PASSWORD_TEST_FAILED = 0x80;
/** Set User Password (22.30) 81h: the test failed, the password was set in the other size. */
export const CC_PASSWORD_WRONG_SIZE = 0x81;

/** User ID byte (22.26-22.30): bits 5:0, bits 7:6 reserved (Set User Password uses bit 7). */
const userIdBits = bit("User ID", 0, 5, (v) => (v === 0 ? "0 (reserved)" : String(v)));
const userIdByte = bits(1, { id: userIdBits, reserved: bit(undefined, 6, 7) });

const enabledWhenSet = (v: boolean) => (v ? "enabled" : "disabled");

/** A user name field (22.28, 22.29): ASCII, 00h-terminated and 00h-padded to 16 bytes. */
function userNameText(b: Uint8Array): string {
  const end = b.indexOf(0);
  const name = b.subarray(0, end < 0 ? b.length : end);
  if (name.length === 0) return "(none)";
  return name.every((c) => c >= 0x20 && c <= 0x7e)
    ? JSON.stringify(String.fromCharCode(...name))
    : hexText(b);
}

const USER_ENABLE_STATUS: ReadonlyMap<number, string> = new Map([
  [0, "Unspecified"],
  [1, "Enabled (Set User Password)"],
  [2, "Disabled (Set User Password)"],
]);

const PASSWORD_OPERATIONS: ReadonlyMap<number, string> = new Map([
  [0, "Disable user"],
  [1, "Enable user"],
  [2, "Set password"],
  [3, "Test password"],
]);

/** Set User Password byte 2 bits 1:0. */
export const PASSWORD_OPERATION = { DISABLE: 0, ENABLE: 1, SET: 2, TEST: 3 } as const;

export const setUserAccess = command({
  netFn: NF,
  cmd: 0x43,
  name: "Set User Access Command",
  privilege: "admin",
  request: struct({
    channel: bits(1, {
      change: flag("Change bits 6:4", 7),
      callbackOnly: flag("User restricted to callback", 6),
      linkAuth: flag("User link authentication", 5, enabledWhenSet),
      ipmiMessaging: flag("User IPMI messaging", 4, enabledWhenSet),
      channel: bit("Channel number", 0, 3, channelLabel),
    }),
    user: userIdByte,
    limit: bits(1, {
      privilege: bit("User privilege level limit", 0, 3, privilegeLevel),
      reserved: bit(undefined, 4, 7),
    }),
    // Optional (22.26 byte 4); 0 = only the BMC's own limit.
    sessions: optional(
      bits(1, {
        limit: bit("User simultaneous session limit", 0, 3, (v) =>
          v === 0 ? "0 (BMC limit only)" : String(v),
        ),
        reserved: bit(undefined, 4, 7),
      }),
    ),
  }),
  response: empty,
});

export const getUserAccess = command({
  netFn: NF,
  cmd: 0x44,
  name: "Get User Access Command",
  privilege: "operator",
  request: struct({
    channel: bits(1, { channel: bit("Channel number", 0, 3, channelLabel), reserved: bit(undefined, 4, 7) }),
    user: userIdByte,
  }),
  response: struct({
    maxUsers: bits(1, { count: bit("Maximum user IDs", 0, 5), reserved: bit(undefined, 6, 7) }),
    enabled: bits(1, {
      status: bit("User ID enable status", 6, 7, lookup(USER_ENABLE_STATUS)),
      count: bit("Enabled user IDs", 0, 5),
    }),
    fixedNames: bits(1, { count: bit("User IDs with fixed names", 0, 5), reserved: bit(undefined, 6, 7) }),
    access: bits(1, {
      reserved: bit(undefined, 7),
      callbackOnly: flag("User restricted to callback", 6),
      linkAuth: flag("User link authentication", 5, enabledWhenSet),
      ipmiMessaging: flag("User IPMI messaging", 4, enabledWhenSet),
      privilege: bit("User privilege level limit", 0, 3, privilegeLevel),
    }),
  }),
});

export const setUserName = command({
  netFn: NF,
  cmd: 0x45,
  name: "Set User Name",
  privilege: "admin",
  request: struct({ user: userIdByte, name: bytes("User name", 16, userNameText) }),
  response: empty,
});

export const getUserName = command({
  netFn: NF,
  cmd: 0x46,
  name: "Get User Name Command",
  privilege: "operator",
  request: struct({ user: userIdByte }),
  response: struct({ name: bytes("User name", 16, userNameText) }),
});

/** Byte 1 bit 7 of Set User Password: the password data is 20 bytes (IPMI 2.0) rather than 16. */
function passwordData(earlier: Earlier): Codec<Uint8Array | undefined, Bytes | undefined> {
  const user = earlier.user as { twentyBytes?: unknown } | undefined;
  const size = user?.twentyBytes === true ? 20 : 16;
  // The password is not shown; its bytes are the field's hex.
  return optional(bytes("Password", size, (b) => `${b.length} bytes`));
}

export const setUserPassword = command({
  netFn: NF,
  cmd: 0x47,
  name: "Set User Password Command",
  privilege: "admin",
  completionCodes: {
    [CC_PASSWORD_TEST_FAILED]:
      "Password test failed: password size correct, but password data does not match",
    [CC_PASSWORD_WRONG_SIZE]: "Password test failed: wrong password size was used",
  },
  request: struct({
    user: bits(1, {
      twentyBytes: flag("Password size", 7, (v) => (v ? "20 bytes" : "16 bytes")),
      reserved: bit(undefined, 6),
      id: userIdBits,
    }),
    operation: bits(1, {
      operation: bit("Operation", 0, 1, lookup(PASSWORD_OPERATIONS)),
      reserved: bit(undefined, 2, 7),
    }),
    // 22.30: present for "set password" and "test password"; ignored (and often left out) otherwise.
    password: dependent({ minLength: 0, maxLength: 20 }, passwordData),
  }),
  response: empty,
});

// ---- system interface capabilities (section 22.9) -------------------------------------------------

/** System interface types of Get System Interface Capabilities request byte 1 (22.9). */
export const SYSTEM_INTERFACE = { SSIF: 0x0, KCS: 0x1, SMIC: 0x2 } as const;

const SYSTEM_INTERFACE_TYPES: ReadonlyMap<number, string> = new Map([
  [SYSTEM_INTERFACE.SSIF, "SSIF"],
  [SYSTEM_INTERFACE.KCS, "KCS"],
  [SYSTEM_INTERFACE.SMIC, "SMIC"],
]);

const SSIF_TRANSACTION_SUPPORT: ReadonlyMap<number, string> = new Map([
  [0, "single-part reads and writes only"],
  [1, "multi-part reads and writes, start and end transactions"],
  [2, "multi-part reads and writes, start, middle and end transactions"],
]);

const interfaceVersion = (v: number) => (v === 0 ? "1.0 (000b)" : `reserved (${v})`);

/** SSIF's answer (22.9, table 22-14): its version, PEC, multi-part transactions, message sizes. */
const ssifCapabilities = struct({
  flags: bits(1, {
    version: bit("SSIF version", 0, 2, interfaceVersion),
    pec: flag("PEC support", 3),
    reserved: bit(undefined, 4, 5),
    transactionSupport: bit("Transaction support", 6, 7, lookup(SSIF_TRANSACTION_SUPPORT)),
  }),
  inputMessageSize: u8("Input message size", byteCount),
  outputMessageSize: u8("Output message size", byteCount),
});

/** KCS's and SMIC's answer (22.9): the interface version and the largest request it takes. */
const kcsCapabilities = struct({
  flags: bits(1, {
    version: bit("System interface version", 0, 2, interfaceVersion),
    reserved: bit(undefined, 3, 7),
  }),
  inputMaxMessageSize: u8("Input maximum message size", byteCount),
});

export type SystemInterfaceCapabilities =
  | ({ kind: "ssif" } & In<typeof ssifCapabilities>)
  | ({ kind: "kcs" | "smic" } & In<typeof kcsCapabilities>);

/**
 * The response bytes after the reserved byte are laid out by the interface the request
 * asked about, which the response does not repeat: decoding reads it from the request
 * (the cursor's context) and, without one, from the length (SSIF's answer is one byte longer).
 */
const systemInterfaceCapabilities: Codec<SystemInterfaceCapabilities> = {
  minLength: 2,
  maxLength: 3,
  read(c, tree) {
    const asked = c.context.request?.[0];
    const type =
      asked === undefined ? (c.remaining >= 3 ? SYSTEM_INTERFACE.SSIF : SYSTEM_INTERFACE.KCS) : asked & 0x0f;
    if (type === SYSTEM_INTERFACE.SSIF) {
      const v = ssifCapabilities.read(c, tree);
      return v === SHORT ? SHORT : { kind: "ssif", ...v };
    }
    const v = kcsCapabilities.read(c, tree);
    return v === SHORT ? SHORT : { kind: type === SYSTEM_INTERFACE.SMIC ? "smic" : "kcs", ...v };
  },
  write(w, v) {
    if (v.kind === "ssif") ssifCapabilities.write(w, v);
    else kcsCapabilities.write(w, v);
  },
};

export const getSystemInterfaceCapabilities = command({
  netFn: NF,
  cmd: 0x57,
  name: "Get System Interface Capabilities",
  privilege: "user",
  request: struct({
    type: bits(1, {
      type: bit("System interface type", 0, 3, lookup(SYSTEM_INTERFACE_TYPES)),
      reserved: bit(undefined, 4, 7),
    }),
  }),
  response: struct({
    reserved: u8("Reserved"),
    capabilities: systemInterfaceCapabilities,
  }),
});

// ---- session set-up (sections 22.15-22.17) --------------------------------------------------------
// Their field layouts live with the LAN session code that uses them (server/ipmi/lan/); the
// table entry is still the one place that names the command and its privilege.

export const getSessionChallenge = command({
  netFn: NF,
  cmd: 0x39,
  name: "Get Session Challenge",
  privilege: "none",
  completionCodes: {
    [GET_SESSION_CHALLENGE_CC.INVALID_USER_NAME]: "Invalid user name",
    [GET_SESSION_CHALLENGE_CC.NULL_USER_NAME_NOT_ENABLED]: "Null user name (User 1) not enabled",
  },
  request: getSessionChallengeRequest,
  response: getSessionChallengeResponse,
});

export const activateSession = command({
  netFn: NF,
  cmd: 0x3a,
  name: "Activate Session",
  privilege: "none",
  completionCodes: {
    [ACTIVATE_SESSION_CC.NO_SESSION_SLOT]: "No session slot available (BMC cannot accept any more sessions)",
    [ACTIVATE_SESSION_CC.NO_SLOT_FOR_USER]:
      "No slot available for given user (limit of user sessions allowed under that name has been reached)",
    [ACTIVATE_SESSION_CC.NO_SLOT_FOR_PRIVILEGE]:
      "No slot available to support user due to maximum privilege capability",
    [ACTIVATE_SESSION_CC.SEQUENCE_OUT_OF_RANGE]: "Session sequence number out-of-range",
    [ACTIVATE_SESSION_CC.INVALID_SESSION_ID]: "Invalid session ID in request",
    [ACTIVATE_SESSION_CC.PRIVILEGE_EXCEEDS_LIMIT]:
      "Requested maximum privilege level exceeds user and/or channel privilege limit",
  },
  request: activateSessionRequest,
  response: activateSessionResponse,
});

export const getChannelCipherSuites = command({
  netFn: NF,
  cmd: 0x54,
  name: "Get Channel Cipher Suites",
  privilege: "none",
  request: getChannelCipherSuitesRequest,
  response: getChannelCipherSuitesResponse,
});

export const getChannelAuthCapabilities = command({
  netFn: NF,
  cmd: 0x38,
  name: "Get Channel Authentication Capabilities",
  privilege: "none",
  request: getChannelAuthCapabilitiesRequest,
  response: getChannelAuthCapabilitiesResponse,
});

export const setSessionPrivilege = command({
  netFn: NF,
  cmd: 0x3b,
  name: "Set Session Privilege Level",
  privilege: "user",
  completionCodes: {
    [SET_SESSION_PRIVILEGE_CC.NOT_AVAILABLE_FOR_USER]: "Requested level not available for this user",
    [SET_SESSION_PRIVILEGE_CC.EXCEEDS_LIMIT]: "Requested level exceeds channel and/or user privilege limit",
    [SET_SESSION_PRIVILEGE_CC.CANNOT_DISABLE_USER_LEVEL_AUTH]: "Cannot disable user level authentication",
  },
  request: setSessionPrivilegeRequest,
  response: setSessionPrivilegeResponse,
});

export const closeSession = command({
  netFn: NF,
  cmd: 0x3c,
  name: "Close Session",
  privilege: "callback",
  completionCodes: {
    [CLOSE_SESSION_CC.INVALID_SESSION_ID]: "Invalid session ID in request",
    [CLOSE_SESSION_CC.INVALID_HANDLE]: "Invalid session handle in request",
  },
  request: closeSessionRequest,
  response: empty,
});

export const getSessionInfo = command({
  netFn: NF,
  cmd: 0x3d,
  name: "Get Session Info",
  privilege: "user",
  completionCodes: { [GET_SESSION_INFO_CC.INVALID_HANDLE]: "Invalid session handle in request" },
  request: getSessionInfoRequest,
  response: getSessionInfoResponse,
});

// ---- RMCP+ payloads (section 24; layouts in server/ipmi/sol/payload-messages.ts) ----------------

export const activatePayload = command({
  netFn: NF,
  cmd: 0x48,
  name: "Activate Payload",
  privilege: "callback",
  completionCodes: ACTIVATE_PAYLOAD_CODES,
  request: activatePayloadRequest,
  response: activatePayloadResponse,
});

export const deactivatePayload = command({
  netFn: NF,
  cmd: 0x49,
  name: "Deactivate Payload",
  privilege: "callback",
  completionCodes: DEACTIVATE_PAYLOAD_CODES,
  request: deactivatePayloadRequest,
  response: empty,
});

export const getPayloadActivationStatus = command({
  netFn: NF,
  cmd: 0x4a,
  name: "Get Payload Activation Status",
  privilege: "user",
  request: getPayloadActivationStatusRequest,
  response: getPayloadActivationStatusResponse,
});

export const getPayloadInstanceInfo = command({
  netFn: NF,
  cmd: 0x4b,
  name: "Get Payload Instance Info",
  privilege: "user",
  request: getPayloadInstanceInfoRequest,
  response: getPayloadInstanceInfoResponse,
});

export const getChannelPayloadSupport = command({
  netFn: NF,
  cmd: 0x4e,
  name: "Get Channel Payload Support",
  privilege: "user",
  request: getChannelPayloadSupportRequest,
  response: getChannelPayloadSupportResponse,
});

// ---- the netfn's table ---------------------------------------------------------------------------

export const APP_COMMANDS: readonly Command[] = [
  getDeviceId,
  coldReset,
  warmReset,
  getSelfTestResults,
  setAcpiPowerState,
  getAcpiPowerState,
  getDeviceGuid,
  resetWatchdogTimer,
  setWatchdogTimer,
  getWatchdogTimer,
  setBmcGlobalEnables,
  getBmcGlobalEnables,
  clearMessageFlags,
  getMessageFlags,
  getMessage,
  readEventMessageBuffer,
  getBtInterfaceCapabilities,
  getSystemGuid,
  setChannelAccess,
  getChannelAccess,
  getChannelInfo,
  getSystemInterfaceCapabilities,
  // IPM Device "Global" Commands
  named({ netFn: NF, cmd: 0x05, name: "Manufacturing Test On", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x09, name: "Get NetFn Support", privilege: "user" }),
  named({ netFn: NF, cmd: 0x0a, name: "Get Command Support", privilege: "user" }),
  named({ netFn: NF, cmd: 0x0b, name: "Get Command Sub-function Support", privilege: "user" }),
  named({ netFn: NF, cmd: 0x0c, name: "Get Configurable Commands", privilege: "user" }),
  named({ netFn: NF, cmd: 0x0d, name: "Get Configurable Command Sub-functions", privilege: "user" }),
  named({ netFn: NF, cmd: 0x60, name: "Set Command Enables", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x61, name: "Get Command Enables", privilege: "user" }),
  named({ netFn: NF, cmd: 0x62, name: "Set Command Sub-function Enables", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x63, name: "Get Command Sub-function Enables", privilege: "user" }),
  named({ netFn: NF, cmd: 0x64, name: "Get OEM NetFn IANA Support", privilege: "user" }),
  // BMC Watchdog Timer Commands
  // BMC Device and Messaging Commands
  named({
    netFn: NF,
    cmd: 0x32,
    name: "Enable Message Channel Receive",
    privilege: "admin",
    channels: ["system"],
  }),
  sendMessage,
  named({ netFn: NF, cmd: 0x58, name: "Set System Info Parameters", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x59, name: "Get System Info Parameters", privilege: "user" }),
  getChannelAuthCapabilities,
  getSessionChallenge,
  activateSession,
  setSessionPrivilege,
  closeSession,
  getSessionInfo,
  named({ netFn: NF, cmd: 0x3f, name: "Get AuthCode", privilege: "operator" }),
  setUserAccess,
  getUserAccess,
  setUserName,
  getUserName,
  setUserPassword,
  activatePayload,
  deactivatePayload,
  getPayloadActivationStatus,
  getPayloadInstanceInfo,
  named({ netFn: NF, cmd: 0x4c, name: "Set User Payload Access", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x4d, name: "Get User Payload Access", privilege: "operator" }),
  getChannelPayloadSupport,
  named({ netFn: NF, cmd: 0x4f, name: "Get Channel Payload Version", privilege: "user" }),
  named({ netFn: NF, cmd: 0x50, name: "Get Channel OEM Payload Info", privilege: "user" }),
  named({ netFn: NF, cmd: 0x52, name: "Master Write-Read", privilege: "operator" }),
  getChannelCipherSuites,
  named({ netFn: NF, cmd: 0x55, name: "Suspend/Resume Payload Encryption", privilege: "user" }),
  named({ netFn: NF, cmd: 0x56, name: "Set Channel Security Keys", privilege: "admin" }),
];
