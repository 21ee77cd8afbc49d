import { describe, expect, it } from "vitest";
import type { LiveEvent } from "../../../server/contract/events";
import type { SetNodesOptions } from "../../../server/contract/fleet";
import { exchangeKey, exchangeRowKey, type LiveRow } from "./exchanges";
import { exchange, snapshot } from "./fixtures";
import { LiveStore } from "./store";

/** The fleet (issue 14): ids are per node, so the ring names an exchange by node and id. */
const on = (node: string, id: number, overrides = {}): LiveEvent => ({
  type: "exchange",
  exchange: exchange(id, { node, ...overrides }),
});
const picture = (rows: readonly LiveRow[]) =>
  rows.map((r) => (r.kind === "exchange" ? `${r.exchange.node ?? "-"}:${r.exchange.id}` : `skip ${r.count}`));

describe("the live store with two nodes", () => {
  it("keys an exchange by node and id, a lone node's by id", () => {
    expect(exchangeKey(exchange(1, { node: "a" }))).toBe("a:1");
    expect(exchangeKey(exchange(1))).toBe(":1");
    expect(exchangeRowKey(exchange(1, { node: "c" }))).toBe("xc:1");
  });

  it("holds node a's exchange 1 and node c's exchange 1 as two rows with two keys", () => {
    const store = new LiveStore();
    store.setSelfNode("a");
    store.applySnapshot(snapshot([], { exchanges: [exchange(1, { node: "a" })] }));
    store.applyEvents([on("c", 1), on("a", 2)]);
    const s = store.getState().exchanges;
    expect(picture(s.rows)).toEqual(["a:1", "c:1", "a:2"]);
    expect(s.rows.map((r) => r.key)).toEqual(["xa:1", "xc:1", "xa:2"]);
    expect(new Set(s.rows.map((r) => r.key)).size).toBe(3);
    expect(s.ids).toEqual(new Set(["a:1", "c:1", "a:2"]));
    expect(s.received).toBe(3);
  });

  it("replaces a row sent again only for the same node", () => {
    const store = new LiveStore();
    store.setSelfNode("a");
    store.applySnapshot(snapshot([]));
    store.applyEvents([on("a", 1), on("c", 1)]);
    store.applyEvents([on("c", 1, { status: "late" })]);
    const rows = store.getState().exchanges.rows;
    expect(picture(rows)).toEqual(["a:1", "c:1"]);
    const c1 = rows[1];
    expect(c1?.kind === "exchange" && c1.exchange.status).toBe("late");
    const a1 = rows[0];
    expect(a1?.kind === "exchange" && a1.exchange.status).toBe("ok");
    expect(store.getState().exchanges.received).toBe(2);
  });

  it("drops the oldest rows by key when full, whatever node they came from", () => {
    const store = new LiveStore({ capacity: 2 });
    store.setSelfNode("a");
    store.applySnapshot(snapshot([]));
    store.applyEvents([on("a", 1), on("c", 1), on("c", 2)]);
    const s = store.getState().exchanges;
    expect(picture(s.rows)).toEqual(["c:1", "c:2"]);
    expect(s.ids).toEqual(new Set(["c:1", "c:2"]));
    // Node a's exchange 1 is gone; sent again it is new (counted), not a replacement.
    store.applyEvents([on("a", 1)]);
    expect(picture(store.getState().exchanges.rows)).toEqual(["c:2", "a:1"]);
  });

  it("resumes from this node's last exchange, not another node's", () => {
    const store = new LiveStore();
    store.setSelfNode("a");
    store.applySnapshot(snapshot([], { exchanges: [exchange(5, { node: "a" })] }));
    store.applyEvents([on("c", 900), on("a", 6), on("c", 901)]);
    expect(store.getState().exchanges.lastExchangeId).toBe(6);
    expect(store.handshake()).toEqual({ resumeFrom: 6 });
  });

  it("learns this node's name from the snapshot when the fleet status has not said it yet", () => {
    const store = new LiveStore();
    store.applySnapshot(snapshot([], { exchanges: [exchange(3, { node: "a" })] }));
    store.applyEvents([on("c", 50)]);
    expect(store.getState().exchanges.selfNode).toBe("a");
    expect(store.handshake()).toEqual({ resumeFrom: 3 });
  });

  it("alone (no node on exchanges), resumes as before", () => {
    const store = new LiveStore();
    store.setSelfNode(null);
    store.applySnapshot(snapshot([1, 2]));
    store.applyEvents([{ type: "exchange", exchange: exchange(3) }]);
    expect(store.handshake()).toEqual({ resumeFrom: 3 });
    expect(store.getState().exchanges.rows.map((r) => r.key)).toEqual(["x:1", "x:2", "x:3"]);
  });

  it("sends the node choice through the connection, and keeps it for the next one", async () => {
    const store = new LiveStore();
    expect(store.watchedNodes).toBeNull();
    // Offline: kept, answered ok (connectLive sends it on connect).
    expect(await store.setNodes({ nodes: "all" })).toEqual({ ok: true });
    expect(store.watchedNodes).toEqual({ nodes: "all" });
    const sent: SetNodesOptions[] = [];
    store.attachNodesSender(async (options) => {
      sent.push(options);
      return { ok: true };
    });
    await store.setNodes({ nodes: ["c"] });
    expect(sent).toEqual([{ nodes: ["c"] }]);
    expect(store.watchedNodes).toEqual({ nodes: ["c"] });
  });
});

describe("the backfill from the fleet's store when the view turns to other nodes", () => {
  const at = (node: string, id: number, receivedAt: number) => exchange(id, { node, receivedAt });

  it("puts the store's exchanges among the rows by time, keeps what the ring holds, and counts none as received", () => {
    const store = new LiveStore();
    store.setSelfNode("a");
    store.applySnapshot(snapshot([], { exchanges: [at("a", 1, 100), at("a", 2, 300)] }));
    store.applyEvents([{ type: "skipped", count: 4 }, on("a", 3, { receivedAt: 500 })]);
    const before = store.getState().exchanges;
    store.backfillExchanges([at("c", 9, 400), at("b", 7, 50), at("c", 8, 200), at("a", 2, 300)]);
    const s = store.getState().exchanges;
    expect(picture(s.rows)).toEqual(["b:7", "a:1", "c:8", "a:2", "skip 4", "c:9", "a:3"]);
    expect(s.ids.has("c:9") && s.ids.has("b:7")).toBe(true);
    expect(s.received).toBe(before.received);
    expect(s.lastExchangeId).toBe(3);
    // The same backfill again changes nothing.
    store.backfillExchanges([at("c", 9, 400)]);
    expect(store.getState().exchanges).toBe(s);
  });

  it("keeps the newest rows when the backfill overfills the ring", () => {
    const store = new LiveStore({ capacity: 3 });
    store.setSelfNode("a");
    store.applySnapshot(snapshot([], { exchanges: [at("a", 1, 100)] }));
    store.backfillExchanges([at("b", 1, 10), at("b", 2, 20), at("b", 3, 150), at("b", 4, 160)]);
    const s = store.getState().exchanges;
    expect(picture(s.rows)).toEqual(["a:1", "b:3", "b:4"]);
    expect(s.ids).toEqual(new Set(["a:1", "b:3", "b:4"]));
  });
});
