/**
 * The exchange record: one per request that reached the router (or frame that failed
 * to), whatever became of it. The server keeps bytes as Uint8Array; the wire form
 * (REST, socket.io, exports) carries them as hex text.
 */

import type { Privilege } from "../ipmi/commands/define";
import { parseHex, toHex } from "../ipmi/hex";
import type { BusKind } from "../router/types";

export type ExchangeStatus =
  /** answered with completion code 00h */
  | "ok"
  /** answered with a non-zero completion code */
  | "error"
  /** the router gave up waiting for the handler and answered C3h */
  | "timeout"
  /** the bus could not decode the frame */
  | "malformed"
  /**
   * answered after the host had stopped waiting (not sent), or a handler's answer after
   * the router had already answered (dropped, recorded with relatedId)
   */
  | "late"
  /** an operator rule or person chose to send nothing: the host times out */
  | "dropped";

export const EXCHANGE_STATUSES: readonly ExchangeStatus[] = [
  "ok",
  "error",
  "timeout",
  "malformed",
  "late",
  "dropped",
];

/**
 * Who started the exchange: the host (or a controller on IPMB) on its bus, an operator
 * (injected, replay), or the BMC itself bridging a request out to a satellite ("bridged").
 */
export type ExchangeOrigin = "host" | "injected" | "replay" | "bridged";

/**
 * What a record holds besides IPMI messages: the LAN session layer's own exchanges
 * (IPMI 2.0 section 13), recorded so the handshake is as visible as the traffic it opens.
 * Their `request`/`response` are the payloads (RAKP 1 and RAKP 2, say) and `cc` is the
 * RMCP+ status code of the answer (table 13-15), null for the presence ping.
 */
export type SessionPayload = "presence-ping" | "open-session" | "rakp-1" | "rakp-3";

export const SESSION_PAYLOAD_NAMES: Readonly<Record<SessionPayload, string>> = {
  "presence-ping": "RMCP presence ping",
  "open-session": "RMCP+ Open Session",
  "rakp-1": "RAKP 1 / RAKP 2",
  "rakp-3": "RAKP 3 / RAKP 4",
};

export interface Exchange {
  id: number;
  busId: string;
  busKind: BusKind;
  origin: ExchangeOrigin;
  seq: number | null;
  netFn: number | null;
  lun: number | null;
  cmd: number | null;
  /** Request data bytes (after cmd). */
  request: Uint8Array;
  cc: number | null;
  /** Response data bytes (after the completion code); null when nothing was sent. */
  response: Uint8Array | null;
  handlerId: string | null;
  status: ExchangeStatus;
  /** ms since the epoch, with sub-ms precision. */
  receivedAt: number;
  answeredAt: number | null;
  latencyUs: number | null;
  /** Why it went the way it did, for people: "no handler", "handler threw: ...". */
  note: string | null;
  /**
   * The request's bytes as they arrived on the bus (a BT frame, an unescaped VM message),
   * or the undecodable frame of a malformed record; null for injected and replayed requests.
   */
  frame: Uint8Array | null;
  /**
   * The response's bytes as the bus sent them, where the bus keeps them (the LAN bus: the
   * whole UDP datagram, sealed); null when nothing was sent, for other buses, and in older logs.
   */
  responseFrame: Uint8Array | null;
  /** For a "late" record: the exchange it was late for. */
  relatedId: number | null;
  /** The operator rule that acted on this exchange, if any. */
  ruleId: number | null;
  /** A session-layer record (handshake, ping); null for an IPMI message. */
  payload: SessionPayload | null;
  /** The client's address on a network bus ("127.0.0.1:50123"); null on the system interface. */
  peer: string | null;
  /** The session's user name ("" for the null user); null outside a session. */
  user: string | null;
  /** The privilege the request was made with (the session's level, "none" before one); null on the system interface. */
  privilege: Privilege | null;
  /** The BMC's session ID of the session the request came in; null outside a session. */
  sessionId: number | null;
}

export interface ExchangeDto extends Omit<Exchange, "request" | "response" | "frame" | "responseFrame"> {
  request: string;
  response: string | null;
  frame: string | null;
  responseFrame: string | null;
  /**
   * The fleet node that routed it (NODE_NAME): set on what the live stream sends while the
   * fleet is on (FLEET_DATABASE_URL), this node's own included; absent on a node alone.
   * Ids are per node: node and id together name an exchange in the fleet.
   */
  node?: string;
}

/** Another node's exchange as a record (the live filters' `node` field reads `node`). */
export type RemoteExchange = Exchange & { node?: string };

export function toExchangeDto(x: Exchange): ExchangeDto {
  return {
    ...x,
    request: toHex(x.request),
    response: x.response === null ? null : toHex(x.response),
    frame: x.frame === null ? null : toHex(x.frame),
    responseFrame: x.responseFrame === null ? null : toHex(x.responseFrame),
  };
}

/** Hex text the wire form holds; what fails to parse (it was checked on arrival) reads as no bytes. */
function bytesOf(hex: string): Uint8Array {
  const parsed = parseHex(hex);
  return parsed.ok ? parsed.bytes : new Uint8Array();
}

/**
 * The wire form back into a record: another node's exchanges arrive as DTOs, and the live
 * filters (server/traffic/filter) evaluate records.
 */
export function fromExchangeDto(dto: ExchangeDto): RemoteExchange {
  return {
    ...dto,
    request: bytesOf(dto.request),
    response: dto.response === null ? null : bytesOf(dto.response),
    frame: dto.frame === null ? null : bytesOf(dto.frame),
    responseFrame: dto.responseFrame === null ? null : bytesOf(dto.responseFrame),
  };
}
