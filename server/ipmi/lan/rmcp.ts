/**
 * RMCP, the envelope of every IPMI-over-LAN datagram (UDP port 623), and the ASF messages
 * an IPMI BMC must answer: Presence Ping and Presence Pong.
 *
 * IPMI 2.0 section 13.1.3 (RMCP message format, table 13-1) and sections 13.2.3 / 13.2.4
 * (Presence Ping / Pong), which follow DMTF ASF 2.0 (DSP0136) sections 3.2.2.1 (RMCP ACK),
 * 3.2.2.2 (RMCP header), 3.2.2.3 (ASF message header), 3.2.4.3 (Pong) and 3.2.4.8 (Ping).
 * RMCP and ASF fields are sent most significant byte first (network order), unlike IPMI's
 * own fields: the IANA number 4542 (000011BEh) goes out as `00 00 11 BE`. The layout
 * library's integers are all little-endian (IPMI's order), so this file adds a big-endian
 * integer codec, `beUint` / `be32`.
 *
 * Pure: no sockets. The RMCP+ code (rmcp-plus.ts) and the IPMI 1.5 session code
 * (session15.ts) read their datagrams through `decodeRmcp` and write them with `encodeRmcp`.
 */
import { toHex } from "../hex";
import {
  bit,
  bits,
  bytes,
  type Codec,
  Cursor,
  flag,
  LayoutError,
  SHORT,
  struct,
  type Tree,
  u8,
} from "../layout/codec";
import { Writer } from "../layout/cursor";
import { field, h8, hexN, lookup } from "../layout/format";
import { ianaLabel } from "../spec/tables";

// ---- RMCP header (13.1.3, table 13-1) ---------------------------------------------------------

/** Version of RMCP: 06h = RMCP version 1.0 (table 13-1); 00h-05h are legacy and reserved. */
export const RMCP_VERSION = 0x06;
/** Sequence number FFh: "no RMCP ACK" (table 13-1). IPMI class messages always carry FFh. */
export const RMCP_SEQ_NO_ACK = 0xff;
/** Class of message, bits 4:0 of byte 3 (table 13-1). */
export const RMCP_CLASS = {
  ASF: 0x06,
  IPMI: 0x07,
  OEM: 0x08,
} as const;
export type RmcpClass = (typeof RMCP_CLASS)[keyof typeof RMCP_CLASS];
/** Class of message bit 7: 1 = RMCP ACK, 0 = a normal RMCP message (table 13-1). */
export const RMCP_ACK_BIT = 0x80;
/** Bytes of the RMCP header. */
export const RMCP_HEADER_LENGTH = 4;

export const RMCP_CLASS_NAMES: ReadonlyMap<number, string> = new Map([
  [RMCP_CLASS.ASF, "ASF"],
  [RMCP_CLASS.IPMI, "IPMI"],
  [RMCP_CLASS.OEM, "OEM defined"],
]);

export function isRmcpClass(v: number): v is RmcpClass {
  return RMCP_CLASS_NAMES.has(v);
}

/** The four header bytes as values (table 13-1). */
export interface RmcpHeader {
  /** 06h (RMCP 1.0). */
  version: number;
  /** Reserved byte, 00h. */
  reserved: number;
  /** 0-FEh asks for an RMCP ACK (ASF messages); FFh does not (always FFh for IPMI). */
  sequence: number;
  /** Class of message, bits 4:0: ASF 06h, IPMI 07h, OEM 08h. */
  messageClass: number;
  /** Bit 7: this datagram is an RMCP ACK. */
  ack: boolean;
}

const classOfMessage = bits(
  1,
  {
    messageClass: bit("Message class", 0, 4, lookup(RMCP_CLASS_NAMES)),
    reserved65: bit(undefined, 5, 6),
    ack: flag("ACK", 7, (v) => (v ? "RMCP ACK" : "normal RMCP message")),
  },
  { label: "Class of message" },
);

const headerFields = struct({
  version: u8("Version", (v) => (v === RMCP_VERSION ? "06h (RMCP 1.0)" : `${h8(v)} (not RMCP 1.0)`)),
  reserved: u8("Reserved"),
  sequence: u8("Sequence number", (v) => (v === RMCP_SEQ_NO_ACK ? "FFh (no RMCP ACK)" : h8(v))),
  classOfMessage,
});

/**
 * The RMCP header (13.1.3, table 13-1): version, reserved, sequence number, class of message
 * (bit 7 ACK, bits 4:0 class). Reading ignores bits 6:5 (reserved); writing sends them 0.
 */
export const rmcpHeader: Codec<RmcpHeader> = {
  minLength: RMCP_HEADER_LENGTH,
  maxLength: RMCP_HEADER_LENGTH,
  read(c, tree) {
    const v = headerFields.read(c, tree);
    if (v === SHORT) return SHORT;
    return {
      version: v.version,
      reserved: v.reserved,
      sequence: v.sequence,
      messageClass: v.classOfMessage.messageClass,
      ack: v.classOfMessage.ack,
    };
  },
  write(w, h) {
    headerFields.write(w, {
      version: h.version,
      reserved: h.reserved,
      sequence: h.sequence,
      classOfMessage: { messageClass: h.messageClass, reserved65: 0, ack: h.ack },
    });
  },
};

/** The header a normal message of `messageClass` carries: 06h 00h, `sequence` (FFh: no ACK), class. */
export function rmcpHeaderFor(messageClass: RmcpClass, sequence: number = RMCP_SEQ_NO_ACK): RmcpHeader {
  return { version: RMCP_VERSION, reserved: 0, sequence, messageClass, ack: false };
}

/**
 * The RMCP ACK of a received message (ASF 2.0 section 3.2.2.1): the received header's
 * version, reserved and sequence number bytes and class, with bit 7 of the class set, and
 * no data. Only a message whose sequence number is not FFh asks for one (`wantsRmcpAck`);
 * IPMI class messages never do.
 */
export function rmcpAckFor(received: RmcpHeader): Uint8Array {
  return encodeRmcp({ ...received, ack: true }, new Uint8Array(0));
}

/** Whether the sender of `h` expects an RMCP ACK back (table 13-1: sequence number other than FFh). */
export function wantsRmcpAck(h: RmcpHeader): boolean {
  return !h.ack && h.sequence !== RMCP_SEQ_NO_ACK;
}

/** Why `decodeRmcp` refused a datagram. */
export type RmcpErrorCode = "truncated" | "version" | "class";

export type RmcpDecoded =
  | { ok: true; header: RmcpHeader; body: Uint8Array }
  | { ok: false; error: RmcpErrorCode; reason: string };

/**
 * Splits a UDP datagram into its RMCP header and the class's message (a view into
 * `datagram`, not a copy). Refuses fewer than 4 bytes, a version other than 06h, and a
 * reserved class of message (table 13-1: only 06h, 07h, 08h are defined).
 */
export function decodeRmcp(datagram: Uint8Array): RmcpDecoded {
  if (datagram.length < RMCP_HEADER_LENGTH) {
    return {
      ok: false,
      error: "truncated",
      reason: `RMCP header needs 4 bytes, the datagram has ${datagram.length}`,
    };
  }
  const c = new Cursor(datagram);
  const header = rmcpHeader.read(c);
  if (header === SHORT) {
    return { ok: false, error: "truncated", reason: "RMCP header needs 4 bytes" };
  }
  if (header.version !== RMCP_VERSION) {
    return {
      ok: false,
      error: "version",
      reason: `RMCP version ${h8(header.version)}, only 06h (RMCP 1.0) is defined`,
    };
  }
  if (!isRmcpClass(header.messageClass)) {
    return {
      ok: false,
      error: "class",
      reason: `RMCP class of message ${h8(header.messageClass)} is reserved (ASF 06h, IPMI 07h, OEM 08h)`,
    };
  }
  return { ok: true, header, body: datagram.subarray(RMCP_HEADER_LENGTH) };
}

/** A datagram: the RMCP header, then `body`. Throws LayoutError when a header field does not fit. */
export function encodeRmcp(header: RmcpHeader, body: Uint8Array | readonly number[]): Uint8Array {
  const w = new Writer();
  rmcpHeader.write(w, header);
  w.bytes(body);
  return w.finish();
}

// ---- big-endian integers (RMCP / ASF are network order) --------------------------------------

/**
 * `n` bytes, most significant first. The layout library's integers are little-endian
 * (IPMI 2.0 section 13.1: IPMI fields are LS byte first); ASF fields are not (13.2.3).
 */
export function beUint(
  n: number,
  label: string,
  format: (v: number) => string = (v) => hexN(v, 2 * n),
): Codec<number> {
  const max = 2 ** (8 * n) - 1;
  const codec: Codec<number> = {
    minLength: n,
    maxLength: n,
    read(c, tree) {
      const b = c.take(n);
      if (b === SHORT) return SHORT;
      let v = 0;
      for (let i = 0; i < n; i++) v = v * 256 + b[i]!;
      tree?.push(field(label, format(v), toHex(b)));
      return v;
    },
    write(w, v) {
      if (!Number.isInteger(v) || v < 0 || v > max) {
        throw new LayoutError(`${label}: ${v} does not fit ${n} ${n === 1 ? "byte" : "bytes"}`);
      }
      const out = new Array<number>(n);
      let x = v;
      for (let i = n - 1; i >= 0; i--) {
        out[i] = x % 256;
        x = Math.floor(x / 256);
      }
      w.bytes(out);
    },
  };
  return codec;
}

/** Four bytes, most significant first. */
export const be32 = (label: string, format?: (v: number) => string): Codec<number> =>
  beUint(4, label, format);

// ---- ASF messages (13.2; ASF 2.0 sections 3.2.2.3 and 3.2.4) ---------------------------------

/** The ASF IANA enterprise number, 4542 = 000011BEh, sent `00 00 11 BE` (13.2.3). */
export const ASF_IANA = 4542;

/** ASF message types an IPMI BMC meets (ASF 2.0 section 3.2.4; IPMI 2.0 13.2.3, 13.2.4). */
export const ASF_MESSAGE_TYPE = {
  PRESENCE_PONG: 0x40,
  PRESENCE_PING: 0x80,
} as const;

export const ASF_MESSAGE_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x10, "Reset"],
  [0x11, "Power-up"],
  [0x12, "Unconditional power-down"],
  [0x13, "Power cycle reset"],
  [ASF_MESSAGE_TYPE.PRESENCE_PONG, "Presence Pong"],
  [0x41, "Capabilities Response"],
  [0x42, "System State Response"],
  [ASF_MESSAGE_TYPE.PRESENCE_PING, "Presence Ping"],
  [0x81, "Capabilities Request"],
  [0x82, "System State Request"],
]);

/** Message tag FFh: "not part of a request/response pair" (ASF 2.0 3.2.2.3). */
export const ASF_TAG_NONE = 0xff;

/** Bytes of the ASF message header: IANA (4), type, tag, reserved, data length. */
export const ASF_HEADER_LENGTH = 8;
/** Bytes of Presence Pong data (13.2.4; ASF 2.0 3.2.4.3). */
export const PRESENCE_PONG_DATA_LENGTH = 16;

const ianaBe = (label: string) =>
  be32(label, (v) => (v === ASF_IANA ? "4542 (ASF, 000011BEh)" : ianaLabel(v)));

/**
 * The ASF message header that follows an RMCP header of class ASF (ASF 2.0 section 3.2.2.3,
 * IPMI 2.0 13.2): IANA enterprise number (big-endian), message type, message tag, reserved,
 * data length.
 */
export const asfHeader = struct({
  iana: ianaBe("IANA enterprise number"),
  messageType: u8("Message type", lookup(ASF_MESSAGE_TYPE_NAMES)),
  messageTag: u8("Message tag", (v) =>
    v === ASF_TAG_NONE ? "FFh (not part of a request/response pair)" : h8(v),
  ),
  reserved: u8("Reserved"),
  dataLength: u8("Data length", String),
});

export interface AsfMessage {
  iana: number;
  messageType: number;
  /** Copied from a request into its response (0-FEh; FFh: no pair). */
  messageTag: number;
  reserved: number;
  data: Uint8Array;
}

export type AsfDecoded =
  | { ok: true; message: AsfMessage }
  | { ok: false; error: "truncated" | "bad-length"; reason: string };

/** An ASF message: the `body` of an RMCP datagram of class ASF. The data length must match the bytes. */
export function decodeAsf(body: Uint8Array): AsfDecoded {
  const c = new Cursor(body);
  const h = asfHeader.read(c);
  if (h === SHORT) {
    return {
      ok: false,
      error: "truncated",
      reason: `the ASF message header needs 8 bytes, the message has ${body.length}`,
    };
  }
  if (c.remaining !== h.dataLength) {
    return {
      ok: false,
      error: c.remaining < h.dataLength ? "truncated" : "bad-length",
      reason: `ASF data length says ${h.dataLength} bytes, ${c.remaining} follow the header`,
    };
  }
  return {
    ok: true,
    message: {
      iana: h.iana,
      messageType: h.messageType,
      messageTag: h.messageTag,
      reserved: h.reserved,
      data: body.slice(ASF_HEADER_LENGTH),
    },
  };
}

/** The ASF message's bytes (header with its data length, then data). Throws LayoutError when a field does not fit. */
export function encodeAsf(m: AsfMessage): Uint8Array {
  const w = new Writer();
  asfHeader.write(w, {
    iana: m.iana,
    messageType: m.messageType,
    messageTag: m.messageTag,
    reserved: m.reserved,
    dataLength: m.data.length,
  });
  w.bytes(m.data);
  return w.finish();
}

/** Whether `m` is a Presence Ping (13.2.3): IANA 4542, type 80h, no data. */
export function isPresencePing(m: AsfMessage): boolean {
  return m.iana === ASF_IANA && m.messageType === ASF_MESSAGE_TYPE.PRESENCE_PING && m.data.length === 0;
}

/** A Presence Ping datagram (13.2.3), as a remote console sends it. */
export function encodePresencePing(messageTag: number, rmcpSequence: number = RMCP_SEQ_NO_ACK): Uint8Array {
  return encodeRmcp(
    rmcpHeaderFor(RMCP_CLASS.ASF, rmcpSequence),
    encodeAsf({
      iana: ASF_IANA,
      messageType: ASF_MESSAGE_TYPE.PRESENCE_PING,
      messageTag,
      reserved: 0,
      data: new Uint8Array(0),
    }),
  );
}

/** What a Presence Pong says (13.2.4; ASF 2.0 3.2.4.3). */
export interface PresencePong {
  /** 4542 unless the OEM-defined field holds an OEM's capabilities, then the OEM's IANA number. */
  iana: number;
  /** OEM-defined, 0 with IANA 4542. */
  oemDefined: number;
  /** Supported entities bit 7: IPMI supported. */
  ipmiSupported: boolean;
  /** Supported entities bits 3:0: 1 = ASF version 1.0. */
  asfVersion: number;
  /** Supported interactions bit 7: RMCP security extensions (RSP) supported. */
  securityExtensions: boolean;
}

/** Presence Pong data (13.2.4; ASF 2.0 3.2.4.3): 16 bytes, the numbers big-endian. */
export const presencePongData = struct({
  iana: ianaBe("IANA enterprise number"),
  oemDefined: be32("OEM-defined"),
  supportedEntities: bits(
    1,
    {
      asfVersion: bit("ASF version", 0, 3, (v) => (v === 1 ? "ASF 1.0" : `reserved (${v})`)),
      reserved: bit(undefined, 4, 6),
      ipmiSupported: flag("IPMI supported", 7),
    },
    { label: "Supported entities" },
  ),
  supportedInteractions: bits(
    1,
    { reserved: bit(undefined, 0, 6), securityExtensions: flag("RMCP security extensions", 7) },
    { label: "Supported interactions" },
  ),
  reserved: bytes("Reserved", 6),
});

/** What an IPMI BMC answers (13.2.4): IANA 4542, no OEM data, IPMI supported, ASF 1.0, no RSP. */
export const IPMI_PRESENCE_PONG: PresencePong = {
  iana: ASF_IANA,
  oemDefined: 0,
  ipmiSupported: true,
  asfVersion: 1,
  securityExtensions: false,
};

export type PresencePongDecoded =
  | { ok: true; messageTag: number; pong: PresencePong }
  | { ok: false; error: "truncated" | "bad-length" | "not-pong"; reason: string };

/** A Presence Pong from an ASF message (for tests and for a client). */
export function decodePresencePong(m: AsfMessage): PresencePongDecoded {
  if (m.iana !== ASF_IANA || m.messageType !== ASF_MESSAGE_TYPE.PRESENCE_PONG) {
    return {
      ok: false,
      error: "not-pong",
      reason: `ASF message type ${h8(m.messageType)} of IANA ${m.iana} is not a Presence Pong`,
    };
  }
  if (m.data.length !== PRESENCE_PONG_DATA_LENGTH) {
    return {
      ok: false,
      error: m.data.length < PRESENCE_PONG_DATA_LENGTH ? "truncated" : "bad-length",
      reason: `Presence Pong data has ${m.data.length} bytes, not 16`,
    };
  }
  const v = presencePongData.read(new Cursor(m.data));
  if (v === SHORT) return { ok: false, error: "truncated", reason: "Presence Pong data is short" };
  return {
    ok: true,
    messageTag: m.messageTag,
    pong: {
      iana: v.iana,
      oemDefined: v.oemDefined,
      ipmiSupported: v.supportedEntities.ipmiSupported,
      asfVersion: v.supportedEntities.asfVersion,
      securityExtensions: v.supportedInteractions.securityExtensions,
    },
  };
}

/**
 * The Presence Pong datagram answering `ping` (13.2.4): RMCP class ASF with sequence number
 * FFh (no RMCP ACK asked), the ping's message tag copied, 16 bytes of pong data. A ping whose
 * RMCP sequence number is not FFh also wants an RMCP ACK (`rmcpAckFor`), sent first.
 */
export function presencePongFor(
  ping: Pick<AsfMessage, "messageTag">,
  pong: PresencePong = IPMI_PRESENCE_PONG,
  rmcpSequence: number = RMCP_SEQ_NO_ACK,
): Uint8Array {
  const w = new Writer();
  presencePongData.write(w, {
    iana: pong.iana,
    oemDefined: pong.oemDefined,
    supportedEntities: { asfVersion: pong.asfVersion, reserved: 0, ipmiSupported: pong.ipmiSupported },
    supportedInteractions: { reserved: 0, securityExtensions: pong.securityExtensions },
    reserved: new Uint8Array(6),
  });
  return encodeRmcp(
    rmcpHeaderFor(RMCP_CLASS.ASF, rmcpSequence),
    encodeAsf({
      iana: ASF_IANA,
      messageType: ASF_MESSAGE_TYPE.PRESENCE_PONG,
      messageTag: ping.messageTag,
      reserved: 0,
      data: w.finish(),
    }),
  );
}

/**
 * The named fields of an RMCP datagram for people: the RMCP header, and for class ASF the
 * ASF header and (Presence Pong) its data. Other classes' bodies show as hex; the IPMI 1.5
 * and RMCP+ files describe theirs. Never throws.
 */
export function describeRmcp(datagram: Uint8Array): Tree {
  const tree: Tree = [];
  const c = new Cursor(datagram);
  const h = rmcpHeader.read(c, tree);
  if (h === SHORT) {
    tree.push(field("(truncated)", `${c.missing} bytes missing`));
    return tree;
  }
  if (h.messageClass === RMCP_CLASS.ASF && !h.ack) {
    const a = asfHeader.read(c, tree);
    if (a === SHORT) {
      tree.push(field("(truncated)", `${c.missing} bytes missing`));
      return tree;
    }
    if (a.messageType === ASF_MESSAGE_TYPE.PRESENCE_PONG && c.remaining >= PRESENCE_PONG_DATA_LENGTH) {
      presencePongData.read(c, tree);
    }
  }
  const rest = c.rest();
  if (rest.length > 0) tree.push(field("Data", toHex(rest), toHex(rest)));
  return tree;
}
