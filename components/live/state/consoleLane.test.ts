import { describe, expect, it } from "vitest";
import type { ConsoleChunkDto } from "../../../server/contract/console";
import { moveCursor } from "../keyboard";
import {
  type ConsoleLaneState,
  chunkLines,
  consoleLaneReducer,
  initialConsoleLane,
  interleave,
  mergeChunks,
  spanOf,
  type TableRow,
} from "./consoleLane";
import type { LiveRow } from "./exchanges";
import { events, exchange } from "./fixtures";
import { LiveStore } from "./store";

const T0 = 1_700_000_000_000;

function chunk(
  id: number,
  at: number,
  text: string,
  overrides: Partial<ConsoleChunkDto> = {},
): ConsoleChunkDto {
  return { id, receivedAt: T0 + at, direction: "out", source: null, text, ...overrides };
}

/** Exchange rows whose receivedAt is T0 + the given offsets (ids 1, 2, ...). */
function exchangeRows(...at: number[]): LiveRow[] {
  return at.map((t, i) => ({
    kind: "exchange",
    key: `x${i + 1}`,
    exchange: exchange(i + 1, { receivedAt: T0 + t }),
  }));
}

/** The table as a compact picture: x<id> for exchanges, "text" for console lines, gap markers as ~. */
function picture(rows: readonly TableRow[]): string[] {
  return rows.map((r) =>
    r.kind === "exchange" ? `x${r.exchange.id}` : r.kind === "console" ? r.line.text : `~${r.count}`,
  );
}

const on = (capacity?: number): ConsoleLaneState =>
  consoleLaneReducer(initialConsoleLane(capacity), { type: "console/lane", on: true });

describe("mergeChunks", () => {
  it("keeps a chunk once when the backfill and the live stream both bring it", () => {
    let s = on();
    s = consoleLaneReducer(s, events([{ type: "console", chunk: chunk(7, 70, "live a\n") }]));
    s = consoleLaneReducer(s, events([{ type: "console", chunk: chunk(8, 80, "live b\n") }]));
    // The history answers newest first and overlaps what came live.
    s = consoleLaneReducer(s, {
      type: "console/backfill",
      chunks: [chunk(8, 80, "live b\n"), chunk(7, 70, "live a\n"), chunk(5, 50, "old\n")],
    });
    expect(s.chunks.map((c) => c.id)).toEqual([5, 7, 8]);
    expect([...s.ids].sort()).toEqual([5, 7, 8]);
  });

  it("orders by time, then id, whatever the arrival order", () => {
    const s = mergeChunks(on(), [
      chunk(3, 30, "c"),
      chunk(1, 10, "a"),
      chunk(4, 10, "a2"),
      chunk(2, 20, "b"),
    ]);
    expect(s.chunks.map((c) => c.id)).toEqual([1, 4, 2, 3]);
    const later = mergeChunks(s, [chunk(9, 5, "earliest"), chunk(10, 40, "last")]);
    expect(later.chunks.map((c) => c.id)).toEqual([9, 1, 4, 2, 3, 10]);
  });

  it("returns the same state when nothing is new, and keeps the newest `capacity`", () => {
    const s = mergeChunks(on(3), [chunk(1, 1, "a"), chunk(2, 2, "b")]);
    expect(mergeChunks(s, [chunk(2, 2, "b")])).toBe(s);
    const full = mergeChunks(s, [chunk(3, 3, "c"), chunk(4, 4, "d")]);
    expect(full.chunks.map((c) => c.id)).toEqual([2, 3, 4]);
    // What fell off may come again (a later backfill) and is taken as new.
    expect(full.ids.has(1)).toBe(false);
  });

  it("takes nothing while the lane is off, and forgets its chunks when it goes off", () => {
    const off = initialConsoleLane();
    expect(consoleLaneReducer(off, events([{ type: "console", chunk: chunk(1, 1, "x") }]))).toBe(off);
    expect(consoleLaneReducer(off, { type: "console/backfill", chunks: [chunk(1, 1, "x")] })).toBe(off);
    const s = consoleLaneReducer(on(), { type: "console/backfill", chunks: [chunk(1, 1, "x")] });
    const after = consoleLaneReducer(s, { type: "console/lane", on: false });
    expect(after).toMatchObject({ on: false, chunks: [] });
    expect(after.ids.size).toBe(0);
  });
});

describe("chunkLines", () => {
  it("splits a chunk into its lines, without CR, escapes or blank lines; the last may be partial", () => {
    const lines = chunkLines(chunk(1, 0, "\x1b[1;32mOK\x1b[0m  Started\r\n\r\nguest login: "));
    expect(lines.map((l) => [l.text, l.partial, l.index])).toEqual([
      ["OK  Started", false, 0],
      ["guest login: ", true, 1],
    ]);
    expect(chunkLines(chunk(2, 0, "whole\r\n")).map((l) => l.partial)).toEqual([false]);
  });
});

describe("interleave", () => {
  it("places each line before the first exchange received after it", () => {
    const rows = exchangeRows(10, 20, 30);
    const chunks = [
      chunk(1, 5, "boot\n"),
      chunk(2, 20, "same ms\n"),
      chunk(3, 25, "a\nb\n"),
      chunk(4, 40, "tail"),
    ];
    expect(picture(interleave(rows, chunks, { from: null, until: null }))).toEqual([
      "boot",
      "x1",
      "same ms",
      "x2",
      "a",
      "b",
      "x3",
      "tail",
    ]);
  });

  it("shows only the lines within the span, keeps gap markers in place, and returns the rows when there are none", () => {
    const rows: LiveRow[] = [...exchangeRows(10, 20), { kind: "skipped", key: "s1", count: 4 }];
    const chunks = [chunk(1, 5, "before\n"), chunk(2, 15, "inside\n"), chunk(3, 25, "after\n")];
    const span = spanOf(rows, false);
    expect(span).toEqual({ from: T0 + 10, until: T0 + 20 });
    expect(picture(interleave(rows, chunks, span))).toEqual(["x1", "inside", "x2", "~4"]);
    expect(picture(interleave(rows, chunks, spanOf(rows, true)))).toEqual([
      "x1",
      "inside",
      "x2",
      "~4",
      "after",
    ]);
    expect(interleave(rows, [chunk(1, 5, "before\n")], span)).toBe(rows);
  });

  it("gives lines keys that stay put when earlier lines arrive", () => {
    const rows = exchangeRows(10);
    const first = interleave(rows, [chunk(2, 20, "x\ny\n")], { from: null, until: null });
    const more = interleave(rows, [chunk(1, 5, "early\n"), chunk(2, 20, "x\ny\n")], {
      from: null,
      until: null,
    });
    const keys = (r: readonly TableRow[]) => r.filter((x) => x.kind === "console").map((x) => x.key);
    expect(keys(more).slice(1)).toEqual(keys(first));
  });

  it("leaves console lines out of j/k: the cursor steps from exchange to exchange", () => {
    const rows = interleave(exchangeRows(10, 20), [chunk(1, 15, "between\n")], { from: null, until: null });
    expect(picture(rows)).toEqual(["x1", "between", "x2"]);
    expect(moveCursor(rows, "x1", 1)).toBe("x2");
    expect(moveCursor(rows, "x2", -1)).toBe("x1");
  });
});

describe("LiveStore console lane", () => {
  it("sends the lane option through the connection and takes console events only while on", async () => {
    const store = new LiveStore();
    const sent: boolean[] = [];
    store.attachConsoleLaneSender(async (value) => {
      sent.push(value);
      return { ok: true };
    });
    store.applyEvents([{ type: "console", chunk: chunk(1, 1, "ignored\n") }]);
    expect(store.getState().consoleLane.chunks).toEqual([]);
    expect(await store.setConsoleLane(true)).toEqual({ ok: true });
    expect(store.consoleLaneOn).toBe(true);
    store.applyEvents([{ type: "console", chunk: chunk(2, 2, "kept\n") }]);
    store.backfillConsole([chunk(2, 2, "kept\n"), chunk(1, 1, "older\n")]);
    expect(store.getState().consoleLane.chunks.map((c) => c.id)).toEqual([1, 2]);
    await store.setConsoleLane(false);
    expect(sent).toEqual([true, false]);
    expect(store.getState().consoleLane.chunks).toEqual([]);
  });
});
