/**
 * The audit trail: every control action (sign-in/out, handler switch, rule change,
 * held request answered/passed/dropped, injection, export) with who, when and what.
 * Low volume, so each entry is written at once; readers page by id.
 */
import type { AuditEntryDto, AuditPage } from "../contract/control";
import { writeWithRetry } from "../persistence/busy-retry";
import type { Database } from "../persistence/database";
import { type CsvOptions, csvLine } from "../traffic/formats";

export interface AuditAction {
  actor: string;
  action: string;
  target?: string | null;
  detail?: unknown;
}

type AuditRow = Awaited<ReturnType<Database["auditEntry"]["findMany"]>>[number];

/**
 * A stored detail as the API returns it: the JSON it was written as, parsed; text that is
 * not JSON as it is. The fleet's store keeps the same text (FleetAudit.detail).
 */
export function auditDetail(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function rowToDto(row: AuditRow): AuditEntryDto {
  const { id, at, actor, action, target } = row;
  return { id, at, actor, action, target, detail: auditDetail(row.detail) };
}

const AUDIT_CSV_COLUMNS = ["id", "at", "actor", "action", "target", "detail"] as const;

/** The CSV header; `node` puts the fleet node first (an export of other nodes or of all). */
export function auditCsvHeader(options: CsvOptions = {}): string {
  return csvLine(options.node ? ["node", ...AUDIT_CSV_COLUMNS] : AUDIT_CSV_COLUMNS);
}

export function auditCsvLine(e: AuditEntryDto, options: CsvOptions = {}): string {
  const fields = [e.id, new Date(e.at).toISOString(), e.actor, e.action, e.target, JSON.stringify(e.detail)];
  return csvLine(options.node ? [e.node ?? null, ...fields] : fields);
}

/** One NDJSON line: the entry as the API returns it (with its `node` when it has one). */
export function auditNdjsonLine(e: AuditEntryDto): string {
  return `${JSON.stringify(e)}\n`;
}

export class AuditLog {
  private readonly listeners = new Set<(entry: AuditEntryDto) => void>();

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  async record(a: AuditAction): Promise<AuditEntryDto> {
    // The time of the action, not of the write that may wait out a lock.
    const data = {
      at: this.now(),
      actor: a.actor,
      action: a.action,
      target: a.target ?? null,
      detail: a.detail === undefined ? null : JSON.stringify(a.detail, bytesAsHex),
    };
    const row = await writeWithRetry(this.db, () => this.db.auditEntry.create({ data }));
    const entry = rowToDto(row);
    for (const l of this.listeners) l(entry);
    return entry;
  }

  async page(limit: number, before?: number): Promise<AuditPage> {
    const rows = await this.db.auditEntry.findMany({
      where: before === undefined ? {} : { id: { lt: before } },
      orderBy: { id: "desc" },
      take: limit + 1,
    });
    const entries = rows.slice(0, limit).map(rowToDto);
    const nextBefore = rows.length > limit ? (entries.at(-1)?.id ?? null) : null;
    return { entries, nextBefore, nextCursor: nextBefore === null ? null : String(nextBefore) };
  }

  /** Oldest first, a page at a time. */
  async *export(format: "csv" | "ndjson"): AsyncIterable<string> {
    if (format === "csv") yield auditCsvHeader();
    let after = 0;
    for (;;) {
      const rows = await this.db.auditEntry.findMany({
        where: { id: { gt: after } },
        orderBy: { id: "asc" },
        take: 1000,
      });
      if (rows.length === 0) return;
      after = rows.at(-1)!.id;
      const dtos = rows.map(rowToDto);
      yield dtos.map((e) => (format === "csv" ? auditCsvLine(e) : auditNdjsonLine(e))).join("");
    }
  }

  onEntry(listener: (entry: AuditEntryDto) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** JSON.stringify replacer: bytes in details read as hex, as everywhere else. */
function bytesAsHex(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString("hex");
  return value;
}
