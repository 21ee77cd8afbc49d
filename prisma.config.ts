// Prisma 6.19 CLI configuration: the JS engine with the better-sqlite3 adapter works
// fully offline (its schema engine is WebAssembly); see docs/stack.md.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { defineConfig } from "prisma/config";

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  adapter: async () => new PrismaBetterSQLite3({ url: process.env.DATABASE_URL ?? "file:./data/bmc.db" }),
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
