import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { ConsoleLogWriter } from "./console-log-writer";
import { ConsoleStream } from "./console-stream";

const text = (s: string) => new TextEncoder().encode(s);

async function rows(t: TestDatabase) {
  const all = await t.db.consoleChunk.findMany({ orderBy: { id: "asc" } });
  return all.map((r) => ({
    receivedAt: r.receivedAt,
    direction: r.direction,
    source: r.source,
    data: Buffer.from(r.data).toString("latin1"),
    text: r.text,
  }));
}

describe("ConsoleLogWriter", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await t.cleanup();
  });

  it("coalesces tiny chunks per direction and source into one row each", async () => {
    let clock = 5000;
    const writer = new ConsoleLogWriter(t.db, { now: () => clock });
    for (const c of "Linux version 6.1") {
      writer.write("out", text(c));
      clock += 1;
    }
    writer.write("in", text("r"), "browser:alice");
    writer.write("in", text("x"), "sol:admin@10.0.0.5:51234");
    writer.write("in", text("oot"), "browser:alice");
    expect(writer.stats().pendingBytes).toBe(22);
    await writer.flush();
    expect(await rows(t)).toEqual([
      {
        receivedAt: 5000,
        direction: "out",
        source: null,
        data: "Linux version 6.1",
        text: "Linux version 6.1",
      },
      { receivedAt: 5017, direction: "in", source: "browser:alice", data: "root", text: "root" },
      { receivedAt: 5017, direction: "in", source: "sol:admin@10.0.0.5:51234", data: "x", text: "x" },
    ]);
    expect(writer.stats()).toEqual({ rows: 3, bytes: 22, pendingBytes: 0, droppedBytes: 0 });
    await writer.close();
  });

  it("cuts a batch at maxBatchBytes and seals one after maxDelayMs", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const writer = new ConsoleLogWriter(t.db, { maxBatchBytes: 4, maxDelayMs: 100, now: () => 1 });
    writer.write("out", text("abcdefghij"));
    await writer.drained();
    // Two full batches stored at once; "ij" waits for its timer.
    expect((await rows(t)).map((r) => r.data)).toEqual(["abcd", "efgh"]);
    await vi.advanceTimersByTimeAsync(99);
    expect(writer.stats().pendingBytes).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    await writer.drained();
    expect((await rows(t)).map((r) => r.data)).toEqual(["abcd", "efgh", "ij"]);
    await writer.close();
  });

  it("stores typed input a line at a time: keys seconds apart in one row, ended by CR", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const writer = new ConsoleLogWriter(t.db, { maxDelayMs: 100, maxInputDelayMs: 5000, now: () => 1 });
    for (const key of "echo hi") {
      writer.write("in", text(key), "browser:alice");
      await vi.advanceTimersByTimeAsync(400);
    }
    expect(await rows(t)).toEqual([]);
    writer.write("in", text("\r"), "browser:alice");
    await writer.drained();
    expect((await rows(t)).map((r) => [r.direction, r.source, r.data])).toEqual([
      ["in", "browser:alice", "echo hi\r"],
    ]);
    // A line never ended is stored after maxInputDelayMs; output keeps its 100 ms.
    writer.write("in", text("ls"), "browser:alice");
    writer.write("out", text("$ "));
    await vi.advanceTimersByTimeAsync(100);
    await writer.drained();
    expect((await rows(t)).map((r) => r.data)).toEqual(["echo hi\r", "$ "]);
    await vi.advanceTimersByTimeAsync(4900);
    await writer.drained();
    expect((await rows(t)).map((r) => r.data)).toEqual(["echo hi\r", "$ ", "ls"]);
    await writer.close();
  });

  it("keeps the bytes exact and decodes a character split between batches whole", async () => {
    const writer = new ConsoleLogWriter(t.db, { maxBatchBytes: 4 });
    // "é" is C3 A9: the first batch ends after C3. 0xff is no UTF-8 at all.
    writer.write("out", Uint8Array.from([0x61, 0x62, 0x63, 0xc3, 0xa9, 0x64, 0xff]));
    await writer.close();
    const stored = await t.db.consoleChunk.findMany({ orderBy: { id: "asc" } });
    expect(stored.map((r) => [...r.data])).toEqual([
      [0x61, 0x62, 0x63, 0xc3],
      [0xa9, 0x64, 0xff],
    ]);
    expect(stored.map((r) => r.text)).toEqual(["abc", "éd\ufffd"]);
  });

  it("records a console stream: output, and input with who typed it", async () => {
    const stream = new ConsoleStream({ now: () => 42 });
    stream.setInput(() => true);
    const writer = new ConsoleLogWriter(t.db);
    writer.record(stream);
    const sol = { kind: "sol" as const, id: "7", label: "admin@10.0.0.5:51234" };
    stream.hostOutput(text("login: "));
    stream.claimWriter(sol);
    stream.write(sol, text("root\r"));
    await writer.close();
    // The typed line is stored at its CR, the output batch when it seals: rows in that order.
    expect(await rows(t)).toEqual([
      { receivedAt: 42, direction: "in", source: "sol:admin@10.0.0.5:51234", data: "root\r", text: "root\r" },
      { receivedAt: 42, direction: "out", source: null, data: "login: ", text: "login: " },
    ]);
  });

  it("retries until the database takes the batch, and never loses bytes on close", async () => {
    const errors: unknown[] = [];
    let failures = 2;
    const create = t.db.consoleChunk.create.bind(t.db.consoleChunk);
    const spy = vi.spyOn(t.db.consoleChunk, "create").mockImplementation(((
      args: Parameters<typeof create>[0],
    ) => {
      if (failures-- > 0) return Promise.reject(new Error("database is locked"));
      return create(args);
    }) as unknown as typeof create);
    const writer = new ConsoleLogWriter(t.db, { retryDelayMs: 1, onError: (e) => errors.push(e) });
    writer.write("out", text("kept"));
    await writer.close();
    spy.mockRestore();
    expect(errors).toHaveLength(2);
    expect((await rows(t)).map((r) => r.data)).toEqual(["kept"]);
    writer.write("out", text("late"));
    expect(writer.stats().droppedBytes).toBe(4);
  });

  it("rejects close, naming what was left, when the database never takes it", async () => {
    const spy = vi.spyOn(t.db.consoleChunk, "create").mockRejectedValue(new Error("disk I/O error"));
    const writer = new ConsoleLogWriter(t.db, { retryDelayMs: 1 });
    writer.write("out", text("lost"));
    await expect(writer.close()).rejects.toThrow("console history: 4 bytes in 1 batch were not stored");
    expect(spy).toHaveBeenCalledTimes(3);
    spy.mockRestore();
  });

  it("drops the oldest waiting batches past maxQueuedBytes while the database is away", async () => {
    let down = true;
    const create = t.db.consoleChunk.create.bind(t.db.consoleChunk);
    const spy = vi
      .spyOn(t.db.consoleChunk, "create")
      .mockImplementation(((args: Parameters<typeof create>[0]) =>
        down ? Promise.reject(new Error("database is locked")) : create(args)) as unknown as typeof create);
    const writer = new ConsoleLogWriter(t.db, { maxBatchBytes: 4, maxQueuedBytes: 8, retryDelayMs: 1 });
    writer.write("out", text("aaaabbbbccccdddd"));
    // "aaaa" is in flight (kept); "bbbb" and "cccc" go to keep 8 bytes waiting.
    expect(writer.stats()).toMatchObject({ pendingBytes: 8, droppedBytes: 8 });
    down = false;
    await writer.close();
    spy.mockRestore();
    expect((await rows(t)).map((r) => r.data)).toEqual(["aaaa", "dddd"]);
  });
});
