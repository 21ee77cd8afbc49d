/**
 * Ships this node's local records (exchanges, audit entries, console text) from its SQLite
 * log into the fleet's PostgreSQL store.
 *
 * Guarantees:
 * - exactly once: rows are keyed by (node, id) and inserted with ON CONFLICT DO NOTHING, and
 *   the node's high-water mark moves in the SAME statement (a data-modifying CTE), so a crash
 *   leaves either both or neither; a batch sent twice (a retry after a lost reply, a mark
 *   set back) is stored once;
 * - in order, one batch in flight: a stream's next batch is read only after the previous one
 *   committed, so memory stays bounded however far behind the store is;
 * - resumable: the marks live in FleetNode, so a restart (or a new SQLite reader) goes on
 *   from the last committed batch;
 * - never stalls the node: while PostgreSQL is away the loop retries with exponential
 *   backoff (capped) and reports the error in lag(); the node keeps logging locally. Batches
 *   are read, hex-encoded and serialised in a worker thread (ship-reader.ts), not on the
 *   router's event loop; a reader that fails is retried with the same backoff.
 *
 * Ids are contiguous per local database, so a jump means records that are no longer there
 * (RETENTION_* pruned them before they were shipped, or the log writer dropped them when its
 * buffer was full). They cannot be shipped any more: waiting for them would stall shipping
 * for ever, so the mark moves past them and the gap is counted (stats().skipped) and logged.
 */
import pg from "pg";
import type { ShipperLagDto } from "../contract/fleet";
import type { Logger } from "../logger";
import type { Database } from "../persistence/database";
import type { FleetDatabase } from "./fleet-database";
import { type ShipReader, shipReaderFor } from "./ship-reader";
import { type Kind, SPECS, STREAMS, type StreamName, type StreamSpec } from "./ship-rows";

export type { StreamName } from "./ship-rows";

export const DEFAULT_BATCH_SIZE = 2000;
export const DEFAULT_POLL_MS = 250;
export const DEFAULT_MAX_BACKOFF_MS = 5000;
const FIRST_BACKOFF_MS = 100;
/** How long stop() waits past its drain time for a statement in flight. */
const STOP_GRACE_MS = 2000;

const PG_TYPES: Record<Kind, string> = { int: "int", float: "float8", text: "text", bytes: "text" };

/**
 * One statement per batch: insert the rows (idempotent by node and id) and move the mark,
 * atomically. GREATEST: a mark never moves back, even if an older batch is retried late.
 */
function shipStatement(spec: StreamSpec): string {
  const names = Object.keys(spec.columns);
  const cols = names.map((c) => `"${c}"`).join(", ");
  const select = names
    .map((c) => (spec.columns[c] === "bytes" ? `decode(x."${c}", 'hex')` : `x."${c}"`))
    .join(", ");
  const record = names.map((c) => `"${c}" ${PG_TYPES[spec.columns[c]!]}`).join(", ");
  return `WITH ins AS (
  INSERT INTO "${spec.table}" ("node", ${cols})
  SELECT $1, ${select} FROM json_to_recordset($2::json) AS x(${record})
  ON CONFLICT ("node", "id") DO NOTHING
  RETURNING 1
), mark AS (
  UPDATE "FleetNode" SET "${spec.mark}" = GREATEST("${spec.mark}", $3::int) WHERE "name" = $1 RETURNING 1
)
SELECT (SELECT count(*) FROM ins)::int AS inserted, (SELECT count(*) FROM mark)::int AS marked`;
}

const STATEMENTS: Record<StreamName, string> = {
  exchange: shipStatement(SPECS.exchange),
  audit: shipStatement(SPECS.audit),
  console: shipStatement(SPECS.console),
};

type ShipResult = { inserted: number; marked: number };
type Counts = Record<StreamName, number>;
const zero = (): Counts => ({ exchange: 0, audit: 0, console: 0 });

export interface ShipperStats {
  /** Rows this shipper inserted into the store. */
  shipped: Counts;
  /** Rows sent again that the store already had (a retry, a mark set back): stored once. */
  duplicates: Counts;
  /** Ids missing locally when their turn came (pruned or dropped before shipping). */
  skipped: Counts;
  batches: number;
  /** Attempts that failed (the store away, a statement refused). */
  failures: number;
}

export interface ShipperOptions {
  /** The node's log: marks and lag are asked here (indexed, small). */
  local: Database;
  /**
   * The log's DATABASE_URL: when it names a file, batches are read in a worker thread on it
   * (see ship-reader.ts); without it, through `local` in this thread.
   */
  localUrl?: string;
  /** Where batches come from, instead of the above; the shipper closes it when it stops. */
  reader?: ShipReader;
  node: string;
  /** The store; rejects while it is unreachable (the loop backs off and asks again). */
  store: () => Promise<FleetDatabase>;
  /**
   * The store's URL: each batch's statement then goes over a pg connection of the shipper's
   * own instead of through the Prisma client, whose query compiler spends about 30 ns per
   * byte of the batch's JSON (tens of ms a batch) on this thread. The marks are still read
   * through `store`, which also says when the store is reachable and migrated.
   */
  storeUrl?: string;
  log: Logger;
  batchSize?: number;
  pollMs?: number;
  maxBackoffMs?: number;
  now?: () => number;
  /** Told each time the store goes away and comes back (health). */
  onStoreState?: (up: boolean, error: string | null) => void;
}

/** The store already holds this node's ids past the local log's newest: see loadMarks(). */
export class MarkAheadError extends Error {
  constructor(node: string, newest: number, mark: number) {
    super(
      `shipping stopped: the local log's newest exchange is ${newest} but the store already holds node ${node}'s exchanges up to ${mark}: ` +
        `this log was recreated under the same NODE_NAME. Give this node a new NODE_NAME, or delete node ${node}'s rows (and its FleetNode row) from the store.`,
    );
    this.name = "MarkAheadError";
  }
}

/** A batch could not be read from the local log: retried with backoff like a store failure. */
export class LocalReadError extends Error {
  constructor(reason: string) {
    super(`reading the local log failed (${reason})`);
    this.name = "LocalReadError";
  }
}

export class FleetShipper {
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly maxBackoffMs: number;
  private readonly now: () => number;
  /** The persisted marks, once read from the store. */
  private marks: Counts | undefined;
  private error: string | null = null;
  private readonly counts: ShipperStats = {
    shipped: zero(),
    duplicates: zero(),
    skipped: zero(),
    batches: 0,
    failures: 0,
  };
  private running: Promise<void> | undefined;
  private stopRequested = false;
  private drainUntil = 0;
  private wake: (() => void) | undefined;
  private readonly caughtUpWaiters = new Set<() => void>();
  private readonly reader: ShipReader;
  private pool: pg.Pool | undefined;
  private stopped = false;
  /** The current error is the local reader's (its worker died, SQLite refused), not the store's. */
  private localFault = false;

  constructor(private readonly o: ShipperOptions) {
    this.reader = o.reader ?? shipReaderFor(o.localUrl, o.local);
    this.batchSize = o.batchSize ?? DEFAULT_BATCH_SIZE;
    this.pollMs = o.pollMs ?? DEFAULT_POLL_MS;
    this.maxBackoffMs = o.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    this.now = o.now ?? Date.now;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** New local records: look now instead of at the next poll. */
  nudge(): void {
    this.wake?.();
  }

  /**
   * Stops the loop. With `drainMs`, it first keeps shipping until caught up (what the log
   * writer flushed on the way out) or the time is up or the store fails; the rest ships at
   * the next start, from the mark.
   */
  async stop(drainMs = 0): Promise<void> {
    this.drainUntil = this.now() + drainMs;
    this.stopRequested = true;
    this.wake?.();
    // A statement the store never answers (a host gone silent) must not hold the stop for ever.
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      this.running,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, drainMs + STOP_GRACE_MS);
      }),
    ]);
    clearTimeout(timer);
    this.running = undefined;
    // Its worker must not outlive the node; a read still in flight (past the grace) fails.
    await this.reader.close();
    this.stopped = true;
    const pool = this.pool;
    this.pool = undefined;
    await pool?.end().catch(() => {});
  }

  stats(): ShipperStats {
    return structuredClone(this.counts);
  }

  /** The marks as last committed; undefined until the store was reached once. */
  shippedIds(): Readonly<Counts> | undefined {
    return this.marks ? { ...this.marks } : undefined;
  }

  /** Why shipping is stalled; null while it flows. */
  lastError(): string | null {
    return this.error;
  }

  /** How far behind the store is (exchanges; audit and console text ride along). */
  async lag(): Promise<ShipperLagDto> {
    const shippedId = this.marks?.exchange ?? 0;
    const [max, oldest] = await Promise.all([
      this.o.local.exchange.aggregate({ _max: { id: true } }),
      this.o.local.exchange.findFirst({
        where: { id: { gt: shippedId } },
        orderBy: { id: "asc" },
        select: { receivedAt: true },
      }),
    ]);
    const records = Math.max(0, (max._max.id ?? 0) - shippedId);
    const seconds = oldest && records > 0 ? Math.max(0, (this.now() - oldest.receivedAt) / 1000) : 0;
    return { records, seconds: Math.round(seconds * 10) / 10, shippedId, error: this.error };
  }

  /** Resolves once a round found nothing left to ship (tests, benchmarks). */
  caughtUp(): Promise<void> {
    return new Promise((resolve) => {
      this.caughtUpWaiters.add(resolve);
      this.wake?.();
    });
  }

  private async run(): Promise<void> {
    let backoff = 0;
    for (;;) {
      let moved = 0;
      try {
        const db = await this.o.store();
        this.marks ??= await this.loadMarks(db);
        moved = await this.round(db);
        if (this.error !== null && this.localFault)
          this.o.log.info("fleet: local log readable again, shipping");
        else if (this.error !== null) {
          this.o.log.info("fleet: store reachable again, shipping");
          this.o.onStoreState?.(true, null);
        }
        this.error = null;
        this.localFault = false;
        backoff = 0;
      } catch (err) {
        if (err instanceof MarkAheadError) {
          // Not the store's fault, and no retry fixes it: said once, checked again now and then.
          if (this.error !== err.message) this.o.log.error(`fleet: ${err.message}`);
          this.error = err.message;
          if (this.stopRequested) return;
          await this.sleep(this.maxBackoffMs);
          continue;
        }
        const local = err instanceof LocalReadError;
        const message = local ? err.message : describeError(err);
        this.counts.failures += 1;
        if (this.error === null && local) this.o.log.warn(`fleet: ${message}, retrying`);
        else if (this.error === null) {
          this.o.log.warn(`fleet: store unreachable (${message}), shipping when it returns`);
          this.o.onStoreState?.(false, message);
        }
        this.error = message;
        this.localFault = local;
        if (this.stopRequested) return;
        backoff = Math.min(this.maxBackoffMs, backoff === 0 ? FIRST_BACKOFF_MS : backoff * 2);
        await this.sleep(backoff);
        continue;
      }
      if (moved === 0) {
        for (const w of this.caughtUpWaiters) w();
        this.caughtUpWaiters.clear();
      }
      if (this.stopRequested && (moved === 0 || this.now() >= this.drainUntil)) return;
      if (moved === 0) await this.sleep(this.pollMs);
    }
  }

  /** The node's marks; its row is created (placeholders) if the registry has not yet announced it. */
  private async loadMarks(db: FleetDatabase): Promise<Counts> {
    await ensureNodeRow(db, this.o.node);
    const row = await db.fleetNode.findUniqueOrThrow({ where: { name: this.o.node } });
    const marks = {
      exchange: row.shippedExchangeId,
      audit: row.shippedAuditId,
      console: row.shippedConsoleId,
    };
    // Local ids only grow (retention prunes the oldest, never the newest). A newest id
    // below the store's mark means this log was recreated under the same NODE_NAME: its new
    // rows would hit the old (node, id) keys and be dropped as duplicates, silently.
    const newest = (await this.o.local.exchange.aggregate({ _max: { id: true } }))._max.id ?? 0;
    if (newest < marks.exchange) throw new MarkAheadError(this.o.node, newest, marks.exchange);
    this.o.log.info(
      `fleet: shipping as node ${this.o.node} from exchange ${marks.exchange}, audit ${marks.audit}, console ${marks.console}`,
    );
    return marks;
  }

  /** One batch of each stream; the number of local rows handled. */
  private async round(db: FleetDatabase): Promise<number> {
    let moved = 0;
    for (const stream of STREAMS) moved += await this.shipBatch(db, stream);
    return moved;
  }

  private async shipBatch(db: FleetDatabase, stream: StreamName): Promise<number> {
    const marks = this.marks!;
    const from = marks[stream];
    const batch = await this.reader.read(stream, from, this.batchSize).catch((err: unknown) => {
      throw new LocalReadError(describeError(err));
    });
    if (batch.count === 0) return 0;
    const last = batch.lastId;
    const result = await this.send(db, STATEMENTS[stream], [this.o.node, batch.json, last]);
    const { inserted = 0, marked = 0 } = result[0] ?? {};
    if (marked !== 1) {
      // The row was deleted under us: recreate it and ship again (idempotent) from the mark.
      this.marks = undefined;
      throw new Error(`fleet node row '${this.o.node}' is missing`);
    }
    const skipped = last - from - batch.count;
    if (skipped > 0) {
      this.counts.skipped[stream] += skipped;
      this.o.log.warn(
        `fleet: ${skipped} ${stream} record(s) between ids ${from + 1} and ${last} were gone locally before shipping (retention or dropped), skipped`,
      );
    }
    this.counts.shipped[stream] += inserted;
    this.counts.duplicates[stream] += batch.count - inserted;
    this.counts.batches += 1;
    marks[stream] = last;
    return batch.count;
  }

  private async send(db: FleetDatabase, sql: string, params: unknown[]): Promise<ShipResult[]> {
    if (this.o.storeUrl === undefined) return db.$queryRawUnsafe<ShipResult[]>(sql, ...params);
    // A loop that outlived stop() (a statement past the grace) must not open a new pool.
    if (this.stopped) throw new Error("the shipper is stopped");
    if (!this.pool) {
      this.pool = new pg.Pool({ connectionString: this.o.storeUrl, max: 1 });
      // A connection the store drops while idle: the next batch takes a new one, and a failed
      // statement is retried with backoff; unheard, this event would end the process.
      this.pool.on("error", () => {});
    }
    return (await this.pool.query<ShipResult>(sql, params)).rows;
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopRequested && this.caughtUpWaiters.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      // Not unref'd: a stopping server awaits this loop, and an unref'd timer alone would let
      // Node end the process mid-stop (exit 0 without the final flush and report).
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.wake === done) self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }
}

/**
 * The node's FleetNode row with placeholders (the registry fills them in; seen at the epoch,
 * so it lists as gone until announced); marks untouched.
 */
export async function ensureNodeRow(db: FleetDatabase, node: string): Promise<void> {
  await db.$executeRawUnsafe(
    `INSERT INTO "FleetNode" ("name", "version", "address", "buses", "startedAt", "lastSeen")
     VALUES ($1, '', '', '[]'::jsonb, 'epoch'::timestamp, 'epoch'::timestamp)
     ON CONFLICT ("name") DO NOTHING`,
    node,
  );
}

/** One line for logs and lag: pg's connection errors (AggregateError) have an empty message. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // Prisma puts its code first and the driver's reason on a later line.
  const line = err.message
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .slice(0, 2)
    .join(": ");
  if (line) return line;
  const code = (err as { code?: unknown }).code;
  if (err instanceof AggregateError && err.errors[0] !== undefined) return describeError(err.errors[0]);
  if (typeof code === "string") return code;
  if (err.cause !== undefined) return describeError(err.cause);
  return err.name;
}
