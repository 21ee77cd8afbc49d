/**
 * Watches a QEMU's QMP socket (its JSON machine protocol) for machine events. The VM
 * protocol has a RESET notice, but QEMU 7.2's ipmi-bmc-extern never sends it (measured:
 * a system_reset raises QMP RESET events and nothing on the chardev), so this is how
 * the BMC learns that the host machine reset. QEMU side:
 *   -qmp unix:/path/qmp.sock,server=on,wait=off    (or tcp:127.0.0.1:PORT,server=on,wait=off)
 * We connect, accept the greeting with qmp_capabilities, and read events; we reconnect
 * whenever QEMU goes away.
 */
import net from "node:net";

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
}

export interface QmpWatchOptions {
  /** "unix:/path/qmp.sock" or "host:port". */
  address: string;
  reconnectMs?: number;
  onEvent(event: QmpEvent): void;
  onConnection?(connected: boolean): void;
  log?: { debug(msg: string): void; info(msg: string): void; warn(msg: string): void };
}

export function parseQmpAddress(address: string): net.NetConnectOpts {
  if (address.startsWith("unix:")) return { path: address.slice("unix:".length) };
  const colon = address.lastIndexOf(":");
  const port = Number(address.slice(colon + 1));
  let host = address.slice(0, colon).replace(/^tcp:/, "");
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  if (colon <= 0 || !host || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new Error(`QMP address '${address}' is neither unix:/path nor host:port`);
  }
  return { host, port };
}

export class QmpWatch {
  private socket: net.Socket | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private connected = false;
  private readonly target: net.NetConnectOpts;

  constructor(private readonly options: QmpWatchOptions) {
    this.target = parseQmpAddress(options.address);
  }

  get isConnected(): boolean {
    return this.connected;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.dial();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.socket?.destroy();
    this.socket = undefined;
  }

  private dial(): void {
    if (!this.running) return;
    const socket = net.connect(this.target);
    this.socket = socket;
    let buffer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      for (let nl = buffer.indexOf("\n"); nl >= 0; nl = buffer.indexOf("\n")) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (line) this.line(socket, line);
      }
    });
    socket.on("error", (err) => this.options.log?.debug(`QMP ${this.options.address}: ${err.message}`));
    socket.on("close", () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (this.connected) {
        this.connected = false;
        this.options.onConnection?.(false);
      }
      if (this.running) this.timer = setTimeout(() => this.dial(), this.options.reconnectMs ?? 1000);
    });
  }

  private line(socket: net.Socket, line: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      this.options.log?.warn(`QMP sent a line that is not JSON: ${line.slice(0, 80)}`);
      return;
    }
    if ("QMP" in msg) {
      socket.write(`${JSON.stringify({ execute: "qmp_capabilities" })}\n`);
      return;
    }
    if ("return" in msg && !this.connected) {
      this.connected = true;
      this.options.log?.info(`watching QEMU's machine events on QMP ${this.options.address}`);
      this.options.onConnection?.(true);
      return;
    }
    if (typeof msg.event === "string") {
      const event: QmpEvent = { event: msg.event };
      if (msg.data && typeof msg.data === "object") event.data = msg.data as Record<string, unknown>;
      this.options.onEvent(event);
    }
  }
}
