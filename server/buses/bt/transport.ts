/**
 * What a BT bus needs from the thing that carries its frames: the Linux bt-bmc
 * device or the simulated host. Whole frames both ways; one response in the hardware
 * at a time. (A QEMU guest's BT interface is a VM bus: QEMU keeps the BT framing.)
 */
export interface BtTransport {
  /** For people: "simulated host at 10 msg/s". */
  readonly description: string;
  /** How long the host waits for an answer before it gives up, where the transport knows. */
  readonly hostTimeoutMs?: number;
  /** Frames from the host, whole. */
  onFrame(listener: (frame: Uint8Array) => void): void;
  /** "busy" while the host has not taken the previous response. */
  write(frame: Uint8Array): "sent" | "busy";
  /** The host took the response: write() will accept the next one. */
  onWritable(listener: () => void): void;
  open(): Promise<void>;
  close(): Promise<void>;
}
