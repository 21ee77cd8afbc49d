/**
 * RMCP+ algorithms and cipher suites: the algorithm numbers of IPMI 2.0 tables 13-17
 * (authentication), 13-18 (integrity) and 13-19 (confidentiality), the cipher suite IDs of
 * table 22-19 (with the SHA-256 suites 15-19 the errata added), and Get Channel Cipher Suites
 * (section 22.15): its request and response data and the cipher suite records of table 22-18,
 * which `ipmitool -I lanplus` without `-C` reads first to pick the best suite.
 *
 * Pure: tables and layouts. Which suites this code can run is `IMPLEMENTED_CIPHER_SUITES`
 * (crypto.ts and rakp.ts compute SHA-1, SHA-256 and AES-CBC-128, not MD5 nor xRC4).
 */
import { hexByte, toHex } from "../hex";
import { bit, bits, type Codec, flag, LayoutError, rest, SHORT, struct, u8, u24 } from "../layout/codec";
import type { DecodedField } from "../layout/decoded";
import { field, h8 } from "../layout/format";
import { layout } from "../layout/layout";
import { codeTable } from "../spec/code-table";
import { channelLabel } from "../spec/labels";
import { ianaLabel } from "../spec/tables";
import { PAYLOAD_TYPES } from "./rmcp-plus";

// ---- algorithm numbers (tables 13-17, 13-18, 13-19) -------------------------------------------

/** Algorithm numbers are 6 bits (bits 5:0 of their bytes); 30h-3Fh are OEM in all three tables. */
const oemOrReserved = (code: number) => (code >= 0x30 && code <= 0x3f ? "OEM" : "Reserved");

/** Authentication algorithm numbers (table 13-17): the RAKP variant of the session set-up. */
export const AUTH_ALG = {
  RAKP_NONE: 0x00,
  RAKP_HMAC_SHA1: 0x01,
  RAKP_HMAC_MD5: 0x02,
  RAKP_HMAC_SHA256: 0x03,
} as const;

export const AUTHENTICATION_ALGORITHMS = codeTable(
  [
    [AUTH_ALG.RAKP_NONE, "RAKP-none"],
    [AUTH_ALG.RAKP_HMAC_SHA1, "RAKP-HMAC-SHA1"],
    [AUTH_ALG.RAKP_HMAC_MD5, "RAKP-HMAC-MD5"],
    [AUTH_ALG.RAKP_HMAC_SHA256, "RAKP-HMAC-SHA256"],
  ] as const,
  oemOrReserved,
);

/** Integrity algorithm numbers (table 13-18): the AuthCode of authenticated session messages. */
export const INTEGRITY_ALG = {
  NONE: 0x00,
  HMAC_SHA1_96: 0x01,
  HMAC_MD5_128: 0x02,
  MD5_128: 0x03,
  HMAC_SHA256_128: 0x04,
} as const;

export const INTEGRITY_ALGORITHMS = codeTable(
  [
    [INTEGRITY_ALG.NONE, "none"],
    [INTEGRITY_ALG.HMAC_SHA1_96, "HMAC-SHA1-96"],
    [INTEGRITY_ALG.HMAC_MD5_128, "HMAC-MD5-128"],
    [INTEGRITY_ALG.MD5_128, "MD5-128"],
    [INTEGRITY_ALG.HMAC_SHA256_128, "HMAC-SHA256-128"],
  ] as const,
  oemOrReserved,
);

/** Confidentiality algorithm numbers (table 13-19): the encryption of encrypted payloads. */
export const CONFIDENTIALITY_ALG = {
  NONE: 0x00,
  AES_CBC_128: 0x01,
  XRC4_128: 0x02,
  XRC4_40: 0x03,
} as const;

export const CONFIDENTIALITY_ALGORITHMS = codeTable(
  [
    [CONFIDENTIALITY_ALG.NONE, "none"],
    [CONFIDENTIALITY_ALG.AES_CBC_128, "AES-CBC-128"],
    [CONFIDENTIALITY_ALG.XRC4_128, "xRC4-128"],
    [CONFIDENTIALITY_ALG.XRC4_40, "xRC4-40"],
  ] as const,
  oemOrReserved,
);

// ---- cipher suite IDs (table 22-19) ------------------------------------------------------------

export interface CipherSuite {
  /** Cipher suite ID (table 22-19; 80h-BFh are OEM). */
  readonly id: number;
  /** Authentication algorithm number (table 13-17). */
  readonly authentication: number;
  /** Integrity algorithm number (table 13-18). */
  readonly integrity: number;
  /** Confidentiality algorithm number (table 13-19). */
  readonly confidentiality: number;
}

const A = AUTH_ALG;
const I = INTEGRITY_ALG;
const C = CONFIDENTIALITY_ALG;

/**
 * The cipher suites the spec defines (table 22-19: 0-14; the IPMI 2.0 errata added the
 * RAKP-HMAC-SHA256 suites 15-19). Suites 0-3, 6-8, 11-12 and 15-17 are the ones without
 * xRC4; a BMC lists the suites it supports in Get Channel Cipher Suites.
 */
export const CIPHER_SUITES: readonly CipherSuite[] = [
  [0, A.RAKP_NONE, I.NONE, C.NONE],
  [1, A.RAKP_HMAC_SHA1, I.NONE, C.NONE],
  [2, A.RAKP_HMAC_SHA1, I.HMAC_SHA1_96, C.NONE],
  [3, A.RAKP_HMAC_SHA1, I.HMAC_SHA1_96, C.AES_CBC_128],
  [4, A.RAKP_HMAC_SHA1, I.HMAC_SHA1_96, C.XRC4_128],
  [5, A.RAKP_HMAC_SHA1, I.HMAC_SHA1_96, C.XRC4_40],
  [6, A.RAKP_HMAC_MD5, I.NONE, C.NONE],
  [7, A.RAKP_HMAC_MD5, I.HMAC_MD5_128, C.NONE],
  [8, A.RAKP_HMAC_MD5, I.HMAC_MD5_128, C.AES_CBC_128],
  [9, A.RAKP_HMAC_MD5, I.HMAC_MD5_128, C.XRC4_128],
  [10, A.RAKP_HMAC_MD5, I.HMAC_MD5_128, C.XRC4_40],
  [11, A.RAKP_HMAC_MD5, I.MD5_128, C.NONE],
  [12, A.RAKP_HMAC_MD5, I.MD5_128, C.AES_CBC_128],
  [13, A.RAKP_HMAC_MD5, I.MD5_128, C.XRC4_128],
  [14, A.RAKP_HMAC_MD5, I.MD5_128, C.XRC4_40],
  [15, A.RAKP_HMAC_SHA256, I.NONE, C.NONE],
  [16, A.RAKP_HMAC_SHA256, I.HMAC_SHA256_128, C.NONE],
  [17, A.RAKP_HMAC_SHA256, I.HMAC_SHA256_128, C.AES_CBC_128],
  [18, A.RAKP_HMAC_SHA256, I.HMAC_SHA256_128, C.XRC4_128],
  [19, A.RAKP_HMAC_SHA256, I.HMAC_SHA256_128, C.XRC4_40],
].map(([id, authentication, integrity, confidentiality]) => ({
  id: id!,
  authentication: authentication!,
  integrity: integrity!,
  confidentiality: confidentiality!,
}));

const SUITES_BY_ID = new Map(CIPHER_SUITES.map((s) => [s.id, s]));

/** The suite with this ID (table 22-19), or undefined for a reserved or OEM ID. */
export function cipherSuite(id: number): CipherSuite | undefined {
  return SUITES_BY_ID.get(id);
}

/** Whether crypto.ts and rakp.ts can run every algorithm of `suite`: RAKP none/SHA1/SHA256, AES-CBC-128. */
export function isImplemented(suite: CipherSuite): boolean {
  return (
    (suite.authentication === A.RAKP_NONE ||
      suite.authentication === A.RAKP_HMAC_SHA1 ||
      suite.authentication === A.RAKP_HMAC_SHA256) &&
    (suite.integrity === I.NONE ||
      suite.integrity === I.HMAC_SHA1_96 ||
      suite.integrity === I.HMAC_SHA256_128) &&
    (suite.confidentiality === C.NONE || suite.confidentiality === C.AES_CBC_128)
  );
}

/** The suites this code can run: 0-3 and 15-17. */
export const IMPLEMENTED_CIPHER_SUITES: readonly number[] = CIPHER_SUITES.filter(isImplemented).map(
  (s) => s.id,
);

/** "3: RAKP-HMAC-SHA1, HMAC-SHA1-96, AES-CBC-128". */
export function cipherSuiteLabel(s: CipherSuite): string {
  return `${s.id}: ${AUTHENTICATION_ALGORITHMS.get(s.authentication) ?? hexByte(s.authentication)}, ${
    INTEGRITY_ALGORITHMS.get(s.integrity) ?? hexByte(s.integrity)
  }, ${CONFIDENTIALITY_ALGORITHMS.get(s.confidentiality) ?? hexByte(s.confidentiality)}`;
}

// ---- cipher suite records (section 22.15, table 22-18) -----------------------------------------

/**
 * Start of record bytes (table 22-18): bits 7:6 = 11b, bits 5:0 = 00_0000b standard,
 * 00_0001b OEM. (The section's prose says 30h/31h; the table's bit layout gives C0h/C1h,
 * which is what BMCs send and ipmitool and FreeIPMI read.)
 */
export const RECORD_START = { STANDARD: 0xc0, OEM: 0xc1 } as const;

/** Bits 7:6 of an algorithm byte in the record data: which table the number in bits 5:0 is from. */
export const ALGORITHM_TAG = { AUTHENTICATION: 0x00, INTEGRITY: 0x40, CONFIDENTIALITY: 0x80 } as const;

const TAG_MASK = 0xc0;
const isRecordStart = (b: number) => (b & TAG_MASK) === TAG_MASK;

/** One algorithm byte of the record data, for people: "Integrity: HMAC-SHA1-96 (01h)". */
export function algorithmByteField(b: number): DecodedField {
  const n = b & 0x3f;
  switch (b & TAG_MASK) {
    case ALGORITHM_TAG.AUTHENTICATION:
      return field("Authentication algorithm", AUTHENTICATION_ALGORITHMS.label(n), toHex([b]));
    case ALGORITHM_TAG.INTEGRITY:
      return field("Integrity algorithm", INTEGRITY_ALGORITHMS.label(n), toHex([b]));
    case ALGORITHM_TAG.CONFIDENTIALITY:
      return field("Confidentiality algorithm", CONFIDENTIALITY_ALGORITHMS.label(n), toHex([b]));
    default:
      return field("Start of record", h8(b), toHex([b]));
  }
}

/**
 * A cipher suite record as sent (table 22-18): start of record (C0h standard, C1h OEM), the
 * cipher suite ID, the OEM IANA number (C1h only, 3 bytes LS first), then the algorithm bytes,
 * each tagged in bits 7:6 (00b authentication, 01b integrity, 10b confidentiality; a record
 * may list several integrity and confidentiality algorithms). The record ends where the next
 * byte with bits 7:6 = 11b (the next start of record) or the data ends.
 */
export interface CipherSuiteRecord {
  /** C0h standard or C1h OEM (table 22-18). */
  start: number;
  id: number;
  /** OEM IANA enterprise number, C1h records only. */
  iana?: number;
  /** The tagged algorithm bytes as sent (tag in bits 7:6, number in bits 5:0). */
  algorithms: number[];
}

const MAX_RECORD_ALGORITHMS = 32;

/** One record. Reading stops at the next start-of-record byte; writing refuses untagged or start bytes. */
export const cipherSuiteRecord: Codec<CipherSuiteRecord> = {
  minLength: 2,
  maxLength: 5 + MAX_RECORD_ALGORITHMS,
  read(c, tree) {
    const begin = c.pos;
    const head = c.take(2);
    if (head === SHORT) return SHORT;
    const start = head[0]!;
    const id = head[1]!;
    const children: DecodedField[] = [];
    const startName =
      start === RECORD_START.STANDARD
        ? "standard cipher suite"
        : start === RECORD_START.OEM
          ? "OEM cipher suite"
          : "not a start of record";
    children.push(field("Start of record", `${h8(start)} (${startName})`, toHex([start])));
    const suite = cipherSuite(id);
    children.push(
      field("Cipher suite ID", suite ? cipherSuiteLabel(suite) : `${id} (${hexByte(id)})`, toHex([id])),
    );
    let iana: number | undefined;
    if (start === RECORD_START.OEM) {
      const at = c.pos;
      const v = c.uint(3);
      if (v === SHORT) return SHORT;
      iana = v;
      children.push(field("OEM IANA", ianaLabel(v), toHex(c.since(at))));
    }
    const algorithms: number[] = [];
    while (c.remaining > 0 && algorithms.length < MAX_RECORD_ALGORITHMS) {
      const next = c.data[c.pos]!;
      if (isRecordStart(next)) break;
      c.take(1);
      algorithms.push(next);
      children.push(algorithmByteField(next));
    }
    tree?.push({
      name: `Cipher suite ${id}`,
      value: suite ? cipherSuiteLabel(suite) : start === RECORD_START.OEM ? "OEM" : "",
      raw: toHex(c.since(begin)),
      children,
    });
    const out: CipherSuiteRecord = { start, id, algorithms };
    if (iana !== undefined) out.iana = iana;
    return out;
  },
  write(w, r) {
    const head = struct({ start: u8("Start of record"), id: u8("Cipher suite ID") });
    if (r.start !== RECORD_START.STANDARD && r.start !== RECORD_START.OEM) {
      throw new LayoutError(`Start of record: ${hexByte(r.start)}, the record starts C0h or C1h`);
    }
    head.write(w, { start: r.start, id: r.id });
    if (r.start === RECORD_START.OEM) {
      if (r.iana === undefined) throw new LayoutError("OEM cipher suite record without an IANA number");
      u24("OEM IANA").write(w, r.iana);
    } else if (r.iana !== undefined) {
      throw new LayoutError("a standard cipher suite record (C0h) carries no IANA number");
    }
    if (r.algorithms.length > MAX_RECORD_ALGORITHMS) {
      throw new LayoutError(`${r.algorithms.length} algorithm bytes, at most ${MAX_RECORD_ALGORITHMS}`);
    }
    for (const b of r.algorithms) {
      if (!Number.isInteger(b) || b < 0 || b > 0xff || isRecordStart(b)) {
        throw new LayoutError(`algorithm byte ${b}: bits 7:6 must tag it 00b, 01b or 10b`);
      }
      w.byte(b);
    }
  },
};

/** The whole record data: records one after another, to the end (the responses' data concatenated). */
export const cipherSuiteRecords: Codec<CipherSuiteRecord[], readonly CipherSuiteRecord[]> = {
  minLength: 0,
  maxLength: 64 * 16,
  toEnd: true,
  read(c, tree) {
    const out: CipherSuiteRecord[] = [];
    while (c.remaining > 0) {
      const v = cipherSuiteRecord.read(c, tree);
      if (v === SHORT) return SHORT;
      out.push(v);
    }
    return out;
  },
  write(w, records) {
    for (const r of records) cipherSuiteRecord.write(w, r);
  },
};

/** Layout of the concatenated record data (decode for the dashboard, pack for a BMC). */
export const cipherSuiteRecordData = layout(cipherSuiteRecords);

/** The record of a suite of table 22-19: C0h, ID, then one algorithm byte of each kind, tagged. */
export function recordOf(suite: CipherSuite): CipherSuiteRecord {
  return {
    start: RECORD_START.STANDARD,
    id: suite.id,
    algorithms: [
      ALGORITHM_TAG.AUTHENTICATION | suite.authentication,
      ALGORITHM_TAG.INTEGRITY | suite.integrity,
      ALGORITHM_TAG.CONFIDENTIALITY | suite.confidentiality,
    ],
  };
}

/** The algorithms a record lists, untagged, by kind. */
export interface RecordAlgorithms {
  authentication: number[];
  integrity: number[];
  confidentiality: number[];
}

export function recordAlgorithms(r: CipherSuiteRecord): RecordAlgorithms {
  const out: RecordAlgorithms = { authentication: [], integrity: [], confidentiality: [] };
  for (const b of r.algorithms) {
    const n = b & 0x3f;
    if ((b & TAG_MASK) === ALGORITHM_TAG.AUTHENTICATION) out.authentication.push(n);
    else if ((b & TAG_MASK) === ALGORITHM_TAG.INTEGRITY) out.integrity.push(n);
    else if ((b & TAG_MASK) === ALGORITHM_TAG.CONFIDENTIALITY) out.confidentiality.push(n);
  }
  return out;
}

export type ParsedRecords = { ok: true; records: CipherSuiteRecord[] } | { ok: false; reason: string };

/**
 * The records of the concatenated record data, checked against table 22-18: each starts C0h
 * or C1h, is whole, lists exactly one authentication algorithm first, then its integrity and
 * then its confidentiality algorithms (at least one of each).
 */
export function parseCipherSuiteRecords(data: Uint8Array): ParsedRecords {
  let at = 0;
  const records: CipherSuiteRecord[] = [];
  while (at < data.length) {
    const start = data[at]!;
    if (start !== RECORD_START.STANDARD && start !== RECORD_START.OEM) {
      return { ok: false, reason: `byte ${at} is ${hexByte(start)}, not a start of record (C0h or C1h)` };
    }
    const headLength = start === RECORD_START.OEM ? 5 : 2;
    if (data.length - at < headLength) {
      return { ok: false, reason: `the record at byte ${at} is cut off after ${data.length - at} bytes` };
    }
    const id = data[at + 1]!;
    const algorithms: number[] = [];
    let i = at + headLength;
    while (i < data.length && !isRecordStart(data[i]!)) algorithms.push(data[i++]!);
    const tags = algorithms.map((b) => b & TAG_MASK);
    const order = tags.every((t, k) => k === 0 || t >= tags[k - 1]!);
    const count = (t: number) => tags.filter((x) => x === t).length;
    if (count(ALGORITHM_TAG.AUTHENTICATION) !== 1 || tags[0] !== ALGORITHM_TAG.AUTHENTICATION) {
      return {
        ok: false,
        reason: `cipher suite ${id} (byte ${at}): one authentication algorithm must come first, the record has ${count(ALGORITHM_TAG.AUTHENTICATION)}`,
      };
    }
    if (count(ALGORITHM_TAG.INTEGRITY) === 0 || count(ALGORITHM_TAG.CONFIDENTIALITY) === 0) {
      return {
        ok: false,
        reason: `cipher suite ${id} (byte ${at}): needs an integrity and a confidentiality algorithm`,
      };
    }
    if (!order) {
      return {
        ok: false,
        reason: `cipher suite ${id} (byte ${at}): algorithms out of order (authentication, integrity, confidentiality)`,
      };
    }
    const record: CipherSuiteRecord = { start, id, algorithms };
    if (start === RECORD_START.OEM)
      record.iana = data[at + 2]! | (data[at + 3]! << 8) | (data[at + 4]! << 16);
    records.push(record);
    at = i;
  }
  return { ok: true, records };
}

// ---- Get Channel Cipher Suites (section 22.15) -------------------------------------------------

/** Bytes of record data one response carries (22.15: response bytes 3-18). */
export const CIPHER_SUITE_PAGE = 16;
/** List index is bits 5:0: at most 64 pages. */
export const CIPHER_SUITE_MAX_PAGES = 64;

/** Request byte 3 bit 7: 1 = list algorithms by cipher suite (records), 0 = list supported algorithms. */
export interface GetChannelCipherSuitesRequest {
  channel: { number: number; reserved: number };
  payloadType: { type: number; reserved: number };
  list: { index: number; reserved: number; byCipherSuite: boolean };
}

/**
 * Request data (22.15): channel number (bits 3:0, 0Eh = the channel this arrives on), payload
 * type (bits 5:0, table 13-16; 00h IPMI), list index (bits 5:0: which 16 bytes of the record
 * data, 00h-3Fh) with bit 7 "list algorithms by cipher suite".
 */
export const getChannelCipherSuitesRequest = layout(
  struct({
    channel: bits(1, { number: bit("Channel", 0, 3, channelLabel), reserved: bit(undefined, 4, 7) }),
    payloadType: bits(1, {
      type: bit("Payload type", 0, 5, PAYLOAD_TYPES.label),
      reserved: bit(undefined, 6, 7),
    }),
    list: bits(
      1,
      {
        index: bit("List index", 0, 5, String),
        reserved: bit(undefined, 6, 6),
        byCipherSuite: flag("List algorithms by cipher suite", 7),
      },
      { label: "List index" },
    ),
  }),
);

/**
 * Response data after the completion code (22.15): the channel number, then 0-16 bytes of
 * record data (page `list index` of the concatenated records, or of the tagged algorithm
 * list). Fewer than 16 bytes mark the last page.
 */
export const getChannelCipherSuitesResponse = layout(
  struct({
    channel: u8("Channel", channelLabel),
    data: rest("Cipher suite record data", CIPHER_SUITE_PAGE),
  }),
);

/** Page `listIndex` (0-3Fh) of the record data: the 16 bytes a response carries. */
export function cipherSuitePage(data: Uint8Array, listIndex: number): Uint8Array {
  if (!Number.isInteger(listIndex) || listIndex < 0 || listIndex >= CIPHER_SUITE_MAX_PAGES) {
    throw new RangeError(`list index ${listIndex} is not 0-63`);
  }
  return data.subarray(listIndex * CIPHER_SUITE_PAGE, (listIndex + 1) * CIPHER_SUITE_PAGE);
}

/** The supported algorithms list (request bit 7 = 0): each algorithm byte tagged as in a record. */
export function supportedAlgorithmsData(suites: readonly CipherSuite[]): Uint8Array {
  const seen = new Set<number>();
  for (const s of suites) {
    seen.add(ALGORITHM_TAG.AUTHENTICATION | s.authentication);
    seen.add(ALGORITHM_TAG.INTEGRITY | s.integrity);
    seen.add(ALGORITHM_TAG.CONFIDENTIALITY | s.confidentiality);
  }
  return Uint8Array.from([...seen].sort((a, b) => a - b));
}
