/**
 * One browser's outbox. Events are batched (one emit per flush, not one per
 * exchange) and a batch goes out only when the previous one was acknowledged, so a
 * slow browser never builds an unbounded queue: past `maxPending` exchanges the
 * newest are counted instead of kept, and the browser gets a "skipped" marker where
 * they would have been. Control events (handlers, buses) are never dropped.
 */
import type { LiveEvent } from "../contract/events";

export interface ClientChannelOptions {
  maxPending: number;
  maxBatch: number;
}

export class ClientChannel {
  private pending: LiveEvent[] = [];
  private pendingExchanges = 0;
  private skipped = 0;
  private awaitingAck = false;
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
    this.pending.push(event);
    this.pendingExchanges++;
  }

  offerControl(event: LiveEvent): void {
    this.closeSkipRun();
    this.pending.push(event);
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
    for (const e of batch) if (e.type === "exchange") this.pendingExchanges--;
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
    this.pending.push({ type: "skipped", count: this.skipped });
    this.skipped = 0;
  }
}
