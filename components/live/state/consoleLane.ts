/**
 * The Live page's console lane: the host console's chunks (as stored in the console
 * history, with their ids and server times) held beside the exchange ring, and the pure
 * functions that turn them into lines and interleave those with the exchange rows by time.
 *
 * Chunks come two ways: `console` live events (sent only while this tab asked for the lane)
 * and a backfill from GET /api/console/history for the span the exchange list covers. The
 * two overlap around the moment the lane was turned on; a chunk's id says it is the same.
 */
import type { ConsoleChunkDto } from "../../../server/contract/console";
import type { LiveAction } from "./actions";
import type { LiveRow } from "./exchanges";

export interface ConsoleLaneState {
  on: boolean;
  /** Oldest first by (receivedAt, id), at most `capacity`; older ones fall off the front. */
  chunks: readonly ConsoleChunkDto[];
  ids: ReadonlySet<number>;
  capacity: number;
}

export type ConsoleLaneAction =
  /** The lane turned on or off in this tab; off forgets the chunks (the history keeps them). */
  | { type: "console/lane"; on: boolean }
  /** Chunks read from the console history. */
  | { type: "console/backfill"; chunks: readonly ConsoleChunkDto[] };

export const DEFAULT_LANE_CAPACITY = 5000;

export function initialConsoleLane(capacity = DEFAULT_LANE_CAPACITY): ConsoleLaneState {
  return { on: false, chunks: [], ids: new Set(), capacity: Math.max(1, capacity) };
}

export const INITIAL_CONSOLE_LANE: ConsoleLaneState = initialConsoleLane();

const byTime = (a: ConsoleChunkDto, b: ConsoleChunkDto) => a.receivedAt - b.receivedAt || a.id - b.id;

/**
 * `incoming` added to `chunks` (sorted by time, then id): those whose id is already there
 * are left out, the result is in time order and keeps the newest `capacity`. Returns the
 * same state when nothing was new.
 */
export function mergeChunks(state: ConsoleLaneState, incoming: readonly ConsoleChunkDto[]): ConsoleLaneState {
  const fresh: ConsoleChunkDto[] = [];
  const ids = new Set(state.ids);
  for (const c of incoming) {
    if (ids.has(c.id)) continue;
    ids.add(c.id);
    fresh.push(c);
  }
  if (fresh.length === 0) return state;
  fresh.sort(byTime);
  const last = state.chunks.at(-1);
  // Live chunks nearly always come after what is held: append instead of sorting it all.
  const chunks =
    last === undefined || byTime(last, fresh[0]!) <= 0
      ? [...state.chunks, ...fresh]
      : [...state.chunks, ...fresh].sort(byTime);
  const excess = chunks.length - state.capacity;
  if (excess > 0) for (const c of chunks.splice(0, excess)) ids.delete(c.id);
  return { ...state, chunks, ids };
}

export function consoleLaneReducer(state: ConsoleLaneState, action: LiveAction): ConsoleLaneState {
  switch (action.type) {
    case "console/lane":
      if (action.on === state.on) return state;
      return action.on ? { ...state, on: true } : { ...initialConsoleLane(state.capacity) };
    case "console/backfill":
      return state.on ? mergeChunks(state, action.chunks) : state;
    case "events": {
      if (!state.on) return state;
      const chunks: ConsoleChunkDto[] = [];
      for (const e of action.events) if (e.type === "console") chunks.push(e.chunk);
      return chunks.length === 0 ? state : mergeChunks(state, chunks);
    }
    default:
      return state;
  }
}

// ---- lines and the interleaved table ----------------------------------------------

/** One line of a chunk as the lane shows it. */
export interface ConsoleLine {
  chunkId: number;
  /** Its place among the chunk's shown lines: with chunkId, a key that stays put. */
  index: number;
  receivedAt: number;
  direction: ConsoleChunkDto["direction"];
  source: string | null;
  text: string;
  /** The chunk did not end the line (the rest, if any, is in a later chunk). */
  partial: boolean;
}

/** What the exchange table shows: the ring's rows and, with the lane on, console lines. */
export type TableRow = LiveRow | { kind: "console"; key: string; line: ConsoleLine };

/**
 * Terminal escape sequences (CSI, OSC, charset designations, two-byte escapes) and control
 * characters but tab. Per chunk: a sequence split across two chunks shows as stray text,
 * which a glance at the lane survives (the Console page's terminal renders it right).
 */
const ESCAPE_SEQUENCE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal control characters are the point
  /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[()*+][\s\S]?|[^[\]()*+]?)/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: terminal control characters are the point
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/g;

const linesOf = new WeakMap<ConsoleChunkDto, readonly ConsoleLine[]>();

/** The chunk's lines, blank ones left out; memoized per chunk object (rows re-render often). */
export function chunkLines(chunk: ConsoleChunkDto): readonly ConsoleLine[] {
  const cached = linesOf.get(chunk);
  if (cached !== undefined) return cached;
  const parts = chunk.text.replace(ESCAPE_SEQUENCE, "").split("\n");
  const lines: ConsoleLine[] = [];
  parts.forEach((part, i) => {
    const text = part.replace(CONTROL, "");
    if (text.trim() === "") return;
    lines.push({
      chunkId: chunk.id,
      index: lines.length,
      receivedAt: chunk.receivedAt,
      direction: chunk.direction,
      source: chunk.source,
      text,
      partial: i === parts.length - 1,
    });
  });
  linesOf.set(chunk, lines);
  return lines;
}

/** The time span the console lines are shown for (ms, server time; null: open). */
export interface LaneSpan {
  from: number | null;
  until: number | null;
}

/** The span of an exchange list: its oldest exchange, and its newest when it does not move on (paused). */
export function spanOf(rows: readonly LiveRow[], open: boolean): LaneSpan {
  let from: number | null = null;
  let until: number | null = null;
  for (const r of rows) {
    if (r.kind !== "exchange") continue;
    const t = r.exchange.receivedAt;
    if (from === null || t < from) from = t;
    if (until === null || t > until) until = t;
  }
  return { from, until: open ? null : until };
}

/**
 * The exchange rows with the console lines of `span` placed among them by time: a line goes
 * before the first exchange received after it (at the same millisecond, before it: the host
 * printed it by then), lines after the last exchange at the end. Gap markers stay where they
 * are. Without lines, `rows` itself (so memoized consumers do not re-render).
 */
export function interleave(
  rows: readonly LiveRow[],
  chunks: readonly ConsoleChunkDto[],
  span: LaneSpan,
): readonly TableRow[] {
  const lines: ConsoleLine[] = [];
  for (const c of chunks) {
    if (span.from !== null && c.receivedAt < span.from) continue;
    if (span.until !== null && c.receivedAt > span.until) continue;
    lines.push(...chunkLines(c));
  }
  if (lines.length === 0) return rows;
  const out: TableRow[] = [];
  let i = 0;
  const pushLine = () => {
    const line = lines[i++]!;
    out.push({ kind: "console", key: `c${line.chunkId}.${line.index}`, line });
  };
  for (const row of rows) {
    if (row.kind === "exchange") {
      while (i < lines.length && lines[i]!.receivedAt <= row.exchange.receivedAt) pushLine();
    }
    out.push(row);
  }
  while (i < lines.length) pushLine();
  return out;
}
