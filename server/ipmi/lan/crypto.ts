/**
 * RMCP+ session cryptography with node:crypto (IPMI 2.0 sections 13.28-13.32): the additional
 * keying material K1 and K2 derived from the SIK, the integrity algorithms' AuthCode
 * (HMAC-SHA1-96, HMAC-SHA256-128) and the AES-CBC-128 confidentiality algorithm; and, built
 * on rmcp-plus.ts, sealing an outgoing payload (encrypt, lay out, sign) and opening an
 * incoming message (decode, verify, decrypt).
 *
 * K1 = HMAC_SIK(const 1), K2 = HMAC_SIK(const 2), const n = n repeated 20 times (13.32),
 * the HMAC being the session's authentication algorithm's. For RAKP-HMAC-SHA256 the constants
 * stay 20 bytes long (not 32): section 13.32 defines them once, at 20 bytes, and ipmitool
 * (lanplus_crypt.c), FreeIPMI (IPMI_KEY_CONSTANT_LENGTH) and OpenBMC's netipmid (CONST_N_SIZE)
 * all use 20 bytes for SHA-256 too; fixtures/rmcp-plus-cipher17-ipmitool.txt is a suite 17
 * session ipmitool ran against this code. K1 and K2 are 32 bytes then.
 *
 * The integrity AuthCode is keyed by K1 (13.28.4 / 13.32; ipmitool and OpenBMC do so, and the
 * ipmitool-ipmi_sim captures verify with K1) over the message from the auth type byte through
 * the next header byte.
 *
 * MD5 (RAKP-HMAC-MD5, HMAC-MD5-128, MD5-128) and xRC4 are not implemented: a BMC built on this
 * offers only the suites `IMPLEMENTED_CIPHER_SUITES` lists (cipher-suites.ts).
 */
import { createCipheriv, createDecipheriv, createHmac, randomFillSync } from "node:crypto";
import { hexByte } from "../hex";
import { CONFIDENTIALITY_ALG, INTEGRITY_ALG, INTEGRITY_ALGORITHMS } from "./cipher-suites";
import type { RakpAlgorithm } from "./rakp";
import { codesMatch, rakpHmac } from "./rakp";
import {
  decodeRmcpPlus,
  encodeRmcpPlus,
  type OutgoingHeader,
  type RmcpPlusErrorCode,
  type SessionHeader,
} from "./rmcp-plus";

// ---- additional keying material (13.32) --------------------------------------------------------

/** Bytes of the constants K1 and K2 are computed over (13.32: 20, for every algorithm; see the file comment). */
export const KEY_CONSTANT_LENGTH = 20;

/** K_n = HMAC_SIK(n repeated 20 times) (13.32). Empty for RAKP-none. */
export function additionalKey(alg: RakpAlgorithm, sik: Uint8Array, n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 1 || n > 0xff) throw new RangeError(`constant ${n} is not 01h-FFh`);
  return rakpHmac(alg, sik, new Uint8Array(KEY_CONSTANT_LENGTH).fill(n));
}

export interface SessionKeys {
  /** K1: the integrity algorithm's key. */
  k1: Uint8Array;
  /** K2: the confidentiality algorithm's key (AES-CBC-128 takes its first 16 bytes). */
  k2: Uint8Array;
}

/** K1 and K2 of a session (13.32). */
export function sessionKeys(alg: RakpAlgorithm, sik: Uint8Array): SessionKeys {
  return { k1: additionalKey(alg, sik, 1), k2: additionalKey(alg, sik, 2) };
}

// ---- integrity (13.28.4; table 13-18) ----------------------------------------------------------

export interface IntegrityAlgorithm {
  /** Number of table 13-18. */
  readonly number: number;
  readonly name: string;
  /** node:crypto's hash of its HMAC; undefined for none (no session trailer). */
  readonly hash: "sha1" | "sha256" | undefined;
  /** Bytes of the AuthCode: the HMAC truncated to 96 or 128 bits. */
  readonly authCodeLength: number;
}

export const INTEGRITY_NONE: IntegrityAlgorithm = {
  number: INTEGRITY_ALG.NONE,
  name: "none",
  hash: undefined,
  authCodeLength: 0,
};
export const HMAC_SHA1_96: IntegrityAlgorithm = {
  number: INTEGRITY_ALG.HMAC_SHA1_96,
  name: "HMAC-SHA1-96",
  hash: "sha1",
  authCodeLength: 12,
};
export const HMAC_SHA256_128: IntegrityAlgorithm = {
  number: INTEGRITY_ALG.HMAC_SHA256_128,
  name: "HMAC-SHA256-128",
  hash: "sha256",
  authCodeLength: 16,
};

/** The integrity algorithm of a table 13-18 number, or undefined for the ones not implemented (MD5, OEM). */
export function integrityAlgorithm(n: number): IntegrityAlgorithm | undefined {
  if (n === INTEGRITY_ALG.NONE) return INTEGRITY_NONE;
  if (n === INTEGRITY_ALG.HMAC_SHA1_96) return HMAC_SHA1_96;
  if (n === INTEGRITY_ALG.HMAC_SHA256_128) return HMAC_SHA256_128;
  return undefined;
}

/**
 * The AuthCode of an authenticated message: HMAC_K1 over `integrityData` (auth type through
 * next header), truncated to the algorithm's length (12 bytes HMAC-SHA1-96, 16 HMAC-SHA256-128).
 */
export function integrityAuthCode(
  alg: IntegrityAlgorithm,
  k1: Uint8Array,
  integrityData: Uint8Array,
): Uint8Array {
  if (alg.hash === undefined) throw new RangeError("integrity algorithm none computes no AuthCode");
  const mac = createHmac(alg.hash, k1).update(integrityData).digest();
  return new Uint8Array(mac.subarray(0, alg.authCodeLength));
}

// ---- confidentiality: AES-CBC-128 (13.29) ------------------------------------------------------

/** AES-CBC-128's block, IV and key size in bytes (13.29). */
export const AES_BLOCK = 16;

/** The AES-CBC-128 key: the first 16 bytes of K2 (13.29). */
export function aesKey(k2: Uint8Array): Uint8Array {
  if (k2.length < AES_BLOCK) throw new RangeError(`K2 has ${k2.length} bytes, AES-CBC-128 needs 16`);
  return k2.subarray(0, AES_BLOCK);
}

/**
 * The payload with its confidentiality trailer (13.29): the data, pad bytes 01h 02h 03h ...
 * and the pad length byte, to a multiple of 16 bytes (0-15 pad bytes).
 */
export function confidentialityPad(data: Uint8Array): Uint8Array {
  const pad = (AES_BLOCK - ((data.length + 1) % AES_BLOCK)) % AES_BLOCK;
  const out = new Uint8Array(data.length + pad + 1);
  out.set(data);
  for (let i = 1; i <= pad; i++) out[data.length + i - 1] = i;
  out[out.length - 1] = pad;
  return out;
}

/**
 * IVs come from a pool of CSPRNG bytes, each 16 bytes handed out once: one randomFillSync per
 * 256 messages instead of one per message (a quarter of the cost of sealing a response).
 */
const ivPool = new Uint8Array(AES_BLOCK * 256);
let ivNext = ivPool.length;

export function randomIv(): Uint8Array {
  if (ivNext === ivPool.length) {
    randomFillSync(ivPool);
    ivNext = 0;
  }
  const iv = ivPool.slice(ivNext, ivNext + AES_BLOCK);
  ivNext += AES_BLOCK;
  return iv;
}

/**
 * An encrypted payload (13.29): the 16-byte IV (the confidentiality header), then the data and
 * its confidentiality trailer encrypted with AES-128 in CBC mode under the first 16 bytes of K2.
 * `iv` defaults to 16 random bytes; give one only in tests.
 */
export function encryptAesCbc128(k2: Uint8Array, data: Uint8Array, iv: Uint8Array = randomIv()): Uint8Array {
  if (iv.length !== AES_BLOCK) throw new RangeError(`IV has ${iv.length} bytes, not 16`);
  const cipher = createCipheriv("aes-128-cbc", aesKey(k2), iv);
  cipher.setAutoPadding(false);
  const body = Buffer.concat([cipher.update(confidentialityPad(data)), cipher.final()]);
  const out = new Uint8Array(AES_BLOCK + body.length);
  out.set(iv);
  out.set(body, AES_BLOCK);
  return out;
}

export type Decrypted = { ok: true; data: Uint8Array } | { ok: false; reason: string };

/**
 * The data of an AES-CBC-128 encrypted payload: refuses a payload that is not an IV and whole
 * blocks, a pad length over 15, and pad bytes that are not 01h 02h 03h ... (13.29). A wrong K2
 * shows as a bad confidentiality trailer (or, 1 time in 256, as garbage data).
 */
export function decryptAesCbc128(k2: Uint8Array, payload: Uint8Array): Decrypted {
  if (payload.length < 2 * AES_BLOCK || payload.length % AES_BLOCK !== 0) {
    return {
      ok: false,
      reason: `an AES-CBC-128 payload is a 16-byte IV and whole 16-byte blocks; this one has ${payload.length} bytes`,
    };
  }
  const decipher = createDecipheriv("aes-128-cbc", aesKey(k2), payload.subarray(0, AES_BLOCK));
  decipher.setAutoPadding(false);
  const plain = Buffer.concat([decipher.update(payload.subarray(AES_BLOCK)), decipher.final()]);
  const pad = plain[plain.length - 1]!;
  if (pad >= AES_BLOCK) {
    return { ok: false, reason: `confidentiality pad length ${pad} is over 15 (wrong key?)` };
  }
  const dataEnd = plain.length - 1 - pad;
  for (let i = 0; i < pad; i++) {
    if (plain[dataEnd + i] !== i + 1) {
      return {
        ok: false,
        reason: `confidentiality pad byte ${i + 1} is ${hexByte(plain[dataEnd + i]!)}, not ${hexByte(i + 1)} (wrong key?)`,
      };
    }
  }
  return { ok: true, data: new Uint8Array(plain.subarray(0, dataEnd)) };
}

// ---- a session's messages ----------------------------------------------------------------------

/** What protects an established session's messages: the negotiated algorithms and K1, K2. */
export interface SessionCrypto {
  /** Integrity algorithm (table 13-18). */
  integrity: IntegrityAlgorithm;
  /** Confidentiality algorithm number (table 13-19): 00h none or 01h AES-CBC-128. */
  confidentiality: number;
  keys: SessionKeys;
}

/** The session protection for an authentication algorithm, an integrity and a confidentiality number, from the SIK. */
export function sessionCrypto(
  auth: RakpAlgorithm,
  integrity: number,
  confidentiality: number,
  sik: Uint8Array,
): SessionCrypto {
  const i = integrityAlgorithm(integrity);
  if (i === undefined)
    throw new RangeError(`integrity algorithm ${INTEGRITY_ALGORITHMS.label(integrity)} is not implemented`);
  if (confidentiality !== CONFIDENTIALITY_ALG.NONE && confidentiality !== CONFIDENTIALITY_ALG.AES_CBC_128) {
    throw new RangeError(`confidentiality algorithm ${hexByte(confidentiality)} is not implemented`);
  }
  return { integrity: i, confidentiality, keys: sessionKeys(auth, sik) };
}

/**
 * An outgoing RMCP+ message (the bytes after the RMCP header): the payload encrypted when the
 * session has a confidentiality algorithm, authenticated when it has an integrity algorithm.
 * `iv` only for tests.
 */
export function sealRmcpPlus(
  session: SessionCrypto,
  header: Pick<OutgoingHeader, "payloadType" | "sessionId" | "sequence" | "oem">,
  payload: Uint8Array,
  iv?: Uint8Array,
): Uint8Array {
  const encrypted = session.confidentiality === CONFIDENTIALITY_ALG.AES_CBC_128;
  const authenticated = session.integrity.hash !== undefined;
  const body = encrypted ? encryptAesCbc128(session.keys.k2, payload, iv) : payload;
  const full: OutgoingHeader = {
    payloadType: header.payloadType,
    encrypted,
    authenticated,
    sessionId: header.sessionId,
    sequence: header.sequence,
  };
  if (header.oem) full.oem = header.oem;
  return encodeRmcpPlus(
    full,
    body,
    authenticated ? (covered) => integrityAuthCode(session.integrity, session.keys.k1, covered) : undefined,
  );
}

export type OpenedErrorCode = RmcpPlusErrorCode | "integrity" | "confidentiality" | "unprotected";

export type Opened =
  | { ok: true; header: SessionHeader; payload: Uint8Array }
  | { ok: false; error: OpenedErrorCode; reason: string };

/**
 * An incoming RMCP+ message of an established session (the bytes after the RMCP header):
 * decoded, its AuthCode checked (constant time) and its payload decrypted. Refuses a message
 * the session's algorithms require to be authenticated or encrypted that is not (13.28: a
 * session's messages all use its algorithms), a wrong AuthCode, and a bad confidentiality
 * trailer. Never throws.
 */
export function openRmcpPlus(session: SessionCrypto, body: Uint8Array): Opened {
  const wantAuth = session.integrity.hash !== undefined;
  const decoded = decodeRmcpPlus(body, wantAuth ? { authCodeLength: session.integrity.authCodeLength } : {});
  if (!decoded.ok) return decoded;
  const { header, payload, trailer, integrityData } = decoded.message;
  const wantEncrypted = session.confidentiality === CONFIDENTIALITY_ALG.AES_CBC_128;
  if (header.authenticated !== wantAuth) {
    return {
      ok: false,
      error: "unprotected",
      reason: wantAuth
        ? `the session uses ${session.integrity.name}: an unauthenticated message is refused`
        : "the session has no integrity algorithm: an authenticated message is refused",
    };
  }
  if (header.encrypted !== wantEncrypted) {
    return {
      ok: false,
      error: "unprotected",
      reason: wantEncrypted
        ? "the session uses AES-CBC-128: an unencrypted payload is refused"
        : "the session has no confidentiality algorithm: an encrypted payload is refused",
    };
  }
  if (wantAuth) {
    const expected = integrityAuthCode(session.integrity, session.keys.k1, integrityData!);
    if (!codesMatch(trailer!.authCode, expected)) {
      return { ok: false, error: "integrity", reason: `${session.integrity.name} AuthCode does not match` };
    }
  }
  if (!wantEncrypted) return { ok: true, header, payload };
  const plain = decryptAesCbc128(session.keys.k2, payload);
  if (!plain.ok) return { ok: false, error: "confidentiality", reason: plain.reason };
  return { ok: true, header, payload: plain.data };
}
