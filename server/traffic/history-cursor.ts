/**
 * Where the next (older) page of the history starts, as the API hands it out (`nextCursor`)
 * and takes it back (`cursor`). One node's log pages by id, newest first: its cursor is the
 * id as text, as `before` always was. Every node's log at once (the fleet's shared store)
 * pages by time, then node, then id, since ids repeat across nodes: its cursor carries all
 * three, opaque to the browser.
 */
import { z } from "zod";

export type HistoryCursor =
  | { kind: "id"; id: number }
  | { kind: "time"; receivedAt: number; node: string; id: number };

const TIME_PREFIX = "t.";

const timeCursor = z.tuple([z.number().finite(), z.string().min(1).max(63), z.number().int().positive()]);

export function formatCursor(cursor: HistoryCursor): string {
  if (cursor.kind === "id") return String(cursor.id);
  const json = JSON.stringify([cursor.receivedAt, cursor.node, cursor.id]);
  return TIME_PREFIX + Buffer.from(json, "utf8").toString("base64url");
}

/** The cursor a text names; null when it names none (the route answers 400). */
export function parseCursor(text: string): HistoryCursor | null {
  if (/^[1-9][0-9]{0,15}$/.test(text)) {
    const id = Number(text);
    return Number.isSafeInteger(id) ? { kind: "id", id } : null;
  }
  if (!text.startsWith(TIME_PREFIX)) return null;
  try {
    const json: unknown = JSON.parse(
      Buffer.from(text.slice(TIME_PREFIX.length), "base64url").toString("utf8"),
    );
    const parsed = timeCursor.safeParse(json);
    if (!parsed.success) return null;
    const [receivedAt, node, id] = parsed.data;
    return { kind: "time", receivedAt, node, id };
  } catch {
    return null;
  }
}
