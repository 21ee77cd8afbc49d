/**
 * The two ship readers on one real SQLite log: the worker's better-sqlite3 and this thread's
 * Prisma must hand the ship statement the very same text, or the store would hold different
 * rows depending on which one a node ran.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { insertExchanges } from "../traffic/log-writer";
import { makeExchanges } from "../traffic/test-exchanges";
import { PrismaShipReader, sqliteFileOf, WorkerShipReader } from "./ship-reader";
import { STREAMS } from "./ship-rows";

let t: TestDatabase;
let prisma: PrismaShipReader;
let worker: WorkerShipReader;

const TEXTS = ["héllo ✓", "𝄞 clef", "日本語", 'quote " and \\ back', "line\nbreak\ttab", "\u0000nul", ""];

beforeAll(async () => {
  t = await createTestDatabase();
  await insertExchanges(
    t.db,
    makeExchanges(1, 700, (id) => ({
      request: id % 7 === 0 ? new Uint8Array(0) : Uint8Array.of(id & 0xff, 0x00, 0xff, 0x7f),
      response: id % 5 === 0 ? null : Uint8Array.of(0x00, (id * 31) & 0xff),
      frame: id % 3 === 0 ? Uint8Array.from({ length: 40 }, (_, i) => (i * id) & 0xff) : null,
      cc: id % 4 === 0 ? null : id & 0xff,
      // Fractions a float round trip would change, and whole numbers in a REAL column.
      receivedAt: id % 2 === 0 ? 1_764_000_000_000 + id / 3 : 1_764_000_000_000 + id,
      answeredAt: id % 6 === 0 ? null : 0.1 + id * 1e-7,
      latencyUs: id % 9 === 0 ? null : -id,
      note: id % 2 === 0 ? TEXTS[id % TEXTS.length]! : null,
      payload: id % 11 === 0 ? "open-session" : null,
      user: id % 13 === 0 ? "ünïcödé" : null,
      sessionId: id % 13 === 0 ? 0x7fffffff : null,
    })),
  );
  for (let i = 0; i < 40; i++) {
    await t.db.auditEntry.create({
      data: {
        at: 1_764_000_000_000.125 + i,
        actor: TEXTS[i % TEXTS.length]!,
        action: `handler.toggle.${i}`,
        target: i % 3 === 0 ? null : `rule #${i}`,
        detail: i % 4 === 0 ? null : JSON.stringify({ on: i % 2 === 0, note: TEXTS[i % TEXTS.length] }),
      },
    });
  }
  for (let i = 0; i < 30; i++) {
    await t.db.consoleChunk.create({
      data: {
        receivedAt: 1_764_000_000_000 + i / 7,
        direction: i % 2 === 0 ? "out" : "in",
        source: i % 2 === 0 ? null : `sol:admin@127.0.0.1:${i}`,
        data: Buffer.from(TEXTS[i % TEXTS.length]!),
        text: TEXTS[i % TEXTS.length]!,
      },
    });
  }
  // Holes, as retention leaves them: the batch's lastId must say where it ended.
  await t.db.exchange.deleteMany({ where: { id: { gte: 100, lte: 149 } } });
  prisma = new PrismaShipReader(t.db);
  worker = new WorkerShipReader(t.file);
}, 60_000);

afterAll(async () => {
  await worker?.close();
  await t?.cleanup();
});

describe("the ship readers", () => {
  it("give the same JSON, counts and last ids, byte for byte, on every stream", async () => {
    for (const stream of STREAMS) {
      for (const [after, take] of [
        [0, 2000],
        [0, 1],
        [37, 120],
        [99, 10],
        [690, 2000],
        [100_000, 2000],
      ] as const) {
        const a = await prisma.read(stream, after, take);
        const b = await worker.read(stream, after, take);
        expect(b, `${stream} after ${after} take ${take}`).toEqual(a);
      }
    }
  });

  it("send what the ship statement expects: hex bytes, nulls, numbers as stored", async () => {
    const batch = await worker.read("exchange", 98, 3);
    expect(batch).toMatchObject({ count: 3, lastId: 151 });
    const rows = JSON.parse(batch.json) as Record<string, unknown>[];
    expect(rows.map((r) => r.id)).toEqual([99, 150, 151]);
    const hex = (b: Iterable<number>) => Buffer.from([...b]).toString("hex");
    expect(rows[0]).toMatchObject({
      request: hex([99, 0x00, 0xff, 0x7f]),
      response: hex([0x00, (99 * 31) & 0xff]),
      frame: hex(Array.from({ length: 40 }, (_, i) => (i * 99) & 0xff)),
      cc: 99,
      note: null,
      receivedAt: 1_764_000_000_000 + 99,
    });
    expect(rows[1]).toMatchObject({
      response: null,
      frame: hex(Array.from({ length: 40 }, (_, i) => (i * 150) & 0xff)),
      cc: 150,
      receivedAt: 1_764_000_000_000 + 150 / 3,
      note: TEXTS[150 % TEXTS.length],
    });
    expect(Object.keys(rows[0]!)).not.toContain("node");
    const empty = await worker.read("console", 30, 10);
    expect(empty).toEqual({ count: 0, lastId: 30, json: "[]" });
  });

  it("sees rows written after it opened (WAL: a reader beside the writer)", async () => {
    const before = await worker.read("exchange", 700, 2000);
    expect(before.count).toBe(0);
    await insertExchanges(t.db, makeExchanges(701, 710));
    const after = await worker.read("exchange", 700, 2000);
    expect(after).toEqual(await prisma.read("exchange", 700, 2000));
    expect(after).toMatchObject({ count: 10, lastId: 710 });
  });

  it("starts a new worker after one died, failing only the read it owed", async () => {
    const own = new WorkerShipReader(t.file);
    try {
      const pending = own.read("exchange", 0, 10);
      // As a crash would: the worker ends with a read in flight.
      await (
        own as unknown as { thread: { worker: { terminate(): Promise<number> } } }
      ).thread.worker.terminate();
      await expect(pending).rejects.toThrow(/ship reader worker exited/);
      await expect(own.read("exchange", 0, 10)).resolves.toMatchObject({ count: 10, lastId: 10 });
    } finally {
      await own.close();
    }
    await expect(own.read("exchange", 0, 10)).rejects.toThrow(/closed/);
  });

  it("fails a read of a file that is not there, without leaving a worker", async () => {
    const missing = new WorkerShipReader(`${t.file}.missing`);
    await expect(missing.read("exchange", 0, 10)).rejects.toThrow(/ship reader worker: .*(not|unable)/i);
    await missing.close();
  });

  it("is used only for a log in a file", () => {
    expect(sqliteFileOf("file:./data/bmc.db")).toBe("./data/bmc.db");
    expect(sqliteFileOf("file:/tmp/x.db?connection_limit=1")).toBe("/tmp/x.db");
    expect(sqliteFileOf("file::memory:")).toBeUndefined();
    expect(sqliteFileOf(":memory:")).toBeUndefined();
    expect(sqliteFileOf("file:x?mode=memory&cache=shared")).toBeUndefined();
  });
});
