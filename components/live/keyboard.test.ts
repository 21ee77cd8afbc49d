import { describe, expect, it } from "vitest";
import { keyAction, moveCursor } from "./keyboard";
import type { LiveRow } from "./state/exchanges";
import { exchange } from "./state/fixtures";

const rows: LiveRow[] = [
  { kind: "exchange", key: "x1", exchange: exchange(1) },
  { kind: "skipped", key: "s1", count: 4 },
  { kind: "exchange", key: "x6", exchange: exchange(6) },
  { kind: "exchange", key: "x7", exchange: exchange(7) },
];

describe("Live page keys", () => {
  it("maps j/k, the arrows, Enter, Space, / and ? outside fields", () => {
    expect(
      ["j", "ArrowDown", "k", "ArrowUp", "Enter", " ", "/", "?", "x"].map((key) => keyAction({ key })),
    ).toEqual(["down", "down", "up", "up", "open", "pause", "focus-filter", "help", null]);
  });

  it("leaves typing in a field alone, except Esc, and ignores modified keys", () => {
    expect(keyAction({ key: "j", targetTag: "INPUT" })).toBeNull();
    expect(keyAction({ key: " ", targetTag: "SELECT" })).toBeNull();
    expect(keyAction({ key: "/", editable: true })).toBeNull();
    expect(keyAction({ key: "Escape", targetTag: "INPUT" })).toBe("close");
    expect(keyAction({ key: "j", ctrlKey: true })).toBeNull();
  });

  it("moves the cursor over exchanges, stepping over gap markers and stopping at the ends", () => {
    expect(moveCursor(rows, null, 1)).toBe(7);
    expect(moveCursor(rows, 7, -1)).toBe(6);
    expect(moveCursor(rows, 6, -1)).toBe(1);
    expect(moveCursor(rows, 1, -1)).toBe(1);
    expect(moveCursor(rows, 7, 1)).toBe(7);
    expect(moveCursor(rows, 99, 1)).toBe(7);
    expect(moveCursor([], null, 1)).toBeNull();
  });
});
