/**
 * Applies the fleet store's migrations (prisma/fleet/migrations/<name>/migration.sql, written
 * with `prisma migrate diff --script`) to PostgreSQL. Not `prisma migrate deploy`: its
 * WebAssembly schema engine fails on PostgreSQL through the pg adapter in 6.19 ("Column
 * type 'name' could not be deserialized", docs/scaling.md), and the native engine would be a
 * download. Each migration runs once, in its own transaction, under an advisory lock, so
 * nodes starting together apply it once.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

/**
 * Beside the sources (tests, tsx); the bundled server (dist/server.mjs) runs from the
 * checkout, so there it is found from the working directory.
 */
export const FLEET_MIGRATIONS =
  [
    fileURLToPath(new URL("../../prisma/fleet/migrations/", import.meta.url)),
    path.join(process.cwd(), "prisma", "fleet", "migrations"),
  ].find((dir) => existsSync(dir)) ?? path.join(process.cwd(), "prisma", "fleet", "migrations");
/** Any constant of our own: pg_advisory_xact_lock takes a 64-bit key. */
const LOCK_KEY = 0x626d_6366; // "bmcf"

export interface MigrateResult {
  applied: string[];
  already: string[];
}

export async function migrateFleet(url: string, dir = FLEET_MIGRATIONS): Promise<MigrateResult> {
  const names = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const applied: string[] = [];
  const already: string[] = [];
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [LOCK_KEY]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS "_fleet_migrations" (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())',
    );
    const done = new Set(
      (await client.query<{ name: string }>('SELECT name FROM "_fleet_migrations"')).rows.map((r) => r.name),
    );
    for (const name of names) {
      if (done.has(name)) {
        already.push(name);
        continue;
      }
      await client.query(readFileSync(path.join(dir, name, "migration.sql"), "utf8"));
      await client.query('INSERT INTO "_fleet_migrations" (name) VALUES ($1)', [name]);
      applied.push(name);
    }
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
  return { applied, already };
}
