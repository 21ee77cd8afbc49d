import { describe, expect, it } from "vitest";
import { createTestDatabase } from "../../persistence/test-database";
import { parseFilter } from "./index";

function sqlOf(text: string): string {
  const parsed = parseFilter(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.filter.sql.sql;
}

/** The columns the SQL names without the `+` that keeps them off their index. */
function bare(text: string): string[] {
  return [...sqlOf(text).matchAll(/(?<!\+)"(\w+)"/g)].map((m) => m[1]!);
}

describe("filter SQL and the indexes", () => {
  it("lets one top-level == on an indexed field use its index", () => {
    expect(bare("status == timeout")).toEqual(["status"]);
    expect(bare('user == "alice"')).toEqual(["user", "user"]);
    expect(bare('handler == "app.get-device-id" and latency > 2ms')).toEqual(["handlerId", "handlerId"]);
    // The most selective kind wins; the others keep their `+`.
    expect(bare('bus == bt0 and user == "alice" and status == error')).toEqual(["status"]);
    expect(bare('status == ok and user == "alice"')).toEqual(["user", "user"]);
  });

  it("keeps every other term off the indexes", () => {
    for (const text of [
      "status == ok",
      "status != timeout",
      'status == timeout or user == "alice"',
      "not status == timeout",
      "bus == bt0",
      'cmd == "Get Device ID"',
      "netfn == 6 and cmd == 1",
      "time > 1000",
      'user contains "ali"',
    ]) {
      expect(bare(text), text).toEqual([]);
    }
  });

  it("plans a selective filter on its index, in id order with no sort", async () => {
    const t = await createTestDatabase();
    try {
      const plan = async (text: string) => {
        const parsed = parseFilter(text);
        if (!parsed.ok) throw new Error(parsed.error);
        const rows = await t.db.$queryRaw<{ detail: string }[]>`EXPLAIN QUERY PLAN
          SELECT * FROM "Exchange" WHERE "id" < ${1000} AND ${parsed.filter.sql} ORDER BY "id" DESC LIMIT 101`;
        return rows.map((r) => r.detail).join(" | ");
      };
      expect(await plan("status == timeout and bus == bt0")).toMatch(
        /USING INDEX Exchange_status_idx \(status=\? AND rowid<\?\)$/,
      );
      expect(await plan('user == "alice"')).toMatch(
        /USING INDEX Exchange_user_idx \(user=\? AND rowid<\?\)$/,
      );
      expect(await plan('handler == "app.get-device-id"')).toMatch(/Exchange_handlerId_idx/);
      for (const text of ["bus == bt0", "time > 1000", 'cmd == "Get Device ID"', "status == ok"]) {
        const p = await plan(text);
        expect(p, text).toMatch(/^SEARCH Exchange USING INTEGER PRIMARY KEY \(rowid<\?\)$/);
      }
    } finally {
      await t.cleanup();
    }
  });
});
