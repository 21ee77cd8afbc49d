import { describe, expect, it } from "vitest";
import type { LiveEvent } from "../contract/events";
import type { ExchangeDto } from "../contract/exchange";
import { ClientChannel } from "./client-channel";

const ex = (id: number) => ({ type: "exchange" as const, exchange: { id } as ExchangeDto });

function channel(maxPending = 3, maxBatch = 10) {
  const batches: { events: LiveEvent[]; ack: () => void }[] = [];
  const c = new ClientChannel((events, ack) => batches.push({ events, ack }), { maxPending, maxBatch });
  const ids = (i: number) => batches[i]!.events.map((e) => (e.type === "exchange" ? e.exchange.id : e.type));
  return { c, batches, ids };
}

describe("live client channel", () => {
  it("sends everything pending as one batch", () => {
    const { c, batches, ids } = channel();
    c.offerExchange(ex(1));
    c.offerExchange(ex(2));
    c.flush();
    expect(batches).toHaveLength(1);
    expect(ids(0)).toEqual([1, 2]);
  });

  it("waits for the acknowledgement before sending the next batch", () => {
    const { c, batches, ids } = channel();
    c.offerExchange(ex(1));
    c.flush();
    c.offerExchange(ex(2));
    c.flush();
    expect(batches).toHaveLength(1);
    batches[0]!.ack();
    c.flush();
    expect(ids(1)).toEqual([2]);
  });

  it("counts exchanges past the limit and marks where they were skipped", () => {
    const { c, batches, ids } = channel(2);
    for (let i = 1; i <= 5; i++) c.offerExchange(ex(i));
    c.flush();
    expect(ids(0)).toEqual([1, 2, "skipped"]);
    expect(batches[0]!.events[2]).toEqual({ type: "skipped", count: 3 });
    expect(c.totalSkipped).toBe(3);
  });

  it("puts the marker between the kept exchanges and the ones after the gap", () => {
    const { c, batches, ids } = channel(2, 2);
    for (let i = 1; i <= 4; i++) c.offerExchange(ex(i)); // 3, 4 skipped
    c.flush(); // sends 1, 2
    c.offerExchange(ex(5));
    batches[0]!.ack();
    c.flush();
    expect(ids(1)).toEqual(["skipped", 5]);
  });

  it("never drops control events", () => {
    const { c, ids } = channel(1);
    c.offerExchange(ex(1));
    c.offerExchange(ex(2));
    c.offerControl({ type: "buses", buses: [] });
    c.flush();
    expect(ids(0)).toEqual([1, "skipped", "buses"]);
  });

  it("splits a large backlog into batches of maxBatch", () => {
    const { c, batches } = channel(100, 30);
    for (let i = 0; i < 70; i++) c.offerExchange(ex(i));
    for (let i = 0; i < 3; i++) {
      c.flush();
      batches.at(-1)!.ack();
    }
    expect(batches.map((b) => b.events.length)).toEqual([30, 30, 10]);
    expect(c.hasPending).toBe(false);
  });
});
