/** The filter expression on the history page, the export and the HTTP boundary. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exchangesQuery, exportQuery } from "../contract/api";
import { checkFilter, handle } from "../http/route-helpers";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { exportExchanges } from "./export";
import { exchangeFilterConditions, exchangesPage, idWindow } from "./history";
import { insertExchanges } from "./log-writer";
import { BASE_TIME, makeExchanges } from "./test-exchanges";

/** 30 records: every 3rd on lan0 as "admin", every 7th a timeout. */
function seed() {
  return makeExchanges(1, 30, (id) => ({
    ...(id % 3 === 0 ? { busId: "lan0", busKind: "lan" as const, user: "admin" } : {}),
    ...(id % 7 === 0 ? { status: "timeout" as const, cc: 0xc3, response: null, latencyUs: 5_000_000 } : {}),
  }));
}

describe("filter expressions on the log", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
    await insertExchanges(t.db, seed());
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("pages the history through a filter, ANDed with the other fields", async () => {
    const query = exchangesQuery.parse({ limit: "3", filter: 'bus == lan0 and user == "admin"' });
    const first = await exchangesPage(t.db, query);
    expect(first.exchanges.map((x) => x.id)).toEqual([30, 27, 24]);
    const second = await exchangesPage(t.db, { ...query, before: first.nextBefore! });
    expect(second.exchanges.map((x) => x.id)).toEqual([21, 18, 15]);
    const both = await exchangesPage(t.db, { limit: 100, status: "timeout", filter: "bus == bt0" });
    expect(both.exchanges.map((x) => x.id)).toEqual([28, 14, 7]);
    const blank = await exchangesPage(t.db, { limit: 100, filter: "  " });
    expect(blank.exchanges).toHaveLength(30);
  });

  it("exports only the matching records", async () => {
    const query = exportQuery.parse({ format: "ndjson", filter: "status == timeout or latency > 1s" });
    let text = "";
    for await (const chunk of exportExchanges(t.db, query, 2)) text += chunk as string;
    const ids = text
      .trim()
      .split("\n")
      .map((line) => (JSON.parse(line) as { id: number }).id);
    expect(ids).toEqual([7, 14, 21, 28]);
  });

  it("finds a time window through the receivedAt index and pages it like any filter", async () => {
    const at = (id: number) => BASE_TIME + id * 10 + 0.25; // test-exchanges.ts
    const filter = `time >= ${at(10)} and time <= ${at(20)} and bus == bt0`;
    const all = await exchangesPage(t.db, { limit: 100, filter });
    const brute = seed().filter((x) => x.receivedAt >= at(10) && x.receivedAt <= at(20) && x.busId === "bt0");
    expect(all.exchanges.map((x) => x.id)).toEqual(brute.map((x) => x.id).reverse());
    const first = await exchangesPage(t.db, { limit: 4, filter });
    const second = await exchangesPage(t.db, { limit: 4, filter, before: first.nextBefore! });
    expect([...first.exchanges, ...second.exchanges].map((x) => x.id)).toEqual(
      all.exchanges.map((x) => x.id).slice(0, 8),
    );
    // Under `or` the time term bounds nothing: the other side matches outside the window.
    const either = await exchangesPage(t.db, { limit: 100, filter: `time >= ${at(29)} or id == 1` });
    expect(either.exchanges.map((x) => x.id)).toEqual([30, 29, 1]);
    expect(await exchangesPage(t.db, { limit: 100, filter: `time > ${at(31)}` })).toEqual({
      exchanges: [],
      nextBefore: null,
      nextCursor: null,
    });
    expect(await idWindow(t.db, { filter: `time == ${at(5)}` })).toEqual({ lo: 5, hi: 5 });
    expect(await idWindow(t.db, { filter: "bus == bt0" })).toBeUndefined();
    let text = "";
    for await (const chunk of exportExchanges(t.db, exportQuery.parse({ format: "ndjson", filter }), 2))
      text += chunk as string;
    expect(
      text
        .trim()
        .split("\n")
        .map((l) => (JSON.parse(l) as { id: number }).id),
    ).toEqual(brute.map((x) => x.id));
  });

  it("walks the primary key in id order whatever the filter names (no sort per page)", async () => {
    const [condition] = exchangeFilterConditions({
      filter: 'netfn == App and cmd == "Get Device ID" and time > 0 and status == ok',
    });
    const plan = await t.db.$queryRaw<{ detail: string }[]>`EXPLAIN QUERY PLAN
      SELECT "id" FROM "Exchange" WHERE "id" < 1000 AND ${condition!} ORDER BY "id" DESC LIMIT 10`;
    const details = plan.map((p) => p.detail).join("; ");
    expect(details).not.toContain("TEMP B-TREE");
    expect(details).not.toMatch(/INDEX Exchange_(netFn|receivedAt)/);
  });

  it("limits the filter's length in the contract", () => {
    expect(exchangesQuery.safeParse({ filter: "x".repeat(2001) }).success).toBe(false);
    expect(exportQuery.safeParse({ format: "csv", filter: "id > 1" }).success).toBe(true);
  });
});

describe("checkFilter", () => {
  it("accepts a valid or blank filter", () => {
    expect(() => checkFilter(undefined)).not.toThrow();
    expect(() => checkFilter("")).not.toThrow();
    expect(() => checkFilter("cc != 0")).not.toThrow();
  });

  it("answers 400 with the error and its position", async () => {
    const response = await handle(() => {
      checkFilter("cc != 0 and frob == 1");
      return new Response("unreachable");
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: expect.stringContaining("unknown field 'frob'"),
      position: 12,
    });
  });
});
