import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadHandlerStates, saveHandlerState } from "./handler-state-store";
import { createTestDatabase, type TestDatabase } from "./test-database";

describe("handler state store", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("loads nothing from a fresh database", async () => {
    expect(await loadHandlerStates(t.db)).toEqual(new Map());
  });

  it("saves, overwrites and loads switches", async () => {
    await saveHandlerState(t.db, "app.get-device-id", false);
    await saveHandlerState(t.db, "chassis.get-status", true);
    expect(await loadHandlerStates(t.db)).toEqual(
      new Map([
        ["app.get-device-id", false],
        ["chassis.get-status", true],
      ]),
    );

    await saveHandlerState(t.db, "app.get-device-id", true);
    await saveHandlerState(t.db, "chassis.get-status", false);
    const states = await loadHandlerStates(t.db);
    expect(states.get("app.get-device-id")).toBe(true);
    expect(states.get("chassis.get-status")).toBe(false);
    expect(await t.db.handlerState.count()).toBe(2);
  });

  it("updates updatedAt when a switch is saved again", async () => {
    await saveHandlerState(t.db, "x", true);
    const first = await t.db.handlerState.findUniqueOrThrow({ where: { id: "x" } });
    await saveHandlerState(t.db, "x", false);
    const second = await t.db.handlerState.findUniqueOrThrow({ where: { id: "x" } });
    expect(second.enabled).toBe(false);
    expect(second.updatedAt.getTime()).toBeGreaterThanOrEqual(first.updatedAt.getTime());
  });

  it("survives reopening the database file", async () => {
    await saveHandlerState(t.db, "persisted", false);
    await t.db.$disconnect();
    const { openDatabase } = await import("./database");
    const again = await openDatabase(t.url);
    try {
      expect(await loadHandlerStates(again)).toEqual(new Map([["persisted", false]]));
    } finally {
      await again.$disconnect();
    }
  });
});
