import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Exchange } from "../contract/exchange";
import type { Database } from "../persistence/database";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import {
  ExchangeLogWriter,
  ExchangeRejectedError,
  InvalidExchangeError,
  insertExchanges,
  isRecordError,
  MAX_ROWS_PER_STATEMENT,
  type StatementRunner,
} from "./log-writer";
import { makeExchange, makeExchanges } from "./test-exchanges";

async function storedIds(db: Database): Promise<number[]> {
  const rows = await db.exchange.findMany({ select: { id: true }, orderBy: { id: "asc" } });
  return rows.map((r) => r.id);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Records the ids of each INSERT statement that committed, and how many statements ran at once. */
function watchStatements(db: Database) {
  const statements: number[][] = [];
  let running = 0;
  let maxRunning = 0;
  const original = db.$executeRawUnsafe.bind(db);
  const spy = vi.spyOn(db, "$executeRawUnsafe").mockImplementation(((sql: string, ...values: unknown[]) => {
    running++;
    maxRunning = Math.max(maxRunning, running);
    return original(sql, ...values)
      .then((result) => {
        if (sql.startsWith('INSERT INTO "Exchange"')) {
          // One JSON parameter: an array of rows, each starting with its id.
          const rows = JSON.parse(values[0] as string) as unknown[][];
          statements.push(rows.map((r) => r[0] as number));
        }
        return result;
      })
      .finally(() => {
        running--;
      });
  }) as typeof db.$executeRawUnsafe);
  return {
    statements,
    maxRunning: () => maxRunning,
    restore: () => spy.mockRestore(),
  };
}

describe("ExchangeLogWriter", () => {
  let t: TestDatabase;
  let errors: unknown[];
  beforeEach(async () => {
    t = await createTestDatabase();
    errors = [];
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await t.cleanup();
  });

  const newWriter = (options: ConstructorParameters<typeof ExchangeLogWriter>[1] = {}) =>
    new ExchangeLogWriter(t.db, { onError: (err) => errors.push(err), ...options });

  it("persists exactly N records for N writes across several flushes", async () => {
    const writer = newWriter({ maxBatch: 7, flushIntervalMs: 60_000 });
    let id = 0;
    for (const count of [1, 6, 7, 8, 30, 0, 3]) {
      for (let i = 0; i < count; i++) writer.write(makeExchange(++id));
      await writer.flush();
      expect(writer.stats()).toMatchObject({ written: id, pending: 0 });
    }
    expect(await storedIds(t.db)).toEqual(range(1, id));
    expect(writer.stats()).toMatchObject({ written: 55, pending: 0, failedBatches: 0, rejected: 0 });
    expect(writer.stats().batches).toBeGreaterThanOrEqual(Math.ceil(55 / 7));
    await writer.close();
    expect(errors).toEqual([]);
  });

  it("keeps every record of a 20,000-write burst, in id order, one statement at a time", async () => {
    const watch = watchStatements(t.db);
    const writer = newWriter({ maxBatch: 500 });
    const records = makeExchanges(1, 20_000);
    for (const x of records) writer.write(x);
    expect(writer.stats().pending).toBe(20_000);
    await writer.flush();
    expect(writer.stats()).toMatchObject({ written: 20_000, pending: 0, batches: 40, failedBatches: 0 });
    expect(await storedIds(t.db)).toEqual(range(1, 20_000));
    expect(watch.maxRunning()).toBe(1);
    expect(watch.statements.every((ids) => ids.length <= 500)).toBe(true);
    expect(watch.statements.flat()).toEqual(range(1, 20_000));
    await writer.close();
  });

  it("caps a statement at MAX_ROWS_PER_STATEMENT whatever maxBatch says", async () => {
    const watch = watchStatements(t.db);
    const writer = newWriter({ maxBatch: 100_000 });
    for (const x of makeExchanges(1, 5000)) writer.write(x);
    await writer.flush();
    expect(MAX_ROWS_PER_STATEMENT).toBe(2000);
    expect(watch.statements.map((s) => s.length)).toEqual([2000, 2000, 1000]);
    expect(await t.db.exchange.count()).toBe(5000);
  });

  it("puts records written while a flush runs into the next batch", async () => {
    const watch = watchStatements(t.db);
    const writer = newWriter({ flushIntervalMs: 60_000 });
    for (const x of makeExchanges(1, 5)) writer.write(x);
    const first = writer.flush();
    for (const x of makeExchanges(6, 8)) writer.write(x);
    const second = writer.flush();
    await first;
    await second;
    expect(watch.statements).toEqual([
      [1, 2, 3, 4, 5],
      [6, 7, 8],
    ]);
    expect(watch.maxRunning()).toBe(1);
    expect(writer.stats()).toMatchObject({ written: 8, pending: 0, batches: 2 });
  });

  it("flushes by itself when maxBatch records are buffered", async () => {
    const writer = newWriter({ maxBatch: 10, flushIntervalMs: 60_000 });
    for (const x of makeExchanges(1, 9)) writer.write(x);
    await new Promise((resolve) => setImmediate(resolve));
    expect(writer.stats().written).toBe(0);
    writer.write(makeExchange(10));
    await vi.waitFor(() => expect(writer.stats().written).toBe(10));
    await writer.close();
  });

  it("flushes by itself after flushIntervalMs", async () => {
    const writer = newWriter({ maxBatch: 1000, flushIntervalMs: 1 });
    writer.write(makeExchange(1));
    await vi.waitFor(() => expect(writer.stats().written).toBe(1));
    expect(await storedIds(t.db)).toEqual([1]);
    await writer.close();
  });

  it("close() persists what was pending", async () => {
    const writer = newWriter({ maxBatch: 1000, flushIntervalMs: 60_000 });
    for (const x of makeExchanges(1, 321)) writer.write(x);
    expect(await t.db.exchange.count()).toBe(0);
    await writer.close();
    expect(await storedIds(t.db)).toEqual(range(1, 321));
    expect(writer.stats()).toMatchObject({ written: 321, pending: 0 });
  });

  it("after close() only an explicit flush() writes", async () => {
    const writer = newWriter({ maxBatch: 1, flushIntervalMs: 0 });
    await writer.close();
    writer.write(makeExchange(1));
    writer.write(makeExchange(2));
    // a full batch and a 0 ms interval would have started a flush within these turns
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
    expect(writer.stats()).toMatchObject({ written: 0, pending: 2 });
    await writer.flush();
    expect(await storedIds(t.db)).toEqual([1, 2]);
  });

  it("reports a failing batch, keeps its records and writes them once the database recovers", async () => {
    const writer = newWriter({ flushIntervalMs: 60_000, retryDelayMs: 60_000 });
    for (const x of makeExchanges(1, 10)) writer.write(x);
    await writer.flush();

    await t.db.$executeRawUnsafe(`ALTER TABLE "Exchange" RENAME TO "ExchangeAway"`);
    for (const x of makeExchanges(11, 20)) writer.write(x);
    await expect(writer.flush()).rejects.toThrow(/no such table/i);
    expect(errors).toHaveLength(1);
    expect(isRecordError(errors[0])).toBe(false);
    expect(writer.stats()).toMatchObject({ written: 10, pending: 10, failedBatches: 1, rejected: 0 });

    // the writer keeps taking records while the database is unwell
    for (const x of makeExchanges(21, 25)) writer.write(x);
    await expect(writer.flush()).rejects.toThrow();
    expect(writer.stats()).toMatchObject({ written: 10, pending: 15, failedBatches: 2 });

    await t.db.$executeRawUnsafe(`ALTER TABLE "ExchangeAway" RENAME TO "Exchange"`);
    await writer.flush();
    expect(await storedIds(t.db)).toEqual(range(1, 25));
    expect(writer.stats()).toMatchObject({ written: 25, pending: 0, failedBatches: 2, rejected: 0 });
    await writer.close();
  });

  it("retries a failed batch by itself after the backoff", async () => {
    const writer = newWriter({ flushIntervalMs: 1, retryDelayMs: 1, maxRetryDelayMs: 1 });
    await t.db.$executeRawUnsafe(`ALTER TABLE "Exchange" RENAME TO "ExchangeAway"`);
    writer.write(makeExchange(1));
    await vi.waitFor(() => expect(writer.stats().failedBatches).toBeGreaterThanOrEqual(1));
    await t.db.$executeRawUnsafe(`ALTER TABLE "ExchangeAway" RENAME TO "Exchange"`);
    await vi.waitFor(() => expect(writer.stats().written).toBe(1));
    expect(await storedIds(t.db)).toEqual([1]);
    await writer.close();
  });

  it("drops only the record the database refuses (duplicate id), reports it and keeps running", async () => {
    const watch = watchStatements(t.db);
    const writer = newWriter({ flushIntervalMs: 60_000 });
    for (const x of makeExchanges(1, 10)) writer.write(x);
    await writer.flush();

    for (const x of makeExchanges(11, 15)) writer.write(x);
    writer.write(makeExchange(5, { busId: "duplicate" }));
    for (const x of makeExchanges(16, 40)) writer.write(x);
    const flushed = writer.flush();
    await expect(flushed).rejects.toBeInstanceOf(ExchangeRejectedError);
    await expect(flushed).rejects.toMatchObject({ exchangeId: 5 });

    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ExchangeRejectedError);
    expect(String(errors[0])).toMatch(/UNIQUE constraint failed/);
    expect(await storedIds(t.db)).toEqual(range(1, 40));
    expect((await t.db.exchange.findUniqueOrThrow({ where: { id: 5 } })).busId).toBe("bt0");
    expect(writer.stats()).toMatchObject({ written: 40, pending: 0, rejected: 1 });
    expect(writer.stats().failedBatches).toBeGreaterThan(1);
    // everything that reached the table did so in write order
    const inserted = watch.statements.slice(1).flat();
    expect(inserted.filter((id) => id !== 5)).toEqual(range(11, 40));

    // still running, back to full batches
    for (const x of makeExchanges(41, 60)) writer.write(x);
    await writer.flush();
    expect(watch.statements.at(-1)).toEqual(range(41, 60));
    expect(await t.db.exchange.count()).toBe(60);
    await writer.close();
  });

  it("rejects a record with fields the table cannot hold without touching its neighbours", async () => {
    const writer = newWriter({ flushIntervalMs: 60_000 });
    writer.write(makeExchange(1));
    writer.write({ ...makeExchange(2), request: [1, 2, 3] as unknown as Uint8Array });
    writer.write({ ...makeExchange(3), busId: null as unknown as string });
    writer.write(makeExchange(4));
    await expect(writer.flush()).rejects.toBeInstanceOf(ExchangeRejectedError);
    expect(errors.map((e) => (e as ExchangeRejectedError).exchangeId)).toEqual([2, 3]);
    expect((errors[0] as ExchangeRejectedError).cause).toBeInstanceOf(InvalidExchangeError);
    expect(await storedIds(t.db)).toEqual([1, 4]);
    expect(writer.stats()).toMatchObject({ written: 2, rejected: 2, pending: 0 });
    // close() resolves: nothing is left pending
    await writer.close();
  });

  it("close() rejects when records cannot be written, and says how many are left", async () => {
    const writer = newWriter({ flushIntervalMs: 60_000, retryDelayMs: 1 });
    await t.db.$executeRawUnsafe(`ALTER TABLE "Exchange" RENAME TO "ExchangeAway"`);
    for (const x of makeExchanges(1, 3)) writer.write(x);
    await expect(writer.close()).rejects.toThrow(/no such table/i);
    expect(writer.stats()).toMatchObject({ written: 0, pending: 3, failedBatches: 3 });
    expect(errors).toHaveLength(3);
  });

  it("a throwing onError does not stop the writer", async () => {
    const writer = new ExchangeLogWriter(t.db, {
      flushIntervalMs: 60_000,
      onError: () => {
        throw new Error("handler broke");
      },
    });
    writer.write(makeExchange(1));
    writer.write(makeExchange(1));
    writer.write(makeExchange(2));
    await expect(writer.flush()).rejects.toBeInstanceOf(ExchangeRejectedError);
    expect(await storedIds(t.db)).toEqual([1, 2]);
  });

  it("flush() with nothing buffered resolves at once", async () => {
    const writer = newWriter();
    await writer.flush();
    expect(writer.stats()).toEqual({
      written: 0,
      pending: 0,
      batches: 0,
      failedBatches: 0,
      rejected: 0,
      dropped: 0,
    });
    await writer.close();
  });
});

describe("insertExchanges", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("stores every field as given, bytes included", async () => {
    const full: Exchange = makeExchange(7, {
      seq: null,
      request: new Uint8Array(0),
      response: Uint8Array.from({ length: 255 }, (_, i) => 255 - i),
      frame: Uint8Array.of(0xde, 0xad),
      note: 'a, "quoted"\nnote',
      relatedId: 3,
      latencyUs: 2 ** 40,
      receivedAt: 1_795_000_000_123.456,
    });
    await insertExchanges(t.db, [full]);
    const row = await t.db.exchange.findUniqueOrThrow({ where: { id: 7 } });
    expect({
      ...row,
      request: [...row.request],
      response: [...row.response!],
      frame: [...row.frame!],
    }).toEqual({
      ...full,
      request: [],
      response: [...full.response!],
      frame: [0xde, 0xad],
    });
  });

  it("refuses more rows than one statement can bind", async () => {
    await expect(insertExchanges(t.db, makeExchanges(1, MAX_ROWS_PER_STATEMENT + 1))).rejects.toThrow(
      RangeError,
    );
  });
});

/**
 * A runner that fails every statement with `fault` while it is set (disk full, locked,
 * read-only as the database would say it) and otherwise commits, remembering the ids.
 */
class FaultyRunner implements StatementRunner {
  fault: string | null = null;
  readonly committed: number[] = [];
  attempts = 0;

  async run(rowsJson: string): Promise<void> {
    this.attempts++;
    if (this.fault !== null) throw new Error(this.fault);
    for (const row of JSON.parse(rowsJson) as unknown[][]) this.committed.push(row[0] as number);
  }
}

describe("ExchangeLogWriter when the database refuses writes", () => {
  const noDb = {} as Database;
  let runner: FaultyRunner;
  let warnings: string[];
  let clock: number;
  const newWriter = (options: ConstructorParameters<typeof ExchangeLogWriter>[1] = {}) =>
    new ExchangeLogWriter(noDb, {
      runner,
      flushIntervalMs: 1,
      retryDelayMs: 1,
      maxRetryDelayMs: 4,
      onError: () => {},
      onWarning: (m) => warnings.push(m),
      now: () => clock,
      ...options,
    });
  beforeEach(() => {
    runner = new FaultyRunner();
    warnings = [];
    clock = 1_000_000;
  });

  it("is degraded with the reason while statements fail, and back to ok with the buffer drained in order", async () => {
    const writer = newWriter({ maxBatch: 4 });
    expect(writer.status()).toMatchObject({ status: "ok", reason: null, buffered: 0, dropped: 0 });
    runner.fault = "SQLITE_FULL: database or disk is full";
    for (const x of makeExchanges(1, 10)) writer.write(x);
    await vi.waitFor(() => expect(runner.attempts).toBeGreaterThanOrEqual(3));
    expect(writer.status()).toEqual({
      status: "degraded",
      reason: "SQLITE_FULL: database or disk is full",
      degradedSince: 1_000_000,
      buffered: 10,
      bufferLimit: 100_000,
      dropped: 0,
      lastDropped: null,
    });
    // records keep coming while it is degraded; they queue behind
    for (const x of makeExchanges(11, 15)) writer.write(x);
    expect(writer.status().buffered).toBe(15);
    expect(runner.committed).toEqual([]);

    clock += 2500;
    runner.fault = null;
    await writer.flush();
    expect(runner.committed).toEqual(range(1, 15));
    expect(writer.status()).toMatchObject({ status: "ok", reason: null, degradedSince: null, buffered: 0 });
    expect(warnings).toEqual(["back to ok after 2.5 s degraded; nothing was lost"]);
    await writer.close();
  });

  it("bounds the buffer: past it the newest are dropped, counted and warned of once per run", async () => {
    const writer = newWriter({ maxBatch: 4, maxBuffered: 10 });
    runner.fault = "database is locked";
    for (const x of makeExchanges(1, 25)) writer.write(x);
    expect(writer.status()).toMatchObject({
      buffered: 10,
      bufferLimit: 10,
      dropped: 15,
      lastDropped: { firstId: 11, lastId: 25, count: 15 },
    });
    expect(writer.stats()).toMatchObject({ dropped: 15, pending: 10 });
    await vi.waitFor(() => expect(writer.status().status).toBe("degraded"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/buffer full \(10 records waiting.*dropping new exchanges from id 11/);

    runner.fault = null;
    await writer.flush();
    // what was kept is one unbroken run from the fault on, in order
    expect(runner.committed).toEqual(range(1, 10));
    expect(warnings[1]).toMatch(
      /back to ok after .* s degraded; 15 exchanges were dropped .* the last run ids 11-25/,
    );
    // the loss stays reported after recovery; new records are written again
    for (const x of makeExchanges(26, 30)) writer.write(x);
    await writer.flush();
    expect(runner.committed).toEqual([...range(1, 10), ...range(26, 30)]);
    expect(writer.status()).toMatchObject({ status: "ok", dropped: 15, buffered: 0 });
    await writer.close();
  });

  it("a second fault starts a new dropped run", async () => {
    const writer = newWriter({ maxBatch: 2, maxBuffered: 2 });
    runner.fault = "disk I/O error";
    for (const x of makeExchanges(1, 4)) writer.write(x);
    runner.fault = null;
    await writer.flush();
    runner.fault = "disk I/O error";
    for (const x of makeExchanges(5, 9)) writer.write(x);
    expect(writer.status()).toMatchObject({ dropped: 5, lastDropped: { firstId: 7, lastId: 9, count: 3 } });
    runner.fault = null;
    await writer.flush();
    expect(runner.committed).toEqual([1, 2, 5, 6]);
    await writer.close();
  });

  it("a statement that hangs (database locked: the driver's busy wait) makes it degraded before it fails", async () => {
    let release = () => {};
    const hanging: StatementRunner = {
      run: () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    };
    const writer = newWriter({ runner: hanging, stallMs: 1000 });
    writer.write(makeExchange(1));
    await vi.waitFor(() => expect(writer.stats().batches + writer.stats().pending).toBe(1));
    const flushed = writer.flush();
    clock += 999;
    expect(writer.status()).toMatchObject({ status: "ok" });
    clock += 1500;
    expect(writer.status()).toMatchObject({
      status: "degraded",
      reason: "a statement has waited 2.5 s (database locked or slow)",
      buffered: 1,
    });
    release();
    await flushed;
    expect(writer.status()).toMatchObject({ status: "ok", reason: null, buffered: 0 });
    await writer.close();
  });

  it("a fault reported by its owner makes it degraded though writes succeed", async () => {
    const writer = newWriter();
    writer.setFault("the database file was deleted");
    writer.write(makeExchange(1));
    await writer.flush();
    expect(runner.committed).toEqual([1]);
    expect(writer.status()).toMatchObject({
      status: "degraded",
      reason: "the database file was deleted",
      degradedSince: 1_000_000,
    });
    writer.setFault(null);
    expect(writer.status()).toMatchObject({ status: "ok", reason: null });
    expect(warnings).toEqual(["back to ok after 0.0 s degraded; nothing was lost"]);
    await writer.close();
  });
});
