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
  /** For people: "QEMU serial (listening on 127.0.0.1:9004, guest connected)". */
  readonly description: string;
  /** up: bytes flow; waiting: open, no host on the other end yet; down: not open. */
  readonly state: HostLineState;
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
  stream.setHostState(transport.state);
  return () => {
    offData();
    offState();
    stream.setInput(undefined);
    stream.setHostState("down");
  };
}
