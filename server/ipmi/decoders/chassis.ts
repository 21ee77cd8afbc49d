/**
 * Chassis (NetFn 00h) command decoders: IPMI 2.0 rev 1.1 section 28.
 */
import { hexByte } from "../hex";
import {
  ascii,
  type BitName,
  bitFields,
  bitsOf,
  type Described,
  dec,
  flags,
  formatNumber,
  h8,
  hexN,
  hexText,
  lookup,
  noData,
  Reader,
  seconds,
  timestamp,
  yesNo,
} from "./reader";
import { channelLabel } from "./records";
import type { DecodedField, DecoderTable } from "./types";

// Get Chassis Capabilities (28.1) ------------------------------------------------------

const CAPABILITIES: readonly BitName[] = [
  [3, "Power interlock"],
  [2, "Diagnostic interrupt (FP NMI)"],
  [1, "Front panel lockout"],
  [0, "Chassis intrusion sensor"],
];

function getChassisCapabilitiesResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u8("Capabilities", flags(CAPABILITIES));
  r.u8("FRU info device address", h8);
  r.u8("SDR device address", h8);
  r.u8("SEL device address", h8);
  r.u8("System management device address", h8);
  r.optional(() => r.u8("Bridge device address", h8));
  return r.finish();
}

// Get Chassis Status (28.2) ------------------------------------------------------------

const RESTORE_POLICIES: ReadonlyMap<number, string> = new Map([
  [0, "Always off (stays powered off after AC returns)"],
  [1, "Previous (restores the state power was in when AC was lost)"],
  [2, "Always on (powers up after AC returns)"],
  [3, "Unknown"],
]);

const POWER_STATE: readonly BitName[] = [
  [4, "Power control fault"],
  [3, "Power fault"],
  [2, "Interlock"],
  [1, "Power overload"],
];

const LAST_POWER_EVENT: readonly BitName[] = [
  [4, "Power on entered via IPMI command"],
  [3, "Power down caused by power fault"],
  [2, "Power down caused by power interlock"],
  [1, "Power down caused by power overload"],
  [0, "AC failed"],
];

const MISC_STATE: readonly BitName[] = [
  [3, "Cooling/fan fault detected"],
  [2, "Drive fault"],
  [1, "Front panel lockout active"],
  [0, "Chassis intrusion active"],
];

const IDENTIFY_STATES = ["off", "temporary (timed) on", "indefinite on", "reserved"];

const FRONT_PANEL: readonly BitName[] = [
  [7, "Standby (sleep) button disable allowed"],
  [6, "Diagnostic interrupt button disable allowed"],
  [5, "Reset button disable allowed"],
  [4, "Power off button disable allowed"],
  [3, "Standby (sleep) button disabled"],
  [2, "Diagnostic interrupt button disabled"],
  [1, "Reset button disabled"],
  [0, "Power off button disabled"],
];

/** The names of the bits set in `v`, or "none". */
function setNames(v: number, bits: readonly BitName[]): string {
  const set = bits.filter(([bit]) => (v >> bit) & 1).map(([, name]) => name);
  return set.length === 0 ? "none" : set.join(", ");
}

const restorePolicy = lookup(RESTORE_POLICIES);

function getChassisStatusResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.multi(1, (v) => [
    ["Power is on", yesNo(v & 1)],
    ["Power restore policy", restorePolicy(bitsOf(v, 6, 5))],
    ["Power faults", { value: setNames(v, POWER_STATE), children: bitFields(v, POWER_STATE) }],
  ]);
  r.u8("Last power event", (v) => ({
    value: setNames(v, LAST_POWER_EVENT),
    children: bitFields(v, LAST_POWER_EVENT),
  }));
  r.u8("Misc chassis state", (v) => {
    const identify =
      v & 0x40 ? IDENTIFY_STATES[bitsOf(v, 5, 4)]! : "not supported (no identify state information)";
    return {
      value: setNames(v, MISC_STATE),
      children: [...bitFields(v, MISC_STATE), { name: "Chassis identify state", value: identify }],
    };
  });
  r.optional(() => r.u8("Front panel button capabilities", flags(FRONT_PANEL)));
  return r.finish();
}

// Chassis Control (28.3), Chassis Identify (28.5), Set Power Restore Policy (28.8) -----

const CHASSIS_CONTROLS: ReadonlyMap<number, string> = new Map([
  [0, "Power down"],
  [1, "Power up"],
  [2, "Power cycle"],
  [3, "Hard reset"],
  [4, "Pulse diagnostic interrupt"],
  [5, "Initiate soft-shutdown via ACPI by emulating a fatal overtemperature"],
]);

function chassisControlRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u8("Chassis control", (v) => lookup(CHASSIS_CONTROLS)(v & 0x0f));
  return r.finish();
}

function chassisIdentifyRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.optional(() => r.u8("Identify interval", (v) => (v === 0 ? "0 (turn off identify)" : seconds(v))));
  r.optional(() => r.u8("Force identify on", (v) => yesNo(v & 1)));
  return r.finish();
}

const SET_RESTORE_POLICIES: ReadonlyMap<number, string> = new Map([
  [0, "Always stay powered off"],
  [1, "Restore power to the state when AC was lost"],
  [2, "Always power up after AC returns"],
  [3, "No change (get the supported policies)"],
]);

const SUPPORTED_POLICIES: readonly BitName[] = [
  [2, "Always powering up after AC returns"],
  [1, "Restoring power to the state when AC was lost"],
  [0, "Staying powered off after AC returns"],
];

function setPowerRestorePolicyRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u8("Power restore policy", (v) => lookup(SET_RESTORE_POLICIES)(v & 7));
  return r.finish();
}

function setPowerRestorePolicyResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u8("Policies supported", flags(SUPPORTED_POLICIES));
  return r.finish();
}

// Get System Restart Cause (28.11) -----------------------------------------------------

const RESTART_CAUSES: ReadonlyMap<number, string> = new Map([
  [0x0, "Unknown"],
  [0x1, "Chassis Control command"],
  [0x2, "Reset via pushbutton"],
  [0x3, "Power-up via power pushbutton"],
  [0x4, "Watchdog expiration"],
  [0x5, "OEM"],
  [0x6, "Automatic power-up on AC being applied due to 'always restore' power restore policy"],
  [0x7, "Automatic power-up on AC being applied due to 'restore previous power state' policy"],
  [0x8, "Reset via PEF"],
  [0x9, "Power-cycle via PEF"],
  [0xa, "Soft reset (e.g. CTRL-ALT-DEL)"],
  [0xb, "Power-up via RTC (system real time clock) wakeup"],
]);

function getSystemRestartCauseResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u8("Restart cause", (v) => lookup(RESTART_CAUSES)(v & 0x0f));
  r.u8("Channel", (v) => channelLabel(v & 0x0f));
  return r.finish();
}

// System boot options (28.12, 28.13) ---------------------------------------------------

const BOOT_PARAMETERS: ReadonlyMap<number, string> = new Map([
  [0, "Set in progress"],
  [1, "Service partition selector"],
  [2, "Service partition scan"],
  [3, "BMC boot flag valid bit clearing"],
  [4, "Boot info acknowledge"],
  [5, "Boot flags"],
  [6, "Boot initiator info"],
  [7, "Boot initiator mailbox"],
]);

const bootParameter = lookup(BOOT_PARAMETERS, (p) => (p >= 96 ? "OEM" : "Reserved"));

const BOOT_DEVICES: ReadonlyMap<number, string> = new Map([
  [0x0, "No override"],
  [0x1, "Force PXE"],
  [0x2, "Force boot from default Hard-drive"],
  [0x3, "Force boot from default Hard-drive, request Safe Mode"],
  [0x4, "Force boot from default Diagnostic Partition"],
  [0x5, "Force boot from default CD/DVD"],
  [0x6, "Force boot into BIOS Setup"],
  [0x7, "Force boot from remotely connected (redirected) Floppy/primary removable media"],
  [0x8, "Force boot from remotely connected (redirected) CD/DVD"],
  [0x9, "Force boot from primary remote media"],
  [0xb, "Force boot from remotely connected (redirected) Hard Drive"],
  [0xf, "Force boot from Floppy/primary removable media"],
]);

const VERBOSITY = ["System default", "Request quiet display", "Request verbose display", "Reserved"];
const CONSOLE_REDIRECTION = [
  "System default (BIOS setting)",
  "Suppress (skip) console redirection",
  "Request console redirection be enabled",
  "Reserved",
];
const MUX_OVERRIDES: ReadonlyMap<number, string> = new Map([
  [0, "Recommended setting at end of POST"],
  [1, "Request mux to BMC at end of POST"],
  [2, "Request mux to system at end of POST"],
]);

const SET_IN_PROGRESS = ["Set complete", "Set in progress", "Commit write", "Reserved"];

const VALID_BIT_CLEARING: readonly BitName[] = [
  [4, "Don't clear on PEF reset/power cycle"],
  [3, "Don't clear if Chassis Control command not received within 60 s"],
  [2, "Don't clear on watchdog reset/power cycle"],
  [1, "Don't clear on pushbutton reset / soft reset"],
  [0, "Don't clear on power up via power pushbutton or wake event"],
];

const BOOT_INFO_PARTIES: readonly BitName[] = [
  [4, "OEM"],
  [3, "SMS"],
  [2, "OS / service partition"],
  [1, "OS loader"],
  [0, "BIOS/POST"],
];

/** Parameter 5, boot flags: five data bytes (table 28-14). */
function readBootFlags(r: Reader): void {
  r.multi(1, (v) => [
    ["Boot flags valid", yesNo(v & 0x80)],
    ["Persistent", v & 0x40 ? "yes (all future boots)" : "no (next boot only)"],
    ["BIOS boot type", v & 0x20 ? "EFI" : "PC compatible (legacy)"],
  ]);
  r.multi(1, (v) => [
    ["CMOS clear", yesNo(v & 0x80)],
    ["Lock keyboard", yesNo(v & 0x40)],
    ["Boot device", lookup(BOOT_DEVICES)(bitsOf(v, 5, 2))],
    ["Screen blank", yesNo(v & 0x02)],
    ["Lock out reset button", yesNo(v & 0x01)],
  ]);
  r.multi(1, (v) => [
    ["Lock out power button", yesNo(v & 0x80)],
    ["Firmware verbosity", VERBOSITY[bitsOf(v, 6, 5)]!],
    ["Force progress event traps", yesNo(v & 0x10)],
    ["User password bypass", yesNo(v & 0x08)],
    ["Lock out sleep button", yesNo(v & 0x04)],
    ["Console redirection", CONSOLE_REDIRECTION[v & 3]!],
  ]);
  r.multi(1, (v) => [
    ["BIOS shared mode override", yesNo(v & 0x08)],
    ["BIOS mux control override", lookup(MUX_OVERRIDES)(v & 7)],
  ]);
  r.u8("Device instance selector", (v) => {
    const n = v & 0x1f;
    if (n === 0) return "0 (default)";
    return n & 0x10 ? `internal device ${n & 0x0f}` : `external device ${n & 0x0f}`;
  });
}

/** The parameter data of boot options parameter `selector`. */
function readBootParameter(r: Reader, selector: number): void {
  switch (selector) {
    case 0:
      r.u8("Set in progress", (v) => SET_IN_PROGRESS[v & 3]!);
      break;
    case 1:
      r.u8("Service partition selector", (v) => (v === 0 ? "00h (unspecified)" : h8(v)));
      break;
    case 2:
      r.multi(1, (v) => [
        ["Request BIOS to scan for service partition", yesNo(v & 2)],
        ["Service partition discovered", yesNo(v & 1)],
      ]);
      break;
    case 3:
      r.u8("Valid bit clearing", flags(VALID_BIT_CLEARING));
      break;
    case 4:
      r.u8("Write mask", h8);
      r.u8("Boot info acknowledge", (v) => ({
        value: hexByte(v),
        // 0b = that party has handled the boot info.
        children: BOOT_INFO_PARTIES.map(([bit, name]) => ({
          name,
          value: (v >> bit) & 1 ? "not handled" : "handled",
        })),
      }));
      break;
    case 5:
      readBootFlags(r);
      break;
    case 6:
      r.u8("Boot source channel", (v) => channelLabel(v & 0x0f));
      r.u32("Session ID", (v) => hexN(v, 8));
      r.u32("Boot info timestamp", timestamp);
      break;
    case 7:
      r.u8("Set selector (block)", dec);
      r.optional(() => r.bytes("Block data", r.remaining, (b): Described => `${hexText(b)} "${ascii(b)}"`));
      break;
    default:
      r.optional(() => r.bytes("Parameter data", r.remaining));
  }
}

function setSystemBootOptionsRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  const first = r.multi(1, (v) => [
    ["Parameter", bootParameter(v & 0x7f)],
    ["Parameter valid", v & 0x80 ? "no (mark invalid / locked)" : "yes (mark valid / unlocked)"],
  ]);
  if (first !== undefined) readBootParameter(r, first & 0x7f);
  return r.finish();
}

function getSystemBootOptionsRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u8("Parameter", (v) => bootParameter(v & 0x7f));
  r.u8("Set selector", dec);
  r.u8("Block selector", dec);
  return r.finish();
}

function getSystemBootOptionsResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u8("Parameter version", (v) => String(v & 0x0f));
  const second = r.multi(1, (v) => [
    ["Parameter", bootParameter(v & 0x7f)],
    ["Parameter valid", v & 0x80 ? "no (invalid / locked)" : "yes (valid / unlocked)"],
  ]);
  if (second !== undefined) readBootParameter(r, second & 0x7f);
  return r.finish();
}

// Get POH Counter (28.14) ---------------------------------------------------------------

function getPohCounterResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  const minutes = r.u8("Minutes per count", dec);
  r.u32("Counter reading", (v) =>
    minutes === undefined ? `${v} counts` : `${v} counts (${formatNumber((v * minutes) / 60)} hours)`,
  );
  return r.finish();
}

export const CHASSIS_DECODERS: DecoderTable = {
  0: { request: noData, response: getChassisCapabilitiesResponse },
  1: { request: noData, response: getChassisStatusResponse },
  2: { request: chassisControlRequest, response: noData },
  4: { request: chassisIdentifyRequest, response: noData },
  6: { request: setPowerRestorePolicyRequest, response: setPowerRestorePolicyResponse },
  7: { request: noData, response: getSystemRestartCauseResponse },
  8: {
    request: setSystemBootOptionsRequest,
    response: noData,
    completionCodes: {
      128: "Parameter not supported",
      129: "Attempt to set 'set in progress' when not in 'set complete' state",
      130: "Attempt to write read-only parameter",
    },
  },
  9: {
    request: getSystemBootOptionsRequest,
    response: getSystemBootOptionsResponse,
    completionCodes: { 128: "Parameter not supported" },
  },
  15: { request: noData, response: getPohCounterResponse },
};
