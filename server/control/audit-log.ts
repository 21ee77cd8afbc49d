/**
 * The audit trail: every control action (sign-in/out, handler switch, rule change,
 * held request answered/passed/dropped, injection, export) with who, when and what.
 * Low volume, so each entry is written at once; readers page by id.
 */
import type { AuditEntryDto, AuditPage } from "../contract/control";
import { writeWithRetry } from "../persistence/busy-retry";
import type { Database } from "../persistence/database";
import { csvLine } from "../traffic/formats";

export interface AuditAction {
  actor: string;
  action: string;
  target?: string | null;
  detail?: unknown;
}

type AuditRow = Awaited<ReturnType<Database["auditEntry"]["findMany"]>>[number];

function rowToDto(row: AuditRow): AuditEntryDto {
  let detail: unknown = null;
  if (row.detail !== null) {
    try {
      detail = JSON.parse(row.detail);
    } catch {
      detail = row.detail;
    }
  }
  return { id: row.id, at: row.at, actor: row.actor, action: row.action, target: row.target, detail };
}

const AUDIT_CSV_COLUMNS = ["id", "at", "actor", "action", "target", "detail"] as const;

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
    return { entries, nextBefore: rows.length > limit ? (entries.at(-1)?.id ?? null) : null };
  }

  /** Oldest first, a page at a time. */
  async *export(format: "csv" | "ndjson"): AsyncIterable<string> {
    if (format === "csv") yield csvLine(AUDIT_CSV_COLUMNS);
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
      yield format === "csv"
        ? dtos
            .map((e) =>
              csvLine([
                e.id,
                new Date(e.at).toISOString(),
                e.actor,
                e.action,
                e.target,
                JSON.stringify(e.detail),
              ]),
            )
            .join("")
        : dtos.map((e) => `${JSON.stringify(e)}\n`).join("");
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
