import { describe, expect, it } from "vitest";
import type { AuditEntryDto } from "../../server/contract/control";
import { auditExportHref, compactJson, mergeAudit, prettyJson } from "./auditFormat";

const entry = (id: number, action = "x"): AuditEntryDto => ({
  id,
  at: id,
  actor: "admin",
  action,
  target: null,
  detail: null,
});

describe("compactJson", () => {
  it("writes JSON on one line, cut to a length", () => {
    expect(compactJson({ a: 1, b: [1, 2] })).toBe('{"a":1,"b":[1,2]}');
    expect(compactJson(null)).toBe("");
    expect(compactJson(undefined)).toBe("");
    expect(compactJson("text")).toBe("text");
    expect(compactJson({ long: "x".repeat(50) }, 20)).toBe('{"long":"xxxxxxxxxx…');
    expect(compactJson({ long: "x".repeat(50) }, 20)).toHaveLength(20);
  });

  it("survives values JSON cannot write", () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(compactJson(cyclic)).toBe("[object Object]");
    expect(compactJson(10n)).toBe("10");
    expect(prettyJson({ a: 1 })).toBe('{\n  "a": 1\n}');
  });
});

describe("mergeAudit", () => {
  it("joins live entries and pages once each, newest first", () => {
    const live = [entry(12, "live"), entry(11)];
    const pages = [entry(11, "page"), entry(10), entry(3)];
    const merged = mergeAudit(live, pages);
    expect(merged.map((e) => e.id)).toEqual([12, 11, 10, 3]);
    expect(merged[1]!.action).toBe("x"); // the first list wins for a duplicate
  });
});

describe("auditExportHref", () => {
  it("points at the export route", () => {
    expect(auditExportHref("csv")).toBe("/api/audit/export?format=csv");
    expect(auditExportHref("ndjson")).toBe("/api/audit/export?format=ndjson");
    expect(auditExportHref("csv", "all")).toBe("/api/audit/export?format=csv&node=all");
    expect(auditExportHref("ndjson", "node c")).toBe("/api/audit/export?format=ndjson&node=node+c");
  });
});
