/**
 * The last N exchanges in memory: what a browser gets on connect, and what a
 * reconnecting one resumes from. Same process as the router, so a snapshot taken from
 * here and the live events after it have no gap and no overlap.
 */
import type { Exchange } from "../contract/exchange";

export class RecentExchanges {
  private readonly ring: (Exchange | undefined)[];
  private next = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    if (capacity < 1) throw new RangeError("capacity must be at least 1");
    this.ring = new Array(capacity);
  }

  push(x: Exchange): void {
    this.ring[this.next] = x;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** Oldest first; at most `limit` of the newest. */
  latest(limit = this.capacity): Exchange[] {
    const n = Math.min(limit, this.count);
    const out: Exchange[] = new Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = this.ring[(this.next - n + i + this.capacity * 2) % this.capacity]!;
    }
    return out;
  }

  /**
   * Everything sent after exchange `id` that is still held, and how many after it are
   * no longer held. Records leave the router in answer order, not id order (a slow
   * handler's exchange comes after later ones), so resuming goes by position in the
   * stream when `id` is still held, and by id only when it fell off.
   */
  since(id: number): { exchanges: Exchange[]; missed: number } {
    const all = this.latest();
    const at = all.findLastIndex((x) => x.id === id);
    if (at >= 0) return { exchanges: all.slice(at + 1), missed: 0 };
    const exchanges = all.filter((x) => x.id > id);
    const oldest = exchanges[0];
    const missed = oldest ? Math.max(0, oldest.id - id - 1) : 0;
    return { exchanges, missed };
  }
}
