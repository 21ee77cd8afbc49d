/**
 * RMCP+ session set-up (IPMI 2.0 sections 13.17-13.23): the Open Session Request and Response
 * and RAKP Messages 1-4 as layouts, the RMCP+ status codes (table 13-15), and the RAKP key
 * exchange of section 13.31 with node:crypto: the RAKP 2 and RAKP 3 key exchange
 * authentication codes, the Session Integrity Key (SIK) and the RAKP 4 integrity check value,
 * for RAKP-none, RAKP-HMAC-SHA1 and RAKP-HMAC-SHA256 (section 13.28).
 *
 * Names: the spec writes the remote console's values with "m" and the managed system's (the
 * BMC's) with "c": SIDm / Rm are the console's session ID and random number, SIDc / Rc / GUIDc
 * the BMC's. The code says console and bmc.
 *
 * Every multi-byte value enters the HMACs as it is on the wire (section 13.31: session IDs LS
 * byte first, random numbers and the GUID as sent).
 *
 * ROLEm: the role byte that enters the RAKP 2 and 3 codes and the SIK is the whole byte the
 * console sent in RAKP Message 1: the requested privilege level (bits 3:0) together with the
 * name-only lookup bit (bit 4), as section 13.31 writes it. Some BMCs use the privilege level
 * alone (the Open Session / requested privilege, bit 4 left out) instead; ipmitool carries
 * workarounds for such firmware (`-o intelplus`, `-o i82571spt`). This code follows the spec, so
 * callers pass `Rakp1.role` unchanged. The real handshakes in fixtures/ (ipmitool with
 * ipmi_sim, roles 14h and 04h) agree with the spec.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { hexByte, toHex } from "../hex";
import {
  bit,
  bits,
  bytes,
  type Codec,
  group,
  type In,
  LayoutError,
  mapped,
  type Out,
  optional,
  rest,
  SHORT,
  struct,
  u8,
  u16,
  u24,
  u32,
} from "../layout/codec";
import { ascii, field, guid, h8 } from "../layout/format";
import { layout } from "../layout/layout";
import { codeTable } from "../spec/code-table";
import { PRIVILEGE_LEVELS } from "../spec/tables";
import {
  AUTH_ALG,
  AUTHENTICATION_ALGORITHMS,
  CONFIDENTIALITY_ALGORITHMS,
  INTEGRITY_ALGORITHMS,
} from "./cipher-suites";

// ---- RMCP+ status codes (table 13-15) ------------------------------------------------------------

export const RMCP_PLUS_STATUS = {
  NO_ERRORS: 0x00,
  INSUFFICIENT_RESOURCES: 0x01,
  INVALID_SESSION_ID: 0x02,
  INVALID_PAYLOAD_TYPE: 0x03,
  INVALID_AUTHENTICATION_ALGORITHM: 0x04,
  INVALID_INTEGRITY_ALGORITHM: 0x05,
  NO_MATCHING_AUTHENTICATION_PAYLOAD: 0x06,
  NO_MATCHING_INTEGRITY_PAYLOAD: 0x07,
  INACTIVE_SESSION_ID: 0x08,
  INVALID_ROLE: 0x09,
  UNAUTHORIZED_ROLE: 0x0a,
  INSUFFICIENT_RESOURCES_AT_ROLE: 0x0b,
  INVALID_NAME_LENGTH: 0x0c,
  UNAUTHORIZED_NAME: 0x0d,
  UNAUTHORIZED_GUID: 0x0e,
  INVALID_INTEGRITY_CHECK_VALUE: 0x0f,
  INVALID_CONFIDENTIALITY_ALGORITHM: 0x10,
  NO_CIPHER_SUITE_MATCH: 0x11,
  ILLEGAL_PARAMETER: 0x12,
} as const;

const S = RMCP_PLUS_STATUS;

/** The status codes of the Open Session Response and RAKP Messages 2-4 (table 13-15). */
export const RMCP_PLUS_STATUS_CODES = codeTable([
  [S.NO_ERRORS, "No errors"],
  [S.INSUFFICIENT_RESOURCES, "Insufficient resources to create a session"],
  [S.INVALID_SESSION_ID, "Invalid Session ID"],
  [S.INVALID_PAYLOAD_TYPE, "Invalid payload type"],
  [S.INVALID_AUTHENTICATION_ALGORITHM, "Invalid authentication algorithm"],
  [S.INVALID_INTEGRITY_ALGORITHM, "Invalid integrity algorithm"],
  [S.NO_MATCHING_AUTHENTICATION_PAYLOAD, "No matching authentication payload"],
  [S.NO_MATCHING_INTEGRITY_PAYLOAD, "No matching integrity payload"],
  [S.INACTIVE_SESSION_ID, "Inactive Session ID"],
  [S.INVALID_ROLE, "Invalid role"],
  [S.UNAUTHORIZED_ROLE, "Unauthorized role or privilege level requested"],
  [S.INSUFFICIENT_RESOURCES_AT_ROLE, "Insufficient resources to create a session at the requested role"],
  [S.INVALID_NAME_LENGTH, "Invalid name length"],
  [S.UNAUTHORIZED_NAME, "Unauthorized name"],
  [S.UNAUTHORIZED_GUID, "Unauthorized GUID"],
  [S.INVALID_INTEGRITY_CHECK_VALUE, "Invalid integrity check value"],
  [S.INVALID_CONFIDENTIALITY_ALGORITHM, "Invalid confidentiality algorithm"],
  [S.NO_CIPHER_SUITE_MATCH, "No Cipher Suite match with proposed security algorithms"],
  [S.ILLEGAL_PARAMETER, "Illegal or unrecognized parameter"],
] as const);

// ---- shared pieces -------------------------------------------------------------------------------

type Reserved<S> = Extract<keyof S, `reserved${string}`>;
type MessageOut<S> = { [K in Exclude<keyof S, Reserved<S>>]: Out<S[K]> };
type MessageIn<S> = { [K in Exclude<keyof S, Reserved<S>>]: In<S[K]> };

/**
 * A struct whose `reserved…` fields (integers) are read and shown but left out of the value,
 * and written as 0.
 */
function message<Sh extends Record<string, Codec<unknown, never>>>(
  shape: Sh,
): Codec<MessageOut<Sh>, MessageIn<Sh>> {
  const whole = struct(shape);
  const reserved = Object.keys(shape).filter((k) => k.startsWith("reserved"));
  return mapped(
    whole,
    (v) => {
      const out: Record<string, unknown> = { ...v };
      for (const k of reserved) delete out[k];
      return out as MessageOut<Sh>;
    },
    (v: MessageIn<Sh>) => {
      const full: Record<string, unknown> = { ...v };
      for (const k of reserved) full[k] = 0;
      return full as never;
    },
  );
}

/** Privilege level codes (table 6-1); 0h in a request means "highest level matching the proposed algorithms" (13.17). */
function requestedPrivilegeLabel(v: number): string {
  return v === 0 ? "highest level matching proposed algorithms (0h)" : PRIVILEGE_LEVELS.label(v);
}

const messageTag = u8("Message tag");
const statusCode = u8("RMCP+ status code", (v) => RMCP_PLUS_STATUS_CODES.label(v));
const consoleSessionId = u32("Remote console session ID");
const bmcSessionId = u32("Managed system session ID");
const randomNumber = (label: string) => bytes(label, 16);
const keyExchangeCode = rest("Key exchange authentication code", 32);

// ---- algorithm payloads (13.17, 13.18) ---------------------------------------------------------

/** The three payloads of Open Session Request and Response, by their payload type byte. */
export const ALGORITHM_PAYLOAD = { AUTHENTICATION: 0x00, INTEGRITY: 0x01, CONFIDENTIALITY: 0x02 } as const;
/** Payload length byte of an algorithm payload: 08h, the whole 8 bytes (13.17). */
export const ALGORITHM_PAYLOAD_LENGTH = 0x08;

export interface AlgorithmPayload {
  /** Byte 1: 00h authentication, 01h integrity, 02h confidentiality. */
  payloadType: number;
  /** Byte 4: 08h. */
  payloadLength: number;
  /** Byte 5 bits 5:0: the algorithm number (tables 13-17, 13-18, 13-19). */
  algorithm: number;
}

/** What a writer gives: the algorithm; the payload type and length default to the spec's. */
export interface AlgorithmPayloadIn {
  algorithm: number;
  payloadType?: number;
  payloadLength?: number;
}

const PAYLOAD_NAMES = ["authentication", "integrity", "confidentiality"] as const;
const ALGORITHM_TABLES = [AUTHENTICATION_ALGORITHMS, INTEGRITY_ALGORITHMS, CONFIDENTIALITY_ALGORITHMS];

/**
 * One 8-byte algorithm payload: payload type, 2 reserved bytes, payload length, the algorithm
 * (bits 5:0), 3 reserved bytes. Reading keeps what was sent; `checkOpenSessionRequest`
 * says whether the payload type and length are right.
 */
function algorithmPayload(kind: 0 | 1 | 2): Codec<AlgorithmPayload, AlgorithmPayloadIn> {
  const name = PAYLOAD_NAMES[kind];
  const table = ALGORITHM_TABLES[kind]!;
  const inner = message({
    payloadType: u8("Payload type", (v) =>
      v === kind ? `${h8(v)} (${name})` : `${h8(v)} (expected ${h8(kind)}, ${name})`,
    ),
    reserved1: u16("Reserved"),
    payloadLength: u8("Payload length", (v) => `${v} bytes`),
    algorithm: bits(1, {
      number: bit("Algorithm", 0, 5, (v) => table.label(v)),
      reserved: bit(undefined, 6, 7),
    }),
    reserved2: u24("Reserved"),
  });
  const label = `${name[0]!.toUpperCase()}${name.slice(1)} payload`;
  return group(
    label,
    mapped(
      inner,
      (v): AlgorithmPayload => ({
        payloadType: v.payloadType,
        payloadLength: v.payloadLength,
        algorithm: v.algorithm.number,
      }),
      (v: AlgorithmPayloadIn) => ({
        payloadType: v.payloadType ?? kind,
        payloadLength: v.payloadLength ?? ALGORITHM_PAYLOAD_LENGTH,
        algorithm: { number: v.algorithm, reserved: 0 },
      }),
    ),
    (v) => table.label(v.algorithm),
  );
}

const authenticationPayload = algorithmPayload(0);
const integrityPayload = algorithmPayload(1);
const confidentialityPayload = algorithmPayload(2);

const privilegeByte = (label: string, format: (v: number) => string) =>
  mapped(
    bits(1, { level: bit(label, 0, 3, format), reserved: bit(undefined, 4, 7) }),
    (v) => v.level,
    (v: number) => ({ level: v, reserved: 0 }),
  );

// ---- Open Session Request / Response (13.17, 13.18) --------------------------------------------

/**
 * RMCP+ Open Session Request (13.17): message tag, requested maximum privilege level (bits
 * 3:0; 0h = the highest level matching the proposed algorithms), 2 reserved bytes, the remote
 * console's session ID, then the authentication, integrity and confidentiality payloads.
 */
export const openSessionRequest = layout(
  message({
    tag: messageTag,
    maxPrivilege: privilegeByte("Requested maximum privilege level", requestedPrivilegeLabel),
    reserved: u16("Reserved"),
    consoleSessionId,
    authentication: authenticationPayload,
    integrity: integrityPayload,
    confidentiality: confidentialityPayload,
  }),
);
export type OpenSessionRequest = Out<typeof openSessionRequest>;

const openSessionAccepted = message({
  bmcSessionId,
  authentication: authenticationPayload,
  integrity: integrityPayload,
  confidentiality: confidentialityPayload,
});

/**
 * RMCP+ Open Session Response (13.18): message tag, status code (table 13-15), maximum
 * privilege level granted (bits 3:0), a reserved byte, the remote console's session ID; then
 * the managed system's session ID and the three algorithm payloads it chose. Some BMCs end the
 * message after the console session ID when the status is not 00h; then `session` is absent.
 */
export const openSessionResponse = layout(
  message({
    tag: messageTag,
    status: statusCode,
    maxPrivilege: privilegeByte("Maximum privilege level", requestedPrivilegeLabel),
    reserved: u8("Reserved"),
    consoleSessionId,
    session: optional(openSessionAccepted),
  }),
);
export type OpenSessionResponse = Out<typeof openSessionResponse>;

export type OpenSessionCheck = { ok: true } | { ok: false; status: number; reason: string };

/** Whether the three algorithm payloads of a request say what 13.17 requires (type 00h/01h/02h, length 08h). */
export function checkOpenSessionRequest(r: OpenSessionRequest): OpenSessionCheck {
  const payloads = [r.authentication, r.integrity, r.confidentiality] as const;
  for (let kind = 0; kind < 3; kind++) {
    const p = payloads[kind]!;
    if (p.payloadType !== kind) {
      return {
        ok: false,
        status: S.INVALID_PAYLOAD_TYPE,
        reason: `${PAYLOAD_NAMES[kind]} payload has payload type ${hexByte(p.payloadType)}, not ${hexByte(kind)}`,
      };
    }
    if (p.payloadLength !== ALGORITHM_PAYLOAD_LENGTH) {
      return {
        ok: false,
        status: S.ILLEGAL_PARAMETER,
        reason: `${PAYLOAD_NAMES[kind]} payload length is ${p.payloadLength}, not 8`,
      };
    }
  }
  if (r.maxPrivilege > 0x05) {
    return {
      ok: false,
      status: S.INVALID_ROLE,
      reason: `requested privilege level ${hexByte(r.maxPrivilege)}`,
    };
  }
  return { ok: true };
}

// ---- RAKP Message 1-4 (13.20-13.23) ------------------------------------------------------------

/** RAKP Message 1 byte 25 bit 4: 1 = name-only lookup, 0 = username/privilege lookup (13.20). */
export const ROLE_NAME_ONLY_LOOKUP = 0x10;
/** Most bytes of a user name (13.20: 0-16). */
export const USER_NAME_MAX = 16;

/** The privilege level (bits 3:0) of a RAKP 1 role byte. */
export function rolePrivilege(role: number): number {
  return role & 0x0f;
}

/** Whether a RAKP 1 role byte asks for a name-only lookup (bit 4). */
export function roleNameOnly(role: number): boolean {
  return (role & ROLE_NAME_ONLY_LOOKUP) !== 0;
}

/** A role byte: privilege level in bits 3:0, name-only lookup in bit 4 (13.20). */
export function roleByte(privilege: number, nameOnlyLookup: boolean): number {
  if (!Number.isInteger(privilege) || privilege < 0 || privilege > 0x0f) {
    throw new RangeError(`privilege level ${privilege} does not fit 4 bits`);
  }
  return privilege | (nameOnlyLookup ? ROLE_NAME_ONLY_LOOKUP : 0);
}

const roleField = u8("Requested maximum privilege level (role)", (v) => ({
  value: h8(v),
  children: [
    { name: "Privilege level", value: PRIVILEGE_LEVELS.label(v & 0x0f) },
    {
      name: "Lookup",
      value: roleNameOnly(v) ? "name-only lookup" : "username/privilege lookup",
    },
    ...(v & 0xe0 ? [{ name: "Reserved bits 7:5", value: String(v >> 5) }] : []),
  ],
}));

/** User name length (1 byte) then that many bytes of name (13.20); the value is the name's bytes. */
const userName: Codec<Uint8Array, Uint8Array | readonly number[]> = {
  minLength: 1,
  maxLength: 1 + 255,
  read(c, tree) {
    const at = c.pos;
    const n = c.uint(1);
    if (n === SHORT) return SHORT;
    tree?.push(field("User name length", `${n}`, toHex(c.since(at))));
    const name = c.take(n);
    if (name === SHORT) return SHORT;
    if (n > 0) tree?.push(field("User name", `"${ascii(name)}"`, toHex(name)));
    return name.slice();
  },
  write(w, name) {
    if (name.length > USER_NAME_MAX) {
      throw new LayoutError(`User name: ${name.length} bytes, at most ${USER_NAME_MAX}`);
    }
    w.byte(name.length);
    w.bytes(name);
  },
};

/**
 * RAKP Message 1 (13.20): message tag, 3 reserved bytes, the managed system's session ID, the
 * console's random number Rm (16 bytes), the role byte (`role`: kept whole, see the file
 * comment), 2 reserved bytes, user name length and name.
 */
export const rakp1 = layout(
  message({
    tag: messageTag,
    reserved1: u24("Reserved"),
    bmcSessionId,
    consoleRandom: randomNumber("Remote console random number"),
    role: roleField,
    reserved2: u16("Reserved"),
    userName,
  }),
);
export type Rakp1 = Out<typeof rakp1>;

/**
 * RAKP Message 2 (13.21): message tag, status, 2 reserved bytes, the console's session ID;
 * then the managed system's random number Rc, its GUID and the key exchange authentication
 * code (20 bytes HMAC-SHA1, 32 HMAC-SHA256, none for RAKP-none). A BMC refusing may end
 * after the console session ID: then `keyExchange` is absent.
 */
export const rakp2 = layout(
  message({
    tag: messageTag,
    status: statusCode,
    reserved: u16("Reserved"),
    consoleSessionId,
    keyExchange: optional(
      struct({
        bmcRandom: randomNumber("Managed system random number"),
        bmcGuid: bytes("Managed system GUID", 16, guid),
        authCode: keyExchangeCode,
      }),
    ),
  }),
);
export type Rakp2 = Out<typeof rakp2>;

/**
 * RAKP Message 3 (13.22): message tag, status, 2 reserved bytes, the managed system's session
 * ID, the key exchange authentication code (empty for RAKP-none or when the status is not 00h).
 */
export const rakp3 = layout(
  message({
    tag: messageTag,
    status: statusCode,
    reserved: u16("Reserved"),
    bmcSessionId,
    authCode: keyExchangeCode,
  }),
);
export type Rakp3 = Out<typeof rakp3>;

/**
 * RAKP Message 4 (13.23): message tag, status, 2 reserved bytes, the console's session ID, the
 * integrity check value (12 bytes for RAKP-HMAC-SHA1, 16 for RAKP-HMAC-SHA256, none for
 * RAKP-none).
 */
export const rakp4 = layout(
  message({
    tag: messageTag,
    status: statusCode,
    reserved: u16("Reserved"),
    consoleSessionId,
    integrityCheckValue: rest("Integrity check value", 32),
  }),
);
export type Rakp4 = Out<typeof rakp4>;

// ---- the key exchange (13.28, 13.31) -----------------------------------------------------------

/** An authentication algorithm as RAKP runs it (13.28). */
export interface RakpAlgorithm {
  /** Number of table 13-17. */
  readonly number: number;
  readonly name: string;
  /** node:crypto's hash of its HMAC; undefined for RAKP-none (no codes, no keys). */
  readonly hash: "sha1" | "sha256" | undefined;
  /** Bytes of the RAKP 2 and RAKP 3 key exchange authentication codes (the HMAC's output). */
  readonly keyExchangeCodeLength: number;
  /** Bytes of the RAKP 4 integrity check value: the HMAC truncated to 96 or 128 bits (13.28, 13.31). */
  readonly integrityCheckValueLength: number;
  /** Bytes of the SIK, K1 and K2 (the HMAC's output). */
  readonly keyLength: number;
}

export const RAKP_NONE: RakpAlgorithm = {
  number: AUTH_ALG.RAKP_NONE,
  name: "RAKP-none",
  hash: undefined,
  keyExchangeCodeLength: 0,
  integrityCheckValueLength: 0,
  keyLength: 0,
};
export const RAKP_HMAC_SHA1: RakpAlgorithm = {
  number: AUTH_ALG.RAKP_HMAC_SHA1,
  name: "RAKP-HMAC-SHA1",
  hash: "sha1",
  keyExchangeCodeLength: 20,
  integrityCheckValueLength: 12,
  keyLength: 20,
};
export const RAKP_HMAC_SHA256: RakpAlgorithm = {
  number: AUTH_ALG.RAKP_HMAC_SHA256,
  name: "RAKP-HMAC-SHA256",
  hash: "sha256",
  keyExchangeCodeLength: 32,
  integrityCheckValueLength: 16,
  keyLength: 32,
};

/** The RAKP algorithm of a table 13-17 number, or undefined for the ones not implemented (MD5, OEM, reserved). */
export function rakpAlgorithm(authentication: number): RakpAlgorithm | undefined {
  if (authentication === AUTH_ALG.RAKP_NONE) return RAKP_NONE;
  if (authentication === AUTH_ALG.RAKP_HMAC_SHA1) return RAKP_HMAC_SHA1;
  if (authentication === AUTH_ALG.RAKP_HMAC_SHA256) return RAKP_HMAC_SHA256;
  return undefined;
}

/** Bytes of a user key Kuid and of the BMC key Kg (13.31; 22.25 Set Channel Security Keys: 20 bytes). */
export const KEY_LENGTH = 20;

/**
 * A password as the key Kuid (or a BMC key as Kg): its bytes (UTF-8 for a string), padded with
 * 00h to 20 bytes. (HMAC pads a short key with zeros anyway, so padding does not change a code;
 * it keeps the key the spec's 20 bytes.)
 */
export function userKey(password: string | Uint8Array): Uint8Array {
  const raw = typeof password === "string" ? new TextEncoder().encode(password) : password;
  if (raw.length > KEY_LENGTH) throw new RangeError(`a key has at most 20 bytes, this one ${raw.length}`);
  const out = new Uint8Array(KEY_LENGTH);
  out.set(raw);
  return out;
}

/** The values both sides learn during the set-up, which the codes are computed over (13.31). */
export interface RakpExchange {
  /** SIDm: the remote console's session ID (Open Session Request). */
  consoleSessionId: number;
  /** SIDc: the managed system's session ID (Open Session Response). */
  bmcSessionId: number;
  /** Rm: the remote console's random number (RAKP 1), 16 bytes. */
  consoleRandom: Uint8Array;
  /** Rc: the managed system's random number (RAKP 2), 16 bytes. */
  bmcRandom: Uint8Array;
  /** GUIDc: the managed system's GUID (RAKP 2), 16 bytes as sent. */
  bmcGuid: Uint8Array;
  /** ROLEm: the whole RAKP 1 role byte (privilege level and name-only lookup bit). */
  role: number;
  /** UNAMEm: the user name bytes of RAKP 1 (ULENGTHm is their count). */
  userName: Uint8Array;
}

/** 4 bytes, LS first: a session ID as sent (13.6). */
function le32(v: number): Uint8Array {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
    throw new RangeError(`${v} is not a 32-bit session ID`);
  return Uint8Array.of(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24);
}

function checkExchange(x: RakpExchange): void {
  if (x.consoleRandom.length !== 16) throw new RangeError(`Rm has ${x.consoleRandom.length} bytes, not 16`);
  if (x.bmcRandom.length !== 16) throw new RangeError(`Rc has ${x.bmcRandom.length} bytes, not 16`);
  if (x.bmcGuid.length !== 16) throw new RangeError(`GUIDc has ${x.bmcGuid.length} bytes, not 16`);
  if (!Number.isInteger(x.role) || x.role < 0 || x.role > 0xff)
    throw new RangeError(`role ${x.role} is not a byte`);
  if (x.userName.length > USER_NAME_MAX) {
    throw new RangeError(`user name has ${x.userName.length} bytes, at most ${USER_NAME_MAX}`);
  }
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** HMAC of `alg` keyed by `key` over `data`; empty for RAKP-none. */
export function rakpHmac(alg: RakpAlgorithm, key: Uint8Array, data: Uint8Array): Uint8Array {
  if (alg.hash === undefined) return new Uint8Array(0);
  return new Uint8Array(createHmac(alg.hash, key).update(data).digest());
}

/** The bytes the RAKP 2 code covers: SIDm, SIDc, Rm, Rc, GUIDc, ROLEm, ULENGTHm, UNAMEm (13.31). */
export function rakp2Data(x: RakpExchange): Uint8Array {
  checkExchange(x);
  return concat([
    le32(x.consoleSessionId),
    le32(x.bmcSessionId),
    x.consoleRandom,
    x.bmcRandom,
    x.bmcGuid,
    Uint8Array.of(x.role, x.userName.length),
    x.userName,
  ]);
}

/** The bytes the RAKP 3 code covers: Rc, SIDm, ROLEm, ULENGTHm, UNAMEm (13.31). */
export function rakp3Data(x: RakpExchange): Uint8Array {
  checkExchange(x);
  return concat([
    x.bmcRandom,
    le32(x.consoleSessionId),
    Uint8Array.of(x.role, x.userName.length),
    x.userName,
  ]);
}

/** The bytes the SIK covers: Rm, Rc, ROLEm, ULENGTHm, UNAMEm (13.31). */
export function sikData(x: RakpExchange): Uint8Array {
  checkExchange(x);
  return concat([x.consoleRandom, x.bmcRandom, Uint8Array.of(x.role, x.userName.length), x.userName]);
}

/** The bytes the RAKP 4 integrity check value covers: Rm, SIDc, GUIDc (13.31). */
export function rakp4Data(x: RakpExchange): Uint8Array {
  checkExchange(x);
  return concat([x.consoleRandom, le32(x.bmcSessionId), x.bmcGuid]);
}

/** RAKP Message 2's key exchange authentication code: HMAC_Kuid(SIDm, SIDc, Rm, Rc, GUIDc, ROLEm, ULENGTHm, UNAMEm). */
export function rakp2AuthCode(alg: RakpAlgorithm, kuid: Uint8Array, x: RakpExchange): Uint8Array {
  return rakpHmac(alg, kuid, rakp2Data(x));
}

/** RAKP Message 3's key exchange authentication code: HMAC_Kuid(Rc, SIDm, ROLEm, ULENGTHm, UNAMEm). */
export function rakp3AuthCode(alg: RakpAlgorithm, kuid: Uint8Array, x: RakpExchange): Uint8Array {
  return rakpHmac(alg, kuid, rakp3Data(x));
}

/** Whether a BMC key Kg is set: a key of all zeros is "not set" (13.31, 22.25). */
export function isKeySet(kg: Uint8Array | undefined): kg is Uint8Array {
  return kg?.some((b) => b !== 0) ?? false;
}

/**
 * The Session Integrity Key: SIK = HMAC_Kg(Rm, Rc, ROLEm, ULENGTHm, UNAMEm), with Kg = Kuid
 * when no BMC key is set (13.31, "one-key" logins). Empty for RAKP-none.
 */
export function sessionIntegrityKey(
  alg: RakpAlgorithm,
  kuid: Uint8Array,
  x: RakpExchange,
  kg?: Uint8Array,
): Uint8Array {
  return rakpHmac(alg, isKeySet(kg) ? kg : kuid, sikData(x));
}

/**
 * RAKP Message 4's integrity check value: HMAC_SIK(Rm, SIDc, GUIDc), truncated to 12 bytes
 * (HMAC-SHA1-96) or 16 (HMAC-SHA256-128) (13.28, 13.31). Empty for RAKP-none.
 */
export function rakp4IntegrityCheckValue(alg: RakpAlgorithm, sik: Uint8Array, x: RakpExchange): Uint8Array {
  return rakpHmac(alg, sik, rakp4Data(x)).slice(0, alg.integrityCheckValueLength);
}

/** Whether a received code equals the expected one, in constant time for equal lengths. */
export function codesMatch(received: Uint8Array, expected: Uint8Array): boolean {
  return (
    received.length === expected.length && (expected.length === 0 || timingSafeEqual(received, expected))
  );
}
