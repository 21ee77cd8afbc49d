/**
 * Console history retention: server/traffic/retention.ts's LogRetention on the ConsoleChunk
 * table, deleting the oldest chunks, by id, beyond an age or a row limit, with the same
 * reasoning: through Prisma on the main connection, short autocommit `DELETE ... WHERE
 * id <= ?` steps of at most `stepRows` rows on a prefix of the primary key, yielding
 * between steps; the console writer's INSERTs wait out at most one step.
 *
 * Two differences: ids come from SQLite's AUTOINCREMENT, which never hands an id out twice
 * even after the newest row is deleted, so nothing needs to stay behind (exchanges keep
 * their newest row because the router numbers on from it); and ids are contiguous (the
 * writer inserts one row per statement and a rolled-back insert gives its id back), so the
 * row limit is arithmetic on the newest id, as there.
 */
import type { Database } from "../persistence/database";
import { LogRetention, type RetentionOptions } from "../traffic/retention";

export {
  RETENTION_INTERVAL_MS as CONSOLE_RETENTION_INTERVAL_MS,
  RETENTION_STEP_ROWS as CONSOLE_RETENTION_STEP_ROWS,
} from "../traffic/retention";

export type ConsoleRetentionOptions = Omit<RetentionOptions, "table" | "keepNewest">;

/** LogRetention on the ConsoleChunk table, with nothing kept behind (see the header). */
export class ConsoleRetention extends LogRetention {
  constructor(db: Database, options: ConsoleRetentionOptions = {}) {
    super(db, { ...options, table: "ConsoleChunk", keepNewest: false });
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
