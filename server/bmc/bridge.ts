/**
 * BMC message bridging from the system interface to IPMB (IPMI 2.0 sections 6.13, 22.7):
 * the host hands the BMC a whole IPMB request in Send Message, the BMC puts it on the
 * IPMB, and the satellite's answer comes back to the host through the receive message
 * queue (Get Message, 22.6), announced by SMS_ATN.
 *
 * What Linux's ipmi_msghandler does (drivers/char/ipmi/ipmi_msghandler.c), which is what
 * `ipmitool -b 0 -t 0x72 ...` on the host goes through:
 * - format_ipmb_msg builds Send Message data as [channel, rsSA, netFn<<2|rsLUN,
 *   checksum1, rqSA, seq<<2|rqLUN, cmd, data..., checksum2]. The channel byte is the bare
 *   channel number: tracking 00b. rqSA is the BMC's own address (the channel's address,
 *   20h by default) and rqLUN 2 (the SMS LUN): the satellite answers the BMC, on the LUN
 *   whose messages the BMC queues for the host;
 * - handle_ipmb_get_msg_rsp reads Get Message's response as rsp[3] channel, rsp[4]
 *   netFn<<2|LUN, rsp[6] the responder's address, rsp[7] seq<<2|LUN, rsp[8] cmd, rsp[9] the
 *   satellite's completion code, then data, and a last byte (checksum2) it drops: the IPMB
 *   response without its first byte. It matches seq (rsp[7] >> 2), channel, cmd, netFn
 *   and the responder's address/LUN against the request it sent, so the answer must carry
 *   the host's own seq back.
 *
 * So both "track request" (01b) and "no tracking" (00b, Linux's) are handled the same way
 * when the embedded rqSA is the BMC's: the BMC sends the request with its own rqSeq
 * (so concurrent hosts' seqs never collide on the IPMB), remembers the original rqSA, rqSeq
 * and rqLUN, and rewrites the answer back to them before queueing it. Without tracking and
 * with another rqSA, the answer is not for the BMC: the frame goes out as it is. An
 * embedded *response* (Linux answering a satellite's request C1h through Send Message, as
 * handle_ipmb_get_msg_cmd does) goes out as it is too.
 *
 * Completion codes (table 22-10): 00h once the message is on the bus; 81h lost
 * arbitration, 82h bus error, 83h NAK on write; CCh for a channel that is not an IPMB of
 * this BMC, the reserved tracking value, "send raw" (not supported) or an embedded message
 * whose checksums fail; C7h for one longer than IPMB carries.
 */

import type {
  IpmbMessage,
  IpmbOutstanding,
  IpmbRequestOptions,
  IpmbResult,
  IpmbTarget,
  IpmbWriteOutcome,
} from "../buses/ipmb/ipmb-bus";
import { SEND_MESSAGE_CC } from "../ipmi/commands/app";
import { CC } from "../ipmi/completion-codes";
import {
  decodeIpmbFrame,
  encodeIpmbResponse,
  IPMB_MAX_FRAME,
  type IpmbRequest,
  slaveAddressText,
} from "../ipmi/ipmb/ipmb-frame";

/** Where bridged answers go: the receive message queue (server/bmc/message-queues.ts). */
export interface ReceiveQueueSink {
  /**
   * Queues one message for Get Message: `data` is what follows Get Message's channel byte.
   * False when the queue is full: the BMC then discards the message (it cannot NAK an
   * answer that has already arrived); the host's own timeout and retry take over.
   */
  push(entry: { channel: number; privilege: number; data: Uint8Array; forBus?: string }): boolean;
}

/** What the bridge needs of an IPMB bus (IpmbBus has it). */
export interface IpmbPort {
  /** The BMC's slave address on that bus. */
  readonly ownAddress: number;
  request(target: IpmbTarget, msg: IpmbMessage, options?: IpmbRequestOptions): IpmbOutstanding;
  /** Puts a frame on the bus as it is. */
  write(frame: Uint8Array): Promise<IpmbWriteOutcome>;
}

export interface BridgeLog {
  warn(msg: string): void;
}

export interface BridgeDeps {
  /** The IPMB bus that is channel `channel`, if this BMC has one. */
  ipmb: (channel: number) => IpmbPort | undefined;
  receiveQueue: ReceiveQueueSink;
  log?: BridgeLog;
}

export interface SendMessageRequest {
  /**
   * The bus (system interface) the Send Message came in on: the answer is queued for that
   * interface only, so with two interfaces (BT and KCS) the driver that asked reads it.
   */
  from?: string;
  channel: number;
  /** Bits 7:6 of byte 1: 0 no tracking, 1 track request, 2 send raw, 3 reserved. */
  tracking: number;
  message: Uint8Array;
}

export interface BridgeOutcome {
  cc: number;
  note: string | null;
  /** Settles when the answer was queued (or dropped, or never came); for tests. */
  delivered?: Promise<"queued" | "queue-full" | "timeout" | "failed">;
}

/** Messages from IPMB carry no privilege: Get Message's "inferred privilege" is 0 (none) for session-less channels. */
const SESSIONLESS_PRIVILEGE = 0;

export const TRACKING = { NONE: 0, TRACK: 1, RAW: 2 } as const;

export class Bridge {
  readonly stats = { forwarded: 0, queued: 0, queueFull: 0, timeouts: 0, failed: 0 };

  constructor(private readonly deps: BridgeDeps) {}

  /** Send Message from the system interface. */
  async sendMessage(req: SendMessageRequest): Promise<BridgeOutcome> {
    if (req.tracking === 3) return refuse(CC.INVALID_DATA_FIELD, "tracking bits 11b are reserved");
    if (req.tracking === TRACKING.RAW) return refuse(CC.INVALID_DATA_FIELD, "send raw is not supported");
    const port = this.deps.ipmb(req.channel);
    if (!port) return refuse(CC.INVALID_DATA_FIELD, `channel ${req.channel} is not an IPMB of this BMC`);
    if (req.message.length > IPMB_MAX_FRAME)
      return refuse(
        CC.REQUEST_LENGTH_INVALID,
        `an IPMB message of ${req.message.length} bytes exceeds ${IPMB_MAX_FRAME}`,
      );
    const d = decodeIpmbFrame(req.message);
    if (!d.ok) return refuse(CC.INVALID_DATA_FIELD, `embedded IPMB message: ${d.reason}`);
    if (d.kind === "response" || (req.tracking === TRACKING.NONE && d.message.rqSA !== port.ownAddress)) {
      // Not the BMC's to follow: on the bus as the host built it.
      return outcomeOf(await port.write(req.message), null);
    }
    const q = d.message;
    if (q.rsSA === port.ownAddress)
      return refuse(
        CC.INVALID_DATA_FIELD,
        `embedded request is addressed to the BMC itself (${slaveAddressText(q.rsSA)})`,
      );
    const out = port.request(
      { slaveAddress: q.rsSA, lun: q.rsLUN },
      { netFn: q.netFn, cmd: q.cmd, data: q.data.slice() },
      { rqLun: q.rqLUN },
    );
    const written = await out.written;
    if (written !== "sent") return outcomeOf(written, null);
    this.stats.forwarded++;
    const delivered = out.result.then((r) => this.deliver(req.channel, q, r, req.from));
    return { cc: CC.OK, note: null, delivered };
  }

  /** The satellite's answer, rewritten back to the host's rqSA/rqSeq/rqLUN, into the receive queue. */
  private deliver(
    channel: number,
    original: IpmbRequest,
    r: IpmbResult,
    forBus: string | undefined,
  ): "queued" | "queue-full" | "timeout" | "failed" {
    if (r.status === "timeout") {
      this.stats.timeouts++;
      return "timeout";
    }
    if (r.status !== "ok") {
      this.stats.failed++;
      return "failed";
    }
    const a = r.response;
    const frame = encodeIpmbResponse({
      rqSA: original.rqSA,
      netFn: a.netFn,
      rqLUN: original.rqLUN,
      rsSA: a.rsSA,
      rqSeq: original.rqSeq,
      rsLUN: a.rsLUN,
      cmd: a.cmd,
      cc: a.cc,
      data: a.data,
    });
    // Get Message carries the IPMB message without its first byte (the BMC's own address).
    const ok = this.deps.receiveQueue.push({
      channel,
      privilege: SESSIONLESS_PRIVILEGE,
      data: frame.subarray(1),
      ...(forBus === undefined ? {} : { forBus }),
    });
    if (!ok) {
      this.stats.queueFull++;
      this.deps.log?.warn(
        `receive message queue full: answer from ${slaveAddressText(a.rsSA)} to seq ${original.rqSeq} discarded`,
      );
      return "queue-full";
    }
    this.stats.queued++;
    return "queued";
  }
}

function refuse(cc: number, note: string): BridgeOutcome {
  return { cc, note };
}

function outcomeOf(w: IpmbWriteOutcome, note: string | null): BridgeOutcome {
  switch (w) {
    case "sent":
      return { cc: CC.OK, note };
    case "nak":
      return { cc: SEND_MESSAGE_CC.NAK_ON_WRITE, note: "no device acknowledged the address (NAK)" };
    case "lost-arbitration":
      return { cc: SEND_MESSAGE_CC.LOST_ARBITRATION, note: "lost arbitration on the IPMB" };
    case "bus-error":
      return { cc: SEND_MESSAGE_CC.BUS_ERROR, note: "IPMB bus error" };
  }
}
