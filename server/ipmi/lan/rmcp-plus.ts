/**
 * The IPMI 2.0 / RMCP+ session wrapper (IPMI 2.0 section 13.6, table 13-8): what follows
 * the RMCP header (rmcp.ts) when the authentication type byte is 06h.
 *
 *   auth type/format  06h
 *   payload type      bit 7 encrypted, bit 6 authenticated, bits 5:0 the type (table 13-16)
 *   OEM IANA          4 bytes, only for payload type 02h (OEM explicit)
 *   OEM payload ID    2 bytes, only for payload type 02h
 *   session ID        4 bytes (00000000h outside a session: the set-up messages)
 *   sequence number   4 bytes
 *   payload length    2 bytes
 *   payload           (encrypted: the confidentiality header, data and trailer, crypto.ts)
 *   session trailer   only when authenticated: integrity pad (FFh bytes to make the bytes from
 *                     the auth type through the next header a multiple of 4), pad length,
 *                     next header (07h), AuthCode (integrity algorithm's length, table 13-18)
 *
 * Multi-byte fields are LS byte first (13.6), like IPMI's, unlike the RMCP header.
 * Pure: `decodeRmcpPlus` never throws and says why a message is malformed; `encodeRmcpPlus`
 * throws LayoutError for a value that does not fit. The AuthCode itself and encryption are
 * computed in crypto.ts; this file lays the bytes out.
 */
import { toHex } from "../hex";
import { bit, bits, type Codec, flag, LayoutError, SHORT, u8, u16, u32 } from "../layout/codec";
import { Cursor, Writer } from "../layout/cursor";
import type { DecodedField } from "../layout/decoded";
import { field, h8 } from "../layout/format";
import { type Layout, layout } from "../layout/layout";
import { codeTable } from "../spec/code-table";
import { byteCount } from "../spec/labels";
import { ianaLabel } from "../spec/tables";
import { decodeRmcp, encodeRmcp, RMCP_CLASS, rmcpHeaderFor } from "./rmcp";

// ---- constants (tables 13-8 and 13-16) ---------------------------------------------------------

/** Authentication type / format 06h: "RMCP+ (IPMI v2.0 only)" (table 13-8). */
export const RMCP_PLUS_AUTH_TYPE = 0x06;
/** Next header of the session trailer: 07h for IPMI 2.0 / RMCP+ (table 13-8). */
export const NEXT_HEADER = 0x07;
/** Value of each integrity pad byte (table 13-8). */
export const INTEGRITY_PAD_BYTE = 0xff;
/** The bytes from the auth type through the next header are a multiple of this (table 13-8). */
export const INTEGRITY_ALIGN = 4;

/** Payload type numbers (table 13-16). 20h-27h are "OEM Payload 0-7", defined by the OEM. */
export const PAYLOAD_TYPE = {
  IPMI: 0x00,
  SOL: 0x01,
  OEM_EXPLICIT: 0x02,
  OPEN_SESSION_REQUEST: 0x10,
  OPEN_SESSION_RESPONSE: 0x11,
  RAKP_1: 0x12,
  RAKP_2: 0x13,
  RAKP_3: 0x14,
  RAKP_4: 0x15,
} as const;

export const PAYLOAD_TYPES = codeTable(
  [
    [PAYLOAD_TYPE.IPMI, "IPMI Message"],
    [PAYLOAD_TYPE.SOL, "SOL (serial over LAN)"],
    [PAYLOAD_TYPE.OEM_EXPLICIT, "OEM Explicit"],
    [PAYLOAD_TYPE.OPEN_SESSION_REQUEST, "RMCP+ Open Session Request"],
    [PAYLOAD_TYPE.OPEN_SESSION_RESPONSE, "RMCP+ Open Session Response"],
    [PAYLOAD_TYPE.RAKP_1, "RAKP Message 1"],
    [PAYLOAD_TYPE.RAKP_2, "RAKP Message 2"],
    [PAYLOAD_TYPE.RAKP_3, "RAKP Message 3"],
    [PAYLOAD_TYPE.RAKP_4, "RAKP Message 4"],
  ] as const,
  (code) => (code >= 0x20 && code <= 0x27 ? `OEM Payload ${code - 0x20}` : "Reserved"),
);

/** Whether a payload type is one of the session set-up messages (10h-15h), sent outside a session. */
export function isSessionSetupPayload(type: number): boolean {
  return type >= PAYLOAD_TYPE.OPEN_SESSION_REQUEST && type <= PAYLOAD_TYPE.RAKP_4;
}

// ---- session header (table 13-8) ---------------------------------------------------------------

/** The OEM explicit payload's extra header fields (table 13-8, payload type 02h only). */
export interface OemPayloadId {
  /** OEM IANA, 4 bytes LS first (the enterprise number fits the low 3; the top byte is 00h). */
  iana: number;
  /** OEM payload ID, 2 bytes. */
  payloadId: number;
}

export interface SessionHeader {
  /** Payload type, bits 5:0 of byte 2 (table 13-16). */
  payloadType: number;
  /** Bit 7: the payload is encrypted (confidentiality algorithm of the session). */
  encrypted: boolean;
  /** Bit 6: the message is authenticated (has the session trailer with an AuthCode). */
  authenticated: boolean;
  /** Present exactly when `payloadType` is 02h (OEM explicit). */
  oem?: OemPayloadId;
  /** The receiver's session ID; 0 outside a session. */
  sessionId: number;
  /** Session sequence number; 0 outside a session. */
  sequence: number;
  /** Bytes of the payload as sent (for an encrypted one: IV, ciphertext). */
  payloadLength: number;
}

/** Bytes of the session header: 12, or 18 for an OEM explicit payload. */
export function sessionHeaderLength(payloadType: number): number {
  return payloadType === PAYLOAD_TYPE.OEM_EXPLICIT ? 18 : 12;
}

const authTypeField = u8("Authentication type / format", (v) =>
  v === RMCP_PLUS_AUTH_TYPE ? "06h (RMCP+)" : `${h8(v)} (not RMCP+)`,
);
const payloadTypeField = bits(
  1,
  {
    type: bit("Payload type", 0, 5, PAYLOAD_TYPES.label),
    authenticated: flag("Authenticated", 6),
    encrypted: flag("Encrypted", 7),
  },
  { label: "Payload type" },
);
const oemIana = u32("OEM IANA", ianaLabel);
const oemPayloadId = u16("OEM payload ID");
const sessionIdField = u32("Session ID");
const sequenceField = u32("Session sequence number", String);
const payloadLengthField = u16("Payload length", byteCount);

/**
 * The session header as one codec: reads the OEM fields only for payload type 02h. Reading
 * does not check the auth type (the tree shows it); `decodeRmcpPlus` refuses one not 06h.
 * Writing always writes 06h.
 */
export const rmcpPlusHeader: Codec<SessionHeader> = {
  minLength: 12,
  maxLength: 18,
  read(c, tree) {
    const authType = authTypeField.read(c, tree);
    const p = payloadTypeField.read(c, tree);
    if (authType === SHORT || p === SHORT) return SHORT;
    let oem: OemPayloadId | undefined;
    if (p.type === PAYLOAD_TYPE.OEM_EXPLICIT) {
      const iana = oemIana.read(c, tree);
      const payloadId = oemPayloadId.read(c, tree);
      if (iana === SHORT || payloadId === SHORT) return SHORT;
      oem = { iana, payloadId };
    }
    const sessionId = sessionIdField.read(c, tree);
    const sequence = sequenceField.read(c, tree);
    const payloadLength = payloadLengthField.read(c, tree);
    if (sessionId === SHORT || sequence === SHORT || payloadLength === SHORT) return SHORT;
    const h: SessionHeader = {
      payloadType: p.type,
      encrypted: p.encrypted,
      authenticated: p.authenticated,
      sessionId,
      sequence,
      payloadLength,
    };
    if (oem) h.oem = oem;
    return h;
  },
  write(w, h) {
    const isOem = h.payloadType === PAYLOAD_TYPE.OEM_EXPLICIT;
    if (isOem !== (h.oem !== undefined)) {
      throw new LayoutError(
        isOem
          ? "OEM explicit payload (02h) without its OEM IANA and payload ID"
          : "OEM IANA and payload ID belong to payload type 02h only",
      );
    }
    authTypeField.write(w, RMCP_PLUS_AUTH_TYPE);
    payloadTypeField.write(w, {
      type: h.payloadType,
      authenticated: h.authenticated,
      encrypted: h.encrypted,
    });
    if (h.oem) {
      oemIana.write(w, h.oem.iana);
      oemPayloadId.write(w, h.oem.payloadId);
    }
    sessionIdField.write(w, h.sessionId);
    sequenceField.write(w, h.sequence);
    payloadLengthField.write(w, h.payloadLength);
  },
};

/** The session header as a layout: its field tree for the dashboard. */
export const rmcpPlusHeaderLayout: Layout<SessionHeader> = layout(rmcpPlusHeader);

// ---- session trailer (table 13-8) --------------------------------------------------------------

/** Integrity pad bytes after `coveredSoFar` bytes (auth type through payload) so that, with pad length and next header, the count is a multiple of 4. */
export function integrityPadLength(coveredSoFar: number): number {
  return (INTEGRITY_ALIGN - ((coveredSoFar + 2) % INTEGRITY_ALIGN)) % INTEGRITY_ALIGN;
}

export interface SessionTrailer {
  /** Integrity pad bytes (0-3, each FFh). */
  padLength: number;
  /** 07h. */
  nextHeader: number;
  /** The integrity algorithm's AuthCode (12 bytes HMAC-SHA1-96, 16 HMAC-SHA256-128). */
  authCode: Uint8Array;
}

// ---- decode ------------------------------------------------------------------------------------

export interface RmcpPlusMessage {
  header: SessionHeader;
  /** The payload as sent (a view into the decoded bytes). */
  payload: Uint8Array;
  /** Present exactly when the header says authenticated. */
  trailer?: SessionTrailer;
  /** Authenticated only: the bytes the AuthCode covers, auth type through next header (a view). */
  integrityData?: Uint8Array;
}

/** Why `decodeRmcpPlus` refused a message. */
export type RmcpPlusErrorCode =
  | "rmcp"
  | "truncated"
  | "auth-type"
  | "payload-length"
  | "extra-bytes"
  | "pad"
  | "next-header"
  | "auth-code";

export type RmcpPlusDecoded =
  | { ok: true; message: RmcpPlusMessage }
  | { ok: false; error: RmcpPlusErrorCode; reason: string };

export interface DecodeOptions {
  /**
   * AuthCode bytes of the session's integrity algorithm. Given, the trailer is found from the
   * end and its length checked; absent, the pad is taken as the fewest bytes that reach a
   * multiple of 4 and whatever follows the next header is the AuthCode.
   */
  authCodeLength?: number;
}

function fail(error: RmcpPlusErrorCode, reason: string): RmcpPlusDecoded {
  return { ok: false, error, reason };
}

/**
 * An RMCP+ message: the bytes after the RMCP header. Refuses, with the reason: a message
 * shorter than its session header; an auth type other than 06h (that is an IPMI 1.5 session
 * header, table 13-8); a payload length past the end; bytes after the payload of an
 * unauthenticated message; an authenticated message whose integrity pad is not FFh bytes up
 * to a multiple of 4, whose pad length byte disagrees, whose next header is not 07h, or whose
 * AuthCode is missing or not `authCodeLength` bytes. Never throws; the result holds views.
 */
export function decodeRmcpPlus(body: Uint8Array, options: DecodeOptions = {}): RmcpPlusDecoded {
  if (body.length === 0) return fail("truncated", "no RMCP+ session header: the message is empty");
  if (body[0] !== RMCP_PLUS_AUTH_TYPE) {
    return fail(
      "auth-type",
      `authentication type ${h8(body[0]!)} is an IPMI 1.5 session header; RMCP+ has 06h (table 13-8)`,
    );
  }
  const c = new Cursor(body);
  const header = rmcpPlusHeader.read(c);
  if (header === SHORT) {
    const need = body.length >= 2 ? sessionHeaderLength(body[1]! & 0x3f) : 12;
    return fail("truncated", `the session header needs ${need} bytes, the message has ${body.length}`);
  }
  const headerLength = c.pos;
  if (header.payloadLength > c.remaining) {
    return fail(
      "payload-length",
      `payload length says ${header.payloadLength} bytes, ${c.remaining} follow the session header`,
    );
  }
  const payloadEnd = headerLength + header.payloadLength;
  const payload = body.subarray(headerLength, payloadEnd);
  const after = body.length - payloadEnd;
  if (!header.authenticated) {
    if (after > 0) {
      return fail(
        "extra-bytes",
        `${byteCount(after)} after the payload of an unauthenticated message (only authenticated messages have a session trailer)`,
      );
    }
    return { ok: true, message: { header, payload } };
  }
  const { authCodeLength } = options;
  let padLength: number;
  if (authCodeLength !== undefined) {
    // The trailer from the end: ... pad | pad length | next header | AuthCode.
    if (after < 2 + authCodeLength) {
      return fail(
        "truncated",
        `the session trailer needs at least ${2 + authCodeLength} bytes (pad length, next header, ${authCodeLength}-byte AuthCode), ${after} follow the payload`,
      );
    }
    padLength = after - 2 - authCodeLength;
    const said = body[body.length - authCodeLength - 2]!;
    if (said !== padLength) {
      return fail(
        "pad",
        `pad length byte says ${said}, the trailer has ${padLength} bytes before it (with a ${authCodeLength}-byte AuthCode)`,
      );
    }
    if ((payloadEnd + padLength + 2) % INTEGRITY_ALIGN !== 0) {
      return fail(
        "pad",
        `the integrity data (auth type through next header) is ${payloadEnd + padLength + 2} bytes, not a multiple of 4`,
      );
    }
  } else {
    padLength = integrityPadLength(payloadEnd);
    if (after < padLength + 2) {
      return fail(
        "truncated",
        `the session trailer needs ${padLength} pad bytes, pad length and next header, ${after} bytes follow the payload`,
      );
    }
    const said = body[payloadEnd + padLength]!;
    if (said !== padLength) {
      return fail(
        "pad",
        `pad length byte says ${said}; ${payloadEnd} bytes of header and payload need ${padLength} pad bytes to reach a multiple of 4`,
      );
    }
  }
  for (let i = 0; i < padLength; i++) {
    const b = body[payloadEnd + i]!;
    if (b !== INTEGRITY_PAD_BYTE) return fail("pad", `integrity pad byte ${i} is ${h8(b)}, not FFh`);
  }
  const nextHeaderAt = payloadEnd + padLength + 1;
  const nextHeader = body[nextHeaderAt]!;
  if (nextHeader !== NEXT_HEADER) {
    return fail("next-header", `next header is ${h8(nextHeader)}, RMCP+ has 07h (table 13-8)`);
  }
  const authCode = body.subarray(nextHeaderAt + 1);
  if (authCode.length === 0) {
    return fail("auth-code", "an authenticated message without an AuthCode");
  }
  if (authCodeLength !== undefined && authCode.length !== authCodeLength) {
    return fail(
      "auth-code",
      `AuthCode has ${authCode.length} bytes, the integrity algorithm's has ${authCodeLength}`,
    );
  }
  return {
    ok: true,
    message: {
      header,
      payload,
      trailer: { padLength, nextHeader, authCode },
      integrityData: body.subarray(0, nextHeaderAt + 1),
    },
  };
}

/** A whole UDP datagram: the RMCP header (rmcp.ts), which must be class IPMI, then an RMCP+ message. */
export function decodeRmcpPlusDatagram(datagram: Uint8Array, options: DecodeOptions = {}): RmcpPlusDecoded {
  const rmcp = decodeRmcp(datagram);
  if (!rmcp.ok) return fail("rmcp", rmcp.reason);
  if (rmcp.header.ack || rmcp.header.messageClass !== RMCP_CLASS.IPMI) {
    return fail(
      "rmcp",
      `RMCP ${rmcp.header.ack ? "ACK" : `class ${h8(rmcp.header.messageClass)}`} carries no IPMI session (class 07h)`,
    );
  }
  return decodeRmcpPlus(rmcp.body, options);
}

// ---- encode ------------------------------------------------------------------------------------

/** The header an RMCP+ message is sent with; the payload length comes from the payload. */
export type OutgoingHeader = Omit<SessionHeader, "payloadLength">;

/**
 * An RMCP+ message (the bytes after the RMCP header). For an authenticated header, `authCode`
 * computes the AuthCode over the bytes it is given (auth type through next header, pad
 * included; crypto.ts `integrityAuthCode`); an unauthenticated header takes none. The payload
 * is sent as given: encrypt it first (crypto.ts) when `encrypted` is set.
 */
export function encodeRmcpPlus(
  header: OutgoingHeader,
  payload: Uint8Array | readonly number[],
  authCode?: (integrityData: Uint8Array) => Uint8Array,
): Uint8Array {
  if (header.authenticated !== (authCode !== undefined)) {
    throw new LayoutError(
      header.authenticated
        ? "an authenticated message needs its AuthCode function"
        : "an unauthenticated message has no session trailer: no AuthCode",
    );
  }
  const w = new Writer();
  rmcpPlusHeader.write(w, { ...header, payloadLength: payload.length });
  w.bytes(payload);
  if (!authCode) return w.finish();
  const pad = integrityPadLength(w.length);
  for (let i = 0; i < pad; i++) w.byte(INTEGRITY_PAD_BYTE);
  w.byte(pad);
  w.byte(NEXT_HEADER);
  const covered = w.finish();
  const code = authCode(covered);
  if (code.length === 0) throw new LayoutError("AuthCode function returned no bytes");
  const out = new Uint8Array(covered.length + code.length);
  out.set(covered);
  out.set(code, covered.length);
  return out;
}

/** A whole datagram: RMCP header (class IPMI, no ACK), then `encodeRmcpPlus`. */
export function encodeRmcpPlusDatagram(
  header: OutgoingHeader,
  payload: Uint8Array | readonly number[],
  authCode?: (integrityData: Uint8Array) => Uint8Array,
): Uint8Array {
  return encodeRmcp(rmcpHeaderFor(RMCP_CLASS.IPMI), encodeRmcpPlus(header, payload, authCode));
}

// ---- for people --------------------------------------------------------------------------------

/**
 * Named fields of an RMCP+ message for the dashboard: the session header, the payload's hex,
 * the trailer; or the header fields it has and an "(error)" field saying why it is malformed.
 */
export function describeRmcpPlus(body: Uint8Array, options: DecodeOptions = {}): DecodedField[] {
  const decoded = decodeRmcpPlus(body, options);
  const out: DecodedField[] = [];
  rmcpPlusHeader.read(new Cursor(body), out);
  if (!decoded.ok) return [...out, { name: "(error)", value: decoded.reason }];
  const { message } = decoded;
  out.push(
    field(
      message.header.encrypted ? "Payload (encrypted)" : "Payload",
      byteCount(message.payload.length),
      toHex(message.payload),
    ),
  );
  const t = message.trailer;
  if (t) {
    if (t.padLength > 0) {
      out.push(
        field(
          "Integrity pad",
          byteCount(t.padLength),
          toHex(new Uint8Array(t.padLength).fill(INTEGRITY_PAD_BYTE)),
        ),
      );
    }
    out.push(field("Pad length", String(t.padLength), toHex([t.padLength])));
    out.push(field("Next header", h8(t.nextHeader), toHex([t.nextHeader])));
    out.push(field("AuthCode", byteCount(t.authCode.length), toHex(t.authCode)));
  }
  return out;
}
