// Prisma 6.19 CLI configuration for the fleet's PostgreSQL store (FLEET_DATABASE_URL): the
// JS engine with the pg driver adapter, as the product's SQLite side uses better-sqlite3's,
// so `prisma generate` works offline (migrations: server/fleet/migrate.ts; docs/scaling.md).
// `prisma ... --config prisma/fleet/prisma.config.ts`.
import { PrismaPg } from "@prisma/adapter-pg";
import { defineConfig } from "prisma/config";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => new PrismaPg({ connectionString: process.env.FLEET_DATABASE_URL ?? "" }),
  schema: "schema.prisma",
  migrations: { path: "migrations" },
});
