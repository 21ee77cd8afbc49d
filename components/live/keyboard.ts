/**
 * The Live page's keys (issue 10): pure, so they are tested without a browser. The page
 * wires them in useLiveKeys.ts.
 */
import type { TableRow } from "./state/consoleLane";

export type KeyAction = "down" | "up" | "open" | "pause" | "focus-filter" | "close" | "help";

/** What the keys do, for the `?` overlay. */
export const KEY_HELP: ReadonlyArray<{ keys: string; does: string }> = [
  { keys: "j  ↓", does: "next exchange" },
  { keys: "k  ↑", does: "previous exchange" },
  { keys: "Enter", does: "open the exchange under the cursor" },
  { keys: "Space", does: "pause / resume the live view" },
  { keys: "/", does: "focus the filter" },
  { keys: "Esc", does: "close the detail (or this help), leave the filter" },
  { keys: "?", does: "show / hide this help" },
];

export interface KeyEventLike {
  key: string;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
  /** The focused element's tag name ("INPUT", "TEXTAREA", "SELECT", ...). */
  targetTag?: string;
  /** The focused element is content-editable. */
  editable?: boolean;
}

/** The action of a key press, or null: typing in a field is the field's, except Esc. */
export function keyAction(e: KeyEventLike): KeyAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  const typing = e.editable === true || ["INPUT", "TEXTAREA", "SELECT"].includes(e.targetTag ?? "");
  if (e.key === "Escape") return "close";
  if (typing) return null;
  switch (e.key) {
    case "j":
    case "ArrowDown":
      return "down";
    case "k":
    case "ArrowUp":
      return "up";
    case "Enter":
      return "open";
    case " ":
      return "pause";
    case "/":
      return "focus-filter";
    case "?":
      return "help";
    default:
      return null;
  }
}

/**
 * The row key of the exchange the cursor lands on moving `delta` rows from `cursorKey` (gap
 * markers and console lines are stepped over: they are not exchanges). Keys, not ids: with
 * the fleet, two nodes' exchanges share ids. Without a cursor, or when its row is gone, the
 * newest exchange. Null when there is no exchange at all.
 */
export function moveCursor(
  rows: readonly TableRow[],
  cursorKey: string | null,
  delta: number,
): string | null {
  const keys: string[] = [];
  for (const r of rows) if (r.kind === "exchange") keys.push(r.key);
  if (keys.length === 0) return null;
  const at = cursorKey === null ? -1 : keys.indexOf(cursorKey);
  if (at === -1) return keys[keys.length - 1]!;
  return keys[Math.min(keys.length - 1, Math.max(0, at + delta))]!;
}
