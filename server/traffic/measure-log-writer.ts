/**
 * Measures how fast the exchange log can be written (a script, not a test):
 *
 *   npx tsx server/traffic/measure-log-writer.ts [rows=100000] [maxBatch=500]
 *
 * 1. the alternatives to the writer's json_each statement: one multi-row VALUES INSERT
 *    per batch, `$executeRaw` + Prisma.join against `$executeRawUnsafe` with positional
 *    parameters, for several batch sizes;
 * 2. the ExchangeLogWriter end to end: a burst of `rows` write() calls, then flush();
 * 3. the ceiling: better-sqlite3 directly, prepared statement in one transaction.
 * Every run uses a fresh migrated database from createTestDatabase().
 */
import BetterSqlite3 from "better-sqlite3";
import type { Exchange } from "../contract/exchange";
import type { Database } from "../persistence/database";
import { Prisma } from "../persistence/generated/client";
import { createTestDatabase } from "../persistence/test-database";
import { EXCHANGE_COLUMN_LIST, EXCHANGE_COLUMNS } from "./columns";
import { DEFAULT_MAX_BATCH, ExchangeLogWriter, insertExchanges, MAX_ROWS_PER_STATEMENT } from "./log-writer";
import { makeExchanges } from "./test-exchanges";

const rows = Number(process.argv[2] ?? 100_000);
const maxBatch = Number(process.argv[3] ?? DEFAULT_MAX_BATCH);
const REPEATS = 3;

function insertWithJoin(db: Database, batch: readonly Exchange[]): Promise<number> {
  const values = batch.map(
    (x) =>
      Prisma.sql`(${x.id}, ${x.busId}, ${x.busKind}, ${x.origin}, ${x.seq}, ${x.netFn}, ${x.lun}, ${x.cmd},
        ${x.request}, ${x.cc}, ${x.response}, ${x.handlerId}, ${x.status}, ${x.receivedAt}, ${x.answeredAt},
        ${x.latencyUs}, ${x.note}, ${x.frame}, ${x.relatedId})`,
  );
  return db.$executeRaw`INSERT INTO "Exchange" (${Prisma.raw(EXCHANGE_COLUMN_LIST)}) VALUES ${Prisma.join(values)}`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

async function timeStatements(
  mode: "join" | "unsafe",
  batchSize: number,
  records: readonly Exchange[],
): Promise<number> {
  const t = await createTestDatabase();
  try {
    const start = performance.now();
    for (let i = 0; i < records.length; i += batchSize) {
      const batch = records.slice(i, i + batchSize);
      if (mode === "join") await insertWithJoin(t.db, batch);
      else await insertExchanges(t.db, batch);
    }
    const seconds = (performance.now() - start) / 1000;
    const stored = await t.db.exchange.count();
    if (stored !== records.length) throw new Error(`stored ${stored} of ${records.length}`);
    return records.length / seconds;
  } finally {
    await t.cleanup();
  }
}

async function timeWriter(records: readonly Exchange[]): Promise<{ rate: number; batches: number }> {
  const t = await createTestDatabase();
  try {
    const writer = new ExchangeLogWriter(t.db, { maxBatch });
    const start = performance.now();
    for (const x of records) writer.write(x);
    const buffered = performance.now();
    await writer.flush();
    const seconds = (performance.now() - start) / 1000;
    const stats = writer.stats();
    await writer.close();
    const stored = await t.db.exchange.count();
    if (stored !== records.length || stats.written !== records.length) {
      throw new Error(`stored ${stored}, written ${stats.written} of ${records.length}`);
    }
    if (buffered - start > 1000) console.warn("write() calls alone took", buffered - start, "ms");
    return { rate: records.length / seconds, batches: stats.batches };
  } finally {
    await t.cleanup();
  }
}

async function timeBetterSqlite(records: readonly Exchange[]): Promise<number> {
  const t = await createTestDatabase();
  await t.db.$disconnect();
  const sqlite = new BetterSqlite3(t.file);
  try {
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    const insert = sqlite.prepare(
      `INSERT INTO "Exchange" (${EXCHANGE_COLUMN_LIST}) VALUES (${EXCHANGE_COLUMNS.map(() => "?").join(",")})`,
    );
    const insertAll = sqlite.transaction((batch: readonly Exchange[]) => {
      for (const x of batch) {
        insert.run(
          x.id,
          x.busId,
          x.busKind,
          x.origin,
          x.seq,
          x.netFn,
          x.lun,
          x.cmd,
          x.request,
          x.cc,
          x.response,
          x.handlerId,
          x.status,
          x.receivedAt,
          x.answeredAt,
          x.latencyUs,
          x.note,
          x.frame,
          x.relatedId,
        );
      }
    });
    const start = performance.now();
    for (let i = 0; i < records.length; i += 1000) insertAll(records.slice(i, i + 1000));
    return records.length / ((performance.now() - start) / 1000);
  } finally {
    sqlite.close();
    await t.cleanup();
  }
}

const records = makeExchanges(1, rows);
console.log(`${fmt(rows)} rows of ${EXCHANGE_COLUMNS.length} columns, median of ${REPEATS} runs\n`);

console.log("1. one INSERT per batch (rows/s)");
console.log("   batch   $executeRaw+join   $executeRawUnsafe");
const statementRows = records.slice(0, Math.min(rows, 30_000));
for (const size of [100, 250, 500, 1000, MAX_ROWS_PER_STATEMENT]) {
  const join: number[] = [];
  const unsafe: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    join.push(await timeStatements("join", size, statementRows));
    unsafe.push(await timeStatements("unsafe", size, statementRows));
  }
  console.log(
    `   ${String(size).padStart(5)}   ${fmt(median(join)).padStart(16)}   ${fmt(median(unsafe)).padStart(17)}`,
  );
}

const runs: { rate: number; batches: number }[] = [];
for (let r = 0; r < REPEATS; r++) runs.push(await timeWriter(records));
const writerRate = median(runs.map((r) => r.rate));
console.log(
  `\n2. ExchangeLogWriter, maxBatch ${maxBatch}: burst of ${fmt(rows)} writes + flush(): ${fmt(writerRate)} rows/s (${runs[0]?.batches} statements)`,
);

const ceiling: number[] = [];
for (let r = 0; r < REPEATS; r++) ceiling.push(await timeBetterSqlite(records));
console.log(
  `3. ceiling, better-sqlite3 prepared insert, 1000 per transaction: ${fmt(median(ceiling))} rows/s`,
);
