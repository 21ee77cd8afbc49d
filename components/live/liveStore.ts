/**
 * The state of the live connection, kept outside React: the socket writes into it
 * (snapshot, then batches of live events) and components read it through
 * useSyncExternalStore. Updates are applied at once but listeners are told at most
 * once per `schedule` tick, so a burst of batches costs one render.
 */
import type { LiveEvent, LiveHandshake, Snapshot } from "../../server/contract/events";
import type { ExchangeDto } from "../../server/contract/exchange";
import type { BusInfo, HandlerInfo } from "../../server/contract/handlers";

export type ConnectionState = "connecting" | "live" | "disconnected";

export type LiveRow =
  | { kind: "exchange"; key: string; exchange: ExchangeDto }
  /** `count` exchanges the server did not send us at this point of the stream. */
  | { kind: "skipped"; key: string; count: number };

export type HandlersSource = "none" | "rest" | "live";

export interface LiveState {
  connection: ConnectionState;
  /** Why the last connection attempt failed, for the indicator's tooltip. */
  connectionError: string | null;
  /** Oldest first, at most `capacity` rows; older ones fall off the front. */
  rows: readonly LiveRow[];
  handlers: readonly HandlerInfo[];
  /** Where `handlers` came from: nothing yet, GET /api/handlers, or the socket. */
  handlersSource: HandlersSource;
  buses: readonly BusInfo[];
  /** The id of the last exchange received (stream order); sent as `resumeFrom` on reconnect. */
  lastExchangeId: number | null;
  /** Exchanges received since the page loaded (not capped: counts what fell off too). */
  received: number;
  /** Exchanges the server reported as skipped since the page loaded. */
  skipped: number;
  serverStartedAt: number | null;
}

export const DEFAULT_CAPACITY = 5000;

export interface LiveStoreOptions {
  capacity?: number;
  /** Runs `flush` soon; defaults to running it at once. */
  schedule?: (flush: () => void) => void;
}

type Listener = () => void;

export const INITIAL_LIVE_STATE: LiveState = Object.freeze({
  connection: "connecting",
  connectionError: null,
  rows: [],
  handlers: [],
  handlersSource: "none",
  buses: [],
  lastExchangeId: null,
  received: 0,
  skipped: 0,
  serverStartedAt: null,
});

export class LiveStore {
  private readonly capacity: number;
  private readonly schedule: (flush: () => void) => void;
  private readonly listeners = new Set<Listener>();
  private state: LiveState = INITIAL_LIVE_STATE;

  // Working copies, published into `state` on flush.
  private rows: LiveRow[] = [];
  private rowsChanged = false;
  private readonly idsInRing = new Set<number>();
  private markerSeq = 0;
  private handlers: readonly HandlerInfo[] = [];
  private pending: Partial<LiveState> = {};
  private scheduled = false;

  constructor(options: LiveStoreOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? DEFAULT_CAPACITY);
    this.schedule = options.schedule ?? ((flush) => flush());
  }

  getState = (): LiveState => this.state;

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  /** What to send in the socket.io handshake so the server resumes where we left off. */
  handshake(): LiveHandshake {
    const last = this.current().lastExchangeId;
    return last === null ? {} : { resumeFrom: last };
  }

  setConnection(connection: ConnectionState, error: string | null = null): void {
    this.update({ connection, connectionError: error });
  }

  applySnapshot(snapshot: Snapshot): void {
    const current = this.current();
    const restarted =
      current.serverStartedAt !== null && current.serverStartedAt !== snapshot.serverStartedAt;
    if (restarted) {
      // A new server run may number exchanges afresh: start over rather than mix two runs.
      this.rows = [];
      this.idsInRing.clear();
      this.rowsChanged = true;
    }
    let { received, skipped, lastExchangeId } = current;
    if (snapshot.skipped > 0) {
      this.pushSkipped(snapshot.skipped);
      skipped += snapshot.skipped;
    }
    for (const exchange of snapshot.exchanges) {
      if (this.putExchange(exchange)) received++;
      lastExchangeId = exchange.id;
    }
    this.trim();
    this.handlers = [...snapshot.handlers];
    this.update({
      connection: "live",
      connectionError: null,
      handlers: this.handlers,
      handlersSource: "live",
      buses: snapshot.buses,
      serverStartedAt: snapshot.serverStartedAt,
      received,
      skipped,
      lastExchangeId,
    });
  }

  applyEvents(events: readonly LiveEvent[]): void {
    const current = this.current();
    let { received, skipped, lastExchangeId, buses } = current;
    let handlersChanged = false;
    for (const event of events) {
      switch (event.type) {
        case "exchange":
          if (this.putExchange(event.exchange)) received++;
          lastExchangeId = event.exchange.id;
          break;
        case "skipped":
          if (event.count > 0) {
            this.pushSkipped(event.count);
            skipped += event.count;
          }
          break;
        case "handler":
          this.putHandler(event.handler);
          handlersChanged = true;
          break;
        case "buses":
          buses = event.buses;
          break;
      }
    }
    this.trim();
    const patch: Partial<LiveState> = { received, skipped, lastExchangeId, buses };
    if (handlersChanged) patch.handlers = this.handlers;
    this.update(patch);
  }

  /** The handler list from GET /api/handlers; ignored while the socket is live and has sent one. */
  setHandlersFromRest(handlers: readonly HandlerInfo[]): void {
    const { connection, handlersSource } = this.current();
    if (connection === "live" && handlersSource === "live") return;
    this.handlers = [...handlers];
    this.update({ handlers: this.handlers, handlersSource: "rest" });
  }

  /** A handler as a PATCH answered it (the live event may follow, or not when offline). */
  upsertHandler(handler: HandlerInfo): void {
    this.putHandler(handler);
    this.update({ handlers: this.handlers });
  }

  /** Publishes pending changes and tells listeners. Normally run by `schedule`. */
  flush = (): void => {
    this.scheduled = false;
    const next: LiveState = { ...this.state, ...this.pending };
    if (this.rowsChanged) next.rows = this.rows.slice();
    this.pending = {};
    this.rowsChanged = false;
    this.state = next;
    for (const listener of this.listeners) listener();
  };

  private current(): LiveState {
    return { ...this.state, ...this.pending };
  }

  private update(patch: Partial<LiveState>): void {
    Object.assign(this.pending, patch);
    if (this.scheduled) return;
    this.scheduled = true;
    this.schedule(this.flush);
  }

  /** Adds an exchange, or replaces the row with the same id. True when it was new. */
  private putExchange(exchange: ExchangeDto): boolean {
    this.rowsChanged = true;
    const row: LiveRow = { kind: "exchange", key: `x${exchange.id}`, exchange };
    if (this.idsInRing.has(exchange.id)) {
      for (let i = this.rows.length - 1; i >= 0; i--) {
        const old = this.rows[i]!;
        if (old.kind === "exchange" && old.exchange.id === exchange.id) {
          this.rows[i] = row;
          return false;
        }
      }
    }
    this.idsInRing.add(exchange.id);
    this.rows.push(row);
    return true;
  }

  private pushSkipped(count: number): void {
    this.rowsChanged = true;
    const last = this.rows.at(-1);
    if (last?.kind === "skipped") {
      // Two gaps with nothing between are one gap.
      this.rows[this.rows.length - 1] = { ...last, count: last.count + count };
      return;
    }
    this.rows.push({ kind: "skipped", key: `s${++this.markerSeq}`, count });
  }

  private trim(): void {
    const excess = this.rows.length - this.capacity;
    if (excess <= 0) return;
    for (const row of this.rows.splice(0, excess)) {
      if (row.kind === "exchange") this.idsInRing.delete(row.exchange.id);
    }
    this.rowsChanged = true;
  }

  /** Copy-on-write: `handlers` is published as is, so it is never changed in place. */
  private putHandler(handler: HandlerInfo): void {
    const i = this.handlers.findIndex((h) => h.id === handler.id);
    const next = this.handlers.slice();
    if (i === -1) next.push(handler);
    else next[i] = handler;
    this.handlers = next;
  }
}
