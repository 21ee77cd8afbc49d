/**
 * The BMC's IPMI users (IPMI 2.0 sections 22.26-22.30): 16 user IDs, user 1 the null user
 * (its name is fixed empty). Each has a name, an enabled state, a password and, per
 * session-based channel, its access: privilege limit, IPMI messaging, link authentication,
 * callback only and a session limit.
 *
 * The password is kept exactly as set, 00h-padded to the size it was set with (16 bytes,
 * the IPMI 1.5 form, or 20, IPMI 2.0's): RAKP keys with it padded to 20 bytes, IPMI 1.5's
 * AuthCodes with it padded to 16, and a password longer than 16 bytes cannot be used
 * there (`fitsIn16`). Never truncated.
 *
 * At the first start on a database the users come from the profile (its `privilege` and
 * `channels` become each listed channel's access); from then on from the store's
 * "ipmi-users" setting, every password sealed with the SecretBox (never plain text in the
 * database). `bootstrapAdmin` gives user 2 ("admin") its password at that first start.
 * Every change is emitted (`onChange`) and persistence.ts writes it.
 */
import { randomInt, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import type { Logger } from "../logger";
import { Emitter } from "./emitter";
import type { BmcProfile } from "./profile";
import type { SecretBox } from "./secret-box";

/** User IDs 1..16 (Get User Access byte 1: the maximum number of user IDs). */
export const MAX_USER_ID = 16;
/** User 1: the null user, whose name is empty and cannot be changed (22.28). */
export const NULL_USER_ID = 1;
/** User 2: the administrator `bootstrapAdmin` sets up. */
export const ADMIN_USER_ID = 2;
export const ADMIN_USER_NAME = "admin";
/** Bytes of a user name (22.28). */
export const USER_NAME_BYTES = 16;
export type PasswordSize = 16 | 20;

/** Privilege limits (22.26 byte 3; table 6-1): Fh = no access. */
export const PRIVILEGE = {
  CALLBACK: 0x01,
  USER: 0x02,
  OPERATOR: 0x03,
  ADMINISTRATOR: 0x04,
  OEM: 0x05,
  NO_ACCESS: 0x0f,
} as const;
const PRIVILEGE_LIMITS: ReadonlySet<number> = new Set(Object.values(PRIVILEGE));

/** Whether `v` is a privilege limit Set User Access may set (1..5, Fh). */
export function isPrivilegeLimit(v: number): boolean {
  return PRIVILEGE_LIMITS.has(v);
}

/** A user's access on one channel (22.26, 22.27). */
export interface UserChannelAccess {
  /** 1 callback, 2 user, 3 operator, 4 administrator, 5 OEM, Fh no access. */
  privilegeLimit: number;
  ipmiMessaging: boolean;
  linkAuth: boolean;
  callbackOnly: boolean;
  /** Set User Access byte 4: most sessions of this user on the channel at once; 0 = only the BMC's limit. */
  sessionLimit: number;
}

/** A channel the user was given nothing on: no access. */
export const NO_ACCESS: Readonly<UserChannelAccess> = Object.freeze({
  privilegeLimit: PRIVILEGE.NO_ACCESS,
  ipmiMessaging: false,
  linkAuth: false,
  callbackOnly: false,
  sessionLimit: 0,
});

export interface IpmiUser {
  readonly id: number;
  /** Printable ASCII, at most 16 bytes; "" for the null user and for unused IDs. */
  readonly name: string;
  readonly enabled: boolean;
  /** The password as set, 00h-padded to `passwordSize`; null when none was ever set. */
  readonly password: Uint8Array | null;
  /** The form the password was set in: 16 (IPMI 1.5) or 20 bytes (IPMI 2.0). */
  readonly passwordSize: PasswordSize;
  /** Per channel; a channel not in the map has NO_ACCESS. */
  readonly access: ReadonlyMap<number, Readonly<UserChannelAccess>>;
}

interface Slot {
  id: number;
  name: string;
  enabled: boolean;
  password: Uint8Array | null;
  passwordSize: PasswordSize;
  access: Map<number, UserChannelAccess>;
}

/** A change the user table refuses (an unknown ID, a name too long, ...): handlers answer CCh. */
export class UserTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UserTableError";
  }
}

export type PasswordTest = "ok" | "wrong" | "size";

// ---- the stored form ---------------------------------------------------------------------

const savedAccess = z.object({
  channel: z.number().int().min(0).max(0x0f),
  privilegeLimit: z.number().int().refine(isPrivilegeLimit),
  ipmiMessaging: z.boolean(),
  linkAuth: z.boolean(),
  callbackOnly: z.boolean(),
  sessionLimit: z.number().int().min(0).max(0x0f),
});

const savedUser = z.object({
  id: z.number().int().min(1).max(MAX_USER_ID),
  name: z.string().max(USER_NAME_BYTES),
  enabled: z.boolean(),
  /** SecretBox.seal of the padded password; null: none set. */
  password: z.string().nullable(),
  passwordSize: z.union([z.literal(16), z.literal(20)]),
  access: z.array(savedAccess),
});

const savedUsers = z.object({ version: z.literal(1), users: z.array(savedUser) });

export type SavedUsers = z.infer<typeof savedUsers>;

// ---- helpers -----------------------------------------------------------------------------

const PRINTABLE = /^[\x20-\x7e]*$/;

/** The password's bytes 00h-padded to `size`; refuses one that does not fit. */
function padded(password: string | Uint8Array, size: PasswordSize): Uint8Array {
  const raw = typeof password === "string" ? new TextEncoder().encode(password) : password;
  if (raw.length > size) {
    throw new UserTableError(`a ${size}-byte password has at most ${size} bytes, this one ${raw.length}`);
  }
  const out = new Uint8Array(size);
  out.set(raw);
  return out;
}

function emptySlot(id: number): Slot {
  return { id, name: "", enabled: false, password: null, passwordSize: 16, access: new Map() };
}

const isZero = (b: Uint8Array) => b.every((x) => x === 0);

// ---- the table ---------------------------------------------------------------------------

export interface IpmiUsersOptions {
  profile: Pick<BmcProfile, "users" | "channels">;
  /** The store's "ipmi-users" setting at start; undefined on a database that has none yet. */
  saved?: unknown;
  /** Seals the passwords for the store. */
  secrets: SecretBox;
  log?: Logger;
}

export class IpmiUsers {
  private readonly slots: Slot[];
  /** Sealed passwords by user ID, sealed once per change (the store gets them as they are). */
  private readonly sealed = new Map<number, string | null>();
  private readonly changes = new Emitter<IpmiUser>();
  private readonly secrets: SecretBox;
  /** The session-based channels: the ones a user's access applies to. */
  readonly channels: readonly number[];
  /** True when the users came from the store; false at the first start on a database (from the profile). */
  readonly restored: boolean;

  constructor(options: IpmiUsersOptions) {
    this.secrets = options.secrets;
    this.channels = options.profile.channels
      .filter((c) => c.sessionSupport !== "session-less")
      .map((c) => c.number);
    this.slots = Array.from({ length: MAX_USER_ID }, (_, i) => emptySlot(i + 1));
    const restored = options.saved === undefined ? false : this.restore(options.saved, options.log);
    if (!restored) this.fromProfile(options.profile);
    this.restored = restored;
    for (const s of this.slots) this.sealed.set(s.id, s.password ? this.secrets.seal(s.password) : null);
  }

  private fromProfile(profile: Pick<BmcProfile, "users">): void {
    for (const u of profile.users) {
      const slot = this.slots[u.id - 1];
      if (!slot) continue;
      slot.name = u.id === NULL_USER_ID ? "" : u.name;
      slot.enabled = u.enabled;
      if (u.password !== "") {
        slot.passwordSize = u.password.length > 16 ? 20 : 16;
        slot.password = padded(u.password, slot.passwordSize);
      }
      for (const channel of u.channels ?? this.channels) {
        if (!this.channels.includes(channel)) continue;
        slot.access.set(channel, { ...NO_ACCESS, privilegeLimit: u.privilege, ipmiMessaging: true });
      }
    }
  }

  /** Reads the stored table; false (with a warning) when it is not usable. */
  private restore(saved: unknown, log: Logger | undefined): boolean {
    const parsed = savedUsers.safeParse(saved);
    if (!parsed.success) {
      log?.warn(
        `bmc: saved IPMI users are not usable (${parsed.error.issues[0]?.message}); starting from the profile's`,
      );
      return false;
    }
    for (const u of parsed.data.users) {
      const slot = this.slots[u.id - 1]!;
      slot.name = u.id === NULL_USER_ID ? "" : u.name;
      slot.enabled = u.enabled;
      slot.passwordSize = u.passwordSize;
      slot.password = null;
      if (u.password !== null) {
        try {
          const plain = this.secrets.open(u.password);
          if (plain.length !== u.passwordSize) throw new Error(`${plain.length} bytes`);
          slot.password = plain;
        } catch (err) {
          log?.error(
            `bmc: the password of IPMI user ${u.id}${u.name ? ` (${u.name})` : ""} does not open with ` +
              `${this.secrets.keyPath ?? "this key"} (${err instanceof Error ? err.message : String(err)}): ` +
              "the user has no password until one is set again (docs/security.md)",
          );
        }
      }
      for (const a of u.access) {
        const { channel, ...access } = a;
        slot.access.set(channel, access);
      }
    }
    return true;
  }

  // ---- reading -----------------------------------------------------------------------------

  /** Users 1..16, in ID order (unused IDs have no name and are disabled). */
  list(): IpmiUser[] {
    return [...this.slots];
  }

  byId(id: number): IpmiUser | undefined {
    return Number.isInteger(id) ? this.slots[id - 1] : undefined;
  }

  /** The first user (lowest ID) with exactly this name, enabled or not; "" is the null user. */
  byName(name: string): IpmiUser | undefined {
    return this.slots.find((s) => s.name === name);
  }

  /** The user's access on `channel`; NO_ACCESS where none was given. */
  channelAccess(user: IpmiUser, channel: number): UserChannelAccess {
    return { ...(user.access.get(channel) ?? NO_ACCESS) };
  }

  /** Whether a password was set and is not all 00h (the empty password). */
  hasPassword(user: IpmiUser): boolean {
    return user.password !== null && !isZero(user.password);
  }

  /** Whether the password can be used by IPMI 1.5 (16 bytes): nothing but 00h past byte 16. */
  fitsIn16(user: IpmiUser): boolean {
    return user.password === null || isZero(user.password.subarray(16));
  }

  /**
   * The key the session code authenticates with: the password 00h-padded to `length`
   * (16 for IPMI 1.5's AuthCodes, 20 for RAKP). Never truncated: asking for 16 bytes of a
   * password that does not fit in 16 throws (check `fitsIn16` first: IPMI 1.5 must refuse
   * that user). No password set: all 00h (check `hasPassword`).
   */
  passwordKey(user: IpmiUser, length: 16 | 20): Uint8Array {
    const out = new Uint8Array(length);
    if (user.password === null) return out;
    if (!this.fitsIn16(user) && length < 20) {
      throw new RangeError(`user ${user.id}'s password does not fit in 16 bytes`);
    }
    out.set(user.password.subarray(0, Math.min(length, user.password.length)));
    return out;
  }

  /** Set User Password "test password" (22.30): "size" when the password was set in the other form. */
  testPassword(id: number, password: string | Uint8Array, size: PasswordSize): PasswordTest {
    const slot = this.slot(id);
    const given = padded(password, size);
    if (slot.password === null) return isZero(given) ? "ok" : "wrong";
    if (slot.passwordSize !== size) return "size";
    return timingSafeEqual(given, slot.password) ? "ok" : "wrong";
  }

  /** Enabled user IDs (Get User Access byte 2). */
  enabledCount(): number {
    return this.slots.filter((s) => s.enabled).length;
  }

  // ---- changing ----------------------------------------------------------------------------

  /** Set User Name (22.28): printable ASCII, at most 16 bytes, not another user's name; user 1's is fixed. */
  setName(id: number, name: string): void {
    const slot = this.slot(id);
    if (id === NULL_USER_ID) {
      if (name === "") return;
      throw new UserTableError("user 1 is the null user: its name cannot be set");
    }
    if (name.length > USER_NAME_BYTES) {
      throw new UserTableError(`a user name has at most ${USER_NAME_BYTES} bytes, this one ${name.length}`);
    }
    if (!PRINTABLE.test(name)) throw new UserTableError("a user name is printable ASCII");
    const other = name === "" ? undefined : this.slots.find((s) => s.name === name && s.id !== id);
    if (other) throw new UserTableError(`user ${other.id} is already named "${name}"`);
    if (slot.name === name) return;
    slot.name = name;
    this.changed(slot);
  }

  /** Set User Password "set password" (22.30), in the 16- or 20-byte form; null clears it. */
  setPassword(id: number, password: string | Uint8Array | null, size: PasswordSize): void {
    const slot = this.slot(id);
    if (size !== 16 && size !== 20) throw new UserTableError(`a password is 16 or 20 bytes, not ${size}`);
    slot.password = password === null ? null : padded(password, size);
    slot.passwordSize = size;
    this.sealed.set(id, slot.password ? this.secrets.seal(slot.password) : null);
    this.changed(slot);
  }

  /** Set User Password "enable user" / "disable user" (22.30). */
  setEnabled(id: number, enabled: boolean): void {
    const slot = this.slot(id);
    if (slot.enabled === enabled) return;
    slot.enabled = enabled;
    this.changed(slot);
  }

  /** Set User Access (22.26): the fields given change, the others stay. */
  setAccess(id: number, channel: number, access: Partial<UserChannelAccess>): void {
    const slot = this.slot(id);
    if (!this.channels.includes(channel)) {
      throw new UserTableError(`channel ${channel} is not a session-based channel of this BMC`);
    }
    if (access.privilegeLimit !== undefined && !isPrivilegeLimit(access.privilegeLimit)) {
      throw new UserTableError(`privilege limit ${access.privilegeLimit} is reserved`);
    }
    if (
      access.sessionLimit !== undefined &&
      !(Number.isInteger(access.sessionLimit) && access.sessionLimit >= 0 && access.sessionLimit <= 0x0f)
    ) {
      throw new UserTableError(`session limit ${access.sessionLimit} is not 0..15`);
    }
    const before = slot.access.get(channel) ?? NO_ACCESS;
    const defined = Object.fromEntries(Object.entries(access).filter(([, v]) => v !== undefined));
    const next: UserChannelAccess = { ...before, ...defined };
    if (JSON.stringify(next) === JSON.stringify(before) && slot.access.has(channel)) return;
    slot.access.set(channel, next);
    this.changed(slot);
  }

  /** Called with the user after each change; the returned function stops it. */
  onChange(listener: (user: IpmiUser) => void): () => void {
    return this.changes.on(listener);
  }

  /** The store's form: passwords sealed, never plain. */
  persisted(): SavedUsers {
    return {
      version: 1,
      users: this.slots.map((s) => ({
        id: s.id,
        name: s.name,
        enabled: s.enabled,
        password: this.sealed.get(s.id) ?? null,
        passwordSize: s.passwordSize,
        access: [...s.access].map(([channel, a]) => ({ channel, ...a })),
      })),
    };
  }

  private slot(id: number): Slot {
    const slot = Number.isInteger(id) ? this.slots[id - 1] : undefined;
    if (!slot) throw new UserTableError(`user ID ${id} is not 1..${MAX_USER_ID}`);
    return slot;
  }

  private changed(slot: Slot): void {
    this.changes.emit(slot);
  }
}

// ---- the administrator at the first start ------------------------------------------------------

export interface AdminBootstrap {
  name: typeof ADMIN_USER_NAME;
  password: string;
  /** True when the BMC made the password up (IPMI_ADMIN_PASSWORD unset): print it once. */
  generated: boolean;
}

const PASSWORD_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** 16 letters and digits from the system's CSPRNG (about 95 bits). */
export function generatePassword(length = 16): string {
  let out = "";
  for (let i = 0; i < length; i++) out += PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)];
  return out;
}

/**
 * At the first start on a database (no users in the store yet): user 2 becomes "admin",
 * enabled, with administrator access and IPMI messaging on `channel` (default 1), and the
 * password `options.password` (IPMI_ADMIN_PASSWORD) or, unset, a random one. Returns what
 * it set, for the runtime to print once. Null on later starts, and when the profile gave
 * user 2 a password of its own and no `options.password` is given (a test profile's
 * credential stays).
 */
export function bootstrapAdmin(
  users: IpmiUsers,
  options: { password?: string; channel?: number } = {},
): AdminBootstrap | null {
  if (users.restored) return null;
  const admin = users.byId(ADMIN_USER_ID)!;
  if (options.password === undefined && admin.password !== null) return null;
  const generated = options.password === undefined;
  const password = options.password ?? generatePassword();
  if (!PRINTABLE.test(password) || password.length === 0 || password.length > 20) {
    throw new UserTableError("the admin password is 1 to 20 printable ASCII characters");
  }
  users.setName(ADMIN_USER_ID, ADMIN_USER_NAME);
  users.setPassword(ADMIN_USER_ID, password, password.length > 16 ? 20 : 16);
  users.setEnabled(ADMIN_USER_ID, true);
  const channel = options.channel ?? 1;
  if (users.channels.includes(channel)) {
    users.setAccess(ADMIN_USER_ID, channel, { privilegeLimit: PRIVILEGE.ADMINISTRATOR, ipmiMessaging: true });
  }
  return { name: ADMIN_USER_NAME, password, generated };
}
