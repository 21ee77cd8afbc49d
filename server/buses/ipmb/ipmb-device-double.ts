/**
 * A stand-in for the Linux ipmb_dev_int device (/dev/ipmb-N) with the driver's exact
 * semantics (drivers/char/ipmi/ipmb_dev_int.c), for tests: the transport opens it through
 * `opener` as it opens the real device, and a test plays the other controllers on the bus.
 *
 * Receiving (the driver's I2C slave callback, ipmb_slave_cb):
 * - only writes to the device's own address reach it; the driver prepends that address
 *   (8-bit) as rsSA, since the I2C core does not pass the address byte on;
 * - bytes past the driver's buffer (127 after the length byte) are dropped;
 * - at the STOP, the message is queued only if it has at least 7 bytes (length byte not
 *   counted) and a valid checksum1; checksum2 is not checked; requests and responses alike;
 * - at most 256 messages wait; later ones are dropped;
 * - the queue is read newest first: ipmb_handle_request uses list_add (at the head) and
 *   ipmb_read list_first_entry.
 * read(): blocks while the queue is empty (EAGAIN with O_NONBLOCK); returns
 * min(count, len + 1) bytes of the message and removes it whole. Any number of openers;
 * each message goes to exactly one read.
 * write(): EINVAL above 128 bytes or when `count < buf[0]`; the destination is buf[1] >> 1.
 * SMBus mode (the default) sends netFn/LUN as the command byte and at most 32 block bytes
 * (buf[0] - 2, longer cut); I2C mode (`i2c-protocol`) sends buf[0] - 1 bytes from buf[2].
 * It blocks until the transfer ends; a NAK fails it with ENXIO.
 */

import type { IpmbDeviceFile, IpmbDeviceOpener } from "./ipmb-device";
import { errnoError } from "./transport";

const MAX_MSG_LEN = 128;
const IPMB_REQUEST_LEN_MIN = 7;
const REQUEST_QUEUE_MAX_LEN = 256;
/** sizeof(struct ipmb_msg) - 1: the most bytes msg_idx reaches. */
const MAX_MSG_IDX = 127;
const I2C_SMBUS_BLOCK_MAX = 32;

/** What another controller does with a frame put on the bus: "ack" takes it, "nak" refuses the address. */
export type PeerAnswer = "ack" | "nak" | { errno: string };

export interface IpmbDeviceDoubleOptions {
  path?: string;
  /** The BMC's own 8-bit slave address (the `ipmb-dev` node's reg, shifted). */
  address?: number;
  /** The device tree's `i2c-protocol` property: raw I2C writes instead of SMBus block writes. */
  i2cProtocol?: boolean;
}

interface Reader {
  buffer: Uint8Array;
  resolve: (n: number) => void;
}

export class IpmbDeviceDouble {
  readonly path: string;
  readonly address: number;
  readonly i2cProtocol: boolean;
  /** Queued messages, `[len, rsSA, ...]`, newest first. */
  private queue: Uint8Array[] = [];
  private readers: Reader[] = [];
  /** What the controllers on the bus saw the BMC send: the frame from the destination address on. */
  readonly transmitted: Uint8Array[] = [];
  /** Decides each transfer's fate; acks everything by default. May be async to hold the write. */
  peer: (frame: Uint8Array) => PeerAnswer | Promise<PeerAnswer> = () => "ack";
  readonly stats = { opens: 0, dropped: 0, rejected: 0 };

  constructor(options: IpmbDeviceDoubleOptions = {}) {
    this.path = options.path ?? "/dev/ipmb-0";
    this.address = options.address ?? 0x20;
    this.i2cProtocol = options.i2cProtocol ?? false;
  }

  readonly opener: IpmbDeviceOpener = async (path) => {
    if (path !== this.path) throw errnoError("ENOENT", `no such file or directory, open '${path}'`);
    this.stats.opens++;
    return this.file(false);
  };

  /** A file opened with O_NONBLOCK. */
  openNonBlocking(): IpmbDeviceFile {
    return this.file(true);
  }

  /** Messages waiting to be read. */
  get queued(): number {
    return this.queue.length;
  }

  /**
   * Another master writes `frame` (from its rsSA byte on) on the bus. Returns whether the
   * driver queued it: false when it was for another address, too short, had a bad
   * checksum1, or the queue was full.
   */
  peerWrite(frame: Uint8Array | readonly number[]): boolean {
    const f = Uint8Array.from(frame);
    if (f.length === 0 || f[0]! >> 1 !== this.address >> 1) return false;
    // I2C_SLAVE_WRITE_REQUESTED: msg_idx = 0, buf[1] = own 8-bit address.
    const buf = new Uint8Array(MAX_MSG_IDX + 1);
    let idx = 1;
    buf[1] = (this.address >> 1) << 1;
    // I2C_SLAVE_WRITE_RECEIVED for each byte after the address.
    for (const b of f.subarray(1)) {
      if (idx >= MAX_MSG_IDX) break;
      buf[++idx] = b;
    }
    // I2C_SLAVE_STOP: len = msg_idx; queued if long enough and checksum1 holds.
    buf[0] = idx;
    const checksum1 = (buf[1]! + buf[2]! + buf[3]!) & 0xff;
    if (idx < IPMB_REQUEST_LEN_MIN || checksum1 !== 0) {
      this.stats.rejected++;
      return false;
    }
    if (this.queue.length >= REQUEST_QUEUE_MAX_LEN) {
      this.stats.dropped++;
      return false;
    }
    const message = buf.slice(0, idx + 1);
    const reader = this.readers.shift();
    if (reader) this.deliver(reader, message);
    else this.queue.unshift(message);
    return true;
  }

  private deliver(reader: Reader, message: Uint8Array): void {
    const count = Math.min(reader.buffer.length, message.length);
    reader.buffer.set(message.subarray(0, count));
    reader.resolve(count);
  }

  private file(nonBlocking: boolean): IpmbDeviceFile {
    let closed = false;
    return {
      read: (buffer) => {
        if (closed) return Promise.reject(errnoError("EBADF", "bad file descriptor"));
        const next = this.queue.shift();
        if (next) {
          const count = Math.min(buffer.length, next.length);
          buffer.set(next.subarray(0, count));
          return Promise.resolve(count);
        }
        if (nonBlocking) return Promise.reject(errnoError("EAGAIN", "resource temporarily unavailable"));
        return new Promise((resolve) => this.readers.push({ buffer, resolve }));
      },
      write: async (buffer) => {
        if (closed) throw errnoError("EBADF", "bad file descriptor");
        const count = buffer.length;
        if (count > MAX_MSG_LEN) throw errnoError("EINVAL", "invalid argument");
        if (count < buffer[0]!) throw errnoError("EINVAL", "invalid argument");
        const len = buffer[0]!;
        let wire: Uint8Array;
        if (this.i2cProtocol) {
          wire = new Uint8Array(len);
          wire[0] = buffer[1]!;
          wire.set(buffer.subarray(2, 2 + Math.max(0, len - 1)), 1);
        } else {
          const block = Math.min((len - 2) & 0xff, I2C_SMBUS_BLOCK_MAX);
          wire = new Uint8Array(2 + block);
          wire[0] = buffer[1]!;
          wire[1] = buffer[2]!;
          wire.set(buffer.subarray(3, 3 + block), 2);
        }
        const answer = await this.peer(wire);
        if (answer === "nak") throw errnoError("ENXIO", "no such device or address");
        if (typeof answer === "object") throw errnoError(answer.errno, "I2C transfer failed");
        this.transmitted.push(wire);
        return count;
      },
      close: async () => {
        closed = true;
      },
    };
  }
}
