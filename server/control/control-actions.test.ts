import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Exchange } from "../contract/exchange";
import { NodeDirectory } from "../fleet/fanout-directory";
import { RemoteControl, type RemoteControlDeps } from "../fleet/remote-control";
import { empty } from "../ipmi/layout/codec";
import { layout } from "../ipmi/layout/layout";
import { NETFN } from "../ipmi/netfn";
import type { Logger } from "../logger";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { Router } from "../router/router";
import { TestBus } from "../router/test-bus";
import { defineHandler } from "../router/types";
import { AuditLog } from "./audit-log";
import {
  type ControlCommand,
  type ControlServices,
  controlCommand,
  dispatchControl,
  executeControl,
  publishFleetControl,
} from "./control-actions";
import { HoldQueue } from "./hold-queue";
import { RuleEngine } from "./rule-engine";
import { ruleInterceptor } from "./rule-interceptor";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const alice = { id: 1, username: "alice", role: "viewer" as const };

/** One node's control services on a real router, rules, holds and audit log (SQLite). */
async function nodeServices() {
  const t: TestDatabase = await createTestDatabase();
  const rules = new RuleEngine(t.db);
  await rules.load();
  const holds = new HoldQueue({ deadlineMs: () => 4000, onExpiry: "handler", previewWaitMs: 50 });
  const audit = new AuditLog(t.db);
  const router = new Router();
  router.registry.register(
    defineHandler({
      id: "app.get-device-id",
      netFn: NETFN.APP,
      cmd: 0x01,
      request: layout(empty),
      handle: () => ({ data: [0x20, 0x01] }),
    }),
  );
  router.setInterceptor(ruleInterceptor(rules, holds));
  const bus = new TestBus("bt0");
  router.addBus(bus);
  const log: Exchange[] = [];
  router.onExchange((x) => log.push(x));
  const services: ControlServices = {
    listHandlers: () => router.registry.list(),
    setHandlerEnabled: async (id, enabled) => {
      const h = router.registry.list().find((x) => x.id === id);
      return h ? { ...h, enabled } : null;
    },
    rules,
    holds,
    audit,
    async replay(id) {
      const x = log.find((e) => e.id === id);
      if (!x) return "no-exchange";
      const { netFn, lun, cmd, request: data } = x;
      if (netFn === null || cmd === null) return "no-exchange";
      return router.inject("bt0", { seq: null, netFn, lun: lun ?? 0, cmd, data }, "replay");
    },
  };
  const audited = async () => (await audit.page(100)).entries;
  const close = async () => {
    holds.close();
    await rules.close();
    await t.cleanup();
  };
  return { services, bus, rules, holds, log, audited, close };
}
type Node = Awaited<ReturnType<typeof nodeServices>>;

describe("read-only control commands", () => {
  let n: Node;
  beforeEach(async () => {
    n = await nodeServices();
  });
  afterEach(async () => {
    await n.close();
  });

  it("are part of the command's schema, with nothing else in them", () => {
    for (const kind of ["handler.list", "rule.list", "held.list"]) {
      expect(controlCommand.safeParse({ kind }).success).toBe(true);
      expect(controlCommand.safeParse({ kind, id: "1" }).success).toBe(false);
    }
    expect(controlCommand.safeParse({ kind: "exchange.replay", id: "7" }).success).toBe(true);
    expect(controlCommand.safeParse({ kind: "exchange.replay" }).success).toBe(false);
  });

  it("answer exactly what the local GET routes answer, and audit nothing", async () => {
    await n.rules.create({
      name: "hold it",
      enabled: true,
      match: { netFn: 6, cmd: 1 },
      action: { type: "hold" },
    });
    n.bus.request({ netFn: NETFN.APP, cmd: 0x01, seq: 3 });
    await vi.waitFor(() => expect(n.holds.list()).toHaveLength(1));

    const run = (command: ControlCommand) => executeControl(n.services, command, "alice on node a");
    expect(await run({ kind: "handler.list" })).toEqual({
      status: 200,
      body: { handlers: n.services.listHandlers() },
    });
    expect(await run({ kind: "rule.list" })).toEqual({ status: 200, body: { rules: n.rules.list() } });
    const held = await run({ kind: "held.list" });
    expect(held).toEqual({ status: 200, body: { held: n.holds.list() } });
    expect((held.body as { held: { seq: number }[] }).held[0]?.seq).toBe(3);
    // What crosses the fan-out is JSON: the answer survives it unchanged.
    expect(JSON.parse(JSON.stringify(held.body))).toEqual(held.body);
    expect(await n.audited()).toEqual([]);
  });
});

describe("exchange.replay", () => {
  let n: Node;
  beforeEach(async () => {
    n = await nodeServices();
  });
  afterEach(async () => {
    await n.close();
  });

  it("sends the logged request again as a replay and audits it; an unknown id is 404", async () => {
    n.bus.request({ netFn: NETFN.APP, cmd: 0x01, seq: 1 });
    await vi.waitFor(() => expect(n.log).toHaveLength(1));
    const original = n.log[0]!;
    const outcome = await executeControl(
      n.services,
      { kind: "exchange.replay", id: String(original.id) },
      "alice on node a",
    );
    expect(outcome.status).toBe(200);
    const replayed = (outcome.body as { exchange: { id: number; origin: string; response: string } })
      .exchange;
    expect(replayed).toMatchObject({ origin: "replay", response: "20 01" });
    expect(n.log.find((x) => x.id === replayed.id)?.origin).toBe("replay");
    expect(await n.audited()).toContainEqual(
      expect.objectContaining({
        actor: "alice on node a",
        action: "exchange.replay",
        target: String(original.id),
        detail: { exchangeId: replayed.id },
      }),
    );

    expect(await executeControl(n.services, { kind: "exchange.replay", id: "999" }, "alice")).toEqual({
      status: 404,
      body: { error: "no exchange #999 with a request to replay" },
    });
    expect((await executeControl(n.services, { kind: "exchange.replay", id: "x" }, "alice")).status).toBe(
      400,
    );
  });
});

/** Two nodes' RemoteControl on one in-process bus (the adapter delivers to every other server). */
function wire(a: string, b: string, execute: Record<string, RemoteControlDeps["execute"]>) {
  const handlers = new Map<string, Map<string, (p: unknown) => void>>();
  const bus = (name: string) => {
    const mine = new Map<string, (p: unknown) => void>();
    handlers.set(name, mine);
    return {
      serverSideEmit: (event: string, payload: unknown) => {
        for (const [other, h] of handlers) {
          if (other !== name) queueMicrotask(() => h.get(event)?.(structuredClone(payload)));
        }
        return true;
      },
      on(event: string, handler: (p: unknown) => void) {
        mine.set(event, handler);
        return this;
      },
    };
  };
  const make = (self: string, peer: string) => {
    const directory = new NodeDirectory(self);
    directory.heard(peer);
    return new RemoteControl({
      // biome-ignore lint/suspicious/noExplicitAny: a stand-in for socket.io's namespace
      bus: bus(self) as any,
      directory,
      execute: execute[self]!,
      log: quiet,
      timeoutMs: 1000,
    });
  };
  return { a: make(a, b), b: make(b, a) };
}

describe("another node's lists and replay, from this node", () => {
  let a: Node;
  let c: Node;
  beforeEach(async () => {
    a = await nodeServices();
    c = await nodeServices();
    const fleet = wire("a", "c", {
      a: (command, actor) => executeControl(a.services, command, actor),
      c: (command, actor) => executeControl(c.services, command, actor),
    });
    publishFleetControl(fleet.a);
  });
  afterEach(async () => {
    publishFleetControl(undefined);
    await a.close();
    await c.close();
  });

  it("lists c's rules and held requests as c's GET would; neither node audits a read", async () => {
    await c.rules.create({ name: "on c", enabled: true, match: {}, action: { type: "drop" } });
    const rules = await dispatchControl(a.services, { kind: "rule.list" }, alice, "c");
    expect(rules).toEqual({ status: 200, body: { rules: c.rules.list() } });
    expect((rules.body as { rules: { name: string }[] }).rules.map((r) => r.name)).toEqual(["on c"]);
    expect(a.rules.list()).toEqual([]);
    const held = await dispatchControl(a.services, { kind: "held.list" }, alice, "c");
    expect(held).toEqual({ status: 200, body: { held: [] } });
    // The same command for this node's own name reads here.
    expect(await dispatchControl(a.services, { kind: "rule.list" }, alice, "a")).toEqual({
      status: 200,
      body: { rules: [] },
    });
    expect(await a.audited()).toEqual([]);
    expect(await c.audited()).toEqual([]);
  });

  it("replays c's exchange on c, audited on both nodes", async () => {
    c.bus.request({ netFn: NETFN.APP, cmd: 0x01, seq: 1 });
    await vi.waitFor(() => expect(c.log).toHaveLength(1));
    const id = String(c.log[0]!.id);
    const operator = { ...alice, role: "operator" as const };
    const outcome = await dispatchControl(a.services, { kind: "exchange.replay", id }, operator, "c");
    expect(outcome.status).toBe(200);
    expect(c.log.map((x) => x.origin)).toEqual(["host", "replay"]);
    expect(a.log).toEqual([]);
    expect(await c.audited()).toContainEqual(
      expect.objectContaining({ actor: "alice on node a", action: "exchange.replay", target: id }),
    );
    expect(await a.audited()).toContainEqual(
      expect.objectContaining({
        actor: "alice",
        action: "exchange.replay",
        target: id,
        detail: { sentTo: "c", status: 200 },
      }),
    );
  });

  it("an unknown node is 404 unknown-node, before anything is sent", async () => {
    const outcome = await dispatchControl(a.services, { kind: "handler.list" }, alice, "zz");
    expect(outcome).toEqual({
      status: 404,
      body: { error: "no node 'zz' in the fleet", reason: "unknown-node" },
    });
  });
});
