/**
 * A tty device as the host's console line: on a real BMC, the UART the host's serial port
 * is wired to, usually the ASPEED virtual UART (/dev/ttyVUART0, drivers/tty/serial/8250/
 * 8250_aspeed_vuart.c), whose host side is the host's COM port.
 *
 * The line is set up by running `stty -F <dev> <baud> raw -echo clocal` before opening it:
 * Node has no termios binding (tty.ReadStream.setRawMode is libuv's raw mode, which keeps
 * output post-processing, "\n" -> "\r\n", and cannot set the speed), and a console must
 * pass bytes through untouched both ways at the rate the host's side uses. `raw` clears
 * ICANON/ISIG/ICRNL/IXON/OPOST (no line editing, no ^C signal, no CR/LF mapping, no XON/XOFF
 * eating ^S/^Q), `-echo` keeps the device from echoing the host's output back to it, and
 * `clocal` ignores the modem lines (a virtual UART has no carrier to wait for or lose).
 *
 * Then the device is opened O_NOCTTY (it must not become our controlling terminal) and
 * O_NONBLOCK, and read and written through a tty.ReadStream: libuv polls the tty like a
 * socket, so no thread-pool thread waits on a read that may never come (the host may print
 * nothing for hours), and close() does not hang on one.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import tty from "node:tty";
import type { HostLineState } from "./console-stream";
import { NO_SERIAL_LOG, SerialLineEvents, type SerialLog, type SerialTransport } from "./transport";

export interface TtySerialOptions {
  path: string;
  baud: number;
  log?: SerialLog;
  /** The stty program (default "stty" on PATH). */
  stty?: string;
  /** The program that sends a break on its stdin's line (tests replace it). */
  breakCommand?: string[];
  /** How long stty may take (a wedged driver must not hang start). */
  sttyTimeoutMs?: number;
}

/** Runs stty on the device; rejects with its message when it fails. */
export function configureLine(
  path: string,
  baud: number,
  options: { stty?: string; timeoutMs?: number } = {},
): Promise<void> {
  const args = ["-F", path, String(baud), "raw", "-echo", "clocal"];
  return new Promise((resolve, reject) => {
    const child = spawn(options.stty ?? "stty", args, {
      stdio: ["ignore", "ignore", "pipe"],
      timeout: options.timeoutMs ?? 5000,
    });
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (d: string) => {
      stderr += d;
    });
    child.once("error", (err) => reject(new Error(`cannot run stty for ${path}: ${err.message}`)));
    child.once("close", (code, signal) => {
      if (code === 0) resolve();
      else {
        const why = stderr.trim() || (signal ? `killed by ${signal}` : `exit code ${code}`);
        reject(new Error(`cannot set ${path} to ${baud} baud raw: ${why}`));
      }
    });
  });
}

const BREAK_SCRIPT =
  "import os, sys, termios; termios.tcsendbreak(os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK), 0)";

export class TtySerialTransport extends SerialLineEvents implements SerialTransport {
  private readonly log: SerialLog;
  private stream: tty.ReadStream | undefined;

  constructor(private readonly options: TtySerialOptions) {
    super();
    this.log = options.log ?? NO_SERIAL_LOG;
  }

  get state(): HostLineState {
    return this.stream ? "up" : "down";
  }

  /** "tty /dev/ttyVUART0 at 115200 baud (open)". */
  get description(): string {
    return `tty ${this.options.path} at ${this.options.baud} baud (${this.stream ? "open" : "closed"})`;
  }

  async open(): Promise<void> {
    if (this.stream) return;
    const { path, baud } = this.options;
    await configureLine(path, baud, { stty: this.options.stty, timeoutMs: this.options.sttyTimeoutMs });
    const fd = await new Promise<number>((resolve, reject) => {
      const { O_RDWR, O_NOCTTY, O_NONBLOCK } = fs.constants;
      fs.open(path, O_RDWR | O_NOCTTY | O_NONBLOCK, (err, fd) =>
        err ? reject(new Error(`cannot open ${path}: ${err.message}`)) : resolve(fd),
      );
    });
    if (!tty.isatty(fd)) {
      fs.closeSync(fd);
      throw new Error(`${path} is not a tty`);
    }
    const stream = new tty.ReadStream(fd);
    this.stream = stream;
    stream.on("data", (chunk: Buffer) => {
      if (this.stream !== stream) return;
      this.emitData(chunk);
    });
    stream.on("error", (err) => {
      if (this.stream === stream) this.log.warn(`${path}: ${err.message}`);
    });
    stream.on("close", () => {
      if (this.stream !== stream) return;
      // The device went away (EIO from a removed USB adapter, an unbound driver).
      this.stream = undefined;
      this.log.warn(`${path} closed`);
      this.changed();
    });
    this.log.info(`host serial console on ${path} at ${baud} baud`);
    this.changed();
  }

  async close(): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    this.stream = undefined;
    await new Promise<void>((resolve) => {
      stream.once("close", () => resolve());
      stream.destroy();
    });
    this.changed();
  }

  /**
   * tcsendbreak(3) on the line: Node has no binding for it, so python3's termios does it on
   * a descriptor of its own (a break is the line's, not a descriptor's; 0 = the driver's
   * default, 0.25-0.5 s). The device path is its last argument.
   */
  sendBreak(): Promise<boolean> {
    const stream = this.stream;
    if (!stream || stream.destroyed) return Promise.resolve(false);
    const [cmd, ...args] = this.options.breakCommand ?? ["python3", "-c", BREAK_SCRIPT];
    return new Promise((resolve) => {
      const child = spawn(cmd!, [...args, this.options.path], { stdio: ["ignore", "ignore", "pipe"] });
      let err = "";
      child.stderr?.on("data", (b: Buffer) => {
        err += b.toString();
      });
      child.once("error", (e) => {
        this.log.warn(`${this.options.path}: no break sent: ${e.message}`);
        resolve(false);
      });
      child.once("exit", (code) => {
        if (code !== 0) this.log.warn(`${this.options.path}: no break sent: ${err.trim() || `exit ${code}`}`);
        resolve(code === 0);
      });
    });
  }

  write(bytes: Uint8Array): boolean {
    const stream = this.stream;
    if (!stream || stream.destroyed) return false;
    stream.write(bytes);
    return true;
  }
}
