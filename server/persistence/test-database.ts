/**
 * Real SQLite databases for tests. The committed migrations are applied the real way
 * (`prisma migrate deploy`) once, into a template file under os.tmpdir() keyed by a
 * hash of prisma/migrations; every test database is a copy of that template in its
 * own temp dir. The template is shared across test workers and runs: a lock file keeps
 * two workers from building it at once, and it is only ever published by an atomic
 * rename, so a reader never sees a half-migrated file.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import BetterSqlite3 from "better-sqlite3";
import { type Database, databaseFilePath, openDatabase } from "./database";

const execFileAsync = promisify(execFile);

const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MIGRATIONS_DIR = path.join(PROJECT_ROOT, "prisma", "migrations");
const TEMPLATE_DIR = path.join(os.tmpdir(), "bmc-console-test-templates");
/** A lock older than this belongs to a builder that died; `migrate deploy` takes about 1.5 s. */
const STALE_LOCK_MS = 120_000;

export interface TestDatabase {
  /** "file:/tmp/.../test.db", what DATABASE_URL would hold. */
  url: string;
  file: string;
  db: Database;
  /** Disconnects and deletes the database and its temp dir. */
  cleanup(): Promise<void>;
}

let templatePromise: Promise<string> | undefined;

/** A fresh, migrated database of its own. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = await migratedTemplate();
  const dir = await mkdtemp(path.join(os.tmpdir(), "bmc-console-test-"));
  const file = path.join(dir, "test.db");
  await copyFile(template, file);
  const url = `file:${file}`;
  const db = await openDatabase(url);
  let cleaned = false;
  return {
    url,
    file,
    db,
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      await db.$disconnect();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The names of the committed migrations that `prisma migrate deploy` recorded as
 * finished in the database at `url`, in the order they were applied.
 */
export function migrationsApplied(url: string): string[] {
  const sqlite = new BetterSqlite3(databaseFilePath(url), { readonly: true, fileMustExist: true });
  try {
    const table = sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'")
      .get();
    if (!table) return [];
    const rows = sqlite
      .prepare(
        `SELECT migration_name AS name FROM "_prisma_migrations"
         WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY started_at, migration_name`,
      )
      .all() as { name: string }[];
    return rows.map((r) => r.name);
  } finally {
    sqlite.close();
  }
}

/** The migration directories committed under prisma/migrations, sorted as Prisma applies them. */
export async function committedMigrations(): Promise<string[]> {
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory() && existsSync(path.join(MIGRATIONS_DIR, e.name, "migration.sql")))
    .map((e) => e.name)
    .sort();
}

/** Path of the migrated template for the migrations as they are now; built on first use. */
export function migratedTemplate(): Promise<string> {
  templatePromise ??= buildTemplate().catch((err: unknown) => {
    templatePromise = undefined;
    throw err;
  });
  return templatePromise;
}

async function migrationsHash(): Promise<string> {
  const hash = createHash("sha256");
  for (const name of await committedMigrations()) {
    hash.update(name);
    hash.update("\0");
    hash.update(await readFile(path.join(MIGRATIONS_DIR, name, "migration.sql")));
    hash.update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

async function buildTemplate(): Promise<string> {
  await mkdir(TEMPLATE_DIR, { recursive: true });
  const key = await migrationsHash();
  const template = path.join(TEMPLATE_DIR, `template-${key}.db`);
  const lock = `${template}.lock`;
  for (;;) {
    if (existsSync(template)) return template;
    const handle = await open(lock, "wx").catch((err: NodeJS.ErrnoException) => {
      if (err.code === "EEXIST") return null;
      throw err;
    });
    if (handle) {
      try {
        await handle.close();
        if (!existsSync(template)) await migrateInto(template);
        return template;
      } finally {
        await rm(lock, { force: true });
      }
    }
    // Someone else is building it: wait, unless they died holding the lock.
    const age = await stat(lock).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (age > STALE_LOCK_MS) await rm(lock, { force: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function migrateInto(template: string): Promise<void> {
  const building = `${template}.${process.pid}.${Date.now()}.building`;
  try {
    const prismaCli = path.join(PROJECT_ROOT, "node_modules", "prisma", "build", "index.js");
    const [cmd, args] = existsSync(prismaCli)
      ? [process.execPath, [prismaCli, "migrate", "deploy"]]
      : ["npx", ["--no-install", "prisma", "migrate", "deploy"]];
    await execFileAsync(cmd, args, {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        DATABASE_URL: `file:${building}`,
        CHECKPOINT_DISABLE: "1",
        PRISMA_HIDE_UPDATE_MESSAGE: "1",
      },
      timeout: STALE_LOCK_MS / 2,
    }).catch((err: Error & { stdout?: string; stderr?: string }) => {
      throw new Error(
        `prisma migrate deploy failed: ${err.message}\n${err.stdout ?? ""}\n${err.stderr ?? ""}`,
      );
    });
    const expected = await committedMigrations();
    const applied = migrationsApplied(`file:${building}`);
    if (applied.join(",") !== expected.join(",")) {
      throw new Error(`template has migrations [${applied.join(", ")}], expected [${expected.join(", ")}]`);
    }
    // Fold any WAL into the main file so a plain file copy carries everything.
    const sqlite = new BetterSqlite3(building);
    try {
      sqlite.pragma("wal_checkpoint(TRUNCATE)");
      sqlite.pragma("journal_mode = DELETE");
    } finally {
      sqlite.close();
    }
    await rename(building, template);
  } finally {
    await rm(building, { force: true });
    await rm(`${building}-wal`, { force: true });
    await rm(`${building}-shm`, { force: true });
    await rm(`${building}-journal`, { force: true });
  }
}
