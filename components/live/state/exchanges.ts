/**
 * The exchange ring: the newest `capacity` rows of the stream (exchanges and markers
 * where the server skipped some), the counters, where to resume after a reconnect, and
 * the paused view. Snapshots and batches arrive many times a second, so one action
 * copies the ring once (a draft), not once per exchange.
 */
import type { ExchangeDto } from "../../../server/contract/exchange";
import type { LiveAction } from "./actions";

/**
 * What names an exchange in the live view: its node and its id. Ids are per node (node A's
 * exchange 1 and node C's exchange 1 are two exchanges), and a node alone sends no node.
 */
export function exchangeKey(x: Pick<ExchangeDto, "id" | "node">): string {
  return `${x.node ?? ""}:${x.id}`;
}

/** The table row key of an exchange (gap markers are s1, s2, ..., console lines c...). */
export function exchangeRowKey(x: Pick<ExchangeDto, "id" | "node">): string {
  return `x${exchangeKey(x)}`;
}

export type LiveRow =
  | { kind: "exchange"; key: string; exchange: ExchangeDto }
  /** `count` exchanges the server did not send us at this point of the stream. */
  | { kind: "skipped"; key: string; count: number };

/** The rows as they were when Pause was pressed, and `received` then. */
export interface PausedView {
  rows: readonly LiveRow[];
  received: number;
}

export interface ExchangesState {
  /** Oldest first, at most `capacity` rows; older ones fall off the front. */
  rows: readonly LiveRow[];
  /** The keys (exchangeKey) of the exchange rows in `rows`: one sent again replaces its row. */
  ids: ReadonlySet<string>;
  capacity: number;
  /**
   * The id of the last exchange of this node received (stream order); sent as `resumeFrom`
   * on reconnect. Other nodes' exchanges leave it alone: their ids count something else.
   */
  lastExchangeId: number | null;
  /** This node's name in the fleet; null while alone or not known yet. */
  selfNode: string | null;
  /** Exchanges received since the page loaded (not capped: counts what fell off too). */
  received: number;
  /** Exchanges the server reported as skipped since the page loaded. */
  skipped: number;
  /** Which server run the rows come from; another one starts the ring over. */
  serverStartedAt: number | null;
  /** Skipped markers made so far (their keys are s1, s2, ...). */
  markers: number;
  /** While paused the table shows this; the ring goes on filling underneath. */
  paused: PausedView | null;
}

export type ExchangesAction =
  | { type: "exchanges/pause" }
  | { type: "exchanges/resume" }
  /** This node's name as GET /api/fleet says it: which exchanges count for `resumeFrom`. */
  | { type: "exchanges/self"; node: string | null }
  /**
   * Other nodes' recent exchanges from the fleet's store (GET /api/exchanges?node=), when
   * the view turns to them: the socket sends their traffic only from the switch on.
   */
  | { type: "exchanges/backfill"; exchanges: readonly ExchangeDto[] };

export const DEFAULT_CAPACITY = 5000;

export function initialExchanges(capacity = DEFAULT_CAPACITY): ExchangesState {
  return {
    rows: [],
    ids: new Set(),
    capacity: Math.max(1, capacity),
    lastExchangeId: null,
    selfNode: null,
    received: 0,
    skipped: 0,
    serverStartedAt: null,
    markers: 0,
    paused: null,
  };
}

/** What the table shows: the paused view, or the ring. */
export function shownRows(state: ExchangesState): readonly LiveRow[] {
  return state.paused?.rows ?? state.rows;
}

/** Exchanges received since Pause was pressed (0 when not paused). */
export function receivedWhilePaused(state: ExchangesState): number {
  return state.paused === null ? 0 : state.received - state.paused.received;
}

/** A working copy of the ring for one action: changed in place, published once. */
class RingDraft {
  private readonly rows: LiveRow[];
  private readonly ids: Set<string>;
  private received: number;
  private skipped: number;
  private lastExchangeId: number | null;
  private markers: number;

  constructor(
    private readonly base: ExchangesState,
    startOver: boolean,
    /** This node's name, or undefined: which exchanges move `lastExchangeId`. */
    private readonly self: string | undefined = base.selfNode ?? undefined,
  ) {
    this.rows = startOver ? [] : base.rows.slice();
    this.ids = startOver ? new Set() : new Set(base.ids);
    this.received = base.received;
    this.skipped = base.skipped;
    this.lastExchangeId = base.lastExchangeId;
    this.markers = base.markers;
  }

  /** Adds an exchange, or replaces the row with the same node and id (then it is not counted again). */
  put(exchange: ExchangeDto): void {
    if (exchange.node === this.self) this.lastExchangeId = exchange.id;
    const id = exchangeKey(exchange);
    const key = `x${id}`;
    const row: LiveRow = { kind: "exchange", key, exchange };
    if (this.ids.has(id)) {
      for (let i = this.rows.length - 1; i >= 0; i--) {
        const old = this.rows[i]!;
        if (old.key === key) {
          this.rows[i] = row;
          return;
        }
      }
    }
    this.ids.add(id);
    this.rows.push(row);
    this.received++;
  }

  /** A marker for `count` skipped exchanges (a snapshot's count is usually 0: no marker). */
  gap(count: number): void {
    if (count <= 0) return;
    this.skipped += count;
    const last = this.rows.at(-1);
    if (last?.kind === "skipped") {
      // Two gaps with nothing between are one gap.
      this.rows[this.rows.length - 1] = { ...last, count: last.count + count };
      return;
    }
    this.rows.push({ kind: "skipped", key: `s${++this.markers}`, count });
  }

  publish(serverStartedAt: number | null, selfNode: string | null = this.base.selfNode): ExchangesState {
    const excess = this.rows.length - this.base.capacity;
    if (excess > 0) {
      for (const row of this.rows.splice(0, excess)) {
        if (row.kind === "exchange") this.ids.delete(exchangeKey(row.exchange));
      }
    }
    return {
      ...this.base,
      rows: this.rows,
      ids: this.ids,
      lastExchangeId: this.lastExchangeId,
      received: this.received,
      skipped: this.skipped,
      serverStartedAt,
      selfNode,
      markers: this.markers,
    };
  }
}

export function exchangesReducer(state: ExchangesState, action: LiveAction): ExchangesState {
  switch (action.type) {
    case "snapshot": {
      const { exchanges, skipped, serverStartedAt } = action.snapshot;
      // A new server run may number exchanges afresh: start over rather than mix two runs.
      const restarted = state.serverStartedAt !== null && state.serverStartedAt !== serverStartedAt;
      if (!restarted && state.serverStartedAt !== null && exchanges.length === 0 && skipped === 0) {
        return state;
      }
      // A connection starts with its own node's traffic only: the snapshot names this node
      // when nothing has yet.
      const selfNode = state.selfNode ?? exchanges.find((x) => x.node !== undefined)?.node ?? null;
      const draft = new RingDraft(state, restarted, selfNode ?? undefined);
      draft.gap(skipped);
      for (const exchange of exchanges) draft.put(exchange);
      return draft.publish(serverStartedAt, selfNode);
    }
    case "events": {
      let draft: RingDraft | null = null;
      for (const event of action.events) {
        if (event.type === "exchange") {
          draft ??= new RingDraft(state, false);
          draft.put(event.exchange);
        } else if (event.type === "skipped") {
          draft ??= new RingDraft(state, false);
          draft.gap(event.count);
        }
      }
      return draft === null ? state : draft.publish(state.serverStartedAt);
    }
    case "exchanges/pause":
      return state.paused !== null
        ? state
        : { ...state, paused: { rows: state.rows, received: state.received } };
    case "exchanges/resume":
      return state.paused === null ? state : { ...state, paused: null };
    case "exchanges/self":
      return action.node === state.selfNode ? state : { ...state, selfNode: action.node };
    case "exchanges/backfill":
      return backfill(state, action.exchanges);
    default:
      return state;
  }
}

/**
 * Merges exchanges from the store into the ring by time: the ones it holds already (same
 * node and id) are left as they are, and the rest go where their receivedAt puts them
 * among the rows (a gap marker stays after the row it followed). The oldest fall off
 * past capacity, as always; `received` counts only what the stream delivered.
 */
export function backfill(state: ExchangesState, incoming: readonly ExchangeDto[]): ExchangesState {
  const fresh = incoming
    .filter((x) => !state.ids.has(exchangeKey(x)))
    .sort((a, b) => a.receivedAt - b.receivedAt);
  if (fresh.length === 0) return state;
  const ids = new Set(state.ids);
  const rows: LiveRow[] = [];
  let i = 0;
  for (const row of state.rows) {
    if (row.kind === "exchange") {
      while (i < fresh.length && fresh[i]!.receivedAt < row.exchange.receivedAt) {
        rows.push(backfilledRow(fresh[i++]!, ids));
      }
    }
    rows.push(row);
  }
  while (i < fresh.length) rows.push(backfilledRow(fresh[i++]!, ids));
  const excess = rows.length - state.capacity;
  if (excess > 0) {
    for (const row of rows.splice(0, excess))
      if (row.kind === "exchange") ids.delete(exchangeKey(row.exchange));
  }
  return { ...state, rows, ids };
}

function backfilledRow(exchange: ExchangeDto, ids: Set<string>): LiveRow {
  const id = exchangeKey(exchange);
  ids.add(id);
  return { kind: "exchange", key: `x${id}`, exchange };
}
