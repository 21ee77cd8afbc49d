import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type ExchangeDto, toExchangeDto } from "../contract/exchange";
import type { Logger } from "../logger";
import { makeExchange } from "../traffic/test-exchanges";
import { ErrorThrottle, ExchangeBatcher, FleetFanout } from "./fanout";
import { NodeDirectory, routeCommand } from "./fanout-directory";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const dto = (id: number): ExchangeDto => ({ ...toExchangeDto(makeExchange(id)), node: "a" });

describe("ExchangeBatcher", () => {
  it("hands out bounded batches, oldest first, and drops past its bound", () => {
    const b = new ExchangeBatcher({ maxBatch: 3, maxQueued: 5 });
    for (let i = 1; i <= 7; i++) b.push(dto(i));
    expect(b.dropped).toBe(2);
    expect(b.take()?.map((x) => x.id)).toEqual([1, 2, 3]);
    expect(b.take()?.map((x) => x.id)).toEqual([4, 5]);
    expect(b.take()).toBeUndefined();
    b.push(dto(8));
    expect(b.discard()).toBe(1);
    expect(b.dropped).toBe(3);
  });
});

describe("ErrorThrottle", () => {
  it("logs the first error, then one line with a count per interval", () => {
    let t = 0;
    const lines: string[] = [];
    const e = new ErrorThrottle(
      (m) => lines.push(m),
      1000,
      () => t,
    );
    e.report("adapter", new Error("down"));
    e.report("adapter", new Error("down"));
    e.report("adapter", new Error("down"));
    t = 1500;
    e.report("adapter", new Error("still down"));
    expect(lines).toEqual([
      "fleet fan-out: adapter: down",
      "fleet fan-out: adapter: still down (2 more errors since the last report)",
    ]);
  });
});

describe("routeCommand", () => {
  it("sends to a known node, keeps this node's own, refuses an unheard name", () => {
    const d = new NodeDirectory("a");
    d.heard("c");
    expect(routeCommand(undefined, d)).toBe("local");
    expect(routeCommand("a", d)).toBe("local");
    expect(routeCommand("c", d)).toBe("remote");
    expect(routeCommand("zz", d)).toBe("unknown-node");
  });
});

/** A namespace stand-in: what one node emits, and the handlers it listens with. */
class FakeNsp {
  readonly emitted: [string, unknown][] = [];
  readonly handlers = new Map<string, (payload: unknown) => void>();
  serverSideEmit(event: string, payload: unknown): boolean {
    this.emitted.push([event, payload]);
    return true;
  }
  on(event: string, handler: (payload: unknown) => void): this {
    this.handlers.set(event, handler);
    return this;
  }
}

describe("FleetFanout", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(waitingCount = 0) {
    const nsp = new FakeNsp();
    let local: ((x: ExchangeDto) => void) | undefined;
    const offered: [string, ExchangeDto[]][] = [];
    const gateway = {
      onLocalExchange(l: (x: ExchangeDto) => void) {
        local = l;
        return () => {
          local = undefined;
        };
      },
      offerRemote(node: string, xs: readonly ExchangeDto[]) {
        offered.push([node, [...xs]]);
      },
    };
    const pool = { waitingCount };
    const directory = new NodeDirectory("a");
    const fanout = new FleetFanout(
      // biome-ignore lint/suspicious/noExplicitAny: a stand-in for socket.io's namespace
      { nsp: nsp as any, gateway, directory, pool, log: quiet },
      { flushIntervalMs: 50, maxBatch: 2 },
    );
    return { nsp, push: (x: ExchangeDto) => local?.(x), offered, pool, directory, fanout };
  }

  it("sends local exchanges in bounded batches with the node's name", () => {
    const { nsp, push, fanout } = setup();
    for (let i = 1; i <= 3; i++) push(dto(i));
    vi.advanceTimersByTime(50);
    vi.advanceTimersByTime(50);
    const batches = nsp.emitted.filter(([e]) => e === "fleet:exchanges").map(([, p]) => p);
    expect(batches).toEqual([
      { v: 1, node: "a", exchanges: [dto(1), dto(2)] },
      { v: 1, node: "a", exchanges: [dto(3)] },
    ]);
    fanout.close();
  });

  it("drops what waits while the store's queries queue, and sends fresh traffic after", () => {
    const { nsp, push, pool, fanout } = setup(3);
    push(dto(1));
    vi.advanceTimersByTime(50);
    expect(nsp.emitted.some(([e]) => e === "fleet:exchanges")).toBe(false);
    expect(fanout.dropped).toBe(1);
    pool.waitingCount = 0;
    push(dto(2));
    vi.advanceTimersByTime(50);
    expect(nsp.emitted.filter(([e]) => e === "fleet:exchanges")).toHaveLength(1);
    fanout.close();
  });

  it("hands valid remote batches to the gateway, marked with their node; refuses the rest", () => {
    const { nsp, offered, directory, fanout } = setup();
    const onBatch = nsp.handlers.get("fleet:exchanges")!;
    const { node: _n, ...wire } = dto(5);
    onBatch({ v: 1, node: "b", exchanges: [{ ...wire, extra: "ignored" }] });
    expect(offered).toEqual([["b", [{ ...wire, node: "b" }]]]);
    expect(directory.knows("b")).toBe(true);
    onBatch({ v: 1, node: "b", exchanges: [{ ...wire, request: "<script>" }] });
    onBatch({ v: 2, node: "b", exchanges: [] });
    onBatch({ v: 1, node: "no good", exchanges: [] });
    onBatch("garbage");
    expect(offered).toHaveLength(1);
    expect(fanout.refused).toBe(4);
    // Its own batch (should the adapter echo it) is not offered.
    onBatch({ v: 1, node: "a", exchanges: [wire] });
    expect(offered).toHaveLength(1);
    fanout.close();
  });

  it("answers a newcomer's hello at once, and not a reply", () => {
    const { nsp, fanout } = setup();
    const hellos = () => nsp.emitted.filter(([e]) => e === "fleet:hello").length;
    expect(hellos()).toBe(1);
    nsp.handlers.get("fleet:hello")!({ v: 1, node: "b", reply: false });
    expect(hellos()).toBe(2);
    nsp.handlers.get("fleet:hello")!({ v: 1, node: "c", reply: true });
    nsp.handlers.get("fleet:hello")!({ v: 1, node: "b", reply: false });
    expect(hellos()).toBe(2);
    fanout.close();
  });
});
