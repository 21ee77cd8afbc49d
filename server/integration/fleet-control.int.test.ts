/**
 * Another node's handlers, rules and held requests, read and acted on from this node
 * (issue 14), in real processes: one throwaway PostgreSQL, three servers (a, b, c) with
 * simulated hosts. From A: C's lists as C's own GET routes answer them, a request held on C
 * answered, one of C's exchanges replayed on C, and a stopped node's list "gone".
 */

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntryDto } from "../contract/control";
import type { ExchangeDto } from "../contract/exchange";
import type { RemoteControlError } from "../contract/fleet";
import type { HandlerInfo } from "../contract/handlers";
import { type FleetCluster, startFleetCluster, waitFor } from "./fleet-cluster";
import { LiveWatcher } from "./server-process";

const NODES = ["a", "b", "c"] as const;
type NodeName = (typeof NODES)[number];
/** Every node has it and the simulated host asks it often. */
const FLAGS = { id: "app.get-message-flags", netFn: 6, cmd: 0x31 };

let fleet: FleetCluster<NodeName>;
const watchers: LiveWatcher[] = [];

const server = (n: NodeName) => fleet.server(n);
const api = (n: NodeName, p: string, init: RequestInit = {}) => fleet.api(n, p, init);
const post = (n: NodeName, p: string, body?: unknown) =>
  api(n, p, { method: "POST", body: body === undefined ? undefined : JSON.stringify(body) });
async function json<T>(res: Response | Promise<Response>, status = 200): Promise<T> {
  const r = await res;
  const text = await r.text();
  if (r.status !== status) throw new Error(`${r.url}: ${r.status} ${text}`);
  return JSON.parse(text) as T;
}
const audit = async (n: NodeName) =>
  (await json<{ entries: AuditEntryDto[] }>(api(n, "/api/audit?limit=200"))).entries;

beforeAll(async () => {
  fleet = await startFleetCluster(NODES, { HOLD_DEADLINE_MS: "4000" });
  // A command goes to a node A has heard on the fan-out; until then it is "unknown-node".
  await waitFor("node a to hear node c", async () =>
    (await api("a", "/api/rules?node=c")).status === 200 ? true : undefined,
  );
});

afterAll(async () => {
  for (const w of watchers) w.close();
  await fleet?.stop();
});

describe("another node's lists, read from A", () => {
  it("C's handlers, with one switched off on C: off in A's list of C, on in A's own", async () => {
    const off = await api("c", `/api/handlers/${FLAGS.id}`, {
      method: "PATCH",
      body: JSON.stringify({ enabled: false }),
    });
    expect(off.status).toBe(200);
    try {
      const ofC = await json<{ handlers: HandlerInfo[] }>(api("a", "/api/handlers?node=c"));
      const onC = await json<{ handlers: HandlerInfo[] }>(api("c", "/api/handlers"));
      expect(ofC.handlers.find((h) => h.id === FLAGS.id)?.enabled).toBe(false);
      // The same list as C's own GET (counts move between the two reads).
      const shape = (hs: HandlerInfo[]) => hs.map((h) => [h.id, h.key, h.enabled, h.active]);
      expect(shape(ofC.handlers)).toEqual(shape(onC.handlers));
      const mine = await json<{ handlers: HandlerInfo[] }>(api("a", "/api/handlers"));
      expect(mine.handlers.find((h) => h.id === FLAGS.id)?.enabled).toBe(true);
      // This node's own name reads here.
      const self = await json<{ handlers: HandlerInfo[] }>(api("a", "/api/handlers?node=a"));
      expect(self.handlers.find((h) => h.id === FLAGS.id)?.enabled).toBe(true);
    } finally {
      await api("c", `/api/handlers/${FLAGS.id}`, {
        method: "PATCH",
        body: JSON.stringify({ enabled: true }),
      });
    }
  });

  it("C's rules, with one created on C; reads are audited on neither node", async () => {
    const rule = await json<{ id: number; name: string }>(
      post("c", "/api/rules", {
        name: "only on c",
        match: { netFn: 6, cmd: 0x99 },
        action: { type: "drop" },
      }),
      201,
    );
    const ofC = await json<{ rules: { id: number; name: string }[] }>(api("a", "/api/rules?node=c"));
    expect(ofC).toEqual(await json(api("c", "/api/rules")));
    expect(ofC.rules).toContainEqual(expect.objectContaining({ id: rule.id, name: "only on c" }));
    const mine = await json<{ rules: { name: string }[] }>(api("a", "/api/rules"));
    expect(mine.rules.map((r) => r.name)).not.toContain("only on c");
    const isList = (e: AuditEntryDto) => e.action.endsWith(".list");
    expect((await audit("a")).filter(isList)).toEqual([]);
    expect((await audit("c")).filter(isList)).toEqual([]);
    expect((await api("c", `/api/rules/${rule.id}`, { method: "DELETE" })).status).toBe(204);
  });

  it("a request held on C is listed and answered from A", async () => {
    const rule = await json<{ id: number }>(
      post("c", "/api/rules", {
        name: "hold flags",
        match: { netFn: FLAGS.netFn, cmd: FLAGS.cmd },
        action: { type: "hold" },
      }),
      201,
    );
    try {
      const held = await waitFor("a held request on c, listed from a", async () => {
        const { held } = await json<{ held: { id: number; netFn: number; cmd: number }[] }>(
          api("a", "/api/held?node=c"),
        );
        return held[0];
      });
      expect(held).toMatchObject({ netFn: FLAGS.netFn, cmd: FLAGS.cmd });
      // A has nothing held of its own.
      expect((await json<{ held: unknown[] }>(api("a", "/api/held"))).held).toEqual([]);
      const answered = await json<{ exchange: ExchangeDto }>(
        post("a", `/api/held/${held.id}/answer?node=c`, { cc: 0, data: "ab cd" }),
      );
      expect(answered.exchange).toMatchObject({ id: held.id, cc: 0, response: "ab cd", origin: "host" });
      expect(answered.exchange.note).toMatch(/answered by admin on node a/);
      expect((await audit("c")).map((e) => [e.actor, e.action, e.target])).toContainEqual([
        "admin on node a",
        "held.answer",
        String(held.id),
      ]);
    } finally {
      await api("c", `/api/rules/${rule.id}`, { method: "DELETE" });
      await post("a", "/api/held/pass-all?node=c");
    }
  });

  it("one of C's exchanges replayed from A runs on C, origin replay, audited on both", async () => {
    const onC = new LiveWatcher(server("c").url, fleet.cookie("c"));
    watchers.push(onC);
    const original = await onC.next((x) => x.origin === "host" && x.netFn === 6 && x.status === "ok");
    const res = await post("a", `/api/exchanges/${original.id}/replay?node=c`);
    const { exchange } = await json<{ exchange: ExchangeDto }>(res);
    expect(exchange).toMatchObject({ origin: "replay", netFn: original.netFn, cmd: original.cmd });
    const inLog = await waitFor("the replay in C's log", async () => {
      const { exchanges } = await json<{ exchanges: ExchangeDto[] }>(api("c", "/api/exchanges?limit=500"));
      return exchanges.find((x) => x.id === exchange.id);
    });
    expect(inLog.origin).toBe("replay");
    expect(await audit("c")).toContainEqual(
      expect.objectContaining({
        actor: "admin on node a",
        action: "exchange.replay",
        target: String(original.id),
      }),
    );
    expect(await audit("a")).toContainEqual(
      expect.objectContaining({
        actor: "admin",
        action: "exchange.replay",
        target: String(original.id),
        detail: { sentTo: "c", status: 200 },
      }),
    );
    // The shared trail, read on A: C's entry says who did it from where, A's where it went.
    const ofReplay = (e: AuditEntryDto) => e.action === "exchange.replay" && e.target === String(original.id);
    const shared = await waitFor("both entries of the replay in the store", async () => {
      const { entries } = await json<{ entries: AuditEntryDto[] }>(
        api("a", "/api/audit?node=all&limit=1000"),
      );
      const onC = entries.find((e) => ofReplay(e) && e.node === "c");
      const onA = entries.find((e) => ofReplay(e) && e.node === "a");
      return onC && onA ? { onC, onA } : undefined;
    });
    expect(shared.onC.actor).toBe("admin on node a");
    expect(shared.onA).toMatchObject({ actor: "admin", detail: { sentTo: "c", status: 200 } });
    const csv = await (await api("a", "/api/audit/export?format=csv&node=c")).text();
    expect(csv.split("\r\n")[0]).toBe("node,id,at,actor,action,target,detail");
    expect(csv).toContain(`c,${shared.onC.id},`);
    expect((await api("a", "/api/audit?node=zz")).status).toBe(404);
    expect((await api("a", "/api/audit?node=all&before=3")).status).toBe(400);
    // A refusal on C (no such exchange there) comes back with C's message.
    const missing = await post("a", "/api/exchanges/999999999/replay?node=c");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: "no exchange #999999999 with a request to replay",
      reason: "refused",
    });
  });

  it("an unknown node is 404 unknown-node; a node that stopped is 'gone'", async () => {
    const unknown = await api("a", "/api/held?node=zz");
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as RemoteControlError).reason).toBe("unknown-node");

    await server("c").stop();
    for (const path of ["/api/handlers", "/api/rules", "/api/held"]) {
      const t0 = Date.now();
      const res = await api("a", `${path}?node=c`);
      expect([503, 504]).toContain(res.status);
      expect(((await res.json()) as RemoteControlError).reason).toBe("gone");
      expect(Date.now() - t0).toBeLessThan(5000);
    }
  });
});
