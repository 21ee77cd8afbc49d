import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { insertExchanges } from "./log-writer";
import { exchangeLogInfo, LogRetention } from "./retention";
import { BASE_TIME, makeExchanges } from "./test-exchanges";

const DAY_MS = 86_400_000;

async function ids(t: TestDatabase): Promise<number[]> {
  const rows = await t.db.exchange.findMany({ orderBy: { id: "asc" }, select: { id: true } });
  return rows.map((r) => r.id);
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("log retention", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("keeps the newest RETENTION_ROWS ids, deleting in steps", async () => {
    await insertExchanges(t.db, makeExchanges(1, 1250));
    await insertExchanges(t.db, makeExchanges(1251, 2500));
    let pauses = 0;
    const retention = new LogRetention(t.db, {
      rows: 1000,
      stepRows: 400,
      pause: async () => {
        pauses++;
      },
    });
    expect(await retention.prune()).toBe(1500);
    expect(await ids(t)).toEqual(range(1501, 2500));
    // 1500 rows in steps of 400: 400, 400, 400 (a pause after each full step), then 300.
    expect(pauses).toBe(3);
    expect(retention.stats()).toEqual({ days: null, rows: 1000, pruned: 1500 });
    expect(await retention.prune()).toBe(0);
    expect(retention.stats().pruned).toBe(1500);
  });

  it("keeps exchanges younger than RETENTION_DAYS, stopping at the first young one by id", async () => {
    // One record an hour: ids 1..100 span about four days.
    const records = makeExchanges(1, 100, (id) => ({ receivedAt: BASE_TIME + id * 3_600_000 }));
    // A late record with an old time among the young ones stays: the kept ids are contiguous.
    records[79]!.receivedAt = BASE_TIME;
    await insertExchanges(t.db, records);
    const now = BASE_TIME + 100 * 3_600_000;
    const retention = new LogRetention(t.db, { days: 1, stepRows: 7, now: () => now, pause: async () => {} });
    // Kept: receivedAt >= now - 24 h, i.e. ids 76..100.
    expect(await retention.prune()).toBe(75);
    expect(await ids(t)).toEqual(range(76, 100));
    // Long idle: everything is too old, but the newest stays (the router numbers on from it).
    const later = new LogRetention(t.db, { days: 1, now: () => now + 30 * DAY_MS, pause: async () => {} });
    expect(await later.prune()).toBe(24);
    expect(await ids(t)).toEqual([100]);
  });

  it("applies whichever limit deletes more", async () => {
    await insertExchanges(
      t.db,
      makeExchanges(1, 50, (id) => ({ receivedAt: BASE_TIME + id * DAY_MS })),
    );
    const now = BASE_TIME + 50 * DAY_MS;
    const byDays = new LogRetention(t.db, { days: 10, rows: 45, now: () => now, pause: async () => {} });
    expect(await byDays.prune()).toBe(39);
    expect(await ids(t)).toEqual(range(40, 50));
    const byRows = new LogRetention(t.db, { days: 10, rows: 3, now: () => now, pause: async () => {} });
    expect(await byRows.prune()).toBe(8);
    expect(await ids(t)).toEqual(range(48, 50));
  });

  it("does nothing without limits, or with fewer rows than the limit", async () => {
    await insertExchanges(t.db, makeExchanges(1, 20));
    expect(await new LogRetention(t.db).prune()).toBe(0);
    expect(await new LogRetention(t.db, { rows: 20 }).prune()).toBe(0);
    expect(await ids(t)).toEqual(range(1, 20));
  });

  it("reports the file size and the oldest record", async () => {
    const empty = await exchangeLogInfo(t.db, t.file);
    expect(empty.oldestId).toBeNull();
    expect(empty.oldestReceivedAt).toBeNull();
    expect(empty.sizeBytes).toBeGreaterThan(0);
    const records = makeExchanges(5, 9);
    await insertExchanges(t.db, records);
    const info = await exchangeLogInfo(t.db, t.file);
    expect(info.oldestId).toBe(5);
    expect(info.oldestReceivedAt).toBe(records[0]!.receivedAt);
    expect(await exchangeLogInfo(t.db, `${t.file}.missing`)).toMatchObject({ sizeBytes: null, oldestId: 5 });
  });
});
