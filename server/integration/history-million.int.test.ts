/**
 * The history at 1,000,000 exchanges: filtered pages, newest first with keyset paging,
 * against a brute-force scan (the same filter evaluated in JS over the records in id
 * order; every record is a pure function of its id, server/traffic/test-log-data.ts).
 * Checks the first pages, then pages that start deep in the log, with their whole content.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toExchangeDto } from "../contract/exchange";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { parseFilter } from "../traffic/filter";
import { exchangesPage } from "../traffic/history";
import { fillExchangeLog, LOG_DATA_BASE_TIME, syntheticExchange } from "../traffic/test-log-data";

const ROWS = 1_000_000;
const LIMIT = 100;

/** The ids of one page the brute-force way: the first LIMIT matches below `before`, and whether more follow. */
function bruteForcePage(filter: string, before: number): { ids: number[]; more: boolean } {
  const parsed = parseFilter(filter);
  if (!parsed.ok) throw new Error(parsed.error);
  const ids: number[] = [];
  for (let id = before - 1; id >= 1; id--) {
    if (!parsed.filter.matches(syntheticExchange(id))) continue;
    if (ids.length === LIMIT) return { ids, more: true };
    ids.push(id);
  }
  return { ids, more: false };
}

const FILTERS = [
  "status == timeout",
  'user == "alice"',
  'bus == bt0 and cmd == "Get Sensor Reading"',
  "status != ok and latency > 3ms",
  'handler == "storage.get-sdr" or (user == "bob" and status == error)',
  `time >= ${LOG_DATA_BASE_TIME + 400_000 * 10} and time < ${LOG_DATA_BASE_TIME + 400_500 * 10}`,
];

describe("history at 1,000,000 exchanges", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
    fillExchangeLog(t.file, ROWS);
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it.each(FILTERS)("pages %s as a scan of the records would", async (filter) => {
    // The first three pages, following nextBefore.
    let before = ROWS + 1;
    for (let page = 0; page < 3; page++) {
      const expected = bruteForcePage(filter, before);
      const got = await exchangesPage(t.db, { limit: LIMIT, filter, ...(page === 0 ? {} : { before }) });
      expect(got.exchanges.map((x) => x.id)).toEqual(expected.ids);
      expect(got.nextBefore).toBe(expected.more ? expected.ids.at(-1) : null);
      if (got.nextBefore === null) return;
      before = got.nextBefore;
    }
    // Pages starting deep in the log, compared field by field.
    for (const start of [700_001, 333_333, 50_000]) {
      const expected = bruteForcePage(filter, start);
      const got = await exchangesPage(t.db, { limit: LIMIT, filter, before: start });
      expect(got.exchanges).toEqual(expected.ids.map((id) => toExchangeDto(syntheticExchange(id))));
      expect(got.nextBefore).toBe(expected.more ? expected.ids.at(-1) : null);
    }
  });
});
