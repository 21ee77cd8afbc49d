/**
 * A stand-in for the Linux bt-bmc device (/dev/ipmi-bt-host) with the driver's
 * semantics, for tests: the transport opens it through `opener` exactly as it opens
 * the real device through fs, and a test plays the host on the other side.
 *
 * - One opener: a second open fails with EBUSY. As with the real driver, the device
 *   stays busy after close() while a read is still parked on it, until that read
 *   returns (it then takes the host's next request with it).
 * - read() waits for a request and returns it whole (cut to the buffer, as bt-bmc does).
 * - write() needs at least 5 bytes (else EINVAL), waits while the previous response
 *   is still in the hardware, then puts its response there and returns.
 * - setSmsAttention() sets SMS_ATN; the host clears it.
 */
import type { BtDeviceFile, BtDeviceOpener } from "./device-transport";

function errno(code: string, message: string): Error {
  return Object.assign(new Error(`${code}: ${message}`), { code });
}

interface Waiter<T> {
  resolve: (v: T) => void;
}

export class BtDeviceDouble {
  /** Requests the host wrote that the BMC has not read. */
  private requests: Uint8Array[] = [];
  private readers: { buffer: Uint8Array; resolve: (n: number) => void; file: object }[] = [];
  /** The response in the hardware, not yet read by the host. */
  private held: Uint8Array | undefined;
  private writers: Waiter<void>[] = [];
  private hostReaders: Waiter<Uint8Array>[] = [];
  private readonly closedHandles = new WeakSet<object>();
  private openFiles = 0;
  private parkedReads = 0;
  private failNextRead: string | undefined;
  private failNextWrite: string | undefined;
  smsAtn = false;
  readonly stats = { opens: 0, writesInFlight: 0, maxWritesInFlight: 0, responsesTaken: 0 };

  constructor(readonly path = "/dev/ipmi-bt-host") {}

  readonly opener: BtDeviceOpener = async (path) => {
    if (path !== this.path) throw errno("ENOENT", `no such file or directory, open '${path}'`);
    if (this.openFiles > 0 || this.parkedReads > 0)
      throw errno("EBUSY", `device or resource busy, open '${path}'`);
    this.openFiles++;
    this.stats.opens++;
    return this.file();
  };

  // ---- the host's side -----------------------------------------------------------

  /** The host writes a request and raises H2B_ATN. */
  hostSend(frame: Uint8Array | number[]): void {
    const f = Uint8Array.from(frame);
    const reader = this.readers.shift();
    if (reader) this.deliver(reader, f);
    else this.requests.push(f);
  }

  /** The host reads the response in the hardware (waiting for one), which frees it for the next. */
  hostRead(timeoutMs = 2000): Promise<Uint8Array> {
    if (this.held) return Promise.resolve(this.take());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the BMC wrote no response")), timeoutMs);
      this.hostReaders.push({
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  /** A response is waiting in the hardware. */
  get holding(): boolean {
    return this.held !== undefined;
  }

  /** Writes waiting for the host to take the held response. */
  get blockedWrites(): number {
    return this.writers.length;
  }

  hostClearSmsAtn(): void {
    this.smsAtn = false;
  }

  /** The next read (or write) on the BMC side fails with this errno once. */
  injectReadError(code: string): void {
    this.failNextRead = code;
  }

  injectWriteError(code: string): void {
    this.failNextWrite = code;
  }

  // ---- the BMC's side ------------------------------------------------------------

  private file(): BtDeviceFile {
    const handle = {};
    let closed = false;
    return {
      read: (buffer) => {
        if (closed) return Promise.reject(errno("EBADF", "bad file descriptor"));
        if (this.failNextRead) {
          const code = this.failNextRead;
          this.failNextRead = undefined;
          return Promise.reject(errno(code, "read failed"));
        }
        const next = this.requests.shift();
        if (next) {
          buffer.set(next.subarray(0, buffer.length));
          return Promise.resolve(Math.min(next.length, buffer.length));
        }
        return new Promise((resolve) => this.readers.push({ buffer, resolve, file: handle }));
      },
      write: async (frame) => {
        if (closed) throw errno("EBADF", "bad file descriptor");
        if (frame.length < 5) throw errno("EINVAL", "invalid argument");
        if (this.failNextWrite) {
          const code = this.failNextWrite;
          this.failNextWrite = undefined;
          throw errno(code, "write failed");
        }
        this.stats.writesInFlight++;
        this.stats.maxWritesInFlight = Math.max(this.stats.maxWritesInFlight, this.stats.writesInFlight);
        try {
          while (this.held) await new Promise<void>((resolve) => this.writers.push({ resolve }));
          this.held = frame.slice();
        } finally {
          this.stats.writesInFlight--;
        }
        const reader = this.hostReaders.shift();
        if (reader) reader.resolve(this.take());
        return frame.length;
      },
      setSmsAttention: async () => {
        if (closed) throw errno("EBADF", "bad file descriptor");
        this.smsAtn = true;
      },
      close: async () => {
        if (closed) return;
        closed = true;
        this.openFiles--;
        this.closedHandles.add(handle);
        // Reads parked on this file keep the device (like the kernel's file reference).
        for (const r of this.readers) if (r.file === handle) this.parkedReads++;
      },
    };
  }

  private deliver(reader: { buffer: Uint8Array; resolve: (n: number) => void; file: object }, f: Uint8Array) {
    reader.buffer.set(f.subarray(0, reader.buffer.length));
    reader.resolve(Math.min(f.length, reader.buffer.length));
    if (this.closedHandles.has(reader.file)) this.parkedReads--;
  }

  private take(): Uint8Array {
    const f = this.held!;
    this.held = undefined;
    this.stats.responsesTaken++;
    this.writers.shift()?.resolve();
    return f;
  }
}
