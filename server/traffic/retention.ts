/**
 * Log retention (RETENTION_DAYS, RETENTION_ROWS): deletes the oldest exchanges, by id,
 * beyond either limit, so what stays is always the contiguous newest ids. It runs at
 * start and then every minute, in steps of at most `stepRows` rows, yielding to the
 * event loop (setTimeout) between steps.
 *
 * Where it runs: through Prisma on the main connection, not through the log writer's
 * worker. A step is one short autocommit statement (`DELETE ... WHERE id <= ?` on a
 * prefix of the primary key, a few ms for 2,000 rows) and SQLite in WAL mode lets
 * readers go on meanwhile; the writer's worker, on its own connection, waits out at most
 * one step on the busy timeout (better-sqlite3's default, 5 s, is far above a step), so
 * the writer is never stalled by more than a step and its protocol (one statement in
 * flight, retries, splitting on a bad record) stays untouched. Going through the worker
 * would order the deletes with the inserts but add a second kind of in-flight statement
 * to that protocol for no gain: the deletes only touch ids far below what it inserts.
 */
import { statSync } from "node:fs";
import type { Database } from "../persistence/database";
import { Prisma } from "../persistence/generated/client";

export const RETENTION_STEP_ROWS = 2000;
export const RETENTION_INTERVAL_MS = 60_000;
const DAY_MS = 86_400_000;

export interface RetentionLimits {
  /** Keep exchanges received in the last `days` days; null: no age limit. */
  days: number | null;
  /** Keep at most the newest `rows` exchanges; null: no count limit. */
  rows: number | null;
}

/** The tables pruned this way: an autoincrementing `id` and a `receivedAt` in ms. */
export type RetainedTable = "Exchange" | "ConsoleChunk";

export interface RetentionOptions extends Partial<RetentionLimits> {
  /** Default "Exchange". */
  table?: RetainedTable;
  /**
   * The newest row always stays, however old (default true): the router numbers exchanges
   * on from it after a restart (history.ts maxExchangeId), so ids are never handed out
   * twice. The console history's ids come from SQLite's AUTOINCREMENT and need no such row.
   */
  keepNewest?: boolean;
  stepRows?: number;
  intervalMs?: number;
  now?: () => number;
  /** Between steps; tests pass one that records the steps. */
  pause?: () => Promise<void>;
  onError?: (err: unknown) => void;
}

export interface RetentionStats extends RetentionLimits {
  /** Exchanges deleted since start. */
  pruned: number;
}

export class LogRetention {
  readonly limits: RetentionLimits;
  private readonly stepRows: number;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly pause: () => Promise<void>;
  private readonly onError: (err: unknown) => void;
  private prunedTotal = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;
  private readonly table: Prisma.Sql;
  private readonly keepNewest: boolean;

  constructor(
    private readonly db: Database,
    options: RetentionOptions = {},
  ) {
    this.limits = { days: options.days ?? null, rows: options.rows ?? null };
    // A constant from RetainedTable, never user input.
    this.table = Prisma.raw(`"${options.table ?? "Exchange"}"`);
    this.keepNewest = options.keepNewest ?? true;
    this.stepRows = options.stepRows ?? RETENTION_STEP_ROWS;
    this.intervalMs = options.intervalMs ?? RETENTION_INTERVAL_MS;
    this.now = options.now ?? Date.now;
    this.pause = options.pause ?? (() => new Promise((resolve) => setTimeout(resolve, 0)));
    this.onError = options.onError ?? (() => {});
  }

  get enabled(): boolean {
    return this.limits.days !== null || this.limits.rows !== null;
  }

  stats(): RetentionStats {
    return { ...this.limits, pruned: this.prunedTotal };
  }

  /** Prunes now and then every interval; nothing when no limit is set. */
  start(): void {
    if (!this.enabled || this.timer || this.stopped) return;
    const tick = () => {
      this.prune().catch(this.onError);
    };
    tick();
    this.timer = setInterval(tick, this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a pass under way (it ends after its current step). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => {});
  }

  /** One pass: deletes what is beyond the limits, step by step. Answers the rows deleted. */
  prune(): Promise<number> {
    if (this.running) return this.running;
    this.running = this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<number> {
    if (!this.enabled) return 0;
    const { days, rows } = this.limits;
    // The lowest id the row limit keeps. Ids are contiguous per table (the router numbers
    // on from the largest; a gap is a lost record, and then fewer than `rows` stay, never
    // more): arithmetic on the newest id, where counting back `rows` keys with OFFSET would
    // read the whole table's leaves on the main thread every minute.
    const newest = await this.edge("DESC");
    if (!newest) return 0;
    const keepFromId = rows === null ? null : newest.id - rows + 1;
    const cutoff = days === null ? null : this.now() - days * DAY_MS;
    const beyond = (row: { id: number; receivedAt: number }) =>
      (!this.keepNewest || row.id < newest.id) &&
      ((keepFromId !== null && row.id < keepFromId) || (cutoff !== null && row.receivedAt < cutoff));
    let deleted = 0;
    for (;;) {
      // Most passes find nothing to do: look at the oldest row before reading a step's worth.
      const oldest = await this.edge("ASC");
      if (!oldest || !beyond(oldest)) break;
      // The oldest rows by id; the step deletes the longest prefix of them beyond a limit.
      const step = await this.db.$queryRaw<{ id: number | bigint; receivedAt: number }[]>`
        SELECT "id", "receivedAt" FROM ${this.table} ORDER BY "id" ASC LIMIT ${this.stepRows}`;
      let last: number | null = null;
      for (const row of step) {
        const id = Number(row.id);
        if (!beyond({ id, receivedAt: row.receivedAt })) break;
        last = id;
      }
      if (last === null) break;
      const n = await this.db.$executeRaw`DELETE FROM ${this.table} WHERE "id" <= ${last}`;
      deleted += n;
      this.prunedTotal += n;
      if (last !== Number(step.at(-1)!.id) || this.stopped) break;
      await this.pause();
    }
    return deleted;
  }

  /** The oldest (ASC) or newest (DESC) row: one step of the primary key. */
  private async edge(order: "ASC" | "DESC"): Promise<{ id: number; receivedAt: number } | null> {
    const rows = await this.db.$queryRaw<{ id: number | bigint; receivedAt: number }[]>`
      SELECT "id", "receivedAt" FROM ${this.table} ORDER BY "id" ${Prisma.raw(order)} LIMIT 1`;
    const row = rows[0];
    return row ? { id: Number(row.id), receivedAt: row.receivedAt } : null;
  }
}

export interface ExchangeLogInfo {
  /** The database file plus its WAL, in bytes; null when the file cannot be read. */
  sizeBytes: number | null;
  /** The oldest exchange kept; null when the log is empty. */
  oldestId: number | null;
  /** Its receivedAt (ms since the epoch); null when the log is empty. */
  oldestReceivedAt: number | null;
}

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** Size on disk and the oldest record, for the health answer. */
export async function exchangeLogInfo(db: Database, file: string): Promise<ExchangeLogInfo> {
  const main = fileSize(file);
  const oldest = await db.exchange.findFirst({
    orderBy: { id: "asc" },
    select: { id: true, receivedAt: true },
  });
  return {
    sizeBytes: main === 0 ? null : main + fileSize(`${file}-wal`),
    oldestId: oldest?.id ?? null,
    oldestReceivedAt: oldest?.receivedAt ?? null,
  };
}
