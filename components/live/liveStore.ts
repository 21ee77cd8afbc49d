/**
 * The state of the live connection, kept outside React: the socket writes into it
 * (snapshot, then batches of live events) and components read it through
 * useSyncExternalStore. Updates are applied at once but listeners are told at most
 * once per `schedule` tick, so a burst of batches costs one render.
 *
 * Besides the exchange ring it mirrors the operator-control state every tab must
 * agree on: who is signed in, the rule list, the held-request queue (and what just
 * left it), and the audit entries that arrived since the page loaded.
 */
import type {
  AuditEntryDto,
  HeldRequestDto,
  HoldResolution,
  OperatorInfo,
  RuleDto,
} from "../../server/contract/control";
import type { LiveEvent, LiveHandshake, Snapshot } from "../../server/contract/events";
import type { ExchangeDto } from "../../server/contract/exchange";
import type { BusInfo, HandlerInfo } from "../../server/contract/handlers";

/** "signed-out": the server refused or ended the session; the socket stays closed. */
export type ConnectionState = "connecting" | "live" | "disconnected" | "signed-out";

export type LiveRow =
  | { kind: "exchange"; key: string; exchange: ExchangeDto }
  /** `count` exchanges the server did not send us at this point of the stream. */
  | { kind: "skipped"; key: string; count: number };

/** Where a list came from: nothing yet, the REST API, or the socket. */
export type ListSource = "none" | "rest" | "live";
export type HandlersSource = ListSource;

/** A held request that just left the queue, kept a moment so its card can say why. */
export interface HeldResolutionNote {
  id: number;
  held: HeldRequestDto;
  /** What happened, or "conflict" when our own action came too late (HTTP 409). */
  resolution: HoldResolution | "conflict";
  by: string | null;
  /** The server's words for a conflict ("already answered ..."). */
  message: string | null;
  /** Local time (ms) it left the queue. */
  at: number;
}

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
  /** Who this tab is signed in as (GET /api/auth/session or the snapshot); null until known. */
  operator: OperatorInfo | null;
  /** The response rules, in order (position ascending). */
  rules: readonly RuleDto[];
  rulesSource: ListSource;
  /** Requests waiting for an operator, oldest first. */
  held: readonly HeldRequestDto[];
  heldSource: ListSource;
  /** Held requests that recently left the queue, newest last (at most RESOLUTION_NOTES). */
  holdResolutions: readonly HeldResolutionNote[];
  /** Audit entries received live since the page loaded, newest first (at most AUDIT_CAPACITY). */
  audit: readonly AuditEntryDto[];
  /** Local clock minus server clock (ms), measured from fresh `held` events; 0 until measured. */
  clockOffsetMs: number;
}

export const DEFAULT_CAPACITY = 5000;
export const AUDIT_CAPACITY = 500;
export const RESOLUTION_NOTES = 50;

export interface LiveStoreOptions {
  capacity?: number;
  /** Runs `flush` soon; defaults to running it at once. */
  schedule?: (flush: () => void) => void;
  /** The local clock; tests pass their own. */
  now?: () => number;
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
  operator: null,
  rules: [],
  rulesSource: "none",
  held: [],
  heldSource: "none",
  holdResolutions: [],
  audit: [],
  clockOffsetMs: 0,
});

const byPosition = (a: RuleDto, b: RuleDto) => a.position - b.position || a.id - b.id;

/** The rule list in order; positions renumbered 0..n-1 in that order. */
export function sortRules(rules: readonly RuleDto[]): RuleDto[] {
  return [...rules].sort(byPosition);
}

/**
 * The list after moving rule `id` to index `position` (clamped), positions renumbered:
 * what the server answers a PATCH { position } with, for when no `rules` event follows.
 */
export function moveRule(rules: readonly RuleDto[], id: number, position: number): RuleDto[] {
  const ordered = sortRules(rules);
  const from = ordered.findIndex((r) => r.id === id);
  if (from === -1) return ordered;
  const [rule] = ordered.splice(from, 1);
  const to = Math.max(0, Math.min(position, ordered.length));
  ordered.splice(to, 0, rule!);
  return ordered.map((r, i) => (r.position === i ? r : { ...r, position: i }));
}

export class LiveStore {
  private readonly capacity: number;
  private readonly schedule: (flush: () => void) => void;
  private readonly now: () => number;
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
  /** Held ids this tab resolved itself: their `hold-resolved` event needs no note. */
  private readonly dismissed = new Set<number>();

  constructor(options: LiveStoreOptions = {}) {
    this.capacity = Math.max(1, options.capacity ?? DEFAULT_CAPACITY);
    this.schedule = options.schedule ?? ((flush) => flush());
    this.now = options.now ?? Date.now;
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

  setOperator(operator: OperatorInfo | null): void {
    this.update({ operator });
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
    const patch: Partial<LiveState> = {
      connection: "live",
      connectionError: null,
      handlers: this.handlers,
      handlersSource: "live",
      buses: snapshot.buses,
      serverStartedAt: snapshot.serverStartedAt,
      received,
      skipped,
      lastExchangeId,
    };
    // Older servers (before operator control) send none of these: keep what we have.
    if (snapshot.rules !== undefined) {
      patch.rules = sortRules(snapshot.rules);
      patch.rulesSource = "live";
    }
    if (snapshot.held !== undefined) {
      patch.held = [...snapshot.held];
      patch.heldSource = "live";
    }
    if (snapshot.operator !== undefined) patch.operator = snapshot.operator;
    this.update(patch);
  }

  applyEvents(events: readonly LiveEvent[]): void {
    const current = this.current();
    let { received, skipped, lastExchangeId, buses, rules, held, holdResolutions, audit, clockOffsetMs } =
      current;
    let handlersChanged = false;
    const patch: Partial<LiveState> = {};
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
        case "rules":
          rules = sortRules(event.rules);
          patch.rules = rules;
          patch.rulesSource = "live";
          break;
        case "held": {
          const h = event.held;
          // Fresh from the server: how far our clock is from its clock (plus the trip).
          clockOffsetMs = this.now() - h.heldAt;
          patch.clockOffsetMs = clockOffsetMs;
          if (!held.some((x) => x.id === h.id) && !holdResolutions.some((n) => n.id === h.id)) {
            held = [...held, h];
            patch.held = held;
          }
          break;
        }
        case "hold-resolved": {
          const gone = held.find((x) => x.id === event.id);
          if (gone !== undefined) {
            held = held.filter((x) => x.id !== event.id);
            patch.held = held;
          }
          if (gone !== undefined && !this.dismissed.has(event.id)) {
            holdResolutions = this.addNote(holdResolutions, {
              id: event.id,
              held: gone,
              resolution: event.resolution,
              by: event.by,
              message: null,
              at: this.now(),
            });
            patch.holdResolutions = holdResolutions;
          }
          this.dismissed.delete(event.id);
          break;
        }
        case "audit":
          if (!audit.some((a) => a.id === event.entry.id)) {
            audit = [event.entry, ...audit].slice(0, AUDIT_CAPACITY);
            patch.audit = audit;
          }
          break;
      }
    }
    this.trim();
    Object.assign(patch, { received, skipped, lastExchangeId, buses });
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

  /** The rule list from GET /api/rules; ignored while the socket is live and has sent one. */
  setRulesFromRest(rules: readonly RuleDto[]): void {
    const { connection, rulesSource } = this.current();
    if (connection === "live" && rulesSource === "live") return;
    this.update({ rules: sortRules(rules), rulesSource: "rest" });
  }

  /**
   * A rule as POST/PATCH answered it. The `rules` event that follows is the authority;
   * this keeps the page right meanwhile (and when offline). A changed position moves it.
   */
  upsertRule(rule: RuleDto): void {
    const { rules } = this.current();
    const others = rules.filter((r) => r.id !== rule.id);
    const existed = others.length !== rules.length;
    const old = rules.find((r) => r.id === rule.id);
    let next: RuleDto[];
    if (existed && old !== undefined && old.position !== rule.position) {
      next = moveRule(
        rules.map((r) => (r.id === rule.id ? { ...rule, position: old.position } : r)),
        rule.id,
        rule.position,
      );
    } else if (existed) {
      next = sortRules(rules.map((r) => (r.id === rule.id ? rule : r)));
    } else {
      next = sortRules([...others, rule]);
    }
    this.update({ rules: next });
  }

  /** A rule the server deleted (204). */
  removeRule(id: number): void {
    const { rules } = this.current();
    if (!rules.some((r) => r.id === id)) return;
    this.update({ rules: rules.filter((r) => r.id !== id).map((r, i) => ({ ...r, position: i })) });
  }

  /** The queue from GET /api/held; ignored while the socket is live and has sent one. */
  setHeldFromRest(held: readonly HeldRequestDto[]): void {
    const { connection, heldSource } = this.current();
    if (connection === "live" && heldSource === "live") return;
    this.update({ held: [...held], heldSource: "rest" });
  }

  /**
   * Takes a held request off the queue because this tab acted on it. With `conflict`
   * (our action came second: HTTP 409/404) its card stays a moment to say so; after our
   * own success it just goes, and the `hold-resolved` event that follows adds nothing.
   */
  dismissHeld(id: number, conflict?: { message: string | null }): void {
    const { held, holdResolutions } = this.current();
    const gone = held.find((x) => x.id === id);
    const patch: Partial<LiveState> = {};
    if (gone !== undefined) patch.held = held.filter((x) => x.id !== id);
    if (conflict !== undefined) {
      // The event may have come first (with who did it): keep that, say it was a conflict.
      const earlier = holdResolutions.find((n) => n.id === id);
      const base = gone ?? earlier?.held;
      if (base !== undefined) {
        patch.holdResolutions = this.addNote(holdResolutions, {
          id,
          held: base,
          resolution: "conflict",
          by: earlier?.by ?? null,
          message: conflict.message,
          at: this.now(),
        });
      }
    } else {
      if (gone !== undefined) this.dismissed.add(id);
      if (holdResolutions.some((n) => n.id === id)) {
        patch.holdResolutions = holdResolutions.filter((n) => n.id !== id);
      }
    }
    this.update(patch);
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

  private addNote(notes: readonly HeldResolutionNote[], note: HeldResolutionNote): HeldResolutionNote[] {
    return [...notes.filter((n) => n.id !== note.id), note].slice(-RESOLUTION_NOTES);
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
