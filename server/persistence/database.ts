/**
 * Opens the product's SQLite database through Prisma and the better-sqlite3 driver
 * adapter (no native query engine; see docs/stack.md). WAL lets the log writer append
 * while history queries read.
 */
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/client";

export type Database = PrismaClient;

/**
 * How long a statement waits for another connection's write lock before SQLITE_BUSY. The
 * driver is synchronous: in the router's thread this is how long one statement can stop
 * everything while another process holds the lock, so that thread opens with a shorter one
 * than better-sqlite3's 5 s and the BMC store retries (persistence/busy-retry.ts). Still
 * well above the log writer's longest statement (about 20 ms at 2,000 rows), which is the
 * lock the router's thread meets in normal running.
 */
export const MAIN_THREAD_BUSY_TIMEOUT_MS = 250;

export async function openDatabase(url: string, options: { busyTimeoutMs?: number } = {}): Promise<Database> {
  const prisma = new PrismaClient({
    adapter: new PrismaBetterSQLite3(
      options.busyTimeoutMs === undefined ? { url } : { url, timeout: options.busyTimeoutMs },
    ),
  });
  await prisma.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  // With WAL, NORMAL still never corrupts; a power cut may lose the last commits only.
  await prisma.$executeRawUnsafe("PRAGMA synchronous = NORMAL");
  return prisma;
}

/** "file:./data/bmc.db" -> "./data/bmc.db", for messages and the benchmark's direct driver. */
export function databaseFilePath(url: string): string {
  return url.replace(/^file:/, "");
}
