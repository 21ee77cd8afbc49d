/**
 * OpenIPMI's "VM" serial protocol, which QEMU's `ipmi-bmc-extern` device speaks to an
 * external BMC over a chardev (a TCP socket here), whichever IPMI interface the guest
 * has (QEMU's hw/ipmi/ipmi_bmc_extern.c; OpenIPMI lanserv's serial "VM" codec). Pure: no I/O.
 *
 * Two kinds of frame share one byte stream, each ended by a marker byte:
 *   message  id, netfn<<2|lun, cmd, [cc,] data..., checksum, A0
 *   control  op, [argument...], A1
 * `id` is QEMU's own message id (not the guest's BT sequence number): the response
 * carries it back unchanged. The checksum makes the sum of every byte from `id` to the
 * checksum itself zero (mod 256). Inside a frame, a byte that is A0, A1 or AA is sent
 * as AA followed by the byte with bit 4 set (B0, B1, BA).
 */

export const VM_MSG_END = 0xa0;
export const VM_CMD_END = 0xa1;
export const VM_ESCAPE = 0xaa;

export const VM_PROTOCOL_VERSION = 1;

/** Control operations. Those QEMU sends us: VERSION, CAPABILITIES, RESET. */
export const VM_CMD = {
  NOATTN: 0x00,
  ATTN: 0x01,
  ATTN_IRQ: 0x02,
  POWEROFF: 0x03,
  /** From us: reset the VM. From QEMU: the VM was reset. */
  RESET: 0x04,
  ENABLE_IRQ: 0x05,
  DISABLE_IRQ: 0x06,
  SEND_NMI: 0x07,
  CAPABILITIES: 0x08,
  /** ACPI power button (QEMU answers it with a powerdown request). */
  GRACEFUL_SHUTDOWN: 0x09,
  VERSION: 0xff,
} as const;

/** Bits of the CAPABILITIES argument: what the VM side can do for us. */
export const VM_CAP = {
  POWER: 0x01,
  RESET: 0x02,
  IRQ: 0x04,
  NMI: 0x08,
  ATTN: 0x10,
  GRACEFUL_SHUTDOWN: 0x20,
} as const;

/**
 * Largest unescaped frame we accept: QEMU's own buffer (`inbuf[MAX_IPMI_MSG_SIZE + 2]`
 * in hw/ipmi/ipmi_bmc_extern.c) holds its largest IPMI message, 300 bytes
 * (include/hw/ipmi/ipmi.h), plus id and checksum.
 */
export const VM_MAX_FRAME = 302;

/** Smallest message: id, netfn/lun, cmd, checksum. */
const VM_MIN_MESSAGE = 4;

export type VmEvent =
  /**
   * A message whose checksum held. `bytes` is the whole message unescaped, as it arrived
   * without its end marker: id, netfn/lun, cmd, data, checksum (kept for the log).
   */
  | { kind: "message"; id: number; netFnLun: number; cmd: number; data: Uint8Array; bytes: Uint8Array }
  /** A control command; `bytes` are the op and its arguments. */
  | { kind: "control"; op: number; args: Uint8Array; bytes: Uint8Array }
  /** A frame that could not be taken: bad checksum, too short or long, broken escape. */
  | {
      kind: "malformed";
      bytes: Uint8Array;
      reason: string;
      header?: { id: number; netFnLun: number; cmd: number };
    };

/** Sum of bytes mod 256. */
export function byteSum(bytes: ArrayLike<number>, start = 0): number {
  let sum = start;
  for (let i = 0; i < bytes.length; i++) sum = (sum + bytes[i]!) & 0xff;
  return sum;
}

/** The checksum byte that makes the sum of `bytes` and itself zero. */
export function vmChecksum(bytes: ArrayLike<number>): number {
  return -byteSum(bytes) & 0xff;
}

function needsEscape(b: number): boolean {
  return b === VM_MSG_END || b === VM_CMD_END || b === VM_ESCAPE;
}

/** Escapes `bytes` and appends the end marker. */
function frame(bytes: ArrayLike<number>, end: number): Uint8Array {
  let extra = 0;
  for (let i = 0; i < bytes.length; i++) if (needsEscape(bytes[i]!)) extra++;
  const out = new Uint8Array(bytes.length + extra + 1);
  let o = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (needsEscape(b)) {
      out[o++] = VM_ESCAPE;
      out[o++] = b | 0x10;
    } else out[o++] = b;
  }
  out[o] = end;
  return out;
}

/** A message frame: `id, netFnLun, cmd, body..., checksum, A0` with escaping. */
export function encodeVmMessage(
  id: number,
  netFnLun: number,
  cmd: number,
  body: ArrayLike<number>,
): Uint8Array {
  const raw = new Uint8Array(3 + body.length + 1);
  raw[0] = id & 0xff;
  raw[1] = netFnLun & 0xff;
  raw[2] = cmd & 0xff;
  for (let i = 0; i < body.length; i++) raw[3 + i] = body[i]! & 0xff;
  raw[raw.length - 1] = vmChecksum(raw.subarray(0, raw.length - 1));
  return frame(raw, VM_MSG_END);
}

/** A response message: `id, netFnLun, cmd, cc, data..., checksum, A0` with escaping. */
export function encodeVmResponse(
  id: number,
  netFnLun: number,
  cmd: number,
  cc: number,
  data: Uint8Array,
): Uint8Array {
  const raw = new Uint8Array(4 + data.length + 1);
  raw[0] = id & 0xff;
  raw[1] = netFnLun & 0xff;
  raw[2] = cmd & 0xff;
  raw[3] = cc & 0xff;
  raw.set(data, 4);
  raw[raw.length - 1] = vmChecksum(raw.subarray(0, raw.length - 1));
  return frame(raw, VM_MSG_END);
}

/** A control frame: `op, args..., A1` with escaping. */
export function encodeVmControl(op: number, ...args: number[]): Uint8Array {
  return frame([op & 0xff, ...args.map((a) => a & 0xff)], VM_CMD_END);
}

/**
 * Splits a byte stream into VM frames. Feed it whatever the socket delivered; it keeps
 * partial frames between calls. A frame in error is reported once and skipped: the
 * stream resynchronises at the next end marker.
 */
export class VmDecoder {
  private buf = new Uint8Array(VM_MAX_FRAME);
  private len = 0;
  private escaped = false;
  private tooLong = false;
  private badEscape = false;
  /** Raw bytes of the current frame as they arrived (bounded), for malformed records. */
  private raw: number[] = [];

  push(chunk: Uint8Array): VmEvent[] {
    const events: VmEvent[] = [];
    for (const byte of chunk) {
      if (byte === VM_MSG_END || byte === VM_CMD_END) {
        const event = this.finish(byte);
        if (event) events.push(event);
        continue;
      }
      if (this.raw.length < 2 * VM_MAX_FRAME + 2) this.raw.push(byte);
      if (byte === VM_ESCAPE) {
        if (this.escaped) this.badEscape = true;
        this.escaped = true;
        continue;
      }
      let b = byte;
      if (this.escaped) {
        this.escaped = false;
        if (!needsEscape(b & ~0x10)) this.badEscape = true;
        b &= ~0x10;
      }
      if (this.len >= this.buf.length) {
        this.tooLong = true;
        continue;
      }
      this.buf[this.len++] = b;
    }
    return events;
  }

  /** Bytes of an unfinished frame are waiting. */
  get pending(): boolean {
    return this.raw.length > 0;
  }

  reset(): void {
    this.len = 0;
    this.escaped = false;
    this.tooLong = false;
    this.badEscape = false;
    this.raw = [];
  }

  private finish(end: number): VmEvent | undefined {
    const bytes = this.buf.slice(0, this.len);
    const raw = Uint8Array.from([...this.raw, end]);
    const escaped = this.escaped;
    const tooLong = this.tooLong;
    const badEscape = this.badEscape;
    this.reset();
    if (bytes.length === 0 && !escaped && !tooLong) return undefined; // an empty frame: nothing to do
    const what = end === VM_MSG_END ? "message" : "control command";
    if (escaped) return { kind: "malformed", bytes: raw, reason: `VM ${what} ended inside an escape (AA)` };
    if (badEscape)
      return {
        kind: "malformed",
        bytes: raw,
        reason: `VM ${what} has an escape (AA) before a byte that needs none`,
      };
    if (tooLong)
      return { kind: "malformed", bytes: raw, reason: `VM ${what} longer than ${VM_MAX_FRAME} bytes` };
    if (end === VM_CMD_END) {
      return { kind: "control", op: bytes[0]!, args: bytes.subarray(1), bytes };
    }
    const header = bytes.length >= 3 ? { id: bytes[0]!, netFnLun: bytes[1]!, cmd: bytes[2]! } : undefined;
    if (bytes.length < VM_MIN_MESSAGE) {
      const m: VmEvent = {
        kind: "malformed",
        bytes: raw,
        reason: `VM message of ${bytes.length} bytes is too short (id, netfn, cmd and checksum are ${VM_MIN_MESSAGE})`,
      };
      if (header) m.header = header;
      return m;
    }
    const sum = byteSum(bytes);
    if (sum !== 0) {
      return {
        kind: "malformed",
        bytes: raw,
        reason: `VM message checksum fails: bytes sum to ${hex(sum)}, not 00h`,
        header: header!,
      };
    }
    return {
      kind: "message",
      id: bytes[0]!,
      netFnLun: bytes[1]!,
      cmd: bytes[2]!,
      data: bytes.subarray(3, bytes.length - 1),
      bytes,
    };
  }
}

function hex(b: number): string {
  return `${b.toString(16).padStart(2, "0").toUpperCase()}h`;
}

/** Human-readable name of a control op, for logs. */
export function vmControlName(op: number): string {
  for (const [name, value] of Object.entries(VM_CMD)) if (value === op) return name;
  return `op ${hex(op)}`;
}

/** Names of the capability bits set in `caps`. */
export function vmCapabilityNames(caps: number): string[] {
  return Object.entries(VM_CAP)
    .filter(([, bit]) => (caps & bit) !== 0)
    .map(([name]) => name.toLowerCase().replace("_", "-"));
}
