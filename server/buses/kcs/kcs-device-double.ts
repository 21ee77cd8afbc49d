/**
 * A stand-in for the Linux kcs_bmc_cdev_ipmi device (/dev/ipmi-kcsN) with the driver's
 * semantics (drivers/char/ipmi/kcs_bmc_cdev_ipmi.c), for tests: the transport opens it
 * through `opener` as it opens the real device through fs, and a test plays the host.
 *
 * The driver's phases, as far as the BMC side can see them:
 *   idle -> (host WRITE_START..WRITE_END) writeDone -> (BMC read) waitRead
 *        -> (BMC write) read -> (host reads the last byte) idle
 * - One opener (`running`): a second open fails with EBUSY. Release clears `running` and
 *   force-aborts; a read parked on a closed file keeps the device until it returns.
 *   While nobody has it open, the host's transfers are force-aborted.
 * - read() waits for a whole request and returns it; a buffer shorter than the request
 *   force-aborts and fails with EOVERFLOW.
 * - write() needs 3..1000 bytes (EINVAL) and the waitRead phase (EINVAL otherwise: the host
 *   has not read the previous response, aborted, or started a new request). Never blocks.
 * - ioctl 0xB100 / 0xB101 set / clear SMS_ATN, 0xB102 force-aborts, others EINVAL.
 * - A new request from the host (WRITE_START) throws away whatever was in progress.
 */
import { errno } from "../device/char-device";
import { KCS_MSG_BUFSIZ } from "./kcs-codec";
import {
  IPMI_BMC_IOCTL_CLEAR_SMS_ATN,
  IPMI_BMC_IOCTL_FORCE_ABORT,
  IPMI_BMC_IOCTL_SET_SMS_ATN,
  type KcsDeviceFile,
  type KcsDeviceOpener,
} from "./kcs-device";

type Phase = "idle" | "writeDone" | "waitRead" | "read" | "error";

interface Reader {
  buffer: Uint8Array;
  resolve: (n: number) => void;
  reject: (e: Error) => void;
  handle: object;
}

export class KcsDeviceDouble {
  phase: Phase = "idle";
  smsAtn = false;
  private running = false;
  private dataIn: Uint8Array | undefined;
  private dataOut: Uint8Array | undefined;
  private readers: Reader[] = [];
  private hostReaders: ((f: Uint8Array) => void)[] = [];
  private readonly closedHandles = new WeakSet<object>();
  private failNextRead: string | undefined;
  readonly stats = { opens: 0, aborts: 0, refusedWrites: 0, responsesTaken: 0, ioctls: [] as number[] };

  constructor(readonly path = "/dev/ipmi-kcs3") {}

  readonly opener: KcsDeviceOpener = async (path) => {
    if (path !== this.path) throw errno("ENOENT", `no such file or directory, open '${path}'`);
    if (this.running) throw errno("EBUSY", `device or resource busy, open '${path}'`);
    this.running = true;
    this.stats.opens++;
    return this.file();
  };

  // ---- the host's side -----------------------------------------------------------

  /**
   * The host writes a whole request (WRITE_START, data, WRITE_END). False when the driver
   * aborted it: nobody has the device open, or it is longer than KCS_MSG_BUFSIZ.
   */
  hostSend(frame: Uint8Array | number[]): boolean {
    const f = Uint8Array.from(frame);
    // WRITE_START resets the transfer whatever phase it was in.
    this.dataOut = undefined;
    this.dataIn = undefined;
    if (!this.running || f.length > KCS_MSG_BUFSIZ) {
      this.forceAbort();
      return false;
    }
    this.dataIn = f;
    this.phase = "writeDone";
    const reader = this.readers.shift();
    if (reader) this.deliver(reader);
    return true;
  }

  /** The host reads the response byte by byte to the end (waiting for the first). */
  hostRead(timeoutMs = 2000): Promise<Uint8Array> {
    if (this.phase === "read") return Promise.resolve(this.take());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the BMC wrote no response")), timeoutMs);
      this.hostReaders.push((f) => {
        clearTimeout(timer);
        resolve(f);
      });
    });
  }

  /** The host's GET_STATUS/ABORT (after its 5 s OBF timeout): the pending exchange ends. */
  hostAbort(): void {
    this.dataIn = undefined;
    this.dataOut = undefined;
    this.phase = "error";
  }

  /** The BMC side fails the next read with this errno once. */
  injectReadError(code: string): void {
    this.failNextRead = code;
  }

  get isOpen(): boolean {
    return this.running;
  }

  // ---- the BMC's side ------------------------------------------------------------

  private file(): KcsDeviceFile {
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
        return new Promise((resolve, reject) => {
          const reader = { buffer, resolve, reject, handle };
          if (this.phase === "writeDone") this.deliver(reader);
          else this.readers.push(reader);
        });
      },
      write: async (frame) => {
        if (closed) throw errno("EBADF", "bad file descriptor");
        if (frame.length < 3 || frame.length > KCS_MSG_BUFSIZ) throw errno("EINVAL", "invalid argument");
        if (this.phase !== "waitRead") {
          this.stats.refusedWrites++;
          throw errno("EINVAL", "invalid argument");
        }
        this.phase = "read";
        this.dataOut = frame.slice();
        const reader = this.hostReaders.shift();
        if (reader) reader(this.take());
        return frame.length;
      },
      ioctl: async (request) => {
        if (closed) throw errno("EBADF", "bad file descriptor");
        this.stats.ioctls.push(request);
        if (request === IPMI_BMC_IOCTL_SET_SMS_ATN) this.smsAtn = true;
        else if (request === IPMI_BMC_IOCTL_CLEAR_SMS_ATN) this.smsAtn = false;
        else if (request === IPMI_BMC_IOCTL_FORCE_ABORT) this.forceAbort();
        else throw errno("EINVAL", "invalid argument");
      },
      close: async () => {
        if (closed) return;
        closed = true;
        this.closedHandles.add(handle);
        // A read parked on this file holds the kernel's file reference: release waits for it.
        if (!this.readers.some((r) => r.handle === handle)) this.release();
      },
    };
  }

  /** kcs_bmc_ipmi_read: copy the request out, or abort on a short buffer. */
  private deliver(reader: Reader): void {
    const data = this.dataIn!;
    if (reader.buffer.length < data.length) {
      this.forceAbort();
      reader.reject(errno("EOVERFLOW", "value too large for defined data type"));
    } else {
      reader.buffer.set(data);
      this.dataIn = undefined;
      this.phase = "waitRead";
      reader.resolve(data.length);
    }
    if (this.closedHandles.has(reader.handle)) this.release();
  }

  /** kcs_bmc_ipmi_release. */
  private release(): void {
    this.running = false;
    this.forceAbort();
  }

  /** kcs_bmc_ipmi_force_abort. */
  private forceAbort(): void {
    this.stats.aborts++;
    this.phase = "error";
    this.dataIn = undefined;
  }

  private take(): Uint8Array {
    const f = this.dataOut!;
    this.dataOut = undefined;
    this.phase = "idle";
    this.stats.responsesTaken++;
    return f;
  }
}
