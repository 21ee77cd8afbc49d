/**
 * The exchange record: one per request that reached the router (or frame that failed
 * to), whatever became of it. The server keeps bytes as Uint8Array; the wire form
 * (REST, socket.io, exports) carries them as hex text.
 */

import { toHex } from "../ipmi/hex";
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

export type ExchangeOrigin = "host" | "injected" | "replay";

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
  /** For a "late" record: the exchange it was late for. */
  relatedId: number | null;
  /** The operator rule that acted on this exchange, if any. */
  ruleId: number | null;
}

export interface ExchangeDto extends Omit<Exchange, "request" | "response" | "frame"> {
  request: string;
  response: string | null;
  frame: string | null;
}

export function toExchangeDto(x: Exchange): ExchangeDto {
  return {
    ...x,
    request: toHex(x.request),
    response: x.response === null ? null : toHex(x.response),
    frame: x.frame === null ? null : toHex(x.frame),
  };
}
