import { describe, expect, it } from "vitest";
import {
  DEFAULT_PAGE_SIZE,
  FIRST_PAGE,
  formatBytes,
  historySearch,
  logInfoOf,
  newerPage,
  olderPage,
  pageIndex,
  pageQuery,
  parsePageSize,
  readHistoryUrl,
  retentionLabel,
  rowsLabel,
  searchParamsOf,
} from "./historyState";

describe("the URL state", () => {
  it("reads filter, highlight and page size", () => {
    const q = new URLSearchParams('filter=cmd+%3D%3D+"Get+Message+Flags"&highlight=cc+!%3D+0&size=500');
    expect(readHistoryUrl(q)).toEqual({
      filter: 'cmd == "Get Message Flags"',
      highlight: "cc != 0",
      size: 500,
    });
    expect(readHistoryUrl(new URLSearchParams())).toEqual({ filter: "", highlight: "", size: 100 });
  });

  it("takes only the offered page sizes", () => {
    expect(parsePageSize("1000")).toBe(1000);
    expect(parsePageSize("250")).toBe(DEFAULT_PAGE_SIZE);
    expect(parsePageSize("abc")).toBe(DEFAULT_PAGE_SIZE);
    expect(parsePageSize("")).toBe(DEFAULT_PAGE_SIZE);
    expect(parsePageSize(null)).toBe(DEFAULT_PAGE_SIZE);
  });

  it("writes what is set, leaves out blanks and the default size, keeps other parameters", () => {
    expect(historySearch({ filter: "", highlight: "", size: 100 })).toBe("");
    expect(historySearch({ filter: "  ", highlight: "", size: 100 }, "?filter=x&size=500")).toBe("");
    const search = historySearch(
      { filter: "bus == lan0", highlight: "", size: 1000 },
      "?other=1&highlight=x",
    );
    const q = new URLSearchParams(search);
    expect(search.startsWith("?")).toBe(true);
    expect(q.get("other")).toBe("1");
    expect(q.get("filter")).toBe("bus == lan0");
    expect(q.has("highlight")).toBe(false);
    expect(q.get("size")).toBe("1000");
  });

  it("round-trips through the URL", () => {
    const state = {
      filter: 'user == "a&b" and data contains 20 01',
      highlight: "status == timeout",
      size: 500 as const,
    };
    expect(readHistoryUrl(new URLSearchParams(historySearch(state)))).toEqual(state);
  });

  it("turns Next's searchParams into URLSearchParams", () => {
    const q = searchParamsOf({ filter: "id > 1", highlight: ["a", "b"], size: undefined });
    expect(q.get("filter")).toBe("id > 1");
    expect(q.get("highlight")).toBe("a");
    expect(q.has("size")).toBe(false);
  });
});

describe("keyset paging", () => {
  it("goes older with nextCursor and back newer page by page", () => {
    const p1 = olderPage(FIRST_PAGE, "901");
    const p2 = olderPage(p1, "801");
    expect(p2).toEqual({ before: "801", newer: [null, "901"] });
    expect(pageIndex(p2)).toBe(2);
    expect(newerPage(p2)).toEqual(p1);
    expect(newerPage(newerPage(p2))).toEqual(FIRST_PAGE);
    expect(newerPage(FIRST_PAGE)).toBe(FIRST_PAGE);
  });

  it("stays at the end of the log", () => {
    const p = olderPage(FIRST_PAGE, "5");
    expect(olderPage(p, null)).toBe(p);
  });

  it("asks GET /api/exchanges for the page", () => {
    expect(pageQuery("", 100, FIRST_PAGE)).toBe("limit=100");
    const q = new URLSearchParams(pageQuery('cmd == "Get Message Flags"', 500, olderPage(FIRST_PAGE, "42")));
    expect(q.get("limit")).toBe("500");
    expect(q.get("cursor")).toBe("42");
    expect(q.get("filter")).toBe('cmd == "Get Message Flags"');
    expect(q.has("node")).toBe(false);
    expect(new URLSearchParams(pageQuery("   ", 100, FIRST_PAGE)).has("filter")).toBe(false);
  });

  it("names the node choice: another node's log or every node's", () => {
    expect(new URLSearchParams(pageQuery("", 100, FIRST_PAGE, "all")).get("node")).toBe("all");
    const q = new URLSearchParams(pageQuery("", 100, olderPage(FIRST_PAGE, "t.abc"), "c"));
    expect(q.get("node")).toBe("c");
    expect(q.get("cursor")).toBe("t.abc");
  });

  it("counts the rows shown from the newest match", () => {
    expect(rowsLabel(FIRST_PAGE, 100, 100)).toBe("Rows 1–100");
    expect(rowsLabel(olderPage(FIRST_PAGE, "3"), 100, 37)).toBe("Rows 101–137");
    expect(rowsLabel(FIRST_PAGE, 100, 0)).toBe("No rows");
    expect(rowsLabel(olderPage(FIRST_PAGE, "3"), 100, 0)).toBe("No older rows");
  });
});

describe("the log figures from /api/health", () => {
  it("reads them when present", () => {
    const log = {
      sizeBytes: 2048,
      oldestId: 7,
      oldestReceivedAt: 1_764_669_600_000,
      retention: { days: 30, rows: null, pruned: 3 },
    };
    expect(logInfoOf({ log })).toEqual(log);
    expect(retentionLabel(log.retention)).toBe("30 days");
    // An ISO time and no retention are read too.
    expect(logInfoOf({ log: { oldestReceivedAt: "1970-01-01T00:00:01Z" } } as never)).toEqual({
      sizeBytes: null,
      oldestId: null,
      oldestReceivedAt: 1000,
      retention: null,
    });
  });

  it("is null without them", () => {
    expect(logInfoOf({})).toBeNull();
    expect(logInfoOf({ log: {} } as never)).toBeNull();
    expect(logInfoOf({ log: { sizeBytes: "big" } } as never)).toBeNull();
    expect(logInfoOf(null)).toBeNull();
  });

  it("labels the retention", () => {
    expect(retentionLabel(null)).toBeNull();
    expect(retentionLabel({ days: null, rows: null, pruned: 0 })).toBeNull();
    expect(retentionLabel({ days: 1, rows: 1000, pruned: 0 })).toBe("1 day or 1000 rows");
  });

  it("formats sizes", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(300 * 1024 * 1024)).toBe("300 MiB");
  });
});
