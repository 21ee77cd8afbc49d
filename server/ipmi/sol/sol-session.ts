/**
 * One active SOL payload instance on the BMC's side (IPMI 2.0 section 15.9), as a pure
 * state machine: no sockets, no timers. Its owner feeds it
 *   - the packets the remote console sends (decoded, sol-packet.ts),
 *   - the bytes the host writes to its serial port,
 *   - the time: `now()` is injected, and the owner calls `tick()` at `nextDeadline()`,
 * and carries out what each call returns: packets for the console, bytes for the host's
 * serial port, and control events (break, flushes, modem lines, the console gone).
 *
 * What it implements, and where the behaviour comes from:
 * - Host → console: characters accumulate until the send threshold is reached or the
 *   accumulate interval has passed since the first of them (SOL configuration parameter
 *   3, table 26-5), never more than `maxOutbound` in a packet. One data packet is
 *   outstanding at a time; it is resent unchanged every retry interval (parameter 4) up to
 *   the retry count, then dropped ("packet will be dropped if no ACK/NACK received by the
 *   time retries expire", table 26-5) and a `console-lost` event says so. OpenIPMI's
 *   lanserv/sol.c does the same (`sol_timeout`, MAX_SOL_RESENDS, then `next_seq`).
 * - Sequence numbers 1..15, wrapping to 1; 0 only on ACK-only packets (15.9).
 * - An ACK accepting fewer characters than sent: the rest goes again in a new packet
 *   with the next sequence number (OpenIPMI `handle_sol_port_payload`; ipmitool does the
 *   same as a console in `ipmi_lanplus_send_sol` / `is_sol_partial_ack`).
 * - A NACK: the console cannot take characters now. The BMC pauses (OpenIPMI's `in_nack`
 *   stops reading the port) and keeps what was not accepted, until an ACK of the
 *   NACKed packet; then the rest goes in a new packet.
 * - Console → host: every packet with a sequence number is acked (an ACK-only packet,
 *   seq 0) with the count accepted (at most `maxInbound`; the console resends the rest, as
 *   ipmitool does). A repeated sequence number (the console did not get our ack) is
 *   acked again with the same count, its characters are not written twice and its
 *   operations (break, flushes) not done twice (OpenIPMI `is_dup`).
 * - Operations (table 15-2): break and flushes once per packet; the modem lines (CTS
 *   pause, DCD/DSR, RI) are levels, read from every packet and reported when they change.
 */
import {
  NO_STATUS,
  nextSeq,
  SOL_MAX_SEQ,
  type SolBmcPacket,
  type SolConsolePacket,
  type SolStatus,
} from "./sol-packet";

export interface SolSessionOptions {
  /** Parameter 3 byte 1 × 5 ms: how long the first character waits for company. */
  accumulateIntervalMs: number;
  /** Parameter 3 byte 2: this many characters go at once. */
  sendThreshold: number;
  /** Parameter 4 byte 1: resends after the first transmission (0..7). */
  retryCount: number;
  /** Parameter 4 byte 2 × 10 ms: wait before each resend, and after the last before giving up. */
  retryIntervalMs: number;
  /** Most characters in one packet to the console (Activate Payload's outbound payload size - 4). */
  maxOutbound: number;
  /** Most characters accepted from one console packet (Activate Payload's inbound payload size - 4). */
  maxInbound: number;
  /** Host characters kept waiting for the console; beyond it they are dropped and reported as overrun. Default 64 KiB. */
  bufferLimit?: number;
  /** Milliseconds, monotonic. */
  now: () => number;
}

export type SolEvent =
  /** The console asked for a break on the host's serial line. */
  | { kind: "break" }
  /** Drop the console → host characters not yet written to the port. */
  | { kind: "flush-inbound" }
  /** The host → console characters not yet sent were dropped. */
  | { kind: "flush-outbound"; dropped: number }
  /** The console's modem-line requests changed (table 15-2 bits 5, 3, 2). */
  | { kind: "modem"; ctsPause: boolean; dropDcdDsr: boolean; ring: boolean }
  /** A packet went unacknowledged through every retry and was dropped: the console is gone. */
  | { kind: "console-lost"; seq: number; dropped: number };

export interface SolOutput {
  /** Packets for the console, in order. */
  toConsole: SolBmcPacket[];
  /** Bytes for the host's serial port, in order. */
  toHost: Uint8Array[];
  events: SolEvent[];
}

interface Outstanding {
  seq: number;
  data: Uint8Array;
  /** Transmissions so far (1 = sent once, no retry yet). */
  sends: number;
  sentAt: number;
  /** NACKed: waiting for the console's ACK before sending again. */
  paused: boolean;
  /** The status the packet first went with; a resend repeats it. */
  status: SolStatus;
}

const DEFAULT_BUFFER_LIMIT = 64 * 1024;
const EMPTY = new Uint8Array(0);

function out(): SolOutput {
  return { toConsole: [], toHost: [], events: [] };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b.slice();
  const r = new Uint8Array(a.length + b.length);
  r.set(a);
  r.set(b, a.length);
  return r;
}

export class SolSession {
  private readonly options: Required<SolSessionOptions>;
  /** Host characters not yet in a packet. */
  private pending: Uint8Array = EMPTY;
  /** When the oldest pending character arrived; undefined when none is pending. */
  private firstByteAt: number | undefined;
  private outstanding: Outstanding | undefined;
  /** The sequence number the next data packet takes. */
  private seq = 1;
  /** The console's last packet with a sequence number, and what we accepted of it (duplicate detection). */
  private lastConsoleSeq = 0;
  private lastAccepted = 0;
  private modem = { ctsPause: false, dropDcdDsr: false, ring: false };
  /** Status bits for the next data packet (reported once). */
  private overrun = false;
  private breakDetected = false;
  private transferUnavailable = false;
  private closed = false;

  constructor(options: SolSessionOptions) {
    for (const k of ["accumulateIntervalMs", "retryIntervalMs", "retryCount"] as const) {
      if (!(options[k] >= 0)) throw new RangeError(`SOL ${k} must be 0 or more, not ${options[k]}`);
    }
    for (const k of ["sendThreshold", "maxOutbound", "maxInbound"] as const) {
      if (!(options[k] >= 1)) throw new RangeError(`SOL ${k} must be 1 or more, not ${options[k]}`);
    }
    this.options = {
      ...options,
      // A packet carries at most 255 characters an ack can count (byte 3 is one byte).
      maxOutbound: Math.min(options.maxOutbound, 0xff),
      maxInbound: Math.min(options.maxInbound, 0xff),
      bufferLimit: options.bufferLimit ?? DEFAULT_BUFFER_LIMIT,
    };
  }

  // ---- inputs ---------------------------------------------------------------------------

  /** Bytes the host wrote to its serial port. */
  fromHost(bytes: Uint8Array): SolOutput {
    const o = out();
    if (this.closed || bytes.length === 0) return o;
    const room = this.options.bufferLimit - this.pending.length - (this.outstanding?.data.length ?? 0);
    const kept = bytes.length <= room ? bytes : bytes.subarray(0, Math.max(0, room));
    if (kept.length < bytes.length) this.overrun = true;
    if (kept.length > 0) {
      if (this.pending.length === 0) this.firstByteAt = this.options.now();
      this.pending = concat(this.pending, kept);
    }
    this.trySend(o);
    return o;
  }

  /** A break was detected on the host's serial line: the next packet says so. */
  hostBreak(): void {
    this.breakDetected = true;
  }

  /** The host is powered down or asleep (table 15-3 bit 5), reported on every packet while set. */
  setTransferUnavailable(unavailable: boolean): void {
    this.transferUnavailable = unavailable;
  }

  /** A packet from the remote console. */
  fromConsole(p: SolConsolePacket): SolOutput {
    const o = out();
    if (this.closed) return o;
    this.readModemLines(p, o);
    if (p.seq !== 0) this.receive(p, o);
    if (p.ackSeq !== 0) this.acked(p, o);
    this.trySend(o);
    return o;
  }

  /** The owner's timer fired: resends and accumulated characters whose time has come. */
  tick(): SolOutput {
    const o = out();
    if (this.closed) return o;
    const now = this.options.now();
    const w = this.outstanding;
    if (w && !w.paused && now >= w.sentAt + this.options.retryIntervalMs) {
      if (w.sends > this.options.retryCount) {
        this.outstanding = undefined;
        o.events.push({ kind: "console-lost", seq: w.seq, dropped: w.data.length });
      } else {
        w.sends++;
        w.sentAt = now;
        o.toConsole.push({ seq: w.seq, ackSeq: 0, acceptedCount: 0, status: w.status, data: w.data });
      }
    }
    this.trySend(o);
    return o;
  }

  /** When `tick()` has something to do (ms, on the `now()` clock); undefined: nothing is waiting on time. */
  nextDeadline(): number | undefined {
    if (this.closed) return undefined;
    const w = this.outstanding;
    if (w) return w.paused ? undefined : w.sentAt + this.options.retryIntervalMs;
    if (this.pending.length > 0 && this.firstByteAt !== undefined) {
      return this.firstByteAt + this.options.accumulateIntervalMs;
    }
    return undefined;
  }

  /**
   * SOL is being deactivated (Deactivate Payload, the session closing, SOL disabled): one
   * last packet with "SOL deactivating" set (table 15-3 bit 4) so the console learns it
   * (ipmitool's `sol_inactive` ends its session), then the session does nothing more.
   */
  close(): SolOutput {
    const o = out();
    if (this.closed) return o;
    this.closed = true;
    o.toConsole.push({
      seq: 0,
      ackSeq: 0,
      acceptedCount: 0,
      status: { ...this.status(), deactivating: true },
      data: EMPTY,
    });
    this.pending = EMPTY;
    this.outstanding = undefined;
    return o;
  }

  /** For the dashboard and tests: what is waiting. */
  get state(): { pending: number; outstanding: { seq: number; length: number; paused: boolean } | null } {
    const w = this.outstanding;
    return {
      pending: this.pending.length,
      outstanding: w ? { seq: w.seq, length: w.data.length, paused: w.paused } : null,
    };
  }

  // ---- console → BMC ----------------------------------------------------------------------

  private readModemLines(p: SolConsolePacket, o: SolOutput): void {
    const next = { ctsPause: p.op.ctsPause, dropDcdDsr: p.op.dropDcdDsr, ring: p.op.ringWor };
    const m = this.modem;
    if (next.ctsPause !== m.ctsPause || next.dropDcdDsr !== m.dropDcdDsr || next.ring !== m.ring) {
      this.modem = next;
      o.events.push({ kind: "modem", ...next });
    }
  }

  /** A console packet with a sequence number: characters and operations, acked. */
  private receive(p: SolConsolePacket, o: SolOutput): void {
    if (p.seq === this.lastConsoleSeq) {
      // Our ack was lost and the console resent: ack again, do nothing twice.
      o.toConsole.push(this.ack(p.seq, this.lastAccepted));
      return;
    }
    if (p.op.flushOutbound) {
      const dropped = this.pending.length + (this.outstanding?.data.length ?? 0);
      this.pending = EMPTY;
      this.firstByteAt = undefined;
      // The packet in flight is abandoned; its sequence number is not reused (OpenIPMI next_seq).
      this.outstanding = undefined;
      o.events.push({ kind: "flush-outbound", dropped });
    }
    if (p.op.flushInbound) o.events.push({ kind: "flush-inbound" });
    if (p.op.generateBreak) o.events.push({ kind: "break" });
    const accepted = Math.min(p.data.length, this.options.maxInbound);
    if (accepted > 0) o.toHost.push(p.data.slice(0, accepted));
    this.lastConsoleSeq = p.seq;
    this.lastAccepted = accepted;
    o.toConsole.push(this.ack(p.seq, accepted));
  }

  /** The console acks or nacks a packet of ours. */
  private acked(p: SolConsolePacket, o: SolOutput): void {
    const w = this.outstanding;
    if (!w || p.ackSeq !== w.seq) return; // an old or unknown packet: nothing to do
    if (w.paused) {
      // The ACK that ends a NACK pause: what the NACK did not accept goes again, in a new
      // packet (its count is of the NACKed packet, whose accepted part is already gone).
      if (p.op.nack) return;
      this.outstanding = undefined;
      if (w.data.length > 0) this.send(w.data, o);
      return;
    }
    const accepted = Math.min(p.acceptedCount, w.data.length);
    const rest = w.data.subarray(accepted);
    if (p.op.nack) {
      w.data = rest;
      w.paused = true;
      return;
    }
    this.outstanding = undefined;
    if (rest.length > 0) this.send(rest, o);
  }

  // ---- BMC → console ----------------------------------------------------------------------

  /** Sends pending characters when nothing is outstanding and the threshold or the interval says so. */
  private trySend(o: SolOutput): void {
    if (this.outstanding || this.pending.length === 0) return;
    const due =
      this.pending.length >= this.options.sendThreshold ||
      (this.firstByteAt !== undefined &&
        this.options.now() >= this.firstByteAt + this.options.accumulateIntervalMs);
    if (!due) return;
    const n = Math.min(this.pending.length, this.options.maxOutbound);
    const chunk = this.pending.slice(0, n);
    this.pending = this.pending.slice(n);
    // What is left has waited as long as the characters just sent: it goes as soon as it may.
    if (this.pending.length === 0) this.firstByteAt = undefined;
    this.send(chunk, o);
  }

  private send(data: Uint8Array, o: SolOutput): void {
    const seq = this.seq;
    this.seq = nextSeq(seq);
    const packet = this.packet(seq, data);
    this.outstanding = {
      seq,
      data,
      sends: 1,
      sentAt: this.options.now(),
      paused: false,
      status: packet.status,
    };
    o.toConsole.push(packet);
  }

  private status(): SolStatus {
    return { ...NO_STATUS, transferUnavailable: this.transferUnavailable };
  }

  private packet(seq: number, data: Uint8Array): SolBmcPacket {
    const status = { ...this.status(), transmitOverrun: this.overrun, breakDetected: this.breakDetected };
    this.overrun = false;
    this.breakDetected = false;
    return { seq, ackSeq: 0, acceptedCount: 0, status, data };
  }

  private ack(seq: number, accepted: number): SolBmcPacket {
    return { seq: 0, ackSeq: seq & SOL_MAX_SEQ, acceptedCount: accepted, status: this.status(), data: EMPTY };
  }
}
