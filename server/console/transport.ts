/**
 * The host's side of its serial line, however it is carried: a QEMU guest's serial chardev
 * on a TCP socket we listen on (qemu-serial.ts), or a BMC's tty device such as the ASPEED
 * virtual UART (tty-serial.ts). Raw bytes both ways; no framing, no flow control.
 */
import type { ConsoleStream, HostLineState } from "./console-stream";

export interface SerialTransport {
  open(): Promise<void>;
  close(): Promise<void>;
  /** Bytes from the host, as they arrive. Answers the unsubscribe. */
  onData(listener: (bytes: Uint8Array) => void): () => void;
  /** The line's state changed. Answers the unsubscribe. */
  onState(listener: (state: HostLineState) => void): () => void;
  /** Bytes to the host; false when they went nowhere (no host connected, line closed). */
  write(bytes: Uint8Array): boolean;
  /**
   * A break condition on the line (SOL's "generate break", IPMI 2.0 table 15-2), for the
   * host's SysRq or a boot loader's break-to-menu. Absent where the carrier has none.
   */
  sendBreak?(): Promise<boolean>;
  /** For people: "QEMU serial (listening on 127.0.0.1:9004, guest connected)". */
  readonly description: string;
  /** up: bytes flow; waiting: open, no host on the other end yet; down: not open. */
  readonly state: HostLineState;
}

/**
 * What the transports share: their listeners, and a state event only when the state really
 * changed (a replaced QEMU connection, a reopened tty, stays "up" without one).
 */
export abstract class SerialLineEvents {
  private readonly dataListeners = new Set<(bytes: Uint8Array) => void>();
  private readonly stateListeners = new Set<(state: HostLineState) => void>();
  private lastState: HostLineState = "down";

  abstract get state(): HostLineState;

  onData(listener: (bytes: Uint8Array) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onState(listener: (state: HostLineState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  protected emitData(bytes: Uint8Array): void {
    for (const l of this.dataListeners) l(bytes);
  }

  /** Tells the listeners the state, if it is not the one they heard last. */
  protected changed(): void {
    const state = this.state;
    if (state === this.lastState) return;
    this.lastState = state;
    for (const l of this.stateListeners) l(state);
  }
}

export interface SerialLog {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
}

export const NO_SERIAL_LOG: SerialLog = { debug() {}, info() {}, warn() {} };

/** Feeds the host's output into the stream and the stream's input to the host. Answers the undo. */
export function connectConsole(stream: ConsoleStream, transport: SerialTransport): () => void {
  const offData = transport.onData((bytes) => stream.hostOutput(bytes));
  const offState = transport.onState((state) => stream.setHostState(state));
  stream.setInput((bytes) => transport.write(bytes));
  stream.setBreak(transport.sendBreak ? () => transport.sendBreak!() : undefined);
  stream.setHostState(transport.state);
  return () => {
    offData();
    offState();
    stream.setInput(undefined);
    stream.setBreak(undefined);
    stream.setHostState("down");
  };
}
