import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConsoleLogWriter } from "../console/console-log-writer";
import type { ConsoleChunkDto } from "../contract/console";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { ConsoleLanes } from "./console-lane";

describe("ConsoleLanes", () => {
  it("turns a client's lane on and off, and refuses what is not { on: boolean }", () => {
    const lanes = new ConsoleLanes();
    expect(lanes.set("a", { on: true })).toEqual({ ok: true });
    expect(lanes.has("a")).toBe(true);
    expect(lanes.has("b")).toBe(false);
    for (const bad of [{ on: "yes" }, { on: true, more: 1 }, null, "on", {}]) {
      expect(lanes.set("b", bad)).toMatchObject({ ok: false, error: expect.any(String) });
    }
    expect(lanes.has("b")).toBe(false);
    // A refused payload leaves the lane as it was.
    expect(lanes.set("a", { on: 1 })).toMatchObject({ ok: false });
    expect(lanes.has("a")).toBe(true);
    expect(lanes.set("a", { on: false })).toEqual({ ok: true });
    expect(lanes.size).toBe(0);
    lanes.set("c", { on: true });
    lanes.delete("c");
    expect(lanes.has("c")).toBe(false);
  });
});

describe("ConsoleLogWriter.onStored (the lane's source)", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("tells each stored chunk with its row's id and time, after the row is committed", async () => {
    const writer = new ConsoleLogWriter(t.db, { now: () => 4242 });
    const told: ConsoleChunkDto[] = [];
    const off = writer.onStored((c) => told.push(c));
    writer.write("out", new TextEncoder().encode("hello\r\n"));
    writer.write("in", new TextEncoder().encode("ls\r"), "browser:alice");
    await writer.flush();
    const rows = await t.db.consoleChunk.findMany({ orderBy: { id: "asc" } });
    expect(told).toEqual(
      rows.map((r) => ({
        id: r.id,
        receivedAt: r.receivedAt,
        direction: r.direction,
        source: r.source,
        text: r.text,
      })),
    );
    expect(told.map((c) => c.text)).toEqual(["ls\r", "hello\r\n"]);

    // A listener that throws is reported, and the row is not written again.
    const errors: unknown[] = [];
    const writer2 = new ConsoleLogWriter(t.db, { onError: (e) => errors.push(e) });
    writer2.onStored(() => {
      throw new Error("listener broke");
    });
    writer2.write("out", new TextEncoder().encode("once"));
    await writer2.flush();
    expect(errors).toHaveLength(1);
    expect(await t.db.consoleChunk.count({ where: { text: "once" } })).toBe(1);

    off();
    writer.write("out", new TextEncoder().encode("unheard"));
    await writer.flush();
    expect(told).toHaveLength(2);
    await writer.close();
    await writer2.close();
  });
});
