/**
 * The one live event contract between server and UI (socket.io). Every server push is
 * a batch of LiveEvent; the client acknowledges each batch, which is how the server
 * knows a browser is keeping up (it sends a "skipped" marker instead of piling up).
 */

import type { ExchangeDto } from "./exchange";
import type { BusInfo, HandlerInfo } from "./handlers";

export type LiveEvent =
  | { type: "exchange"; exchange: ExchangeDto }
  /** `count` exchanges between the neighbouring events were not sent to this client. */
  | { type: "skipped"; count: number }
  | { type: "handler"; handler: HandlerInfo }
  | { type: "buses"; buses: BusInfo[] };

export interface Snapshot {
  /** Newest last. */
  exchanges: ExchangeDto[];
  handlers: HandlerInfo[];
  buses: BusInfo[];
  /** Exchanges between `resumeFrom` and the oldest one here that the server no longer holds. */
  skipped: number;
  serverStartedAt: number;
}

export interface ServerToClientEvents {
  snapshot: (snapshot: Snapshot) => void;
  live: (events: LiveEvent[], ack: () => void) => void;
}

// biome-ignore lint/complexity/noBannedTypes: no client commands yet; operator commands arrive with sign-in
export type ClientToServerEvents = {};

/** Sent in the socket.io handshake (`auth`): where a reconnecting client left off. */
export interface LiveHandshake {
  resumeFrom?: number;
}

export const LIVE_NAMESPACE = "/live";
