/**
 * Console history retention: deletes the oldest console chunks, by id, beyond an age or a
 * row limit, the way server/traffic/retention.ts does for exchanges (same shape, same
 * reasoning: through Prisma on the main connection, short autocommit `DELETE ... WHERE id
 * <= ?` steps of at most `stepRows` rows on a prefix of the primary key, yielding between
 * steps; the console writer's INSERTs wait out at most one step).
 *
 * Two differences: ids come from SQLite's AUTOINCREMENT, which never hands an id out twice
 * even after the newest row is deleted, so nothing needs to stay behind (exchanges keep
 * their newest row because the router numbers on from it); and ids are contiguous (the
 * writer inserts one row per statement and a rolled-back insert gives its id back), so the
 * row limit is arithmetic on the newest id, as there.
 */
import type { Database } from "../persistence/database";

export const CONSOLE_RETENTION_STEP_ROWS = 2000;
export const CONSOLE_RETENTION_INTERVAL_MS = 60_000;
const DAY_MS = 86_400_000;

export interface ConsoleRetentionLimits {
  /** Keep chunks received in the last `days` days; null: no age limit. */
  days: number | null;
  /** Keep at most the newest `rows` chunks (4 KiB at most each); null: no count limit. */
  rows: number | null;
}

export interface ConsoleRetentionOptions extends Partial<ConsoleRetentionLimits> {
  stepRows?: number;
  intervalMs?: number;
  now?: () => number;
  /** Between steps; tests pass one that records the steps. */
  pause?: () => Promise<void>;
  onError?: (err: unknown) => void;
}

export interface ConsoleRetentionStats extends ConsoleRetentionLimits {
  /** Chunks deleted since start. */
  pruned: number;
}

export class ConsoleRetention {
  readonly limits: ConsoleRetentionLimits;
  private readonly stepRows: number;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly pause: () => Promise<void>;
  private readonly onError: (err: unknown) => void;
  private prunedTotal = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private stopped = false;

  constructor(
    private readonly db: Database,
    options: ConsoleRetentionOptions = {},
  ) {
    this.limits = { days: options.days ?? null, rows: options.rows ?? null };
    this.stepRows = options.stepRows ?? CONSOLE_RETENTION_STEP_ROWS;
    this.intervalMs = options.intervalMs ?? CONSOLE_RETENTION_INTERVAL_MS;
    this.now = options.now ?? Date.now;
    this.pause = options.pause ?? (() => new Promise((resolve) => setTimeout(resolve, 0)));
    this.onError = options.onError ?? (() => {});
  }

  get enabled(): boolean {
    return this.limits.days !== null || this.limits.rows !== null;
  }

  stats(): ConsoleRetentionStats {
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
    const newest = await this.db.consoleChunk.findFirst({ orderBy: { id: "desc" }, select: { id: true } });
    if (!newest) return 0;
    const keepFromId = rows === null ? null : newest.id - rows + 1;
    const cutoff = days === null ? null : this.now() - days * DAY_MS;
    const beyond = (row: { id: number; receivedAt: number }) =>
      (keepFromId !== null && row.id < keepFromId) || (cutoff !== null && row.receivedAt < cutoff);
    let deleted = 0;
    for (;;) {
      // Most passes find nothing to do: look at the oldest row before reading a step's worth.
      const oldest = await this.db.consoleChunk.findFirst({
        orderBy: { id: "asc" },
        select: { id: true, receivedAt: true },
      });
      if (!oldest || !beyond(oldest)) break;
      // The oldest rows by id; the step deletes the longest prefix of them beyond a limit.
      const step = await this.db.$queryRaw<{ id: number | bigint; receivedAt: number }[]>`
        SELECT "id", "receivedAt" FROM "ConsoleChunk" ORDER BY "id" ASC LIMIT ${this.stepRows}`;
      let last: number | null = null;
      for (const row of step) {
        const id = Number(row.id);
        if (!beyond({ id, receivedAt: row.receivedAt })) break;
        last = id;
      }
      if (last === null) break;
      const n = await this.db.$executeRaw`DELETE FROM "ConsoleChunk" WHERE "id" <= ${last}`;
      deleted += n;
      this.prunedTotal += n;
      if (last !== Number(step.at(-1)!.id) || this.stopped) break;
      await this.pause();
    }
    return deleted;
  }
}

export interface ConsoleHistoryInfo {
  chunks: number;
  /** The oldest chunk's receivedAt; null when there is none. */
  oldestReceivedAt: number | null;
}

/** How much console history there is, for the health answer. */
export async function consoleHistoryInfo(db: Database): Promise<ConsoleHistoryInfo> {
  const [oldest, newest] = await Promise.all([
    db.consoleChunk.findFirst({ orderBy: { id: "asc" }, select: { id: true, receivedAt: true } }),
    db.consoleChunk.findFirst({ orderBy: { id: "desc" }, select: { id: true } }),
  ]);
  return {
    chunks: oldest && newest ? newest.id - oldest.id + 1 : 0,
    oldestReceivedAt: oldest?.receivedAt ?? null,
  };
}
