/**
 * The built-in simulated host: a BT transport whose other end is a scripted Linux host
 * (host-script.ts), which it hands every answer (its SDR walk needs them). Like a real
 * BT host it keeps one request outstanding, numbers them with the BT sequence byte,
 * and gives up on a request after `hostTimeoutMs`
 * (OpenBMC's btbridged and the Linux driver wait about 5 s). Like the hardware it
 * holds one response at a time: a write while the host has not read the previous one
 * answers "busy", which is what exercises the router's response queue.
 */
import { decodeBtResponse, encodeBtRequest } from "./bt-codec";
import { HostScript } from "./host-script";
import type { BtTransport } from "./transport";

export interface SimHostOptions {
  /** Requests per second; Infinity runs flat out (the next request as soon as the answer is read). */
  rate: number;
  /** Stop after this many requests (benchmarks, tests). */
  limit?: number;
  hostTimeoutMs?: number;
  /** In steady state, one watchdog pat every this many requests. */
  watchdogEvery?: number;
  /** Play the boot sequence first (default true). */
  boot?: boolean;
}

export interface SimHostStats {
  sent: number;
  answered: number;
  timedOut: number;
  /** Responses whose seq/netfn/cmd did not match the outstanding request. */
  mismatched: number;
  /** Answers by completion code. */
  byCompletionCode: Record<string, number>;
}

/**
 * How far behind its schedule a paced host may fall before it forgets the debt: after a
 * stall (a slow answer, a busy event loop) it catches up at most this much in a burst.
 */
const MAX_PACE_DEBT_MS = 100;

export class SimulatedHost implements BtTransport {
  private frameListener: ((frame: Uint8Array) => void) | undefined;
  private writableListener: (() => void) | undefined;
  private running = false;
  private seq = 0;
  private outstanding: { seq: number; netFn: number; cmd: number } | undefined;
  /**
   * Pacing against the clock: request n is due at paceOrigin + n / rate. One timer per
   * request cannot pace faster than the timers' 1 ms granularity (asked 5,000/s, it sent
   * about 700), so requests already due go out back to back and a timer only waits for
   * the next one not yet due.
   */
  private paceOrigin = 0;
  private paced = 0;
  private hostTimer: ReturnType<typeof setTimeout> | undefined;
  private paceTimer: ReturnType<typeof setTimeout> | undefined;
  /** The one response "in the hardware" that the host has not read yet. */
  private holding = false;
  private doneWaiters: (() => void)[] = [];
  private readonly options: Required<SimHostOptions>;
  readonly stats: SimHostStats = { sent: 0, answered: 0, timedOut: 0, mismatched: 0, byCompletionCode: {} };
  /** What the host says next; it also keeps what the SDR walk and FRU reads found. */
  readonly script: HostScript;

  constructor(options: SimHostOptions) {
    if (!(options.rate > 0))
      throw new RangeError("the simulated host's rate must be > 0 (Infinity for flat out)");
    this.options = {
      limit: Number.POSITIVE_INFINITY,
      hostTimeoutMs: 5000,
      watchdogEvery: 30,
      boot: true,
      ...options,
    };
    this.script = new HostScript({ watchdogEvery: this.options.watchdogEvery, boot: this.options.boot });
  }

  /** How long the simulated host waits for an answer. */
  get hostTimeoutMs(): number {
    return this.options.hostTimeoutMs;
  }

  get description(): string {
    const rate = Number.isFinite(this.options.rate) ? `${this.options.rate} msg/s` : "flat out";
    return `simulated host (${rate})`;
  }

  onFrame(listener: (frame: Uint8Array) => void): void {
    this.frameListener = listener;
  }

  onWritable(listener: () => void): void {
    this.writableListener = listener;
  }

  async open(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.paceOrigin = performance.now();
    this.paced = 0;
    this.schedule(0);
  }

  async close(): Promise<void> {
    this.running = false;
    clearTimeout(this.hostTimer);
    clearTimeout(this.paceTimer);
    this.outstanding = undefined;
    this.finish();
  }

  /** Resolves when `limit` requests have been answered or timed out, or the host was closed. */
  done(): Promise<void> {
    if (!this.running && this.stats.sent > 0) return Promise.resolve();
    return new Promise((resolve) => this.doneWaiters.push(resolve));
  }

  write(frame: Uint8Array): "sent" | "busy" {
    if (this.holding) return "busy";
    this.holding = true;
    // The host reads the response register on its next turn, then frees it.
    setImmediate(() => {
      this.holding = false;
      this.read(frame);
      this.writableListener?.();
    });
    return "sent";
  }

  private read(frame: Uint8Array): void {
    const res = decodeBtResponse(frame);
    const want = this.outstanding;
    if (
      "error" in res ||
      !want ||
      res.seq !== want.seq ||
      res.netFn !== (want.netFn | 1) ||
      res.cmd !== want.cmd
    ) {
      this.stats.mismatched++;
      return;
    }
    this.outstanding = undefined;
    clearTimeout(this.hostTimer);
    this.script.answer(res.cc, res.data);
    this.stats.answered++;
    const cc = res.cc.toString(16).padStart(2, "0");
    this.stats.byCompletionCode[cc] = (this.stats.byCompletionCode[cc] ?? 0) + 1;
    this.next();
  }

  /** Sends the next request now if it is due, else arms a timer for when it is. */
  private next(): void {
    if (!this.running) return;
    if (this.stats.sent >= this.options.limit) {
      this.running = false;
      this.finish();
      return;
    }
    if (!Number.isFinite(this.options.rate)) {
      setImmediate(() => this.sendNext());
      return;
    }
    const now = performance.now();
    let due = this.paceOrigin + (this.paced * 1000) / this.options.rate;
    if (now - due > MAX_PACE_DEBT_MS) {
      this.paceOrigin = now;
      this.paced = 0;
      due = now;
    }
    if (due <= now) setImmediate(() => this.sendNext());
    else this.schedule(due - now);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.paceTimer);
    this.paceTimer = setTimeout(() => this.sendNext(), delayMs);
  }

  private sendNext(): void {
    if (!this.running || this.outstanding || !this.frameListener) return;
    const req = this.script.next();
    const seq = this.seq;
    this.seq = (this.seq + 1) & 0xff;
    this.outstanding = { seq, netFn: req.netFn, cmd: req.cmd };
    this.stats.sent++;
    this.paced++;
    this.hostTimer = setTimeout(() => this.giveUp(seq), this.options.hostTimeoutMs);
    this.frameListener(
      encodeBtRequest({ netFn: req.netFn, lun: 0, seq, cmd: req.cmd, data: Uint8Array.from(req.data) }),
    );
  }

  private giveUp(seq: number): void {
    const want = this.outstanding;
    if (!want || want.seq !== seq) return;
    this.outstanding = undefined;
    this.script.answer(null);
    this.stats.timedOut++;
    this.next();
  }

  private finish(): void {
    for (const w of this.doneWaiters.splice(0)) w();
  }
}
