/**
 * The SOL configuration parameters (IPMI 2.0 section 26, table 26-5), as Set / Get SOL
 * Configuration Parameters carry them, and what Activate Payload and the SOL session
 * (server/ipmi/sol/sol-session.ts) need of them.
 *
 * - 0 set in progress: "set in progress" is a lock (81h when already set), writes take
 *   effect at once and "commit write" completes the set (as lan-config.ts does);
 * - 1 SOL enable; 2 SOL authentication (force encryption, force authentication, the
 *   privilege level Activate Payload needs: user, operator or administrator);
 * - 3 character accumulate interval (5 ms units) and send threshold, both 1-based;
 * - 4 retry count (0-7) and retry interval (10 ms units, 0 = back to back);
 * - 5 non-volatile and 6 volatile bit rate (6h-Ah 9600-115200; 0 in 5: the serial port's
 *   own setting, in 6: the non-volatile rate); the volatile one, the rate in effect, is
 *   loaded from the non-volatile one at every start and Cold Reset;
 * - 7 payload channel and 8 payload port (read only): the LAN channel and its UDP port,
 *   since SOL packets travel in the session that activated them (ipmitool refuses any
 *   other port).
 * Every other parameter answers 80h; 7 and 8 answer 82h on Set.
 *
 * Defaults: SOL enabled, encryption and authentication forced, user privilege, 60 ms /
 * 96 characters, 7 retries 500 ms apart, 115200 bps. What an administrator sets persists
 * (the store's "ipmi-sol" setting; the volatile bit rate does not).
 */
import { z } from "zod";
import type { Privilege } from "../ipmi/commands/define";
import {
  CC_SOL_PARAMETER_NOT_SUPPORTED,
  CC_SOL_READ_ONLY,
  CC_SOL_SET_IN_PROGRESS,
  SOL_BIT_RATES,
  SOL_PARAM,
} from "../ipmi/commands/transport";
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/ipmi-error";
import type { Logger } from "../logger";
import { Emitter } from "./emitter";
import { invalidField } from "./invalid-field";
import type { ResetKind } from "./reset";

/** The store key of the persisted SOL parameters. */
export const SOL_SETTING = "ipmi-sol";

/** The RMCP port, when nobody says where the LAN bus listens (13.1.1). */
const DEFAULT_PORT = 623;

const SET_COMPLETE = 0;
const SET_IN_PROGRESS = 1;
const COMMIT_WRITE = 2;

/** Parameter 2's privilege levels this BMC takes: user, operator, administrator (the codes of section 6.8). */
const PRIVILEGE_OF: Readonly<Record<number, Privilege>> = { 2: "user", 3: "operator", 4: "admin" };

const FORCE_ENCRYPTION = 0x80;
const FORCE_AUTHENTICATION = 0x40;

export const SOL_DEFAULTS = {
  enabled: true,
  forceEncryption: true,
  forceAuthentication: true,
  /** User (2h). */
  privilege: 2,
  /** 12 × 5 ms = 60 ms. */
  accumulateInterval: 12,
  sendThreshold: 96,
  retryCount: 7,
  /** 50 × 10 ms = 500 ms. */
  retryInterval: 50,
  /** Ah = 115200 bps. */
  bitRate: 0x0a,
} as const;

const READ_ONLY: ReadonlySet<number> = new Set([SOL_PARAM.PAYLOAD_CHANNEL, SOL_PARAM.PAYLOAD_PORT]);

const WRITABLE_LENGTH: ReadonlyMap<number, number> = new Map([
  [SOL_PARAM.SET_IN_PROGRESS, 1],
  [SOL_PARAM.ENABLE, 1],
  [SOL_PARAM.AUTHENTICATION, 1],
  [SOL_PARAM.ACCUMULATE, 2],
  [SOL_PARAM.RETRY, 2],
  [SOL_PARAM.NON_VOLATILE_BIT_RATE, 1],
  [SOL_PARAM.VOLATILE_BIT_RATE, 1],
]);

const SUPPORTED: ReadonlySet<number> = new Set([...READ_ONLY, ...WRITABLE_LENGTH.keys()]);

const byte = z.number().int().min(0).max(0xff);
const savedSol = z.object({
  version: z.literal(1),
  enabled: z.boolean(),
  forceEncryption: z.boolean(),
  forceAuthentication: z.boolean(),
  privilege: z.number().int().min(2).max(4),
  accumulateInterval: byte.min(1),
  sendThreshold: byte.min(1),
  retryCount: z.number().int().min(0).max(7),
  retryInterval: byte,
  bitRate: z
    .number()
    .int()
    .refine((v) => v === 0 || SOL_BIT_RATES.has(v), "not a bit rate code"),
});
export type SavedSol = z.infer<typeof savedSol>;

export interface SolConfigOptions {
  /** The LAN channel SOL is carried on (lanConfig.channel). */
  channel: number;
  /** Where the LAN bus listens: parameter 8 and Activate Payload's port; default 623. */
  port?: () => number | undefined;
  /** The store's "ipmi-sol" setting at start. */
  saved?: unknown;
  log?: Logger;
}

/** What a SOL session runs with (sol-session.ts's options, in milliseconds). */
export interface SolTiming {
  accumulateIntervalMs: number;
  sendThreshold: number;
  retryCount: number;
  retryIntervalMs: number;
}

export class SolConfig {
  readonly channel: number;
  private port: () => number | undefined;
  private setInProgress = SET_COMPLETE;
  private s: Omit<SavedSol, "version">;
  /** Parameter 6, the rate in effect; 0 = the non-volatile rate. A start or Cold Reset loads it from parameter 5. */
  private volatileBitRate: number;
  private readonly changes = new Emitter<number>();

  constructor(options: SolConfigOptions) {
    this.channel = options.channel;
    this.port = options.port ?? (() => undefined);
    this.s = { ...SOL_DEFAULTS };
    if (options.saved !== undefined) this.restore(options.saved, options.log);
    this.volatileBitRate = this.s.bitRate;
  }

  private restore(saved: unknown, log: Logger | undefined): void {
    const parsed = savedSol.safeParse(saved);
    if (!parsed.success) {
      log?.warn(
        `bmc: saved SOL configuration is not usable (${parsed.error.issues[0]?.message}); using the defaults`,
      );
      return;
    }
    const { version: _, ...s } = parsed.data;
    this.s = s;
  }

  /** Where the LAN bus listens, for parameter 8. */
  takePortFrom(port: () => number | undefined): void {
    this.port = port;
  }

  // ---- what Activate Payload and the SOL session ask -------------------------------------

  /** Parameter 1: Activate Payload answers 81h while SOL is disabled. */
  get enabled(): boolean {
    return this.s.enabled;
  }

  /** Parameter 2 bits 3:0: the privilege level (2 user .. 4 administrator) a session needs to activate SOL. */
  get privilegeLevel(): number {
    return this.s.privilege;
  }

  /** The same, by name, as the router's privileges. */
  get privilege(): Privilege {
    return PRIVILEGE_OF[this.s.privilege]!;
  }

  /** Parameter 2 bit 7: Activate Payload without encryption answers 84h (if the session cannot encrypt). */
  get forceEncryption(): boolean {
    return this.s.forceEncryption;
  }

  /** Parameter 2 bit 6: SOL packets must be authenticated (integrity-checked). */
  get forceAuthentication(): boolean {
    return this.s.forceAuthentication;
  }

  /** Parameters 3 and 4 in milliseconds, for a SolSession. */
  timing(): SolTiming {
    return {
      accumulateIntervalMs: this.s.accumulateInterval * 5,
      sendThreshold: this.s.sendThreshold,
      retryCount: this.s.retryCount,
      retryIntervalMs: this.s.retryInterval * 10,
    };
  }

  /** Parameter 8: the UDP port SOL packets use (the LAN bus's). */
  payloadPort(): number {
    return this.port() ?? DEFAULT_PORT;
  }

  /** The bit rate in effect (the volatile one, else the non-volatile one), bps; undefined: the serial port's own setting. */
  bitRate(): number | undefined {
    return SOL_BIT_RATES.get(this.volatileBitRate || this.s.bitRate);
  }

  // ---- Set / Get SOL Configuration Parameters ------------------------------------------------

  /** Whether Get / Set know the parameter; throws IpmiError 80h otherwise. */
  requireSupported(parameter: number): void {
    if (!SUPPORTED.has(parameter)) {
      throw new IpmiError(CC_SOL_PARAMETER_NOT_SUPPORTED, `SOL parameter ${parameter} is not supported`);
    }
  }

  /** Get SOL Configuration Parameters (26.3): the parameter's data. */
  get(parameter: number): Uint8Array {
    this.requireSupported(parameter);
    const s = this.s;
    switch (parameter) {
      case SOL_PARAM.SET_IN_PROGRESS:
        return Uint8Array.of(this.setInProgress);
      case SOL_PARAM.ENABLE:
        return Uint8Array.of(s.enabled ? 1 : 0);
      case SOL_PARAM.AUTHENTICATION:
        return Uint8Array.of(
          (s.forceEncryption ? FORCE_ENCRYPTION : 0) |
            (s.forceAuthentication ? FORCE_AUTHENTICATION : 0) |
            s.privilege,
        );
      case SOL_PARAM.ACCUMULATE:
        return Uint8Array.of(s.accumulateInterval, s.sendThreshold);
      case SOL_PARAM.RETRY:
        return Uint8Array.of(s.retryCount, s.retryInterval);
      case SOL_PARAM.NON_VOLATILE_BIT_RATE:
        return Uint8Array.of(s.bitRate);
      case SOL_PARAM.VOLATILE_BIT_RATE:
        return Uint8Array.of(this.volatileBitRate);
      case SOL_PARAM.PAYLOAD_CHANNEL:
        return Uint8Array.of(this.channel);
      case SOL_PARAM.PAYLOAD_PORT: {
        const port = this.payloadPort();
        return Uint8Array.of(port & 0xff, (port >> 8) & 0xff);
      }
      default:
        throw new IpmiError(CC_SOL_PARAMETER_NOT_SUPPORTED, `SOL parameter ${parameter} is not supported`);
    }
  }

  /**
   * Set SOL Configuration Parameters (26.2). 80h for a parameter not supported, 82h for a
   * read-only one, C7h/C8h for data of the wrong length, CCh for reserved bits and values,
   * 81h for "set in progress" while a set is in progress.
   */
  set(parameter: number, data: Uint8Array): void {
    this.requireSupported(parameter);
    if (READ_ONLY.has(parameter))
      throw new IpmiError(CC_SOL_READ_ONLY, `SOL parameter ${parameter} is read-only`);
    const length = WRITABLE_LENGTH.get(parameter)!;
    if (data.length < length) {
      throw new IpmiError(CC.REQUEST_LENGTH_INVALID, `SOL parameter ${parameter} takes ${length} bytes`);
    }
    if (data.length > length) {
      throw new IpmiError(
        CC.REQUEST_FIELD_LENGTH_EXCEEDED,
        `SOL parameter ${parameter} takes ${length} bytes`,
      );
    }
    const b0 = data[0]!;
    switch (parameter) {
      case SOL_PARAM.SET_IN_PROGRESS: {
        if (b0 & 0xfc) invalidField("set in progress bits 7:2 are reserved");
        if (b0 === 3) invalidField("set in progress value 11b is reserved");
        if (b0 === SET_IN_PROGRESS && this.setInProgress === SET_IN_PROGRESS) {
          throw new IpmiError(CC_SOL_SET_IN_PROGRESS, "a set is already in progress");
        }
        // Writes take effect at once, so a commit write completes the set.
        this.setInProgress = b0 === COMMIT_WRITE ? SET_COMPLETE : b0;
        break;
      }
      case SOL_PARAM.ENABLE:
        if (b0 & 0xfe) invalidField("SOL enable bits 7:1 are reserved");
        this.s.enabled = b0 === 1;
        break;
      case SOL_PARAM.AUTHENTICATION: {
        if (b0 & 0x30) invalidField("SOL authentication bits 5:4 are reserved");
        const privilege = b0 & 0x0f;
        if (!(privilege in PRIVILEGE_OF)) {
          invalidField(`SOL privilege level ${privilege} is not user (2), operator (3) or administrator (4)`);
        }
        this.s.forceEncryption = (b0 & FORCE_ENCRYPTION) !== 0;
        this.s.forceAuthentication = (b0 & FORCE_AUTHENTICATION) !== 0;
        this.s.privilege = privilege;
        break;
      }
      case SOL_PARAM.ACCUMULATE: {
        const threshold = data[1]!;
        if (b0 === 0) invalidField("the character accumulate interval is 1-based (00h is reserved)");
        if (threshold === 0) invalidField("the character send threshold is 1-based (00h is reserved)");
        this.s.accumulateInterval = b0;
        this.s.sendThreshold = threshold;
        break;
      }
      case SOL_PARAM.RETRY:
        if (b0 & 0xf8) invalidField("SOL retry count bits 7:3 are reserved");
        this.s.retryCount = b0;
        this.s.retryInterval = data[1]!;
        break;
      case SOL_PARAM.NON_VOLATILE_BIT_RATE:
      case SOL_PARAM.VOLATILE_BIT_RATE: {
        if (b0 & 0xf0) invalidField("SOL bit rate bits 7:4 are reserved");
        if (b0 !== 0 && !SOL_BIT_RATES.has(b0))
          invalidField(`SOL bit rate code ${b0.toString(16)}h is reserved`);
        if (parameter === SOL_PARAM.VOLATILE_BIT_RATE) this.volatileBitRate = b0;
        else this.s.bitRate = b0;
        break;
      }
    }
    this.changes.emit(parameter);
  }

  /** Called with the parameter after each Set (the persistence saves, the serial port follows the bit rate). */
  onChange(listener: (parameter: number) => void): () => void {
    return this.changes.on(listener);
  }

  /** Cold Reset: a set in progress is over, the volatile bit rate is the non-volatile one again. */
  reset(kind: ResetKind): void {
    if (kind !== "cold") return;
    this.setInProgress = SET_COMPLETE;
    if (this.volatileBitRate !== this.s.bitRate) {
      this.volatileBitRate = this.s.bitRate;
      this.changes.emit(SOL_PARAM.VOLATILE_BIT_RATE);
    }
  }

  /** The store's form (the volatile bit rate is not kept). */
  persisted(): SavedSol {
    return { version: 1, ...this.s };
  }
}
