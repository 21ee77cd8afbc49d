/**
 * Console history: reading back what console-log-writer.ts stored.
 *
 * - Browsing: newest first, keyset paging by id (`before` = the smallest id of the page
 *   shown), optionally within a time range (receivedAt, the time of a batch's first byte)
 *   and one direction.
 * - Search: a substring of `text` (the batch decoded as UTF-8), `LIKE '%…%' ESCAPE '\'` with
 *   %, _ and \ escaped so they match themselves. Limits: SQLite's LIKE folds case for ASCII
 *   letters only; a match that straddles two batches (stored rows) is not found; there is
 *   no full-text index, so a search reads every row of the range (bounded by retention:
 *   at 4 KiB a row, 100,000 rows is about 400 MB of console).
 * - Export: the host's output as plain text, in order (one streaming UTF-8 decoder across
 *   rows, terminal escape sequences and carriage returns taken out unless `raw`), or every
 *   row as NDJSON with its bytes in base64.
 */
import type { Database } from "../persistence/database";
import { Prisma } from "../persistence/generated/client";
import type { ConsoleDirection } from "./console-log-writer";

export const DEFAULT_PAGE_ROWS = 200;
export const MAX_PAGE_ROWS = 1000;
const EXPORT_PAGE_ROWS = 500;

export interface ConsoleChunkRecord {
  id: number;
  /** ms since the epoch of the batch's first byte */
  receivedAt: number;
  direction: ConsoleDirection;
  /** Who typed it ("sol:admin@10.0.0.5:51234", "browser:alice"); null for host output. */
  source: string | null;
  data: Uint8Array;
  text: string;
}

export interface ConsoleHistoryQuery {
  /** receivedAt >= from (ms since the epoch) */
  from?: number;
  /** receivedAt <= to */
  to?: number;
  /** Rows with a smaller id only: the previous page's `nextBefore`. */
  before?: number;
  limit?: number;
  direction?: ConsoleDirection;
  /** A substring of the decoded text (ASCII case-insensitive). */
  text?: string;
}

export interface ConsoleHistoryPage {
  chunks: ConsoleChunkRecord[];
  /** Pass as `before` for the next (older) page; null when this was the last. */
  nextBefore: number | null;
}

interface Row {
  id: number | bigint;
  receivedAt: number;
  direction: string;
  source: string | null;
  data: Uint8Array;
  text: string;
}

/** `s` as a LIKE pattern that matches it literally, with `\` as the escape character. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function conditions(query: ConsoleHistoryQuery): Prisma.Sql[] {
  const where: Prisma.Sql[] = [];
  if (query.before !== undefined) where.push(Prisma.sql`"id" < ${query.before}`);
  if (query.from !== undefined) where.push(Prisma.sql`"receivedAt" >= ${query.from}`);
  if (query.to !== undefined) where.push(Prisma.sql`"receivedAt" <= ${query.to}`);
  if (query.direction !== undefined) where.push(Prisma.sql`"direction" = ${query.direction}`);
  if (query.text !== undefined && query.text !== "") {
    where.push(Prisma.sql`"text" LIKE ${`%${escapeLike(query.text)}%`} ESCAPE '\\'`);
  }
  return where;
}

function whereClause(where: Prisma.Sql[]): Prisma.Sql {
  return where.length === 0 ? Prisma.empty : Prisma.sql`WHERE ${Prisma.join(where, " AND ")}`;
}

function toRecord(row: Row): ConsoleChunkRecord {
  return {
    id: Number(row.id),
    receivedAt: row.receivedAt,
    direction: row.direction === "in" ? "in" : "out",
    source: row.source,
    data: new Uint8Array(row.data),
    text: row.text,
  };
}

/** One page, newest first. */
export async function queryConsoleHistory(
  db: Database,
  query: ConsoleHistoryQuery = {},
): Promise<ConsoleHistoryPage> {
  const limit = Math.max(1, Math.min(MAX_PAGE_ROWS, Math.floor(query.limit ?? DEFAULT_PAGE_ROWS)));
  const rows = await db.$queryRaw<Row[]>`
    SELECT "id", "receivedAt", "direction", "source", "data", "text" FROM "ConsoleChunk"
    ${whereClause(conditions(query))} ORDER BY "id" DESC LIMIT ${limit + 1}`;
  const more = rows.length > limit;
  const chunks = rows.slice(0, limit).map(toRecord);
  return { chunks, nextBefore: more ? chunks.at(-1)!.id : null };
}

export interface ConsoleExportRange {
  from?: number;
  to?: number;
}

/** Rows in id order (oldest first), a page at a time. */
async function* rowsInOrder(
  db: Database,
  range: ConsoleExportRange,
  direction?: ConsoleDirection,
): AsyncGenerator<ConsoleChunkRecord> {
  let after = 0;
  for (;;) {
    const where = conditions({ from: range.from, to: range.to, direction });
    where.unshift(Prisma.sql`"id" > ${after}`);
    const rows = await db.$queryRaw<Row[]>`
      SELECT "id", "receivedAt", "direction", "source", "data", "text" FROM "ConsoleChunk"
      ${whereClause(where)} ORDER BY "id" ASC LIMIT ${EXPORT_PAGE_ROWS}`;
    for (const row of rows) yield toRecord(row);
    if (rows.length < EXPORT_PAGE_ROWS) return;
    after = Number(rows.at(-1)!.id);
  }
}

/**
 * Terminal escape sequences a console carries (colours, cursor moves, titles): CSI
 * (ECMA-48 `ESC [ params intermediates final`), OSC (`ESC ] ... BEL` or `ESC ] ... ESC \`),
 * character set designations (`ESC ( B`) and two-byte escapes (`ESC 7`, `ESC M`).
 */
const ESCAPE_SEQUENCE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal control characters are the point
  /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()*+][\s\S]|[^[\]()*+])/g;
const SEQUENCE_AT_START = new RegExp(`^(?:${ESCAPE_SEQUENCE.source})`);
// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal control characters are the point
const OSC_AT_START = /^\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal control characters are the point
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;
/** An escape sequence still open after this many characters is garbage, not a split. */
const MAX_SEQUENCE = 256;

/**
 * Takes terminal escape sequences and control characters (but newline and tab) out of text
 * that arrives in pieces: a sequence split between two pieces is held back until it ends.
 */
export class TerminalTextFilter {
  private carry = "";

  push(text: string): string {
    let s = this.carry + text;
    this.carry = "";
    // Held back: an escape at the end that is not a whole sequence yet, or an OSC (a title)
    // whose terminator has not come, even if the terminator's own ESC has.
    let cut = -1;
    const last = s.lastIndexOf("\x1b");
    if (last >= 0 && !SEQUENCE_AT_START.test(s.slice(last))) cut = last;
    const osc = s.lastIndexOf("\x1b]");
    if (osc >= 0 && !OSC_AT_START.test(s.slice(osc))) cut = cut < 0 ? osc : Math.min(cut, osc);
    if (cut >= 0 && s.length - cut < MAX_SEQUENCE) {
      this.carry = s.slice(cut);
      s = s.slice(0, cut);
    }
    return s.replace(ESCAPE_SEQUENCE, "").replace(CONTROL, "");
  }

  /** Forgets a sequence held back at the end (an unfinished sequence is not text). */
  end(): void {
    this.carry = "";
  }
}

/**
 * The host's output as text, in order: chunks of a string to write out (or join). `raw`
 * keeps escape sequences and control characters.
 */
export async function* exportConsoleText(
  db: Database,
  range: ConsoleExportRange = {},
  options: { raw?: boolean } = {},
): AsyncGenerator<string> {
  const decoder = new TextDecoder("utf-8", { fatal: false });
  const filter = new TerminalTextFilter();
  for await (const chunk of rowsInOrder(db, range, "out")) {
    const text = decoder.decode(chunk.data, { stream: true });
    const out = options.raw ? text : filter.push(text);
    if (out !== "") yield out;
  }
  const rest = decoder.decode();
  const out = options.raw ? rest : filter.push(rest);
  filter.end();
  if (out !== "") yield out;
}

/** One JSON object a line per stored chunk (both directions), in order. */
export async function* exportConsoleNdjson(
  db: Database,
  range: ConsoleExportRange = {},
): AsyncGenerator<string> {
  for await (const chunk of rowsInOrder(db, range)) {
    yield `${JSON.stringify({
      id: chunk.id,
      receivedAt: chunk.receivedAt,
      time: new Date(chunk.receivedAt).toISOString(),
      direction: chunk.direction,
      source: chunk.source,
      text: chunk.text,
      data: Buffer.from(chunk.data).toString("base64"),
    })}\n`;
  }
}
