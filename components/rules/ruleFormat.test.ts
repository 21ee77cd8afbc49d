import { describe, expect, it } from "vitest";
import type { RuleDto } from "../../server/contract/control";
import {
  autoRuleName,
  describeAction,
  describeMatch,
  EMPTY_RULE_FORM,
  hexError,
  issuesToFormErrors,
  type RuleFormState,
  ruleFormToBody,
  validateRuleForm,
} from "./ruleFormat";

const anyMatch: RuleDto["match"] = { busId: null, netFn: null, cmd: null, dataPrefix: null, dataMask: null };
const form = (overrides: Partial<RuleFormState>): RuleFormState => ({ ...EMPTY_RULE_FORM, ...overrides });

describe("describeMatch", () => {
  it("names bus, netfn, command and data", () => {
    expect(describeMatch(anyMatch)).toEqual(["any request"]);
    expect(describeMatch({ busId: "bt0", netFn: 6, cmd: 1, dataPrefix: "20 01", dataMask: "ff 0f" })).toEqual(
      ["bus bt0", "App (06h)", "Get Device ID (01h)", "data 20 01 mask ff 0f"],
    );
    expect(describeMatch({ ...anyMatch, netFn: 6, cmd: 0x5a, dataPrefix: "20" })).toEqual([
      "App (06h)",
      "Cmd 5Ah",
      "data starts 20",
    ]);
    expect(describeMatch({ ...anyMatch, netFn: 0x2c, cmd: 0x10 })).toEqual([
      "Group Extension (2Ch)",
      "Get Temperature Reading (10h)",
    ]);
  });
});

describe("describeAction", () => {
  it("says what the rule does", () => {
    expect(describeAction({ type: "answer", cc: 0, data: "20 01" })).toBe(
      "answer 00h Command Completed Normally + 20 01",
    );
    expect(describeAction({ type: "answer", cc: 0, data: "" })).toBe("answer 00h Command Completed Normally");
    expect(describeAction({ type: "error", cc: 0xc1 })).toBe("error C1h Invalid Command");
    expect(describeAction({ type: "delay", ms: 250 })).toBe("delay 250 ms");
    expect(describeAction({ type: "drop" })).toMatch(/^drop/);
    expect(describeAction({ type: "hold" })).toMatch(/^hold/);
  });
});

describe("the create form", () => {
  it("builds the POST body, leaving out what matches anything", () => {
    expect(ruleFormToBody(form({ name: " gdi ", netFn: 6, cmd: 1 }))).toEqual({
      name: "gdi",
      enabled: true,
      match: { netFn: 6, cmd: 1 },
      action: { type: "hold" },
    });
    expect(
      ruleFormToBody(
        form({
          name: "x",
          busId: "bt0",
          prefix: " 20 01 ",
          mask: "ff ff",
          action: "answer",
          cc: 0,
          data: "01 02",
        }),
      ),
    ).toEqual({
      name: "x",
      enabled: true,
      match: { busId: "bt0", dataPrefix: "20 01", dataMask: "ff ff" },
      action: { type: "answer", cc: 0, data: "01 02" },
    });
    expect(ruleFormToBody(form({ name: "x", action: "error", cc: 0xc1 })).action).toEqual({
      type: "error",
      cc: 0xc1,
    });
    expect(ruleFormToBody(form({ name: "x", action: "delay", delayMs: "250" })).action).toEqual({
      type: "delay",
      ms: 250,
    });
  });

  it("names a rule nobody named", () => {
    expect(autoRuleName(form({ netFn: 6, cmd: 1, busId: "bt0" }))).toBe("hold Get Device ID on bt0");
    expect(autoRuleName(form({ action: "drop", netFn: 0 }))).toBe("drop Chassis requests");
    expect(autoRuleName(form({ action: "drop" }))).toBe("drop every request");
    expect(ruleFormToBody(form({ netFn: 6, cmd: 1 })).name).toBe("hold Get Device ID");
  });

  it("checks the form with the contract's schema and puts the issues on fields", () => {
    expect(validateRuleForm(form({ name: "ok", netFn: 6, cmd: 1 })).ok).toBe(true);
    const bad = validateRuleForm(form({ name: "x", prefix: "zz", mask: "ff", action: "delay", delayMs: "" }));
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.errors.fields.prefix).toMatch(/hex/);
    expect(bad.errors.fields.delay).toBeDefined();

    const mask = validateRuleForm(form({ name: "x", prefix: "20 01", mask: "ff" }));
    expect(mask.ok).toBe(false);
    if (!mask.ok) expect(mask.errors.fields.mask).toMatch(/same length/);

    const noDelay = validateRuleForm(form({ name: "x", action: "delay", delayMs: "0" }));
    expect(noDelay.ok).toBe(false);
  });

  it("sorts server issues onto fields, the rest aside", () => {
    expect(
      issuesToFormErrors([
        { path: "match.netFn", message: "too big" },
        { path: "action.cc", message: "not a byte" },
        { path: "action.data", message: "bad hex" },
        { path: "match", message: "whole match" },
        { path: "", message: "whole body" },
        { path: "match.netFn", message: "second" },
      ]),
    ).toEqual({
      fields: { netfn: "too big", cc: "not a byte", data: "bad hex" },
      other: ["match: whole match", "whole body"],
    });
  });

  it("checks hex as it is typed", () => {
    expect(hexError("")).toBeNull();
    expect(hexError("20 01")).toBeNull();
    expect(hexError("2")).toMatch(/even/);
    expect(hexError("zz")).toMatch(/0-9/);
    expect(hexError("00".repeat(33), 32)).toBe("at most 32 bytes");
  });
});
