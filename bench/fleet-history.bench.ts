/**
 * Section "fleet-history" (only when named: `npx tsx bench/run.ts fleet-history`; it starts
 * a throwaway PostgreSQL): the console's history and export across nodes, read from the
 * store (server/fleet/fleet-history.ts) with BENCH_FLEET_HISTORY_ROWS exchanges (default
 * 1,000,000) of 8 nodes. Page p50/p99 for filters over every node and over one node,
 * against the same page without a filter (a walk of the receivedAt index); a page deep in
 * the log by cursor; and the NDJSON export of every node's rows in a time window, against
 * a plain SELECT of the same rows.
 */
import type { ExchangesQuery } from "../server/contract/api";
import { exportFleetExchanges, type FleetScope, fleetExchangesPage } from "../server/fleet/fleet-history";
import { startFleetStore } from "../server/fleet/test-postgres";
import { fleetSeedSql } from "./fleet-seed";
import { type BenchRow, type BenchSection, fmt, runIfMain } from "./report";

const ROWS = Number(process.env.BENCH_FLEET_HISTORY_ROWS ?? 1_000_000);
const NODES = 8;
const PAGES = Number(process.env.BENCH_FLEET_HISTORY_PAGES ?? 40);
const BASE = Date.UTC(2026, 11, 1);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export const section: BenchSection = {
  id: "fleet-history",
  title: "fleet history",
  async run() {
    const store = await startFleetStore();
    try {
      const db = store.db;
      // One row every 10 ms: 1,000,000 rows span 2.8 hours.
      await db.$executeRawUnsafe(fleetSeedSql(1, ROWS, `${BASE} + i * 10`, NODES));
      await db.$executeRawUnsafe('VACUUM ANALYZE "FleetExchange"');

      const timed = async (scope: FleetScope, query: Partial<ExchangesQuery>) => {
        const ms: number[] = [];
        let shown = 0;
        for (let i = 0; i < PAGES; i++) {
          const t = performance.now();
          const page = await fleetExchangesPage(db, scope, { limit: 100, ...query });
          ms.push(performance.now() - t);
          shown = page.exchanges.length;
        }
        ms.sort((a, b) => a - b);
        return { p50: percentile(ms, 50), p99: percentile(ms, 99), shown };
      };

      const plain = await timed("all", {});
      const mid = BASE + (ROWS / 2) * 10;
      const cases: { name: string; scope: FleetScope; query: Partial<ExchangesQuery> }[] = [
        { name: 'node == "node-3"', scope: "all", query: { filter: 'node == "node-3"' } },
        { name: "one node (?node=node-3), no filter", scope: { node: "node-3" }, query: {} },
        { name: "status == error (0.1% of rows)", scope: "all", query: { filter: "status == error" } },
        {
          name: "cmd == 0x10 and latency > 300us",
          scope: "all",
          query: { filter: "cmd == 0x10 and latency > 300us" },
        },
        {
          name: "response contains de ad (rare)",
          scope: "all",
          query: { filter: "response contains de ad" },
        },
        {
          name: "a 60 s window in the middle",
          scope: "all",
          query: { filter: `time >= ${mid} and time < ${mid + 60_000}` },
        },
        {
          name: "one node, status == error",
          scope: { node: "node-5" },
          query: { filter: "status == error" },
        },
      ];
      const rows: BenchRow[] = [
        {
          name: `page of 100, every node, no filter (${fmt(ROWS)} rows of ${NODES} nodes)`,
          value: plain.p99,
          unit: "ms p99",
          note: `p50 ${fmt(plain.p50)} ms; ${PAGES} pages timed; newest first by time, node and id`,
          target: { text: "< 100 ms", met: plain.p99 < 100 },
        },
      ];
      for (const c of cases) {
        const r = await timed(c.scope, c.query);
        rows.push({
          name: `page of 100: ${c.name}`,
          value: r.p99,
          unit: "ms p99",
          baseline: { name: "every node, no filter (p99)", value: plain.p99, unit: "ms" },
          ratio: r.p99 / plain.p99,
          target: { text: "< 100 ms", met: r.p99 < 100 },
          note: `p50 ${fmt(r.p50)} ms; ${r.shown} rows on the page`,
        });
      }

      // 50 pages down by cursor, then time the next page.
      let cursor: string | null = null;
      for (let i = 0; i < 50; i++) {
        const page = await fleetExchangesPage(db, "all", { limit: 100, ...(cursor ? { cursor } : {}) });
        cursor = page.nextCursor;
      }
      const deep = await timed("all", cursor ? { cursor } : {});
      rows.push({
        name: "page of 100, every node, 50 pages down (cursor)",
        value: deep.p99,
        unit: "ms p99",
        baseline: { name: "the newest page (p99)", value: plain.p99, unit: "ms" },
        ratio: deep.p99 / plain.p99,
        target: { text: "< 100 ms", met: deep.p99 < 100 },
        note: `p50 ${fmt(deep.p50)} ms`,
      });

      // Export: every node's rows in a window of a tenth of the log.
      const from = BASE + (ROWS / 2) * 10;
      const to = from + (ROWS / 10) * 10 - 1;
      let t = performance.now();
      let lines = 0;
      for await (const chunk of exportFleetExchanges(db, "all", { format: "ndjson", from, to })) {
        if (typeof chunk === "string")
          for (let i = chunk.indexOf("\n"); i >= 0; i = chunk.indexOf("\n", i + 1)) lines++;
      }
      const exportMs = performance.now() - t;
      t = performance.now();
      const read = await db.$queryRawUnsafe<unknown[]>(
        `SELECT * FROM "FleetExchange" WHERE "receivedAt" BETWEEN $1 AND $2 ORDER BY "receivedAt", "node", "id"`,
        from,
        to,
      );
      const readMs = performance.now() - t;
      const exportRate = (lines / exportMs) * 1000;
      const readRate = (read.length / readMs) * 1000;
      rows.push({
        name: "export NDJSON, every node, a window (exportFleetExchanges)",
        value: exportRate,
        unit: "exch/s",
        baseline: { name: "one SELECT of the same rows through Prisma", value: readRate, unit: "rows/s" },
        ratio: exportRate / readRate,
        target: { text: "≥ 0.2x", met: exportRate / readRate >= 0.2 },
        note: `${fmt(lines)} lines in ${fmt(exportMs)} ms, pages of 1,000 by cursor`,
      });
      return rows;
    } finally {
      await store.stop();
    }
  },
};

await runIfMain(import.meta.url, section);
