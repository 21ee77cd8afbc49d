/**
 * The SOL payload (RMCP+ payload type 01h), IPMI 2.0 section 15.9: four header bytes and
 * the character data. The same header in both directions, but byte 4 means different
 * things: what the remote console asks of the BMC (table 15-2, "operation") and what the
 * BMC reports (table 15-3, "status").
 *
 *   byte 1  packet sequence number, bits 3:0 (0 = an ACK/NACK-only packet, no data)
 *   byte 2  packet ACK/NACK sequence number, bits 3:0 (0 = acks nothing)
 *   byte 3  accepted character count (of the packet acked)
 *   byte 4  operation (console → BMC) / status (BMC → console)
 *   5..     character data
 *
 * Pure: no I/O. The RMCP+ layer has already opened (decrypted, checked) the payload.
 * Reserved bits are ignored on decode and written 0, as ipmitool's lanplus.c
 * (`read_sol_packet`, `ipmi_lanplus_send_sol`) and OpenIPMI's lanserv/sol.c
 * (`handle_sol_port_payload`) both do.
 */

/** RMCP+ payload type of SOL (table 13-16). */
export const SOL_PAYLOAD_TYPE = 0x01;
/** Bytes before the character data. */
export const SOL_HEADER_BYTES = 4;
/** Sequence numbers are 4 bits; 0 marks an ACK/NACK-only packet (15.9). */
export const SOL_MAX_SEQ = 0x0f;

/** Table 15-2 byte 4, remote console → BMC. */
export const SOL_OPERATION = {
  /** 1 = NACK: the console could not accept the characters of the packet it acks. */
  NACK: 0x40,
  /** Assert RI to the baseboard serial controller (may wake the system: ring / WOR). */
  RING_WOR: 0x20,
  /** Generate a break on the host's serial line (about 300 ms). */
  GENERATE_BREAK: 0x10,
  /** CTS pause: deassert CTS to the baseboard's serial controller. */
  CTS_PAUSE: 0x08,
  /** Drop (deassert) DCD and DSR to the baseboard's serial controller. */
  DROP_DCD_DSR: 0x04,
  /** Flush the BMC's inbound queue (console → host characters not yet written). */
  FLUSH_INBOUND: 0x02,
  /** Flush the BMC's outbound queue (host → console characters not yet sent). */
  FLUSH_OUTBOUND: 0x01,
} as const;

/** Table 15-3 byte 4, BMC → remote console. */
export const SOL_STATUS = {
  /** 1 = NACK: the BMC did not accept the characters of the packet it acks. */
  NACK: 0x40,
  /** Character transfer unavailable (the system is powered down or asleep). */
  TRANSFER_UNAVAILABLE: 0x20,
  /** SOL is deactivated or deactivating (by another party or locally). */
  DEACTIVATING: 0x10,
  /** Characters from the host were dropped since the last packet (transmit data overrun). */
  TRANSMIT_OVERRUN: 0x08,
  /** A break was detected on the host's serial line. */
  BREAK_DETECTED: 0x04,
} as const;

export interface SolOperation {
  nack: boolean;
  ringWor: boolean;
  generateBreak: boolean;
  ctsPause: boolean;
  dropDcdDsr: boolean;
  flushInbound: boolean;
  flushOutbound: boolean;
}

export interface SolStatus {
  nack: boolean;
  transferUnavailable: boolean;
  deactivating: boolean;
  transmitOverrun: boolean;
  breakDetected: boolean;
}

interface SolPacketBase {
  /** 1..15 for a packet that needs an ack (characters or an operation); 0 for ACK/NACK only. */
  seq: number;
  /** The sequence number of the packet this one acks or nacks; 0 when it acks none. */
  ackSeq: number;
  /** Characters of the acked packet accepted (0..255). */
  acceptedCount: number;
  data: Uint8Array;
}

/** Remote console → BMC (table 15-2). */
export interface SolConsolePacket extends SolPacketBase {
  op: SolOperation;
}

/** BMC → remote console (table 15-3). */
export interface SolBmcPacket extends SolPacketBase {
  status: SolStatus;
}

export class SolPacketError extends Error {
  override readonly name = "SolPacketError";
}

export const NO_OPERATION: SolOperation = Object.freeze({
  nack: false,
  ringWor: false,
  generateBreak: false,
  ctsPause: false,
  dropDcdDsr: false,
  flushInbound: false,
  flushOutbound: false,
});

export const NO_STATUS: SolStatus = Object.freeze({
  nack: false,
  transferUnavailable: false,
  deactivating: false,
  transmitOverrun: false,
  breakDetected: false,
});

const OPERATION_BITS: ReadonlyArray<readonly [keyof SolOperation, number]> = [
  ["nack", SOL_OPERATION.NACK],
  ["ringWor", SOL_OPERATION.RING_WOR],
  ["generateBreak", SOL_OPERATION.GENERATE_BREAK],
  ["ctsPause", SOL_OPERATION.CTS_PAUSE],
  ["dropDcdDsr", SOL_OPERATION.DROP_DCD_DSR],
  ["flushInbound", SOL_OPERATION.FLUSH_INBOUND],
  ["flushOutbound", SOL_OPERATION.FLUSH_OUTBOUND],
];

const STATUS_BITS: ReadonlyArray<readonly [keyof SolStatus, number]> = [
  ["nack", SOL_STATUS.NACK],
  ["transferUnavailable", SOL_STATUS.TRANSFER_UNAVAILABLE],
  ["deactivating", SOL_STATUS.DEACTIVATING],
  ["transmitOverrun", SOL_STATUS.TRANSMIT_OVERRUN],
  ["breakDetected", SOL_STATUS.BREAK_DETECTED],
];

function flagsOf<K extends string>(
  byte: number,
  table: ReadonlyArray<readonly [K, number]>,
): Record<K, boolean> {
  const out = {} as Record<K, boolean>;
  for (const [name, mask] of table) out[name] = (byte & mask) !== 0;
  return out;
}

function byteOf<K extends string>(
  flags: Record<K, boolean>,
  table: ReadonlyArray<readonly [K, number]>,
): number {
  let b = 0;
  for (const [name, mask] of table) if (flags[name]) b |= mask;
  return b;
}

function checkHeader(p: SolPacketBase): void {
  for (const [name, v, max] of [
    ["sequence number", p.seq, SOL_MAX_SEQ],
    ["ack/nack sequence number", p.ackSeq, SOL_MAX_SEQ],
    ["accepted character count", p.acceptedCount, 0xff],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || v > max)
      throw new SolPacketError(`SOL ${name} ${v} is not 0..${max}`);
  }
}

function encode(p: SolPacketBase, byte4: number): Uint8Array {
  checkHeader(p);
  const out = new Uint8Array(SOL_HEADER_BYTES + p.data.length);
  out[0] = p.seq;
  out[1] = p.ackSeq;
  out[2] = p.acceptedCount;
  out[3] = byte4;
  out.set(p.data, SOL_HEADER_BYTES);
  return out;
}

function decodeHeader(b: Uint8Array): SolPacketBase & { byte4: number } {
  if (b.length < SOL_HEADER_BYTES) {
    throw new SolPacketError(
      `a SOL payload has ${SOL_HEADER_BYTES} header bytes, this one ${b.length} bytes`,
    );
  }
  return {
    seq: b[0]! & SOL_MAX_SEQ,
    ackSeq: b[1]! & SOL_MAX_SEQ,
    acceptedCount: b[2]!,
    byte4: b[3]!,
    data: b.slice(SOL_HEADER_BYTES),
  };
}

/** Table 15-2: what a remote console sends (ipmitool's `ipmi_lanplus_send_payload` for SOL). */
export function encodeConsolePacket(p: SolConsolePacket): Uint8Array {
  return encode(p, byteOf(p.op, OPERATION_BITS));
}

export function decodeConsolePacket(b: Uint8Array): SolConsolePacket {
  const { byte4, ...rest } = decodeHeader(b);
  return { ...rest, op: flagsOf(byte4, OPERATION_BITS) };
}

/** Table 15-3: what the BMC sends. */
export function encodeBmcPacket(p: SolBmcPacket): Uint8Array {
  return encode(p, byteOf(p.status, STATUS_BITS));
}

/** Table 15-3, as ipmitool's `read_sol_packet` reads it. */
export function decodeBmcPacket(b: Uint8Array): SolBmcPacket {
  const { byte4, ...rest } = decodeHeader(b);
  return { ...rest, status: flagsOf(byte4, STATUS_BITS) };
}

/** The sequence number after `seq`: 1..15, wrapping to 1 (never 0, which means "ACK only"). */
export function nextSeq(seq: number): number {
  return seq >= SOL_MAX_SEQ ? 1 : seq + 1;
}
