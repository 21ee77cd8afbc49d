import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { ExchangeLogWriter, ExchangeRejectedError } from "./log-writer";
import { makeExchange, makeExchanges } from "./test-exchanges";
import { WorkerStatementRunner } from "./worker-runner";

describe("the log writer with its statements in a worker thread", () => {
  let t: TestDatabase;
  let errors: unknown[];

  beforeEach(async () => {
    t = await createTestDatabase();
    errors = [];
  });
  afterEach(() => t.cleanup());

  it("persists exactly the records written, and close() ends the worker", async () => {
    const runner = new WorkerStatementRunner(t.url);
    const writer = new ExchangeLogWriter(t.db, { runner, onError: (e) => errors.push(e) });
    for (const x of makeExchanges(1, 5000)) writer.write(x);
    await writer.close();
    const ids = (await t.db.exchange.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map(
      (r) => r.id,
    );
    expect(ids).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect(writer.stats()).toMatchObject({ written: 5000, pending: 0, rejected: 0 });
    expect(errors).toEqual([]);
    // Closed: a later statement starts a new worker rather than hanging.
    await runner.run(JSON.stringify([]));
    await runner.close();
  });

  it("carries the database's verdict on a bad record back, so only that record is dropped", async () => {
    const writer = new ExchangeLogWriter(t.db, {
      runner: new WorkerStatementRunner(t.url),
      flushIntervalMs: 60_000,
      onError: (e) => errors.push(e),
    });
    for (const x of makeExchanges(1, 10)) writer.write(x);
    await writer.flush();
    writer.write(makeExchange(5, { busId: "duplicate" }));
    for (const x of makeExchanges(11, 20)) writer.write(x);
    await expect(writer.flush()).rejects.toBeInstanceOf(ExchangeRejectedError);
    expect(String(errors[0])).toMatch(/UNIQUE constraint failed/);
    expect(await t.db.exchange.count()).toBe(20);
    await writer.close();
  });
});
