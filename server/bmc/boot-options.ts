/**
 * System boot options (IPMI 2.0 section 28.12/28.13, table 28-14): the parameters
 * Set/Get System Boot Options carry. Implemented: 0 set in progress, 1 service
 * partition selector, 2 service partition scan, 3 BMC boot flag valid bit clearing,
 * 4 boot info acknowledge, 5 boot flags. 6 (boot initiator info) and 7 (mailbox)
 * answer 80h, parameter not supported.
 *
 * The boot flags' valid bit clears itself 60 s after it was set, unless a Chassis
 * Control command restarted the countdown, parameter 3 bit 3 says not to, or the flags
 * are persistent; and on a watchdog-caused reset (bit 2) or a host reset (bit 1). All
 * of it persists (the store's "boot-options" setting).
 */
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/fields";
import { invalidField } from "./core";

export const BOOT_PARAM = {
  SET_IN_PROGRESS: 0,
  SERVICE_PARTITION_SELECTOR: 1,
  SERVICE_PARTITION_SCAN: 2,
  VALID_BIT_CLEARING: 3,
  BOOT_INFO_ACKNOWLEDGE: 4,
  BOOT_FLAGS: 5,
} as const;

/** Command-specific completion codes of Set/Get System Boot Options. */
export const CC_BOOT_PARAMETER_NOT_SUPPORTED = 0x80;
export const CC_BOOT_SET_IN_PROGRESS = 0x81;

export const PARAMETER_VERSION = 0x01;
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
const BOOT_FLAGS_VALID = 0x80;
const BOOT_FLAGS_PERSISTENT = 0x40;
const AUTO_CLEAR_MS = 60_000;

const LENGTHS: Readonly<Record<number, number>> = { 0: 1, 1: 1, 2: 1, 3: 1, 4: 2, 5: 5 };

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

/** The data length of an implemented parameter; IpmiError 80h (not supported) for the others. */
function parameterLength(param: number): number {
  const length = LENGTHS[param];
  if (length === undefined) {
    throw new IpmiError(CC_BOOT_PARAMETER_NOT_SUPPORTED, `boot option parameter ${param} is not supported`);
  }
  return length;
}

/** Boot device selector values of parameter 5 byte 2 bits 5:2 that the spec defines. */
const BOOT_DEVICES = new Set([0x0, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, 0x8, 0x9, 0xb, 0xf]);

function checkBootFlags(d: Uint8Array): void {
  const [b1, b2, b3, b4, b5] = [d[0]!, d[1]!, d[2]!, d[3]!, d[4]!];
  if (b1 & 0x1f) invalidField("boot flags byte 1 bits 4:0 are reserved");
  if (!BOOT_DEVICES.has((b2 >> 2) & 0x0f))
    invalidField(`boot device selector ${(b2 >> 2) & 0x0f} is reserved`);
  if ((b3 & 0x03) === 0x03) invalidField("console redirection 11b is reserved");
  if (((b3 >> 5) & 0x03) === 0x03) invalidField("firmware verbosity 11b is reserved");
  if (b4 & 0xf0) invalidField("boot flags byte 4 bits 7:4 are reserved");
  if ((b4 & 0x07) > 2) invalidField(`BIOS mux control override ${b4 & 0x07} is reserved`);
  if (b5 & 0xe0) invalidField("boot flags byte 5 bits 7:5 are reserved");
}

export class BootOptions {
  constructor(
    readonly state: BootOptionsState,
    private readonly now: () => number,
    private readonly changed: () => void,
  ) {}

  /** Set System Boot Options: byte 1 ([7] mark invalid, [6:0] selector), then the parameter data. */
  set(selectorByte: number, data: Uint8Array): void {
    const param = selectorByte & 0x7f;
    const markInvalid = (selectorByte & 0x80) !== 0;
    const length = parameterLength(param);
    if (data.length < length)
      throw new IpmiError(CC.REQUEST_LENGTH_INVALID, `parameter ${param} takes ${length} bytes`);
    if (data.length > length) {
      throw new IpmiError(CC.REQUEST_FIELD_LENGTH_EXCEEDED, `parameter ${param} takes ${length} bytes`);
    }
    const s = this.state;
    const b = data[0]!;
    switch (param) {
      case BOOT_PARAM.SET_IN_PROGRESS: {
        const v = b & 0x03;
        if (b & 0xfc) invalidField("set in progress bits 7:2 are reserved");
        if (v === 3) invalidField("set in progress value 11b is reserved");
        if (v === SET_IN_PROGRESS && s.setInProgress === SET_IN_PROGRESS) {
          throw new IpmiError(CC_BOOT_SET_IN_PROGRESS, "a set is already in progress");
        }
        // Writes take effect at once, so a commit write completes the set.
        s.setInProgress = v === COMMIT_WRITE ? SET_COMPLETE : v;
        break;
      }
      case BOOT_PARAM.SERVICE_PARTITION_SELECTOR:
        s.servicePartitionSelector = b;
        break;
      case BOOT_PARAM.SERVICE_PARTITION_SCAN:
        if (b & 0xfc) invalidField("service partition scan bits 7:2 are reserved");
        s.servicePartitionScan = b;
        break;
      case BOOT_PARAM.VALID_BIT_CLEARING:
        if (b & 0xe0) invalidField("valid bit clearing bits 7:5 are reserved");
        s.validBitClearing = b;
        break;
      case BOOT_PARAM.BOOT_INFO_ACKNOWLEDGE: {
        const ack = data[1]!;
        if (ack & 0xe0) invalidField("boot info acknowledge bits 7:5 are reserved");
        s.bootInfoAcknowledge = (s.bootInfoAcknowledge & ~b) | (ack & b);
        break;
      }
      case BOOT_PARAM.BOOT_FLAGS:
        checkBootFlags(data);
        s.bootFlags = [...data];
        s.countdownFrom = data[0]! & BOOT_FLAGS_VALID ? this.now() : null;
        break;
    }
    s.invalid = markInvalid ? [...new Set([...s.invalid, param])] : s.invalid.filter((p) => p !== param);
    this.changed();
  }

  /** Get System Boot Options response data: version, [7] invalid | selector, parameter data. */
  get(selector: number): number[] {
    const param = selector & 0x7f;
    parameterLength(param); // 80h for a parameter not implemented
    this.expire();
    const s = this.state;
    const head = [PARAMETER_VERSION, (s.invalid.includes(param) ? 0x80 : 0) | param];
    switch (param) {
      case BOOT_PARAM.SET_IN_PROGRESS:
        return [...head, s.setInProgress];
      case BOOT_PARAM.SERVICE_PARTITION_SELECTOR:
        return [...head, s.servicePartitionSelector];
      case BOOT_PARAM.SERVICE_PARTITION_SCAN:
        return [...head, s.servicePartitionScan];
      case BOOT_PARAM.VALID_BIT_CLEARING:
        return [...head, s.validBitClearing];
      case BOOT_PARAM.BOOT_INFO_ACKNOWLEDGE:
        return [...head, 0x00, s.bootInfoAcknowledge];
      default:
        return [...head, ...s.bootFlags];
    }
  }

  /** A Chassis Control command arrived: the 60-second countdown starts over. */
  chassisControl(): void {
    if (this.state.countdownFrom !== null) {
      this.expire();
      if (this.state.countdownFrom !== null) {
        this.state.countdownFrom = this.now();
        this.changed();
      }
    }
  }

  /** A reset of this kind happened: clear the valid bit unless parameter 3 says not to. */
  systemEvent(dontClearBit: number): void {
    if (this.state.validBitClearing & dontClearBit) return;
    this.clearValid();
  }

  private expire(): void {
    const s = this.state;
    if (s.countdownFrom === null) return;
    if (s.validBitClearing & VALID_BIT_CLEARING.TIMEOUT_60S) return;
    if ((s.bootFlags[0] ?? 0) & BOOT_FLAGS_PERSISTENT) return;
    if (this.now() - s.countdownFrom >= AUTO_CLEAR_MS) this.clearValid();
  }

  private clearValid(): void {
    const s = this.state;
    if (!((s.bootFlags[0] ?? 0) & BOOT_FLAGS_VALID) && s.countdownFrom === null) return;
    s.bootFlags = [s.bootFlags[0]! & ~BOOT_FLAGS_VALID, ...s.bootFlags.slice(1)];
    s.countdownFrom = null;
    this.changed();
  }
}
