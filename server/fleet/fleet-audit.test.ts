/**
 * The shared audit trail (FleetAudit) against a real throwaway PostgreSQL: pages of every
 * node cover each entry once in (at, node, id) order, one node's pages go by id, exports
 * carry the node, details come back parsed as the node's own log returns them, and the
 * `node`/`cursor`/`before` of a query are refused as the history's are.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditEntryDto } from "../contract/control";
import { exportFleetAudit, fleetAuditPage } from "./fleet-audit";
import type { FleetDatabase } from "./fleet-database";
import { type FleetScope, type HistoryFleet, historySource } from "./fleet-history";
import { type FleetStore, startFleetStore } from "./test-postgres";

let store: FleetStore;
let db: FleetDatabase;

const NODES = ["a", "b", "node-c"] as const;
const T0 = Date.UTC(2026, 10, 23, 12);

/** 3 nodes × 25 entries; ids repeat across nodes and times tie across nodes (every 5th). */
const rows = NODES.flatMap((node, n) =>
  Array.from({ length: 25 }, (_, i) => ({
    node,
    id: i + 1,
    at: T0 + i * 1000 + (i % 5 === 0 ? 0 : n * 7),
    actor: n === 0 ? "admin" : `admin on node ${NODES[(n + 1) % 3]}`,
    action: i % 2 === 0 ? "handler.disable" : "exchange.replay",
    target: i % 3 === 0 ? null : String(100 + i),
    detail: i % 4 === 0 ? null : i % 4 === 1 ? JSON.stringify({ sentTo: "c", status: 200, i }) : `plain ${i}`,
  })),
);

const key = (e: { node?: string | undefined; id: number }) => `${e.node}:${e.id}`;

beforeAll(async () => {
  store = await startFleetStore();
  db = store.db;
  await db.fleetAudit.createMany({ data: rows });
}, 60_000);

afterAll(async () => {
  await store?.stop();
});

async function walk(scope: FleetScope, limit: number): Promise<AuditEntryDto[]> {
  const seen: AuditEntryDto[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const page = await fleetAuditPage(db, scope, { limit, ...(cursor === undefined ? {} : { cursor }) });
    seen.push(...page.entries);
    if (page.nextCursor === null) return seen;
    if (scope === "all") expect(page.nextBefore).toBeNull();
    cursor = page.nextCursor;
  }
  throw new Error("more pages than entries");
}

describe("pages of the shared audit trail", () => {
  it("covers every node's entries once, newest first by (at, node, id)", async () => {
    for (const limit of [1, 7, 25, 100]) {
      const seen = await walk("all", limit);
      const expected = [...rows]
        .sort((x, y) => y.at - x.at || (y.node < x.node ? -1 : y.node > x.node ? 1 : 0) || y.id - x.id)
        .map(key);
      expect(seen.map(key)).toEqual(expected);
    }
  });

  it("pages one node by id (cursor or before), with only its entries", async () => {
    const seen = await walk({ node: "b" }, 4);
    expect(seen.map((e) => e.id)).toEqual(Array.from({ length: 25 }, (_, i) => 25 - i));
    expect(new Set(seen.map((e) => e.node))).toEqual(new Set(["b"]));
    const first = await fleetAuditPage(db, { node: "b" }, { limit: 10 });
    expect(first.nextBefore).toBe(16);
    expect(first.nextCursor).toBe("16");
    const second = await fleetAuditPage(db, { node: "b" }, { limit: 10, before: first.nextBefore! });
    expect(second.entries.map((e) => e.id)).toEqual([15, 14, 13, 12, 11, 10, 9, 8, 7, 6]);
  });

  it("returns the detail as the node's own log does: JSON parsed, other text as it is", async () => {
    const byId = new Map((await walk({ node: "a" }, 100)).map((e) => [e.id, e]));
    expect(byId.get(2)).toMatchObject({
      node: "a",
      detail: { sentTo: "c", status: 200, i: 1 },
      target: "101",
    });
    expect(byId.get(3)?.detail).toBe("plain 2");
    expect(byId.get(1)).toMatchObject({ detail: null, target: null, actor: "admin" });
  });
});

async function text(chunks: AsyncIterable<string>): Promise<string> {
  let out = "";
  for await (const c of chunks) out += c;
  return out;
}

describe("exports of the shared audit trail", () => {
  it("CSV has a leading node column; every node's entries, oldest first, once", async () => {
    const csv = (await text(exportFleetAudit(db, "all", "csv", 10))).trimEnd().split("\r\n");
    expect(csv[0]).toBe("node,id,at,actor,action,target,detail");
    expect(csv).toHaveLength(rows.length + 1);
    const keys = csv.slice(1).map((line) => line.split(",").slice(0, 2).join(":"));
    expect(new Set(keys).size).toBe(rows.length);
    expect(csv[1]).toMatch(/^a,1,2026-11-23T12:00:00.000Z,admin,handler.disable,,/);
  });

  it("NDJSON carries the node on each line; one node's export is its entries by id", async () => {
    const lines = (await text(exportFleetAudit(db, { node: "node-c" }, "ndjson", 4)))
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as AuditEntryDto);
    expect(lines.map((e) => e.id)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(lines.every((e) => e.node === "node-c")).toBe(true);
    expect(lines[1]).toMatchObject({ actor: "admin on node a", detail: { sentTo: "c", status: 200, i: 1 } });
  });

  it("one node the store has nothing of: CSV is its header alone", async () => {
    expect(await text(exportFleetAudit(db, { node: "nobody" }, "csv"))).toBe(
      "node,id,at,actor,action,target,detail\r\n",
    );
  });
});

describe("which trail a query reads", () => {
  const fleet = (names: string[], down = false): HistoryFleet => ({
    node: "a",
    store: async () => {
      if (down) throw new Error("connection refused");
      return db;
    },
    nodeNames: async () => names,
  });
  const source = (query: { node?: string; cursor?: string; before?: number }, f = fleet(["a", "b"])) =>
    historySource(query, "a", f);

  it("reads the store for another node or all; refuses unknown (404), away (503), wrong cursor (400)", async () => {
    const timeCursor = (await fleetAuditPage(db, "all", { limit: 1 })).nextCursor!;
    expect(await source({})).toEqual({ kind: "local" });
    expect(await source({ node: "b", cursor: "3" })).toMatchObject({ kind: "fleet", scope: { node: "b" } });
    expect(await source({ node: "all", cursor: timeCursor })).toMatchObject({ kind: "fleet", scope: "all" });
    expect(await source({ node: "zz" })).toMatchObject({ refused: { status: 404 } });
    expect(await source({ node: "all" }, fleet([], true))).toMatchObject({ refused: { status: 503 } });
    expect(await source({ node: "all", cursor: "3" })).toMatchObject({ refused: { status: 400 } });
    expect(await source({ node: "b", cursor: timeCursor })).toMatchObject({ refused: { status: 400 } });
    expect(await source({ cursor: timeCursor })).toMatchObject({ refused: { status: 400 } });
    // An id means nothing across nodes.
    expect(await source({ node: "all", before: 3 })).toMatchObject({ refused: { status: 400 } });
    expect(await source({ node: "b", before: 3 })).toMatchObject({ kind: "fleet" });
  });

  it("a page asked with a cursor of the wrong kind throws rather than reading the wrong rows", async () => {
    await expect(fleetAuditPage(db, "all", { limit: 5, cursor: "3" })).rejects.toThrow(RangeError);
    await expect(fleetAuditPage(db, "all", { limit: 5, before: 3 })).rejects.toThrow(RangeError);
  });
});
