/**
 * What every Linux IPMI BMC character device transport shares (bt-bmc, kcs_bmc_cdev_ipmi,
 * ssif_bmc; drivers/char/ipmi/): the three drivers have the same shape —
 * - one opener: a second open() fails with EBUSY (each driver's `running` flag);
 * - read() blocks until the host has delivered a whole request and returns it whole;
 * - write() takes one whole response; bt-bmc and ssif_bmc block it while the previous
 *   response is still waiting for the host, kcs_bmc refuses it (EINVAL) out of turn;
 * - ioctls for the status bits (SMS_ATN) where the interface has them.
 *
 * Reads and writes run on libuv's thread pool (fs.read / fs.write), so a read waiting for
 * the host or a write waiting for the host to take the previous response never blocks the
 * event loop; each holds one pool thread while it waits. One write is in flight at a time:
 * while it is pending, write() answers "busy" and the router queues the responses behind it.
 *
 * A response whose request the host has stopped waiting for (older than the host's timeout,
 * or superseded by a newer request on an interface that holds one request at a time) is not
 * written: the host would take it for the answer to its retry. It is counted and logged.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";

/** The device as a transport uses it: Node's fs by default (openCharDevice), a double in tests. */
export interface CharDeviceFile {
  /** Resolves with the size of one whole request put in `buffer`; waits for the host. */
  read(buffer: Uint8Array): Promise<number>;
  /** Resolves once the driver took the response (it may wait for the host first). */
  write(frame: Uint8Array): Promise<number>;
  close(): Promise<void>;
}

/** A device file that can also make argument-less ioctls (`_IO(type, nr)`). */
export interface IoctlDeviceFile extends CharDeviceFile {
  ioctl(request: number): Promise<void>;
}

export interface DeviceLog {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
}

export const NO_LOG: DeviceLog = { debug() {}, info() {}, warn() {} };

export interface CharDeviceStats {
  requests: number;
  responses: number;
  /** Responses not written because the host had stopped waiting for them. */
  dropped: number;
  readErrors: number;
  writeErrors: number;
}

/** errno values after which the same call is simply tried again. */
export const RETRY_CODES: ReadonlySet<string> = new Set(["EINTR", "EAGAIN", "EIO"]);
const WRITE_ATTEMPTS = 3;

/** Linux `_IO(type, nr)` (include/uapi/asm-generic/ioctl.h): no direction, no size. */
export function ioNone(type: number, nr: number): number {
  return ((type & 0xff) << 8) | (nr & 0xff);
}

export interface CharDeviceLinkOptions<F extends CharDeviceFile> {
  path: string;
  open: (path: string) => Promise<F>;
  /** "BT", "KCS", "SSIF": starts every log line and error. */
  name: string;
  /** The read buffer: at least the driver's largest request (else EOVERFLOW/EINVAL or a cut). */
  readBufferSize: number;
  /** How long the host waits for an answer before it gives up and retries. */
  hostTimeoutMs: number;
  /**
   * The interface holds one request at a time (KCS, SSIF): a newer request supersedes the
   * older ones, whose responses are then dropped. BT carries several (by seq).
   */
  oneRequestAtATime: boolean;
  /** Turns an open() failure into a sentence for people. */
  explainOpenError(path: string, err: unknown): string;
  /** "seq 3", "request 12": names a request's key in log lines. */
  describeKey(key: number): string;
  log?: DeviceLog;
  now?: () => number;
}

/**
 * The open device: the read loop, one write at a time, retries, and the bookkeeping that
 * drops answers the host no longer waits for. The caller gives each request a key (BT: its
 * seq; KCS/SSIF: a counter) and hands it back with the response.
 */
export class CharDeviceLink<F extends CharDeviceFile> {
  private messageListener: ((frame: Uint8Array, key: number | undefined) => void) | undefined;
  private writableListener: (() => void) | undefined;
  private file: F | undefined;
  private writing = false;
  private running = false;
  /** When each outstanding request (by key) arrived, for the host's timeout. */
  private readonly arrivals = new Map<number, number>();
  private readonly log: DeviceLog;
  private readonly now: () => number;
  readonly stats: CharDeviceStats = { requests: 0, responses: 0, dropped: 0, readErrors: 0, writeErrors: 0 };

  constructor(private readonly options: CharDeviceLinkOptions<F>) {
    this.log = options.log ?? NO_LOG;
    this.now = options.now ?? (() => performance.now());
  }

  get path(): string {
    return this.options.path;
  }

  get isOpen(): boolean {
    return this.running;
  }

  /** The open file, for ioctls; undefined while closed. */
  get openFile(): F | undefined {
    return this.file;
  }

  /**
   * Frames from the host, whole. `key` is what the caller said it is (keyOf), handed back
   * with the response.
   */
  onMessage(listener: (frame: Uint8Array, key: number | undefined) => void): void {
    this.messageListener = listener;
  }

  onWritable(listener: () => void): void {
    this.writableListener = listener;
  }

  /** Which key a request frame has; set by the transport before open(). */
  keyOf: (frame: Uint8Array) => number | undefined = () => undefined;

  async open(): Promise<void> {
    if (this.running) return;
    const file = await this.options.open(this.options.path).catch((err: unknown) => {
      throw new Error(this.options.explainOpenError(this.options.path, err));
    });
    this.file = file;
    this.running = true;
    this.log.info(`${this.options.name} device ${this.options.path} open`);
    void this.readLoop(file);
  }

  /**
   * Stops reading and closes the device. A read still waiting for the host stays parked on
   * its pool thread until the host sends something (the drivers cannot be woken otherwise);
   * its frame is then discarded.
   */
  async close(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const file = this.file;
    this.file = undefined;
    this.arrivals.clear();
    await file?.close();
  }

  /** Throws when the device is not open: a caller bug, not a host condition. */
  requireOpen(): F {
    const file = this.file;
    if (!file) throw new Error(`${this.options.name} device ${this.options.path} is not open`);
    return file;
  }

  /**
   * Writes one response for the request `key`. "busy" while the previous write is pending;
   * "sent" also when the response was dropped because the host no longer waits for it.
   */
  write(frame: Uint8Array, key: number | undefined): "sent" | "busy" {
    const file = this.requireOpen();
    if (this.writing) return "busy";
    if (this.missedHost(key)) return "sent";
    this.writing = true;
    void this.writeOut(file, frame, key);
    return "sent";
  }

  /** True (and counted, logged) when the host no longer waits for the answer to `key`. */
  private missedHost(key: number | undefined): boolean {
    if (key === undefined) return false;
    const at = this.arrivals.get(key);
    if (at === undefined) {
      if (!this.options.oneRequestAtATime) return false;
      // KCS/SSIF: the request was superseded (or the device reopened); the driver holds only
      // the newest, and this answer would be taken for it.
      this.stats.dropped++;
      this.log.warn(
        `${this.options.name} response for ${this.options.describeKey(key)} not written: the host has sent a newer request since`,
      );
      return true;
    }
    const age = this.now() - at;
    if (age <= this.options.hostTimeoutMs) return false;
    this.arrivals.delete(key);
    this.stats.dropped++;
    this.log.warn(
      `${this.options.name} response ${this.options.describeKey(key)} not written: ${Math.round(age)} ms after the request, the host (${this.options.hostTimeoutMs} ms) had given up`,
    );
    return true;
  }

  private async writeOut(file: F, frame: Uint8Array, key: number | undefined): Promise<void> {
    const what = key === undefined ? "" : ` (${this.options.describeKey(key)})`;
    for (let attempt = 1; ; attempt++) {
      try {
        await file.write(frame);
        this.stats.responses++;
        break;
      } catch (err) {
        this.stats.writeErrors++;
        const retry = RETRY_CODES.has(errorCode(err)) && attempt < WRITE_ATTEMPTS && this.file === file;
        this.log.warn(
          `${this.options.name} device write${what}: ${errorText(err)}${retry ? "; trying again" : "; dropped"}`,
        );
        if (!retry || this.missedHost(key)) break;
      }
    }
    if (key !== undefined) this.arrivals.delete(key);
    this.writing = false;
    if (this.file === file) this.writableListener?.();
  }

  private async readLoop(file: F): Promise<void> {
    await readMessages(file, {
      name: this.options.name,
      bufferSize: this.options.readBufferSize,
      retryCodes: RETRY_CODES,
      isCurrent: () => this.running && this.file === file,
      log: this.log,
      onError: () => {
        this.stats.readErrors++;
      },
      onMessage: (frame) => {
        this.stats.requests++;
        const key = this.keyOf(frame);
        if (key !== undefined) {
          if (this.options.oneRequestAtATime) this.arrivals.clear();
          this.arrivals.set(key, this.now());
        }
        this.messageListener?.(frame, key);
      },
    });
  }
}

export interface ReadMessagesOptions {
  /** "BT", "IPMB": starts the log lines. */
  name: string;
  /** At least the driver's largest message. */
  bufferSize: number;
  /** errno values after which the read is simply tried again (a few times quietly). */
  retryCodes: ReadonlySet<string>;
  /** False once the device was closed or reopened: the loop ends. */
  isCurrent: () => boolean;
  log: Pick<DeviceLog, "warn">;
  /** Counts a failed read. */
  onError: () => void;
  /** One whole message, a copy the listener may keep. */
  onMessage: (message: Uint8Array) => void;
}

/**
 * The read loop every driver here needs: one blocking read per whole message on libuv's
 * pool, a copy of each handed on, errors counted and retried with a growing pause (a
 * device that fails every read must not spin), the loop ending when the file is closed.
 */
export async function readMessages(file: CharDeviceFile, o: ReadMessagesOptions): Promise<void> {
  const buffer = new Uint8Array(o.bufferSize);
  let failures = 0;
  while (o.isCurrent()) {
    let n: number;
    try {
      n = await file.read(buffer);
    } catch (err) {
      if (!o.isCurrent()) return;
      o.onError();
      failures++;
      if (!o.retryCodes.has(errorCode(err)) || failures > 3) {
        o.log.warn(`${o.name} device read: ${errorText(err)}`);
        await sleep(Math.min(1000, 50 * failures));
      }
      continue;
    }
    if (!o.isCurrent()) return;
    if (n <= 0) {
      // The drivers never return 0; a file that does would spin.
      failures++;
      await sleep(Math.min(1000, 50 * failures));
      continue;
    }
    failures = 0;
    o.onMessage(buffer.slice(0, n));
  }
}

// ---- Node's fs on the real device ------------------------------------------------

/**
 * Opens a device with Node's fs (the thread pool does the blocking calls). Node cannot make
 * an ioctl: where python3 exists, a short-lived python3 inherits our descriptor and makes
 * it (the drivers allow one opener, so a separate process could not open the device
 * itself). Where python3 is missing, ioctl() rejects with a `code` of "ENOPYTHON".
 */
export async function openCharDevice(path: string): Promise<IoctlDeviceFile> {
  const fd = await new Promise<number>((resolve, reject) =>
    fs.open(path, fs.constants.O_RDWR, (err, fd) => (err ? reject(err) : resolve(fd))),
  );
  let closed = false;
  let python = true;
  return {
    read: (buffer) =>
      new Promise((resolve, reject) =>
        fs.read(fd, buffer, 0, buffer.length, null, (err, n) => (err ? reject(err) : resolve(n))),
      ),
    write: (frame) =>
      new Promise((resolve, reject) =>
        fs.write(fd, frame, 0, frame.length, null, (err, n) => (err ? reject(err) : resolve(n))),
      ),
    async ioctl(request) {
      if (closed) throw errno("EBADF", "device is closed");
      if (!python) throw errno("ENOPYTHON", "python3 is not installed");
      await new Promise<void>((resolve, reject) => {
        const child = spawn("python3", ["-c", `import fcntl; fcntl.ioctl(3, ${request})`], {
          stdio: ["ignore", "ignore", "pipe", fd],
        });
        let stderr = "";
        child.stderr?.on("data", (b: Buffer) => {
          stderr += b.toString();
        });
        child.once("error", (err: NodeJS.ErrnoException) => {
          if (err.code === "ENOENT") python = false;
          reject(
            err.code === "ENOENT"
              ? errno("ENOPYTHON", "python3 is not installed")
              : new Error(`python3 for the ioctl: ${err.message}`),
          );
        });
        child.once("exit", (code) =>
          code === 0
            ? resolve()
            : reject(new Error(`ioctl 0x${request.toString(16)} failed: ${stderr.trim() || `exit ${code}`}`)),
        );
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (closed) return resolve();
        closed = true;
        fs.close(fd, () => resolve());
      }),
  };
}

export interface OpenErrorHints {
  /** "BT device", "KCS device". */
  what: string;
  /** Who else typically holds it: "OpenBMC's btbridged or another console?". */
  holders: string;
  /** How to get the device to exist: "is the bt-bmc driver (...) loaded ...?". */
  missing: string;
}

/** EBUSY, ENOENT, EACCES/EPERM in words; anything else with its message. */
export function explainOpenError(path: string, err: unknown, hints: OpenErrorHints): string {
  switch (errorCode(err)) {
    case "EBUSY":
      return `${hints.what} ${path} is busy: ${hints.holders}; stop it first`;
    case "ENOENT":
      return `${hints.what} ${path} does not exist: ${hints.missing}`;
    case "EACCES":
    case "EPERM":
      return `no permission to open ${hints.what} ${path}: run as root or give this user read/write on it (a udev rule)`;
    default:
      return `cannot open ${hints.what} ${path}: ${errorText(err)}`;
  }
}

export function errno(code: string, message: string): Error & { code: string } {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

export function errorCode(err: unknown): string {
  return typeof err === "object" && err !== null && "code" in err
    ? String((err as { code: unknown }).code)
    : "";
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
