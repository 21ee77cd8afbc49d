import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  committedMigrations,
  createTestDatabase,
  migratedTemplate,
  migrationsApplied,
} from "./test-database";

describe("createTestDatabase", () => {
  it("gives each test its own migrated database and removes it on cleanup", async () => {
    const a = await createTestDatabase();
    const b = await createTestDatabase();
    try {
      expect(a.file).not.toBe(b.file);
      expect(migrationsApplied(a.url)).toEqual(await committedMigrations());
      expect(await committedMigrations()).not.toHaveLength(0);
      await a.db.handlerState.create({ data: { id: "only-in-a", enabled: true } });
      expect(await a.db.handlerState.count()).toBe(1);
      expect(await b.db.handlerState.count()).toBe(0);
      expect(await a.db.exchange.count()).toBe(0);
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
    expect(existsSync(a.file)).toBe(false);
    expect(existsSync(b.file)).toBe(false);
  });

  it("builds the template once per process", async () => {
    const first = await migratedTemplate();
    expect(await migratedTemplate()).toBe(first);
    expect(migrationsApplied(`file:${first}`)).toEqual(await committedMigrations());
  });

  it("opens the copy in WAL mode", async () => {
    const t = await createTestDatabase();
    try {
      const rows = await t.db.$queryRawUnsafe<{ journal_mode: string }[]>("PRAGMA journal_mode");
      expect(rows[0]?.journal_mode).toBe("wal");
    } finally {
      await t.cleanup();
    }
  });
});
