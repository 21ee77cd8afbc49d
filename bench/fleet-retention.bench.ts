/**
 * Section "fleet-retention" (only when named: `npx tsx bench/run.ts fleet-retention`, or
 * `npx tsx bench/fleet-retention.bench.ts`; it starts a throwaway PostgreSQL): the store's
 * retention (server/fleet/fleet-retention.ts) pruning BENCH_FLEET_PRUNE_ROWS old exchanges
 * (default 1,000,000, over 8 nodes) from a FleetExchange that also holds a tenth as many
 * new ones, in its 10,000-row batches: the whole pass, its longest statement, and the VACUUM
 * after it; against one unbatched DELETE of the same rows, re-inserted.
 */
import { FLEET_RETENTION_BATCH_ROWS, FleetRetention } from "../server/fleet/fleet-retention";
import { startFleetStore } from "../server/fleet/test-postgres";
import type { Logger } from "../server/logger";
import { fleetSeedSql } from "./fleet-seed";
import { type BenchRow, type BenchSection, fmt, runIfMain } from "./report";

const OLD_ROWS = Number(process.env.BENCH_FLEET_PRUNE_ROWS ?? 1_000_000);
const NODES = 8;
const DAY_MS = 86_400_000;
const quiet: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };

export const section: BenchSection = {
  id: "fleet-retention",
  title: "fleet store retention",
  async run() {
    const store = await startFleetStore();
    try {
      const now = Date.now();
      const cutoff = now - 30 * DAY_MS;
      const oldAt = `${cutoff} - 1 - (${OLD_ROWS} - i) * 10`;
      const newAt = `${cutoff} + (i - ${OLD_ROWS}) * 10`;
      const fresh = Math.round(OLD_ROWS / 10);
      const q = (sql: string) => store.db.$executeRawUnsafe(sql);
      await q(fleetSeedSql(1, OLD_ROWS, oldAt, NODES));
      await q(fleetSeedSql(OLD_ROWS + 1, OLD_ROWS + fresh, newAt, NODES));
      await q('VACUUM ANALYZE "FleetExchange"');
      const [size] = await store.db.$queryRawUnsafe<{ total: bigint }[]>(
        `SELECT pg_total_relation_size('"FleetExchange"') AS total`,
      );
      const bytesPerRow = Number(size!.total) / (OLD_ROWS + fresh);
      await q("CHECKPOINT");

      const batchMs: number[] = [];
      let batchStart = 0;
      const retention = new FleetRetention({
        url: store.url,
        days: 30,
        ready: async () => {
          batchStart = performance.now();
        },
        log: quiet,
        now: () => now,
        pause: async () => {
          await new Promise((resolve) => setTimeout(resolve, 0));
          batchStart = performance.now();
        },
        onBatch: () => {
          batchMs.push(performance.now() - batchStart);
          batchStart = performance.now();
        },
      });
      const pass = await retention.prune();
      if (!pass?.locked || pass.deleted.exchange !== OLD_ROWS)
        throw new Error(`the pass deleted ${pass?.deleted.exchange} rows, not ${OLD_ROWS}`);
      const t0 = performance.now();
      await q('VACUUM "FleetExchange"');
      const vacuumMs = performance.now() - t0;

      await q(fleetSeedSql(1, OLD_ROWS, oldAt, NODES));
      await q('VACUUM ANALYZE "FleetExchange"');
      await q("CHECKPOINT");
      const t1 = performance.now();
      const deleted = await q(`DELETE FROM "FleetExchange" WHERE "receivedAt" < ${cutoff}`);
      const oneMs = performance.now() - t1;
      if (deleted !== OLD_ROWS) throw new Error(`the DELETE deleted ${deleted} rows, not ${OLD_ROWS}`);

      const sorted = [...batchMs].sort((a, b) => a - b);
      const rows: BenchRow[] = [
        {
          name: `prune ${fmt(OLD_ROWS)} exchanges older than 30 days, ${fmt(FLEET_RETENTION_BATCH_ROWS)}-row batches (FleetRetention)`,
          value: pass.ms,
          unit: "ms",
          baseline: { name: "one unbatched DELETE of the same rows", value: oneMs, unit: "ms" },
          ratio: pass.ms / oneMs,
          note: `${fmt((OLD_ROWS / pass.ms) * 1000)} rows/s; ${fmt(fresh)} newer rows stay; ${fmt(bytesPerRow)} B/row with indexes; ${NODES} nodes`,
        },
        {
          name: "longest batch statement",
          value: sorted.at(-1) ?? 0,
          unit: "ms",
          note: `${batchMs.length} batches, median ${fmt(sorted[Math.floor(sorted.length / 2)] ?? 0)} ms`,
        },
        {
          name: "VACUUM after the pass",
          value: vacuumMs,
          unit: "ms",
          note: "autovacuum's work, done at once",
        },
      ];
      return rows;
    } finally {
      await store.stop();
    }
  },
};

await runIfMain(import.meta.url, section);
