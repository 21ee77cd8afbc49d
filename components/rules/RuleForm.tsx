"use client";

import { type FormEvent, type ReactNode, useId, useState } from "react";
import { ApiRequestError, messageOf } from "@/components/api";
import { BusPicker, CommandPicker, CompletionCodePicker, NetFnPicker } from "@/components/ipmi/Pickers";
import { RULE_ACTIONS, type RuleActionType, type RuleDto } from "@/server/contract/control";
import type { BusInfo } from "@/server/contract/handlers";
import { CC } from "@/server/ipmi/completion-codes";
import {
  autoRuleName,
  EMPTY_RULE_FORM,
  type FormErrors,
  hexError,
  issuesToFormErrors,
  type RuleField,
  type RuleFormState,
  validateRuleForm,
} from "./ruleFormat";
import { createRule } from "./rulesApi";

const ACTION_LABELS: Record<RuleActionType, string> = {
  answer: "answer (canned response)",
  error: "error (completion code only)",
  delay: "delay, then the handler answers",
  drop: "drop (send nothing)",
  hold: "hold for an operator",
};

const NO_ERRORS: FormErrors = { fields: {}, other: [] };

function isAction(value: string): value is RuleActionType {
  return (RULE_ACTIONS as readonly string[]).includes(value);
}

function Field(props: {
  label: string;
  field: RuleField;
  errors: FormErrors;
  children: ReactNode;
  hint?: string;
  htmlFor: string;
}) {
  const error = props.errors.fields[props.field];
  return (
    <div className={`form-field${error ? " has-error" : ""}`}>
      <label className="form-label" htmlFor={props.htmlFor}>
        {props.label}
      </label>
      {props.children}
      {error ? (
        <span className="error-text" role="alert" data-testid={`rule-${props.field}-error`}>
          {error}
        </span>
      ) : props.hint ? (
        <span className="muted form-hint">{props.hint}</span>
      ) : null}
    </div>
  );
}

interface RuleFormProps {
  buses: readonly BusInfo[];
  onCreated: (rule: RuleDto) => void;
  /** Another fleet node to add the rule on; absent: this node. */
  target?: string;
}

/** New rule: what to match (bus, netfn, cmd, data prefix/mask) and what to do. */
export function RuleForm({ buses, onCreated, target }: RuleFormProps) {
  const [form, setForm] = useState<RuleFormState>(EMPTY_RULE_FORM);
  const [errors, setErrors] = useState<FormErrors>(NO_ERRORS);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const uid = useId();
  const idOf = (field: RuleField) => `${uid}-${field}`;

  const set = <K extends keyof RuleFormState>(key: K, value: RuleFormState[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setCreated(null);
  };

  const setAction = (action: RuleActionType) =>
    setForm((f) => ({
      ...f,
      action,
      // An error rule with 00h would be no error: start from C1h.
      cc:
        action === "error" && f.cc === CC.OK
          ? CC.INVALID_COMMAND
          : action === "answer" && f.action === "error"
            ? CC.OK
            : f.cc,
    }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const checked = validateRuleForm(form);
    if (!checked.ok) {
      setErrors(checked.errors);
      return;
    }
    setBusy(true);
    setErrors(NO_ERRORS);
    try {
      const rule = await createRule(checked.body, target);
      onCreated(rule);
      setCreated(`Created rule #${rule.id} “${rule.name}”.`);
      setForm((f) => ({ ...EMPTY_RULE_FORM, busId: f.busId, action: f.action }));
    } catch (err) {
      if (err instanceof ApiRequestError && err.issues.length > 0) {
        // The server's per-field issues go next to their fields; the rest under the form.
        const sorted = issuesToFormErrors(err.issues);
        const other = sorted.other.length > 0 ? [`${err.message}: ${sorted.other.join("; ")}`] : [];
        setErrors({ fields: sorted.fields, other });
      } else {
        setErrors({ fields: {}, other: [messageOf(err)] });
      }
    } finally {
      setBusy(false);
    }
  };

  // Hex fields say what is wrong while typing; the schema says it again on submit.
  const prefix = hexError(form.prefix, 32);
  const mask = hexError(form.mask, 32);
  const data = form.action === "answer" ? hexError(form.data) : null;
  const liveErrors: FormErrors = {
    fields: {
      ...errors.fields,
      ...(prefix !== null ? { prefix } : {}),
      ...(mask !== null ? { mask } : {}),
      ...(data !== null ? { data } : {}),
    },
    other: errors.other,
  };

  return (
    <form className="rule-form" onSubmit={submit} data-testid="rule-form" noValidate>
      <h2>New rule</h2>
      <div className="form-grid">
        <Field label="Name" field="name" htmlFor={idOf("name")} errors={liveErrors}>
          <input
            className="input"
            id={idOf("name")}
            data-testid="rule-name"
            value={form.name}
            placeholder={autoRuleName(form)}
            maxLength={100}
            onChange={(e) => set("name", e.target.value)}
          />
        </Field>
        <Field label="Bus" field="bus" htmlFor={idOf("bus")} errors={liveErrors}>
          <BusPicker
            buses={buses}
            value={form.busId}
            onChange={(v) => set("busId", v)}
            anyLabel="any bus"
            id={idOf("bus")}
            data-testid="rule-bus"
            aria-invalid={!!liveErrors.fields.bus}
          />
        </Field>
        <Field label="NetFn" field="netfn" htmlFor={idOf("netfn")} errors={liveErrors}>
          <NetFnPicker
            value={form.netFn}
            onChange={(v) => setForm((f) => ({ ...f, netFn: v, cmd: v === f.netFn ? f.cmd : null }))}
            anyLabel="any netfn"
            id={idOf("netfn")}
            data-testid="rule-netfn"
            aria-invalid={!!liveErrors.fields.netfn}
          />
        </Field>
        <Field label="Command" field="cmd" htmlFor={idOf("cmd")} errors={liveErrors}>
          <CommandPicker
            netFn={form.netFn}
            value={form.cmd}
            onChange={(v) => set("cmd", v)}
            anyLabel="any command"
            id={idOf("cmd")}
            data-testid="rule-cmd"
            aria-invalid={!!liveErrors.fields.cmd}
          />
        </Field>
        <Field
          label="Data prefix (hex)"
          field="prefix"
          htmlFor={idOf("prefix")}
          errors={liveErrors}
          hint="request data starts with"
        >
          <input
            className="input mono"
            id={idOf("prefix")}
            data-testid="rule-prefix"
            value={form.prefix}
            placeholder="e.g. 20 01"
            onChange={(e) => set("prefix", e.target.value)}
            aria-invalid={!!liveErrors.fields.prefix}
          />
        </Field>
        <Field
          label="Mask (hex)"
          field="mask"
          htmlFor={idOf("mask")}
          errors={liveErrors}
          hint="bits that count; same length"
        >
          <input
            className="input mono"
            id={idOf("mask")}
            data-testid="rule-mask"
            value={form.mask}
            placeholder="default: all"
            onChange={(e) => set("mask", e.target.value)}
            aria-invalid={!!liveErrors.fields.mask}
          />
        </Field>
        <Field label="Action" field="action" htmlFor={idOf("action")} errors={liveErrors}>
          <select
            className="input"
            id={idOf("action")}
            data-testid="rule-action"
            value={form.action}
            onChange={(e) => isAction(e.target.value) && setAction(e.target.value)}
          >
            {RULE_ACTIONS.map((a) => (
              <option key={a} value={a}>
                {ACTION_LABELS[a]}
              </option>
            ))}
          </select>
        </Field>
        {(form.action === "answer" || form.action === "error") && (
          <Field label="Completion code" field="cc" htmlFor={idOf("cc")} errors={liveErrors}>
            <CompletionCodePicker
              value={form.cc}
              onChange={(v) => set("cc", v ?? 0)}
              id={idOf("cc")}
              data-testid="rule-cc"
              aria-invalid={!!liveErrors.fields.cc}
            />
          </Field>
        )}
        {form.action === "answer" && (
          <Field
            label="Response data (hex)"
            field="data"
            htmlFor={idOf("data")}
            errors={liveErrors}
            hint="after the completion code"
          >
            <input
              className="input mono"
              id={idOf("data")}
              data-testid="rule-data"
              value={form.data}
              placeholder="e.g. 20 01 00 48 02"
              onChange={(e) => set("data", e.target.value)}
              aria-invalid={!!liveErrors.fields.data}
            />
          </Field>
        )}
        {form.action === "delay" && (
          <Field label="Delay (ms)" field="delay" htmlFor={idOf("delay")} errors={liveErrors}>
            <input
              className="input"
              type="number"
              min={1}
              max={60000}
              step={1}
              id={idOf("delay")}
              data-testid="rule-delay"
              value={form.delayMs}
              onChange={(e) => set("delayMs", e.target.value)}
              aria-invalid={!!liveErrors.fields.delay}
            />
          </Field>
        )}
      </div>
      <div className="form-actions">
        <label className="check">
          <input
            type="checkbox"
            checked={form.enabled}
            onChange={(e) => set("enabled", e.target.checked)}
            data-testid="rule-enabled"
          />
          enabled
        </label>
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="rule-submit">
          {busy ? "Creating…" : "Create rule"}
        </button>
        {liveErrors.other.length > 0 && (
          <span className="error-text" role="alert" data-testid="rule-form-error">
            {liveErrors.other.join("; ")}
          </span>
        )}
        {created !== null && (
          <output className="muted" data-testid="rule-created">
            {created}
          </output>
        )}
      </div>
    </form>
  );
}
