/**
 * The exchange log's batching writer. The router calls `write()` on its hot path for
 * every exchange; records are buffered and written by a single background loop, a
 * batch per statement through Prisma: `INSERT ... SELECT ... FROM json_each(?)` with the
 * batch as one JSON parameter (per-row Prisma writes manage about 1k rows/s, a VALUES
 * list with 19 parameters a row measured about 29k; this about 50k: `npm run bench`).
 *
 * Guarantees:
 * - one INSERT in flight at a time; a statement takes at most `maxBatch` records from
 *   the head of the buffer, so rows reach the table in the order they were written;
 * - a record leaves the buffer only once its statement committed; a statement that
 *   fails for a reason outside the records (table gone, disk full, database busy) is
 *   reported to `onError` and retried with backoff, records written meanwhile queue
 *   behind it;
 * - a statement that fails because of a record (a constraint such as a duplicate id)
 *   is split in halves until the record is alone; that one record is reported as an
 *   `ExchangeRejectedError` and dropped (no retry can store it), the rest are written;
 * - the buffer is bounded (`maxBuffered`, default 100,000 records): while the database
 *   refuses writes (disk full, locked, read-only) the router goes on and its records
 *   queue; past the bound the NEWEST are dropped, counted and told to `onWarning`, so
 *   what is kept is one unbroken run of ids from the fault on, written in order once
 *   the database takes writes again, and the loss is one id range per fault;
 * - `status()` says ok or degraded (a failing statement, or a fault the owner reports
 *   with `setFault`, such as the database file deleted under us) with the reason.
 */
import type { Exchange } from "../contract/exchange";
import { toHex } from "../ipmi/hex";
import type { Database } from "../persistence/database";
import {
  type ColumnKind,
  EXCHANGE_COLUMN_KINDS,
  EXCHANGE_COLUMN_LIST,
  EXCHANGE_COLUMNS,
  exchangeValues,
} from "./columns";

/**
 * Most rows one statement takes. SQLite runs synchronously in this process, so this
 * bounds how long one statement holds the event loop (about 20 ms at 2,000 rows).
 */
export const MAX_ROWS_PER_STATEMENT = 2000;

export const DEFAULT_MAX_BATCH = 500;
export const DEFAULT_FLUSH_INTERVAL_MS = 5;
/**
 * Records kept while the database refuses writes. A record is well under 1 KB in memory,
 * so this stays below ~100 MB; it holds about 10-20 s of flat-out simulated traffic and
 * hours at the default rates.
 */
export const DEFAULT_MAX_BUFFERED = 100_000;
const DEFAULT_RETRY_DELAY_MS = 50;
/**
 * A statement running longer than this makes the log degraded before it fails: a locked
 * database holds each statement for the driver's busy timeout (5 s) before SQLITE_BUSY.
 */
const DEFAULT_STALL_MS = 1000;
const DEFAULT_MAX_RETRY_DELAY_MS = 2000;
/** How often close() tries to write what is left before it gives up. */
const CLOSE_ATTEMPTS = 3;

/** Columns stored as BLOB: they travel as hex text in the JSON and are unhex()ed by SQLite. */
const BLOB_COLUMNS: ReadonlySet<string> = new Set(["request", "response", "frame", "responseFrame"]);
/**
 * One statement, one parameter: the batch as a JSON array of rows, unpacked by SQLite's
 * json_each. Prisma's cost is per bound parameter, so this runs about 3x the rows/s of
 * a multi-row VALUES list with 19 parameters a row (measured while choosing it).
 */
export const INSERT_SQL =
  `INSERT INTO "Exchange" (${EXCHANGE_COLUMN_LIST}) SELECT ` +
  EXCHANGE_COLUMNS.map((c, i) => (BLOB_COLUMNS.has(c) ? `unhex(value->>${i})` : `value->>${i}`)).join(", ") +
  " FROM json_each(?)";

/** Raised (before the database sees it) for a record whose fields cannot be stored. */
export class InvalidExchangeError extends Error {
  constructor(
    readonly exchangeId: unknown,
    message: string,
  ) {
    super(`exchange ${String(exchangeId)}: ${message}`);
    this.name = "InvalidExchangeError";
  }
}

/** Told to onError (and rejects flush()) when a record was dropped because it can never be stored. */
export class ExchangeRejectedError extends Error {
  constructor(
    readonly exchangeId: number,
    override readonly cause: unknown,
  ) {
    super(`exchange ${exchangeId} was not logged: ${errorMessage(cause)}`);
    this.name = "ExchangeRejectedError";
  }
}

/** Whether a value fits a column of this kind. */
function fits(kind: ColumnKind, value: unknown): boolean {
  if (value === null) return kind.endsWith("?");
  switch (kind.replace("?", "")) {
    case "int":
      return typeof value === "number" && Number.isSafeInteger(value);
    case "float":
      return typeof value === "number" && Number.isFinite(value);
    case "text":
      return typeof value === "string";
    default:
      return value instanceof Uint8Array;
  }
}

const KIND_TEXT: Record<string, string> = {
  int: "an integer",
  float: "a finite number",
  text: "a string",
  bytes: "a Uint8Array",
};

/** The record's values in EXCHANGE_COLUMNS order, type-checked, bytes as hex for json_each. */
function rowValues(x: Exchange): unknown[] {
  const values = exchangeValues(x);
  for (let i = 0; i < values.length; i++) {
    const column = EXCHANGE_COLUMNS[i]!;
    const kind = EXCHANGE_COLUMN_KINDS[column];
    const value = values[i];
    if (!fits(kind, value)) {
      const base = kind.replace("?", "");
      throw new InvalidExchangeError(
        x.id,
        `${column} must be ${KIND_TEXT[base]}${kind.endsWith("?") ? " or null" : ""}`,
      );
    }
    if (value instanceof Uint8Array) values[i] = toHex(value, "") as never;
  }
  return values;
}

/**
 * Runs INSERT_SQL with a batch's rows as its one JSON parameter. In this thread
 * (prismaRunner) or in a worker thread (worker-runner.ts), so that SQLite's synchronous
 * work does not hold the router's event loop.
 */
export interface StatementRunner {
  run(rowsJson: string): Promise<void>;
  close?(): Promise<void>;
}

export function prismaRunner(db: Database): StatementRunner {
  return {
    async run(rowsJson) {
      await db.$executeRawUnsafe(INSERT_SQL, rowsJson);
    },
  };
}

/** Checks the records and inserts them with one statement. At most MAX_ROWS_PER_STATEMENT records. */
export async function insertWith(runner: StatementRunner, rows: readonly Exchange[]): Promise<void> {
  if (rows.length === 0) return;
  if (rows.length > MAX_ROWS_PER_STATEMENT) {
    throw new RangeError(`at most ${MAX_ROWS_PER_STATEMENT} rows per statement, got ${rows.length}`);
  }
  await runner.run(JSON.stringify(rows.map(rowValues)));
}

/** Inserts the records through this thread's Prisma client (tests, tools). */
export function insertExchanges(db: Database, rows: readonly Exchange[]): Promise<void> {
  return insertWith(prismaRunner(db), rows);
}

/** SQLite result codes that mean "this data cannot be stored", not "the database is unwell". */
const RECORD_ERROR_CODES = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/;

/** Whether retrying the same records can never succeed (so the batch is split instead). */
export function isRecordError(err: unknown): boolean {
  if (err instanceof InvalidExchangeError) return true;
  // Judged where the statement ran (a worker thread) and carried back with the error.
  if ((err as { recordError?: unknown })?.recordError === true) return true;
  const meta = (
    err as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown; kind?: unknown } } } }
  )?.meta;
  // Through PrismaClient the adapter's error is in meta; straight from the adapter (the
  // writer's worker) it is the error itself, its SQLite code in `cause`.
  for (const cause of [
    meta?.driverAdapterError?.cause,
    (err as { cause?: { originalCode?: unknown; kind?: unknown } })?.cause,
  ]) {
    if (typeof cause?.originalCode === "string" && RECORD_ERROR_CODES.test(cause.originalCode)) return true;
    if (typeof cause?.kind === "string" && /ConstraintViolation$/.test(cause.kind)) return true;
  }
  // better-sqlite3's own error, should an adapter pass it through unwrapped
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" && RECORD_ERROR_CODES.test(code);
}

function errorMessage(err: unknown): string {
  return err instanceof Error
    ? (err.message.trim().split("\n").filter(Boolean).at(-1) ?? err.name)
    : String(err);
}

export interface ExchangeLogWriterOptions {
  /** Most records per INSERT, and the buffer size that starts a flush at once. Default 500, at most MAX_ROWS_PER_STATEMENT. */
  maxBatch?: number;
  /** A record waits at most this long before a flush starts. Default 5 ms. */
  flushIntervalMs?: number;
  /** First delay before retrying a failed statement; doubles per failure. Default 50 ms. */
  retryDelayMs?: number;
  /** Cap of the retry delay. Default 2000 ms. */
  maxRetryDelayMs?: number;
  /** Most records buffered; past it new records are dropped and counted. Default DEFAULT_MAX_BUFFERED. */
  maxBuffered?: number;
  /** Told of every failed statement and of every dropped record (ExchangeRejectedError). */
  onError?(err: unknown): void;
  /** Told when records start being dropped (buffer full) and when the log is back to ok. */
  onWarning?(message: string): void;
  /** A statement in flight longer than this makes the log degraded. Default 1000 ms. */
  stallMs?: number;
  /** The clock for `degradedSince` and stalls (tests). */
  now?(): number;
  /** Where statements run; default this thread's Prisma client. */
  runner?: StatementRunner;
}

export interface ExchangeLogWriterStats {
  /** Records committed. */
  written: number;
  /** Records buffered, including those of the statement in flight. */
  pending: number;
  /** Statements committed. */
  batches: number;
  /** Statements that failed (each retry and each split counts). */
  failedBatches: number;
  /** Records dropped because the database refused them on their own (see ExchangeRejectedError). */
  rejected: number;
  /** Records dropped because the buffer was full (maxBuffered). */
  dropped: number;
}

/** Whether the log is being written, for /api/health and the dashboard. */
export interface ExchangeLogStatus {
  status: "ok" | "degraded";
  /** Why degraded: the last failed statement's error or the reported fault; null when ok. */
  reason: string | null;
  /** When it became degraded (ms since the epoch); null when ok. */
  degradedSince: number | null;
  /** Records waiting to be written. */
  buffered: number;
  bufferLimit: number;
  /** Records dropped (buffer full) since start; they are not in the log. */
  dropped: number;
  /** The ids of the newest run of dropped records; null when none was dropped. */
  lastDropped: { firstId: number; lastId: number; count: number } | null;
}

interface Waiter {
  /** Resolve once this many records (counted from the start) are done. */
  target: number;
  resolve(): void;
  reject(err: unknown): void;
  /** Set when a record it covers was dropped: it rejects with this once its target is done. */
  failure?: unknown;
}

export class ExchangeLogWriter {
  private readonly maxBatch: number;
  private readonly flushIntervalMs: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly onError: (err: unknown) => void;

  /** The buffer: records items[head..] are pending, in write order. */
  private items: Exchange[] = [];
  private head = 0;
  /** Records ever written to the buffer, and how many of them are done (committed or dropped). */
  private enqueued = 0;
  private done = 0;

  private written = 0;
  private batches = 0;
  private failedBatches = 0;
  private rejected = 0;
  private dropped = 0;
  private lastDropped: { firstId: number; lastId: number; count: number } | null = null;
  /** Set while records are being dropped; cleared by the next record buffered. */
  private dropping = false;
  private readonly maxBuffered: number;
  private readonly onWarning: (message: string) => void;
  private readonly now: () => number;
  /** The last failed statement's error while `failures` > 0. */
  private lastError: string | null = null;
  /** A fault reported by the owner (setFault), independent of statements. */
  private fault: string | null = null;
  private degradedSince: number | null = null;
  /** Dropped since the log became degraded, for the recovery message. */
  private droppedThisFault = 0;
  /** When the statement in flight started; null when none is. */
  private statementSince: number | null = null;
  private readonly stallMs: number;

  private waiters: Waiter[] = [];
  private draining: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private immediate: ReturnType<typeof setImmediate> | null = null;
  /** Consecutive failed attempts; > 0 means automatic flushes wait for the backoff. */
  private failures = 0;
  /** Rows per statement now: below maxBatch while a batch is being split to find a bad record. */
  private limit: number;
  /** Split mode lasts until `done` passes this position. */
  private splitEnd = 0;
  private closed = false;
  private readonly runner: StatementRunner;

  constructor(db: Database, options: ExchangeLogWriterOptions = {}) {
    this.runner = options.runner ?? prismaRunner(db);
    const maxBatch = options.maxBatch ?? DEFAULT_MAX_BATCH;
    if (!Number.isInteger(maxBatch) || maxBatch < 1)
      throw new RangeError("maxBatch must be a positive integer");
    this.maxBatch = Math.min(maxBatch, MAX_ROWS_PER_STATEMENT);
    this.limit = this.maxBatch;
    this.flushIntervalMs = Math.max(0, options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS);
    this.retryDelayMs = Math.max(1, options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS);
    this.maxRetryDelayMs = Math.max(this.retryDelayMs, options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS);
    this.onError = options.onError ?? ((err) => console.error("exchange log:", err));
    const maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
    if (!Number.isInteger(maxBuffered) || maxBuffered < 1)
      throw new RangeError("maxBuffered must be a positive integer");
    this.maxBuffered = maxBuffered;
    this.onWarning = options.onWarning ?? ((message) => console.warn(`exchange log: ${message}`));
    this.now = options.now ?? Date.now;
    this.stallMs = Math.max(1, options.stallMs ?? DEFAULT_STALL_MS);
  }

  /**
   * Buffers a record. Synchronous and O(1): it never touches the database. The writer
   * keeps the object until it is committed, so don't change it after the call. After
   * close() records are still buffered but only an explicit flush() writes them.
   */
  write(x: Exchange): void {
    if (this.pendingCount() >= this.maxBuffered) {
      this.drop(x);
      return;
    }
    this.dropping = false;
    this.items.push(x);
    this.enqueued++;
    if (this.draining === null) this.schedule();
  }

  /**
   * Resolves once every record written before the call is committed. Rejects when the
   * database refuses the write (the records stay buffered and are retried) or, after
   * the rest is committed, when one of them was dropped (ExchangeRejectedError).
   */
  flush(): Promise<void> {
    const target = this.enqueued;
    if (this.done >= target) return Promise.resolve();
    const promise = new Promise<void>((resolve, reject) => {
      this.waiters.push({ target, resolve, reject });
    });
    this.startDrain();
    return promise;
  }

  /**
   * Writes what is pending (retrying a failed statement a few times) and stops the
   * timers. Rejects only if records are still unwritten then; stats().pending says how many.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.clearTimers();
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          await this.flush();
          return;
        } catch (err) {
          if (this.pendingCount() === 0) return;
          if (attempt >= CLOSE_ATTEMPTS) throw err;
          await new Promise((resolve) => setTimeout(resolve, this.retryDelay(attempt)));
        }
      }
    } finally {
      await this.runner.close?.();
    }
  }

  stats(): ExchangeLogWriterStats {
    return {
      written: this.written,
      pending: this.pendingCount(),
      batches: this.batches,
      failedBatches: this.failedBatches,
      rejected: this.rejected,
      dropped: this.dropped,
    };
  }

  status(): ExchangeLogStatus {
    const now = this.now();
    const stalled =
      this.statementSince !== null && now - this.statementSince >= this.stallMs
        ? `a statement has waited ${((now - this.statementSince) / 1000).toFixed(1)} s (database locked or slow)`
        : null;
    const reason = this.fault ?? (this.failures > 0 ? this.lastError : null) ?? stalled;
    return {
      status: reason === null ? "ok" : "degraded",
      reason,
      degradedSince: reason === null ? null : (this.degradedSince ?? this.statementSince),
      buffered: this.pendingCount(),
      bufferLimit: this.maxBuffered,
      dropped: this.dropped,
      lastDropped: this.lastDropped === null ? null : { ...this.lastDropped },
    };
  }

  /**
   * Reports (or, with null, clears) a fault the writer cannot see in its statements,
   * such as the database file deleted under the open connection: writes still succeed
   * but will not survive a restart. The log is degraded while it is set.
   */
  setFault(reason: string | null): void {
    if (reason === this.fault) return;
    this.fault = reason;
    this.updateDegraded();
  }

  private drop(x: Exchange): void {
    this.dropped++;
    this.droppedThisFault++;
    if (!this.dropping || this.lastDropped === null) {
      this.dropping = true;
      this.lastDropped = { firstId: x.id, lastId: x.id, count: 1 };
      this.warn(
        `buffer full (${this.maxBuffered} records waiting: ${this.lastError ?? this.fault ?? "the database is slow"}): ` +
          `dropping new exchanges from id ${x.id} until the database takes writes again`,
      );
      return;
    }
    this.lastDropped.lastId = x.id;
    this.lastDropped.count++;
  }

  /** Keeps degradedSince and tells onWarning when the log is back to ok. */
  private updateDegraded(): void {
    const degraded = this.fault !== null || this.failures > 0;
    if (degraded) {
      this.degradedSince ??= this.now();
      return;
    }
    if (this.degradedSince === null) return;
    const seconds = ((this.now() - this.degradedSince) / 1000).toFixed(1);
    const lost =
      this.droppedThisFault > 0
        ? `${this.droppedThisFault} exchanges were dropped (buffer full) and are not in the log` +
          (this.lastDropped
            ? `, the last run ids ${this.lastDropped.firstId}-${this.lastDropped.lastId}`
            : "")
        : "nothing was lost";
    this.degradedSince = null;
    this.droppedThisFault = 0;
    this.warn(`back to ok after ${seconds} s degraded; ${lost}`);
  }

  private warn(message: string): void {
    try {
      this.onWarning(message);
    } catch {
      // a failing warning handler must not stop the writer
    }
  }

  private pendingCount(): number {
    return this.items.length - this.head;
  }

  private retryDelay(failures: number): number {
    return Math.min(this.maxRetryDelayMs, this.retryDelayMs * 2 ** Math.min(failures - 1, 30));
  }

  /** Arranges the next automatic flush; called when nothing is in flight. */
  private schedule(): void {
    if (this.closed || this.draining !== null || this.immediate !== null) return;
    const pending = this.pendingCount();
    if (pending === 0) return;
    if (this.failures > 0) {
      this.timer ??= setTimeout(() => this.startDrain(), this.retryDelay(this.failures));
      return;
    }
    if (pending >= this.maxBatch) {
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
      this.immediate = setImmediate(() => this.startDrain());
      return;
    }
    this.timer ??= setTimeout(() => this.startDrain(), this.flushIntervalMs);
  }

  private clearTimers(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.immediate !== null) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  private startDrain(): void {
    this.clearTimers();
    if (this.draining !== null) return;
    this.draining = this.drain().finally(() => {
      this.draining = null;
      // flush() may have been called after the loop's last check but before this ran
      if (this.waiters.length > 0) this.startDrain();
      else this.schedule();
    });
  }

  /** Whether the loop should write another statement now rather than wait for the timer. */
  private moreToDo(): boolean {
    const pending = this.pendingCount();
    if (pending === 0) return false;
    if (pending >= this.limit) return true;
    const last = this.waiters.at(-1);
    return last !== undefined && last.target > this.done;
  }

  private async drain(): Promise<void> {
    try {
      // The first statement goes out whatever is pending (the timer or a flush() asked for it);
      // after that the loop goes on while a full batch is waiting or flush() callers wait.
      let first = true;
      while (first ? this.pendingCount() > 0 : this.moreToDo()) {
        first = false;
        const n = Math.min(this.limit, this.pendingCount());
        const batch = this.items.slice(this.head, this.head + n);
        this.statementSince = this.now();
        try {
          await insertWith(this.runner, batch);
        } catch (err) {
          this.failedBatches++;
          if (isRecordError(err)) {
            if (n > 1) {
              this.splitEnd = Math.max(this.splitEnd, this.done + n);
              this.limit = Math.ceil(n / 2);
              continue;
            }
            const rejected = new ExchangeRejectedError(batch[0]!.id, err);
            this.rejected++;
            this.limit = this.maxBatch;
            this.advance(1, rejected);
            this.report(rejected);
            continue;
          }
          this.failures++;
          this.lastError = errorMessage(err);
          this.updateDegraded();
          this.report(err);
          this.failWaiters(err);
          return;
        } finally {
          this.statementSince = null;
        }
        if (this.failures > 0) {
          this.failures = 0;
          this.lastError = null;
          this.updateDegraded();
        }
        this.written += n;
        this.batches++;
        this.advance(n);
        if (this.done >= this.splitEnd) this.limit = this.maxBatch;
      }
    } catch (err) {
      // A bug here must not leave flush() hanging.
      this.failures++;
      this.lastError = errorMessage(err);
      this.updateDegraded();
      this.report(err);
      this.failWaiters(err);
    }
  }

  /** Takes n records off the head of the buffer; `failure` marks them as dropped. */
  private advance(n: number, failure?: unknown): void {
    if (failure !== undefined) {
      for (const w of this.waiters) if (w.target > this.done) w.failure ??= failure;
    }
    this.head += n;
    this.done += n;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= 4096 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    let settled = 0;
    while (settled < this.waiters.length && this.waiters[settled]!.target <= this.done) settled++;
    if (settled === 0) return;
    const ready = this.waiters.splice(0, settled);
    for (const w of ready) {
      if (w.failure === undefined) w.resolve();
      else w.reject(w.failure);
    }
  }

  private failWaiters(err: unknown): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w.reject(err);
  }

  private report(err: unknown): void {
    try {
      this.onError(err);
    } catch {
      // a failing error handler must not stop the writer
    }
  }
}
