/**
 * IPMI 1.5 LAN session authentication: the authentication types, the AuthCode of each
 * message, the Get Session Challenge / Activate Session exchange, and the inbound session
 * sequence number window. Pure (the random source and the time are parameters); the LAN
 * bus keeps the state and does the I/O.
 *
 * IPMI 2.0 sections: 6.12 (LAN sessions), 13.6 (table 13-8: the authentication type field),
 * 22.13 (Get Channel Authentication Capabilities: the same type numbers as bits), 22.16 (Get
 * Session Challenge), 22.17 (Activate Session) and 22.17.1 (the AuthCode algorithms).
 *
 * MD2 (type 1): node:crypto cannot compute it (OpenSSL 3 keeps MD2 out of its default
 * provider; `crypto.getHashes()` has no "md2" on Node 20/22), so `authCode15` refuses it with
 * a reason and a BMC built on this must not offer MD2 in Get Channel Authentication
 * Capabilities. OEM (type 5) has no defined algorithm and is refused the same way.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { hexByte } from "../hex";
import { bit, bits, bytes, mapped, struct, u32 } from "../layout/codec";
import { hexN, lookup } from "../layout/format";
import { PRIVILEGE_LEVELS } from "../spec/tables";

// ---- authentication types (13.6 table 13-8; 22.13) -------------------------------------------

/** The "Authentication Type" byte of an IPMI 1.5 session header (table 13-8). */
export const AUTH_TYPE = {
  NONE: 0x00,
  MD2: 0x01,
  MD5: 0x02,
  PASSWORD: 0x04,
  OEM: 0x05,
} as const;
export type AuthType15 = (typeof AUTH_TYPE)[keyof typeof AUTH_TYPE];

/** Value 06h of the same byte marks the RMCP+ (IPMI 2.0) format (table 13-8): not an IPMI 1.5 session. */
export const AUTH_FORMAT_RMCP_PLUS = 0x06;

export const AUTH_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [AUTH_TYPE.NONE, "none"],
  [AUTH_TYPE.MD2, "MD2"],
  [AUTH_TYPE.MD5, "MD5"],
  [AUTH_TYPE.PASSWORD, "straight password / key"],
  [AUTH_TYPE.OEM, "OEM proprietary"],
  [AUTH_FORMAT_RMCP_PLUS, "RMCP+ (IPMI 2.0)"],
]);

export const authTypeLabel = lookup(AUTH_TYPE_NAMES);

export function isAuthType15(v: number): v is AuthType15 {
  return v === 0 || v === 1 || v === 2 || v === 4 || v === 5;
}

/** Whether node:crypto here computes MD2 (it does not on OpenSSL 3; see the file comment). */
export const MD2_SUPPORTED = false;

/** Bytes of the session header's AuthCode, of a padded password and of a challenge string. */
export const AUTH_CODE_LENGTH = 16;

// ---- AuthCode (22.17.1) ------------------------------------------------------------------------

/**
 * The password as the AuthCode algorithms use it: its bytes (UTF-8 for a string), padded
 * with 00h to 16 bytes (22.17.1). An IPMI 1.5 password is at most 16 bytes (the 20-byte
 * passwords of IPMI 2.0 are for RMCP+ only).
 */
export function padPassword(password: string | Uint8Array): Uint8Array {
  const raw = typeof password === "string" ? new TextEncoder().encode(password) : password;
  if (raw.length > AUTH_CODE_LENGTH) {
    throw new RangeError(`an IPMI 1.5 password has at most 16 bytes, this one ${raw.length}`);
  }
  const out = new Uint8Array(AUTH_CODE_LENGTH);
  out.set(raw);
  return out;
}

/** An unsigned 32-bit number as IPMI sends it: 4 bytes, LS byte first. */
export function le32(v: number): Uint8Array {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${v} is not a 32-bit number`);
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
}

/** The 32-bit number at `at`, LS byte first (missing bytes read as 0). */
export function readLe32(b: Uint8Array, at = 0): number {
  return ((b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16) | ((b[at + 3] ?? 0) << 24)) >>> 0;
}

/** What a message's AuthCode covers besides the password. */
export interface AuthCodeInput {
  password: string | Uint8Array;
  /** The session header's Session ID (the temporary one for Activate Session). */
  sessionId: number;
  /** The session header's Session Sequence Number. */
  sequence: number;
  /** The IPMI message: rsAddr (or rqAddr) through the second checksum (section 13.8). */
  message: Uint8Array;
}

/**
 * MD5 AuthCode (22.17.1): MD5(password + session ID + IPMI message + session sequence number
 * + password), the password padded to 16 bytes, ID and sequence number LS byte first as the
 * session header carries them.
 */
export function md5AuthCode(input: AuthCodeInput): Uint8Array {
  const pw = padPassword(input.password);
  const h = createHash("md5");
  h.update(pw);
  h.update(le32(input.sessionId));
  h.update(input.message);
  h.update(le32(input.sequence));
  h.update(pw);
  return new Uint8Array(h.digest());
}

/** Straight password / key AuthCode (22.17.1): the password itself, padded to 16 bytes, in clear. */
export function straightPasswordAuthCode(password: string | Uint8Array): Uint8Array {
  return padPassword(password);
}

export type AuthCodeResult =
  /** `code` is undefined for authentication type NONE (the header has no AuthCode field). */
  { ok: true; code: Uint8Array | undefined } | { ok: false; reason: string };

/** The AuthCode a message carries under `authType`, or why this code cannot make one. */
export function authCode15(authType: number, input: AuthCodeInput): AuthCodeResult {
  switch (authType) {
    case AUTH_TYPE.NONE:
      return { ok: true, code: undefined };
    case AUTH_TYPE.MD5:
      return { ok: true, code: md5AuthCode(input) };
    case AUTH_TYPE.PASSWORD:
      return { ok: true, code: straightPasswordAuthCode(input.password) };
    case AUTH_TYPE.MD2:
      return {
        ok: false,
        reason: "MD2 AuthCode: node:crypto has no MD2 (OpenSSL 3 default provider)",
      };
    case AUTH_TYPE.OEM:
      return { ok: false, reason: "OEM proprietary AuthCode: no algorithm is defined for it" };
    default:
      return { ok: false, reason: `authentication type ${hexByte(authType)} is not an IPMI 1.5 type` };
  }
}

/**
 * Whether `received` is the AuthCode the message should carry (constant time over the 16
 * bytes). False for types this code cannot compute (MD2, OEM) and for a missing code.
 */
export function checkAuthCode15(
  authType: number,
  input: AuthCodeInput,
  received: Uint8Array | undefined,
): boolean {
  const expected = authCode15(authType, input);
  if (!expected.ok) return false;
  if (expected.code === undefined) return received === undefined;
  if (received === undefined || received.length !== expected.code.length) return false;
  return timingSafeEqual(expected.code, received);
}

// ---- Get Session Challenge / Activate Session (22.16, 22.17) ---------------------------------

/** The 16 bytes of a user name as Get Session Challenge carries them (00h-padded ASCII; all 00h = null user). */
export function padUserName(name: string): Uint8Array {
  const raw = new TextEncoder().encode(name);
  if (raw.length > 16) throw new RangeError(`a user name has at most 16 bytes, this one ${raw.length}`);
  const out = new Uint8Array(16);
  out.set(raw);
  return out;
}

/** The user name in a Get Session Challenge request: the bytes before the first 00h ("" = null user). */
export function userNameOf(field: Uint8Array): string {
  const end = field.indexOf(0);
  return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
}

const authTypeField = (label: string) =>
  mapped(
    bits(1, { type: bit(label, 0, 3, authTypeLabel), reserved: bit(undefined, 4, 7) }),
    (v) => v.type,
    (v: number) => ({ type: v, reserved: 0 }),
  );

const privilegeField = (label: string) =>
  mapped(
    bits(1, { level: bit(label, 0, 3, PRIVILEGE_LEVELS.label), reserved: bit(undefined, 4, 7) }),
    (v) => v.level,
    (v: number) => ({ level: v, reserved: 0 }),
  );

const challengeField = bytes("Challenge string", AUTH_CODE_LENGTH);
const sessionIdField = (label: string) => u32(label, (v) => hexN(v, 8));

/** Get Session Challenge request (22.16): authentication type, 16-byte user name. */
export const getSessionChallengeRequest = struct({
  authType: authTypeField("Challenge authentication type"),
  userName: bytes("User name", 16, (b) => {
    const name = userNameOf(b);
    return name === "" ? "(null user)" : JSON.stringify(name);
  }),
});

/** Get Session Challenge response data after the completion code (22.16). */
export const getSessionChallengeResponse = struct({
  temporarySessionId: sessionIdField("Temporary session ID"),
  challenge: challengeField,
});

/** Activate Session request (22.17). */
export const activateSessionRequest = struct({
  authType: authTypeField("Session authentication type"),
  maxPrivilege: privilegeField("Maximum privilege level requested"),
  challenge: challengeField,
  /** The first sequence number the BMC puts in the session headers it sends. */
  initialOutboundSequence: u32("Initial outbound sequence number", (v) => hexN(v, 8)),
});

/** Activate Session response data after the completion code (22.17). */
export const activateSessionResponse = struct({
  authType: authTypeField("Authentication type for remainder of session"),
  sessionId: sessionIdField("Session ID"),
  /** The sequence number the remote console puts in its next message (never 0). */
  initialInboundSequence: u32("Initial inbound sequence number", (v) => hexN(v, 8)),
  maxPrivilege: privilegeField("Maximum privilege level allowed"),
});

/** Completion codes of Get Session Challenge (22.16). */
export const GET_SESSION_CHALLENGE_CC = {
  INVALID_USER_NAME: 0x81,
  NULL_USER_NAME_NOT_ENABLED: 0x82,
} as const;

/** Completion codes of Activate Session (22.17). */
export const ACTIVATE_SESSION_CC = {
  NO_SESSION_SLOT: 0x81,
  NO_SLOT_FOR_USER: 0x82,
  NO_SLOT_FOR_PRIVILEGE: 0x83,
  SEQUENCE_OUT_OF_RANGE: 0x84,
  INVALID_SESSION_ID: 0x85,
  PRIVILEGE_EXCEEDS_LIMIT: 0x86,
} as const;

/** A source of random bytes (node:crypto's randomBytes unless a test gives its own). */
export type RandomSource = (n: number) => Uint8Array;

const cryptoRandom: RandomSource = (n) => new Uint8Array(randomBytes(n));

/**
 * A random 32-bit number other than 0: session IDs (0 means no session, 13.6) and initial
 * sequence numbers (22.17: the inbound one is never 0) are drawn with it.
 */
export function randomNonZero32(random: RandomSource = cryptoRandom): number {
  for (;;) {
    const b = random(4);
    if (b.length !== 4) throw new RangeError("the random source returned the wrong number of bytes");
    const v = readLe32(b);
    if (v !== 0) return v;
  }
}

export interface SessionChallenge {
  /** Identifies the challenge; the remote console sends Activate Session with it as Session ID (22.16). */
  temporarySessionId: number;
  /** 16 random bytes the remote console returns in Activate Session (22.16, 22.17). */
  challenge: Uint8Array;
}

/** A new temporary session ID and challenge string for a Get Session Challenge response (22.16). */
export function newSessionChallenge(random: RandomSource = cryptoRandom): SessionChallenge {
  const temporarySessionId = randomNonZero32(random);
  const challenge = random(AUTH_CODE_LENGTH);
  if (challenge.length !== AUTH_CODE_LENGTH) {
    throw new RangeError("the random source returned the wrong number of bytes");
  }
  return { temporarySessionId, challenge: Uint8Array.from(challenge) };
}

/** A challenge handed out and not yet used. */
export interface PendingChallenge extends SessionChallenge {
  userName: string;
  authType: number;
  /** When it was issued (the caller's clock, milliseconds). */
  issuedAt: number;
}

export type ChallengeCheck =
  | { ok: true; pending: PendingChallenge }
  | { ok: false; error: "unknown-session" | "expired" | "challenge-mismatch"; reason: string };

/**
 * The challenges a BMC has handed out (22.16) until Activate Session uses them (22.17). Each
 * is good for one activation, for `lifetimeMs`; the oldest is forgotten when more than `max`
 * are pending, so a flood of Get Session Challenge requests cannot grow it without bound.
 * The spec sets neither number; 30 s and 32 are this code's choice.
 */
export class PendingChallenges {
  private readonly byId = new Map<number, PendingChallenge>();

  constructor(private readonly options: { lifetimeMs?: number; max?: number; random?: RandomSource } = {}) {}

  get size(): number {
    return this.byId.size;
  }

  private get lifetimeMs(): number {
    return this.options.lifetimeMs ?? 30_000;
  }

  /** A new challenge for `userName` (22.16), remembered for Activate Session. */
  issue(userName: string, authType: number, now: number): PendingChallenge {
    this.expire(now);
    let c = newSessionChallenge(this.options.random);
    while (this.byId.has(c.temporarySessionId)) c = newSessionChallenge(this.options.random);
    const pending: PendingChallenge = { ...c, userName, authType, issuedAt: now };
    this.byId.set(pending.temporarySessionId, pending);
    const max = this.options.max ?? 32;
    while (this.byId.size > max) {
      const oldest = this.byId.keys().next().value;
      if (oldest === undefined) break;
      this.byId.delete(oldest);
    }
    return pending;
  }

  /** The pending challenge with this temporary session ID, left pending (to check an AuthCode with its user's password). */
  peek(temporarySessionId: number, now: number): PendingChallenge | undefined {
    const p = this.byId.get(temporarySessionId);
    return p !== undefined && now - p.issuedAt <= this.lifetimeMs ? p : undefined;
  }

  /**
   * The pending challenge an Activate Session request names (its session header's Session ID
   * and its challenge string), consumed: a second activation with the same one fails. A
   * wrong challenge string leaves it pending (the request may be a forgery).
   */
  take(temporarySessionId: number, challenge: Uint8Array, now: number): ChallengeCheck {
    const pending = this.byId.get(temporarySessionId);
    if (pending === undefined) {
      return {
        ok: false,
        error: "unknown-session",
        reason: `no challenge was issued with temporary session ID ${hexN(temporarySessionId, 8)}`,
      };
    }
    if (now - pending.issuedAt > this.lifetimeMs) {
      this.byId.delete(temporarySessionId);
      return {
        ok: false,
        error: "expired",
        reason: `the challenge for ${hexN(temporarySessionId, 8)} expired`,
      };
    }
    if (challenge.length !== AUTH_CODE_LENGTH || !timingSafeEqual(challenge, pending.challenge)) {
      return {
        ok: false,
        error: "challenge-mismatch",
        reason: "the challenge string is not the one issued",
      };
    }
    this.byId.delete(temporarySessionId);
    return { ok: true, pending };
  }

  private expire(now: number): void {
    for (const [id, p] of this.byId) if (now - p.issuedAt > this.lifetimeMs) this.byId.delete(id);
  }
}

// ---- inbound session sequence numbers (6.12.13) -------------------------------------------

/** How far a sequence number may be from the highest accepted one (6.12.13; OpenIPMI's lanserv also uses 8). */
export const SEQUENCE_WINDOW = 8;

export type SequenceCheck =
  | { ok: true }
  | { ok: false; error: "zero" | "replay" | "out-of-window"; reason: string };

/**
 * The remote console's session sequence numbers as the BMC receives them (6.12.13): a number
 * up to 8 past the highest accepted one is accepted and becomes the highest; one up to 8
 * behind it is accepted once (a message overtaken by the next); a number seen before is a
 * replay; anything farther is out of the window. 32-bit arithmetic wraps; 0 is refused (it
 * marks messages outside a session, and ipmitool steps from FFFFFFFFh straight to 1).
 *
 * Feed it only messages whose AuthCode checked out, or a forger could move the window.
 */
export class InboundSequenceWindow {
  /** The highest accepted number. */
  private top: number;
  /** Bit i set: number (top - 1 - i) was accepted (or lies before the session's first number). */
  private seenBelow = 0xff;

  /** `initial`: the initial inbound sequence number the Activate Session response gave (22.17). */
  constructor(initial: number) {
    if (!Number.isInteger(initial) || initial <= 0 || initial > 0xffffffff) {
      throw new RangeError(`initial inbound sequence number ${initial} is not a non-zero 32-bit number`);
    }
    // The console's first message carries `initial` itself: the number before it stands as the
    // top, and it and the 8 below it count as seen (they were never this session's numbers).
    this.top = (initial - 1) >>> 0;
  }

  /** The highest sequence number accepted so far. */
  get highest(): number {
    return this.top;
  }

  /** Whether `sequence` would be accepted, without accepting it. */
  check(sequence: number): SequenceCheck {
    return this.judge(sequence).result;
  }

  /** Accepts `sequence` (moving the window) or says why not. */
  accept(sequence: number): SequenceCheck {
    const { result, ahead } = this.judge(sequence);
    if (!result.ok) return result;
    if (ahead > 0) {
      // Shift: the old top becomes the number just below the new one.
      this.seenBelow = ((this.seenBelow << ahead) | (1 << (ahead - 1))) & 0xff;
      this.top = sequence >>> 0;
    } else {
      this.seenBelow |= 1 << (-ahead - 1);
    }
    return result;
  }

  private judge(sequence: number): { result: SequenceCheck; ahead: number } {
    if (!Number.isInteger(sequence) || sequence < 0 || sequence > 0xffffffff) {
      return {
        result: { ok: false, error: "out-of-window", reason: `${sequence} is not a 32-bit number` },
        ahead: 0,
      };
    }
    if (sequence === 0) {
      return {
        result: { ok: false, error: "zero", reason: "sequence number 0 is not used inside a session" },
        ahead: 0,
      };
    }
    // Signed distance from the top, modulo 2^32.
    const ahead = ((sequence - this.top) | 0) as number;
    if (ahead > 0 && ahead <= SEQUENCE_WINDOW) return { result: { ok: true }, ahead };
    if (ahead === 0) {
      return { result: replay(sequence), ahead };
    }
    if (ahead < 0 && ahead >= -SEQUENCE_WINDOW) {
      const seen = (this.seenBelow >> (-ahead - 1)) & 1;
      return { result: seen ? replay(sequence) : { ok: true }, ahead };
    }
    return {
      result: {
        ok: false,
        error: "out-of-window",
        reason: `sequence number ${hexN(sequence, 8)} is not within ${SEQUENCE_WINDOW} of ${hexN(this.top, 8)}`,
      },
      ahead,
    };
  }
}

function replay(sequence: number): SequenceCheck {
  return { ok: false, error: "replay", reason: `sequence number ${hexN(sequence, 8)} was already received` };
}
