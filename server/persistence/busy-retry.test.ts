import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { isBusyError, retryWhileBusy } from "./busy-retry";
import { openDatabase } from "./database";
import { createTestDatabase, type TestDatabase } from "./test-database";

describe("retryWhileBusy", () => {
  it("waits out SQLITE_BUSY with growing pauses and passes any other error on", async () => {
    const pauses: number[] = [];
    let calls = 0;
    const got = await retryWhileBusy(
      async () => {
        calls++;
        if (calls < 4) throw Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
        return "done";
      },
      { firstDelayMs: 10, maxDelayMs: 30, sleep: async (ms) => void pauses.push(ms) },
    );
    expect(got).toBe("done");
    expect(pauses).toEqual([10, 20, 30]);
    await expect(retryWhileBusy(() => Promise.reject(new Error("no such table: X")))).rejects.toThrow(
      /no such table/,
    );
  });

  it("recognises the lock however it is wrapped", () => {
    expect(isBusyError(new Error("SqliteError: database is locked"))).toBe(true);
    expect(isBusyError({ cause: { code: "SQLITE_BUSY" } })).toBe(true);
    expect(isBusyError(new Error("UNIQUE constraint failed"))).toBe(false);
  });
});

describe("a Prisma write while another process holds the write lock", () => {
  let tdb: TestDatabase | undefined;
  afterEach(async () => {
    await tdb?.cleanup();
  });

  it("fails within the short busy timeout instead of better-sqlite3's 5 s, and succeeds once the lock goes", async () => {
    tdb = await createTestDatabase();
    const db = await openDatabase(tdb.url, { busyTimeoutMs: 50 });
    const other = new BetterSqlite3(tdb.file);
    other.exec("BEGIN IMMEDIATE");
    const t0 = performance.now();
    const err = await db.bmcSetting.create({ data: { key: "a", value: "1" } }).catch((e: unknown) => e);
    expect(isBusyError(err)).toBe(true);
    // The driver is synchronous: this is how long the router's thread stood still.
    expect(performance.now() - t0).toBeLessThan(2000);
    let attempts = 0;
    const write = retryWhileBusy(() => db.bmcSetting.create({ data: { key: "b", value: "2" } }), {
      firstDelayMs: 5,
      onBusy: (n) => {
        attempts = n;
        if (n === 2) other.exec("COMMIT");
      },
    });
    await write;
    expect(attempts).toBe(2);
    expect(await db.bmcSetting.count({ where: { key: "b" } })).toBe(1);
    other.close();
    await db.$disconnect();
  });
});
