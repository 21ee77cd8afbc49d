import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Exchange } from "../contract/exchange";
import { CC } from "../ipmi/completion-codes";
import { empty } from "../ipmi/layout/codec";
import { layout } from "../ipmi/layout/layout";
import { NETFN } from "../ipmi/netfn";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { Router } from "../router/router";
import { TestBus } from "../router/test-bus";
import { defineHandler } from "../router/types";
import { HoldQueue } from "./hold-queue";
import { RuleEngine, ruleMatches } from "./rule-engine";
import { ruleInterceptor } from "./rule-interceptor";

const noRequest = layout(empty);

const match = (m: Partial<Parameters<typeof ruleMatches>[0]>) => ({
  busId: null,
  netFn: null,
  cmd: null,
  dataPrefix: null,
  dataMask: null,
  ...m,
});
const req = (data: number[], over: object = {}) => ({
  busId: "bt0",
  netFn: 0x0a,
  cmd: 0x44,
  data: Uint8Array.from(data),
  ...over,
});

describe("rule matching", () => {
  it("matches on bus, netfn and cmd, each optional", () => {
    expect(ruleMatches(match({}), req([]))).toBe(true);
    expect(ruleMatches(match({ busId: "bt0", netFn: 0x0a, cmd: 0x44 }), req([]))).toBe(true);
    expect(ruleMatches(match({ busId: "lan0" }), req([]))).toBe(false);
    expect(ruleMatches(match({ netFn: 0x06 }), req([]))).toBe(false);
    expect(ruleMatches(match({ cmd: 0x45 }), req([]))).toBe(false);
  });

  it("matches a data prefix under its mask", () => {
    const m = match({ dataPrefix: Uint8Array.of(0x00, 0x02), dataMask: Uint8Array.of(0x00, 0x0f) });
    expect(ruleMatches(m, req([0x55, 0x12, 0x99]))).toBe(true);
    expect(ruleMatches(m, req([0x55, 0x13]))).toBe(false);
    expect(ruleMatches(m, req([0x55]))).toBe(false); // shorter than the prefix
    expect(ruleMatches(match({ dataPrefix: Uint8Array.of(0xaa) }), req([0xab]))).toBe(false);
  });
});

describe("rules with the router", () => {
  let t: TestDatabase;
  let rules: RuleEngine;
  let holds: HoldQueue;
  let router: Router;
  let bus: TestBus;
  let exchanges: Exchange[];

  beforeEach(async () => {
    t = await createTestDatabase();
    rules = new RuleEngine(t.db);
    await rules.load();
    holds = new HoldQueue({ deadlineMs: () => 4000, onExpiry: "handler", previewWaitMs: 50 });
    router = new Router();
    router.registry.register(
      defineHandler({
        id: "app.get-device-id",
        netFn: NETFN.APP,
        cmd: 0x01,
        request: noRequest,
        handle: () => ({ data: [0x20, 0x01] }),
      }),
    );
    router.setInterceptor(ruleInterceptor(rules, holds));
    bus = new TestBus("bt0");
    router.addBus(bus);
    exchanges = [];
    router.onExchange((x) => exchanges.push(x));
  });

  afterEach(async () => {
    vi.useRealTimers();
    holds.close();
    await rules.close();
    await t.cleanup();
  });

  const getDeviceId = (seq = 1) => bus.request({ netFn: NETFN.APP, cmd: 0x01, seq });

  it("applies the first enabled matching rule, in order, and counts hits", async () => {
    const a = await rules.create({
      name: "canned",
      enabled: true,
      match: { netFn: 6, cmd: 1 },
      action: { type: "answer", cc: 0, data: Uint8Array.of(0xde, 0xad) },
    });
    await rules.create({
      name: "error",
      enabled: true,
      match: { netFn: 6 },
      action: { type: "error", cc: 0xd5 },
    });
    getDeviceId();
    expect(bus.sent[0]).toMatchObject({ cc: 0 });
    expect([...bus.sent[0]!.data]).toEqual([0xde, 0xad]);
    expect(exchanges[0]).toMatchObject({
      ruleId: a.id,
      handlerId: null,
      note: "answered by rule #1 (canned)",
    });

    await rules.update(a.id, { enabled: false });
    getDeviceId(2);
    expect(bus.sent[1]).toMatchObject({ cc: 0xd5 });

    await rules.update(a.id, { enabled: true, position: 1 }); // behind the error rule now
    getDeviceId(3);
    expect(bus.sent[2]).toMatchObject({ cc: 0xd5 });
    expect(rules.list().map((r) => [r.name, r.position, r.hits])).toEqual([
      ["error", 0, 2],
      ["canned", 1, 1],
    ]);
  });

  it("keeps rules and their order across a reload from the database", async () => {
    await rules.create({ name: "one", enabled: true, match: {}, action: { type: "drop" } });
    const two = await rules.create({
      name: "two",
      enabled: false,
      match: { cmd: 1 },
      action: { type: "hold" },
    });
    await rules.update(two.id, { position: 0 });
    const again = new RuleEngine(t.db);
    await again.load();
    expect(again.list().map((r) => [r.name, r.enabled, r.action.type])).toEqual([
      ["two", false, "hold"],
      ["one", true, "drop"],
    ]);
    await again.close();
  });

  it("drops: nothing is sent and the record says so", async () => {
    await rules.create({ name: "drop", enabled: true, match: {}, action: { type: "drop" } });
    getDeviceId();
    expect(bus.sent).toHaveLength(0);
    expect(exchanges[0]).toMatchObject({ status: "dropped", cc: null, response: null, ruleId: 1 });
  });

  it("delays, then the handler answers", async () => {
    vi.useFakeTimers();
    await rules.create({ name: "slow", enabled: true, match: {}, action: { type: "delay", ms: 300 } });
    getDeviceId();
    await vi.advanceTimersByTimeAsync(299);
    expect(bus.sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(bus.sent[0]).toMatchObject({ cc: 0 });
    expect(exchanges[0]).toMatchObject({ handlerId: "app.get-device-id", ruleId: 1 });
    expect(exchanges[0]!.note).toMatch(/delayed 300 ms/);
  });

  it("holds: the operator's bytes go out on the bus, exactly, once", async () => {
    await rules.create({
      name: "hold",
      enabled: true,
      match: { netFn: 6, cmd: 1 },
      action: { type: "hold" },
    });
    const events: string[] = [];
    holds.onEvent((e) => events.push(e.type));
    getDeviceId(9);
    await vi.waitFor(() => expect(holds.list()).toHaveLength(1));
    const held = holds.list()[0]!;
    expect(held).toMatchObject({ seq: 9, netFn: 6, cmd: 1, ruleId: 1 });
    expect(held.suggested).toEqual({ cc: 0, data: "20 01", handlerId: "app.get-device-id" });
    expect(bus.sent).toHaveLength(0);

    const result = await holds.answer(held.id, 0x00, Uint8Array.of(0x12, 0x34), "alice");
    expect(result.ok).toBe(true);
    expect(bus.sent).toEqual([expect.objectContaining({ seq: 9, netFn: 7, cmd: 1, cc: 0 })]);
    expect([...bus.sent[0]!.data]).toEqual([0x12, 0x34]);
    expect(exchanges[0]!.note).toMatch(/answered by alice/);
    expect(await holds.answer(held.id, 0xff, new Uint8Array(), "bob")).toEqual({
      ok: false,
      reason: "already",
    });
    expect(await holds.pass(held.id, "bob")).toEqual({ ok: false, reason: "already" });
    expect(bus.sent).toHaveLength(1);
    expect(events).toEqual(["held", "hold-resolved"]);
  });

  it("answers a hold exactly once when answer, pass, drop and expiry race", async () => {
    vi.useFakeTimers();
    await rules.create({ name: "hold", enabled: true, match: {}, action: { type: "hold" } });
    for (let seq = 0; seq < 20; seq++) getDeviceId(seq);
    await vi.advanceTimersByTimeAsync(60);
    const ids = holds.list().map((h) => h.id);
    expect(ids).toHaveLength(20);
    const results = await Promise.all(
      ids.flatMap((id) => [
        holds.answer(id, 0, Uint8Array.of(1), "a"),
        holds.pass(id, "b"),
        holds.drop(id, "c"),
        holds.answer(id, 0xc0, new Uint8Array(), "d"),
      ]),
    );
    await vi.advanceTimersByTimeAsync(5000); // expiry fires for none: all settled
    expect(results.filter((r) => r.ok)).toHaveLength(20);
    expect(exchanges).toHaveLength(20);
    const perSeq = new Map<number, number>();
    for (const r of bus.sent) perSeq.set(r.seq!, (perSeq.get(r.seq!) ?? 0) + 1);
    expect([...perSeq.values()].every((n) => n === 1)).toBe(true);
  });

  it("falls back to the handler when a hold expires (or to C3h when configured)", async () => {
    vi.useFakeTimers();
    await rules.create({ name: "hold", enabled: true, match: {}, action: { type: "hold" } });
    getDeviceId(1);
    await vi.advanceTimersByTimeAsync(4000);
    expect(bus.sent[0]).toMatchObject({ cc: 0 });
    expect(exchanges[0]!.note).toMatch(/hold expired; passed to the handler/);

    const strict = new HoldQueue({ deadlineMs: () => 100, onExpiry: "timeout", previewWaitMs: 10 });
    router.setInterceptor(ruleInterceptor(rules, strict));
    getDeviceId(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(bus.sent[1]).toMatchObject({ cc: CC.TIMEOUT });
    expect(exchanges[1]).toMatchObject({ status: "timeout" });
  });

  it("does not run a state-changing handler to suggest an answer", async () => {
    router.registry.register(
      defineHandler({
        id: "app.reset-watchdog-timer",
        netFn: NETFN.APP,
        cmd: 0x22,
        request: noRequest,
        handle: vi.fn(() => ({})),
      }),
    );
    await rules.create({ name: "hold", enabled: true, match: {}, action: { type: "hold" } });
    bus.request({ netFn: NETFN.APP, cmd: 0x22 });
    await vi.waitFor(() => expect(holds.list()).toHaveLength(1));
    expect(holds.list()[0]).toMatchObject({
      suggested: null,
      suggestedNote: expect.stringMatching(/may change state/),
    });
  });
});
