import { describe, expect, it } from "vitest";
import { keyAction, moveCursor } from "./keyboard";
import { exchangeRowKey, type LiveRow } from "./state/exchanges";
import { exchange } from "./state/fixtures";

const row = (id: number, node?: string): LiveRow => {
  const x = exchange(id, node === undefined ? {} : { node });
  return { kind: "exchange", key: exchangeRowKey(x), exchange: x };
};

const rows: LiveRow[] = [row(1), { kind: "skipped", key: "s1", count: 4 }, row(6), row(7)];

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
    expect(moveCursor(rows, null, 1)).toBe("x:7");
    expect(moveCursor(rows, "x:7", -1)).toBe("x:6");
    expect(moveCursor(rows, "x:6", -1)).toBe("x:1");
    expect(moveCursor(rows, "x:1", -1)).toBe("x:1");
    expect(moveCursor(rows, "x:7", 1)).toBe("x:7");
    expect(moveCursor(rows, "x:99", 1)).toBe("x:7");
    expect(moveCursor([], null, 1)).toBeNull();
  });

  it("tells two nodes' exchange 1 apart", () => {
    const fleet = [row(1, "a"), row(1, "c"), row(2, "a")];
    expect(moveCursor(fleet, "xa:1", 1)).toBe("xc:1");
    expect(moveCursor(fleet, "xc:1", 1)).toBe("xa:2");
    expect(moveCursor(fleet, "xc:1", -1)).toBe("xa:1");
  });
});
