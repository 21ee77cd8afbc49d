import { describe, expect, it } from "vitest";
import { commandOptions, completionCodeOptions, netFnOptions, optionNumber, pickerGroupOf } from "./options";

const flat = (groups: { options: { value: string; label: string }[] }[]) => groups.flatMap((g) => g.options);

describe("netFnOptions", () => {
  it("offers every request netfn once, named ones first", () => {
    const groups = netFnOptions();
    const all = flat(groups);
    expect(all).toHaveLength(32);
    expect(new Set(all.map((o) => o.value)).size).toBe(32);
    expect(all.every((o) => Number(o.value) % 2 === 0)).toBe(true);
    expect(groups[0]!.options).toContainEqual({ value: "6", label: "App (06h)" });
    expect(groups[0]!.options).toContainEqual({ value: "44", label: "Group Extension (2Ch)" });
    expect(groups[1]!.options).toContainEqual({ value: "16", label: "Reserved (10h)" });
  });
});

describe("commandOptions", () => {
  it("names a netfn's commands, then lists every other code", () => {
    const groups = commandOptions(6);
    expect(groups[0]!.options).toContainEqual({ value: "1", label: "Get Device ID (01h)" });
    const all = flat(groups);
    expect(all).toHaveLength(256);
    expect(all).toContainEqual({ value: "90", label: "Cmd 5Ah" });
  });

  it("uses the DCMI names for the group extension netfn", () => {
    expect(pickerGroupOf(0x2c)).toBe(0xdc);
    expect(pickerGroupOf(0x2d)).toBe(0xdc);
    expect(pickerGroupOf(0x06)).toBeUndefined();
    const groups = commandOptions(0x2c);
    expect(groups[0]!.label).toMatch(/DCMI/);
    expect(groups[0]!.options.some((o) => o.label.startsWith("Get Temperature Reading"))).toBe(true);
  });

  it("lists bare codes when no netfn is chosen", () => {
    const groups = commandOptions(null);
    expect(groups).toHaveLength(1);
    expect(groups[0]!.options).toHaveLength(256);
  });
});

describe("completionCodeOptions", () => {
  it("names the generic codes first and covers every byte once", () => {
    const groups = completionCodeOptions();
    expect(groups[0]!.options[0]).toEqual({ value: "0", label: "00h Command Completed Normally" });
    expect(groups[0]!.options).toContainEqual({ value: "193", label: "C1h Invalid Command" });
    const all = flat(groups);
    expect(all).toHaveLength(256);
    expect(new Set(all.map((o) => o.value)).size).toBe(256);
    expect(all).toContainEqual({ value: "128", label: "80h Command-specific completion code" });
  });
});

describe("optionNumber", () => {
  it("reads a picker value", () => {
    expect(optionNumber("6")).toBe(6);
    expect(optionNumber("0")).toBe(0);
    expect(optionNumber("")).toBeNull();
    expect(optionNumber("x")).toBeNull();
    expect(optionNumber("256")).toBeNull();
  });
});
