/**
 * The router's two faces: what a bus sees (BusPort / Bus) and what a handler sees
 * (HandlerSpec / HandlerContext). The router knows nothing of framing or storage;
 * buses know nothing of handlers.
 */
import type { SessionPayload } from "../contract/exchange";
import type { BusState } from "../contract/handlers";
import type { Command, Privilege } from "../ipmi/commands/define";
import type { RequestLayout } from "../ipmi/layout/layout";

/**
 * The kind of interface a bus is. "bt", "kcs" and "ssif" are the host's system interfaces
 * (IPMI 2.0 sections 9, 11 and 12); "lan" and "ipmb" are not.
 */
export type BusKind = "bt" | "kcs" | "ssif" | "lan" | "ipmb" | "inject";

/**
 * Who sent a request over a session-based channel (LAN). Requests without one come
 * from the system interface, which IPMI does not limit by privilege (section 6.8).
 */
export interface Requester {
  /** The channel the request came in on (1 for the LAN channel). */
  channel: number;
  /** The client's address: "127.0.0.1:50123". */
  peer: string;
  /** The BMC's session ID; 0 for a request outside a session. */
  sessionId: number;
  /** The session's user name ("" for the null user); null outside a session. */
  user: string | null;
  /** The session's current privilege level; "none" outside a session (pre-session commands only). */
  privilege: Privilege;
}

/** A request as a bus decoded it. `tag` is the bus's own routing data, handed back with the response. */
export interface BusRequest {
  seq: number | null;
  netFn: number;
  lun: number;
  cmd: number;
  data: Uint8Array;
  /** Raw bytes as they arrived (the BT frame, the unescaped VM message), kept for the log. */
  frame?: Uint8Array;
  tag?: unknown;
  /** Set by network buses: the session and address the request came from. */
  requester?: Requester;
}

/** The response the router asks a bus to send. `netFn` is the response (odd) netfn. */
export interface BusResponse {
  seq: number | null;
  netFn: number;
  lun: number;
  cmd: number;
  cc: number;
  data: Uint8Array;
  tag?: unknown;
  /**
   * Set by a bus in send() when it keeps the bytes it put on the wire (the LAN bus: the
   * sealed UDP datagram); the router records them as the exchange's `responseFrame`.
   */
  sentFrame?: Uint8Array;
}

/** A frame the bus could not decode. If enough of the header survived, `reply` says how to answer it. */
export interface BusMalformed {
  frame: Uint8Array;
  reason: string;
  reply?: Omit<BusResponse, "data"> & { data?: Uint8Array };
  /** The decoded header where it survived, for the log. */
  header?: { seq: number | null; netFn: number; lun: number; cmd: number };
  /** Who sent it, as far as the bus could tell (a network bus always knows the address). */
  requester?: Requester;
}

/**
 * A session-layer exchange a bus answered itself (a presence ping, RMCP+ Open Session,
 * RAKP): not routed to a handler, but recorded like any exchange.
 */
export interface BusSessionRecord {
  payload: SessionPayload;
  request: Uint8Array;
  /** What the bus sent back; null when it sent nothing. */
  response: Uint8Array | null;
  /** The whole frame the bus sent back (the LAN bus: the UDP datagram); null or absent when none. */
  responseFrame?: Uint8Array | null;
  /** The RMCP+ status code sent (table 13-15); null for the presence ping. */
  status: number | null;
  /** False when the bus refused the request (a non-zero status) or dropped it. */
  ok: boolean;
  note: string | null;
  frame: Uint8Array;
  requester: Requester;
}

/**
 * A request the BMC itself sent out on a bus (to a satellite controller on IPMB) and what
 * came back: not routed to a handler, but recorded like any exchange, origin "bridged".
 */
export interface BusOutboundRecord {
  /** The responder's address as text: "0x72". */
  target: string;
  seq: number;
  /** The request netfn (even). */
  netFn: number;
  lun: number;
  cmd: number;
  /** Request data bytes (after cmd). */
  request: Uint8Array;
  /** The request as sent on the wire. */
  frame: Uint8Array;
  /** The answer's completion code and data; null when none came (timeout, NAK). */
  cc: number | null;
  response: Uint8Array | null;
  responseFrame: Uint8Array | null;
  status: "ok" | "error" | "timeout";
  note: string | null;
  /** How long the answer took (or the wait until giving up), in ms. */
  elapsedMs: number;
}

/** What the router hands a bus when it is added. */
export interface BusPort {
  request(req: BusRequest): void;
  malformed(m: BusMalformed): void;
  /** Records a session-layer exchange the bus answered itself. */
  record(r: BusSessionRecord): void;
  /** Records an exchange the BMC started on this bus (absent from ports that predate it). */
  outbound?(r: BusOutboundRecord): void;
  /** The bus can take responses again after it answered "busy". */
  ready(): void;
}

export type SendResult = "sent" | "busy";

export interface Bus {
  readonly id: string;
  readonly kind: BusKind;
  /** One line for people: "simulated host, 10 msg/s". */
  readonly description: string;
  /** Most response data bytes (after the completion code) one frame of this bus carries. */
  readonly maxResponseData?: number;
  /** How long a request of this bus may be held for an operator before its host gives up. */
  readonly holdDeadlineMs?: number;
  /** How long the host waits for an answer; a later answer is recorded as late and not sent. */
  readonly hostTimeoutMs?: number;
  /** Whether it carries traffic now (contract BusInfo); absent: "up" once added. */
  readonly state?: BusState;
  attach(port: BusPort): void;
  /** "busy": the bus cannot take it now; the router keeps it queued and retries on ready(). */
  send(res: BusResponse): SendResult;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export type { Privilege };

export interface HandlerContext<Req = unknown> {
  readonly busId: string;
  readonly busKind: BusKind;
  readonly netFn: number;
  readonly lun: number;
  readonly cmd: number;
  /** Request data after the group/IANA key, unparsed. */
  readonly data: Uint8Array;
  readonly request: Req;
  /** Who sent it over a session-based channel; null on the system interface. */
  readonly requester: Requester | null;
  /** Aborted when the router gave up on this request (timeout). */
  readonly signal: AbortSignal;
}

export interface HandlerReply {
  cc?: number;
  data?: Uint8Array | readonly number[];
}

export type HandlerResult = HandlerReply | Promise<HandlerReply>;

export interface HandlerSpec<Req = unknown> {
  /** Stable id, used for persistence and the API: "app.get-device-id". */
  id: string;
  netFn: number;
  cmd: number;
  /** Body code (netfn 2Ch) or IANA enterprise number (netfn 2Eh). */
  group?: number;
  priority?: number;
  privilege?: Privilege;
  timeoutMs?: number;
  description?: string;
  /** The command-table entry the handler answers for (handlers built with handlerFor). */
  command?: Command;
  request: RequestLayout<Req>;
  handle(ctx: HandlerContext<Req>): HandlerResult;
}

/** Helps TypeScript infer Req from the layout. */
export function defineHandler<Req>(spec: HandlerSpec<Req>): HandlerSpec<Req> {
  return spec;
}
