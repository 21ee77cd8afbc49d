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
import { explainOpenError, openCharDevice, readMessages } from "../device/char-device";
import type { IpmbTransport } from "./transport";

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
      throw new Error(
        explainOpenError(this.options.path, err, {
          what: "IPMB device",
          // ipmb_dev_int lets any number of processes open it; EBUSY comes from elsewhere.
          holders: "another process holds it exclusively",
          missing:
            "is CONFIG_IPMB_DEVICE_INTERFACE (ipmb_dev_int) loaded and an `ipmb-dev` I2C slave node in the device tree? (docs/real-bmc.md)",
        }),
      );
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
    await readMessages(file, {
      name: "IPMB",
      bufferSize: READ_BUFFER,
      retryCodes: RETRY_READ,
      isCurrent: () => this.running && this.file === file,
      log: this.log,
      onError: () => {
        this.stats.readErrors++;
      },
      onMessage: (message) => {
        if (message.length < 2) return;
        // The length byte counts what follows; a short read cut the message.
        this.stats.framesIn++;
        this.listener?.(message.subarray(1, 1 + Math.min(message[0]!, message.length - 1)));
      },
    });
  }
}

/** Opens the device with Node's fs: reads and writes block a libuv pool thread, never the loop. */
export const openIpmbDevice: IpmbDeviceOpener = openCharDevice;
