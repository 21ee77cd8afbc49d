/**
 * A fleet of three real server processes (nodes a, b, c, each on its own SQLite log) sharing
 * one throwaway PostgreSQL: every node's records reach the store exactly once, through an
 * outage of the store under traffic and a node's restart; the roster shows nodes up and
 * gone; a sign-in on one node is accepted by another; one node's console reads every node's
 * history and export from the store.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExchangesPage, HealthResponse } from "../contract/api";
import type { FleetStatusDto } from "../contract/fleet";
import { type FleetDatabase, openFleetDatabase } from "../fleet/fleet-database";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../fleet/test-postgres";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { type RunningServer, startServer } from "./server-process";

const NODES = ["a", "b", "c"] as const;
type Node = (typeof NODES)[number];

let pg: ThrowawayPostgres | undefined;
let fleet: FleetDatabase | undefined;
const dbs = {} as Record<Node, TestDatabase>;
const servers: Partial<Record<Node, RunningServer>> = {};
let cookie = "";

const start = async (node: Node) => {
  servers[node] = await startServer({
    DATABASE_URL: dbs[node].url,
    FLEET_DATABASE_URL: pg!.url,
    NODE_NAME: node,
    SIM_RATE: "50",
    LAN_PORT: "off",
    LOG_LEVEL: "info",
    FLEET_GONE_AFTER_MS: "3000",
  });
  return servers[node]!;
};
const server = (node: Node) => servers[node]!;

async function get<T>(node: Node, path: string): Promise<T> {
  const res = await fetch(`${server(node).url}${path}`, { headers: { cookie } });
  if (res.status !== 200) throw new Error(`${node} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function waitFor(test: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    const ok = await test().catch((err: unknown) => {
      last = ` (last: ${err instanceof Error ? err.message : String(err)})`;
      return false;
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function storedExchanges(node: Node) {
  const [row] = await fleet!.$queryRawUnsafe<{ count: number; distinct: number; min: number; max: number }[]>(
    `SELECT count(*)::int AS count, count(DISTINCT id)::int AS distinct, coalesce(min(id), 0) AS min, coalesce(max(id), 0) AS max
     FROM "FleetExchange" WHERE node = $1`,
    node,
  );
  return row!;
}

const health = (node: Node) => get<HealthResponse>(node, "/api/health");
const persisted = async (node: Node) => (await health(node)).exchanges.persisted;

beforeAll(async () => {
  pg = await startThrowawayPostgres();
  fleet = await openFleetDatabase(pg.url);
  for (const n of NODES) dbs[n] = await createTestDatabase();
  await Promise.all(NODES.map(start));
  cookie = await server("a").login();
});

afterAll(async () => {
  for (const n of NODES) await servers[n]?.stop().catch(() => undefined);
  await fleet?.$disconnect();
  pg?.stop();
  for (const n of NODES) await dbs[n]?.cleanup();
});

describe("a fleet of three nodes on one PostgreSQL", () => {
  it("lists the three nodes up, each with its dashboard address", async () => {
    let status: FleetStatusDto | undefined;
    await waitFor(async () => {
      status = await get<FleetStatusDto>("b", "/api/fleet");
      return status.nodes.filter((n) => n.state === "up").length === 3;
    }, "three nodes up");
    expect(status).toMatchObject({ enabled: true, node: "b", store: "up" });
    expect(status!.nodes.map((n) => [n.name, n.address, n.self])).toEqual(
      NODES.map((n) => [n, server(n).url, n === "b"]),
    );
    expect(status!.nodes[0]!.buses.map((b) => b.id)).toContain("bt0");
    const h = await health("a");
    expect(h.fleet).toMatchObject({ enabled: true, node: "a", store: "up" });
  });

  it("accepts a sign-in on node a at nodes b and c, and an operator created on a signs in on c", async () => {
    // b and c never saw this session: it is found in the shared store.
    for (const n of ["b", "c"] as const) {
      const res = await fetch(`${server(n).url}/api/auth/session`, { headers: { cookie } });
      expect(await res.json()).toMatchObject({ operator: { username: "admin" } });
    }
    const created = await fetch(`${server("a").url}/api/operators`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ username: "watcher", password: "watcher-password-1", role: "viewer" }),
    });
    expect(created.status).toBe(201);
    const onC = await server("c").login("watcher", "watcher-password-1");
    const res = await fetch(`${server("b").url}/api/auth/session`, { headers: { cookie: onC } });
    expect(await res.json()).toMatchObject({ operator: { username: "watcher", role: "viewer" } });
    // Without a session anywhere, still refused.
    const none = await fetch(`${server("b").url}/api/fleet`, { headers: { cookie: "bmc_session=forged" } });
    expect(none.status).toBe(401);
  });

  it("pages every node's history and one other node's from node a, filtered by node, and exports them", async () => {
    type Page = ExchangesPage;
    await waitFor(async () => {
      const page = await get<Page>("a", `/api/exchanges?node=all&limit=1000`);
      return NODES.every((n) => page.exchanges.some((x) => x.node === n));
    }, "every node's exchanges in a's all-nodes history");
    // Two pages of b and c only: no row twice, newest first by time.
    const filter = encodeURIComponent('node != "a"');
    const first = await get<Page>("a", `/api/exchanges?node=all&limit=20&filter=${filter}`);
    expect(first.exchanges).toHaveLength(20);
    expect(first.nextCursor).toMatch(/^t\./);
    const second = await get<Page>(
      "a",
      `/api/exchanges?node=all&limit=20&filter=${filter}&cursor=${encodeURIComponent(first.nextCursor!)}`,
    );
    const both = [...first.exchanges, ...second.exchanges];
    expect(both.every((x) => x.node === "b" || x.node === "c")).toBe(true);
    expect(new Set(both.map((x) => `${x.node}:${x.id}`)).size).toBe(40);
    const times = both.map((x) => x.receivedAt);
    expect(times).toEqual([...times].sort((p, q) => q - p));

    // One other node's log pages by id, as the local one does; the store holds what c logged.
    const onC = await get<Page>("a", `/api/exchanges?node=c&limit=10`);
    expect(onC.exchanges.every((x) => x.node === "c")).toBe(true);
    const ids = onC.exchanges.map((x) => x.id);
    expect(ids).toEqual([...ids].sort((p, q) => q - p));
    const cOwn = await get<Page>(
      "c",
      `/api/exchanges?limit=1&filter=${encodeURIComponent(`id == ${ids[0]}`)}`,
    );
    expect(cOwn.exchanges[0]).toMatchObject({ id: ids[0], request: onC.exchanges[0]!.request });

    // Bad names and cursors are the caller's mistake, not a 500.
    const unknown = await fetch(`${server("a").url}/api/exchanges?node=zz`, { headers: { cookie } });
    expect(unknown.status).toBe(404);
    const badCursor = await fetch(`${server("a").url}/api/exchanges?node=all&cursor=12`, {
      headers: { cookie },
    });
    expect(badCursor.status).toBe(400);

    const csv = await fetch(`${server("a").url}/api/exchanges/export?format=csv&node=all&filter=${filter}`, {
      headers: { cookie },
    });
    expect(csv.status).toBe(200);
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]!.startsWith("node,id,")).toBe(true);
    const exported = new Set(lines.slice(1).map((l) => l.split(",")[0]));
    expect([...exported].sort()).toEqual(["b", "c"]);
    const ndjson = await fetch(`${server("b").url}/api/exchanges/export?format=ndjson&node=c`, {
      headers: { cookie },
    });
    const rows = (await ndjson.text())
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { node: string; id: number });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.node === "c")).toBe(true);
    expect(rows.map((r) => r.id)).toEqual([...rows.map((r) => r.id)].sort((p, q) => p - q));
  });

  it("keeps logging and signing in through a PostgreSQL outage, then ships the backlog without gap or duplicate and publishes the sign-in", async () => {
    let signedInDuringOutage = "";
    await waitFor(
      async () => (await storedExchanges("a")).count > 0,
      "node a's first exchanges in the store",
    );
    pg!.pause();
    try {
      await waitFor(async () => (await health("a")).fleet?.store === "down", "node a to see the store down");
      const before = await persisted("a");
      // Traffic goes on locally while the store is away.
      await waitFor(async () => (await persisted("a")) >= before + 100, "traffic during the outage");
      const lag = (await health("a")).fleet?.lag;
      expect(lag?.error).toBeTruthy();
      expect(lag?.records).toBeGreaterThan(0);
      // A sign-in on a while the store is away: a alone knows it, until the store returns.
      signedInDuringOutage = await server("a").login();
    } finally {
      pg!.resume();
    }
    for (const n of NODES) {
      await waitFor(async () => {
        const f = (await health(n)).fleet;
        return f?.store === "up" && f.lag !== null && f.lag.records < 50;
      }, `node ${n} to catch up`);
    }
    await waitFor(async () => {
      const res = await fetch(`${server("b").url}/api/auth/session`, {
        headers: { cookie: signedInDuringOutage },
      });
      return ((await res.json()) as { operator: { username: string } | null }).operator?.username === "admin";
    }, "node b to accept the sign-in made on a during the outage");
    expect(server("a").output()).toMatch(/fleet: store unreachable \(.+\), shipping when it returns/);
  });

  it("ships everything on SIGTERM, shows the node gone, and resumes from its mark on restart", async () => {
    await server("c").stop();
    const localCount = await dbs.c.db.exchange.count();
    expect(localCount).toBeGreaterThan(0);
    expect(await storedExchanges("c")).toEqual({
      count: localCount,
      distinct: localCount,
      min: 1,
      max: localCount,
    });
    await waitFor(async () => {
      const s = await get<FleetStatusDto>("a", "/api/fleet");
      return s.nodes.find((n) => n.name === "c")?.state === "gone";
    }, "node c gone");

    const restarted = await start("c");
    await waitFor(
      async () => restarted.output().includes(`fleet: shipping as node c from exchange ${localCount},`),
      "node c to resume from its mark",
    );
    await waitFor(async () => (await storedExchanges("c")).count > localCount + 20, "node c shipping again");
    const s = await get<FleetStatusDto>("a", "/api/fleet");
    await waitFor(
      async () => (await get<FleetStatusDto>("a", "/api/fleet")).nodes.every((n) => n.state === "up"),
      "node c up again",
    );
    expect(s.nodes.map((n) => n.name)).toEqual(["a", "b", "c"]);
  });

  it("holds every node's exchanges and audit entries exactly once after all stop", async () => {
    for (const n of NODES) await server(n).stop();
    for (const n of NODES) {
      const count = await dbs[n].db.exchange.count();
      const max = (await dbs[n].db.exchange.aggregate({ _max: { id: true } }))._max.id;
      expect(max).toBe(count);
      expect(await storedExchanges(n)).toEqual({ count, distinct: count, min: 1, max: count });
      const audit = await dbs[n].db.auditEntry.count();
      expect(await fleet!.fleetAudit.count({ where: { node: n } })).toBe(audit);
    }
    // Logins and the operator created on a: the audit trail reached the store.
    expect(await fleet!.fleetAudit.count({ where: { node: "a", action: "operator.create" } })).toBe(1);
  });
});
