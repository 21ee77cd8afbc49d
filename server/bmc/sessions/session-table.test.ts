import { afterEach, describe, expect, it, vi } from "vitest";
import { InboundSequenceWindow } from "../../ipmi/lan/auth15";
import {
  type LanSession,
  type NewSession,
  PRIVILEGE_NUMBER,
  privilegeName,
  type SessionChange,
  SessionTable,
} from "./session-table";

/** A clock the test moves by hand. */
function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

let nextId = 0x1000;

function newSession(over: Partial<NewSession> & { id?: number } = {}): NewSession & { id: number } {
  return {
    id: nextId++,
    channel: 1,
    peer: "192.0.2.10:50000",
    address: "192.0.2.10",
    port: 50000,
    userId: 2,
    userName: "admin",
    maxPrivilege: 4,
    privilege: 2,
    protection: { kind: "ipmi-1.5", authType: 2, password: new Uint8Array(16) },
    inbound: new InboundSequenceWindow(1),
    outboundSequence: 1,
    ...over,
  };
}

function openOrFail(table: SessionTable, over: Partial<NewSession> & { id?: number } = {}): LanSession {
  const s = table.open(newSession(over));
  if (!s) throw new Error("the table refused a session it had room for");
  return s;
}

describe("SessionTable", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("numbers handles from 1 and reuses the lowest free one", () => {
    const table = new SessionTable({ limit: 8 });
    const a = openOrFail(table);
    const b = openOrFail(table);
    const c = openOrFail(table);
    expect([a.handle, b.handle, c.handle]).toEqual([1, 2, 3]);
    expect(table.close(b.id, "test")).toBe(true);
    expect(openOrFail(table).handle).toBe(2);
    expect(table.close(a.id, "test")).toBe(true);
    expect(table.close(c.id, "test")).toBe(true);
    // 1 and 3 are free again: the next two take 1, then 3.
    expect(openOrFail(table).handle).toBe(1);
    expect(openOrFail(table).handle).toBe(3);
    expect(openOrFail(table).handle).toBe(4);
  });

  it("counts handles per channel", () => {
    const table = new SessionTable({ limit: 4 });
    expect(openOrFail(table, { channel: 1 }).handle).toBe(1);
    expect(openOrFail(table, { channel: 2 }).handle).toBe(1);
    expect(openOrFail(table, { channel: 1 }).handle).toBe(2);
  });

  it("keeps at most `limit` sessions per channel, and other channels are not affected", () => {
    const table = new SessionTable({ limit: 2 });
    openOrFail(table, { channel: 1 });
    openOrFail(table, { channel: 1 });
    expect(table.hasRoom(1)).toBe(false);
    expect(table.open(newSession({ channel: 1 }))).toBeUndefined();
    expect(table.count(1)).toBe(2);
    expect(table.hasRoom(2)).toBe(true);
    expect(openOrFail(table, { channel: 2 }).channel).toBe(2);
    expect(table.count(2)).toBe(1);
  });

  it("defaults to 8 sessions and 60 s", () => {
    const table = new SessionTable();
    expect(table.limit).toBe(8);
    expect(table.idleTimeoutMs).toBe(60_000);
  });

  it("closes a session idle longer than the timeout, and not before", () => {
    const c = clock();
    const table = new SessionTable({ idleTimeoutMs: 10_000, now: c.now });
    const changes: SessionChange[] = [];
    table.onChange((x) => changes.push(x));
    const a = openOrFail(table);
    const b = openOrFail(table);
    expect(a.createdAt).toBe(c.t);
    expect(a.lastActivity).toBe(c.t);

    c.t += 6_000;
    table.touch(b);
    expect(b.lastActivity).toBe(c.t);
    c.t += 4_000; // a: exactly 10 s idle: not yet
    table.sweep();
    expect(table.get(a.id)).toBe(a);

    c.t += 1; // a: 10.001 s idle; b: 4.001 s
    table.sweep();
    expect(table.get(a.id)).toBeUndefined();
    expect(a.closed).toBe(true);
    expect(table.get(b.id)).toBe(b);
    const closed = changes.filter((x) => x.kind === "closed");
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ kind: "closed", session: { id: a.id } });
    expect((closed[0] as { reason: string }).reason).toMatch(/idle for more than 10 s/);

    c.t += 6_000;
    table.sweep();
    expect(table.list()).toEqual([]);
  });

  it("sweeps idle sessions before opening one, so a stale session frees its slot", () => {
    const c = clock();
    const table = new SessionTable({ limit: 1, idleTimeoutMs: 1_000, now: c.now });
    const old = openOrFail(table);
    expect(table.open(newSession())).toBeUndefined();
    c.t += 1_001;
    const fresh = openOrFail(table);
    expect(old.closed).toBe(true);
    expect(fresh.handle).toBe(1);
  });

  it("sweeps on its own every second once started, until stopped", () => {
    vi.useFakeTimers();
    const c = clock();
    const table = new SessionTable({ idleTimeoutMs: 2_000, now: c.now });
    const s = openOrFail(table);
    table.startSweeping();
    c.t += 2_001;
    vi.advanceTimersByTime(1_000);
    expect(table.get(s.id)).toBeUndefined();

    table.stop();
    const t = openOrFail(table);
    c.t += 5_000;
    vi.advanceTimersByTime(5_000);
    expect(table.get(t.id)).toBe(t);
  });

  it("emits opened, changed and closed; closing twice emits once and answers false", () => {
    const table = new SessionTable();
    const changes: SessionChange[] = [];
    const off = table.onChange((x) => changes.push(x));
    const s = openOrFail(table);
    table.setPrivilege(s, 4);
    expect(s.privilege).toBe(4);
    expect(table.close(s.id, "bye")).toBe(true);
    expect(table.close(s.id, "bye again")).toBe(false);
    expect(table.close(0xdeadbeef, "never was")).toBe(false);
    expect(changes.map((x) => x.kind)).toEqual(["opened", "changed", "closed"]);
    expect(changes[2]).toMatchObject({ kind: "closed", reason: "bye", session: { id: s.id, closed: true } });

    off();
    openOrFail(table);
    expect(changes).toHaveLength(3);
  });

  it("keeps changing when a listener throws", () => {
    const table = new SessionTable();
    const seen: string[] = [];
    table.onChange(() => {
      throw new Error("listener bug");
    });
    table.onChange((x) => seen.push(x.kind));
    const s = openOrFail(table);
    expect(table.close(s.id, "x")).toBe(true);
    expect(seen).toEqual(["opened", "closed"]);
    expect(table.list()).toEqual([]);
  });

  it("finds sessions by ID and by handle, lists them oldest first, and counts per channel", () => {
    const table = new SessionTable();
    const a = openOrFail(table, { channel: 1 });
    const b = openOrFail(table, { channel: 2 });
    const c = openOrFail(table, { channel: 1 });
    expect(table.get(a.id)).toBe(a);
    expect(table.get(0x7777)).toBeUndefined();
    expect(table.byHandle(1, 2)).toBe(c);
    expect(table.byHandle(2, 1)).toBe(b);
    expect(table.byHandle(2, 2)).toBeUndefined();
    expect(table.list()).toEqual([a, b, c]);
    expect(table.list(1)).toEqual([a, c]);
    expect(table.list(3)).toEqual([]);
    expect(table.count(1)).toBe(2);
    expect(table.count(2)).toBe(1);
    expect(table.count(3)).toBe(0);
    table.close(a.id, "x");
    expect(table.list(1)).toEqual([c]);
    expect(table.byHandle(1, 1)).toBeUndefined();
  });

  it("makes new IDs that are non-zero, unused, and not taken elsewhere", () => {
    // A random source that repeats: 0 first (never an ID), then 5, 5, 6, 7.
    const values = [0, 5, 5, 6, 7, 8];
    let i = 0;
    const random = (n: number) => {
      const v = values[Math.min(i++, values.length - 1)]!;
      const out = new Uint8Array(n);
      out[0] = v;
      return out;
    };
    const table = new SessionTable({ random });
    expect(table.newId()).toBe(5);
    openOrFail(table, { id: 5 });
    // 5 is in the table, 6 is taken by the caller (a pending handshake).
    expect(table.newId((id) => id === 6)).toBe(7);
  });
});

describe("privilege numbers", () => {
  it("maps names to table 6-1 numbers and back; OEM counts as administrator", () => {
    expect(PRIVILEGE_NUMBER).toEqual({ none: 0, callback: 1, user: 2, operator: 3, admin: 4 });
    expect([0, 1, 2, 3, 4, 5].map(privilegeName)).toEqual([
      "none",
      "callback",
      "user",
      "operator",
      "admin",
      "admin",
    ]);
  });
});
