/**
 * System boot options (IPMI 2.0 section 28.12/28.13, table 28-14): the parameters
 * Set/Get System Boot Options carry, laid out in the command table
 * (server/ipmi/commands/chassis.ts). Implemented: 0 set in progress, 1 service
 * partition selector, 2 service partition scan, 3 BMC boot flag valid bit clearing,
 * 4 boot info acknowledge, 5 boot flags. 6 (boot initiator info), 7 (mailbox) and the
 * OEM and reserved parameters answer 80h, parameter not supported.
 *
 * The boot flags' valid bit clears itself 60 s after it was set, unless a Chassis
 * Control command restarted the countdown, parameter 3 bit 3 says not to, or the flags
 * are persistent; and on a watchdog-caused reset (bit 2) or a host reset (bit 1). All
 * of it persists: every change is emitted (`onChange`) and the persistence module
 * stores it (the store's "boot-options" setting).
 */
import {
  type BootFlags,
  type BootParameterData,
  type BootParameterDataIn,
  bootFlagsLayout,
  CC_PARAMETER_NOT_SUPPORTED,
  CC_SET_IN_PROGRESS,
  DEFINED_BOOT_DEVICES,
} from "../ipmi/commands/chassis";
import { IpmiError } from "../ipmi/ipmi-error";
import type { BmcClock } from "./clock";
import { Emitter } from "./emitter";
import { invalidField } from "./invalid-field";
import type { ResetKind } from "./reset";

/** Command-specific completion codes of Set/Get System Boot Options (28.12, 28.13). */
export const CC_BOOT_PARAMETER_NOT_SUPPORTED = CC_PARAMETER_NOT_SUPPORTED;
export const CC_BOOT_SET_IN_PROGRESS = CC_SET_IN_PROGRESS;

/** Get System Boot Options byte 1: this implementation's parameters are version 1. */
export const PARAMETER_VERSION = 0x01;
/** Parameter 0 states. */
const SET_COMPLETE = 0;
const SET_IN_PROGRESS = 1;
const COMMIT_WRITE = 2;
/** Parameter 3 bits: don't clear the valid bit on ... */
export const VALID_BIT_CLEARING = {
  POWER_BUTTON_OR_WAKE: 0x01,
  RESET_BUTTON_OR_SOFT_RESET: 0x02,
  WATCHDOG: 0x04,
  TIMEOUT_60S: 0x08,
  PEF: 0x10,
} as const;
/** Parameter 3 bits 7:5 and parameter 4's acknowledge bits 7:5 are reserved. */
const RESERVED_7_5 = 0xe0;
/** Parameter 2, as kept: bit 1 "request BIOS to scan", bit 0 "service partition discovered". */
const SCAN_REQUESTED = 0x02;
const SCAN_DISCOVERED = 0x01;
const AUTO_CLEAR_MS = 60_000;

/** Set System Boot Options' request, as the command table reads it. */
export interface SetBootOption {
  parameter: { selector: number; invalid: boolean };
  data: BootParameterDataIn;
}

/** Get System Boot Options' response, as the command table writes it. */
export interface BootOptionReport {
  version: number;
  parameter: { selector: number; invalid: boolean };
  data: BootParameterData;
}

export interface BootOptionsState {
  setInProgress: number;
  servicePartitionSelector: number;
  servicePartitionScan: number;
  validBitClearing: number;
  bootInfoAcknowledge: number;
  bootFlags: number[];
  /** Parameters marked invalid/locked (Set byte 1 bit 7). */
  invalid: number[];
  /** Clock time (ms) the 60-second valid-bit countdown started; null when not counting. */
  countdownFrom: number | null;
}

export function createBootOptions(): BootOptionsState {
  return {
    setInProgress: SET_COMPLETE,
    servicePartitionSelector: 0,
    servicePartitionScan: 0,
    validBitClearing: 0,
    bootInfoAcknowledge: 0,
    bootFlags: [0, 0, 0, 0, 0],
    invalid: [],
    countdownFrom: null,
  };
}

/** Checks a restored value field by field; anything odd yields the defaults. */
export function restoreBootOptions(value: unknown): BootOptionsState | null {
  if (typeof value !== "object" || value === null) return null;
  const v = value as Partial<BootOptionsState>;
  const isByte = (n: unknown): n is number =>
    Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xff;
  if (
    !isByte(v.setInProgress) ||
    !isByte(v.servicePartitionSelector) ||
    !isByte(v.servicePartitionScan) ||
    !isByte(v.validBitClearing) ||
    !isByte(v.bootInfoAcknowledge) ||
    !Array.isArray(v.bootFlags) ||
    v.bootFlags.length !== 5 ||
    !v.bootFlags.every(isByte) ||
    !Array.isArray(v.invalid) ||
    !v.invalid.every(isByte) ||
    !(v.countdownFrom === null || typeof v.countdownFrom === "number")
  ) {
    return null;
  }
  return {
    ...createBootOptions(),
    ...v,
    // A set in progress does not survive a restart.
    setInProgress: SET_COMPLETE,
    bootFlags: [...v.bootFlags],
    invalid: [...v.invalid],
  } as BootOptionsState;
}

/** The parameters this BMC implements (table 28-14, 0-5); Set and Get answer 80h to the others. */
const IMPLEMENTED = new Set([0, 1, 2, 3, 4, 5]);

/** Parameter 5's reserved bits and reserved codes (table 28-14) are refused with CCh. */
function checkBootFlags(f: BootFlags): void {
  if (f.reserved1 !== 0) invalidField("boot flags byte 1 bits 4:0 are reserved");
  if (!DEFINED_BOOT_DEVICES.has(f.device)) invalidField(`boot device selector ${f.device} is reserved`);
  if (f.consoleRedirection === 3) invalidField("console redirection 11b is reserved");
  if (f.verbosity === 3) invalidField("firmware verbosity 11b is reserved");
  if (f.reserved4 !== 0) invalidField("boot flags byte 4 bits 7:4 are reserved");
  if (f.muxOverride > 2) invalidField(`BIOS mux control override ${f.muxOverride} is reserved`);
  if (f.reserved5 !== 0) invalidField("boot flags byte 5 bits 7:5 are reserved");
}

export class BootOptions {
  private readonly s: BootOptionsState;
  private readonly changes = new Emitter<Readonly<BootOptionsState>>();

  /** Starts from `restored` (what was saved before a restart) or the defaults. */
  constructor(
    private readonly clock: BmcClock,
    restored: BootOptionsState | null = null,
  ) {
    this.s = restored ?? createBootOptions();
  }

  /** Everything the parameters hold, as persisted. */
  get state(): Readonly<BootOptionsState> {
    return this.s;
  }

  /** Called with the state after each change. */
  onChange(listener: (state: Readonly<BootOptionsState>) => void): () => void {
    return this.changes.on(listener);
  }

  /** IpmiError 80h, parameter not supported, for a parameter this BMC does not implement. */
  requireImplemented(selector: number): void {
    if (!IMPLEMENTED.has(selector)) {
      throw new IpmiError(
        CC_BOOT_PARAMETER_NOT_SUPPORTED,
        `boot option parameter ${selector} is not supported`,
      );
    }
  }

  /**
   * Set System Boot Options (28.12): the parameter's data, marked valid or invalid/locked.
   * 80h for a parameter not implemented, CCh for reserved bits and codes, 81h for a second
   * "set in progress".
   */
  set({ parameter: { selector, invalid }, data }: SetBootOption): void {
    this.requireImplemented(selector);
    const s = this.s;
    switch (data.kind) {
      case "set-in-progress": {
        if (data.reserved !== 0) invalidField("set in progress bits 7:2 are reserved");
        if (data.state === 3) invalidField("set in progress value 11b is reserved");
        if (data.state === SET_IN_PROGRESS && s.setInProgress === SET_IN_PROGRESS) {
          throw new IpmiError(CC_BOOT_SET_IN_PROGRESS, "a set is already in progress");
        }
        // Writes take effect at once, so a commit write completes the set.
        s.setInProgress = data.state === COMMIT_WRITE ? SET_COMPLETE : data.state;
        break;
      }
      case "service-partition-selector":
        s.servicePartitionSelector = data.selector;
        break;
      case "service-partition-scan":
        if (data.reserved !== 0) invalidField("service partition scan bits 7:2 are reserved");
        s.servicePartitionScan =
          (data.requestScan ? SCAN_REQUESTED : 0) | (data.discovered ? SCAN_DISCOVERED : 0);
        break;
      case "valid-bit-clearing":
        if (data.dontClear & RESERVED_7_5) invalidField("valid bit clearing bits 7:5 are reserved");
        s.validBitClearing = data.dontClear;
        break;
      case "boot-info-acknowledge":
        if (data.acknowledge & RESERVED_7_5) invalidField("boot info acknowledge bits 7:5 are reserved");
        // Only the bits the write mask enables change.
        s.bootInfoAcknowledge =
          (s.bootInfoAcknowledge & ~data.writeMask) | (data.acknowledge & data.writeMask);
        break;
      case "boot-flags":
        checkBootFlags(data);
        s.bootFlags = [...bootFlagsLayout.pack(data)];
        s.countdownFrom = data.valid ? this.clock.now() : null;
        break;
      default:
        // requireImplemented let through only parameters 0-5, each of its own kind above.
        throw new IpmiError(
          CC_BOOT_PARAMETER_NOT_SUPPORTED,
          `boot option parameter ${selector} is not supported`,
        );
    }
    s.invalid = invalid ? [...new Set([...s.invalid, selector])] : s.invalid.filter((p) => p !== selector);
    this.changed();
  }

  /** Get System Boot Options (28.13): the parameter's data and whether it is marked invalid; 80h for the others. */
  get(selector: number): BootOptionReport {
    this.requireImplemented(selector);
    this.expire();
    return {
      version: PARAMETER_VERSION,
      parameter: { selector, invalid: this.s.invalid.includes(selector) },
      data: this.data(selector),
    };
  }

  private data(selector: number): BootParameterData {
    const s = this.s;
    switch (selector) {
      case 0:
        return { kind: "set-in-progress", state: s.setInProgress, reserved: 0 };
      case 1:
        return { kind: "service-partition-selector", selector: s.servicePartitionSelector };
      case 2:
        return {
          kind: "service-partition-scan",
          requestScan: (s.servicePartitionScan & SCAN_REQUESTED) !== 0,
          discovered: (s.servicePartitionScan & SCAN_DISCOVERED) !== 0,
          reserved: 0,
        };
      case 3:
        return { kind: "valid-bit-clearing", dontClear: s.validBitClearing };
      case 4:
        // The write mask reads back as 00h.
        return { kind: "boot-info-acknowledge", writeMask: 0, acknowledge: s.bootInfoAcknowledge };
      default:
        return { kind: "boot-flags", ...this.bootFlags() };
    }
  }

  /** A Chassis Control command arrived: the 60-second countdown starts over. */
  chassisControl(): void {
    if (this.s.countdownFrom !== null) {
      this.expire();
      if (this.s.countdownFrom !== null) {
        this.s.countdownFrom = this.clock.now();
        this.changed();
      }
    }
  }

  /** A reset of this kind happened: clear the valid bit unless parameter 3 says not to. */
  systemEvent(dontClearBit: number): void {
    if (this.s.validBitClearing & dontClearBit) return;
    this.clearValid();
  }

  /**
   * A BMC reset (20.2, 20.3) abandons a set in progress; the parameters themselves are
   * non-volatile and stay. A host reset is a system event (systemEvent), not this.
   */
  reset(kind: ResetKind): void {
    if (kind === "host" || this.s.setInProgress === SET_COMPLETE) return;
    this.s.setInProgress = SET_COMPLETE;
    this.changed();
  }

  private changed(): void {
    this.changes.emit(this.s);
  }

  /** Parameter 5 as kept: its five bytes, read with the command table's layout. */
  private bootFlags(): BootFlags {
    return bootFlagsLayout.unpack(Uint8Array.from(this.s.bootFlags));
  }

  private expire(): void {
    const s = this.s;
    if (s.countdownFrom === null) return;
    if (s.validBitClearing & VALID_BIT_CLEARING.TIMEOUT_60S) return;
    if (this.bootFlags().persistent) return;
    if (this.clock.now() - s.countdownFrom >= AUTO_CLEAR_MS) this.clearValid();
  }

  private clearValid(): void {
    const s = this.s;
    const flags = this.bootFlags();
    if (!flags.valid && s.countdownFrom === null) return;
    s.bootFlags = [...bootFlagsLayout.pack({ ...flags, valid: false })];
    s.countdownFrom = null;
    this.changed();
  }
}
