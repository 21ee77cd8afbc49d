import { describe, expect, it } from "vitest";
import type { LiveEvent } from "../contract/events";
import type { ExchangeDto } from "../contract/exchange";
import type { HandlerInfo } from "../contract/handlers";
import { ClientChannel } from "./client-channel";

const ex = (id: number) => ({ type: "exchange" as const, exchange: { id } as ExchangeDto });
const handler = (id: string, requests: number): LiveEvent => ({
  type: "handler",
  handler: { id, requests } as HandlerInfo,
});
const audit = (id: number): LiveEvent => ({ type: "audit", entry: { id } as never });

/** A browser that takes the first batch and never acknowledges it. */
function stalled(maxPending = 100, maxControl?: number) {
  const batches: LiveEvent[][] = [];
  let acks: (() => void)[] = [];
  let overflows = 0;
  const c = new ClientChannel(
    (events, ack) => {
      batches.push(events);
      acks.push(ack);
    },
    {
      maxPending,
      maxBatch: 50,
      ...(maxControl !== undefined ? { maxControl } : {}),
      onOverflow: () => overflows++,
    },
  );
  return {
    c,
    batches,
    overflows: () => overflows,
    ackAll: () => {
      const a = acks;
      acks = [];
      for (const f of a) f();
    },
  };
}

describe("live client channel with a browser that stops reading", () => {
  it("keeps its outbox bounded however long the traffic runs, and tells it what it skipped when it catches up", () => {
    const s = stalled(100);
    s.c.offerExchange(ex(0));
    s.c.flush(); // in flight, never acknowledged
    for (let i = 1; i <= 100_000; i++) {
      s.c.offerExchange(ex(i));
      if (i % 1000 === 0) {
        s.c.offerControl(handler("app.getDeviceId", i)); // counts change every second
        s.c.flush();
      }
    }
    expect(s.c.size).toBeLessThanOrEqual(102);
    expect(s.c.totalSkipped).toBe(100_000 - 100);
    // It catches up: the kept exchanges, one marker with the whole gap, the newest handler state.
    const seen: LiveEvent[] = [];
    for (let round = 0; round < 10 && s.c.hasPending; round++) {
      s.ackAll();
      s.c.flush();
      seen.push(...s.batches.at(-1)!);
    }
    const skipped = seen.filter((e) => e.type === "skipped");
    expect(skipped).toEqual([{ type: "skipped", count: 100_000 - 100 }]);
    const handlers = seen.filter((e) => e.type === "handler");
    expect(handlers).toHaveLength(1);
    expect(handlers[0]).toMatchObject({ handler: { requests: 100_000 } });
    const ids = seen.flatMap((e) => (e.type === "exchange" ? [e.exchange.id] : []));
    expect(ids).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it("gives up on a browser buried in control events it cannot drop, once, and keeps nothing for it", () => {
    const s = stalled(10, 50);
    s.c.offerControl(audit(0));
    s.c.flush();
    for (let i = 1; i <= 1000; i++) s.c.offerControl(audit(i));
    expect(s.overflows()).toBe(1);
    expect(s.c.size).toBe(0);
    s.c.offerControl(audit(1001));
    s.c.offerExchange(ex(1));
    expect(s.c.size).toBeLessThanOrEqual(1);
    expect(s.overflows()).toBe(1);
  });

  it("keeps the order of events it does not merge", () => {
    const s = stalled(10);
    s.c.offerExchange(ex(1));
    s.c.offerControl(audit(1));
    s.c.offerControl(handler("a", 1));
    s.c.offerExchange(ex(2));
    s.c.offerControl(handler("b", 1));
    s.c.offerControl(handler("a", 2));
    s.c.flush();
    expect(
      s.batches[0]!.map((e) => (e.type === "handler" ? `${e.handler.id}${e.handler.requests}` : e.type)),
    ).toEqual(["exchange", "audit", "exchange", "b1", "a2"]);
  });
});
