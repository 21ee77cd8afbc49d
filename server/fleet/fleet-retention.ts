/**
 * Retention of the fleet's shared store (FLEET_RETENTION_DAYS): rows of FleetExchange,
 * FleetAudit and FleetConsoleChunk older than the limit are deleted, by their time indexes
 * (`receivedAt`, `at`), in batches of at most `batchRows`, so each statement stays short
 * and holds its row locks briefly while shippers insert new rows at the other end.
 * FleetNode is never pruned: a node that went away stays listed, its history ages out.
 *
 * Pruning, not partitioning: the shipper's exactly-once rests on the primary key (node, id)
 * and ON CONFLICT; a table partitioned by time must carry the time column in its primary
 * key (docs/scaling.md).
 *
 * Every node runs the pass (first soon after start, then every minute), so retention goes
 * on whichever nodes are up, but only the node that gets `pg_try_advisory_lock` works; the
 * others find it taken and do nothing. A session-level lock needs one connection for the
 * whole pass, which Prisma's pool does not promise, and a transaction-level one would make
 * the pass one long transaction: hence a `pg.Client` of its own per pass, whose end releases
 * the lock even when the pass fails half-way.
 */
import pg from "pg";
import type { FleetRetentionDto } from "../contract/fleet";
import type { Logger } from "../logger";

export const FLEET_RETENTION_INTERVAL_MS = 60_000;
/** The first pass: soon, but after the shipper's and registry's first round trips. */
export const FLEET_RETENTION_FIRST_DELAY_MS = 5_000;
export const FLEET_RETENTION_BATCH_ROWS = 10_000;
/** A batch past this is cancelled: the pass fails, and the next goes on where it stopped. */
const STATEMENT_TIMEOUT_MS = 30_000;
/** Not migrate.ts's key ("bmcf"): a pass must not hold up a node applying migrations. */
export const FLEET_RETENTION_LOCK_KEY = 0x626d_6372; // "bmcr"
const DAY_MS = 86_400_000;

export type PrunedStream = "exchange" | "audit" | "console";

/** The pruned tables and the indexed time column (ms since the epoch) each is pruned by. */
export const PRUNED_TABLES: readonly { stream: PrunedStream; table: string; column: string }[] = [
  { stream: "exchange", table: "FleetExchange", column: "receivedAt" },
  { stream: "audit", table: "FleetAudit", column: "at" },
  { stream: "console", table: "FleetConsoleChunk", column: "receivedAt" },
];

/**
 * `ctid = ANY(ARRAY(...))`, not `ctid IN (SELECT ...)`: the array form is planned as a TID
 * scan on the rows the index found; the IN form may become a join over the whole table.
 */
export function batchStatement(table: string, column: string): string {
  return `DELETE FROM "${table}" WHERE ctid = ANY(ARRAY(
  SELECT ctid FROM "${table}" WHERE "${column}" < $1 LIMIT $2))`;
}

export interface PassResult {
  /** false: another node held the lock, so this pass deleted nothing. */
  locked: boolean;
  deleted: Record<PrunedStream, number>;
  /** Rows older than this (ms since the epoch) were deleted. */
  cutoff: number;
  ms: number;
}

export interface FleetRetentionOptions {
  url: string;
  /** FLEET_RETENTION_DAYS; 0 keeps everything (the pass never runs). */
  days: number;
  /** Resolves once the store is reached and migrated; rejects while it is away. */
  ready: () => Promise<unknown>;
  log: Logger;
  intervalMs?: number;
  firstDelayMs?: number;
  batchRows?: number;
  now?: () => number;
  /** Between batches; tests hold a pass here. Default: yield to the event loop. */
  pause?: () => Promise<void>;
  /** Told each batch's deleted rows (tests, benchmarks). */
  onBatch?: (stream: PrunedStream, deleted: number) => void;
}

const describeError = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class FleetRetention {
  private readonly batchRows: number;
  private readonly now: () => number;
  private readonly pause: () => Promise<void>;
  private first: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<PassResult | null> | undefined;
  private stopped = false;
  private prunedTotal = 0;
  private lastPruneAt: number | null = null;
  private lastPruned = 0;
  private error: string | null = null;

  constructor(private readonly o: FleetRetentionOptions) {
    this.batchRows = o.batchRows ?? FLEET_RETENTION_BATCH_ROWS;
    this.now = o.now ?? Date.now;
    this.pause = o.pause ?? (() => new Promise((resolve) => setTimeout(resolve, 0)));
  }

  get enabled(): boolean {
    return this.o.days > 0;
  }

  stats(): FleetRetentionDto {
    return {
      days: this.enabled ? this.o.days : null,
      pruned: this.prunedTotal,
      lastPruneAt: this.lastPruneAt,
      lastPruned: this.lastPruned,
      error: this.error,
    };
  }

  /** A pass soon, then one every interval; nothing when FLEET_RETENTION_DAYS is 0. */
  start(): void {
    if (!this.enabled || this.first || this.timer || this.stopped) return;
    const tick = () => {
      this.prune().catch(() => {});
    };
    this.first = setTimeout(() => {
      this.first = undefined;
      if (this.stopped) return;
      tick();
      this.timer = setInterval(tick, this.o.intervalMs ?? FLEET_RETENTION_INTERVAL_MS);
      this.timer.unref();
    }, this.o.firstDelayMs ?? FLEET_RETENTION_FIRST_DELAY_MS);
    this.first.unref();
  }

  /** Stops the timers and waits for a pass under way, which ends after its current batch. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.first);
    clearInterval(this.timer);
    this.first = undefined;
    this.timer = undefined;
    await this.running?.catch(() => {});
  }

  /** One pass now (or the one under way); null when disabled or it failed (see stats().error). */
  prune(): Promise<PassResult | null> {
    if (!this.enabled) return Promise.resolve(null);
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<PassResult | null> {
    const t0 = performance.now();
    const cutoff = this.now() - this.o.days * DAY_MS;
    const deleted: Record<PrunedStream, number> = { exchange: 0, audit: 0, console: 0 };
    try {
      await this.o.ready();
    } catch (err) {
      // The shipper already says the store is away; a line per minute from here would repeat it.
      this.error = describeError(err);
      return null;
    }
    const client = new pg.Client({
      connectionString: this.o.url,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      application_name: "bmc fleet retention",
    });
    // A connection dropped between statements is reported here, not thrown: without a
    // listener it would be an uncaught 'error' event and end the node.
    client.on("error", () => {});
    try {
      await client.connect();
      const lock = await client.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1) AS ok", [
        FLEET_RETENTION_LOCK_KEY,
      ]);
      if (!lock.rows[0]?.ok) {
        this.error = null;
        return { locked: false, deleted, cutoff, ms: performance.now() - t0 };
      }
      for (const { stream, table, column } of PRUNED_TABLES) {
        const sql = batchStatement(table, column);
        while (!this.stopped) {
          const n = (await client.query(sql, [cutoff, this.batchRows])).rowCount ?? 0;
          deleted[stream] += n;
          this.prunedTotal += n;
          this.o.onBatch?.(stream, n);
          if (n < this.batchRows) break;
          await this.pause();
        }
      }
    } catch (err) {
      const message = describeError(err);
      if (this.error !== message) this.o.log.warn(`fleet retention: pass failed: ${message}`);
      this.error = message;
      return null;
    } finally {
      await client.end().catch(() => {});
    }
    const ms = performance.now() - t0;
    const total = deleted.exchange + deleted.audit + deleted.console;
    this.lastPruneAt = this.now();
    this.lastPruned = total;
    this.error = null;
    if (total > 0) {
      this.o.log.info(
        `fleet retention: pruned ${total} row(s) older than ${this.o.days} day(s) (exchanges ${deleted.exchange}, audit ${deleted.audit}, console ${deleted.console}) in ${Math.round(ms)} ms`,
      );
    }
    return { locked: true, deleted, cutoff, ms };
  }
}
