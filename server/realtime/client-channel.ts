/**
 * One browser's outbox. Events are batched (one emit per flush, not one per
 * exchange) and a batch goes out only when the previous one was acknowledged, so a
 * slow browser never builds an unbounded queue: past `maxPending` exchanges the
 * newest are counted instead of kept, and the browser gets a "skipped" marker where
 * they would have been. Control events (handlers, buses) are never dropped; the ones that
 * are state (a handler's counts, the bus list, the rules) replace an older copy still
 * waiting, and past `maxControl` waiting control events the browser is too far behind to
 * catch up: `onOverflow` lets the gateway disconnect it (it reconnects to a fresh snapshot).
 */
import type { LiveEvent } from "../contract/events";

export interface ClientChannelOptions {
  maxPending: number;
  maxBatch: number;
  /** Control events kept for a browser that does not acknowledge; default 10 × maxPending. */
  maxControl?: number;
  /** Called once when more than `maxControl` control events wait. */
  onOverflow?: () => void;
}

export class ClientChannel {
  private pending: LiveEvent[] = [];
  private pendingExchanges = 0;
  private skipped = 0;
  private awaitingAck = false;
  private pendingControl = 0;
  private overflowed = false;
  /**
   * The newest skip marker waiting, while no kept exchange followed it: a later gap adds to
   * it, so control events between drops (handler counts every second) do not each leave a
   * marker of their own and grow the outbox without bound.
   */
  private openMarker: { type: "skipped"; count: number } | undefined;
  totalSkipped = 0;

  constructor(
    private readonly send: (batch: LiveEvent[], onAck: () => void) => void,
    private readonly options: ClientChannelOptions,
  ) {}

  offerExchange(event: Extract<LiveEvent, { type: "exchange" }>): void {
    if (this.pendingExchanges >= this.options.maxPending) {
      this.skipped++;
      this.totalSkipped++;
      return;
    }
    this.closeSkipRun();
    this.openMarker = undefined;
    this.pending.push(event);
    this.pendingExchanges++;
  }

  offerControl(event: LiveEvent): void {
    if (this.overflowed) return;
    const key = stateKey(event);
    if (key !== null) {
      // Only the newest state matters; the older copy would be overwritten on arrival anyway.
      const older = this.pending.findIndex((e) => stateKey(e) === key);
      if (older >= 0) {
        this.pending.splice(older, 1);
        this.pendingControl--;
      }
    }
    this.closeSkipRun();
    this.pending.push(event);
    this.pendingControl++;
    if (this.pendingControl > (this.options.maxControl ?? 10 * this.options.maxPending)) {
      this.overflowed = true;
      this.pending = [];
      this.openMarker = undefined;
      this.pendingControl = 0;
      this.pendingExchanges = 0;
      this.options.onOverflow?.();
    }
  }

  /** Events waiting to go out (tests check a stalled browser's outbox stays bounded). */
  get size(): number {
    return this.pending.length;
  }

  get hasPending(): boolean {
    return this.pending.length > 0 || this.skipped > 0;
  }

  /** Sends one batch if the browser acknowledged the last one. */
  flush(): void {
    if (this.awaitingAck) return;
    this.closeSkipRun();
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.options.maxBatch);
    if (this.openMarker && batch.includes(this.openMarker)) this.openMarker = undefined;
    for (const e of batch) {
      if (e.type === "exchange") this.pendingExchanges--;
      else if (e.type !== "skipped") this.pendingControl--;
    }
    this.awaitingAck = true;
    let acked = false;
    this.send(batch, () => {
      if (acked) return;
      acked = true;
      this.awaitingAck = false;
    });
  }

  /** A run of dropped exchanges ends where the next kept event starts. */
  private closeSkipRun(): void {
    if (this.skipped === 0) return;
    if (this.openMarker) this.openMarker.count += this.skipped;
    else {
      this.openMarker = { type: "skipped", count: this.skipped };
      this.pending.push(this.openMarker);
    }
    this.skipped = 0;
  }
}

/** Control events that are a state, by what they are the state of; null for the others. */
function stateKey(e: LiveEvent): string | null {
  switch (e.type) {
    case "handler":
      return `handler:${e.handler.id}`;
    case "buses":
    case "rules":
      return e.type;
    default:
      return null;
  }
}
