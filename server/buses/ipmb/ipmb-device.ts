/**
 * An IPMB transport on the Linux `ipmb_dev_int` character device (/dev/ipmb-N, one per
 * I2C adapter the `ipmb-dev` slave is bound to). What the driver does
 * (drivers/char/ipmi/ipmb_dev_int.c):
 * - it registers an I2C *slave* at the BMC's own address; every message another master
 *   writes to that address is collected, and queued only when it has at least 7 bytes and
 *   a valid header checksum (checksum1). checksum2 is NOT checked: the bus does that.
 *   Requests and responses alike are queued (the netFn's response bit is not looked at);
 * - read() blocks until a message is queued and returns it whole as
 *   `[len, rsSA, netFn/LUN, checksum1, rqSA, rqSeq/LUN, cmd, data..., checksum2]`, where
 *   `len` counts the bytes after itself and rsSA is the driver's own 8-bit address, which
 *   it prepends (the I2C core does not pass the address byte on); a buffer shorter than
 *   the message gets its start and the rest is lost;
 * - write() takes the same layout `[len, destination SA, netFn/LUN, checksum1, ...]`, at
 *   most 128 bytes (else EINVAL) and at least `len` (else EINVAL); it sends it as an
 *   SMBus block write (command byte = netFn/LUN, at most 32 block bytes: longer is cut)
 *   or, with the `i2c-protocol` device-tree property, as a raw I2C write, and blocks until
 *   the transfer is done: a NAK comes back as the I2C core's ENXIO;
 * - any number of processes may open it; each read takes a message away from all others.
 *   The queue holds 256 messages and is read newest first (list_add + list_first_entry).
 *
 * One reader (this transport) and whole messages in; writes one at a time, in order.
 */
import fs from "node:fs";
import { errorCode, errorText, type IpmbTransport } from "./transport";

/** The device as the transport uses it: Node's fs by default (openIpmbDevice), a double in tests. */
export interface IpmbDeviceFile {
  /** Resolves with the bytes of one whole queued message put in `buffer`; waits for one. */
  read(buffer: Uint8Array): Promise<number>;
  /** Resolves once the message is on the bus. */
  write(buffer: Uint8Array): Promise<number>;
  close(): Promise<void>;
}

export type IpmbDeviceOpener = (path: string) => Promise<IpmbDeviceFile>;

export interface IpmbDeviceLog {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface IpmbDeviceTransportOptions {
  path: string;
  open?: IpmbDeviceOpener;
  log?: IpmbDeviceLog;
}

/** ipmb_dev_int's MAX_MSG_LEN: the most write() takes, length byte included. */
export const IPMB_DEV_MAX_WRITE = 128;
/** A message read() can return: the length byte and up to 127 bytes after it. */
const READ_BUFFER = 128;
const RETRY_READ = new Set(["EINTR", "EAGAIN"]);
const NO_LOG: IpmbDeviceLog = { info() {}, warn() {} };

export class IpmbDeviceTransport implements IpmbTransport {
  private listener: ((frame: Uint8Array) => void) | undefined;
  private file: IpmbDeviceFile | undefined;
  private running = false;
  /** Writes go out one after another, in the order asked. */
  private writes: Promise<unknown> = Promise.resolve();
  private readonly opener: IpmbDeviceOpener;
  private readonly log: IpmbDeviceLog;
  readonly stats = { framesIn: 0, framesOut: 0, readErrors: 0, writeErrors: 0 };

  constructor(private readonly options: IpmbDeviceTransportOptions) {
    this.opener = options.open ?? openIpmbDevice;
    this.log = options.log ?? NO_LOG;
  }

  get description(): string {
    return `Linux ipmb_dev_int device ${this.options.path}${this.running ? "" : " (closed)"}`;
  }

  onFrame(listener: (frame: Uint8Array) => void): void {
    this.listener = listener;
  }

  async open(): Promise<void> {
    if (this.running) return;
    this.file = await this.opener(this.options.path).catch((err: unknown) => {
      throw new Error(explainOpenError(this.options.path, err));
    });
    this.running = true;
    this.log.info(`IPMB device ${this.options.path} open`);
    void this.readLoop(this.file);
  }

  /** Stops reading; a read parked in the driver returns with the next message, which is dropped. */
  async close(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const file = this.file;
    this.file = undefined;
    await file?.close();
  }

  write(frame: Uint8Array): Promise<void> {
    const file = this.file;
    if (!file) return Promise.reject(new Error(`IPMB device ${this.options.path} is not open`));
    if (frame.length + 1 > IPMB_DEV_MAX_WRITE)
      return Promise.reject(
        new RangeError(`IPMB frame of ${frame.length} bytes: ipmb_dev_int writes at most 127`),
      );
    const buffer = new Uint8Array(frame.length + 1);
    buffer[0] = frame.length;
    buffer.set(frame, 1);
    const done = this.writes.then(async () => {
      try {
        await file.write(buffer);
        this.stats.framesOut++;
      } catch (err) {
        this.stats.writeErrors++;
        throw err;
      }
    });
    this.writes = done.catch(() => {});
    return done;
  }

  private async readLoop(file: IpmbDeviceFile): Promise<void> {
    const buffer = new Uint8Array(READ_BUFFER);
    let failures = 0;
    while (this.running && this.file === file) {
      let n: number;
      try {
        n = await file.read(buffer);
      } catch (err) {
        if (!this.running || this.file !== file) return;
        this.stats.readErrors++;
        failures++;
        if (!RETRY_READ.has(errorCode(err)) || failures > 3) {
          this.log.warn(`IPMB device read: ${errorText(err)}`);
          await sleep(Math.min(1000, 50 * failures));
        }
        continue;
      }
      if (!this.running || this.file !== file) return;
      failures = 0;
      if (n < 2) continue;
      // The length byte counts what follows; a short read cut the message.
      const frame = buffer.slice(1, 1 + Math.min(buffer[0]!, n - 1));
      this.stats.framesIn++;
      this.listener?.(frame);
    }
  }
}

/** Opens the device with Node's fs: reads and writes block a libuv pool thread, never the loop. */
export const openIpmbDevice: IpmbDeviceOpener = async (path) => {
  const fd = await new Promise<number>((resolve, reject) =>
    fs.open(path, fs.constants.O_RDWR, (err, fd) => (err ? reject(err) : resolve(fd))),
  );
  let closed = false;
  return {
    read: (buffer) =>
      new Promise((resolve, reject) =>
        fs.read(fd, buffer, 0, buffer.length, null, (err, n) => (err ? reject(err) : resolve(n))),
      ),
    write: (buffer) =>
      new Promise((resolve, reject) =>
        fs.write(fd, buffer, 0, buffer.length, null, (err, n) => (err ? reject(err) : resolve(n))),
      ),
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        fs.close(fd, () => resolve());
      }),
  };
};

function explainOpenError(path: string, err: unknown): string {
  switch (errorCode(err)) {
    case "ENOENT":
      return (
        `IPMB device ${path} does not exist: is CONFIG_IPMB_DEVICE_INTERFACE (ipmb_dev_int) loaded and an ` +
        "`ipmb-dev` I2C slave node in the device tree? (docs/real-bmc.md)"
      );
    case "EACCES":
    case "EPERM":
      return `no permission to open IPMB device ${path}: run as root or give this user read/write on it (a udev rule)`;
    default:
      return `cannot open IPMB device ${path}: ${errorText(err)}`;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
