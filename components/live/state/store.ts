/**
 * The live UI state, kept outside React: the socket writes into it (the snapshot, then
 * each batch of live events) and components read it through useSyncExternalStore.
 *
 * One slice per module, each a pure reducer over the one action union (actions.ts):
 * connection, session (the operator), exchanges (the ring, counters, pause), handlers,
 * buses, rules, held requests, audit. A slice returns the same object when an action
 * does not concern it, and so does the root when no slice changed: a selector of one
 * slice re-renders only when that slice changed.
 *
 * Updates are published and told to listeners at most once per `schedule` tick, so a
 * burst of batches costs one render. Batches of live events are queued and reduced
 * together when anything reads or changes the state (any other action, `handshake()`,
 * the flush): a flat-out stream sends hundreds of batches a second, and reducing each
 * alone would copy the whole ring every time.
 */
import type { ConsoleChunkDto } from "@/server/contract/console";
import type { ConsoleLaneResult, SetFilterResult } from "@/server/contract/events";
import type { SetNodesOptions, SetNodesResult } from "@/server/contract/fleet";
import type { HeldRequestDto, OperatorInfo, RuleDto } from "../../../server/contract/control";
import type { LiveEvent, LiveHandshake, Snapshot } from "../../../server/contract/events";
import type { ExchangeDto } from "../../../server/contract/exchange";
import type { HandlerInfo } from "../../../server/contract/handlers";
import type { LiveAction } from "./actions";
import { type AuditState, auditReducer, INITIAL_AUDIT } from "./audit";
import { type BusesState, busesReducer, INITIAL_BUSES } from "./buses";
import {
  type ConnectionState,
  type ConnectionStatus,
  connectionReducer,
  INITIAL_CONNECTION,
} from "./connection";
import { type ConsoleLaneState, consoleLaneReducer, INITIAL_CONSOLE_LANE } from "./consoleLane";
import { DEFAULT_CAPACITY, type ExchangesState, exchangesReducer, initialExchanges } from "./exchanges";
import { type HandlersState, handlersReducer, INITIAL_HANDLERS } from "./handlers";
import { type HeldState, heldReducer, INITIAL_HELD } from "./held";
import { INITIAL_RULES, type RulesState, rulesReducer } from "./rules";
import { INITIAL_SESSION, type SessionState, sessionReducer } from "./session";

export interface LiveState {
  connection: ConnectionState;
  session: SessionState;
  exchanges: ExchangesState;
  consoleLane: ConsoleLaneState;
  handlers: HandlersState;
  buses: BusesState;
  rules: RulesState;
  held: HeldState;
  audit: AuditState;
}

export function initialLiveState(capacity = DEFAULT_CAPACITY): LiveState {
  return {
    connection: INITIAL_CONNECTION,
    session: INITIAL_SESSION,
    exchanges: initialExchanges(capacity),
    consoleLane: INITIAL_CONSOLE_LANE,
    handlers: INITIAL_HANDLERS,
    buses: INITIAL_BUSES,
    rules: INITIAL_RULES,
    held: INITIAL_HELD,
    audit: INITIAL_AUDIT,
  };
}

/** What server rendering (and the first client render) sees. */
export const INITIAL_LIVE_STATE: LiveState = initialLiveState();

/** Every slice's reducer over the action; the same state when none changed. */
export function liveReducer(state: LiveState, action: LiveAction): LiveState {
  const next: LiveState = {
    connection: connectionReducer(state.connection, action),
    session: sessionReducer(state.session, action),
    exchanges: exchangesReducer(state.exchanges, action),
    consoleLane: consoleLaneReducer(state.consoleLane, action),
    handlers: handlersReducer(state.handlers, action),
    buses: busesReducer(state.buses, action),
    rules: rulesReducer(state.rules, action),
    held: heldReducer(state.held, action),
    audit: auditReducer(state.audit, action),
  };
  const changed =
    next.connection !== state.connection ||
    next.session !== state.session ||
    next.exchanges !== state.exchanges ||
    next.consoleLane !== state.consoleLane ||
    next.handlers !== state.handlers ||
    next.buses !== state.buses ||
    next.rules !== state.rules ||
    next.held !== state.held ||
    next.audit !== state.audit;
  return changed ? next : state;
}

export interface LiveStoreOptions {
  capacity?: number;
  /** Runs `flush` soon; defaults to running it at once. */
  schedule?: (flush: () => void) => void;
  /** The local clock; tests pass their own. */
  now?: () => number;
}

type Listener = () => void;

export class LiveStore {
  private readonly schedule: (flush: () => void) => void;
  private readonly now: () => number;
  private readonly listeners = new Set<Listener>();
  /** What listeners see. */
  private published: LiveState;
  /** With every action applied; published on flush. */
  private current: LiveState;
  private scheduled = false;
  /** Live events received but not reduced yet, oldest first; `at` is when the first arrived. */
  private queued: { events: LiveEvent[]; at: number } | null = null;

  constructor(options: LiveStoreOptions = {}) {
    this.schedule = options.schedule ?? ((flush) => flush());
    this.now = options.now ?? Date.now;
    this.published = options.capacity === undefined ? INITIAL_LIVE_STATE : initialLiveState(options.capacity);
    this.current = this.published;
  }

  getState = (): LiveState => this.published;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  dispatch(action: LiveAction): void {
    this.reduceQueued();
    this.apply(action);
  }

  private apply(action: LiveAction): void {
    const next = liveReducer(this.current, action);
    if (next === this.current) return;
    this.current = next;
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(this.flush);
  }

  /** Reduces the queued live events as one action (one copy of the ring for all of them). */
  private reduceQueued(): void {
    const queued = this.queued;
    if (queued === null) return;
    this.queued = null;
    this.apply({ type: "events", events: queued.events, at: queued.at });
  }

  /** Publishes what changed and tells listeners. Normally run by `schedule`. */
  flush = (): void => {
    // Reduced while still marked scheduled, so reducing does not schedule another flush.
    this.reduceQueued();
    this.scheduled = false;
    if (this.published === this.current) return;
    this.published = this.current;
    for (const listener of this.listeners) listener();
  };

  /** What to send in the socket.io handshake so the server resumes where we left off. */
  // ---- the server-side filter (issue 10): the socket evaluates it per client --------

  private filterText = "";
  private filterSender: ((text: string) => Promise<SetFilterResult>) | undefined;

  /** The connection sends filters through this; on every (re)connect it re-sends the current one. */
  attachFilterSender(send: ((text: string) => Promise<SetFilterResult>) | undefined): void {
    this.filterSender = send;
  }

  get serverFilter(): string {
    return this.filterText;
  }

  /** Asks the server to send only exchanges matching `text` ("" for all). Offline, it is sent on connect. */
  async setServerFilter(text: string): Promise<SetFilterResult> {
    this.filterText = text;
    return this.filterSender ? this.filterSender(text) : { ok: true };
  }

  // ---- the console lane: the socket sends this tab the host console's chunks -------

  private laneSender: ((on: boolean) => Promise<ConsoleLaneResult>) | undefined;

  /** The connection sends the lane option through this; on every (re)connect it re-sends it when on. */
  attachConsoleLaneSender(send: ((on: boolean) => Promise<ConsoleLaneResult>) | undefined): void {
    this.laneSender = send;
  }

  get consoleLaneOn(): boolean {
    this.reduceQueued();
    return this.current.consoleLane.on;
  }

  /** Turns the lane on or off, here and on the server (offline: sent on connect). */
  async setConsoleLane(on: boolean): Promise<ConsoleLaneResult> {
    this.dispatch({ type: "console/lane", on });
    return this.laneSender ? this.laneSender(on) : { ok: true };
  }

  /** Chunks read from the console history (ignored unless the lane is on). */
  backfillConsole(chunks: readonly ConsoleChunkDto[]): void {
    this.dispatch({ type: "console/backfill", chunks });
  }

  // ---- the fleet: which nodes' traffic the socket sends this tab (issue 14) ----------

  private nodes: SetNodesOptions | null = null;
  private nodesSender: ((options: SetNodesOptions) => Promise<SetNodesResult>) | undefined;

  /** The connection sends the node choice through this; on every (re)connect it re-sends it. */
  attachNodesSender(send: ((options: SetNodesOptions) => Promise<SetNodesResult>) | undefined): void {
    this.nodesSender = send;
  }

  /** What was last asked with setNodes; null: nothing (a connection watches its own node). */
  get watchedNodes(): SetNodesOptions | null {
    return this.nodes;
  }

  /** Asks the server for these nodes' traffic (offline: sent on connect). */
  async setNodes(options: SetNodesOptions): Promise<SetNodesResult> {
    this.nodes = options;
    return this.nodesSender ? this.nodesSender(options) : { ok: true };
  }

  /** Other nodes' recent exchanges from the fleet's store, merged by time (exchanges.ts backfill). */
  backfillExchanges(exchanges: readonly ExchangeDto[]): void {
    this.dispatch({ type: "exchanges/backfill", exchanges });
  }

  /** This node's name in the fleet (null: alone): only its exchange ids are resumed from. */
  setSelfNode(node: string | null): void {
    this.dispatch({ type: "exchanges/self", node });
  }

  handshake(): LiveHandshake {
    this.reduceQueued();
    const last = this.current.exchanges.lastExchangeId;
    return last === null ? {} : { resumeFrom: last };
  }

  // ---- from the socket ----

  applySnapshot(snapshot: Snapshot): void {
    this.dispatch({ type: "snapshot", snapshot });
  }

  applyEvents(events: readonly LiveEvent[]): void {
    if (events.length === 0) return;
    if (this.queued === null) this.queued = { events: [...events], at: this.now() };
    else for (const event of events) this.queued.events.push(event);
    // Reduced on the flush (or sooner, when something reads the state first).
    this.scheduleFlush();
  }

  // ---- the connection and the session ----

  setConnection(status: ConnectionStatus, error: string | null = null): void {
    this.dispatch({ type: "connection", status, error });
  }

  setOperator(operator: OperatorInfo | null): void {
    this.dispatch({ type: "operator", operator });
  }

  /** The session is gone: the stream stops ("signed-out", with why) and the operator is forgotten. */
  signOut(reason: string): void {
    this.dispatch({ type: "signed-out", reason });
  }

  // ---- the Live page ----

  pause(): void {
    this.dispatch({ type: "exchanges/pause" });
  }

  resume(): void {
    this.dispatch({ type: "exchanges/resume" });
  }

  // ---- REST stand-ins and what the API answered this tab ----

  /** The handler list from GET /api/handlers; ignored while the socket is live and has sent one. */
  setHandlersFromRest(handlers: readonly HandlerInfo[]): void {
    this.dispatch({ type: "handlers/rest", handlers, socketLive: this.socketLive() });
  }

  /** A handler as a PATCH answered it (the live event may follow, or not when offline). */
  upsertHandler(handler: HandlerInfo): void {
    this.dispatch({ type: "handlers/upsert", handler });
  }

  /** The rule list from GET /api/rules; ignored while the socket is live and has sent one. */
  setRulesFromRest(rules: readonly RuleDto[]): void {
    this.dispatch({ type: "rules/rest", rules, socketLive: this.socketLive() });
  }

  /**
   * A rule as POST/PATCH answered it. The `rules` event that follows is the authority;
   * this keeps the page right meanwhile (and when offline). A changed position moves it.
   */
  upsertRule(rule: RuleDto): void {
    this.dispatch({ type: "rules/upsert", rule });
  }

  /** A rule the server deleted (204). */
  removeRule(id: number): void {
    this.dispatch({ type: "rules/remove", id });
  }

  /** The queue from GET /api/held; ignored while the socket is live and has sent one. */
  setHeldFromRest(held: readonly HeldRequestDto[]): void {
    this.dispatch({ type: "held/rest", held, socketLive: this.socketLive() });
  }

  /**
   * Takes a held request off the queue because this tab acted on it. With `conflict`
   * (our action came second: HTTP 409/404) its card stays a moment to say so; after our
   * own success it just goes, and the `hold-resolved` event that follows adds nothing.
   */
  dismissHeld(id: number, conflict?: { message: string | null }): void {
    this.dispatch({ type: "held/dismiss", id, conflict: conflict ?? null, at: this.now() });
  }

  private socketLive(): boolean {
    this.reduceQueued();
    return this.current.connection.status === "live";
  }
}
