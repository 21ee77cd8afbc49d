/**
 * What every handler of the BMC shares: the profile, the state and the parts that
 * hold the rest of it. Handlers take this object and stay synchronous: they change
 * memory and hand persistent changes to the store, which writes them behind.
 */
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/fields";
import type { HandlerContext } from "../router/types";
import type { BootOptions } from "./boot-options";
import type { Chassis } from "./chassis";
import type { FruDevice } from "./fru";
import type { BmcProfile } from "./profile";
import type { SdrRepository } from "./sdr";
import type { Sel, SystemEvent } from "./sel";
import type { SensorRuntime, Sensors } from "./sensors";
import type { BmcState } from "./state";
import type { BmcStore } from "./store";
import type { Watchdog } from "./watchdog";

/**
 * Most record bytes one Get SDR, Get SEL Entry or Read FRU Data answers; more is CAh
 * ("cannot return number of requested data bytes"), and ipmitool then asks for less.
 * It keeps every response within a BT frame (251 data bytes) with room to spare.
 */
export const MAX_READ_BYTES = 240;

/** Get SDR / Get SEL Entry "bytes to read" value for the whole record. */
export const READ_ENTIRE_RECORD = 0xff;

/**
 * The bytes a Get SDR or Get SEL Entry asks for from `offset` (which the caller has
 * checked is inside the record): FFh reads to the end, a count past the end what there is.
 */
export function readPart(record: Uint8Array, offset: number, count: number): Uint8Array {
  return count === READ_ENTIRE_RECORD ? record.subarray(offset) : record.subarray(offset, offset + count);
}

/**
 * The reservation of the SDR repository or of the SEL (33.11, 31.4): a new one cancels
 * the previous, and so does a BMC reset. 0000h is never handed out.
 */
export class Reservation {
  private id = 0;

  /** The current reservation id; 0 when there is none. */
  get current(): number {
    return this.id;
  }

  take(): number {
    this.id = (this.id % 0xffff) + 1;
    return this.id;
  }

  cancel(): void {
    this.id = 0;
  }

  /** Throws C5h unless `id` is the current reservation (or 0 where `required` is false). */
  check(id: number, required: boolean): void {
    if (id === 0 && !required) return;
    if (id === 0 || id !== this.id) {
      throw new IpmiError(
        CC.RESERVATION_INVALID,
        id === 0 ? "this needs a reservation" : `reservation ${id} is not current`,
      );
    }
  }
}

export interface BmcCore {
  readonly profile: BmcProfile;
  readonly state: BmcState;
  readonly watchdog: Watchdog;
  readonly sel: Sel;
  readonly sdr: SdrRepository;
  readonly sensors: Sensors;
  readonly fru: ReadonlyMap<number, FruDevice>;
  readonly chassis: Chassis;
  readonly bootOptions: BootOptions;
  readonly store: BmcStore;
  /** Clock in ms. */
  now(): number;
  /** SEL time in seconds since 1970 (the clock plus Set SEL Time's offset). */
  selTime(): number;
  setSelTime(seconds: number): void;
  /** Logs a system event in the SEL if System Event Logging is enabled; null if not logged. */
  logEvent(e: SystemEvent, timestamp?: number): number | null;
  /** Persists a sensor's client-set thresholds. */
  thresholdsChanged(rt: SensorRuntime): void;
  /** Persists a FRU device's image. */
  fruChanged(dev: FruDevice): void;
  /** Persists the restore policy and the power state. */
  chassisChanged(): void;
  /** Cold Reset (20.2) and Warm Reset (20.3): see index.ts for what each resets. */
  coldReset(): void;
  warmReset(): void;
}

/** The IPMI channel a request came in on: the system interface for BT/KCS and injected requests. */
export function channelOf(core: BmcCore, ctx: HandlerContext<unknown>): number {
  switch (ctx.busKind) {
    case "lan":
      return core.profile.channels.find((c) => c.medium === 0x04)?.number ?? 0x01;
    case "ipmb":
      return 0x00;
    default:
      return 0x0f;
  }
}

/** True for the host's own interfaces (and the console injecting as the host). */
export function isSystemInterface(ctx: HandlerContext<unknown>): boolean {
  return ctx.busKind !== "lan" && ctx.busKind !== "ipmb";
}

/**
 * Commands table G-1 marks "local only" are for the system interface: the host's BT or
 * KCS, or the console injecting as the host. LAN and IPMB requests get D4h.
 */
export function requireSystemInterface(ctx: HandlerContext<unknown>): void {
  if (!isSystemInterface(ctx)) {
    throw new IpmiError(CC.INSUFFICIENT_PRIVILEGE, "command is only available on the system interface");
  }
}

export function invalidField(message: string): never {
  throw new IpmiError(CC.INVALID_DATA_FIELD, message);
}

export function le16(value: number): [number, number] {
  return [value & 0xff, (value >> 8) & 0xff];
}

export function le32(value: number): [number, number, number, number] {
  const v = value >>> 0;
  return [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
}
