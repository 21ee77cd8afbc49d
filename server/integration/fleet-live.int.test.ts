/**
 * The fleet's fan-out in real processes: one throwaway PostgreSQL, three servers (a, b, c)
 * with simulated hosts. A's live clients see b's and c's traffic (filtered server-side),
 * A's operator switches a handler off on C, a stopped node is "gone", and PostgreSQL away
 * for a while costs the fan-out only.
 */

import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ClientToServerEvents, ServerToClientEvents } from "../contract/events";
import type { ExchangeDto } from "../contract/exchange";
import type { RemoteControlError } from "../contract/fleet";
import { type FleetCluster, startFleetCluster, waitFor } from "./fleet-cluster";
import { LiveWatcher } from "./server-process";

const NODES = ["a", "b", "c"] as const;
type NodeName = (typeof NODES)[number];

let fleet: FleetCluster<NodeName>;
const watchers: LiveWatcher[] = [];
/** Fan-out latency samples: arrival at A's client minus the exchange's answer on its node, ms. */
const latencies: number[] = [];

const server = (n: NodeName) => fleet.server(n);
const api = (n: NodeName, p: string, init: RequestInit = {}) => fleet.api(n, p, init);

/** A live client of node A that asked for every node's traffic (and optionally a filter). */
async function watchAll(filter?: string): Promise<LiveWatcher> {
  const w = new LiveWatcher(server("a").url, fleet.cookie("a"));
  watchers.push(w);
  await new Promise<void>((resolve) => w.socket.once("snapshot", () => resolve()));
  const socket = w.socket as unknown as Socket<ServerToClientEvents, ClientToServerEvents>;
  if (filter !== undefined) expect(await socket.emitWithAck("setFilter", filter)).toEqual({ ok: true });
  expect(await socket.emitWithAck("setNodes", { nodes: "all" })).toEqual({ ok: true });
  return w;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

beforeAll(async () => {
  fleet = await startFleetCluster(NODES);
});

afterAll(async () => {
  for (const w of watchers) w.close();
  await fleet?.stop();
  if (latencies.length > 0) {
    process.stdout.write(
      `fleet fan-out latency (node's answer -> A's client), ${latencies.length} exchanges: ` +
        `p50 ${percentile(latencies, 50).toFixed(0)} ms, p99 ${percentile(latencies, 99).toFixed(0)} ms\n`,
    );
  }
});

describe("fleet live fan-out", () => {
  it("a client of A that asked for all nodes gets b's and c's exchanges, marked with their node", async () => {
    const w = await watchAll();
    w.socket.on("live", (events) => {
      const now = Date.now();
      for (const e of events) {
        // Steady state only: the outage test below would add its backlog.
        if (latencies.length >= 300) return;
        if (e.type === "exchange" && e.exchange.node !== "a" && e.exchange.answeredAt !== null) {
          latencies.push(now - e.exchange.answeredAt);
        }
      }
    });
    const fromB = await w.next((x) => x.node === "b");
    const fromC = await w.next((x) => x.node === "c");
    const fromA = await w.next((x) => x.node === "a");
    expect(fromB.busId).toBeTruthy();
    expect(fromC.busId).toBeTruthy();
    // Started together on an empty store, the nodes raced to create the adapter's table;
    // losing that race is no fault to warn about.
    for (const n of NODES)
      expect(fleet.server(n).output()).not.toMatch(/fan-out: creating socket_io_attachments/);
    expect(fromA.node).toBe("a");
    // A fresh client without setNodes gets A's own traffic only.
    const own = new LiveWatcher(server("a").url, fleet.cookie("a"));
    watchers.push(own);
    await own.next((x) => x.node === "a");
    const later = await own.next(() => true);
    expect(later.node).toBe("a");
    expect(own.exchanges.every((x) => x.node === "a")).toBe(true);
    await waitFor("100 latency samples", async () => (latencies.length >= 100 ? true : undefined));
  });

  it('with the filter `node == "b"` only b\'s exchanges come', async () => {
    const w = await watchAll('node == "b"');
    await w.next((x) => x.node === "b");
    // Local exchanges offered before the filter may precede the first of b's; after it, only b.
    const first = w.exchanges.findIndex((x) => x.node === "b");
    await waitFor("30 more exchanges", async () => (w.exchanges.length >= first + 30 ? true : undefined));
    const after = w.exchanges.slice(first);
    expect(new Set(after.map((x) => x.node))).toEqual(new Set(["b"]));
  });
});

describe("control of another node", () => {
  it("a handler switched off on C from A: C answers C1h, both audit it", async () => {
    const w = await watchAll('node == "c" and status == ok');
    const ok = await w.next((x) => x.node === "c" && x.handlerId !== null);
    const handlerId = ok.handlerId!;
    const res = await api("a", `/api/handlers/${encodeURIComponent(handlerId)}?node=c`, {
      method: "PATCH",
      body: JSON.stringify({ enabled: false }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { id: string; enabled: boolean }).enabled).toBe(false);

    const all = await watchAll('node == "c"');
    const refused = await all.next(
      (x: ExchangeDto) => x.node === "c" && x.netFn === ok.netFn && x.cmd === ok.cmd && x.cc === 0xc1,
    );
    expect(refused.status).toBe("error");
    // A's own handler of the same id is untouched.
    const mine = (await (await api("a", "/api/handlers")).json()) as {
      handlers: { id: string; enabled: boolean }[];
    };
    expect(mine.handlers.find((h) => h.id === handlerId)?.enabled).toBe(true);

    type Audit = { entries: { actor: string; action: string; target: string | null; detail: unknown }[] };
    const onC = (await (await api("c", "/api/audit")).json()) as Audit;
    expect(onC.entries).toContainEqual(
      expect.objectContaining({ actor: "admin on node a", action: "handler.disable", target: handlerId }),
    );
    const onA = (await (await api("a", "/api/audit")).json()) as Audit;
    expect(onA.entries).toContainEqual(
      expect.objectContaining({
        actor: "admin",
        action: "handler.disable",
        target: handlerId,
        detail: { sentTo: "c", status: 200 },
      }),
    );
  });

  it("a refusal on C comes back with its reason; an unknown node is 404", async () => {
    const refused = await api("a", "/api/rules/999999?node=c", { method: "DELETE" });
    expect(refused.status).toBe(404);
    expect(await refused.json()).toEqual({ error: "no rule #999999", reason: "refused" });

    const unknown = await api("a", "/api/handlers/app.get-device-id?node=zz", {
      method: "PATCH",
      body: JSON.stringify({ enabled: false }),
    });
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as RemoteControlError).reason).toBe("unknown-node");

    const invalid = await api("a", `/api/rules?node=${"x".repeat(64)}`, { method: "POST", body: "{}" });
    expect(invalid.status).toBe(400);
  });
});

describe("faults", () => {
  it("PostgreSQL away for a while: the nodes keep routing, the fan-out comes back", async () => {
    const w = await watchAll();
    await w.next((x) => x.node === "b");
    fleet.pg.pause();
    try {
      const outage = Date.now();
      // A keeps routing and streaming its own traffic while the store is gone.
      const before = w.exchanges.length;
      await waitFor("A's own traffic during the outage", async () =>
        w.exchanges.slice(before).filter((x) => x.node === "a" && x.receivedAt > outage).length >= 25
          ? true
          : undefined,
      );
      // B keeps routing too (its own client sees it).
      const onB = new LiveWatcher(server("b").url, fleet.cookie("b"));
      watchers.push(onB);
      await onB.next((x) => x.receivedAt > outage);
    } finally {
      fleet.pg.resume();
    }
    const back = Date.now();
    const fromB = await w.next((x) => x.node === "b" && x.receivedAt > back, 30_000);
    const fromC = await w.next((x) => x.node === "c" && x.receivedAt > back, 30_000);
    expect(fromB.node).toBe("b");
    expect(fromC.node).toBe("c");
  });

  it("a command to a node that stopped is 'gone' within a few seconds", async () => {
    await server("c").stop();
    const t0 = Date.now();
    const res = await api("a", "/api/handlers/app.get-device-id?node=c", {
      method: "PATCH",
      body: JSON.stringify({ enabled: false }),
    });
    const elapsed = Date.now() - t0;
    expect([503, 504]).toContain(res.status);
    expect(((await res.json()) as RemoteControlError).reason).toBe("gone");
    expect(elapsed).toBeLessThan(5000);
  });
});
