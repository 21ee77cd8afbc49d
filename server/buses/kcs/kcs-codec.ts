/**
 * The system-interface message form the Linux BMC drivers read and write: KCS
 * (drivers/char/ipmi/kcs_bmc_cdev_ipmi.c, IPMI 2.0 section 9.2: no length byte, no seq; the
 * message ends where the host's WRITE_END byte does) and SSIF inside its length-prefixed
 * struct (../ssif/ssif-codec.ts, IPMI 2.0 section 12.2):
 *   request  [netfn<<2 | lun, cmd, data...]
 *   response [netfn<<2 | lun, cmd, cc, data...]
 * Pure: no I/O.
 */
import { CC } from "../../ipmi/completion-codes";
import { isRequestNetFn } from "../../ipmi/netfn";
import type { BusMalformed } from "../../router/types";

export const SI_REQUEST_HEADER = 2;
export const SI_RESPONSE_HEADER = 3;

/** kcs_bmc_cdev_ipmi.c KCS_MSG_BUFSIZ: the most a request or response can be on the BMC side. */
export const KCS_MSG_BUFSIZ = 1000;
/**
 * The host's Linux KCS state machine keeps at most IPMI_MAX_MSG_LENGTH (272,
 * include/linux/ipmi_msgdefs.h) bytes of a response (ipmi_kcs_sm.c MAX_KCS_READ_SIZE) and turns
 * a longer one into CAh: so 272 - 3 header bytes of data.
 */
export const KCS_MAX_RESPONSE_DATA = 272 - SI_RESPONSE_HEADER;

export interface SiMessage {
  netFn: number;
  lun: number;
  cmd: number;
  data: Uint8Array;
}

export interface SiResponseMessage extends SiMessage {
  cc: number;
}

export type SiDecoded<T> = { ok: true; message: T } | { ok: false; malformed: BusMalformed };

export function encodeNetFnLun(netFn: number, lun: number): number {
  return ((netFn & 0x3f) << 2) | (lun & 0x03);
}

/** `frame` is what the device gave (kept whole in a malformed record); `message` the KCS-form part. */
export function decodeSiRequest(message: Uint8Array, frame: Uint8Array = message): SiDecoded<SiMessage> {
  if (message.length < SI_REQUEST_HEADER) {
    // Without a command byte there is nothing to address an answer to.
    return bad(
      frame,
      `message too short: ${message.length} bytes, a request has at least ${SI_REQUEST_HEADER} (netfn/lun, cmd)`,
    );
  }
  const netFn = message[0]! >> 2;
  const lun = message[0]! & 0x03;
  const cmd = message[1]!;
  if (!isRequestNetFn(netFn)) {
    return bad(
      frame,
      `netfn ${netFn.toString(16)}h is a response netfn`,
      { seq: null, netFn, lun, cmd },
      { seq: null, netFn, lun, cmd, cc: CC.INVALID_COMMAND },
    );
  }
  return { ok: true, message: { netFn, lun, cmd, data: message.subarray(SI_REQUEST_HEADER) } };
}

/** A KCS request as kcs_bmc_cdev_ipmi's read() returns it. */
export function decodeKcsRequest(frame: Uint8Array): SiDecoded<SiMessage> {
  return decodeSiRequest(frame);
}

export function encodeSiResponse(
  msg: SiResponseMessage,
  maxData: number = KCS_MAX_RESPONSE_DATA,
): Uint8Array {
  if (msg.data.length > maxData) {
    throw new RangeError(`response data of ${msg.data.length} bytes exceeds the interface's ${maxData}`);
  }
  const frame = new Uint8Array(SI_RESPONSE_HEADER + msg.data.length);
  frame[0] = encodeNetFnLun(msg.netFn, msg.lun);
  frame[1] = msg.cmd;
  frame[2] = msg.cc;
  frame.set(msg.data, SI_RESPONSE_HEADER);
  return frame;
}

/** A KCS response as kcs_bmc_cdev_ipmi's write() takes it (3 to 1000 bytes). */
export function encodeKcsResponse(msg: SiResponseMessage): Uint8Array {
  return encodeSiResponse(msg, KCS_MAX_RESPONSE_DATA);
}

/** The host's side, used by the device doubles and tests. */
export function encodeSiRequest(msg: SiMessage): Uint8Array {
  const frame = new Uint8Array(SI_REQUEST_HEADER + msg.data.length);
  frame[0] = encodeNetFnLun(msg.netFn, msg.lun);
  frame[1] = msg.cmd;
  frame.set(msg.data, SI_REQUEST_HEADER);
  return frame;
}

export function decodeSiResponse(frame: Uint8Array): SiResponseMessage | { error: string } {
  if (frame.length < SI_RESPONSE_HEADER) return { error: `response too short: ${frame.length} bytes` };
  return {
    netFn: frame[0]! >> 2,
    lun: frame[0]! & 0x03,
    cmd: frame[1]!,
    cc: frame[2]!,
    data: frame.subarray(SI_RESPONSE_HEADER),
  };
}

export function bad(
  frame: Uint8Array,
  reason: string,
  header?: BusMalformed["header"],
  reply?: BusMalformed["reply"],
): SiDecoded<never> {
  const malformed: BusMalformed = { frame: frame.slice(), reason };
  if (header) malformed.header = header;
  if (reply) malformed.reply = reply;
  return { ok: false, malformed };
}
