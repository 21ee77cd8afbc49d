/**
 * Everything that changes the live UI state, as one typed union. Two actions come from
 * the socket (the server's `snapshot`, then each `live` batch of the contract's
 * LiveEvent union); the rest are this tab's own: the connection's ups and downs, the
 * session, lists read over REST while the socket is not live, and what the API answered
 * a change made here. Each slice module (exchanges.ts, handlers.ts, ...) declares its
 * own actions and reduces the whole union, ignoring what it does not care about.
 */
import type { LiveEvent, Snapshot } from "../../../server/contract/events";
import type { ConnectionAction } from "./connection";
import type { ConsoleLaneAction } from "./consoleLane";
import type { ExchangesAction } from "./exchanges";
import type { HandlersAction } from "./handlers";
import type { HeldAction } from "./held";
import type { RulesAction } from "./rules";
import type { SessionAction } from "./session";

/** What the server pushes. Per connection the snapshot always comes first, then batches. */
export type ServerAction =
  /** The server's state as the (re)connection starts: replaces the lists, extends the ring. */
  | { type: "snapshot"; snapshot: Snapshot }
  /** One `live` batch, in stream order, as it arrived at local time `at` (ms). */
  | { type: "events"; events: readonly LiveEvent[]; at: number };

export type LiveAction =
  | ServerAction
  | ConnectionAction
  | SessionAction
  | ExchangesAction
  | ConsoleLaneAction
  | HandlersAction
  | RulesAction
  | HeldAction;

/** Where a list came from: nothing yet, the REST API, or the socket. */
export type ListSource = "none" | "rest" | "live";

/**
 * Whether a list read over REST may replace the one held: not while the socket is live
 * and has delivered its own (a REST answer that lands then is older than the socket's).
 */
export function takesRestList(source: ListSource, socketLive: boolean): boolean {
  return !(socketLive && source === "live");
}
