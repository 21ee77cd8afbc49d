/**
 * Opens the product's SQLite database through Prisma and the better-sqlite3 driver
 * adapter (no native query engine; see docs/stack.md). WAL lets the log writer append
 * while history queries read.
 */
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "./generated/client";

export type Database = PrismaClient;

export async function openDatabase(url: string): Promise<Database> {
  const prisma = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url }) });
  await prisma.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  // With WAL, NORMAL still never corrupts; a power cut may lose the last commits only.
  await prisma.$executeRawUnsafe("PRAGMA synchronous = NORMAL");
  return prisma;
}

/** "file:./data/bmc.db" -> "./data/bmc.db", for messages and the benchmark's direct driver. */
export function databaseFilePath(url: string): string {
  return url.replace(/^file:/, "");
}
