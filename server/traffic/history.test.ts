import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ExchangesQuery } from "../contract/api";
import type { Exchange } from "../contract/exchange";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { countExchanges, exchangesPage, maxExchangeId, rowToExchange, toUint8Array } from "./history";
import { formatCursor, parseCursor } from "./history-cursor";
import { insertExchanges } from "./log-writer";
import { makeExchange, makeExchanges } from "./test-exchanges";

/** 30 records: every 3rd on bus "lan0", every 5th a Chassis (00h) command, every 7th a timeout. */
function seed(): Exchange[] {
  return makeExchanges(1, 30, (id) => ({
    ...(id % 3 === 0 ? { busId: "lan0", busKind: "lan" as const } : {}),
    ...(id % 5 === 0 ? { netFn: 0x00, cmd: 0x01 } : {}),
    ...(id % 10 === 0 ? { cmd: 0x02 } : {}),
    ...(id % 7 === 0 ? { status: "timeout" as const, cc: 0xc3, response: null } : {}),
  }));
}

/** Follows nextBefore to the end, returning the ids of every page. */
async function allPages(t: TestDatabase, query: Omit<ExchangesQuery, "before">): Promise<number[][]> {
  const pages: number[][] = [];
  let before: number | undefined;
  for (;;) {
    const page = await exchangesPage(t.db, { ...query, ...(before === undefined ? {} : { before }) });
    pages.push(page.exchanges.map((x) => x.id));
    if (page.nextBefore === null) return pages;
    expect(page.nextBefore).toBe(page.exchanges.at(-1)?.id);
    before = page.nextBefore;
  }
}

const ids = (records: Exchange[], keep: (x: Exchange) => boolean) =>
  records
    .filter(keep)
    .map((x) => x.id)
    .reverse();

describe("history", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("is empty on a fresh database", async () => {
    expect(await exchangesPage(t.db, { limit: 10 })).toEqual({
      exchanges: [],
      nextBefore: null,
      nextCursor: null,
    });
    expect(await countExchanges(t.db)).toBe(0);
    expect(await maxExchangeId(t.db)).toBe(0);
  });

  it("pages newest first with keyset paging by id", async () => {
    await insertExchanges(t.db, seed());
    expect(await countExchanges(t.db)).toBe(30);
    expect(await maxExchangeId(t.db)).toBe(30);

    const first = await exchangesPage(t.db, { limit: 12 });
    expect(first.exchanges.map((x) => x.id)).toEqual([30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19]);
    expect(first.nextBefore).toBe(19);
    const second = await exchangesPage(t.db, { limit: 12, before: 19 });
    expect(second.exchanges.map((x) => x.id)).toEqual([18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7]);
    expect(second.nextBefore).toBe(7);
    const last = await exchangesPage(t.db, { limit: 12, before: 7 });
    expect(last.exchanges.map((x) => x.id)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(last.nextBefore).toBeNull();
  });

  it("says there is no next page when the last page is exactly full", async () => {
    await insertExchanges(t.db, makeExchanges(1, 20));
    expect(await allPages(t, { limit: 10 })).toEqual([
      [20, 19, 18, 17, 16, 15, 14, 13, 12, 11],
      [10, 9, 8, 7, 6, 5, 4, 3, 2, 1],
    ]);
    expect((await exchangesPage(t.db, { limit: 20 })).nextBefore).toBeNull();
    expect((await exchangesPage(t.db, { limit: 19 })).nextBefore).toBe(2);
  });

  it("uses 100 as the page size when none is given", async () => {
    await insertExchanges(t.db, makeExchanges(1, 150));
    const page = await exchangesPage(t.db, {} as ExchangesQuery);
    expect(page.exchanges).toHaveLength(100);
    expect(page.nextBefore).toBe(51);
  });

  it.each<[string, Omit<ExchangesQuery, "limit" | "before">, (x: Exchange) => boolean]>([
    ["bus", { bus: "lan0" }, (x) => x.busId === "lan0"],
    ["netFn", { netFn: 0x00 }, (x) => x.netFn === 0x00],
    ["cmd", { cmd: 0x02 }, (x) => x.cmd === 0x02],
    ["netFn and cmd", { netFn: 0x00, cmd: 0x01 }, (x) => x.netFn === 0x00 && x.cmd === 0x01],
    ["status", { status: "timeout" }, (x) => x.status === "timeout"],
    [
      "bus and status",
      { bus: "lan0", status: "timeout" },
      (x) => x.busId === "lan0" && x.status === "timeout",
    ],
    ["nothing matching", { bus: "nowhere" }, () => false],
  ])("filters by %s, across pages", async (_name, filter, keep) => {
    const records = seed();
    await insertExchanges(t.db, records);
    const expected = ids(records, keep);
    const pages = await allPages(t, { limit: 2, ...filter });
    expect(pages.flat()).toEqual(expected);
    expect(pages.every((p) => p.length <= 2)).toBe(true);
    const single = await exchangesPage(t.db, { limit: 1000, ...filter });
    expect(single.exchanges.map((x) => x.id)).toEqual(expected);
    expect(single.nextBefore).toBeNull();
  });

  it("answers DTOs with bytes as hex, round-tripping empty and 255-byte fields", async () => {
    const big = Uint8Array.from({ length: 255 }, (_, i) => i);
    await insertExchanges(t.db, [
      makeExchange(1, { request: new Uint8Array(0), response: big, frame: Uint8Array.of(0x18, 0x04) }),
      makeExchange(2, { request: Uint8Array.of(0x00, 0xff), response: null, cc: null, status: "malformed" }),
    ]);
    const page = await exchangesPage(t.db, { limit: 10 });
    const [two, one] = page.exchanges;
    expect(two).toMatchObject({
      id: 2,
      request: "00 ff",
      response: null,
      cc: null,
      frame: null,
      status: "malformed",
    });
    expect(one).toMatchObject({ id: 1, request: "", frame: "18 04" });
    expect(one?.response).toBe(Array.from(big, (b) => b.toString(16).padStart(2, "0")).join(" "));
    expect(one).toEqual({
      ...makeExchange(1),
      request: "",
      response: one?.response,
      frame: "18 04",
    });

    const row = await t.db.exchange.findUniqueOrThrow({ where: { id: 1 } });
    const x = rowToExchange(row);
    expect(x.request).toBeInstanceOf(Uint8Array);
    expect(x.request).toHaveLength(0);
    expect(Array.from(x.response ?? [])).toEqual(Array.from(big));
    expect(x).toEqual(
      makeExchange(1, { request: new Uint8Array(0), response: big, frame: Uint8Array.of(0x18, 0x04) }),
    );
  });

  it("rowToExchange turns Buffers into plain Uint8Arrays over the same bytes", async () => {
    const buffer = Buffer.from([1, 2, 3, 4]).subarray(1);
    const bytes = toUint8Array(buffer);
    expect(bytes.constructor).toBe(Uint8Array);
    expect(Array.from(bytes)).toEqual([2, 3, 4]);
    const row = {
      ...makeExchange(9),
      request: buffer,
      response: Buffer.alloc(0),
      frame: null,
      responseFrame: null,
    };
    const x = rowToExchange(row);
    expect(x.request.constructor).toBe(Uint8Array);
    expect(x.response?.constructor).toBe(Uint8Array);
    expect(x.response).toHaveLength(0);
  });

  it("maxExchangeId follows the highest id, not the count", async () => {
    await insertExchanges(t.db, [makeExchange(5), makeExchange(1000), makeExchange(7)]);
    expect(await maxExchangeId(t.db)).toBe(1000);
    expect(await countExchanges(t.db)).toBe(3);
  });
});

describe("history cursors", () => {
  it("hands out the id as this log's cursor and takes it back like before", async () => {
    const t = await createTestDatabase();
    try {
      await insertExchanges(t.db, makeExchanges(1, 30));
      const first = await exchangesPage(t.db, { limit: 10 });
      expect(first.nextCursor).toBe(String(first.nextBefore));
      const byCursor = await exchangesPage(t.db, { limit: 10, cursor: first.nextCursor! });
      const byBefore = await exchangesPage(t.db, { limit: 10, before: first.nextBefore! });
      expect(byCursor).toEqual(byBefore);
      expect(byCursor.exchanges[0]!.id).toBe(20);
    } finally {
      await t.cleanup();
    }
  });

  it("tells one node's id cursor from every node's time cursor, and refuses anything else", () => {
    const time = formatCursor({ kind: "time", receivedAt: 1.5e12 + 0.25, node: "node-c", id: 42 });
    expect(time.startsWith("t.")).toBe(true);
    expect(parseCursor(time)).toEqual({ kind: "time", receivedAt: 1.5e12 + 0.25, node: "node-c", id: 42 });
    expect(parseCursor(formatCursor({ kind: "id", id: 7 }))).toEqual({ kind: "id", id: 7 });
    for (const bad of ["0", "-1", "1.5", "99999999999999999", "t.", "t.e30", "t.WzEsIiIsMV0", "x"])
      expect(parseCursor(bad), bad).toBeNull();
  });
});
