/**
 * App (NetFn 06h) command decoders: IPMI 2.0 rev 1.1 sections 20 (IPM device global),
 * 27 (watchdog), 22 (BMC device and messaging).
 */
import { hexByte } from "../hex";
import {
  type BitName,
  bcd,
  type Described,
  dec,
  flags,
  guid,
  h8,
  h16,
  hexText,
  lookup,
  noData,
  Reader,
  seconds,
  version,
  yesNo,
} from "./reader";
import { byteCount, channelLabel, DEVICE_SUPPORT } from "./records";
import {
  ACPI_DEVICE_POWER_STATES,
  ACPI_SYSTEM_POWER_STATES,
  CHANNEL_MEDIUM_TYPES,
  CHANNEL_PROTOCOL_TYPES,
  ianaLabel,
  PRIVILEGE_LEVELS,
  TIMER_USES,
} from "./tables";
import type { DecodedField, DecoderTable } from "./types";

// Get Device ID (20.1) ------------------------------------------------------------------

function firmwareRevision(b: Uint8Array): Described {
  const major = b[0]! & 0x7f;
  const minor = bcd(b[1]!) ?? `${hexByte(b[1]!)} (not BCD)`;
  return {
    value: `${major}.${minor}`,
    children: [
      {
        name: "Device available",
        value:
          b[0]! & 0x80
            ? "no: firmware, SDR update or self-initialization in progress"
            : "yes: normal operation",
      },
    ],
  };
}

function getDeviceIdResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u8("Device ID", h8);
  r.multi(1, (v) => [
    ["Device revision", String(v & 0x0f)],
    ["Provides device SDRs", yesNo(v & 0x80)],
  ]);
  r.bytes("Firmware revision", 2, firmwareRevision);
  r.u8("IPMI version", (v) => `${version(v)} (${hexByte(v)})`);
  r.u8("Additional device support", flags(DEVICE_SUPPORT));
  r.u24("Manufacturer ID", (v) => ianaLabel(v & 0x0fffff));
  r.u16("Product ID", (v) => `${h16(v)} (${v})`);
  r.optional(() => r.bytes("Aux firmware revision", 4));
  return r.finish();
}

// Get Self Test Results (20.4) ----------------------------------------------------------

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

function getSelfTestResultsResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  const result = r.u8("Result", lookup(SELF_TEST_RESULTS, "Device-specific internal failure"));
  if (result === 0x57) r.u8("Failures", flags(SELF_TEST_57H));
  else if (result === 0x58) r.u8("Device-specific failure code", h8);
  else if (result === 0x55 || result === 0x56)
    r.u8("Detail", (v) => (v === 0 ? "00h" : `${hexByte(v)} (expected 00h)`));
  else r.u8("Detail", h8);
  return r.finish();
}

// ACPI power state (20.6, 20.7) -------------------------------------------------------

const systemPowerState = lookup(ACPI_SYSTEM_POWER_STATES);
const devicePowerState = lookup(ACPI_DEVICE_POWER_STATES);

function setAcpiPowerStateRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.multi(1, (v) => [
    ["Set system power state", yesNo(v & 0x80)],
    ["System power state", systemPowerState(v & 0x7f)],
  ]);
  r.multi(1, (v) => [
    ["Set device power state", yesNo(v & 0x80)],
    ["Device power state", devicePowerState(v & 0x7f)],
  ]);
  return r.finish();
}

function getAcpiPowerStateResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u8("System power state", (v) => systemPowerState(v & 0x7f));
  r.u8("Device power state", (v) => devicePowerState(v & 0x7f));
  return r.finish();
}

// GUIDs (20.8, 22.14) -------------------------------------------------------------------

function guidResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.bytes("GUID", 16, guid);
  return r.finish();
}

// Watchdog (27.6, 27.7) -----------------------------------------------------------------

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

const timerUse = lookup(TIMER_USES);
const preTimeoutInterrupt = lookup(PRE_TIMEOUT_INTERRUPTS);
const timeoutAction = lookup(TIMEOUT_ACTIONS);

/** Countdown values count 100 ms. */
function countdown(v: number): string {
  return seconds(v / 10);
}

function readTimerFields(r: Reader, get: boolean): void {
  r.multi(1, (v) => [
    ["Timer use", timerUse(v & 7)],
    ["Don't log", yesNo(v & 0x80)],
    get ? ["Timer running", yesNo(v & 0x40)] : ["Don't stop timer", yesNo(v & 0x40)],
  ]);
  r.multi(1, (v) => [
    ["Pre-timeout interrupt", preTimeoutInterrupt((v >> 4) & 7)],
    ["Timeout action", timeoutAction(v & 7)],
  ]);
  r.u8("Pre-timeout interval", seconds);
  r.u8(get ? "Timer use expiration flags" : "Timer use expiration flags clear", flags(EXPIRATION_FLAGS));
  r.u16("Initial countdown", countdown);
}

function setWatchdogTimerRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  readTimerFields(r, false);
  return r.finish();
}

function getWatchdogTimerResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  readTimerFields(r, true);
  r.u16("Present countdown", countdown);
  return r.finish();
}

// BMC global enables, message flags (22.1, 22.2, 22.3, 22.4) ---------------------------

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

function oneByte(name: string, bits: readonly BitName[]): (data: Uint8Array) => DecodedField[] {
  return (data) => {
    const r = new Reader(data);
    r.u8(name, flags(bits));
    return r.finish();
  };
}

// Get BT Interface Capabilities (22.10) ------------------------------------------------

function getBtCapabilitiesResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u8("Outstanding requests supported", dec);
  r.u8("Input buffer size", byteCount);
  r.u8("Output buffer size", byteCount);
  r.u8("Request-to-response time", seconds);
  r.u8("Recommended retries", dec);
  return r.finish();
}

// Channels (22.22-22.24) ----------------------------------------------------------------

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

const accessMode = lookup(ACCESS_MODES);
const privilegeLevel = lookup(PRIVILEGE_LEVELS);

function enabledWhenClear(v: number, bit: number): string {
  return (v >> bit) & 1 ? "disabled" : "enabled";
}

function accessByteFields(v: number): Array<[string, Described]> {
  return [
    ["PEF alerting", enabledWhenClear(v, 5)],
    ["Per-message authentication", enabledWhenClear(v, 4)],
    ["User level authentication", enabledWhenClear(v, 3)],
    ["Access mode", accessMode(v & 7)],
  ];
}

function channelNumber(r: Reader): void {
  r.u8("Channel number", (v) => channelLabel(v & 0x0f));
}

function setChannelAccessRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  channelNumber(r);
  r.multi(1, (v) => [["Channel access", lookup(ACCESS_SET)(v >> 6)], ...accessByteFields(v)]);
  r.multi(1, (v) => [
    ["Privilege level limit change", lookup(ACCESS_SET)(v >> 6)],
    ["Channel privilege level limit", privilegeLevel(v & 0x0f)],
  ]);
  return r.finish();
}

function getChannelAccessRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  channelNumber(r);
  r.u8("Access to get", (v) => lookup(ACCESS_GET)(v >> 6));
  return r.finish();
}

function getChannelAccessResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.multi(1, accessByteFields);
  r.u8("Channel privilege level limit", (v) => privilegeLevel(v & 0x0f));
  return r.finish();
}

function getChannelInfoRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  channelNumber(r);
  return r.finish();
}

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

function getChannelInfoResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  const channel = r.u8("Channel number", (v) => channelLabel(v & 0x0f));
  r.u8("Channel medium type", (v) =>
    lookup(CHANNEL_MEDIUM_TYPES, (c) => (c >= 0x60 ? "OEM" : "Reserved"))(v & 0x7f),
  );
  r.u8("Channel protocol type", (v) =>
    lookup(CHANNEL_PROTOCOL_TYPES, (c) => (c >= 0x1c ? "OEM" : "Reserved"))(v & 0x1f),
  );
  r.multi(1, (v) => [
    ["Session support", SESSION_SUPPORT[v >> 6]!],
    ["Active sessions", String(v & 0x3f)],
  ]);
  r.u24("Vendor ID", ianaLabel);
  if (channel !== undefined && (channel & 0x0f) === 0x0f) {
    r.u8("SMS interrupt type", interruptType);
    r.u8("Event message buffer interrupt type", interruptType);
  } else {
    r.bytes("Auxiliary channel info", 2, hexText);
  }
  return r.finish();
}

export const APP_DECODERS: DecoderTable = {
  1: { request: noData, response: getDeviceIdResponse },
  2: { request: noData, response: noData },
  3: { request: noData, response: noData },
  4: { request: noData, response: getSelfTestResultsResponse },
  6: { request: setAcpiPowerStateRequest, response: noData },
  7: { request: noData, response: getAcpiPowerStateResponse },
  8: { request: noData, response: guidResponse },
  34: {
    request: noData,
    response: noData,
    completionCodes: { 128: "Attempt to start un-initialized watchdog" },
  },
  36: { request: setWatchdogTimerRequest, response: noData },
  37: { request: noData, response: getWatchdogTimerResponse },
  46: { request: oneByte("BMC global enables", GLOBAL_ENABLES), response: noData },
  47: { request: noData, response: oneByte("BMC global enables", GLOBAL_ENABLES) },
  48: { request: oneByte("Flags to clear", CLEAR_MESSAGE_FLAGS), response: noData },
  49: { request: noData, response: oneByte("Message flags", MESSAGE_FLAGS) },
  54: { request: noData, response: getBtCapabilitiesResponse },
  55: { request: noData, response: guidResponse },
  64: {
    request: setChannelAccessRequest,
    response: noData,
    completionCodes: {
      130: "Set not supported on selected channel",
      131: "Access mode not supported",
    },
  },
  65: {
    request: getChannelAccessRequest,
    response: getChannelAccessResponse,
    completionCodes: { 130: "Command not supported for selected channel" },
  },
  66: { request: getChannelInfoRequest, response: getChannelInfoResponse },
};
