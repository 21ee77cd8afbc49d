/** The audit table's pure parts (auditFormat.test.ts). */
import type { AuditEntryDto } from "../../server/contract/control";

/** JSON on one line, `{"a":1}`; "" for null/undefined; cut to `max` characters with "…". */
export function compactJson(value: unknown, max = 200): string {
  if (value === null || value === undefined) return "";
  let text: string;
  try {
    text = typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, Math.max(0, max - 1))}…` : text;
}

/** Full JSON, indented, for the tooltip. */
export function prettyJson(value: unknown): string {
  if (value === null || value === undefined) return "";
  try {
    return typeof value === "string" ? value : JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}

/** Entries from live events and from pages, once each, newest first (by id). */
export function mergeAudit(...lists: ReadonlyArray<readonly AuditEntryDto[]>): AuditEntryDto[] {
  const byId = new Map<number, AuditEntryDto>();
  for (const list of lists) for (const entry of list) if (!byId.has(entry.id)) byId.set(entry.id, entry);
  return [...byId.values()].sort((a, b) => b.id - a.id);
}

/** The export of this node's trail, or (`node`) another node's or every node's from the store. */
export function auditExportHref(format: "csv" | "ndjson", node: string | null = null): string {
  const q = new URLSearchParams({ format });
  if (node !== null) q.set("node", node);
  return `/api/audit/export?${q.toString()}`;
}

/** A row's key: ids repeat across nodes in the shared trail. */
export function auditKey(e: AuditEntryDto): string {
  return `${e.node ?? ""}:${e.id}`;
}
