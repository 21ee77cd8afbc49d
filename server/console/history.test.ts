import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import {
  escapeLike,
  exportConsoleNdjson,
  exportConsoleText,
  queryConsoleHistory,
  TerminalTextFilter,
} from "./history";

const enc = (s: string) => new TextEncoder().encode(s);

async function insert(
  t: TestDatabase,
  rows: { at: number; dir?: "in" | "out"; source?: string; data: Uint8Array }[],
) {
  for (const r of rows) {
    await t.db.consoleChunk.create({
      data: {
        receivedAt: r.at,
        direction: r.dir ?? "out",
        source: r.source ?? null,
        data: new Uint8Array(r.data),
        text: new TextDecoder().decode(r.data),
      },
    });
  }
}

async function collect(gen: AsyncIterable<string>): Promise<string> {
  let s = "";
  for await (const part of gen) s += part;
  return s;
}

describe("console history", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("pages newest first by id, within a time range and a direction", async () => {
    await insert(
      t,
      Array.from({ length: 10 }, (_, i) => ({
        at: 1000 + i * 10,
        dir: i % 3 === 0 ? ("in" as const) : ("out" as const),
        data: enc(`line ${i + 1}\n`),
      })),
    );
    const first = await queryConsoleHistory(t.db, { limit: 4 });
    expect(first.chunks.map((c) => c.id)).toEqual([10, 9, 8, 7]);
    expect(first.nextBefore).toBe(7);
    const second = await queryConsoleHistory(t.db, { limit: 4, before: first.nextBefore! });
    expect(second.chunks.map((c) => c.id)).toEqual([6, 5, 4, 3]);
    const last = await queryConsoleHistory(t.db, { limit: 4, before: second.nextBefore! });
    expect(last).toMatchObject({ nextBefore: null });
    expect(last.chunks.map((c) => c.id)).toEqual([2, 1]);

    const range = await queryConsoleHistory(t.db, { from: 1020, to: 1050, direction: "out" });
    expect(range.chunks.map((c) => c.id)).toEqual([6, 5, 3]);
    expect(range.chunks[0]).toEqual({
      id: 6,
      receivedAt: 1050,
      direction: "out",
      source: null,
      data: enc("line 6\n"),
      text: "line 6\n",
    });
  });

  it("searches the text literally: % _ and \\ match themselves", async () => {
    await insert(t, [
      { at: 1, data: enc("Booting Linux 6.1\n") },
      { at: 2, data: enc("usage 100% of disk\n") },
      { at: 3, data: enc("100 percent\n") },
      { at: 4, data: enc("C:\\boot_ini\n") },
      { at: 5, data: enc("C:\\bootXini\n") },
      { at: 6, dir: "in", source: "browser:alice", data: enc("BOOTING\n") },
    ]);
    const ids = async (text: string) => (await queryConsoleHistory(t.db, { text })).chunks.map((c) => c.id);
    expect(await ids("100%")).toEqual([2]);
    expect(await ids("\\boot_")).toEqual([4]);
    // ASCII letters match in any case (SQLite's LIKE).
    expect(await ids("booting")).toEqual([6, 1]);
    expect(await ids("nowhere")).toEqual([]);
    expect(escapeLike("a%b_c\\d")).toBe("a\\%b\\_c\\\\d");
  });

  it("exports the host's output as plain text, in order, across split characters", async () => {
    const bytes = enc("\x1b[1;32mOK\x1b[0m héllo\r\nlogin: ");
    // Split inside the colour sequence and inside "é".
    await insert(t, [
      { at: 1, data: bytes.subarray(0, 4) },
      { at: 2, dir: "in", source: "browser:alice", data: enc("secret") },
      { at: 3, data: bytes.subarray(4, 17) },
      { at: 4, data: bytes.subarray(17) },
    ]);
    expect(await collect(exportConsoleText(t.db))).toBe("OK héllo\nlogin: ");
    expect(await collect(exportConsoleText(t.db, {}, { raw: true }))).toBe(new TextDecoder().decode(bytes));
    expect(await collect(exportConsoleText(t.db, { from: 4 }))).toBe(
      new TextDecoder().decode(bytes.subarray(17)).replace("\r", ""),
    );
  });

  it("exports every chunk as NDJSON with its bytes", async () => {
    await insert(t, [
      { at: Date.UTC(2026, 11, 2, 12), data: Uint8Array.from([0x6f, 0x6b, 0xff]) },
      { at: Date.UTC(2026, 11, 2, 12, 0, 1), dir: "in", source: "sol:admin@10.0.0.5:51234", data: enc("\r") },
    ]);
    const lines = (await collect(exportConsoleNdjson(t.db))).trimEnd().split("\n");
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        id: 1,
        receivedAt: Date.UTC(2026, 11, 2, 12),
        time: "2026-12-02T12:00:00.000Z",
        direction: "out",
        source: null,
        text: "ok\ufffd",
        data: "b2v/",
      },
      {
        id: 2,
        receivedAt: Date.UTC(2026, 11, 2, 12, 0, 1),
        time: "2026-12-02T12:00:01.000Z",
        direction: "in",
        source: "sol:admin@10.0.0.5:51234",
        text: "\r",
        data: "DQ==",
      },
    ]);
  });

  it("pages through exports longer than one query", async () => {
    await t.db.consoleChunk.createMany({
      data: Array.from({ length: 1203 }, (_, i) => ({
        receivedAt: i,
        direction: "out",
        data: enc(`${i}\n`),
        text: `${i}\n`,
      })),
    });
    const text = await collect(exportConsoleText(t.db));
    expect(text.split("\n").slice(0, -1)).toEqual(Array.from({ length: 1203 }, (_, i) => String(i)));
  });
});

describe("TerminalTextFilter", () => {
  it("takes escape sequences and control characters out, holding back a split one", () => {
    const f = new TerminalTextFilter();
    expect(f.push("a\x1b[3")).toBe("a");
    expect(f.push("1mred\x1b[0m\x07 \x1b]0;title\x07b\tc\x1b(Bd\x1b7e")).toBe("red b\tcde");
    expect(f.push("\x1b]0;ti")).toBe("");
    expect(f.push("tle\x1b\\f\r\n")).toBe("f\n");
    // An OSC split right after its terminator's ESC.
    expect(f.push("\x1b]2;x\x1b")).toBe("");
    expect(f.push("\\g\x1b")).toBe("g");
    f.end();
    expect(f.push("h")).toBe("h");
  });
});
