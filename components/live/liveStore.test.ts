import { describe, expect, it } from "vitest";
import type { Snapshot } from "../../server/contract/events";
import type { ExchangeDto } from "../../server/contract/exchange";
import type { HandlerInfo } from "../../server/contract/handlers";
import { type LiveRow, LiveStore } from "./liveStore";

function exchange(id: number, overrides: Partial<ExchangeDto> = {}): ExchangeDto {
  return {
    id,
    busId: "bt0",
    busKind: "bt",
    origin: "host",
    seq: id & 0x3f,
    netFn: 0x06,
    lun: 0,
    cmd: 0x01,
    request: "",
    cc: 0,
    response: "20 01",
    handlerId: "app.get-device-id",
    status: "ok",
    receivedAt: 1_700_000_000_000 + id,
    answeredAt: 1_700_000_000_001 + id,
    latencyUs: 800,
    note: null,
    frame: null,
    relatedId: null,
    ruleId: null,
    ...overrides,
  };
}

function handler(id: string, enabled = true): HandlerInfo {
  return {
    id,
    netFn: 0x06,
    cmd: 0x01,
    group: null,
    key: "06:01",
    netFnName: "App",
    cmdName: "Get Device ID",
    description: null,
    priority: 0,
    privilege: "user",
    enabled,
    shadowedBy: null,
    active: enabled,
    requests: 0,
    errors: 0,
  };
}

function snapshot(ids: number[], overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    exchanges: ids.map((id) => exchange(id)),
    handlers: [handler("a")],
    buses: [{ id: "bt0", kind: "bt", description: "simulated host", queued: 0 }],
    rules: [],
    held: [],
    operator: { id: 1, username: "admin", role: "operator" },
    skipped: 0,
    serverStartedAt: 1000,
    ...overrides,
  };
}

const describeRows = (rows: readonly LiveRow[]) =>
  rows.map((r) => (r.kind === "exchange" ? r.exchange.id : `skip ${r.count}`));

describe("LiveStore", () => {
  it("starts connecting and goes live with the snapshot", () => {
    const store = new LiveStore();
    expect(store.getState().connection).toBe("connecting");
    store.applySnapshot(snapshot([1, 2, 3]));
    const s = store.getState();
    expect(s.connection).toBe("live");
    expect(describeRows(s.rows)).toEqual([1, 2, 3]);
    expect(s.handlers.map((h) => h.id)).toEqual(["a"]);
    expect(s.handlersSource).toBe("live");
    expect(s.buses).toHaveLength(1);
    expect(s.received).toBe(3);
    expect(s.lastExchangeId).toBe(3);
  });

  it("appends live exchanges and keeps only the newest `capacity` rows", () => {
    const store = new LiveStore({ capacity: 4 });
    store.applySnapshot(snapshot([1, 2]));
    store.applyEvents([4, 5, 6].map((id) => ({ type: "exchange" as const, exchange: exchange(id) })));
    expect(describeRows(store.getState().rows)).toEqual([2, 4, 5, 6]);
    expect(store.getState().received).toBe(5);
  });

  it("puts a marker where the server skipped exchanges, merging adjacent gaps", () => {
    const store = new LiveStore();
    store.applySnapshot(snapshot([1]));
    store.applyEvents([
      { type: "skipped", count: 3 },
      { type: "skipped", count: 2 },
      { type: "exchange", exchange: exchange(7) },
      { type: "skipped", count: 1 },
    ]);
    expect(describeRows(store.getState().rows)).toEqual([1, "skip 5", 7, "skip 1"]);
    expect(store.getState().skipped).toBe(6);
  });

  it("resumes from the last exchange seen and marks what the reconnect missed", () => {
    const store = new LiveStore();
    store.applySnapshot(snapshot([1, 2]));
    store.applyEvents([{ type: "exchange", exchange: exchange(3) }]);
    store.setConnection("disconnected", "transport close");
    expect(store.getState().connection).toBe("disconnected");
    expect(store.handshake()).toEqual({ resumeFrom: 3 });

    store.applySnapshot(snapshot([3, 9, 10], { skipped: 5 }));
    expect(describeRows(store.getState().rows)).toEqual([1, 2, 3, "skip 5", 9, 10]);
    expect(store.getState().received).toBe(5);
    expect(store.getState().connection).toBe("live");
  });

  it("starts over when the server restarted", () => {
    const store = new LiveStore();
    store.applySnapshot(snapshot([5, 6]));
    store.applySnapshot(snapshot([1], { serverStartedAt: 2000 }));
    expect(describeRows(store.getState().rows)).toEqual([1]);
  });

  it("replaces an exchange it already holds instead of duplicating it", () => {
    const store = new LiveStore();
    store.applySnapshot(snapshot([1, 2]));
    store.applyEvents([{ type: "exchange", exchange: exchange(1, { status: "late" }) }]);
    const rows = store.getState().rows;
    expect(describeRows(rows)).toEqual([1, 2]);
    expect(rows[0]?.kind === "exchange" && rows[0].exchange.status).toBe("late");
    expect(store.getState().received).toBe(2);
  });

  it("applies handler and bus events", () => {
    const store = new LiveStore();
    store.applySnapshot(snapshot([]));
    const before = store.getState().handlers;
    store.applyEvents([
      { type: "handler", handler: handler("a", false) },
      { type: "handler", handler: handler("b") },
      { type: "buses", buses: [] },
    ]);
    const s = store.getState();
    expect(s.handlers.map((h) => [h.id, h.enabled])).toEqual([
      ["a", false],
      ["b", true],
    ]);
    expect(before[0]?.enabled).toBe(true); // published lists are never changed in place
    expect(s.buses).toEqual([]);
  });

  it("takes the REST handler list only while the socket has not delivered one live", () => {
    const store = new LiveStore();
    store.setHandlersFromRest([handler("rest")]);
    expect(store.getState().handlersSource).toBe("rest");
    store.applySnapshot(snapshot([]));
    store.setHandlersFromRest([handler("stale")]);
    expect(store.getState().handlers.map((h) => h.id)).toEqual(["a"]);
    store.setConnection("disconnected");
    store.setHandlersFromRest([handler("offline")]);
    expect(store.getState().handlers.map((h) => h.id)).toEqual(["offline"]);
  });

  it("coalesces updates into one notification per scheduled flush", () => {
    const queued: (() => void)[] = [];
    const store = new LiveStore({ schedule: (flush) => queued.push(flush) });
    let notified = 0;
    store.subscribe(() => notified++);
    store.applySnapshot(snapshot([1]));
    store.applyEvents([{ type: "exchange", exchange: exchange(2) }]);
    expect(store.getState().rows).toHaveLength(0);
    expect(queued).toHaveLength(1);
    queued[0]!();
    expect(notified).toBe(1);
    expect(describeRows(store.getState().rows)).toEqual([1, 2]);
  });
});
