/**
 * A system-interface transport on a Linux BMC character device that holds one request at
 * a time and carries no sequence number: kcs_bmc_cdev_ipmi (/dev/ipmi-kcsN) and ssif_bmc
 * (/dev/ipmi-ssif-host). Each request read gets a key (a counter) that the bus hands back
 * with the response; a response whose request was superseded by a newer one, or whose host
 * has given up, is dropped (counted in stats.dropped, logged) instead of being taken by the
 * host for the answer to its newer request. Mechanics: ./char-device.ts.
 */
import {
  type CharDeviceFile,
  CharDeviceLink,
  type DeviceLog,
  explainOpenError,
  type OpenErrorHints,
} from "./char-device";

export interface SiTransport {
  /** For people: "Linux kcs_bmc device /dev/ipmi-kcs3". */
  readonly description: string;
  /** How long the host waits for an answer (the bus's hostTimeoutMs). */
  readonly hostTimeoutMs?: number;
  /** Requests from the host, whole, each with the key to hand back to write(). */
  onMessage(listener: (frame: Uint8Array, key: number) => void): void;
  /** "busy" while the previous response is still being written. */
  write(frame: Uint8Array, key: number | undefined): "sent" | "busy";
  onWritable(listener: () => void): void;
  open(): Promise<void>;
  close(): Promise<void>;
}

export interface SiDeviceTransportOptions<F extends CharDeviceFile> {
  path: string;
  open: (path: string) => Promise<F>;
  hostTimeoutMs: number;
  log?: DeviceLog;
  now?: () => number;
}

export interface SiDeviceProfile {
  /** "KCS", "SSIF". */
  name: string;
  /** "kcs_bmc", "ssif_bmc": the driver, for the description. */
  driver: string;
  readBufferSize: number;
  /** The sizes the driver's write() takes; anything else is a caller bug. */
  minWrite: number;
  maxWrite: number;
  openHints: Omit<OpenErrorHints, "what">;
}

export class SiDeviceTransport<F extends CharDeviceFile> implements SiTransport {
  protected readonly link: CharDeviceLink<F>;
  private nextKey = 1;
  readonly hostTimeoutMs: number;

  constructor(
    protected readonly profile: SiDeviceProfile,
    protected readonly options: SiDeviceTransportOptions<F>,
  ) {
    this.hostTimeoutMs = options.hostTimeoutMs;
    this.link = new CharDeviceLink<F>({
      path: options.path,
      open: options.open,
      name: profile.name,
      readBufferSize: profile.readBufferSize,
      hostTimeoutMs: options.hostTimeoutMs,
      oneRequestAtATime: true,
      explainOpenError: (path, err) =>
        explainOpenError(path, err, { what: `${profile.name} device`, ...profile.openHints }),
      describeKey: (key) => `request ${key}`,
      ...(options.log ? { log: options.log } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    this.link.keyOf = () => {
      const key = this.nextKey;
      this.nextKey = (this.nextKey % 0x7fffffff) + 1;
      return key;
    };
  }

  get stats() {
    return this.link.stats;
  }

  get description(): string {
    return `Linux ${this.profile.driver} device ${this.options.path}${this.link.isOpen ? "" : " (closed)"}`;
  }

  onMessage(listener: (frame: Uint8Array, key: number) => void): void {
    this.link.onMessage((frame, key) => listener(frame, key ?? 0));
  }

  onWritable(listener: () => void): void {
    this.link.onWritable(listener);
  }

  open(): Promise<void> {
    return this.link.open();
  }

  /** Closes at once; a read parked in the driver keeps the device open until the host sends again. */
  close(): Promise<void> {
    return this.link.close();
  }

  write(frame: Uint8Array, key: number | undefined): "sent" | "busy" {
    this.link.requireOpen();
    if (frame.length < this.profile.minWrite || frame.length > this.profile.maxWrite)
      throw new Error(
        `a ${this.profile.name} response is ${this.profile.minWrite} to ${this.profile.maxWrite} bytes, got ${frame.length}`,
      );
    return this.link.write(frame, key);
  }
}
