/**
 * The fleet's shared PostgreSQL store through Prisma and the pg driver adapter (no native
 * query engine, as the SQLite side: docs/stack.md), migrated on open.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client";
import { migrateFleet } from "./migrate";

export type FleetDatabase = PrismaClient;

export interface OpenFleetOptions {
  /** Apply migrations first (default true). */
  migrate?: boolean;
  /** Connections in the pool (default 4: a shipper, the registry, queries). */
  max?: number;
}

export async function openFleetDatabase(url: string, options: OpenFleetOptions = {}): Promise<FleetDatabase> {
  if (options.migrate !== false) await migrateFleet(url);
  const db = new PrismaClient({
    adapter: new PrismaPg({ connectionString: url, max: options.max ?? 4 }),
  });
  await db.$queryRawUnsafe("SELECT 1");
  return db;
}

/** "postgresql://user:secret@host:5432/db" -> "postgresql://user@host:5432/db": for logs and health. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = "";
    return u.toString();
  } catch {
    return "postgresql://(unparsable URL)";
  }
}
