/**
 * IPMI 1.5 LAN packets: the session header (IPMI 2.0 section 13.6, table 13-8, the
 * "IPMI v1.5" column) and the IPMI message it carries (section 13.8, figure 13-4: rsAddr,
 * netFn/rsLUN, checksum 1, rqAddr, rqSeq/rqLUN, cmd, data, checksum 2). All multi-byte
 * fields are LS byte first. This is the `body` that `decodeRmcp` returns for class IPMI
 * when its first byte is not 06h (06h is the RMCP+ format, rmcp-plus.ts).
 *
 * Decoding returns a typed value or the reason the bytes are malformed (never throws);
 * encoding builds the responses a BMC sends (and requests, for tests and clients).
 */
import { hexByte, toHex } from "../hex";
import {
  bit,
  bits,
  bytes,
  type Codec,
  Cursor,
  LayoutError,
  SHORT,
  struct,
  type Tree,
  u8,
  u32,
} from "../layout/codec";
import { Writer } from "../layout/cursor";
import { dec, field, h8, hexN } from "../layout/format";
import { isRequestNetFn, netFnName, responseNetFn } from "../netfn";
import {
  AUTH_CODE_LENGTH,
  AUTH_FORMAT_RMCP_PLUS,
  AUTH_TYPE,
  type AuthType15,
  authCode15,
  authTypeLabel,
  isAuthType15,
} from "./auth15";
import { encodeRmcp, RMCP_CLASS, rmcpHeaderFor } from "./rmcp";

// ---- checksums (13.8: two's complement, as on IPMB) -------------------------------------------

/** The byte that makes `bytes` plus itself sum to 0 modulo 256. */
export function ipmiChecksum(b: Uint8Array | readonly number[]): number {
  let sum = 0;
  for (let i = 0; i < b.length; i++) sum = (sum + b[i]!) & 0xff;
  return (0x100 - sum) & 0xff;
}

// ---- session header (13.6, table 13-8) ---------------------------------------------------

/** Bytes of the session header without / with the 16-byte AuthCode. */
export const SESSION15_HEADER_LENGTH = 10;
export const SESSION15_HEADER_LENGTH_AUTH = 10 + AUTH_CODE_LENGTH;
/** Fewest bytes of an IPMI message (13.8): six header bytes and checksum 2, no data. */
export const LAN_MESSAGE_MIN_LENGTH = 7;
/** The legacy pad byte that may follow the message (table 13-8), always 00h. */
export const LEGACY_PAD = 0x00;

export interface Session15Header {
  /** Authentication type (table 13-8): NONE 0, MD2 1, MD5 2, straight password 4, OEM 5. */
  authType: AuthType15;
  /** Session sequence number: 0 outside a session and in Activate Session (6.12). */
  sequence: number;
  /** Session ID: 0 outside a session; the temporary ID in Activate Session (22.17). */
  sessionId: number;
  /** 16 bytes; present unless the authentication type is NONE. */
  authCode: Uint8Array | undefined;
  /** Bytes of the IPMI message that follows. */
  messageLength: number;
}

const hex32 = (v: number) => hexN(v, 8);

const headerCommon = {
  authType: u8("Authentication type", authTypeLabel),
  sequence: u32("Session sequence number", hex32),
  sessionId: u32("Session ID", hex32),
};
const headerWithoutCode = struct({
  ...headerCommon,
  messageLength: u8("Message length", dec),
});
const headerWithCode = struct({
  ...headerCommon,
  authCode: bytes("AuthCode", AUTH_CODE_LENGTH),
  messageLength: u8("Message length", dec),
});

/**
 * The IPMI 1.5 session header (table 13-8). The AuthCode field is there unless the first
 * byte (authentication type) is 00h. Reading does not check the type (decodeSession15 does).
 */
export const session15Header: Codec<
  Omit<Session15Header, "authType"> & { authType: number },
  Session15Header
> = {
  minLength: SESSION15_HEADER_LENGTH,
  maxLength: SESSION15_HEADER_LENGTH_AUTH,
  read(c, tree) {
    const withCode = c.remaining > 0 && c.data[c.pos] !== AUTH_TYPE.NONE;
    if (!withCode) {
      const v = headerWithoutCode.read(c, tree);
      return v === SHORT ? SHORT : { ...v, authCode: undefined };
    }
    return headerWithCode.read(c, tree);
  },
  write(w, h) {
    if (h.authType === AUTH_TYPE.NONE) {
      if (h.authCode !== undefined) throw new LayoutError("AuthCode: authentication type NONE has none");
      headerWithoutCode.write(w, h);
      return;
    }
    if (h.authCode === undefined) {
      throw new LayoutError(`AuthCode: authentication type ${hexByte(h.authType)} needs 16 bytes`);
    }
    headerWithCode.write(w, { ...h, authCode: h.authCode });
  },
};

// ---- IPMI message (13.8, figure 13-4) ---------------------------------------------------

/** A request as the BMC receives it. */
export interface LanRequest {
  /** Responder's slave address (20h: the BMC). */
  rsAddr: number;
  /** Even: a request. */
  netFn: number;
  rsLun: number;
  /** Requester's address: a software ID on LAN (81h for remote console software 1, section 5.5). */
  rqAddr: number;
  /** 0-63; the response carries it back. */
  rqSeq: number;
  rqLun: number;
  cmd: number;
  data: Uint8Array;
}

/** A response as the BMC sends it. The first address byte is now the requester's (13.8). */
export interface LanResponse {
  rqAddr: number;
  /** Odd: a response. */
  netFn: number;
  rqLun: number;
  rsAddr: number;
  rqSeq: number;
  rsLun: number;
  cmd: number;
  completionCode: number;
  /** Response data after the completion code. */
  data: Uint8Array;
}

export type LanMessage = ({ kind: "request" } & LanRequest) | ({ kind: "response" } & LanResponse);

const netFnLabel = (v: number) =>
  `${hexByte(v)} (${netFnName(v)} ${isRequestNetFn(v) ? "request" : "response"})`;

/** Bytes 1-6 of a request (figure 13-4). */
const requestHeader = struct({
  rsAddr: u8("rsAddr"),
  netFnLun: bits(1, { rsLun: bit("rsLUN", 0, 1), netFn: bit("NetFn", 2, 7, netFnLabel) }),
  checksum1: u8("Checksum 1"),
  rqAddr: u8("rqAddr"),
  seqLun: bits(1, { rqLun: bit("rqLUN", 0, 1), rqSeq: bit("rqSeq", 2, 7, dec) }),
  cmd: u8("Command"),
});

/** Bytes 1-6 of a response: the same places, the requester's address and LUN first. */
const responseHeader = struct({
  rqAddr: u8("rqAddr"),
  netFnLun: bits(1, { rqLun: bit("rqLUN", 0, 1), netFn: bit("NetFn", 2, 7, netFnLabel) }),
  checksum1: u8("Checksum 1"),
  rsAddr: u8("rsAddr"),
  seqLun: bits(1, { rsLun: bit("rsLUN", 0, 1), rqSeq: bit("rqSeq", 2, 7, dec) }),
  cmd: u8("Command"),
});

function fits(label: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new LayoutError(`${label}: ${v} does not fit`);
}

/** Appends checksum 1 after bytes 0-1 and checksum 2 at the end (13.8). */
function sealMessage(w: Writer): Uint8Array {
  const m = w.finish();
  const out = new Uint8Array(m.length + 1);
  out.set(m);
  out[2] = ipmiChecksum(m.subarray(0, 2));
  out[m.length] = ipmiChecksum(m.subarray(3));
  return out;
}

/** A request's message bytes, both checksums computed. Throws LayoutError on a field that does not fit. */
export function encodeLanRequest(r: LanRequest): Uint8Array {
  if (!isRequestNetFn(r.netFn)) throw new LayoutError(`NetFn: ${hexByte(r.netFn)} is a response netFn`);
  fits("data", r.data.length, 255 - LAN_MESSAGE_MIN_LENGTH);
  const w = new Writer();
  requestHeader.write(w, {
    rsAddr: r.rsAddr,
    netFnLun: { rsLun: r.rsLun, netFn: r.netFn },
    checksum1: 0,
    rqAddr: r.rqAddr,
    seqLun: { rqLun: r.rqLun, rqSeq: r.rqSeq },
    cmd: r.cmd,
  });
  w.bytes(r.data);
  return sealMessage(w);
}

/** A response's message bytes, both checksums computed. Throws LayoutError on a field that does not fit. */
export function encodeLanResponse(r: LanResponse): Uint8Array {
  if (isRequestNetFn(r.netFn)) throw new LayoutError(`NetFn: ${hexByte(r.netFn)} is a request netFn`);
  fits("Completion code", r.completionCode, 0xff);
  fits("data", r.data.length, 255 - LAN_MESSAGE_MIN_LENGTH - 1);
  const w = new Writer();
  responseHeader.write(w, {
    rqAddr: r.rqAddr,
    netFnLun: { rqLun: r.rqLun, netFn: r.netFn },
    checksum1: 0,
    rsAddr: r.rsAddr,
    seqLun: { rsLun: r.rsLun, rqSeq: r.rqSeq },
    cmd: r.cmd,
  });
  w.byte(r.completionCode);
  w.bytes(r.data);
  return sealMessage(w);
}

/** The response to `request`: addresses and LUNs swapped back, netFn + 1, same rqSeq and cmd (13.8). */
export function responseTo(
  request: LanRequest,
  completionCode: number,
  data: Uint8Array = new Uint8Array(0),
): LanResponse {
  return {
    rqAddr: request.rqAddr,
    netFn: responseNetFn(request.netFn),
    rqLun: request.rqLun,
    rsAddr: request.rsAddr,
    rqSeq: request.rqSeq,
    rsLun: request.rsLun,
    cmd: request.cmd,
    completionCode,
    data,
  };
}

/** Why a message or a session packet was refused. */
export type Session15ErrorCode =
  /** Fewer bytes than the header or message needs. */
  | "truncated"
  /** The message length byte disagrees with the bytes, or is too small for a message. */
  | "bad-length"
  /** Checksum 1 or checksum 2 is wrong. */
  | "checksum"
  /** An authentication type byte IPMI 1.5 does not define. */
  | "auth-type"
  /** Byte 0 is 06h: an RMCP+ (IPMI 2.0) session header, for rmcp-plus.ts. */
  | "rmcp-plus";

export type LanMessageDecoded =
  | { ok: true; message: LanMessage }
  | { ok: false; error: Session15ErrorCode; reason: string };

/**
 * The IPMI message of a LAN packet (13.8, figure 13-4): exactly `m`, from rsAddr to
 * checksum 2. Even netFn: a request; odd: a response, whose first data byte is the
 * completion code.
 */
export function decodeLanMessage(m: Uint8Array): LanMessageDecoded {
  if (m.length < LAN_MESSAGE_MIN_LENGTH) {
    return {
      ok: false,
      error: "truncated",
      reason: `an IPMI message has at least 7 bytes, this one ${m.length}`,
    };
  }
  const c1 = ipmiChecksum(m.subarray(0, 2));
  if (m[2] !== c1) {
    return {
      ok: false,
      error: "checksum",
      reason: `checksum 1 is ${hexByte(m[2]!)}, bytes ${toHex(m.subarray(0, 2))} need ${hexByte(c1)}`,
    };
  }
  const last = m.length - 1;
  const c2 = ipmiChecksum(m.subarray(3, last));
  if (m[last] !== c2) {
    return {
      ok: false,
      error: "checksum",
      reason: `checksum 2 is ${hexByte(m[last]!)}, bytes 3-${last - 1} need ${hexByte(c2)}`,
    };
  }
  const netFn = m[1]! >> 2;
  const lun1 = m[1]! & 3;
  const seq = m[4]! >> 2;
  const lun2 = m[4]! & 3;
  if (isRequestNetFn(netFn)) {
    return {
      ok: true,
      message: {
        kind: "request",
        rsAddr: m[0]!,
        netFn,
        rsLun: lun1,
        rqAddr: m[3]!,
        rqSeq: seq,
        rqLun: lun2,
        cmd: m[5]!,
        data: m.slice(6, last),
      },
    };
  }
  if (m.length < LAN_MESSAGE_MIN_LENGTH + 1) {
    return { ok: false, error: "bad-length", reason: "a response message has no completion code" };
  }
  return {
    ok: true,
    message: {
      kind: "response",
      rqAddr: m[0]!,
      netFn,
      rqLun: lun1,
      rsAddr: m[3]!,
      rqSeq: seq,
      rsLun: lun2,
      cmd: m[5]!,
      completionCode: m[6]!,
      data: m.slice(7, last),
    },
  };
}

// ---- whole IPMI 1.5 packets -------------------------------------------------------------

export interface Session15Packet {
  header: Session15Header;
  /** The message's bytes as received (what the AuthCode covers, 22.17.1). */
  messageBytes: Uint8Array;
  message: LanMessage;
  /** Whether a legacy pad byte (00h) followed the message (table 13-8). */
  legacyPad: boolean;
}

export type Session15Decoded =
  | ({ ok: true } & Session15Packet)
  | { ok: false; error: Session15ErrorCode; reason: string };

/**
 * An IPMI 1.5 packet: the RMCP body of an IPMI class datagram (13.6, table 13-8; 13.8).
 * Checks, in this order: a known authentication type (06h is refused as "rmcp-plus"), a
 * whole header, a message length of at least 7 that the bytes hold, at most one legacy pad
 * byte 00h after it, both checksums. The AuthCode and the sequence number are the
 * session's to check (auth15.ts), not this decoder's.
 */
export function decodeSession15(body: Uint8Array): Session15Decoded {
  if (body.length === 0) {
    return { ok: false, error: "truncated", reason: "no IPMI session header after the RMCP header" };
  }
  const authType = body[0]!;
  if (authType === AUTH_FORMAT_RMCP_PLUS) {
    return {
      ok: false,
      error: "rmcp-plus",
      reason: "authentication type 06h: an RMCP+ (IPMI 2.0) session, not IPMI 1.5",
    };
  }
  if (!isAuthType15(authType)) {
    return {
      ok: false,
      error: "auth-type",
      reason: `authentication type ${hexByte(authType)} is not defined (none 00h, MD2 01h, MD5 02h, password 04h, OEM 05h)`,
    };
  }
  const c = new Cursor(body);
  const h = session15Header.read(c);
  if (h === SHORT) {
    const need = authType === AUTH_TYPE.NONE ? SESSION15_HEADER_LENGTH : SESSION15_HEADER_LENGTH_AUTH;
    return {
      ok: false,
      error: "truncated",
      reason: `the session header needs ${need} bytes, the packet has ${body.length}`,
    };
  }
  const header: Session15Header = { ...h, authType };
  if (header.messageLength < LAN_MESSAGE_MIN_LENGTH) {
    return {
      ok: false,
      error: "bad-length",
      reason: `message length ${header.messageLength} is less than the 7 bytes of an IPMI message`,
    };
  }
  const after = c.remaining;
  if (after < header.messageLength) {
    return {
      ok: false,
      error: "truncated",
      reason: `message length says ${header.messageLength} bytes, ${after} follow the header`,
    };
  }
  const extra = after - header.messageLength;
  const padAt = c.pos + header.messageLength;
  if (extra > 1 || (extra === 1 && body[padAt] !== LEGACY_PAD)) {
    return {
      ok: false,
      error: "bad-length",
      reason: `message length says ${header.messageLength} bytes, ${after} follow the header (${extra} past the message)`,
    };
  }
  const messageBytes = body.slice(c.pos, padAt);
  const m = decodeLanMessage(messageBytes);
  if (!m.ok) return m;
  return { ok: true, header, messageBytes, message: m.message, legacyPad: extra === 1 };
}

/** The session header fields a sender chooses; the length and (unless given) the AuthCode follow from the message. */
export interface Session15Envelope {
  authType: AuthType15;
  sequence: number;
  sessionId: number;
  /** The AuthCode; when absent, computed from `password` (auth15.ts) for every type but NONE. */
  authCode?: Uint8Array;
  password?: string | Uint8Array;
}

/**
 * An IPMI 1.5 packet (the RMCP body): session header, then `message` (from encodeLanRequest
 * or encodeLanResponse). The AuthCode is computed over the message (22.17.1) from the
 * password unless given. No legacy pad is added. Throws LayoutError when a field does not
 * fit or no AuthCode can be made (MD2, OEM, or no password).
 */
export function encodeSession15(envelope: Session15Envelope, message: Uint8Array): Uint8Array {
  if (message.length < LAN_MESSAGE_MIN_LENGTH || message.length > 0xff) {
    throw new LayoutError(`IPMI message: ${message.length} bytes, takes 7 to 255`);
  }
  let authCode = envelope.authCode;
  if (authCode === undefined && envelope.authType !== AUTH_TYPE.NONE) {
    if (envelope.password === undefined) {
      throw new LayoutError(`AuthCode: authentication type ${hexByte(envelope.authType)} needs a password`);
    }
    const made = authCode15(envelope.authType, {
      password: envelope.password,
      sessionId: envelope.sessionId,
      sequence: envelope.sequence,
      message,
    });
    if (!made.ok) throw new LayoutError(made.reason);
    authCode = made.code;
  }
  const w = new Writer();
  session15Header.write(w, {
    authType: envelope.authType,
    sequence: envelope.sequence,
    sessionId: envelope.sessionId,
    authCode,
    messageLength: message.length,
  });
  w.bytes(message);
  return w.finish();
}

/** A whole UDP datagram: the RMCP header for class IPMI (06h 00h FFh 07h), then the IPMI 1.5 packet. */
export function encodeSession15Datagram(envelope: Session15Envelope, message: Uint8Array): Uint8Array {
  return encodeRmcp(rmcpHeaderFor(RMCP_CLASS.IPMI), encodeSession15(envelope, message));
}

// ---- field tree for the dashboard --------------------------------------------------------

function describeMessage(m: Uint8Array, tree: Tree): void {
  const c = new Cursor(m);
  const netFn = m.length > 1 ? m[1]! >> 2 : 0;
  const header = isRequestNetFn(netFn) ? requestHeader : responseHeader;
  const v = header.read(c, tree);
  if (v === SHORT) {
    tree.push(field("(truncated)", `${c.missing} bytes missing`));
    return;
  }
  const c1 = ipmiChecksum(m.subarray(0, 2));
  const last = m.length - 1;
  if (!isRequestNetFn(netFn) && c.remaining > 1) {
    tree.push(field("Completion code", h8(m[6]!), toHex(m.subarray(6, 7))));
  }
  const dataStart = isRequestNetFn(netFn) ? 6 : Math.min(7, last);
  if (last > dataStart)
    tree.push(field("Data", toHex(m.subarray(dataStart, last)), toHex(m.subarray(dataStart, last))));
  const c2 = ipmiChecksum(m.subarray(3, last));
  tree.push(
    field(
      "Checksums",
      m[2] === c1 && m[last] === c2
        ? "ok"
        : `bad: checksum 1 ${m[2] === c1 ? "ok" : `should be ${h8(c1)}`}, checksum 2 ${m[last] === c2 ? "ok" : `should be ${h8(c2)}`}`,
      toHex([m[2]!, m[last]!]),
    ),
  );
}

/**
 * The named fields of an IPMI 1.5 packet (RMCP body) for people: the session header, the
 * message header with both checksums judged, data, pad. Never throws; what does not fit
 * shows as "(truncated)" or "(extra)".
 */
export function describeSession15(body: Uint8Array): Tree {
  const tree: Tree = [];
  const c = new Cursor(body);
  const h = session15Header.read(c, tree);
  if (h === SHORT) {
    tree.push(field("(truncated)", `${c.missing} bytes missing`));
    return tree;
  }
  const m = c.rest(h.messageLength);
  const msgTree: Tree = [];
  if (m.length >= 3) describeMessage(m, msgTree);
  tree.push({ name: "IPMI message", value: `${m.length} bytes`, raw: toHex(m), children: msgTree });
  if (m.length < h.messageLength) {
    tree.push(field("(truncated)", `${h.messageLength - m.length} bytes missing`));
  }
  const rest = c.rest();
  if (rest.length === 1 && rest[0] === LEGACY_PAD) tree.push(field("Legacy pad", "00h", "00"));
  else if (rest.length > 0) tree.push(field("(extra)", toHex(rest), toHex(rest)));
  return tree;
}
