/**
 * Rules as people read them, and the create form's state to and from the API body.
 * Pure (unit-tested in ruleFormat.test.ts); the form is checked with the contract's
 * own schema so the page says what the server would say, before sending.
 */
import { newRuleBody, type RuleActionType, type RuleDto } from "../../server/contract/control";
import { commandLabel } from "../../server/ipmi/commands";
import { completionCodeName } from "../../server/ipmi/completion-codes";
import { hexByte, parseHex } from "../../server/ipmi/hex";
import { netFnName } from "../../server/ipmi/netfn";
import { type FieldIssue, issuesByField } from "../api";
import { pickerGroupOf } from "../ipmi/options";

/** "Get Device ID (01h)" for a rule's netfn/cmd (DCMI names for 2Ch). */
export function ruleCommandLabel(netFn: number | null, cmd: number): string {
  const name = netFn === null ? `Cmd ${hexByte(cmd)}` : commandLabel(netFn, cmd, pickerGroupOf(netFn));
  return name.startsWith("Cmd ") ? name : `${name} (${hexByte(cmd)})`;
}

/** The parts of a rule's match, each a short phrase; ["any request"] when it matches everything. */
export function describeMatch(match: RuleDto["match"]): string[] {
  const parts: string[] = [];
  if (match.busId !== null) parts.push(`bus ${match.busId}`);
  if (match.netFn !== null) parts.push(`${netFnName(match.netFn)} (${hexByte(match.netFn)})`);
  if (match.cmd !== null) parts.push(ruleCommandLabel(match.netFn, match.cmd));
  if (match.dataPrefix !== null && match.dataPrefix !== "") {
    parts.push(
      match.dataMask !== null && match.dataMask !== ""
        ? `data ${match.dataPrefix} mask ${match.dataMask}`
        : `data starts ${match.dataPrefix}`,
    );
  }
  return parts.length === 0 ? ["any request"] : parts;
}

/** "answer 00h Command Completed Normally + 20 01", "error C1h Invalid Command", "delay 200 ms", "drop", "hold". */
export function describeAction(action: RuleDto["action"]): string {
  switch (action.type) {
    case "answer":
      return `answer ${hexByte(action.cc)} ${completionCodeName(action.cc)}${action.data.trim() === "" ? "" : ` + ${action.data}`}`;
    case "error":
      return `error ${hexByte(action.cc)} ${completionCodeName(action.cc)}`;
    case "delay":
      return `delay ${action.ms} ms`;
    case "drop":
      return "drop (send nothing)";
    case "hold":
      return "hold for an operator";
  }
}

// ---- the create form --------------------------------------------------------------

export type RuleField =
  | "name"
  | "bus"
  | "netfn"
  | "cmd"
  | "prefix"
  | "mask"
  | "action"
  | "cc"
  | "data"
  | "delay";

export interface RuleFormState {
  name: string;
  busId: string;
  netFn: number | null;
  cmd: number | null;
  prefix: string;
  mask: string;
  action: RuleActionType;
  cc: number;
  data: string;
  delayMs: string;
  enabled: boolean;
}

export const EMPTY_RULE_FORM: RuleFormState = Object.freeze({
  name: "",
  busId: "",
  netFn: null,
  cmd: null,
  prefix: "",
  mask: "",
  action: "hold",
  cc: 0,
  data: "",
  delayMs: "500",
  enabled: true,
});

/** A name for a rule nobody named: "hold Get Device ID on bt0". */
export function autoRuleName(form: RuleFormState): string {
  const what =
    form.cmd !== null
      ? ruleCommandLabel(form.netFn, form.cmd).replace(/ \([0-9A-F]{2}h\)$/, "")
      : form.netFn !== null
        ? `${netFnName(form.netFn)} requests`
        : "every request";
  return `${form.action} ${what}${form.busId === "" ? "" : ` on ${form.busId}`}`.slice(0, 100);
}

/** The JSON body of POST /api/rules (bytes as hex text), before validation. */
export function ruleFormToBody(form: RuleFormState): Record<string, unknown> {
  const match: Record<string, unknown> = {};
  if (form.busId !== "") match.busId = form.busId;
  if (form.netFn !== null) match.netFn = form.netFn;
  if (form.cmd !== null) match.cmd = form.cmd;
  if (form.prefix.trim() !== "") match.dataPrefix = form.prefix.trim();
  if (form.mask.trim() !== "") match.dataMask = form.mask.trim();
  let action: Record<string, unknown>;
  switch (form.action) {
    case "answer":
      action = { type: "answer", cc: form.cc, data: form.data.trim() };
      break;
    case "error":
      action = { type: "error", cc: form.cc };
      break;
    case "delay":
      action = { type: "delay", ms: form.delayMs.trim() === "" ? Number.NaN : Number(form.delayMs) };
      break;
    default:
      action = { type: form.action };
  }
  const name = form.name.trim() === "" ? autoRuleName(form) : form.name.trim();
  return { name, enabled: form.enabled, match, action };
}

const FIELD_OF_PATH: Readonly<Record<string, RuleField>> = {
  name: "name",
  "match.busId": "bus",
  "match.netFn": "netfn",
  "match.cmd": "cmd",
  "match.dataPrefix": "prefix",
  "match.dataMask": "mask",
  action: "action",
  "action.type": "action",
  "action.cc": "cc",
  "action.data": "data",
  "action.ms": "delay",
};

export interface FormErrors {
  fields: Partial<Record<RuleField, string>>;
  /** Issues that belong to no one field. */
  other: string[];
}

/** Sorts (server or schema) issues onto the form's fields. */
export function issuesToFormErrors(issues: readonly FieldIssue[]): FormErrors {
  return issuesByField(issues, (path) => FIELD_OF_PATH[path]);
}

/** The body to send, or the errors to show (checked with the contract's schema). */
export function validateRuleForm(
  form: RuleFormState,
): { ok: true; body: Record<string, unknown> } | { ok: false; errors: FormErrors } {
  const body = ruleFormToBody(form);
  const parsed = newRuleBody.safeParse(body);
  if (parsed.success) return { ok: true, body };
  return {
    ok: false,
    errors: issuesToFormErrors(
      parsed.error.issues.map((i) => ({ path: i.path.map(String).join("."), message: i.message })),
    ),
  };
}

/** Hex text checked as the user types: null when fine (or empty), else why not. */
export function hexError(text: string, max = 255): string | null {
  const parsed = parseHex(text);
  if (!parsed.ok) return parsed.error;
  if (parsed.bytes.length > max) return `at most ${max} bytes`;
  return null;
}
