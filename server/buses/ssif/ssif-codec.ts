/**
 * The Linux ssif_bmc device's read()/write() record (include/uapi/linux/ipmi_ssif_bmc.h):
 *   struct ipmi_ssif_msg { unsigned int len; __u8 payload[IPMI_SSIF_PAYLOAD_MAX = 254]; }
 * `len` is a native unsigned int: little-endian on every BMC SoC Linux runs ssif_bmc on
 * (ASPEED, Nuvoton, Ampere's Arm parts). The payload is the system-interface message form
 * (../kcs/kcs-codec.ts): [netfn<<2|lun, cmd, data...] for a request, [.., cc, data...] for
 * a response. sizeof(struct ipmi_ssif_msg) is 260 (4 + 254, padded to 4).
 *
 * Single-part only: ssif_bmc reassembles a host's multi-part write (SMBus commands 6/7/8)
 * before read() returns it, and splits a response longer than 32 bytes into the multi-part
 * read (3, then 9) itself (ssif_bmc.c process_request_part, set_multipart_response_buffer).
 * Pure: no I/O.
 */
import { CC } from "../../ipmi/completion-codes";
import {
  bad,
  decodeSiRequest,
  encodeSiResponse,
  type SiDecoded,
  type SiMessage,
  type SiResponseMessage,
} from "../kcs/kcs-codec";

/** The length field: a 32-bit unsigned int. */
export const SSIF_LEN_FIELD = 4;
/** IPMI_SSIF_PAYLOAD_MAX: the message, netfn and cmd included. */
export const SSIF_PAYLOAD_MAX = 254;
/** sizeof(struct ipmi_ssif_msg): 4 + 254 rounded up to the int's alignment. */
export const SSIF_MSG_SIZE = 260;
/** Most response data after netfn/lun, cmd and cc. */
export const SSIF_MAX_RESPONSE_DATA = SSIF_PAYLOAD_MAX - 3;

/** A request as ssif_bmc's read() returns it: 4 + len bytes. */
export function decodeSsifRequest(frame: Uint8Array): SiDecoded<SiMessage> {
  if (frame.length < SSIF_LEN_FIELD) {
    return bad(
      frame,
      `record too short: ${frame.length} bytes, the length field alone has ${SSIF_LEN_FIELD}`,
    );
  }
  const len = readLe32(frame, 0);
  const payload = frame.subarray(SSIF_LEN_FIELD);
  if (len > SSIF_PAYLOAD_MAX) {
    return withLengthReply(
      frame,
      payload,
      `length field says ${len} bytes, ssif_bmc carries at most ${SSIF_PAYLOAD_MAX}`,
      CC.REQUEST_LENGTH_INVALID,
    );
  }
  if (len !== payload.length) {
    const truncated = len > payload.length;
    return withLengthReply(
      frame,
      payload,
      `length field says ${len} bytes, the record has ${payload.length}`,
      truncated ? CC.REQUEST_TRUNCATED : CC.REQUEST_LENGTH_INVALID,
    );
  }
  return decodeSiRequest(payload, frame);
}

/** A response as ssif_bmc's write() takes it: the length field, then exactly `len` bytes. */
export function encodeSsifResponse(msg: SiResponseMessage): Uint8Array {
  return wrap(encodeSiResponse(msg, SSIF_MAX_RESPONSE_DATA));
}

/** The host's side, used by the device double and tests: what read() returns. */
export function encodeSsifRequest(msg: SiMessage): Uint8Array {
  const payload = new Uint8Array(2 + msg.data.length);
  payload[0] = ((msg.netFn & 0x3f) << 2) | (msg.lun & 0x03);
  payload[1] = msg.cmd;
  payload.set(msg.data, 2);
  if (payload.length > SSIF_PAYLOAD_MAX)
    throw new RangeError(`request of ${payload.length} bytes does not fit SSIF`);
  return wrap(payload);
}

/** The payload of a record (what the host reads over SMBus), or why it is not one. */
export function unwrapSsif(frame: Uint8Array): Uint8Array | { error: string } {
  if (frame.length < SSIF_LEN_FIELD) return { error: `record too short: ${frame.length} bytes` };
  const len = readLe32(frame, 0);
  if (len === 0 || len > SSIF_PAYLOAD_MAX || frame.length < SSIF_LEN_FIELD + len)
    return { error: `length field ${len} does not fit a ${frame.length}-byte record` };
  return frame.subarray(SSIF_LEN_FIELD, SSIF_LEN_FIELD + len);
}

export function wrap(payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(SSIF_LEN_FIELD + payload.length);
  new DataView(frame.buffer).setUint32(0, payload.length, true);
  frame.set(payload, SSIF_LEN_FIELD);
  return frame;
}

function readLe32(b: Uint8Array, at: number): number {
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getUint32(at, true);
}

/** A length mismatch: answerable when the header bytes arrived. */
function withLengthReply(
  frame: Uint8Array,
  payload: Uint8Array,
  reason: string,
  cc: number,
): SiDecoded<never> {
  if (payload.length < 2) return bad(frame, reason);
  const netFn = payload[0]! >> 2;
  const lun = payload[0]! & 0x03;
  const cmd = payload[1]!;
  return bad(frame, reason, { seq: null, netFn, lun, cmd }, { seq: null, netFn, lun, cmd, cc });
}
