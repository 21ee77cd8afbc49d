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
import {
  CharDeviceLink,
  type DeviceLog,
  errorText,
  explainOpenError,
  ioNone,
  NO_LOG,
  openCharDevice,
} from "../device/char-device";
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

export type DeviceTransportLog = DeviceLog;

export interface DeviceTransportOptions {
  path: string;
  /** How to open the device; Node's fs by default. */
  open?: BtDeviceOpener;
  /** How long the host waits for an answer before it gives up and retries. */
  hostTimeoutMs?: number;
  log?: DeviceTransportLog;
  now?: () => number;
}

export type { CharDeviceStats as DeviceTransportStats } from "../device/char-device";

/** bt-bmc's own buffer: a length byte and up to 255 bytes after it. */
const BT_BUFFER = 256;

export class BtDeviceTransport implements BtTransport {
  private attentionWarned = false;
  /** The shared char-device mechanics (server/buses/device/char-device.ts); keyed by BT seq. */
  private readonly link: CharDeviceLink<BtDeviceFile>;
  readonly hostTimeoutMs: number;
  private readonly log: DeviceTransportLog;

  constructor(private readonly options: DeviceTransportOptions) {
    this.hostTimeoutMs = options.hostTimeoutMs ?? 5000;
    this.log = options.log ?? NO_LOG;
    this.link = new CharDeviceLink<BtDeviceFile>({
      path: options.path,
      open: options.open ?? openBtDevice,
      name: "BT",
      readBufferSize: BT_BUFFER,
      hostTimeoutMs: this.hostTimeoutMs,
      oneRequestAtATime: false,
      explainOpenError: explainBtOpenError,
      describeKey: (seq) => `seq ${seq}`,
      log: this.log,
      ...(options.now ? { now: options.now } : {}),
    });
    this.link.keyOf = (frame) => (frame.length >= 3 ? frame[2]! : undefined);
  }

  get stats() {
    return this.link.stats;
  }

  get description(): string {
    return `Linux bt-bmc device ${this.options.path}${this.link.isOpen ? "" : " (closed)"}`;
  }

  onFrame(listener: (frame: Uint8Array) => void): void {
    this.link.onMessage((frame) => listener(frame));
  }

  onWritable(listener: () => void): void {
    this.link.onWritable(listener);
  }

  open(): Promise<void> {
    return this.link.open();
  }

  /**
   * Stops reading and closes the device. A read still waiting for the host stays
   * parked on its pool thread until the host sends something (bt-bmc cannot be woken
   * otherwise); its frame is then discarded.
   */
  close(): Promise<void> {
    return this.link.close();
  }

  write(frame: Uint8Array): "sent" | "busy" {
    this.link.requireOpen();
    if (frame.length < BT_RESPONSE_HEADER)
      throw new Error(`a BT response has at least 5 bytes, got ${frame.length}`);
    return this.link.write(frame, frame[2]!);
  }

  /**
   * Tells the host the BMC has a message for it (SMS_ATN). Only setting is possible:
   * the host clears the bit when it reads the message flags.
   */
  setAttention(pending: boolean): void {
    if (!pending) return;
    const file = this.link.openFile;
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
}

// ---- Node's fs on the real device ------------------------------------------------

/** bt-bmc's BT_BMC_IOCTL_SMS_ATN: _IO(0xb1, 0x00) = 0xb100. */
const BT_BMC_IOCTL_SMS_ATN = ioNone(0xb1, 0x00);

/**
 * Opens the device with Node's fs (the thread pool does the blocking calls). SMS_ATN
 * needs an ioctl, which Node cannot make: where python3 exists, a short-lived python3
 * inherits our descriptor and makes it (server/buses/device/char-device.ts). Where
 * python3 is missing, SMS_ATN is not set.
 */
export const openBtDevice: BtDeviceOpener = async (path) => {
  const file = await openCharDevice(path);
  return {
    read: (buffer) => file.read(buffer),
    write: (frame) => file.write(frame),
    setSmsAttention: () => file.ioctl(BT_BMC_IOCTL_SMS_ATN),
    close: () => file.close(),
  };
};

function explainBtOpenError(path: string, err: unknown): string {
  return explainOpenError(path, err, {
    what: "BT device",
    holders:
      "bt-bmc allows one opener and another process has it open (OpenBMC's btbridged or another console?)",
    missing: "is the bt-bmc driver (aspeed,ast2500-ibt-bmc) loaded and enabled in the device tree?",
  });
}
