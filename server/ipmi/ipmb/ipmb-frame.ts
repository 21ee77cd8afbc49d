/**
 * IPMB message framing (IPMB v1.0; IPMI 2.0 section 6.13 and the message layout
 * of section 5.1). A frame here is the message as it travels on the I2C bus, starting
 * with the address it is sent to:
 *   request  [rsSA, netFn<<2 | rsLUN, checksum1, rqSA, rqSeq<<2 | rqLUN, cmd, data..., checksum2]
 *   response [rqSA, netFn<<2 | rqLUN, checksum1, rsSA, rqSeq<<2 | rsLUN, cmd, cc, data..., checksum2]
 * checksum1 covers the first two bytes, checksum2 everything from byte 4 up to itself; both
 * are two's complement, so a checked span plus its checksum sums to 0 mod 256 (the same
 * `ipmb_checksum` as Linux's ipmi_msghandler.c). Addresses are 8-bit "slave addresses"
 * (the 7-bit I2C address shifted left, bit 0 clear). Pure: no I/O.
 */
import { isRequestNetFn } from "../netfn";

/** IPMB v1.0: a message is at most 32 bytes on the wire, address byte included. */
export const IPMB_MAX_FRAME = 32;
/** rsSA, netFn/LUN, checksum1, rqSA, seq/LUN, cmd, checksum2. */
export const IPMB_REQUEST_MIN = 7;
/** A response also carries its completion code. */
export const IPMB_RESPONSE_MIN = 8;
/** Most data bytes an IPMB response carries after its completion code. */
export const IPMB_MAX_RESPONSE_DATA = IPMB_MAX_FRAME - IPMB_RESPONSE_MIN;
/** rqSeq is 6 bits. */
export const IPMB_SEQ_COUNT = 64;
/** The BMC's slave address on the primary IPMB (IPMI 2.0 section 6.13; Linux's IPMI_BMC_SLAVE_ADDR). */
export const BMC_SLAVE_ADDRESS = 0x20;

export interface IpmbRequest {
  /** Responder's slave address (8-bit). */
  rsSA: number;
  netFn: number;
  rsLUN: number;
  /** Requester's slave address (8-bit). */
  rqSA: number;
  rqSeq: number;
  rqLUN: number;
  cmd: number;
  data: Uint8Array;
}

export interface IpmbResponse {
  /** The requester's address, which the response is sent to. */
  rqSA: number;
  /** The response (odd) netFn. */
  netFn: number;
  rqLUN: number;
  /** The responder's address. */
  rsSA: number;
  rqSeq: number;
  rsLUN: number;
  cmd: number;
  cc: number;
  data: Uint8Array;
}

export type IpmbDecoded =
  | { ok: true; kind: "request"; message: IpmbRequest }
  | { ok: true; kind: "response"; message: IpmbResponse }
  | {
      ok: false;
      reason: string;
      /** The header as far as it could be read: for the log. */
      header?: { netFn: number; lun: number; seq: number; cmd: number; sourceAddress: number };
    };

/** Two's complement checksum of `bytes[from, to)`: the byte that makes the span sum to 0. */
export function ipmbChecksum(bytes: ArrayLike<number>, from = 0, to = bytes.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += bytes[i]!;
  return -sum & 0xff;
}

/** 8-bit slave address (0x20) to the 7-bit I2C address (0x10), as ipmb_dev_int's GET_7BIT_ADDR. */
export function to7BitAddress(slaveAddress: number): number {
  return (slaveAddress & 0xff) >> 1;
}

/** 7-bit I2C address to the 8-bit slave address, as ipmb_dev_int's GET_8BIT_ADDR. */
export function to8BitAddress(i2cAddress: number): number {
  return (i2cAddress << 1) & 0xff;
}

/** "0x72": how a slave address is written in logs and by `ipmitool -t`. */
export function slaveAddressText(slaveAddress: number): string {
  return `0x${(slaveAddress & 0xff).toString(16).padStart(2, "0")}`;
}

function netFnLun(netFn: number, lun: number): number {
  return ((netFn & 0x3f) << 2) | (lun & 0x03);
}

function check(name: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max)
    throw new RangeError(`IPMB ${name} ${v} out of range 0..${max}`);
}

function frame(header: readonly number[], data: Uint8Array): Uint8Array {
  const out = new Uint8Array(header.length + data.length + 1);
  out.set(header, 0);
  out[2] = ipmbChecksum(out, 0, 2);
  out.set(data, header.length);
  out[out.length - 1] = ipmbChecksum(out, 3, out.length - 1);
  return out;
}

function checkCommon(m: { netFn: number; rqSeq: number; cmd: number; rqSA: number }, sa: number): void {
  check("netFn", m.netFn, 0x3f);
  check("rqSeq", m.rqSeq, IPMB_SEQ_COUNT - 1);
  check("cmd", m.cmd, 0xff);
  check("rqSA", m.rqSA, 0xff);
  check("rsSA", sa, 0xff);
}

/** Frames a request. Longer than IPMB's 32 bytes is allowed here (ipmb_dev_int in I2C mode carries up to 128); the bus decides. */
export function encodeIpmbRequest(m: IpmbRequest): Uint8Array {
  checkCommon(m, m.rsSA);
  check("rsLUN", m.rsLUN, 3);
  check("rqLUN", m.rqLUN, 3);
  return frame([m.rsSA, netFnLun(m.netFn, m.rsLUN), 0, m.rqSA, netFnLun(m.rqSeq, m.rqLUN), m.cmd], m.data);
}

export function encodeIpmbResponse(m: IpmbResponse): Uint8Array {
  checkCommon(m, m.rsSA);
  check("rsLUN", m.rsLUN, 3);
  check("rqLUN", m.rqLUN, 3);
  check("cc", m.cc, 0xff);
  return frame(
    [m.rqSA, netFnLun(m.netFn, m.rqLUN), 0, m.rsSA, netFnLun(m.rqSeq, m.rsLUN), m.cmd, m.cc],
    m.data,
  );
}

/**
 * Decodes one frame. The netFn's low bit says request or response (IPMI 2.0 section 5.1).
 * Either checksum failing makes the frame malformed: a receiver discards it (IPMB v1.0):
 * it cannot answer a message whose addresses it cannot trust.
 */
export function decodeIpmbFrame(f: Uint8Array): IpmbDecoded {
  if (f.length < IPMB_REQUEST_MIN) {
    return {
      ok: false,
      reason: `frame too short: ${f.length} bytes, an IPMB message has at least ${IPMB_REQUEST_MIN}`,
    };
  }
  const netFn = f[1]! >> 2;
  const lun = f[1]! & 0x03;
  const header = { netFn, lun, seq: f[4]! >> 2, cmd: f[5]!, sourceAddress: f[3]! };
  if (ipmbChecksum(f, 0, 3) !== 0) {
    return {
      ok: false,
      reason: `header checksum ${hex(f[2]!)} is wrong (expected ${hex(ipmbChecksum(f, 0, 2))})`,
      header,
    };
  }
  const last = f.length - 1;
  if (ipmbChecksum(f, 3, f.length) !== 0) {
    return {
      ok: false,
      reason: `data checksum ${hex(f[last]!)} is wrong (expected ${hex(ipmbChecksum(f, 3, last))})`,
      header,
    };
  }
  if (isRequestNetFn(netFn)) {
    return {
      ok: true,
      kind: "request",
      message: {
        rsSA: f[0]!,
        netFn,
        rsLUN: lun,
        rqSA: f[3]!,
        rqSeq: f[4]! >> 2,
        rqLUN: f[4]! & 0x03,
        cmd: f[5]!,
        data: f.subarray(6, last),
      },
    };
  }
  if (f.length < IPMB_RESPONSE_MIN) {
    return { ok: false, reason: `response of ${f.length} bytes has no completion code`, header };
  }
  return {
    ok: true,
    kind: "response",
    message: {
      rqSA: f[0]!,
      netFn,
      rqLUN: lun,
      rsSA: f[3]!,
      rqSeq: f[4]! >> 2,
      rsLUN: f[4]! & 0x03,
      cmd: f[5]!,
      cc: f[6]!,
      data: f.subarray(7, last),
    },
  };
}

function hex(b: number): string {
  return `${b.toString(16).padStart(2, "0")}h`;
}
