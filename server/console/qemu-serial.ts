/**
 * A QEMU guest's serial port as the host's console line. We listen on a TCP address and
 * QEMU connects as the client of a socket chardev:
 *
 *   -chardev socket,id=serial0,host=127.0.0.1,port=9004,reconnect=1 -serial chardev:serial0
 *
 * (or `-device isa-serial,chardev=serial0`; QEMU 9.2 and later spell the retry
 * `reconnect-ms=1000`). QEMU dials rather than listens so the guest boots whether or not
 * the server is up, and redials every second after the server restarts; the server never
 * has to find QEMU. Bytes are raw both ways: the chardev is not in telnet mode, so nothing
 * is escaped and there is no break signal.
 *
 * One connection at a time: a second one replaces the first, because that is what a QEMU
 * restart looks like when the old connection's close has not reached us yet.
 */
import net from "node:net";
import type { HostLineState } from "./console-stream";
import { NO_SERIAL_LOG, SerialLineEvents, type SerialLog, type SerialTransport } from "./transport";

export interface QemuSerialOptions {
  host: string;
  /** 0: any free port (see `address` once open). */
  port: number;
  log?: SerialLog;
}

export class QemuSerialTransport extends SerialLineEvents implements SerialTransport {
  private readonly log: SerialLog;
  private server: net.Server | undefined;
  private socket: net.Socket | undefined;
  private bound: { host: string; port: number } | undefined;
  /** Guest connections accepted since open. */
  connections = 0;

  constructor(private readonly options: QemuSerialOptions) {
    super();
    this.log = options.log ?? NO_SERIAL_LOG;
  }

  /** Where we listen, once open. */
  get address(): { host: string; port: number } | undefined {
    return this.bound;
  }

  get state(): HostLineState {
    if (!this.server) return "down";
    return this.socket ? "up" : "waiting";
  }

  /** "QEMU serial (chardev socket, listening on 127.0.0.1:9004, guest connected)". */
  get description(): string {
    const where = this.bound ?? { host: this.options.host, port: this.options.port };
    const endpoint = `${where.host.includes(":") ? `[${where.host}]` : where.host}:${where.port}`;
    const state = !this.server ? "closed" : this.socket ? "guest connected" : "no guest connected";
    return `QEMU serial (chardev socket, listening on ${endpoint}, ${state})`;
  }

  async open(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        reject(
          new Error(
            err.code === "EADDRINUSE"
              ? `HOST_SERIAL ${this.options.host}:${this.options.port} is already in use (another console, or QEMU listening there itself: its chardev must not say server=on)`
              : `cannot listen for QEMU's serial port on ${this.options.host}:${this.options.port}: ${err.message}`,
          ),
        );
      };
      server.once("error", onError);
      server.listen(this.options.port, this.options.host, () => {
        server.off("error", onError);
        server.on("error", (err) => this.log.warn(`QEMU serial listener: ${err.message}`));
        const a = server.address();
        this.bound =
          typeof a === "object" && a
            ? { host: a.address, port: a.port }
            : { host: this.options.host, port: this.options.port };
        this.server = server;
        resolve();
      });
    });
    this.log.info(`waiting for QEMU's serial chardev on ${this.bound?.host}:${this.bound?.port}`);
    this.changed();
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    this.changed();
  }

  write(bytes: Uint8Array): boolean {
    const socket = this.socket;
    if (!socket || socket.destroyed) return false;
    // Typing is small; the socket buffers whatever the guest has not read yet.
    socket.write(bytes);
    return true;
  }

  private accept(socket: net.Socket): void {
    if (!this.server) {
      socket.destroy();
      return;
    }
    const old = this.socket;
    if (old) {
      this.log.info("QEMU serial connected again; dropping the previous connection");
      old.destroy();
    }
    this.socket = socket;
    this.connections++;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      if (this.socket !== socket) return;
      this.emitData(chunk);
    });
    socket.on("error", (err) => {
      if (this.socket === socket) this.log.warn(`QEMU serial connection: ${err.message}`);
    });
    socket.on("close", () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.log.info("QEMU serial disconnected");
      this.changed();
    });
    this.log.info(`QEMU serial connected from ${socket.remoteAddress}:${socket.remotePort}`);
    // A replaced connection stays "up": no event for the switch itself.
    if (!old) this.changed();
  }
}
