import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { ConsoleRetention, consoleHistoryInfo } from "./retention";

const DAY_MS = 86_400_000;
const BASE = Date.UTC(2026, 11, 1);

async function insert(t: TestDatabase, count: number, at: (i: number) => number): Promise<void> {
  await t.db.consoleChunk.createMany({
    data: Array.from({ length: count }, (_, i) => ({
      receivedAt: at(i + 1),
      direction: "out",
      source: null,
      data: new Uint8Array([0x41]),
      text: "A",
    })),
  });
}

async function ids(t: TestDatabase): Promise<number[]> {
  return (await t.db.consoleChunk.findMany({ orderBy: { id: "asc" }, select: { id: true } })).map(
    (r) => r.id,
  );
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("console retention", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("keeps the newest rows, deleting in steps", async () => {
    await insert(t, 250, () => BASE);
    let pauses = 0;
    const retention = new ConsoleRetention(t.db, {
      rows: 100,
      stepRows: 40,
      pause: async () => {
        pauses++;
      },
    });
    expect(await retention.prune()).toBe(150);
    expect(await ids(t)).toEqual(range(151, 250));
    // 150 rows in steps of 40: 40, 40, 40 (a pause after each full step), then 30.
    expect(pauses).toBe(3);
    expect(retention.stats()).toEqual({ days: null, rows: 100, pruned: 150 });
    expect(await retention.prune()).toBe(0);
  });

  it("keeps rows younger than the age limit, and deletes the newest too when it is old", async () => {
    // One row an hour over 100 hours.
    await insert(t, 100, (id) => BASE + id * 3_600_000);
    const now = BASE + 100 * 3_600_000;
    const retention = new ConsoleRetention(t.db, {
      days: 1,
      stepRows: 7,
      now: () => now,
      pause: async () => {},
    });
    expect(await retention.prune()).toBe(75);
    expect(await ids(t)).toEqual(range(76, 100));
    const later = new ConsoleRetention(t.db, {
      days: 1,
      now: () => now + 30 * DAY_MS,
      pause: async () => {},
    });
    expect(await later.prune()).toBe(25);
    expect(await ids(t)).toEqual([]);
    // AUTOINCREMENT: ids go on from where they were, never reused.
    await insert(t, 1, () => now);
    expect(await ids(t)).toEqual([101]);
    expect(await consoleHistoryInfo(t.db)).toEqual({ chunks: 1, oldestReceivedAt: now });
  });

  it("does nothing without limits", async () => {
    await insert(t, 5, () => BASE);
    const retention = new ConsoleRetention(t.db);
    expect(retention.enabled).toBe(false);
    expect(await retention.prune()).toBe(0);
    expect(await consoleHistoryInfo(t.db)).toEqual({ chunks: 5, oldestReceivedAt: BASE });
  });
});
