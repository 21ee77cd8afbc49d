/**
 * A stand-in for the Linux ssif_bmc device (/dev/ipmi-ssif-host) with the driver's
 * semantics (drivers/char/ipmi/ssif_bmc.c), for tests; a test plays the host.
 * - One opener (`running`): a second open fails with EBUSY. Release only clears `running`
 *   (requests still arrive while nobody has it open); a read parked on a closed file keeps
 *   the device until it returns.
 * - The host's request (reassembled if multi-part): a longer one than 254 bytes is aborted.
 *   A new request ends a response still being read. While the driver is busy (a request
 *   waiting for its answer), the slave callback answers -EBUSY: the host's transfer is
 *   NACKed. handle_request arms RESPONSE_TIMEOUT (500 ms); when it fires with no response
 *   in progress the driver stops being busy and drops the exchange.
 * - read() waits for a request; a buffer shorter than 4 + len fails with EINVAL; it returns
 *   4 + len bytes. One request is held: a newer one replaces an unread one.
 * - write(): count 4..260, len 1..254 and count >= 4 + len (EINVAL otherwise); waits while
 *   a response is in progress; EINVAL when no request waits for an answer (timer not armed).
 * - No ioctl.
 */
import { errno } from "../device/char-device";
import { SSIF_LEN_FIELD, SSIF_MSG_SIZE, SSIF_PAYLOAD_MAX, unwrapSsif, wrap } from "./ssif-codec";
import type { SsifDeviceFile, SsifDeviceOpener } from "./ssif-device";

interface Reader {
  buffer: Uint8Array;
  resolve: (n: number) => void;
  reject: (e: Error) => void;
  handle: object;
}

export class SsifDeviceDouble {
  private running = false;
  private request: Uint8Array | undefined;
  private requestAvailable = false;
  private response: Uint8Array | undefined;
  private responseInProgress = false;
  private timerArmed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private busy = false;
  private aborting = false;
  private readers: Reader[] = [];
  private writers: (() => void)[] = [];
  private hostReaders: ((f: Uint8Array) => void)[] = [];
  private readonly closedHandles = new WeakSet<object>();
  readonly stats = { opens: 0, refusedWrites: 0, responsesTaken: 0, nacked: 0, writesInFlight: 0 };

  /**
   * `responseTimeoutMs` null: the driver's 500 ms timer is not started by itself; a test
   * fires it with fireResponseTimer() (no sleeping in tests).
   */
  constructor(
    readonly path = "/dev/ipmi-ssif-host",
    private readonly responseTimeoutMs: number | null = null,
  ) {}

  readonly opener: SsifDeviceOpener = async (path) => {
    if (path !== this.path) throw errno("ENOENT", `no such file or directory, open '${path}'`);
    if (this.running) throw errno("EBUSY", `device or resource busy, open '${path}'`);
    this.running = true;
    this.stats.opens++;
    return this.file();
  };

  // ---- the host's side -----------------------------------------------------------

  /**
   * The host writes a whole request message [netfn<<2|lun, cmd, data...]. False when the
   * driver NACKed it (busy) or aborted it (longer than 254 bytes).
   */
  hostSend(message: Uint8Array | number[]): boolean {
    const m = Uint8Array.from(message);
    if (this.busy && !this.aborting) {
      this.stats.nacked++;
      return false;
    }
    // process_smbus_cmd: a new write start ends a response the host did not finish reading.
    if (this.responseInProgress) this.completeResponse();
    this.aborting = false;
    if (m.length > SSIF_PAYLOAD_MAX) {
      this.aborting = true;
      return false;
    }
    // handle_request
    this.request = m;
    this.busy = true;
    this.requestAvailable = true;
    this.response = undefined;
    this.timerArmed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.responseTimeoutMs !== null) {
      this.timer = setTimeout(() => this.fireResponseTimer(), this.responseTimeoutMs);
      this.timer.unref?.();
    }
    const reader = this.readers.shift();
    if (reader) this.deliver(reader);
    return true;
  }

  /** The host reads the response (retrying while the BMC is busy); waits for one. */
  hostRead(timeoutMs = 2000): Promise<Uint8Array> {
    if (this.responseInProgress) return Promise.resolve(this.take());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the BMC wrote no response")), timeoutMs);
      this.hostReaders.push((f) => {
        clearTimeout(timer);
        resolve(f);
      });
    });
  }

  /** ssif_bmc's response_timeout(): RESPONSE_TIMEOUT passed without a response. */
  fireResponseTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.responseInProgress) return;
    this.busy = false;
    this.timerArmed = false;
    this.aborting = true;
  }

  get isOpen(): boolean {
    return this.running;
  }

  get isBusy(): boolean {
    return this.busy;
  }

  /** A response is waiting for the host to read it. */
  get holding(): boolean {
    return this.responseInProgress;
  }

  /** Writes waiting for the host to finish reading the previous response. */
  get blockedWrites(): number {
    return this.writers.length;
  }

  // ---- the BMC's side ------------------------------------------------------------

  private file(): SsifDeviceFile {
    const handle = {};
    let closed = false;
    return {
      read: (buffer) => {
        if (closed) return Promise.reject(errno("EBADF", "bad file descriptor"));
        return new Promise((resolve, reject) => {
          const reader = { buffer, resolve, reject, handle };
          if (this.requestAvailable) this.deliver(reader);
          else this.readers.push(reader);
        });
      },
      write: async (frame) => {
        if (closed) throw errno("EBADF", "bad file descriptor");
        if (frame.length < SSIF_LEN_FIELD || frame.length > SSIF_MSG_SIZE)
          throw errno("EINVAL", "invalid argument");
        const payload = unwrapSsif(frame);
        if (!(payload instanceof Uint8Array)) throw errno("EINVAL", "invalid argument");
        this.stats.writesInFlight++;
        try {
          while (this.responseInProgress) await new Promise<void>((resolve) => this.writers.push(resolve));
        } finally {
          this.stats.writesInFlight--;
        }
        if (!this.timerArmed) {
          this.stats.refusedWrites++;
          throw errno("EINVAL", "invalid argument");
        }
        if (this.timer) clearTimeout(this.timer);
        this.timer = undefined;
        this.timerArmed = false;
        this.response = payload.slice();
        this.responseInProgress = true;
        this.busy = false;
        this.request = undefined;
        const reader = this.hostReaders.shift();
        if (reader) reader(this.take());
        return frame.length;
      },
      close: async () => {
        if (closed) return;
        closed = true;
        this.closedHandles.add(handle);
        if (!this.readers.some((r) => r.handle === handle)) this.running = false;
      },
    };
  }

  private deliver(reader: Reader): void {
    const record = wrap(this.request!);
    if (reader.buffer.length < record.length) {
      // ssif_bmc_read: EINVAL, and the request stays available.
      reader.reject(errno("EINVAL", "invalid argument"));
    } else {
      reader.buffer.set(record);
      this.requestAvailable = false;
      reader.resolve(record.length);
    }
    if (this.closedHandles.has(reader.handle)) this.running = false;
  }

  /** complete_response: the host has read the whole response. */
  private completeResponse(): void {
    this.response = undefined;
    this.responseInProgress = false;
    this.busy = false;
    for (const w of this.writers.splice(0)) w();
  }

  private take(): Uint8Array {
    const f = this.response!;
    this.stats.responsesTaken++;
    this.completeResponse();
    return f;
  }
}
