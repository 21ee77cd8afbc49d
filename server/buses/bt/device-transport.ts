/**
 * A BT transport on the Linux `bt-bmc` character device (/dev/ipmi-bt-host on an
 * ASPEED or Nuvoton BMC), whose other end is the host's BT interface. What the driver
 * does (drivers/char/ipmi/bt-bmc.c; docs/stack.md):
 * - one opener: a second open() fails with EBUSY;
 * - read() blocks until the host has put a whole request in the buffer and returns it
 *   whole: `[len, netfn<<2|lun, seq, cmd, data...]`;
 * - write() takes a whole response (at least 5 bytes) and blocks while the previous
 *   response is still in the hardware (the host has not read it yet): one response in
 *   flight at a time;
 * - ioctl BT_BMC_IOCTL_SMS_ATN sets the SMS attention bit, telling the host the BMC
 *   has a message for it; only the host clears it.
 *
 * Reads and writes run on libuv's thread pool (fs.read / fs.write), so a read waiting
 * for the host or a write waiting for the host to take the previous response never
 * blocks the event loop; each holds one pool thread while it waits. While a write is
 * pending, write() answers "busy" and the router queues the responses behind it.
 *
 * The host gives up on a request after about 5 s (Linux ipmi_si's BT driver; OpenBMC's
 * host side similarly). A response still queued here when that has passed is not
 * written: the host would take it for the answer to its retry. It is counted and logged.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import { BT_RESPONSE_HEADER } from "./bt-codec";
import type { BtTransport } from "./transport";

/** The device as the transport uses it: Node's fs by default (openBtDevice), a double in tests. */
export interface BtDeviceFile {
  /** Resolves with the size of one whole request frame put in `buffer`; waits for the host. */
  read(buffer: Uint8Array): Promise<number>;
  /** Resolves once the response is in the hardware; waits while the previous one is still there. */
  write(frame: Uint8Array): Promise<number>;
  /** Sets the SMS_ATN bit, where the platform can; absent where it cannot. */
  setSmsAttention?(): Promise<void>;
  close(): Promise<void>;
}

export type BtDeviceOpener = (path: string) => Promise<BtDeviceFile>;

export interface DeviceTransportLog {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
}

export interface DeviceTransportOptions {
  path: string;
  /** How to open the device; Node's fs by default. */
  open?: BtDeviceOpener;
  /** How long the host waits for an answer before it gives up and retries. */
  hostTimeoutMs?: number;
  log?: DeviceTransportLog;
  now?: () => number;
}

export interface DeviceTransportStats {
  requests: number;
  responses: number;
  /** Responses not written because the host had stopped waiting for them. */
  dropped: number;
  readErrors: number;
  writeErrors: number;
}

/** bt-bmc's own buffer: a length byte and up to 255 bytes after it. */
const BT_BUFFER = 256;
/** errno values after which the same call is simply tried again. */
const RETRY_CODES = new Set(["EINTR", "EAGAIN", "EIO"]);
const WRITE_ATTEMPTS = 3;

const NO_LOG: DeviceTransportLog = { debug() {}, info() {}, warn() {} };

export class BtDeviceTransport implements BtTransport {
  private frameListener: ((frame: Uint8Array) => void) | undefined;
  private writableListener: (() => void) | undefined;
  private file: BtDeviceFile | undefined;
  private writing = false;
  private running = false;
  private attentionWarned = false;
  /** When each outstanding request (by BT seq) arrived, for the host's timeout. */
  private readonly arrivals = new Map<number, number>();
  private readonly opener: BtDeviceOpener;
  readonly hostTimeoutMs: number;
  private readonly log: DeviceTransportLog;
  private readonly now: () => number;
  readonly stats: DeviceTransportStats = {
    requests: 0,
    responses: 0,
    dropped: 0,
    readErrors: 0,
    writeErrors: 0,
  };

  constructor(private readonly options: DeviceTransportOptions) {
    this.opener = options.open ?? openBtDevice;
    this.hostTimeoutMs = options.hostTimeoutMs ?? 5000;
    this.log = options.log ?? NO_LOG;
    this.now = options.now ?? (() => performance.now());
  }

  get description(): string {
    return `Linux bt-bmc device ${this.options.path}${this.running ? "" : " (closed)"}`;
  }

  onFrame(listener: (frame: Uint8Array) => void): void {
    this.frameListener = listener;
  }

  onWritable(listener: () => void): void {
    this.writableListener = listener;
  }

  async open(): Promise<void> {
    if (this.running) return;
    const file = await this.opener(this.options.path).catch((err: unknown) => {
      throw new Error(explainOpenError(this.options.path, err));
    });
    this.file = file;
    this.running = true;
    this.log.info(`BT device ${this.options.path} open`);
    void this.readLoop(file);
  }

  /**
   * Stops reading and closes the device. A read still waiting for the host stays
   * parked on its pool thread until the host sends something (bt-bmc cannot be woken
   * otherwise); its frame is then discarded.
   */
  async close(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    const file = this.file;
    this.file = undefined;
    this.arrivals.clear();
    await file?.close();
  }

  write(frame: Uint8Array): "sent" | "busy" {
    const file = this.file;
    if (!file) throw new Error(`BT device ${this.options.path} is not open`);
    if (frame.length < BT_RESPONSE_HEADER)
      throw new Error(`a BT response has at least 5 bytes, got ${frame.length}`);
    if (this.writing) return "busy";
    const seq = frame[2]!;
    if (this.missedHost(seq)) return "sent";
    this.writing = true;
    void this.writeOut(file, frame, seq);
    return "sent";
  }

  /**
   * Tells the host the BMC has a message for it (SMS_ATN). Only setting is possible:
   * the host clears the bit when it reads the message flags.
   */
  setAttention(pending: boolean): void {
    if (!pending) return;
    const file = this.file;
    if (!file) return;
    if (!file.setSmsAttention) {
      if (!this.attentionWarned) {
        this.attentionWarned = true;
        this.log.warn(
          "cannot set SMS_ATN on this platform; the host finds pending messages by polling Get Message Flags",
        );
      }
      return;
    }
    file.setSmsAttention().catch((err: unknown) => {
      if (this.attentionWarned) return;
      this.attentionWarned = true;
      this.log.warn(`setting SMS_ATN failed: ${errorText(err)}; the host will poll Get Message Flags`);
    });
  }

  private missedHost(seq: number): boolean {
    const at = this.arrivals.get(seq);
    if (at === undefined) return false;
    const age = this.now() - at;
    if (age <= this.hostTimeoutMs) return false;
    this.arrivals.delete(seq);
    this.stats.dropped++;
    this.log.warn(
      `BT response seq ${seq} not written: ${Math.round(age)} ms after the request, the host (${this.hostTimeoutMs} ms) had given up`,
    );
    return true;
  }

  private async writeOut(file: BtDeviceFile, frame: Uint8Array, seq: number): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await file.write(frame);
        this.stats.responses++;
        break;
      } catch (err) {
        this.stats.writeErrors++;
        const retry = RETRY_CODES.has(errorCode(err)) && attempt < WRITE_ATTEMPTS && this.file === file;
        this.log.warn(
          `BT device write (seq ${seq}): ${errorText(err)}${retry ? "; trying again" : "; dropped"}`,
        );
        if (!retry || this.missedHost(seq)) break;
      }
    }
    this.arrivals.delete(seq);
    this.writing = false;
    if (this.file === file) this.writableListener?.();
  }

  private async readLoop(file: BtDeviceFile): Promise<void> {
    const buffer = new Uint8Array(BT_BUFFER);
    let failures = 0;
    while (this.running && this.file === file) {
      let n: number;
      try {
        n = await file.read(buffer);
      } catch (err) {
        if (!this.running || this.file !== file) return;
        this.stats.readErrors++;
        failures++;
        if (!RETRY_CODES.has(errorCode(err)) || failures > 3) {
          this.log.warn(`BT device read: ${errorText(err)}`);
          await sleep(Math.min(1000, 50 * failures));
        }
        continue;
      }
      if (!this.running || this.file !== file) return;
      if (n <= 0) {
        // bt-bmc never returns 0; a file that does would spin.
        failures++;
        await sleep(Math.min(1000, 50 * failures));
        continue;
      }
      failures = 0;
      const frame = buffer.slice(0, n);
      this.stats.requests++;
      if (frame.length >= 3) this.arrivals.set(frame[2]!, this.now());
      this.frameListener?.(frame);
    }
  }
}

// ---- Node's fs on the real device ------------------------------------------------

/** bt-bmc's BT_BMC_IOCTL_SMS_ATN: _IO(0xb1, 0x00). */
const BT_BMC_IOCTL_SMS_ATN = 0xb100;

/**
 * Opens the device with Node's fs (the thread pool does the blocking calls). SMS_ATN
 * needs an ioctl, which Node cannot make: where python3 exists, a short-lived python3
 * inherits our descriptor and makes it (the device allows one opener, so a separate
 * process could not open it itself). Where python3 is missing, SMS_ATN is not set.
 */
export const openBtDevice: BtDeviceOpener = async (path) => {
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
    async setSmsAttention() {
      if (!python || closed) return;
      await new Promise<void>((resolve, reject) => {
        const child = spawn("python3", ["-c", `import fcntl; fcntl.ioctl(3, ${BT_BMC_IOCTL_SMS_ATN})`], {
          stdio: ["ignore", "ignore", "pipe", fd],
        });
        let stderr = "";
        child.stderr?.on("data", (b: Buffer) => {
          stderr += b.toString();
        });
        child.once("error", (err: NodeJS.ErrnoException) => {
          if (err.code === "ENOENT") python = false;
          reject(new Error(`python3 for the SMS_ATN ioctl: ${err.message}`));
        });
        child.once("exit", (code) =>
          code === 0
            ? resolve()
            : reject(new Error(`SMS_ATN ioctl failed: ${stderr.trim() || `exit ${code}`}`)),
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
};

function explainOpenError(path: string, err: unknown): string {
  const code = errorCode(err);
  switch (code) {
    case "EBUSY":
      return (
        `BT device ${path} is busy: bt-bmc allows one opener and another process has it open ` +
        "(OpenBMC's btbridged or another console?); stop it first"
      );
    case "ENOENT":
      return `BT device ${path} does not exist: is the bt-bmc driver (aspeed,ast2500-ibt-bmc) loaded and enabled in the device tree?`;
    case "EACCES":
    case "EPERM":
      return `no permission to open BT device ${path}: run as root or give this user read/write on it (a udev rule)`;
    default:
      return `cannot open BT device ${path}: ${errorText(err)}`;
  }
}

function errorCode(err: unknown): string {
  return typeof err === "object" && err !== null && "code" in err
    ? String((err as { code: unknown }).code)
    : "";
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
