import BetterSqlite3 from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { AuditLog } from "../control/audit-log";
import { isBusyError, retryWhileBusy, writeWithRetry } from "./busy-retry";
import { openDatabase } from "./database";
import { saveHandlerState } from "./handler-state-store";
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

describe("writeWithRetry: the router thread's writes while another process holds the write lock", () => {
  let tdb: TestDatabase | undefined;
  afterEach(async () => {
    await tdb?.cleanup();
  });

  it("waits the lock out instead of failing, and lands the writes in the order they were made", async () => {
    tdb = await createTestDatabase();
    const db = await openDatabase(tdb.url, { busyTimeoutMs: 50 });
    const audit = new AuditLog(db);
    const other = new BetterSqlite3(tdb.file);
    other.exec("BEGIN IMMEDIATE");
    const warnings: string[] = [];
    const settled: string[] = [];
    const first = audit.record({ actor: "alice", action: "handler.set", target: "first" });
    const state = saveHandlerState(db, "app.get-device-id", false);
    const second = audit.record({ actor: "bob", action: "rule.create", target: "second" });
    const named = writeWithRetry(db, () => db.bmcSetting.create({ data: { key: "k", value: "1" } }), {
      what: "test setting",
      log: { warn: (m) => warnings.push(m) },
    });
    for (const [name, p] of [
      ["first", first],
      ["state", state],
      ["second", second],
      ["named", named],
    ] as const)
      p.then(
        () => settled.push(name),
        () => settled.push(`${name} failed`),
      );
    // Far past the 50 ms busy timeout: without the wrapper these would have failed by now.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(settled).toEqual([]);
    other.exec("COMMIT");
    const [a, , b] = await Promise.all([first, state, second, named]);
    expect(settled).toEqual(["first", "state", "second", "named"]);
    expect(b.id).toBeGreaterThan(a.id);
    expect((await audit.page(10)).entries.map((e) => e.target)).toEqual(["second", "first"]);
    expect(await db.handlerState.findUnique({ where: { id: "app.get-device-id" } })).toMatchObject({
      enabled: false,
    });
    // Only the write at the head of the queue meets the lock: one warning, not one per write.
    expect(warnings).toEqual([]);
    other.close();
    await db.$disconnect();
  });

  it("warns once when a named write meets the lock, and a write that fails for good does not stop the ones behind it", async () => {
    tdb = await createTestDatabase();
    const db = await openDatabase(tdb.url, { busyTimeoutMs: 50 });
    const other = new BetterSqlite3(tdb.file);
    other.exec("BEGIN IMMEDIATE");
    const warnings: string[] = [];
    const named = writeWithRetry(db, () => db.bmcSetting.create({ data: { key: "k", value: "1" } }), {
      what: "test setting",
      log: { warn: (m) => warnings.push(m) },
      firstDelayMs: 5,
      onBusy: (attempt) => {
        if (attempt === 3) other.exec("COMMIT");
      },
    });
    const refused = writeWithRetry(db, () => db.bmcSetting.create({ data: { key: "k", value: "2" } }));
    const after = writeWithRetry(db, () => db.bmcSetting.create({ data: { key: "z", value: "3" } }));
    await named;
    await expect(refused).rejects.toThrow(/Unique constraint/i);
    await after;
    expect(warnings).toEqual(["test setting: the database is locked by another connection; retrying"]);
    expect(await db.bmcSetting.count()).toBe(2);
    other.close();
    await db.$disconnect();
  });
});
