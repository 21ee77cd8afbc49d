/**
 * A BT transport whose host is a QEMU virtual machine: QEMU's `isa-ipmi-bt` device
 * gives the guest a BT interface (I/O ports E4h-E6h) and hands every request to its
 * `ipmi-bmc-extern` backend, which speaks OpenIPMI's "VM" protocol (vm-codec.ts) over
 * a chardev socket to us.
 *
 * By default we listen and QEMU connects (`-chardev socket,host=H,port=P,reconnect=1`),
 * as it does to OpenIPMI's ipmi_sim; `mode: "connect"` dials a QEMU that listens
 * (`-chardev socket,...,server=on,wait=off`) and keeps redialling.
 *
 * What QEMU does and we rely on (measured with QEMU 7.2, see STACK.md):
 * - On connect it sends `FF 01 A1` (protocol version 1) and `08 <caps> A1`.
 * - It strips the guest's BT sequence number and keeps it; the VM message carries
 *   QEMU's own message id instead, which we put where the BT frame's seq goes and echo
 *   in the response. So the exchange log shows QEMU's id as the seq.
 * - It answers Get BT Interface Capabilities itself: that request never reaches us.
 * - It allows one request at a time and gives the guest C3h when we have not answered
 *   within 4 s. A response to an older id would cancel QEMU's timer for the current
 *   one, so answers to anything but the newest request are dropped here.
 * - Its ipmi-bmc-extern has a RESET notice (`04 A1`) for a machine reset, but 7.2 never
 *   sends it. With `qmp` set we watch QEMU's QMP socket for RESET events instead
 *   (qmp-watch.ts); either way the BMC hears of the reset once.
 * - A control command we send acts at once: a POWEROFF or RESET sent while the guest
 *   still waits for the Chassis Control response would take the machine away before
 *   the answer. So a chassis action waits until the pending response has gone out.
 */

import net from "node:net";
import type { ChassisAction } from "../../contract/host-control";
import { CC } from "../../ipmi/completion-codes";
import type { BusMalformed } from "../../router/types";
import { BT_MAX_LEN, BT_REQUEST_HEADER, BT_RESPONSE_HEADER } from "./bt-codec";
import { type QmpEvent, QmpWatch } from "./qmp-watch";
import type { BtTransport } from "./transport";
import {
  encodeVmControl,
  encodeVmMessage,
  VM_CAP,
  VM_CMD,
  VM_PROTOCOL_VERSION,
  VmDecoder,
  type VmEvent,
  vmCapabilityNames,
  vmControlName,
} from "./vm-codec";

export type ChassisControlResult = { sent: true; command: string } | { sent: false; reason: string };

export interface QemuTransportLog {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
}

export interface QemuTransportOptions {
  host: string;
  /** 0 in listen mode picks a free port (see `address`). */
  port: number;
  mode?: "listen" | "connect";
  /** Connect mode: wait between attempts to reach QEMU. */
  reconnectMs?: number;
  /** QEMU gives the guest C3h after this long; later answers are dropped, not sent. */
  hostTimeoutMs?: number;
  /** QEMU's QMP socket ("unix:/path" or "host:port"), to hear of machine resets. */
  qmp?: string;
  log?: QemuTransportLog;
}

export interface QemuTransportStats {
  connections: number;
  requests: number;
  responses: number;
  /** Responses not sent: no VM connected, a newer request came, or QEMU had given up. */
  dropped: number;
  malformed: number;
  controlsSent: number;
  controlsReceived: number;
  hostResets: number;
}

/** The action's VM command and the capability QEMU must have announced for it. */
const ACTION_COMMANDS: Record<
  Exclude<ChassisAction, "power-on">,
  { op: number; cap: number; name: string }
> = {
  "power-off": { op: VM_CMD.POWEROFF, cap: VM_CAP.POWER, name: "POWEROFF" },
  "soft-off": { op: VM_CMD.GRACEFUL_SHUTDOWN, cap: VM_CAP.GRACEFUL_SHUTDOWN, name: "GRACEFUL_SHUTDOWN" },
  "hard-reset": { op: VM_CMD.RESET, cap: VM_CAP.RESET, name: "RESET" },
  // A VM cannot be powered off and on again from here: a reset is the nearest thing.
  "power-cycle": { op: VM_CMD.RESET, cap: VM_CAP.RESET, name: "RESET" },
  "diagnostic-interrupt": { op: VM_CMD.SEND_NMI, cap: VM_CAP.NMI, name: "SEND_NMI" },
};

const APP_NETFN = 0x06;
const SET_BMC_GLOBAL_ENABLES = 0x2e;
/** Receive Message Queue Interrupt and Event Message Buffer Full Interrupt. */
const GLOBAL_ENABLES_INTERRUPTS = 0x03;

const NO_LOG: QemuTransportLog = { debug() {}, info() {}, warn() {} };
/** Reset notices closer together than this are one reset (QMP reports firmware resets too). */
const RESET_DEBOUNCE_MS = 1000;
/** A chassis action waits at most this long for the pending response to go out. */
const CONTROL_DEFER_MS = 250;

export class QemuTransport implements BtTransport {
  private frameListener: ((frame: Uint8Array) => void) | undefined;
  private malformedListener: ((m: BusMalformed) => void) | undefined;
  private readonly resetListeners = new Set<() => void>();
  private readonly connectionListeners = new Set<(connected: boolean) => void>();
  private readonly mode: "listen" | "connect";
  private readonly reconnectMs: number;
  readonly hostTimeoutMs: number;
  private readonly log: QemuTransportLog;
  private server: net.Server | undefined;
  private socket: net.Socket | undefined;
  private decoder = new VmDecoder();
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private bound: { host: string; port: number } | undefined;
  /** The newest request from QEMU that has no answer yet. */
  private current: { id: number; at: number } | undefined;
  /** Set BMC Global Enables requests by id, to follow the guest's interrupt enable. */
  private pendingEnables = new Map<number, number>();
  private attention = false;
  private qmpWatch: QmpWatch | undefined;
  private lastResetAt = Number.NEGATIVE_INFINITY;
  /** Chassis actions waiting for the pending response (see the header). */
  private deferred: number[] = [];
  private deferTimer: ReturnType<typeof setTimeout> | undefined;
  private qemuVersion: number | undefined;
  private qemuCaps: number | undefined;
  readonly stats: QemuTransportStats = {
    connections: 0,
    requests: 0,
    responses: 0,
    dropped: 0,
    malformed: 0,
    controlsSent: 0,
    controlsReceived: 0,
    hostResets: 0,
  };

  constructor(private readonly options: QemuTransportOptions) {
    this.mode = options.mode ?? "listen";
    this.reconnectMs = options.reconnectMs ?? 1000;
    this.hostTimeoutMs = options.hostTimeoutMs ?? 4000;
    this.log = options.log ?? NO_LOG;
  }

  get description(): string {
    const where = this.address ?? { host: this.options.host, port: this.options.port };
    const endpoint = `${where.host.includes(":") ? `[${where.host}]` : where.host}:${where.port}`;
    const how = this.mode === "listen" ? `listening on ${endpoint}` : `connecting to ${endpoint}`;
    const state = this.socket ? "VM connected" : "no VM connected";
    return `QEMU ipmi-bmc-extern (VM protocol), ${how}, ${state}`;
  }

  /** The address we listen on (listen mode, once open) or dial. */
  get address(): { host: string; port: number } | undefined {
    return this.mode === "listen" ? this.bound : { host: this.options.host, port: this.options.port };
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }

  /** What QEMU announced on connect: protocol version and capability bits. */
  get peer(): { version: number | undefined; capabilities: number | undefined } {
    return { version: this.qemuVersion, capabilities: this.qemuCaps };
  }

  onFrame(listener: (frame: Uint8Array) => void): void {
    this.frameListener = listener;
  }

  onWritable(_listener: () => void): void {
    // Never busy (see write()): nothing to signal.
  }

  onMalformed(listener: (m: BusMalformed) => void): void {
    this.malformedListener = listener;
  }

  /** The guest machine was reset (QEMU sent RESET): the BMC resets its host-facing state. */
  onHostReset(listener: () => void): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }

  /** A VM connected (true) or went away (false). */
  onConnection(listener: (connected: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  async open(): Promise<void> {
    if (this.running) return;
    this.running = true;
    if (this.options.qmp) {
      this.qmpWatch = new QmpWatch({
        address: this.options.qmp,
        reconnectMs: Math.min(this.reconnectMs, 500),
        log: this.log,
        onEvent: (e) => this.qmpEvent(e),
      });
      this.qmpWatch.start();
    }
    if (this.mode === "connect") {
      this.dial();
      return;
    }
    const server = net.createServer((socket) => this.accept(socket));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        this.running = false;
        this.server = undefined;
        reject(
          new Error(
            err.code === "EADDRINUSE"
              ? `QEMU_BMC ${this.options.host}:${this.options.port} is already in use: another BMC (ipmi_sim, a second console) listens there`
              : `cannot listen for QEMU on ${this.options.host}:${this.options.port}: ${err.message}`,
          ),
        );
      };
      server.once("error", onError);
      server.listen(this.options.port, this.options.host, () => {
        server.off("error", onError);
        server.on("error", (err) => this.log.warn(`QEMU listener: ${err.message}`));
        const a = server.address();
        this.bound =
          typeof a === "object" && a
            ? { host: a.address, port: a.port }
            : { host: this.options.host, port: this.options.port };
        this.log.info(`waiting for QEMU's ipmi-bmc-extern on ${this.bound.host}:${this.bound.port}`);
        resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.running = false;
    clearTimeout(this.reconnectTimer);
    this.qmpWatch?.stop();
    this.qmpWatch = undefined;
    const socket = this.socket;
    this.dropSocket();
    socket?.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  write(frame: Uint8Array): "sent" | "busy" {
    if (frame.length < BT_RESPONSE_HEADER || frame[0] !== frame.length - 1) {
      throw new Error(`not a BT response frame (${frame.length} bytes)`);
    }
    const id = frame[2]!;
    const current = this.current;
    const socket = this.socket;
    let drop: string | undefined;
    if (!socket) drop = "no VM is connected";
    else if (!current || current.id !== id) drop = `QEMU no longer waits for message id ${id}`;
    else if (Date.now() - current.at > this.hostTimeoutMs)
      drop = `QEMU gave the guest C3h after ${this.hostTimeoutMs} ms`;
    if (drop) {
      this.stats.dropped++;
      this.log.warn(`QEMU transport: response to id ${id} not sent: ${drop}`);
      return "sent";
    }
    this.current = undefined;
    const netFnLun = frame[1]!;
    const cmd = frame[3]!;
    socket!.write(encodeVmMessage(id, netFnLun, cmd, frame.subarray(4)));
    this.stats.responses++;
    this.followInterruptEnable(id, netFnLun >> 2, cmd, frame[4]!);
    this.flushDeferred();
    // The socket buffers, so this transport is never "busy" and never needs onWritable.
    return "sent";
  }

  /**
   * Raises or clears the BT interface's SMS_ATN bit: the BMC has a message for the host
   * (receive message queue or event message buffer). Remembered across reconnects.
   */
  setAttention(pending: boolean): void {
    if (this.attention === pending) return;
    this.attention = pending;
    this.sendAttention();
  }

  /** Sends the VM command for a chassis action, if QEMU announced it can do it. */
  chassisControl(action: ChassisAction): ChassisControlResult {
    if (action === "power-on") {
      return { sent: false, reason: "a running VM is already on; QEMU cannot be started from its BMC" };
    }
    if (!this.socket) return { sent: false, reason: "no VM is connected" };
    const c = ACTION_COMMANDS[action];
    if (this.qemuCaps !== undefined && (this.qemuCaps & c.cap) === 0) {
      return { sent: false, reason: `QEMU did not announce the capability for ${c.name}` };
    }
    if (this.current) {
      // Most likely the Chassis Control request itself: let its answer out first.
      this.deferred.push(c.op);
      this.deferTimer ??= setTimeout(() => this.flushDeferred(), CONTROL_DEFER_MS);
    } else this.sendControl(c.op);
    return { sent: true, command: c.name };
  }

  private flushDeferred(): void {
    clearTimeout(this.deferTimer);
    this.deferTimer = undefined;
    for (const op of this.deferred.splice(0)) this.sendControl(op);
  }

  // ---- connection --------------------------------------------------------------

  private dial(): void {
    if (!this.running) return;
    const socket = net.connect({ host: this.options.host, port: this.options.port });
    socket.once("connect", () => this.attach(socket));
    socket.once("error", (err) => {
      if (this.socket !== socket) {
        this.log.debug(`QEMU not reachable at ${this.options.host}:${this.options.port}: ${err.message}`);
        socket.destroy();
        this.scheduleDial();
      }
    });
  }

  private scheduleDial(): void {
    if (!this.running) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this.dial(), this.reconnectMs);
  }

  private accept(socket: net.Socket): void {
    if (!this.running) {
      socket.destroy();
      return;
    }
    if (this.socket) {
      // QEMU restarted before we saw the old connection close; the newest one is the VM.
      this.log.info("QEMU connected again; dropping the previous connection");
      const old = this.socket;
      this.dropSocket();
      old.destroy();
    }
    this.attach(socket);
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    this.decoder = new VmDecoder();
    this.current = undefined;
    this.pendingEnables.clear();
    this.qemuVersion = undefined;
    this.qemuCaps = undefined;
    this.stats.connections++;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      if (this.socket === socket) this.receive(chunk);
    });
    socket.on("error", (err) => {
      if (this.socket === socket) this.log.warn(`QEMU connection: ${err.message}`);
    });
    socket.on("close", () => {
      if (this.socket !== socket) return;
      this.log.info("QEMU disconnected");
      this.dropSocket();
      if (this.mode === "connect") this.scheduleDial();
    });
    this.log.info(`QEMU connected from ${socket.remoteAddress}:${socket.remotePort}`);
    // Our side of the handshake, as OpenIPMI's BMC sends it; then the attention state.
    this.sendControl(VM_CMD.VERSION, VM_PROTOCOL_VERSION);
    if (this.attention) this.sendAttention();
    for (const l of this.connectionListeners) l(true);
  }

  private dropSocket(): void {
    const had = this.socket !== undefined;
    this.socket = undefined;
    clearTimeout(this.deferTimer);
    this.deferTimer = undefined;
    this.deferred = [];
    this.current = undefined;
    this.pendingEnables.clear();
    if (this.decoder.pending) this.decoder.reset();
    if (had) for (const l of this.connectionListeners) l(false);
  }

  // ---- bytes from QEMU ---------------------------------------------------------

  private receive(chunk: Uint8Array): void {
    for (const event of this.decoder.push(chunk)) {
      if (event.kind === "message") this.message(event);
      else if (event.kind === "control") this.control(event.op, event.args);
      else this.malformed(event);
    }
  }

  private message(m: Extract<VmEvent, { kind: "message" }>): void {
    this.stats.requests++;
    this.current = { id: m.id, at: Date.now() };
    const bodyLength = 3 + m.data.length;
    if (bodyLength > BT_MAX_LEN) {
      this.stats.malformed++;
      this.malformedListener?.({
        frame: m.bytes.slice(),
        reason: `VM message of ${m.data.length} data bytes does not fit a BT frame`,
        header: { seq: m.id, netFn: m.netFnLun >> 2, lun: m.netFnLun & 3, cmd: m.cmd },
        reply: {
          seq: m.id,
          netFn: m.netFnLun >> 2,
          lun: m.netFnLun & 3,
          cmd: m.cmd,
          cc: CC.REQUEST_LENGTH_INVALID,
        },
      });
      return;
    }
    const frame = new Uint8Array(BT_REQUEST_HEADER + m.data.length);
    frame[0] = bodyLength;
    frame[1] = m.netFnLun;
    frame[2] = m.id;
    frame[3] = m.cmd;
    frame.set(m.data, BT_REQUEST_HEADER);
    if (m.netFnLun >> 2 === APP_NETFN && m.cmd === SET_BMC_GLOBAL_ENABLES && m.data.length >= 1) {
      this.pendingEnables.set(m.id, m.data[0]!);
    }
    this.frameListener?.(frame);
  }

  private control(op: number, args: Uint8Array): void {
    this.stats.controlsReceived++;
    switch (op) {
      case VM_CMD.VERSION:
        this.qemuVersion = args[0];
        if (args[0] !== VM_PROTOCOL_VERSION)
          this.log.warn(`QEMU speaks VM protocol version ${args[0]}, we speak ${VM_PROTOCOL_VERSION}`);
        return;
      case VM_CMD.CAPABILITIES:
        this.qemuCaps = args[0] ?? 0;
        this.log.info(`QEMU capabilities: ${vmCapabilityNames(this.qemuCaps).join(", ") || "none"}`);
        return;
      case VM_CMD.RESET:
        this.current = undefined;
        this.pendingEnables.clear();
        this.hostWasReset("its VM protocol RESET notice");
        return;
      default:
        this.log.debug(`QEMU sent control ${vmControlName(op)}; ignored`);
    }
  }

  private qmpEvent(e: QmpEvent): void {
    if (e.event !== "RESET") return;
    const reason = typeof e.data?.reason === "string" ? ` (${e.data.reason})` : "";
    this.hostWasReset(`a QMP RESET event${reason}`);
  }

  private hostWasReset(how: string): void {
    const now = Date.now();
    const repeat = now - this.lastResetAt < RESET_DEBOUNCE_MS;
    this.lastResetAt = now;
    if (repeat) return;
    this.stats.hostResets++;
    this.log.info(`QEMU reports the VM was reset, by ${how}`);
    for (const l of this.resetListeners) {
      try {
        l();
      } catch (err) {
        this.log.warn(`host reset listener: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  private malformed(m: Extract<VmEvent, { kind: "malformed" }>): void {
    this.stats.malformed++;
    const record: BusMalformed = { frame: m.bytes, reason: m.reason };
    if (m.header) {
      record.header = {
        seq: m.header.id,
        netFn: m.header.netFnLun >> 2,
        lun: m.header.netFnLun & 3,
        cmd: m.header.cmd,
      };
    }
    this.malformedListener?.(record);
  }

  // ---- bytes to QEMU -----------------------------------------------------------

  private sendControl(op: number, ...args: number[]): void {
    if (!this.socket) return;
    this.socket.write(encodeVmControl(op, ...args));
    this.stats.controlsSent++;
  }

  private sendAttention(): void {
    if (!this.attention) {
      this.sendControl(VM_CMD.NOATTN);
      return;
    }
    const irq = this.qemuCaps === undefined || (this.qemuCaps & VM_CAP.IRQ) !== 0;
    this.sendControl(irq ? VM_CMD.ATTN_IRQ : VM_CMD.ATTN);
  }

  /**
   * QEMU raises the BT interrupt only while its "IRQs enabled" switch is on, and that
   * switch belongs to the BMC: it follows the interrupt bits of BMC Global Enables, so
   * when the guest sets them and we accept, the switch follows.
   */
  private followInterruptEnable(id: number, netFn: number, cmd: number, cc: number): void {
    const enables = this.pendingEnables.get(id);
    if (enables === undefined) return;
    this.pendingEnables.delete(id);
    if (netFn !== (APP_NETFN | 1) || cmd !== SET_BMC_GLOBAL_ENABLES || cc !== 0) return;
    if (this.qemuCaps !== undefined && (this.qemuCaps & VM_CAP.IRQ) === 0) return;
    this.sendControl((enables & GLOBAL_ENABLES_INTERRUPTS) !== 0 ? VM_CMD.ENABLE_IRQ : VM_CMD.DISABLE_IRQ);
  }
}
