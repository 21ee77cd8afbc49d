/**
 * What an IPMB bus needs from the thing that carries its frames: the Linux ipmb_dev_int
 * device (/dev/ipmb-N) or the simulated satellite. Frames are whole IPMB messages from
 * the address byte on (server/ipmi/ipmb/ipmb-frame.ts), both ways.
 */
export interface IpmbTransport {
  /** For people: "Linux ipmb_dev_int device /dev/ipmb-0". */
  readonly description: string;
  /** Frames other controllers sent to this one (requests to it, responses to its requests). */
  onFrame(listener: (frame: Uint8Array) => void): void;
  /**
   * Puts one frame on the bus. Resolves when the transfer is done; rejects with an Error
   * whose `code` is the errno the I2C core gave: ENXIO when no device acknowledged the
   * address (a NAK), EAGAIN when arbitration was lost, EIO/ETIMEDOUT for a bus error
   * (Linux Documentation/i2c/fault-codes.rst).
   */
  write(frame: Uint8Array): Promise<void>;
  open(): Promise<void>;
  close(): Promise<void>;
}

/** The errno of a failed write, as IpmbTransport.write rejects with it; the helpers every device shares. */
export { errno as errnoError, errorCode, errorText } from "../device/char-device";
