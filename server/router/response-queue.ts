/**
 * Responses waiting for a bus that cannot take them yet. A BT interface holds one
 * response at a time: a response it cannot take now is buffered, never failed. Order is kept:
 * once something waits, later responses wait behind it even if the bus is free.
 *
 * A host that never reads (a hung driver, a hostile guest that keeps writing requests) would
 * grow the queue without end, so it holds at most `maxQueued`: past that, push() throws and
 * the router records the exchange with the reason ("bus failed to take the response: ..."),
 * the overflow is counted, and the responses already waiting still go out, in order, when
 * the host reads again. A real BT host keeps one request outstanding (IPMI 2.0 section 11),
 * so it never comes near the bound.
 */
import type { Bus, BusResponse } from "./types";

/** Responses one bus may have waiting; a bound only a host that stopped reading reaches. */
export const MAX_QUEUED_RESPONSES = 64;

export class ResponseQueue {
  private items: BusResponse[] = [];
  /** Responses the bus threw on while draining; they cannot be delivered. */
  dropped = 0;
  /** Responses refused because `maxQueued` were already waiting. */
  overflowed = 0;

  constructor(
    private readonly bus: Bus,
    private readonly maxQueued = MAX_QUEUED_RESPONSES,
  ) {}

  get length(): number {
    return this.items.length;
  }

  /** Sends now if nothing waits and the bus is free, else queues. Throws what the bus throws. */
  push(res: BusResponse): void {
    if (this.items.length === 0 && this.bus.send(res) === "sent") return;
    if (this.items.length >= this.maxQueued) {
      this.overflowed++;
      throw new Error(
        `response queue full: ${this.maxQueued} responses wait for bus ${this.bus.id}, whose host is not reading them; this one is dropped (${this.overflowed} so far)`,
      );
    }
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
