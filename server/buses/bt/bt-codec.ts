/**
 * BT (Block Transfer) message framing, IPMI 2.0 section 11 and the Linux bt-bmc
 * driver's read()/write() format:
 *   request  [len, netfn<<2 | lun, seq, cmd, data...]
 *   response [len, netfn<<2 | lun, seq, cmd, cc, data...]
 * `len` counts the bytes after itself. Pure: no I/O.
 */
import { CC } from "../../ipmi/completion-codes";
import { isRequestNetFn } from "../../ipmi/netfn";
import type { BusMalformed } from "../../router/types";

/** The length byte is one byte: at most 255 bytes follow it. */
export const BT_MAX_LEN = 255;
export const BT_REQUEST_HEADER = 4;
export const BT_RESPONSE_HEADER = 5;
/** Most data bytes a response can carry after its completion code. */
export const BT_MAX_RESPONSE_DATA = BT_MAX_LEN - (BT_RESPONSE_HEADER - 1);

export interface BtMessage {
  netFn: number;
  lun: number;
  seq: number;
  cmd: number;
  data: Uint8Array;
}

export interface BtResponseMessage extends BtMessage {
  cc: number;
}

export type BtDecoded<T> = { ok: true; message: T } | { ok: false; malformed: BusMalformed };

export function encodeNetFnLun(netFn: number, lun: number): number {
  return ((netFn & 0x3f) << 2) | (lun & 0x03);
}

export function decodeBtRequest(frame: Uint8Array): BtDecoded<BtMessage> {
  if (frame.length < BT_REQUEST_HEADER) {
    return bad(
      frame,
      `frame too short: ${frame.length} bytes, a BT request has at least ${BT_REQUEST_HEADER}`,
    );
  }
  const len = frame[0]!;
  const netFn = frame[1]! >> 2;
  const lun = frame[1]! & 0x03;
  const seq = frame[2]!;
  const cmd = frame[3]!;
  const header = { seq, netFn, lun, cmd };
  const reply = (cc: number) => ({ seq, netFn, lun, cmd, cc });
  if (len !== frame.length - 1) {
    const truncated = len > frame.length - 1;
    return bad(
      frame,
      `length byte says ${len} bytes follow, frame has ${frame.length - 1}`,
      header,
      reply(truncated ? CC.REQUEST_TRUNCATED : CC.REQUEST_LENGTH_INVALID),
    );
  }
  if (!isRequestNetFn(netFn)) {
    return bad(frame, `netfn ${netFn.toString(16)}h is a response netfn`, header, reply(CC.INVALID_COMMAND));
  }
  return { ok: true, message: { netFn, lun, seq, cmd, data: frame.subarray(BT_REQUEST_HEADER) } };
}

export function encodeBtResponse(msg: BtResponseMessage): Uint8Array {
  if (msg.data.length > BT_MAX_RESPONSE_DATA) {
    throw new RangeError(`response data of ${msg.data.length} bytes exceeds BT's ${BT_MAX_RESPONSE_DATA}`);
  }
  const frame = new Uint8Array(BT_RESPONSE_HEADER + msg.data.length);
  frame[0] = frame.length - 1;
  frame[1] = encodeNetFnLun(msg.netFn, msg.lun);
  frame[2] = msg.seq & 0xff;
  frame[3] = msg.cmd;
  frame[4] = msg.cc;
  frame.set(msg.data, BT_RESPONSE_HEADER);
  return frame;
}

/** The host's side, used by the simulated host and tests. */
export function encodeBtRequest(msg: BtMessage): Uint8Array {
  if (msg.data.length > BT_MAX_LEN - (BT_REQUEST_HEADER - 1)) {
    throw new RangeError(`request data of ${msg.data.length} bytes does not fit a BT frame`);
  }
  const frame = new Uint8Array(BT_REQUEST_HEADER + msg.data.length);
  frame[0] = frame.length - 1;
  frame[1] = encodeNetFnLun(msg.netFn, msg.lun);
  frame[2] = msg.seq & 0xff;
  frame[3] = msg.cmd;
  frame.set(msg.data, BT_REQUEST_HEADER);
  return frame;
}

export function decodeBtResponse(frame: Uint8Array): BtResponseMessage | { error: string } {
  if (frame.length < BT_RESPONSE_HEADER) return { error: `response frame too short: ${frame.length} bytes` };
  if (frame[0] !== frame.length - 1)
    return { error: `length byte ${frame[0]} does not match ${frame.length - 1}` };
  return {
    netFn: frame[1]! >> 2,
    lun: frame[1]! & 0x03,
    seq: frame[2]!,
    cmd: frame[3]!,
    cc: frame[4]!,
    data: frame.subarray(BT_RESPONSE_HEADER),
  };
}

function bad(
  frame: Uint8Array,
  reason: string,
  header?: BusMalformed["header"],
  reply?: BusMalformed["reply"],
): BtDecoded<never> {
  const malformed: BusMalformed = { frame: frame.slice(), reason };
  if (header) malformed.header = header;
  if (reply) malformed.reply = reply;
  return { ok: false, malformed };
}
