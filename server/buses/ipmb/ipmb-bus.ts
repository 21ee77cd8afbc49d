/**
 * An IPMB bus as the router sees it (IPMI 2.0 section 6.13; IPMB v1.0): a transport plus
 * the IPMB codec, in both directions.
 *
 * In: requests other controllers send to the BMC's address go to the router, from channel 0
 * (the primary IPMB), with the sender's slave address as the peer; the answer goes back as
 * an IPMB response with the addresses swapped and the request's rqSeq. IPMB has no
 * sessions and no authentication, and IPMI does not limit it by privilege (section 6.8:
 * privilege levels belong to session-based channels); what it may not reach is decided by
 * the channel (the command table's "system interface only" commands answer D4h to it).
 * So its requests carry privilege "admin": "none" would make the router refuse everything
 * but the pre-session commands, which is not what a BMC does on its IPMB.
 * Frames whose checksums fail are recorded as malformed and not answered: a receiver
 * cannot trust the addresses of such a frame (IPMB v1.0).
 *
 * Out: the BMC asks satellites with `request()`: its own rqSeq (6 bits, round robin,
 * never one still awaiting its answer), the answer matched by (address, seq, netFn, cmd),
 * and a timeout after which the request is given up. Each such exchange is recorded
 * through the port's `outbound` (origin "bridged").
 */
import {
  BMC_SLAVE_ADDRESS,
  decodeIpmbFrame,
  encodeIpmbRequest,
  encodeIpmbResponse,
  IPMB_MAX_FRAME,
  IPMB_MAX_RESPONSE_DATA,
  IPMB_SEQ_COUNT,
  type IpmbResponse,
  slaveAddressText,
} from "../../ipmi/ipmb/ipmb-frame";
import { responseNetFn } from "../../ipmi/netfn";
import type { Bus, BusPort, BusResponse, Requester, SendResult } from "../../router/types";
import { errorCode, errorText, type IpmbTransport } from "./transport";

/**
 * How long the BMC waits for a satellite's answer: Linux's ipmi_msghandler waits 1 s per
 * try for an IPMB request (i_ipmi_request: "Default to 1 second retries"); the IPMB spec's
 * rqSeq expiration interval (5 s in IPMB v1.0) bounds it from above.
 */
export const IPMB_RESPONSE_TIMEOUT_MS = 1000;

/** The primary IPMB is channel 0 (IPMI 2.0 table 6-1). */
export const IPMB_CHANNEL = 0;

export interface IpmbTarget {
  /** 8-bit slave address: 0x72. */
  slaveAddress: number;
  lun: number;
}

export interface IpmbMessage {
  netFn: number;
  cmd: number;
  data: Uint8Array;
}

/** How a write onto the bus went, named after Send Message's completion codes (table 22-10). */
export type IpmbWriteOutcome = "sent" | "nak" | "lost-arbitration" | "bus-error";

export type IpmbResult =
  | { status: "ok"; cc: number; data: Uint8Array; frame: Uint8Array; response: IpmbResponse; seq: number }
  | { status: "timeout"; seq: number }
  | { status: Exclude<IpmbWriteOutcome, "sent">; seq: number; reason: string };

export interface IpmbRequestOptions {
  /** The BMC's LUN the answer should come back to (rqLUN); 0 by default. */
  rqLun?: number;
  timeoutMs?: number;
}

/** An outstanding request: `written` settles when the frame is on the bus, `result` with its answer. */
export interface IpmbOutstanding {
  seq: number;
  written: Promise<IpmbWriteOutcome>;
  result: Promise<IpmbResult>;
}

export interface IpmbBusOptions {
  /** The BMC's 8-bit slave address on this bus. */
  ownAddress?: number;
  /** The channel number this bus is (0: primary IPMB). */
  channel?: number;
  timeoutMs?: number;
  /** Monotonic ms, for latencies. */
  monotonic?: () => number;
}

interface InboundTag {
  rqSA: number;
  rqLUN: number;
  rqSeq: number;
}

interface Pending {
  target: IpmbTarget;
  seq: number;
  netFn: number;
  cmd: number;
  data: Uint8Array;
  frame: Uint8Array;
  startedAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  resolve: (r: IpmbResult) => void;
}

export class IpmbBus implements Bus {
  readonly kind = "ipmb" as const;
  readonly maxResponseData = IPMB_MAX_RESPONSE_DATA;
  readonly ownAddress: number;
  readonly channel: number;
  private port: BusPort | undefined;
  private nextSeq = 0;
  private running = false;
  private readonly pending = new Map<string, Pending>();
  private readonly timeoutMs: number;
  private readonly monotonic: () => number;
  readonly stats = {
    requestsIn: 0,
    responsesOut: 0,
    requestsOut: 0,
    timeouts: 0,
    unmatched: 0,
    writeErrors: 0,
  };

  constructor(
    readonly id: string,
    private readonly transport: IpmbTransport,
    options: IpmbBusOptions = {},
  ) {
    this.ownAddress = options.ownAddress ?? BMC_SLAVE_ADDRESS;
    this.channel = options.channel ?? IPMB_CHANNEL;
    this.timeoutMs = options.timeoutMs ?? IPMB_RESPONSE_TIMEOUT_MS;
    this.monotonic = options.monotonic ?? (() => performance.now());
    transport.onFrame((frame) => this.receive(frame));
  }

  get description(): string {
    return `IPMB (channel ${this.channel}, BMC at ${slaveAddressText(this.ownAddress)}), ${this.transport.description}`;
  }

  attach(port: BusPort): void {
    this.port = port;
  }

  get state(): "up" | "down" {
    return this.running ? "up" : "down";
  }

  async start(): Promise<void> {
    await this.transport.open();
    this.running = true;
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const p of [...this.pending.values()])
      this.settle(p, { status: "timeout", seq: p.seq }, "bus stopped");
    await this.transport.close();
  }

  /** The router's answer to a request a controller sent: an IPMB response back to it. */
  send(res: BusResponse): SendResult {
    const tag = res.tag as InboundTag | undefined;
    if (!tag) throw new Error("IPMB response without the request's addressing");
    const frame = encodeIpmbResponse({
      rqSA: tag.rqSA,
      netFn: res.netFn,
      rqLUN: tag.rqLUN,
      rsSA: this.ownAddress,
      rqSeq: tag.rqSeq,
      rsLUN: res.lun,
      cmd: res.cmd,
      cc: res.cc,
      data: res.data,
    });
    res.sentFrame = frame;
    this.transport.write(frame).then(
      () => {
        this.stats.responsesOut++;
      },
      () => {
        // The requester did not take it (gone, NAK): it retries with the same rqSeq on its own.
        this.stats.writeErrors++;
      },
    );
    return "sent";
  }

  /** Sends a request to a controller on this bus; the answer, a NAK or a timeout settles `result`. */
  request(target: IpmbTarget, msg: IpmbMessage, options: IpmbRequestOptions = {}): IpmbOutstanding {
    const seq = this.allocateSeq(target);
    if (seq === undefined) {
      const reason = `all ${IPMB_SEQ_COUNT} sequence numbers for ${slaveAddressText(target.slaveAddress)} are in use`;
      return {
        seq: -1,
        written: Promise.resolve("bus-error"),
        result: Promise.resolve({ status: "bus-error", seq: -1, reason }),
      };
    }
    const frame = encodeIpmbRequest({
      rsSA: target.slaveAddress,
      netFn: msg.netFn,
      rsLUN: target.lun,
      rqSA: this.ownAddress,
      rqSeq: seq,
      rqLUN: options.rqLun ?? 0,
      cmd: msg.cmd,
      data: msg.data,
    });
    let resolve!: (r: IpmbResult) => void;
    const result = new Promise<IpmbResult>((r) => {
      resolve = r;
    });
    const p: Pending = {
      target,
      seq,
      netFn: msg.netFn,
      cmd: msg.cmd,
      data: msg.data,
      frame,
      startedAt: this.monotonic(),
      timer: undefined,
      resolve,
    };
    this.pending.set(key(target.slaveAddress, seq), p);
    this.stats.requestsOut++;
    if (frame.length > IPMB_MAX_FRAME) {
      const reason = `request of ${frame.length} bytes exceeds IPMB's ${IPMB_MAX_FRAME}`;
      this.settle(p, { status: "bus-error", seq, reason }, reason);
      return { seq, written: Promise.resolve("bus-error"), result };
    }
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    p.timer = setTimeout(() => {
      this.stats.timeouts++;
      this.settle(p, { status: "timeout", seq }, `no answer within ${timeoutMs} ms`);
    }, timeoutMs);
    const written = this.transport.write(frame).then(
      (): IpmbWriteOutcome => "sent",
      (err: unknown): IpmbWriteOutcome => {
        this.stats.writeErrors++;
        const outcome = writeOutcome(err);
        const reason = `${outcome}: ${errorText(err)}`;
        this.settle(p, { status: outcome as Exclude<IpmbWriteOutcome, "sent">, seq, reason }, reason);
        return outcome;
      },
    );
    return { seq, written, result };
  }

  /** Puts a frame on the bus as it is (a response the host built, Send Message without tracking). */
  async write(frame: Uint8Array): Promise<IpmbWriteOutcome> {
    try {
      await this.transport.write(frame);
      return "sent";
    } catch (err) {
      this.stats.writeErrors++;
      return writeOutcome(err);
    }
  }

  private allocateSeq(target: IpmbTarget): number | undefined {
    for (let i = 0; i < IPMB_SEQ_COUNT; i++) {
      const seq = (this.nextSeq + i) % IPMB_SEQ_COUNT;
      if (!this.pending.has(key(target.slaveAddress, seq))) {
        this.nextSeq = (seq + 1) % IPMB_SEQ_COUNT;
        return seq;
      }
    }
    return undefined;
  }

  private settle(p: Pending, r: IpmbResult, note: string | null): void {
    const k = key(p.target.slaveAddress, p.seq);
    if (this.pending.get(k) !== p) return;
    this.pending.delete(k);
    if (p.timer) clearTimeout(p.timer);
    const ok = r.status === "ok";
    this.port?.outbound?.({
      target: slaveAddressText(p.target.slaveAddress),
      seq: p.seq,
      netFn: p.netFn,
      lun: p.target.lun,
      cmd: p.cmd,
      request: p.data,
      frame: p.frame,
      cc: ok ? r.cc : null,
      response: ok ? r.data : null,
      responseFrame: ok ? r.frame : null,
      status: ok ? (r.cc === 0 ? "ok" : "error") : r.status === "timeout" ? "timeout" : "error",
      note,
      elapsedMs: this.monotonic() - p.startedAt,
    });
    p.resolve(r);
  }

  private receive(frame: Uint8Array): void {
    const port = this.port;
    if (!port) return;
    const d = decodeIpmbFrame(frame);
    if (!d.ok) {
      const who = d.header ? { requester: this.requester(d.header.sourceAddress) } : {};
      const header = d.header
        ? { header: { seq: d.header.seq, netFn: d.header.netFn, lun: d.header.lun, cmd: d.header.cmd } }
        : {};
      port.malformed({ frame: frame.slice(), reason: d.reason, ...header, ...who });
      return;
    }
    if (d.kind === "response") {
      const r = d.message;
      const p = this.pending.get(key(r.rsSA, r.rqSeq));
      if (!p || responseNetFn(p.netFn) !== r.netFn || p.cmd !== r.cmd || r.rqSA !== this.ownAddress) {
        this.stats.unmatched++;
        port.malformed({
          frame: frame.slice(),
          reason: `response from ${slaveAddressText(r.rsSA)} (seq ${r.rqSeq}, netfn ${r.netFn.toString(16)}h, cmd ${r.cmd.toString(16)}h) matches no request the BMC has outstanding`,
          header: { seq: r.rqSeq, netFn: r.netFn, lun: r.rsLUN, cmd: r.cmd },
          requester: this.requester(r.rsSA),
        });
        return;
      }
      this.settle(
        p,
        { status: "ok", cc: r.cc, data: r.data.slice(), frame: frame.slice(), response: r, seq: p.seq },
        null,
      );
      return;
    }
    const q = d.message;
    if (q.rsSA !== this.ownAddress) return; // for another controller: not ours to answer
    this.stats.requestsIn++;
    const tag: InboundTag = { rqSA: q.rqSA, rqLUN: q.rqLUN, rqSeq: q.rqSeq };
    port.request({
      seq: q.rqSeq,
      netFn: q.netFn,
      lun: q.rsLUN,
      cmd: q.cmd,
      data: q.data.slice(),
      frame: frame.slice(),
      tag,
      requester: this.requester(q.rqSA),
    });
  }

  private requester(address: number): Requester {
    return {
      channel: this.channel,
      peer: slaveAddressText(address),
      sessionId: 0,
      user: null,
      privilege: "admin",
    };
  }
}

function key(address: number, seq: number): string {
  return `${address}:${seq}`;
}

/** The I2C core's errno for a failed transfer (Documentation/i2c/fault-codes.rst). */
function writeOutcome(err: unknown): Exclude<IpmbWriteOutcome, "sent"> {
  switch (errorCode(err)) {
    case "ENXIO":
    case "ENODEV":
      return "nak";
    case "EAGAIN":
      return "lost-arbitration";
    default:
      return "bus-error";
  }
}
