/**
 * History and export across nodes against a real throwaway PostgreSQL: the filter's
 * PostgreSQL translation selects exactly what the evaluator matches (the same property as
 * SQLite's, plus the `node` field), pages cover every row once in order for one node and
 * for all, exports carry the node and end, and the source of a `node` parameter.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExchangesQuery, ExportQuery } from "../contract/api";
import type { RemoteExchange } from "../contract/exchange";
import { compileFilter, type Filter, parseFilter } from "../traffic/filter";
import { exchangeArb, filterLeaf, filterTreeOf, nodeLeaf } from "../traffic/filter/test-arbitraries";
import { makeExchange } from "../traffic/test-exchanges";
import type { FleetDatabase } from "./fleet-database";
import {
  exportFleetExchanges,
  type FleetScope,
  fleetExchangesPage,
  fleetLatest,
  historySource,
} from "./fleet-history";
import { type FleetStore, startFleetStore } from "./test-postgres";

let store: FleetStore;
let db: FleetDatabase;

beforeAll(async () => {
  store = await startFleetStore();
  db = store.db;
}, 60_000);

afterAll(async () => {
  await store?.stop();
});

async function insert(rows: RemoteExchange[]): Promise<void> {
  const bytes = (b: Uint8Array) => new Uint8Array(b);
  const maybe = (b: Uint8Array | null) => (b === null ? null : bytes(b));
  await db.fleetExchange.createMany({
    data: rows.map((r) => ({
      ...r,
      node: r.node!,
      request: bytes(r.request),
      response: maybe(r.response),
      frame: maybe(r.frame),
      responseFrame: maybe(r.responseFrame),
    })),
  });
}

async function clear(): Promise<void> {
  await db.$executeRawUnsafe(`DELETE FROM "FleetExchange"`);
}

const NODES = ["a", "b", "node-c"] as const;

function filter(text: string): Filter {
  const parsed = parseFilter(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.filter;
}

function page(scope: FleetScope, query: Partial<ExchangesQuery> = {}) {
  return fleetExchangesPage(db, scope, { limit: 100, ...query });
}

const key = (x: { node?: string | undefined; id: number }) => `${x.node}:${x.id}`;

describe("the filter on the fleet's store (PostgreSQL)", () => {
  const COUNT = 45;
  let records: RemoteExchange[];
  beforeAll(async () => {
    await clear();
    const drawn = fc.sample(fc.tuple(...Array.from({ length: COUNT }, (_, i) => exchangeArb(i + 1))), {
      numRuns: 1,
      seed: 20261203,
    })[0]!;
    records = drawn.map((x, i) => ({ ...x, id: Math.floor(i / 3) + 1, node: NODES[i % 3]! }));
    await insert(records);
  });

  const selected = async (f: Filter) => {
    const rows = await db.$queryRaw<{ node: string; id: number }[]>`
      SELECT "node", "id" FROM "FleetExchange" WHERE ${f.pgSql} ORDER BY "node", "id"`;
    return rows.map(key).sort();
  };
  const expected = (f: Filter) =>
    records
      .filter((x) => f.matches(x))
      .map(key)
      .sort();

  it("selects exactly the records the evaluator matches", async () => {
    const tree = filterTreeOf(
      fc.oneof({ arbitrary: filterLeaf, weight: 6 }, { arbitrary: nodeLeaf, weight: 1 }),
    );
    await fc.assert(
      fc.asyncProperty(tree, async (ast) => {
        const f = compileFilter(ast);
        expect(await selected(f)).toEqual(expected(f));
      }),
      { numRuns: 300, seed: 0x14_2026 },
    );
  }, 120_000);

  it("finds non-ASCII text, wildcards and bytes, as SQLite does", async () => {
    for (const text of [
      'node == "b"',
      'node startswith "node-" or node == "a"',
      'note contains "é✓"',
      'user startswith "ad"',
      'user contains "%"',
      "data contains 20",
      "data startswith dc",
      'data == ""',
      "response != 00 20",
      'cmd == "Get DCMI Capabilities Info"',
      "time >= 2026-11-23T12:00:00.010Z",
      "latency > 2000.5",
      "not (cc == null)",
    ]) {
      const f = filter(text);
      expect(await selected(f), text).toEqual(expected(f));
    }
  });
});

describe("history pages across nodes", () => {
  const PER_NODE = 30;
  let all: RemoteExchange[];
  beforeAll(async () => {
    await clear();
    all = [];
    // Interleaved times, some equal across nodes: the keyset's node and id break the ties.
    for (const node of NODES) {
      for (let id = 1; id <= PER_NODE; id++) {
        const receivedAt = 1_800_000_000_000 + Math.floor(id / 2) * 7 + (node === "b" ? 3 : 0);
        all.push({ ...makeExchange(id, { receivedAt, status: id % 5 === 0 ? "error" : "ok" }), node });
      }
    }
    await insert(all);
  });

  it("walks every node's log newest first, each row once, by time then node then id", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 20; i++) {
      const p = await page("all", { limit: 7, ...(cursor ? { cursor } : {}) });
      seen.push(...p.exchanges.map(key));
      expect(p.nextBefore).toBeNull();
      if (p.nextCursor === null) break;
      cursor = p.nextCursor;
    }
    const order = [...all].sort(
      (p, q) =>
        q.receivedAt - p.receivedAt || (q.node! < p.node! ? -1 : q.node! > p.node! ? 1 : 0) || q.id - p.id,
    );
    expect(seen).toEqual(order.map(key));
  });

  it("walks one node's log by id, and filters with the node's own fields", async () => {
    const first = await page({ node: "b" }, { limit: 10 });
    expect(first.exchanges.map((x) => x.id)).toEqual([30, 29, 28, 27, 26, 25, 24, 23, 22, 21]);
    expect(first.exchanges.every((x) => x.node === "b")).toBe(true);
    expect(first.nextBefore).toBe(21);
    const second = await page({ node: "b" }, { limit: 10, cursor: first.nextCursor! });
    expect(second.exchanges[0]?.id).toBe(20);
    const byBefore = await page({ node: "b" }, { limit: 10, before: 21 });
    expect(byBefore.exchanges.map((x) => x.id)).toEqual(second.exchanges.map((x) => x.id));

    const errors = await page("all", { filter: 'status == error and node != "a"' });
    expect(errors.exchanges.map(key).sort()).toEqual(
      all
        .filter((x) => x.status === "error" && x.node !== "a")
        .map(key)
        .sort(),
    );
  });

  it("refuses a cursor of the other kind", async () => {
    const p = await page("all", { limit: 5 });
    await expect(page({ node: "a" }, { cursor: p.nextCursor! })).rejects.toThrow(RangeError);
    await expect(page("all", { cursor: "12" })).rejects.toThrow(RangeError);
    await expect(page("all", { before: 12 })).rejects.toThrow(RangeError);
    await expect(page("all", { cursor: "t.bm90LWpzb24" })).rejects.toThrow(RangeError);
  });

  it("gives a live view's backfill: the newest of the chosen nodes, filtered", async () => {
    const latest = await fleetLatest(db, ["a", "node-c"], filter("id > 10"), 5);
    expect(latest).toHaveLength(5);
    expect(latest.every((x) => x.node !== "b" && x.id > 10)).toBe(true);
    expect(latest.map((x) => x.receivedAt)).toEqual(
      [...latest.map((x) => x.receivedAt)].sort((p, q) => q - p),
    );
    expect(await fleetLatest(db, [], undefined, 5)).toEqual([]);
  });
});

describe("exports across nodes", () => {
  beforeAll(async () => {
    await clear();
    const rows: RemoteExchange[] = [];
    for (const node of NODES) for (let id = 1; id <= 25; id++) rows.push({ ...makeExchange(id), node });
    await insert(rows);
  });

  async function collect(scope: FleetScope, query: Partial<ExportQuery>, pageSize: number): Promise<string> {
    let out = "";
    for await (const chunk of exportFleetExchanges(
      db,
      scope,
      { format: "ndjson", ...query } as ExportQuery,
      pageSize,
    ))
      out += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("latin1");
    return out;
  }

  it("writes NDJSON with each line's node, oldest first, every row once, in pages", async () => {
    const lines = (await collect("all", {}, 7))
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { node: string; id: number; receivedAt: number });
    expect(lines).toHaveLength(75);
    expect(new Set(lines.map(key)).size).toBe(75);
    for (let i = 1; i < lines.length; i++)
      expect(lines[i]!.receivedAt).toBeGreaterThanOrEqual(lines[i - 1]!.receivedAt);
  });

  it("writes CSV with a node column, and one node's rows alone", async () => {
    const csv = await collect({ node: "node-c" }, { format: "csv", filter: "id <= 10" }, 4);
    const rows = csv.trim().split("\r\n");
    expect(rows[0]!.startsWith("node,id,received_at,")).toBe(true);
    expect(rows.slice(1).map((r) => r.split(",").slice(0, 2).join(","))).toEqual(
      Array.from({ length: 10 }, (_, i) => `node-c,${i + 1}`),
    );
  });

  it("writes pcap records for the store's rows", async () => {
    const pcap = await collect({ node: "a" }, { format: "pcap", filter: "id == 3" }, 10);
    // The global header (24 bytes) and at least the request's record.
    expect(pcap.length).toBeGreaterThan(24 + 16);
  });
});

describe("where a node parameter reads", () => {
  const fleet = (names: string[], fail = false) => ({
    node: "a",
    store: async () => {
      if (fail) throw new Error("connect ECONNREFUSED");
      return db;
    },
    nodeNames: async () => names,
  });
  const source = (node: string | undefined, f: ReturnType<typeof fleet> | undefined, cursor?: string) =>
    historySource({ node, cursor }, "a", f);

  it("reads this node's own log without a node, with its own name, and for all when alone", async () => {
    expect(await source(undefined, fleet(["a", "b"]))).toEqual({ kind: "local" });
    expect(await source("a", fleet(["a", "b"]), "12")).toEqual({ kind: "local" });
    expect(await source("all", undefined)).toEqual({ kind: "local" });
  });

  it("reads the store for another known node or all, and refuses with 404, 503 or 400", async () => {
    expect(await source("b", fleet(["a", "b"]), "7")).toMatchObject({ kind: "fleet", scope: { node: "b" } });
    expect(await source("all", fleet(["a"]))).toMatchObject({ kind: "fleet", scope: "all" });
    expect(await source("zz", fleet(["a", "b"]))).toMatchObject({ refused: { status: 404 } });
    expect(await source("b", undefined)).toMatchObject({ refused: { status: 404 } });
    expect(await source("all", fleet([], true))).toMatchObject({ refused: { status: 503 } });
    const timeCursor = (await page("all", { limit: 1 })).nextCursor!;
    expect(await source("all", fleet(["a"]), "12")).toMatchObject({ refused: { status: 400 } });
    expect(await source(undefined, fleet(["a"]), timeCursor)).toMatchObject({ refused: { status: 400 } });
    expect(await source("b", fleet(["a", "b"]), "nonsense")).toMatchObject({ refused: { status: 400 } });
    expect(await source("all", fleet(["a"]), timeCursor)).toMatchObject({ kind: "fleet" });
  });
});
