/**
 * The BMC's channels (IPMI 2.0 section 6.3) and the access settings of its session-based
 * ones (22.22 Set Channel Access, 22.23 Get Channel Access, 22.24 Get Channel Info).
 *
 * Each session-based channel has two copies of its access settings: the non-volatile one,
 * kept across restarts (the store's "ipmi-channels" setting; the profile's `access` at the
 * first start), and the volatile one, the settings in effect, which a restart or a Cold
 * Reset loads from the non-volatile copy. Set Channel Access may change either.
 *
 * Get Channel Info's "active sessions" come from the session table, which the runtime
 * hands in (`countSessionsWith`); until then there are none.
 */
import { z } from "zod";
import { ACCESS_MODES, IANA_IPMI_FORUM, SESSION_SUPPORT } from "../ipmi/spec/tables";
import type { Logger } from "../logger";
import type { HandlerContext } from "../router/types";
import { Emitter } from "./emitter";
import type { BmcProfile, ChannelProfile } from "./profile";
import { channelOf } from "./request-channel";
import type { ResetKind } from "./reset";

/** Access modes (22.22 byte 2 bits 2:0). */
export const ACCESS_MODE = { DISABLED: 0, PRE_BOOT: 1, ALWAYS: 2, SHARED: 3 } as const;
/** The modes Set Channel Access takes: this BMC cannot tell "pre-boot" from running, nor share a channel. */
export const SUPPORTED_ACCESS_MODES: ReadonlySet<number> = new Set([
  ACCESS_MODE.DISABLED,
  ACCESS_MODE.ALWAYS,
]);
/** Channel 0Eh in a request: the channel the request came in on. */
export const PRESENT_CHANNEL = 0x0e;
export const SYSTEM_INTERFACE_CHANNEL = 0x0f;
/** Medium 04h, 802.3 LAN (table 6-3). */
const MEDIUM_LAN = 0x04;

/**
 * The channel a request's channel number names: 0Eh is the one the request came in on,
 * its requester's (a LAN session's), else its bus's (the system interface, 0Fh).
 */
export function requestChannel(
  channel: number,
  ctx: HandlerContext<unknown>,
  profileChannels: readonly ChannelProfile[],
): number {
  if (channel !== PRESENT_CHANNEL) return channel;
  return ctx.requester?.channel ?? channelOf(profileChannels, ctx);
}

export interface ChannelAccessSettings {
  /** 0 disabled, 1 pre-boot only, 2 always available, 3 shared (22.22). */
  mode: number;
  /** 1 callback, 2 user, 3 operator, 4 administrator, 5 OEM. */
  privilegeLimit: number;
  perMessageAuth: boolean;
  userLevelAuth: boolean;
  pefAlerting: boolean;
}

export type AccessCopy = "volatile" | "non-volatile";

/** What Get Channel Info answers (22.24). */
export interface ChannelInfo {
  number: number;
  /** Table 6-3. */
  medium: number;
  /** Table 6-2. */
  protocol: number;
  /** 0 session-less, 1 single-session, 2 multi-session, 3 session-based. */
  sessionSupport: number;
  activeSessions: number;
  vendorId: number;
  auxInfo: readonly number[];
}

/** Why Set Channel Access was refused: the handler turns it into the completion code. */
export class ChannelAccessError extends Error {
  constructor(
    readonly reason: "no-channel" | "session-less" | "mode" | "privilege",
    message: string,
  ) {
    super(message);
    this.name = "ChannelAccessError";
  }
}

const savedChannel = z.object({
  number: z.number().int().min(0).max(0x0f),
  mode: z.number().int().min(0).max(3),
  privilegeLimit: z.number().int().min(1).max(5),
  perMessageAuth: z.boolean(),
  userLevelAuth: z.boolean(),
  pefAlerting: z.boolean(),
});
const savedChannels = z.object({ version: z.literal(1), channels: z.array(savedChannel) });
export type SavedChannels = z.infer<typeof savedChannels>;

interface Copies {
  volatile: ChannelAccessSettings;
  nonVolatile: ChannelAccessSettings;
}

export interface ChannelsOptions {
  profile: Pick<BmcProfile, "channels">;
  /** The store's "ipmi-channels" setting at start. */
  saved?: unknown;
  /** Sessions active on a channel (the session table); default none. */
  activeSessions?: (channel: number) => number;
  log?: Logger;
}

export class Channels {
  private readonly profiles: readonly ChannelProfile[];
  private readonly access = new Map<number, Copies>();
  private readonly changes = new Emitter<{ channel: number; which: AccessCopy }>();
  private activeSessions: (channel: number) => number;

  constructor(options: ChannelsOptions) {
    this.profiles = options.profile.channels;
    this.activeSessions = options.activeSessions ?? (() => 0);
    for (const c of this.profiles) {
      if (c.sessionSupport === "session-less") continue;
      const a = c.access;
      const settings: ChannelAccessSettings = {
        mode: ACCESS_MODES.codes[a.mode],
        privilegeLimit: a.privilegeLimit,
        perMessageAuth: a.perMessageAuth,
        userLevelAuth: a.userLevelAuth,
        pefAlerting: a.pefAlerting,
      };
      this.access.set(c.number, { volatile: { ...settings }, nonVolatile: { ...settings } });
    }
    if (options.saved !== undefined) this.restore(options.saved, options.log);
  }

  private restore(saved: unknown, log: Logger | undefined): void {
    const parsed = savedChannels.safeParse(saved);
    if (!parsed.success) {
      log?.warn(
        `bmc: saved channel access is not usable (${parsed.error.issues[0]?.message}); using the profile's`,
      );
      return;
    }
    for (const { number, ...settings } of parsed.data.channels) {
      // A channel the profile no longer has (or no longer session-based) keeps the profile's nothing.
      if (!this.access.has(number)) continue;
      this.access.set(number, { volatile: { ...settings }, nonVolatile: { ...settings } });
    }
  }

  /** The session table's count, for Get Channel Info. */
  countSessionsWith(count: (channel: number) => number): void {
    this.activeSessions = count;
  }

  /** Every channel number of the profile. */
  numbers(): number[] {
    return this.profiles.map((c) => c.number);
  }

  exists(channel: number): boolean {
    return this.profiles.some((c) => c.number === channel);
  }

  /** A channel that has sessions (and so access settings and users). */
  isSessionBased(channel: number): boolean {
    return this.access.has(channel);
  }

  /** The session-based channels. */
  sessionChannels(): number[] {
    return [...this.access.keys()];
  }

  /** The first 802.3 LAN channel, undefined when the profile has none. */
  lanChannel(): number | undefined {
    return this.profiles.find((c) => c.medium === MEDIUM_LAN)?.number;
  }

  /** The access settings of a session-based channel; undefined for other channels. */
  get(channel: number, which: AccessCopy): ChannelAccessSettings | undefined {
    const copies = this.access.get(channel);
    if (!copies) return undefined;
    return { ...(which === "volatile" ? copies.volatile : copies.nonVolatile) };
  }

  /** Whether sessions may be opened on `channel` now: a session-based channel whose active mode is not "disabled". */
  sessionsAllowed(channel: number): boolean {
    const mode = this.access.get(channel)?.volatile.mode;
    return mode !== undefined && mode !== ACCESS_MODE.DISABLED;
  }

  /**
   * Set Channel Access (22.22): changes one copy; the fields given change, the others stay.
   * Throws ChannelAccessError for a channel that does not exist or has no sessions, an
   * access mode this BMC does not support, a reserved privilege limit.
   */
  set(channel: number, which: AccessCopy, change: Partial<ChannelAccessSettings>): void {
    const copies = this.access.get(channel);
    if (!copies) {
      if (!this.exists(channel))
        throw new ChannelAccessError("no-channel", `channel ${channel} does not exist`);
      throw new ChannelAccessError("session-less", `channel ${channel} is session-less`);
    }
    if (change.mode !== undefined && !SUPPORTED_ACCESS_MODES.has(change.mode)) {
      throw new ChannelAccessError("mode", `access mode ${change.mode} is not supported`);
    }
    if (
      change.privilegeLimit !== undefined &&
      !(Number.isInteger(change.privilegeLimit) && change.privilegeLimit >= 1 && change.privilegeLimit <= 5)
    ) {
      throw new ChannelAccessError("privilege", `privilege limit ${change.privilegeLimit} is reserved`);
    }
    const target = which === "volatile" ? copies.volatile : copies.nonVolatile;
    const defined = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined));
    const next = { ...target, ...defined };
    if (JSON.stringify(next) === JSON.stringify(target)) return;
    Object.assign(target, next);
    this.changes.emit({ channel, which });
  }

  /** Get Channel Info (22.24); undefined for a channel the profile has not got. */
  info(channel: number): ChannelInfo | undefined {
    const c = this.profiles.find((p) => p.number === channel);
    if (!c) return undefined;
    const sessionSupport = SESSION_SUPPORT.codes[c.sessionSupport];
    return {
      number: c.number,
      medium: c.medium & 0x7f,
      protocol: c.protocol & 0x1f,
      sessionSupport,
      activeSessions: sessionSupport === 0 ? 0 : Math.max(0, Math.min(0x3f, this.activeSessions(c.number))),
      vendorId: IANA_IPMI_FORUM,
      auxInfo: c.auxInfo,
    };
  }

  /** Called after each change, with the channel and the copy changed. */
  onChange(listener: (change: { channel: number; which: AccessCopy }) => void): () => void {
    return this.changes.on(listener);
  }

  /** Cold Reset: the volatile settings are loaded from the non-volatile ones, as at power-up. */
  reset(kind: ResetKind): void {
    if (kind !== "cold") return;
    for (const [channel, copies] of this.access) {
      if (JSON.stringify(copies.volatile) === JSON.stringify(copies.nonVolatile)) continue;
      copies.volatile = { ...copies.nonVolatile };
      this.changes.emit({ channel, which: "volatile" });
    }
  }

  /** The store's form: the non-volatile copies. */
  persisted(): SavedChannels {
    return {
      version: 1,
      channels: [...this.access].map(([number, c]) => ({ number, ...c.nonVolatile })),
    };
  }
}
