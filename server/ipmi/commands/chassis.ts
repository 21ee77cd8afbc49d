/**
 * Chassis (NetFn 00h), IPMI 2.0 section 28: every command of table G-1 with its privilege;
 * request and response layouts for the commands this product answers or decodes.
 * Privileges follow table G-1 (cross-checked against OpenIPMI's lanserv privilege table);
 * "none" marks commands allowed outside a session.
 */

import { hexByte } from "../hex";
import {
  bit,
  bits,
  type Codec,
  Cursor,
  dependent,
  type Earlier,
  empty,
  flag,
  type In,
  LayoutError,
  mapped,
  type Out,
  optional,
  rest,
  SHORT,
  struct,
  u8,
  u32,
} from "../layout/codec";
import type { DecodedField } from "../layout/decoded";
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
  hexText,
  lookup,
  seconds,
  timestamp,
} from "../layout/format";
import { layout } from "../layout/layout";
import { NETFN } from "../netfn";
import { channelLabel } from "../spec/labels";
import { type Command, command, named } from "./define";

const NF = NETFN.CHASSIS;

// ---- shared helpers ---------------------------------------------------------------------------

/** A bit group whose value is not the bits' number (a name, the bits left in place). */
type Group<T> = Omit<ReturnType<typeof bit>, "toValue" | "fromValue"> & {
  // Method syntax, as the codec's own groups: bivariant, so a `bits` shape takes it.
  toValue(v: number): T;
  fromValue(v: T): number;
};

/**
 * Bits `hi`..`lo` as they sit in the byte (a mask: Get Chassis Status's power fault bits
 * are 02h-10h), so the value is the domain's mask and the format sees the whole mask.
 */
function inPlace(label: string, lo: number, hi: number, format: (mask: number) => Described): Group<number> {
  const scale = 2 ** lo;
  const width = 2 ** (hi - lo + 1);
  return {
    ...bit(label, lo, hi, (v) => format(v * scale)),
    toValue: (v) => v * scale,
    fromValue: (mask) => {
      if (!Number.isInteger(mask) || mask % scale !== 0 || mask / scale >= width) {
        throw new LayoutError(`${label}: ${mask} has bits outside ${hi}:${lo}`);
      }
      return mask / scale;
    },
  };
}

/** One byte of which only bits `hi`..`lo` mean something (the rest reserved): its value is those bits. */
function lowBits(label: string, lo: number, hi: number, format: (v: number) => Described): Codec<number> {
  return mapped(
    bits(1, { v: bit(label, lo, hi, format) }),
    (x) => x.v,
    (v: number) => ({ v }),
  );
}

/** The names of the bits set in `v`, or "none". */
function setNames(v: number, names: readonly BitName[]): string {
  const set = names.filter(([b]) => (v >> b) & 1).map(([, name]) => name);
  return set.length === 0 ? "none" : set.join(", ");
}

/** A flags byte shown by the names of its set bits, each bit a sub-field. */
const namedFlags =
  (names: readonly BitName[]) =>
  (v: number): Described => ({ value: setNames(v, names), children: bitFields(v, names) });

// ---- Get Chassis Capabilities (28.1) -----------------------------------------------------------

export const getChassisCapabilities = command({
  netFn: NF,
  cmd: 0x00,
  name: "Get Chassis Capabilities",
  privilege: "user",
  request: empty,
  response: struct({
    // Byte 1 bits 7:4 are reserved. Keys as the profile's chassis capabilities.
    capabilities: bits(
      1,
      {
        powerInterlock: flag("Power interlock", 3),
        diagnosticInterrupt: flag("Diagnostic interrupt (FP NMI)", 2),
        frontPanelLockout: flag("Front panel lockout", 1),
        intrusionSensor: flag("Chassis intrusion sensor", 0),
      },
      { label: "Capabilities" },
    ),
    fruDevice: u8("FRU info device address", h8),
    sdrDevice: u8("SDR device address", h8),
    selDevice: u8("SEL device address", h8),
    systemManagementDevice: u8("System management device address", h8),
    bridgeDevice: optional(u8("Bridge device address", h8)),
  }),
});

// ---- Get Chassis Status (28.2) ---------------------------------------------------------------

/** Power restore policy, Get Chassis Status byte 1 bits 6:5, by its code. */
export type PowerRestorePolicy = "always-off" | "previous" | "always-on" | "unknown";
export const POWER_RESTORE_POLICIES: readonly PowerRestorePolicy[] = [
  "always-off",
  "previous",
  "always-on",
  "unknown",
];

const RESTORE_POLICIES: ReadonlyMap<number, string> = new Map([
  [0, "Always off (stays powered off after AC returns)"],
  [1, "Previous (restores the state power was in when AC was lost)"],
  [2, "Always on (powers up after AC returns)"],
  [3, "Unknown"],
]);

const restorePolicy: Group<PowerRestorePolicy> = {
  ...bit("Power restore policy", 5, 6, lookup(RESTORE_POLICIES)),
  toValue: (v) => POWER_RESTORE_POLICIES[v] ?? "unknown",
  // indexOf's -1 for a name the spec has no code for fails the bit group's range check.
  fromValue: (p) => POWER_RESTORE_POLICIES.indexOf(p),
};

const POWER_FAULTS: readonly BitName[] = [
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

/** Byte 3: the misc. state bits, and the identify state (bits 5:4) when bit 6 says it is reported. */
function miscState(v: number): Described {
  const identify =
    v & 0x40 ? IDENTIFY_STATES[bitsOf(v, 5, 4)]! : "not supported (no identify state information)";
  return {
    value: setNames(v, MISC_STATE),
    children: [...bitFields(v, MISC_STATE), { name: "Chassis identify state", value: identify }],
  };
}

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

/** What Get Chassis Status answers; the keys are the chassis status's own. */
export interface ChassisStatusValue {
  powerOn: boolean;
  restorePolicy: PowerRestorePolicy;
  /** Byte 1 bits 4:1, in place (02h overload .. 10h power control fault). */
  powerFaults: number;
  lastPowerEvent: number;
  /** Byte 3 whole: the misc. state bits, the identify state and its "supported" bit. */
  miscState: number;
  /** Optional byte 4: front panel button capabilities and disable/enable status. */
  frontPanelButtons: number | undefined;
}

const chassisStatus = struct({
  power: bits(1, {
    powerOn: flag("Power is on", 0),
    restorePolicy,
    powerFaults: inPlace("Power faults", 1, 4, namedFlags(POWER_FAULTS)),
  }),
  lastPowerEvent: u8("Last power event", namedFlags(LAST_POWER_EVENT)),
  miscState: u8("Misc chassis state", miscState),
  frontPanelButtons: optional(u8("Front panel button capabilities", flags(FRONT_PANEL))),
});

export const getChassisStatus = command({
  netFn: NF,
  cmd: 0x01,
  name: "Get Chassis Status",
  privilege: "user",
  request: empty,
  // Byte 1's bits are flattened into the value beside the other bytes.
  response: mapped(
    chassisStatus,
    ({ power, ...rest }): ChassisStatusValue => ({ ...power, ...rest }),
    (v: ChassisStatusValue) => ({
      power: v,
      lastPowerEvent: v.lastPowerEvent,
      miscState: v.miscState,
      frontPanelButtons: v.frontPanelButtons,
    }),
  ),
});

// ---- Chassis Control (28.3) ------------------------------------------------------------------

const CHASSIS_CONTROLS: ReadonlyMap<number, string> = new Map([
  [0, "Power down"],
  [1, "Power up"],
  [2, "Power cycle"],
  [3, "Hard reset"],
  [4, "Pulse diagnostic interrupt"],
  [5, "Initiate soft-shutdown via ACPI by emulating a fatal overtemperature"],
]);

export const chassisControl = command({
  netFn: NF,
  cmd: 0x02,
  name: "Chassis Control",
  privilege: "operator",
  request: bits(1, {
    control: bit("Chassis control", 0, 3, lookup(CHASSIS_CONTROLS)),
    reserved: bit(undefined, 4, 7),
  }),
  response: empty,
});

// ---- Chassis Identify (28.5) -----------------------------------------------------------------

export const chassisIdentify = command({
  netFn: NF,
  cmd: 0x04,
  name: "Chassis Identify",
  privilege: "operator",
  // Both bytes optional: no interval means the default 15 s.
  request: struct({
    interval: optional(u8("Identify interval", (v) => (v === 0 ? "0 (turn off identify)" : seconds(v)))),
    force: optional(bits(1, { on: flag("Force identify on", 0), reserved: bit(undefined, 1, 7) })),
  }),
  response: empty,
});

// ---- Set Power Restore Policy (28.8) ---------------------------------------------------------

/** Set Power Restore Policy request code 011b: change nothing, answer the supported policies. */
export const POLICY_NO_CHANGE = 0b011;

const SET_RESTORE_POLICIES: ReadonlyMap<number, string> = new Map([
  [0, "Always stay powered off"],
  [1, "Restore power to the state when AC was lost"],
  [2, "Always power up after AC returns"],
  [POLICY_NO_CHANGE, "No change (get the supported policies)"],
]);

export const setPowerRestorePolicy = command({
  netFn: NF,
  cmd: 0x06,
  name: "Set Power Restore Policy",
  privilege: "operator",
  request: bits(1, {
    policy: bit("Power restore policy", 0, 2, lookup(SET_RESTORE_POLICIES)),
    reserved: bit(undefined, 3, 7),
  }),
  // Keyed by the policy each bit says is supported.
  response: bits(
    1,
    {
      "always-on": flag("Always powering up after AC returns", 2),
      previous: flag("Restoring power to the state when AC was lost", 1),
      "always-off": flag("Staying powered off after AC returns", 0),
    },
    { label: "Policies supported" },
  ),
});

// ---- Get System Restart Cause (28.11) ----------------------------------------------------------

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

export const getSystemRestartCause = command({
  netFn: NF,
  cmd: 0x07,
  name: "Get System Restart Cause",
  privilege: "user",
  request: empty,
  // Both bytes have bits 7:4 reserved. Keys as the chassis status's.
  response: struct({
    restartCause: lowBits("Restart cause", 0, 3, lookup(RESTART_CAUSES)),
    restartChannel: lowBits("Channel", 0, 3, channelLabel),
  }),
});

// ---- System boot options (28.12, 28.13, table 28-14) -------------------------------------------

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

/** Parameter 0: set complete (00b), set in progress (01b), commit write (10b). */
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

/** The boot device selectors (parameter 5 byte 2 bits 5:2) the spec defines; the others are reserved. */
export const DEFINED_BOOT_DEVICES: ReadonlySet<number> = new Set(BOOT_DEVICES.keys());

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

/** Parameter 5 byte 5 bits 4:0: 0 the default, bit 4 internal or external, 3:0 the instance. */
function deviceInstance(n: number): string {
  if (n === 0) return "0 (default)";
  return n & 0x10 ? `internal device ${n & 0x0f}` : `external device ${n & 0x0f}`;
}

/** Parameter 5, boot flags: five bytes, each bit group a field of its own as table 28-14 lists them. */
const bootFlagBytes = struct({
  byte1: bits(1, {
    valid: flag("Boot flags valid", 7),
    persistent: flag("Persistent", 6, (v) => (v ? "yes (all future boots)" : "no (next boot only)")),
    efi: flag("BIOS boot type", 5, (v) => (v ? "EFI" : "PC compatible (legacy)")),
    reserved1: bit(undefined, 0, 4),
  }),
  byte2: bits(1, {
    cmosClear: flag("CMOS clear", 7),
    lockKeyboard: flag("Lock keyboard", 6),
    device: bit("Boot device", 2, 5, lookup(BOOT_DEVICES)),
    screenBlank: flag("Screen blank", 1),
    lockResetButton: flag("Lock out reset button", 0),
  }),
  byte3: bits(1, {
    lockPowerButton: flag("Lock out power button", 7),
    verbosity: bit("Firmware verbosity", 5, 6, (v) => VERBOSITY[v]!),
    progressEventTraps: flag("Force progress event traps", 4),
    passwordBypass: flag("User password bypass", 3),
    lockSleepButton: flag("Lock out sleep button", 2),
    consoleRedirection: bit("Console redirection", 0, 1, (v) => CONSOLE_REDIRECTION[v]!),
  }),
  byte4: bits(1, {
    reserved4: bit(undefined, 4, 7),
    sharedModeOverride: flag("BIOS shared mode override", 3),
    muxOverride: bit("BIOS mux control override", 0, 2, lookup(MUX_OVERRIDES)),
  }),
  byte5: bits(1, {
    reserved5: bit(undefined, 5, 7),
    deviceInstance: bit("Device instance selector", 0, 4, deviceInstance),
  }),
});

type BootFlagBytes = Out<typeof bootFlagBytes>;
/** Parameter 5's fields, one flat record (each key belongs to one byte). */
export type BootFlags = BootFlagBytes["byte1"] &
  BootFlagBytes["byte2"] &
  BootFlagBytes["byte3"] &
  BootFlagBytes["byte4"] &
  BootFlagBytes["byte5"];

const bootFlagsData: Codec<BootFlags> = mapped(
  bootFlagBytes,
  ({ byte1, byte2, byte3, byte4, byte5 }): BootFlags => ({
    ...byte1,
    ...byte2,
    ...byte3,
    ...byte4,
    ...byte5,
  }),
  // Each byte's bit groups take their own keys of the flat record.
  (f: BootFlags) => ({ byte1: f, byte2: f, byte3: f, byte4: f, byte5: f }),
);

/** Parameter 5 on its own: the BMC keeps the boot flags as these five bytes. */
export const bootFlagsLayout = layout(bootFlagsData);

/** A parameter's data with its kind, so a value says which parameter it is. */
function tagged<K extends string, O extends object, I extends object>(
  kind: K,
  codec: Codec<O, I>,
): Codec<{ kind: K } & O, { kind: K } & I> {
  return mapped(
    codec,
    (v): { kind: K } & O => ({ ...v, kind }),
    (v: { kind: K } & I): I => {
      if (v.kind !== kind)
        throw new LayoutError(`boot option data of ${v.kind} where the selector says ${kind}`);
      return v;
    },
  );
}

/** Table 28-14, parameters 0-7, by selector. */
const BOOT_PARAMETER_DATA = [
  tagged(
    "set-in-progress",
    bits(1, {
      state: bit("Set in progress", 0, 1, (v) => SET_IN_PROGRESS[v]!),
      reserved: bit(undefined, 2, 7),
    }),
  ),
  tagged(
    "service-partition-selector",
    struct({
      selector: u8("Service partition selector", (v) => (v === 0 ? "00h (unspecified)" : h8(v))),
    }),
  ),
  tagged(
    "service-partition-scan",
    bits(1, {
      requestScan: flag("Request BIOS to scan for service partition", 1),
      discovered: flag("Service partition discovered", 0),
      reserved: bit(undefined, 2, 7),
    }),
  ),
  // A mask of "don't clear" bits, bits 7:5 reserved.
  tagged("valid-bit-clearing", struct({ dontClear: u8("Valid bit clearing", flags(VALID_BIT_CLEARING)) })),
  tagged(
    "boot-info-acknowledge",
    struct({
      // Set: which acknowledge bits to write. Get: 00h.
      writeMask: u8("Write mask", h8),
      // 0b = that party has handled the boot info; bits 7:5 reserved.
      acknowledge: u8("Boot info acknowledge", (v) => ({
        value: hexByte(v),
        children: BOOT_INFO_PARTIES.map(
          ([b, name]): DecodedField => ({ name, value: (v >> b) & 1 ? "not handled" : "handled" }),
        ),
      })),
    }),
  ),
  tagged("boot-flags", bootFlagsData),
  tagged(
    "boot-initiator-info",
    struct({
      source: bits(1, {
        channel: bit("Boot source channel", 0, 3, channelLabel),
        reserved: bit(undefined, 4, 7),
      }),
      sessionId: u32("Session ID"),
      timestamp: u32("Boot info timestamp", timestamp),
    }),
  ),
  tagged(
    "boot-initiator-mailbox",
    struct({
      block: u8("Set selector (block)", dec),
      // 16 bytes a block; block 0 starts with the IANA number of the data's owner.
      data: rest("Block data", 16, (b): Described => `${hexText(b)} "${ascii(b)}"`),
    }),
  ),
] as const;

/** OEM (96-127) and reserved parameters: bytes whose layout the spec does not give. */
const OTHER_PARAMETER_DATA = tagged("other", struct({ data: rest("Parameter data", 253) }));

type AnyParameterCodec = (typeof BOOT_PARAMETER_DATA)[number] | typeof OTHER_PARAMETER_DATA;

/** A boot option parameter's data as read, its `kind` naming the parameter. */
export type BootParameterData = Out<AnyParameterCodec>;
/** A boot option parameter's data to write. */
export type BootParameterDataIn = In<AnyParameterCodec>;

const ALL_PARAMETER_DATA: readonly Codec<BootParameterData, BootParameterDataIn>[] = [
  ...BOOT_PARAMETER_DATA,
  OTHER_PARAMETER_DATA,
];

/** The parameter selector of the struct's `parameter` byte, when it was read. */
function selectorOf(earlier: Earlier): number | undefined {
  const p = earlier.parameter;
  return typeof p === "object" && p !== null && "selector" in p && typeof p.selector === "number"
    ? p.selector
    : undefined;
}

/** The parameter data, laid out as the selector before it says (Set and Get share it). */
const parameterData = dependent<BootParameterData, BootParameterDataIn>(
  {
    minLength: Math.min(...ALL_PARAMETER_DATA.map((c) => c.minLength)),
    maxLength: Math.max(...ALL_PARAMETER_DATA.map((c) => c.maxLength)),
  },
  (earlier) => {
    const selector = selectorOf(earlier);
    return (selector === undefined ? undefined : BOOT_PARAMETER_DATA[selector]) ?? OTHER_PARAMETER_DATA;
  },
);

/** Boot options completion code 80h (28.12, 28.13). */
export const CC_PARAMETER_NOT_SUPPORTED = 0x80;
/** Set System Boot Options 81h: "set in progress" while a set is already in progress (28.12). */
export const CC_SET_IN_PROGRESS = 0x81;
/** Set System Boot Options 82h (28.12). */
export const CC_READ_ONLY_PARAMETER = 0x82;

/** Set System Boot Options byte 1. */
const setParameter = bits(1, {
  selector: bit("Parameter", 0, 6, bootParameter),
  invalid: flag("Parameter valid", 7, (v) =>
    v ? "no (mark invalid / locked)" : "yes (mark valid / unlocked)",
  ),
});

export const setSystemBootOptions = command({
  netFn: NF,
  cmd: 0x08,
  name: "Set System Boot Options",
  privilege: "operator",
  completionCodes: {
    [CC_PARAMETER_NOT_SUPPORTED]: "Parameter not supported",
    [CC_SET_IN_PROGRESS]: "Attempt to set 'set in progress' when not in 'set complete' state",
    [CC_READ_ONLY_PARAMETER]: "Attempt to write read-only parameter",
  },
  request: struct({ parameter: setParameter, data: parameterData }),
  response: empty,
});

/**
 * The parameter a Set System Boot Options request names, read before its data is checked
 * against the parameter's layout: a BMC answers 80h to a parameter it does not implement,
 * whatever data follows it (28.12). Undefined when the request is empty.
 */
export function setBootOptionsParameter(data: Uint8Array): number | undefined {
  const v = setParameter.read(new Cursor(data));
  return v === SHORT ? undefined : v.selector;
}

export const getSystemBootOptions = command({
  netFn: NF,
  cmd: 0x09,
  name: "Get System Boot Options",
  privilege: "operator",
  completionCodes: { [CC_PARAMETER_NOT_SUPPORTED]: "Parameter not supported" },
  request: struct({
    parameter: bits(1, {
      selector: bit("Parameter", 0, 6, bootParameter),
      reserved: bit(undefined, 7),
    }),
    setSelector: u8("Set selector", dec),
    blockSelector: u8("Block selector", dec),
  }),
  response: struct({
    // Bits 7:4 reserved.
    version: lowBits("Parameter version", 0, 3, String),
    parameter: bits(1, {
      selector: bit("Parameter", 0, 6, bootParameter),
      invalid: flag("Parameter valid", 7, (v) => (v ? "no (invalid / locked)" : "yes (valid / unlocked)")),
    }),
    data: parameterData,
  }),
});

// ---- Get POH Counter (28.14) -----------------------------------------------------------------

export const getPohCounter = command({
  netFn: NF,
  cmd: 0x0f,
  name: "Get POH Counter",
  privilege: "user",
  request: empty,
  response: struct({
    minutesPerCount: u8("Minutes per count", dec),
    counter: dependent({ minLength: 4, maxLength: 4 }, (earlier) => {
      const minutes = earlier.minutesPerCount;
      return u32("Counter reading", (v) =>
        typeof minutes === "number"
          ? `${v} counts (${formatNumber((v * minutes) / 60)} hours)`
          : `${v} counts`,
      );
    }),
  }),
});

// ---- the netfn's table ---------------------------------------------------------------------------

export const CHASSIS_COMMANDS: readonly Command[] = [
  getChassisCapabilities,
  getChassisStatus,
  chassisControl,
  named({ netFn: NF, cmd: 0x03, name: "Chassis Reset", privilege: "operator" }),
  chassisIdentify,
  named({ netFn: NF, cmd: 0x05, name: "Set Chassis Capabilities", privilege: "admin" }),
  setPowerRestorePolicy,
  getSystemRestartCause,
  setSystemBootOptions,
  getSystemBootOptions,
  named({ netFn: NF, cmd: 0x0a, name: "Set Front Panel Button Enables", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x0b, name: "Set Power Cycle Interval", privilege: "admin" }),
  getPohCounter,
];
