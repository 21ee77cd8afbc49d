/**
 * A host bus whose host is a QEMU virtual machine. QEMU gives the guest an IPMI system
 * interface (`-device isa-ipmi-bt`, `isa-ipmi-kcs` or `smbus-ipmi` for SSIF), strips that
 * interface's framing, and hands every request to its `ipmi-bmc-extern` backend, which
 * speaks OpenIPMI's "VM" protocol (vm-codec.ts) over a chardev socket to us. The bus
 * works on VM messages directly; its kind is the guest's interface, as configured
 * (QEMU_INTERFACE): the VM protocol does not say which one the guest has.
 *
 * By default we listen and QEMU connects (`-chardev socket,host=H,port=P,reconnect=1`),
 * as it does to OpenIPMI's ipmi_sim; `mode: "connect"` dials a QEMU that listens
 * (`-chardev socket,...,server=on,wait=off`) and keeps redialling.
 *
 * What QEMU does and we rely on (hw/ipmi/ipmi_bmc_extern.c; measured with QEMU 7.2,
 * docs/stack.md):
 * - On connect it sends `FF 01 A1` (protocol version 1) and `08 <caps> A1`.
 * - Each request carries QEMU's own message id (a BT guest's sequence number stays in
 *   QEMU; KCS and SSIF have none): it is the exchange's seq, echoed in the response.
 * - The interface may answer some requests itself (BT: Get BT Interface Capabilities;
 *   SSIF: Get System Interface Capabilities): those never reach us.
 * - It allows one request at a time and gives the guest C3h when we have not answered
 *   within 4 s (qemu-interfaces.ts). A response to an older id would cancel QEMU's timer
 *   for the current one, so answers to anything but the newest request are dropped here.
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
import { isRequestNetFn } from "../../ipmi/netfn";
import type { Bus, BusMalformed, BusPort, BusResponse, SendResult } from "../../router/types";
import { QEMU_INTERFACE_FACTS, type QemuInterface, type QemuInterfaceFacts } from "./qemu-interfaces";
import { type QmpEvent, QmpWatch } from "./qmp-watch";
import {
  encodeVmControl,
  encodeVmResponse,
  VM_CAP,
  VM_CMD,
  VM_PROTOCOL_VERSION,
  VmDecoder,
  type VmEvent,
  vmCapabilityNames,
  vmControlName,
} from "./vm-codec";

export type ChassisControlResult = { sent: true; command: string } | { sent: false; reason: string };

export interface VmBusLog {
  debug(msg: string): void;
  info(msg: string): void;
  warn(msg: string): void;
}

export interface VmBusOptions {
  /** The guest's IPMI interface in QEMU: the bus's kind, id and limits. Default "bt". */
  interface?: QemuInterface;
  /** Default: the interface and 0 ("kcs0"). */
  id?: string;
  host: string;
  /** 0 in listen mode picks a free port (see `address`). */
  port: number;
  mode?: "listen" | "connect";
  /** Connect mode: wait between attempts to reach QEMU. */
  reconnectMs?: number;
  /** QEMU gives the guest C3h after this long; later answers are dropped, not sent. Default: the interface's. */
  hostTimeoutMs?: number;
  /** QEMU's QMP socket ("unix:/path" or "host:port"), to hear of machine resets. */
  qmp?: string;
  log?: VmBusLog;
  /** Wall clock in ms (tests move it instead of waiting). */
  now?: () => number;
}

export interface VmBusStats {
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
/** IPMI 2.0 section 22.1. */
const SET_BMC_GLOBAL_ENABLES = 0x2e;
/** Receive Message Queue Interrupt and Event Message Buffer Full Interrupt. */
const GLOBAL_ENABLES_INTERRUPTS = 0x03;

const NO_LOG: VmBusLog = { debug() {}, info() {}, warn() {} };
/** Reset notices closer together than this are one reset (QMP reports firmware resets too). */
const RESET_DEBOUNCE_MS = 1000;
/** A chassis action waits at most this long for the pending response to go out. */
const CONTROL_DEFER_MS = 250;
/** Time left for the answer to reach the guest after a hold ends. */
const HOLD_MARGIN_MS = 500;

export class VmBus implements Bus {
  readonly id: string;
  readonly kind: QemuInterfaceFacts["kind"];
  readonly maxResponseData: number;
  readonly hostTimeoutMs: number;
  readonly stats: VmBusStats = {
    connections: 0,
    requests: 0,
    responses: 0,
    dropped: 0,
    malformed: 0,
    controlsSent: 0,
    controlsReceived: 0,
    hostResets: 0,
  };
  private readonly facts: QemuInterfaceFacts;
  private readonly resetListeners = new Set<() => void>();
  private readonly connectionListeners = new Set<(connected: boolean) => void>();
  private readonly mode: "listen" | "connect";
  private readonly reconnectMs: number;
  private readonly log: VmBusLog;
  private readonly now: () => number;
  private port: BusPort | undefined;
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

  constructor(private readonly options: VmBusOptions) {
    this.facts = QEMU_INTERFACE_FACTS[options.interface ?? "bt"];
    this.kind = this.facts.kind;
    this.id = options.id ?? `${this.facts.kind}0`;
    this.maxResponseData = this.facts.maxResponseData;
    this.hostTimeoutMs = options.hostTimeoutMs ?? this.facts.hostTimeoutMs;
    this.mode = options.mode ?? "listen";
    this.reconnectMs = options.reconnectMs ?? 1000;
    this.log = options.log ?? NO_LOG;
    this.now = options.now ?? Date.now;
  }

  /** "QEMU guest, KCS (ipmi-bmc-extern, listening on 127.0.0.1:9002, VM connected)". */
  get description(): string {
    const where = this.address ?? { host: this.options.host, port: this.options.port };
    const endpoint = `${where.host.includes(":") ? `[${where.host}]` : where.host}:${where.port}`;
    const how = this.mode === "listen" ? `listening on ${endpoint}` : `connecting to ${endpoint}`;
    const state = this.socket ? "VM connected" : "no VM connected";
    return `QEMU guest, ${this.facts.label} (ipmi-bmc-extern, ${how}, ${state})`;
  }

  /** Up with a VM connected; waiting while listening (or dialling) for one. */
  get state(): "up" | "waiting" | "down" {
    if (!this.running) return "down";
    return this.socket ? "up" : "waiting";
  }

  /** A request may be held for an operator until shortly before QEMU gives up. */
  get holdDeadlineMs(): number {
    return Math.max(100, this.hostTimeoutMs - HOLD_MARGIN_MS);
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

  attach(port: BusPort): void {
    this.port = port;
  }

  /** The guest machine was reset (QEMU's RESET notice or QMP event): the BMC resets its host-facing state. */
  onHostReset(listener: () => void): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }

  /** A VM connected (true) or went away (false). */
  onConnection(listener: (connected: boolean) => void): () => void {
    this.connectionListeners.add(listener);
    return () => this.connectionListeners.delete(listener);
  }

  async start(): Promise<void> {
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
        this.qmpWatch?.stop();
        this.qmpWatch = undefined;
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
        this.log.info(
          `waiting for QEMU's ipmi-bmc-extern (guest interface ${this.facts.device}) on ${this.bound.host}:${this.bound.port}`,
        );
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
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

  send(res: BusResponse): SendResult {
    const id = res.seq;
    const current = this.current;
    const socket = this.socket;
    if (!socket) return this.dropResponse(id, "no VM is connected");
    if (id === null || !current || current.id !== id)
      return this.dropResponse(id, `QEMU no longer waits for message id ${id}`);
    if (this.now() - current.at > this.hostTimeoutMs)
      return this.dropResponse(id, `QEMU gave the guest C3h after ${this.hostTimeoutMs} ms`);
    this.current = undefined;
    socket.write(encodeVmResponse(id, ((res.netFn & 0x3f) << 2) | (res.lun & 3), res.cmd, res.cc, res.data));
    this.stats.responses++;
    this.followInterruptEnable(id, res.netFn, res.cmd, res.cc);
    this.flushDeferred();
    // The socket buffers, so this bus is never "busy" and never calls port.ready().
    return "sent";
  }

  /** A response QEMU would take for another request's, or cannot take: counted, logged, not sent. */
  private dropResponse(id: number | null, why: string): SendResult {
    this.stats.dropped++;
    this.log.warn(`QEMU ${this.facts.label}: response to id ${id} not sent: ${why}`);
    // Nothing to retry later: "busy" would keep it queued.
    return "sent";
  }

  /**
   * Raises or clears the interface's SMS_ATN bit (BT control register, KCS status
   * register): the BMC has a message for the host (receive message queue or event
   * message buffer). QEMU's SSIF has no such bit and ignores it. Remembered across
   * reconnects.
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
    socket.once("connect", () => this.adopt(socket));
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
    this.adopt(socket);
  }

  private adopt(socket: net.Socket): void {
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
    this.current = { id: m.id, at: this.now() };
    const netFn = m.netFnLun >> 2;
    const lun = m.netFnLun & 3;
    const header = { seq: m.id, netFn, lun, cmd: m.cmd };
    // QEMU passes on only what its interface could carry; anything else did not come
    // from a guest through it, and is answered as a BT frame's decoder would.
    if (m.data.length > this.facts.maxRequestData) {
      this.rejectMessage(
        m,
        header,
        CC.REQUEST_LENGTH_INVALID,
        `VM message of ${m.data.length} data bytes is longer than QEMU's ${this.facts.label} interface carries (${this.facts.maxRequestData})`,
      );
      return;
    }
    if (!isRequestNetFn(netFn)) {
      this.rejectMessage(m, header, CC.INVALID_COMMAND, `netfn ${netFn.toString(16)}h is a response netfn`);
      return;
    }
    if (netFn === APP_NETFN && m.cmd === SET_BMC_GLOBAL_ENABLES && m.data.length >= 1) {
      this.pendingEnables.set(m.id, m.data[0]!);
    }
    this.port?.request({ seq: m.id, netFn, lun, cmd: m.cmd, data: m.data, frame: m.bytes });
  }

  /** A whole message the router cannot take: recorded as malformed and answered `cc`. */
  private rejectMessage(
    m: Extract<VmEvent, { kind: "message" }>,
    header: NonNullable<BusMalformed["header"]>,
    cc: number,
    reason: string,
  ): void {
    this.stats.malformed++;
    this.port?.malformed({ frame: m.bytes, reason, header, reply: { ...header, cc } });
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
    const now = this.now();
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
    this.port?.malformed(record);
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
   * QEMU raises the interface's interrupt only while its "IRQs enabled" switch is on, and
   * that switch belongs to the BMC (set_irq_enable in hw/ipmi/ipmi_bt.c and ipmi_kcs.c):
   * it follows the interrupt bits of BMC Global Enables, so when the guest sets them and
   * we accept, the switch follows.
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
