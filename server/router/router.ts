/**
 * The message router: every bus hands its requests here, every request goes to the
 * handler registered for its key, and every request is answered exactly once — by the
 * handler, or with the completion code from failures.ts when none applies, it throws,
 * or it takes too long. Responses a bus cannot take now wait in that bus's queue, in
 * order. Observers (log, live view) get one Exchange per request.
 */

import type { Exchange, ExchangeOrigin, ExchangeStatus } from "../contract/exchange";
import type { BusInfo } from "../contract/handlers";
import { commandAt, commandName } from "../ipmi/commands";
import { PRIVILEGE_ORDER, type Privilege } from "../ipmi/commands/define";
import { CC } from "../ipmi/completion-codes";
import { netFnKeyLength, requestNetFn, responseNetFn } from "../ipmi/netfn";
import { FAILURE_CC, failureFromError } from "./failures";
import type { HeldExchange, InterceptContext, Interceptor, Preview } from "./intercept";
import { HandlerRegistry, handlerKey, type Registration } from "./registry";
import { ResponseQueue } from "./response-queue";
import type {
  Bus,
  BusMalformed,
  BusOutboundRecord,
  BusPort,
  BusRequest,
  BusResponse,
  BusSessionRecord,
  HandlerContext,
  HandlerReply,
  Requester,
} from "./types";

export interface RouterOptions {
  /** How long a handler may take before the requester gets C3h. */
  defaultTimeoutMs?: number;
  /** Exchange ids continue after this one (the largest id already in the log). */
  lastExchangeId?: number;
  /** Wall clock, ms since the epoch. */
  now?: () => number;
  /** Monotonic clock in ms, for latencies. */
  monotonic?: () => number;
}

type ExchangeListener = (x: Exchange) => void;

/** Origins of requests the router routes; "bridged" exchanges are the BMC's own, only recorded. */
type RoutedOrigin = Exclude<ExchangeOrigin, "bridged">;

interface BusEntry {
  readonly bus: Bus;
  readonly queue: ResponseQueue;
  readonly meta: BusMeta;
}

/** How a bus is carried, as its configuration said (server/buses/bus-list.ts), for BusInfo. */
export interface BusMeta {
  transport: string;
  address: string | null;
}

/** A request between arrival and answer. */
interface InFlight {
  readonly id: number;
  readonly busId: string;
  readonly busKind: Bus["kind"];
  readonly origin: RoutedOrigin;
  readonly req: BusRequest;
  readonly receivedAt: number;
  readonly startedMono: number;
  /** Bytes of the group/IANA key, echoed at the start of the response data. */
  readonly keyPrefix: Uint8Array;
  reg: Registration | undefined;
  answered: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
  ctx: RequestContext | undefined;
  /** Resolves with the exchange once answered; only for injected requests. */
  settle: ((x: Exchange) => void) | undefined;
  /** False for injected requests: their answers go to whoever injected them, not to the host. */
  readonly deliver: boolean;
  ruleId: number | null;
  /** Said of every record of this request (which rule acted, which operator answered). */
  note: string | null;
  /** Set by a delay or hold until it ends: the router's own timer for the handler is not running yet. */
  waiting: boolean;
  /** process.hrtime.bigint() at dispatch, and the nanoseconds spent inside handle(): see routerTime(). */
  readonly hrStart: bigint;
  handlerNs: number;
}

/** How many of the latest exchanges routerTime() summarises: a fixed ring, nothing grows. */
const TIMING_SAMPLES = 4096;

/** The router's own time per exchange, in µs: percentiles over the latest TIMING_SAMPLES. */
export interface RouterTiming {
  samples: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
}

const EMPTY = new Uint8Array(0);

export class Router {
  readonly registry = new HandlerRegistry();
  private readonly buses = new Map<string, BusEntry>();
  private readonly listeners = new Set<ExchangeListener>();
  private readonly inFlight = new Set<InFlight>();
  private readonly idleWaiters: (() => void)[] = [];
  private readonly defaultTimeoutMs: number;
  private readonly now: () => number;
  private readonly monotonic: () => number;
  private lastId: number;
  private routed = 0;
  private interceptor: Interceptor | undefined;
  private readonly timingRing = new Float64Array(TIMING_SAMPLES);
  private timed = 0;

  constructor(options: RouterOptions = {}) {
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 2000;
    this.lastId = options.lastExchangeId ?? 0;
    this.now = options.now ?? Date.now;
    this.monotonic = options.monotonic ?? (() => performance.now());
  }

  // ---- buses -------------------------------------------------------------------

  addBus(bus: Bus, meta: BusMeta = { transport: "", address: null }): void {
    if (this.buses.has(bus.id)) throw new Error(`a bus with id '${bus.id}' is already registered`);
    const entry: BusEntry = { bus, queue: new ResponseQueue(bus), meta };
    this.buses.set(bus.id, entry);
    const port: BusPort = {
      request: (req) => {
        if (this.buses.get(bus.id) === entry) this.dispatch(entry, req, "host");
      },
      malformed: (m) => {
        if (this.buses.get(bus.id) === entry) this.malformed(entry, m);
      },
      record: (r) => {
        if (this.buses.get(bus.id) === entry) this.recordSession(entry, r);
      },
      outbound: (r) => {
        if (this.buses.get(bus.id) === entry) this.recordOutbound(entry, r);
      },
      ready: () => entry.queue.drain(),
    };
    bus.attach(port);
  }

  /**
   * Takes a bus out of routing. Requests of it still in flight are answered as usual
   * (and recorded), but their responses have nowhere to go and are dropped.
   */
  removeBus(id: string): Bus | undefined {
    const entry = this.buses.get(id);
    if (!entry) return undefined;
    this.buses.delete(id);
    entry.queue.clear();
    return entry.bus;
  }

  getBus(id: string): Bus | undefined {
    return this.buses.get(id)?.bus;
  }

  busInfo(): BusInfo[] {
    return [...this.buses.values()].map(({ bus, queue, meta }) => ({
      id: bus.id,
      kind: bus.kind,
      transport: meta.transport,
      address: meta.address,
      state: bus.state ?? "up",
      description: bus.description,
      queued: queue.length,
    }));
  }

  /** Operator control: consulted for every request before its handler. */
  setInterceptor(interceptor: Interceptor | undefined): void {
    this.interceptor = interceptor;
  }

  // ---- observers ---------------------------------------------------------------

  /** Every exchange, synchronously, in id order. Listeners must not block. */
  onExchange(listener: ExchangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Time the router adds to an exchange: from the request reaching dispatch to the
   * response handed to the bus's queue and the record given to every onExchange
   * listener (the log writer's buffering included), minus the time inside the
   * handler's handle() (for a promise, until it settles). Only exchanges no rule acted
   * on, so a delay or hold does not count as routing time.
   */
  routerTime(): RouterTiming {
    const n = Math.min(this.timed, TIMING_SAMPLES);
    if (n === 0) return { samples: 0, p50Us: 0, p99Us: 0, maxUs: 0 };
    const sorted = this.timingRing.slice(0, n).sort();
    const at = (p: number) => sorted[Math.min(n - 1, Math.floor(p * n))]! / 1000;
    return { samples: n, p50Us: at(0.5), p99Us: at(0.99), maxUs: sorted[n - 1]! / 1000 };
  }

  stats(): { routed: number; inFlight: number; lastExchangeId: number } {
    return { routed: this.routed, inFlight: this.inFlight.size, lastExchangeId: this.lastId };
  }

  /** Resolves when no request is waiting for its handler (every one answered or timed out). */
  idle(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // ---- requests ----------------------------------------------------------------

  /**
   * Routes a request as if it came from the host on `busId` (rules and handlers as for
   * any other) and resolves with its exchange. The response is not sent to the host,
   * which never asked for it.
   */
  inject(busId: string, req: BusRequest, origin: RoutedOrigin = "injected"): Promise<Exchange> {
    const entry = this.buses.get(busId);
    if (!entry) return Promise.reject(new Error(`no bus with id '${busId}'`));
    return new Promise((resolve) => this.dispatch(entry, req, origin, resolve));
  }

  private dispatch(
    entry: BusEntry,
    req: BusRequest,
    origin: RoutedOrigin,
    settle?: (x: Exchange) => void,
  ): void {
    const netFn = requestNetFn(req.netFn);
    const keyLength = netFnKeyLength(netFn);
    const f: InFlight = {
      id: ++this.lastId,
      busId: entry.bus.id,
      busKind: entry.bus.kind,
      origin,
      req,
      receivedAt: this.now(),
      startedMono: this.monotonic(),
      keyPrefix: keyLength > 0 ? req.data.subarray(0, keyLength) : EMPTY,
      reg: undefined,
      answered: false,
      timer: undefined,
      ctx: undefined,
      settle,
      deliver: origin === "host",
      ruleId: null,
      note: null,
      waiting: false,
      hrStart: process.hrtime.bigint(),
      handlerNs: 0,
    };
    this.routed++;

    if (req.data.length < keyLength) {
      this.answer(f, FAILURE_CC.missingGroupKey, EMPTY, "error", "request lacks its group/IANA key");
      return;
    }
    // Privilege before anything else, rules included: a session may only reach what its
    // level allows (IPMI 2.0 section 6.8, table G-1), whatever answers the command.
    if (req.requester) {
      const refused = this.privilegeRefusal(req, req.requester);
      if (refused) {
        this.answer(f, CC.INSUFFICIENT_PRIVILEGE, EMPTY, "error", refused);
        return;
      }
    }
    if (this.interceptor && this.intercepted(entry, f, netFn)) return;
    this.runHandler(entry, f);
  }

  /**
   * Why a session may not make this request, or null. The level needed is the handler's
   * (built from the command table), else the table's; a handler that declares none (an OEM
   * or group-extension command registered without one) needs administrator. A command
   * neither registered nor in the table is left to answer C1h: there is nothing to protect.
   */
  private privilegeRefusal(req: BusRequest, requester: Requester): string | null {
    const { netFn, key, group } = routingKey(req);
    const reg = this.registry.resolve(key);
    const need: Privilege | undefined = reg
      ? (reg.spec.privilege ?? "admin")
      : commandAt(netFn, req.cmd, group)?.privilege;
    if (need === undefined) return null;
    const have = requester.privilege;
    if (PRIVILEGE_ORDER.indexOf(have) >= PRIVILEGE_ORDER.indexOf(need)) return null;
    return have === "none"
      ? `needs a session with ${need} privilege; sent outside a session`
      : `needs ${need} privilege, the session has ${have}`;
  }

  /** Applies an operator rule's verdict; true when the rule took the request out of normal routing. */
  private intercepted(entry: BusEntry, f: InFlight, netFn: number): boolean {
    const { req } = f;
    const context: InterceptContext = {
      id: f.id,
      busId: f.busId,
      busKind: f.busKind,
      origin: f.origin,
      seq: req.seq,
      netFn,
      lun: req.lun,
      cmd: req.cmd,
      data: req.data,
    };
    let verdict: ReturnType<Interceptor["intercept"]>;
    try {
      verdict = this.interceptor!.intercept(context);
    } catch {
      return false; // a broken rule must not lose the request: the handler answers
    }
    if (!verdict) return false;
    f.ruleId = verdict.ruleId;
    f.note = verdict.note;
    switch (verdict.kind) {
      case "answer":
        this.answer(f, verdict.cc, verdict.data, verdict.cc === CC.OK ? "ok" : "error", null);
        return true;
      case "drop":
        this.dropRequest(f, null);
        return true;
      case "delay": {
        this.inFlight.add(f);
        f.waiting = true;
        // libuv's timers count whole milliseconds of a cached loop time and may fire a
        // fraction of one early: wait out the rest, so a delay is never shorter than asked.
        const due = f.startedMono + verdict.ms;
        const wake = () => {
          const left = due - this.monotonic();
          if (left > 0) {
            f.timer = setTimeout(wake, Math.ceil(left));
            return;
          }
          f.waiting = false;
          if (!f.answered) this.runHandler(entry, f);
        };
        f.timer = setTimeout(wake, verdict.ms);
        return true;
      }
      case "hold":
        this.inFlight.add(f);
        f.waiting = true;
        verdict.onHeld(this.holdHandle(entry, f, context));
        return true;
    }
  }

  private holdHandle(entry: BusEntry, f: InFlight, context: InterceptContext): HeldExchange {
    let recordedResolve!: (x: Exchange) => void;
    const recorded = new Promise<Exchange>((resolve) => {
      recordedResolve = resolve;
    });
    const previous = f.settle;
    f.settle = (x) => {
      previous?.(x);
      recordedResolve(x);
    };
    const settleOnce = (note: string, act: () => void): boolean => {
      if (f.answered || !f.waiting) return false;
      f.waiting = false;
      f.note = joinNotes(f.note, note);
      act();
      return true;
    };
    return {
      context,
      recorded,
      get settled() {
        return f.answered || !f.waiting;
      },
      answer: (cc, data, note) =>
        settleOnce(note, () => this.answer(f, cc, data, cc === CC.OK ? "ok" : "error", null)),
      pass: (note) => settleOnce(note, () => this.runHandler(entry, f)),
      drop: (note) => settleOnce(note, () => this.dropRequest(f, null)),
      timeout: (note) => settleOnce(note, () => this.answer(f, FAILURE_CC.timeout, EMPTY, "timeout", null)),
      preview: () => this.preview(entry, f),
    };
  }

  /**
   * What the handler would answer to a held request. Only commands that read ("Get ...")
   * are run: running a Set or Reserve here would change the BMC's state behind the
   * operator's back.
   */
  private async preview(entry: BusEntry, f: InFlight): Promise<Preview> {
    const { req } = f;
    const { netFn, key, body } = routingKey(req);
    const reg = this.registry.resolve(key);
    if (!reg) return { cc: FAILURE_CC.noHandler, data: EMPTY, handlerId: null };
    const name = commandName(netFn, req.cmd) ?? "";
    if (!name.startsWith("Get "))
      return { skipped: `${name || "this command"} may change state; handler not run` };
    try {
      const request = reg.spec.request.unpack(body);
      const reply = await reg.spec.handle(new RequestContext(entry.bus, netFn, req, body, request));
      const checked = checkReply(reply);
      if ("error" in checked) return { cc: FAILURE_CC.invalidReply, data: EMPTY, handlerId: reg.spec.id };
      return { cc: checked.cc, data: checked.data, handlerId: reg.spec.id };
    } catch (err) {
      return { cc: failureFromError(err).cc, data: EMPTY, handlerId: reg.spec.id };
    }
  }

  private runHandler(entry: BusEntry, f: InFlight): void {
    const { req } = f;
    const { netFn, key, body } = routingKey(req);
    const reg = this.registry.resolve(key);
    if (!reg) {
      this.answer(f, FAILURE_CC.noHandler, EMPTY, "error", this.registry.whyUnresolved(key));
      return;
    }
    f.reg = reg;
    reg.requests++;

    let result: ReturnType<typeof reg.spec.handle>;
    let h0 = 0n;
    try {
      const request = reg.spec.request.unpack(body);
      f.ctx = new RequestContext(entry.bus, netFn, req, body, request);
      h0 = process.hrtime.bigint();
      try {
        result = reg.spec.handle(f.ctx);
      } finally {
        f.handlerNs = Number(process.hrtime.bigint() - h0);
      }
    } catch (err) {
      const { cc, note } = failureFromError(err);
      this.answer(f, cc, EMPTY, "error", note);
      return;
    }
    if (!isPromise(result)) {
      this.answerWithReply(f, result);
      return;
    }
    this.inFlight.add(f);
    const timeoutMs = reg.spec.timeoutMs ?? this.defaultTimeoutMs;
    f.timer = setTimeout(() => {
      f.ctx?.abort();
      this.answer(f, FAILURE_CC.timeout, EMPTY, "timeout", `handler took longer than ${timeoutMs} ms`);
    }, timeoutMs);
    result.then(
      (reply) => {
        f.handlerNs = Number(process.hrtime.bigint() - h0);
        this.answerWithReply(f, reply);
      },
      (err: unknown) => {
        f.handlerNs = Number(process.hrtime.bigint() - h0);
        const { cc, note } = failureFromError(err);
        this.answerOnce(f, cc, EMPTY, note);
      },
    );
  }

  private answerWithReply(f: InFlight, reply: HandlerReply): void {
    const checked = checkReply(reply);
    if ("error" in checked) this.answerOnce(f, FAILURE_CC.invalidReply, EMPTY, checked.error);
    else this.answerOnce(f, checked.cc, checked.data, null);
  }

  /** A handler's answer: the first one goes out; one after the router already answered is recorded as late. */
  private answerOnce(f: InFlight, cc: number, data: Uint8Array, note: string | null): void {
    if (f.answered) {
      this.recordLate(f, cc, data);
      return;
    }
    this.answer(f, cc, data, cc === CC.OK ? "ok" : "error", note);
  }

  private answer(
    f: InFlight,
    cc: number,
    data: Uint8Array,
    status: ExchangeStatus,
    note: string | null,
  ): void {
    if (!this.settle(f)) return;
    const { req } = f;
    const entry = this.buses.get(f.busId);
    let responseData = f.keyPrefix.length > 0 ? concat(f.keyPrefix, data) : data;
    const max = entry?.bus.maxResponseData;
    if (max !== undefined && responseData.length > max) {
      note = joinNotes(
        note,
        `handler answered ${responseData.length} data bytes, the bus carries at most ${max}`,
      );
      cc = FAILURE_CC.invalidReply;
      status = "error";
      responseData = f.keyPrefix;
    }
    if (f.reg && cc !== CC.OK) f.reg.errors++;
    let deliveryNote: string | null = null;
    let responseFrame: Uint8Array | null = null;
    const hostTimeoutMs = entry?.bus.hostTimeoutMs;
    const elapsedMs = this.monotonic() - f.startedMono;
    if (!f.deliver) deliveryNote = null;
    else if (!entry) deliveryNote = "bus removed before the answer; response not sent";
    else if (hostTimeoutMs !== undefined && elapsedMs > hostTimeoutMs) {
      // The host stopped waiting: a stale answer could be taken for its next request's.
      status = "late";
      deliveryNote = `answered after ${Math.round(elapsedMs)} ms, the host gives up after ${hostTimeoutMs} ms; not sent`;
    } else {
      const response: BusResponse = {
        seq: req.seq,
        netFn: responseNetFn(req.netFn),
        lun: req.lun,
        cmd: req.cmd,
        cc,
        data: responseData,
        tag: req.tag,
      };
      try {
        entry.queue.push(response);
        // Sent now (not queued behind a busy bus) by a bus that keeps its bytes: the LAN datagram.
        responseFrame = response.sentFrame ?? null;
      } catch (err) {
        deliveryNote = `bus failed to take the response: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    this.record(f, {
      cc,
      response: responseData,
      status,
      note: joinNotes(note, deliveryNote),
      responseFrame,
    });
    if (f.ruleId === null) {
      this.timingRing[this.timed++ % TIMING_SAMPLES] =
        Number(process.hrtime.bigint() - f.hrStart) - f.handlerNs;
    }
  }

  /** Sends nothing; the host will time out. */
  private dropRequest(f: InFlight, note: string | null): void {
    if (!this.settle(f)) return;
    this.record(f, { cc: null, response: null, status: "dropped", note, responseFrame: null });
  }

  /** Marks a request answered once and for all; false if it already was. */
  private settle(f: InFlight): boolean {
    if (f.answered) return false;
    f.answered = true;
    f.waiting = false;
    if (f.timer) clearTimeout(f.timer);
    if (this.inFlight.delete(f) && this.inFlight.size === 0) this.wakeIdle();
    return true;
  }

  private record(
    f: InFlight,
    outcome: {
      cc: number | null;
      response: Uint8Array | null;
      status: ExchangeStatus;
      note: string | null;
      responseFrame: Uint8Array | null;
    },
  ): void {
    const elapsedMs = this.monotonic() - f.startedMono;
    const x = this.exchangeOf(f, {
      id: f.id,
      ...outcome,
      note: joinNotes(f.note, outcome.note),
      receivedAt: f.receivedAt,
      answeredAt: f.receivedAt + elapsedMs,
      latencyUs: Math.round(elapsedMs * 1000),
      relatedId: null,
    });
    this.emit(x);
    f.settle?.(x);
  }

  /**
   * The record of a request: one object literal with every field in one order, so
   * every Exchange has the same shape (spreads here cost a fifth of the router's time).
   */
  private exchangeOf(
    f: InFlight,
    o: Pick<
      Exchange,
      | "id"
      | "cc"
      | "response"
      | "status"
      | "note"
      | "receivedAt"
      | "answeredAt"
      | "latencyUs"
      | "relatedId"
      | "responseFrame"
    >,
  ): Exchange {
    const { req } = f;
    return {
      id: o.id,
      busId: f.busId,
      busKind: f.busKind,
      origin: f.origin,
      seq: req.seq,
      netFn: requestNetFn(req.netFn),
      lun: req.lun,
      cmd: req.cmd,
      request: req.data,
      cc: o.cc,
      response: o.response,
      handlerId: f.reg?.spec.id ?? null,
      status: o.status,
      receivedAt: o.receivedAt,
      answeredAt: o.answeredAt,
      latencyUs: o.latencyUs,
      note: o.note,
      // The bytes as they arrived on the bus; null for injected and replayed requests.
      frame: req.frame ?? null,
      responseFrame: o.responseFrame,
      relatedId: o.relatedId,
      ruleId: f.ruleId,
      payload: null,
      peer: req.requester?.peer ?? null,
      user: req.requester?.user ?? null,
      privilege: req.requester?.privilege ?? null,
      sessionId: req.requester ? req.requester.sessionId || null : null,
    };
  }

  private recordLate(f: InFlight, cc: number, data: Uint8Array): void {
    const now = this.now();
    this.emit(
      this.exchangeOf(f, {
        id: ++this.lastId,
        cc,
        response: data,
        status: "late",
        note: `answer came after exchange ${f.id} was already answered; dropped`,
        receivedAt: now,
        answeredAt: now,
        latencyUs: Math.round((this.monotonic() - f.startedMono) * 1000),
        relatedId: f.id,
        responseFrame: null,
      }),
    );
  }

  private malformed(entry: BusEntry, m: BusMalformed): void {
    const receivedAt = this.now();
    const id = ++this.lastId;
    this.routed++;
    let note = m.reason;
    let response: Uint8Array | null = null;
    let cc: number | null = null;
    let responseFrame: Uint8Array | null = null;
    if (m.reply) {
      const data = m.reply.data ?? EMPTY;
      cc = m.reply.cc;
      response = data;
      try {
        const reply: BusResponse = { ...m.reply, netFn: responseNetFn(m.reply.netFn), data };
        entry.queue.push(reply);
        responseFrame = reply.sentFrame ?? null;
      } catch (err) {
        note += `; bus failed to take the error response: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
    const header = m.header;
    const who = m.requester;
    this.emit({
      id,
      busId: entry.bus.id,
      busKind: entry.bus.kind,
      origin: "host",
      seq: header?.seq ?? null,
      netFn: header ? requestNetFn(header.netFn) : null,
      lun: header?.lun ?? null,
      cmd: header?.cmd ?? null,
      request: EMPTY,
      cc,
      response,
      handlerId: null,
      status: "malformed",
      receivedAt,
      answeredAt: m.reply ? receivedAt : null,
      latencyUs: m.reply ? 0 : null,
      note,
      frame: m.frame,
      responseFrame,
      relatedId: null,
      ruleId: null,
      payload: null,
      peer: who?.peer ?? null,
      user: who?.user ?? null,
      privilege: who?.privilege ?? null,
      sessionId: who ? who.sessionId || null : null,
    });
  }

  private recordSession(entry: BusEntry, r: BusSessionRecord): void {
    const receivedAt = this.now();
    this.routed++;
    const who = r.requester;
    this.emit({
      id: ++this.lastId,
      busId: entry.bus.id,
      busKind: entry.bus.kind,
      origin: "host",
      seq: null,
      netFn: null,
      lun: null,
      cmd: null,
      request: r.request,
      cc: r.status,
      response: r.response,
      handlerId: null,
      status: r.response === null ? "dropped" : r.ok ? "ok" : "error",
      receivedAt,
      answeredAt: r.response === null ? null : receivedAt,
      latencyUs: r.response === null ? null : 0,
      note: r.note,
      frame: r.frame,
      responseFrame: r.responseFrame ?? null,
      relatedId: null,
      ruleId: null,
      payload: r.payload,
      peer: who.peer,
      user: who.user,
      privilege: who.privilege,
      sessionId: who.sessionId || null,
    });
  }

  /** An exchange the BMC started on a bus (a bridged request to a satellite): origin "bridged". */
  private recordOutbound(entry: BusEntry, r: BusOutboundRecord): void {
    const answeredAt = this.now();
    this.routed++;
    this.emit({
      id: ++this.lastId,
      busId: entry.bus.id,
      busKind: entry.bus.kind,
      origin: "bridged",
      seq: r.seq,
      netFn: requestNetFn(r.netFn),
      lun: r.lun,
      cmd: r.cmd,
      request: r.request,
      cc: r.cc,
      response: r.response,
      handlerId: null,
      status: r.status,
      receivedAt: answeredAt - r.elapsedMs,
      answeredAt,
      latencyUs: Math.round(r.elapsedMs * 1000),
      note: r.note,
      frame: r.frame,
      responseFrame: r.responseFrame,
      relatedId: null,
      ruleId: null,
      payload: null,
      peer: r.target,
      user: null,
      privilege: null,
      sessionId: null,
    });
  }

  private emit(x: Exchange): void {
    for (const l of this.listeners) {
      try {
        l(x);
      } catch {
        // An observer's bug must not stop routing or starve the other observers.
      }
    }
  }

  private wakeIdle(): void {
    for (const w of this.idleWaiters.splice(0)) w();
  }
}

/** The handler's view of its request. The AbortSignal is made only if a handler asks for it. */
class RequestContext implements HandlerContext<unknown> {
  private controller: AbortController | undefined;
  readonly busId: string;
  readonly busKind: Bus["kind"];
  readonly lun: number;
  readonly cmd: number;
  readonly requester: Requester | null;

  constructor(
    bus: Bus,
    readonly netFn: number,
    req: BusRequest,
    readonly data: Uint8Array,
    readonly request: unknown,
  ) {
    this.busId = bus.id;
    this.busKind = bus.kind;
    this.lun = req.lun;
    this.cmd = req.cmd;
    this.requester = req.requester ?? null;
  }

  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    return this.controller.signal;
  }

  abort(): void {
    this.controller?.abort(new Error("the router answered C3h: handler timed out"));
  }
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === "function";
}

function checkReply(reply: HandlerReply): { cc: number; data: Uint8Array } | { error: string } {
  const cc = reply?.cc ?? CC.OK;
  if (!Number.isInteger(cc) || cc < 0 || cc > 0xff)
    return { error: `handler answered an invalid completion code ${cc}` };
  const raw = reply?.data;
  if (raw === undefined) return { cc, data: EMPTY };
  if (raw instanceof Uint8Array) return { cc, data: raw };
  if (!Array.isArray(raw)) return { error: "handler answered data that is not bytes" };
  for (const b of raw) {
    if (!Number.isInteger(b) || b < 0 || b > 0xff)
      return { error: `handler answered a byte out of range: ${b}` };
  }
  return { cc, data: Uint8Array.from(raw) };
}

/** The registry key of a request, and its data after the group/IANA key bytes. */
function routingKey(req: BusRequest): { netFn: number; key: string; body: Uint8Array; group?: number } {
  const netFn = requestNetFn(req.netFn);
  const keyLength = netFnKeyLength(netFn);
  if (keyLength === 0) return { netFn, key: handlerKey(netFn, req.cmd), body: req.data };
  const group = readKey(req.data, keyLength);
  return { netFn, key: handlerKey(netFn, req.cmd, group), body: req.data.subarray(keyLength), group };
}

function readKey(data: Uint8Array, length: number): number {
  let v = 0;
  for (let i = length - 1; i >= 0; i--) v = v * 256 + data[i]!;
  return v;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function joinNotes(a: string | null, b: string | null): string | null {
  if (a && b) return `${a}; ${b}`;
  return a ?? b;
}
