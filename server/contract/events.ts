/**
 * The one live event contract between server and UI (socket.io). Every server push is
 * a batch of LiveEvent; the client acknowledges each batch, which is how the server
 * knows a browser is keeping up (it sends a "skipped" marker instead of piling up).
 * The connection needs a signed-in session (the console's cookie) and a same-origin
 * handshake; a refused one gets connect_error "unauthorized". When the session ends
 * (sign-out, expiry) the server disconnects the socket.
 */

import { z } from "zod";
import type { ConsoleChunkDto } from "./console";
import type { AuditEntryDto, HeldRequestDto, HoldResolution, OperatorInfo, RuleDto } from "./control";
import type { ExchangeDto } from "./exchange";
import type { SetNodesOptions, SetNodesResult } from "./fleet";
import type { BusInfo, HandlerInfo } from "./handlers";
import type { RatesSnapshot } from "./rates";

export type LiveEvent =
  | { type: "exchange"; exchange: ExchangeDto }
  /** `count` exchanges between the neighbouring events were not sent to this client. */
  | { type: "skipped"; count: number }
  | { type: "handler"; handler: HandlerInfo }
  | { type: "buses"; buses: BusInfo[] }
  /** The whole rule list, in order, after any change. */
  | { type: "rules"; rules: RuleDto[] }
  /** A request was held for an operator. */
  | { type: "held"; held: HeldRequestDto }
  /** A held request left the queue; `by` is the operator, null when it expired. */
  | { type: "hold-resolved"; id: number; resolution: HoldResolution; by: string | null }
  | { type: "audit"; entry: AuditEntryDto }
  /**
   * A chunk of the host's console as stored in the history (same id and receivedAt as
   * GET /api/console/history), once its row is committed. Only to a client that turned its
   * console lane on (`setConsoleLane`).
   */
  | { type: "console"; chunk: ConsoleChunkDto };

export interface Snapshot {
  /** Newest last. */
  exchanges: ExchangeDto[];
  handlers: HandlerInfo[];
  buses: BusInfo[];
  rules: RuleDto[];
  /** Requests waiting for an operator, oldest first. */
  held: HeldRequestDto[];
  /** Who this connection is signed in as. */
  operator: OperatorInfo;
  /** Exchanges between `resumeFrom` and the oldest one here that the server no longer holds. */
  skipped: number;
  serverStartedAt: number;
}

export interface ServerToClientEvents {
  snapshot: (snapshot: Snapshot) => void;
  live: (events: LiveEvent[], ack: () => void) => void;
  /** Every second: exchanges/s per bus, handler latencies (server/traffic/rates.ts). */
  rates: (rates: RatesSnapshot) => void;
}

/** The answer to `setFilter`: `position` is the 0-based character offset of the problem. */
export type SetFilterResult = { ok: true } | { ok: false; error: string; position: number };

/**
 * Commands go over HTTP (one permission check, one audit path, scriptable with curl);
 * the socket carries what the server pushes, and one per-connection view setting.
 */
export interface ClientToServerEvents {
  /**
   * Only exchanges matching this filter (docs/filters.md) are sent to this client from
   * now on; blank text sends all again. An invalid filter is refused and the previous one
   * stays. Applies to live exchanges, not to the snapshot already sent.
   */
  setFilter: (text: string, ack: (result: SetFilterResult) => void) => void;
  /**
   * The Live page's console lane: with `on`, this connection gets the host console's
   * chunks as `console` events from now on (what came before is in the console history).
   * A new connection starts with it off.
   */
  setConsoleLane: (options: ConsoleLaneOptions, ack: (result: ConsoleLaneResult) => void) => void;
  /**
   * The fleet (docs/scaling.md): which nodes' live exchanges this connection gets from now
   * on, each with its `node`. A connection starts with its own node's only; "all" adds every
   * node's, a list those named (leaving this node's name out stops its own). Alone, the
   * node has only its own to send. Filters (`setFilter`, `node == "b"`) apply to all of them.
   */
  setNodes: (options: SetNodesOptions, ack: (result: SetNodesResult) => void) => void;
}

export const consoleLaneOptions = z.object({ on: z.boolean() }).strict();
export type ConsoleLaneOptions = z.infer<typeof consoleLaneOptions>;
export type ConsoleLaneResult = { ok: true } | { ok: false; error: string };

/** Sent in the socket.io handshake (`auth`): where a reconnecting client left off. */
export interface LiveHandshake {
  resumeFrom?: number;
}

export const LIVE_NAMESPACE = "/live";
