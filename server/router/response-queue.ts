/**
 * Responses waiting for a bus that cannot take them yet. A BT interface holds one
 * response at a time: a response it cannot take now is buffered, never failed. Order is kept:
 * once something waits, later responses wait behind it even if the bus is free.
 */
import type { Bus, BusResponse } from "./types";

export class ResponseQueue {
  private items: BusResponse[] = [];
  /** Responses the bus threw on while draining; they cannot be delivered. */
  dropped = 0;

  constructor(private readonly bus: Bus) {}

  get length(): number {
    return this.items.length;
  }

  /** Sends now if nothing waits and the bus is free, else queues. Throws what the bus throws. */
  push(res: BusResponse): void {
    if (this.items.length === 0 && this.bus.send(res) === "sent") return;
    this.items.push(res);
  }

  /** Called when the bus signals ready: send as many as it takes, in order. */
  drain(): void {
    while (this.items.length > 0) {
      const next = this.items[0]!;
      let result: ReturnType<Bus["send"]>;
      try {
        result = this.bus.send(next);
      } catch {
        // A response the bus refuses outright would block every one behind it.
        this.dropped++;
        this.items.shift();
        continue;
      }
      if (result === "busy") return;
      this.items.shift();
    }
  }

  clear(): void {
    this.items = [];
  }
}
