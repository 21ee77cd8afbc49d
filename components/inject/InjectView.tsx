"use client";

import { type FormEvent, useId, useMemo, useState } from "react";
import { ApiRequestError, issuesByField, messageOf } from "@/components/api";
import { BusPicker, CommandPicker, NetFnPicker } from "@/components/ipmi/Pickers";
import type { LiveState } from "@/components/live/state/store";
import { useCanControl, useLiveValue, useOperator } from "@/components/live/useLiveStream";
import { hexError } from "@/components/rules/ruleFormat";
import type { ExchangeDto } from "@/server/contract/exchange";
import { NETFN } from "@/server/ipmi/netfn";
import { ExchangeResult } from "./ExchangeResult";
import { inject } from "./injectApi";

const selectBuses = (s: LiveState) => s.buses.list;
const selectRules = (s: LiveState) => s.rules.list;

type InjectField = "bus" | "netFn" | "cmd" | "lun" | "data";
const FIELDS: readonly InjectField[] = ["bus", "netFn", "cmd", "lun", "data"];

/** Server issues by field; the whole message (issues listed) when some belong to no field, or none came. */
function sortIssues(e: ApiRequestError): {
  fields: Partial<Record<InjectField, string>>;
  other: string | null;
} {
  const { fields, other } = issuesByField(e.issues, (path) => FIELDS.find((f) => f === path));
  return { fields, other: other.length > 0 || e.issues.length === 0 ? messageOf(e) : null };
}

/** Inject: send a request on a bus as if the host had, and see what came back. */
export function InjectView() {
  const buses = useLiveValue(selectBuses);
  const rules = useLiveValue(selectRules);
  const canControl = useCanControl();
  const operator = useOperator();
  const [busId, setBusId] = useState("");
  const [netFn, setNetFn] = useState<number | null>(NETFN.APP);
  const [cmd, setCmd] = useState<number | null>(0x01);
  const [lun, setLun] = useState(0);
  const [data, setData] = useState("");
  const [busy, setBusy] = useState(false);
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<InjectField, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [results, setResults] = useState<ExchangeDto[]>([]);
  const uid = useId();

  const bus = busId !== "" ? busId : (buses[0]?.id ?? "");
  const dataError = hexError(data);
  const ruleName = useMemo(() => new Map(rules.map((r) => [r.id, r.name])), [rules]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const errors: Partial<Record<InjectField, string>> = {};
    if (bus === "") errors.bus = "choose a bus";
    if (netFn === null) errors.netFn = "choose a netfn";
    if (cmd === null) errors.cmd = "choose a command";
    if (dataError !== null) errors.data = dataError;
    setFieldErrors(errors);
    setError(null);
    if (Object.keys(errors).length > 0 || netFn === null || cmd === null) return;
    setBusy(true);
    try {
      const exchange = await inject({ bus, netFn, lun, cmd, data: data.trim() });
      setResults((r) => [exchange, ...r].slice(0, 10));
    } catch (err) {
      if (err instanceof ApiRequestError) {
        const sorted = sortIssues(err);
        setFieldErrors(sorted.fields);
        setError(sorted.other);
      } else {
        setError(messageOf(err));
      }
    } finally {
      setBusy(false);
    }
  };

  const [latest, ...older] = results;
  const disabled = !canControl || busy;

  return (
    <div className="page inject">
      <div className="toolbar">
        <h1 className="page-title">Inject a request</h1>
        <span className="muted">
          Sent on the bus as if from the host; the response comes back here, not to the host. Injected
          exchanges are marked in the log.
        </span>
      </div>
      <div className="page-scroll">
        <form className="inject-form" onSubmit={submit} noValidate data-testid="inject-form">
          <div className="form-grid">
            <div className={`form-field${fieldErrors.bus ? " has-error" : ""}`}>
              <label className="form-label" htmlFor={`${uid}-bus`}>
                Bus
              </label>
              <BusPicker
                buses={buses}
                value={bus}
                onChange={setBusId}
                disabled={disabled}
                id={`${uid}-bus`}
                data-testid="inject-bus"
              />
              {fieldErrors.bus && <span className="error-text">{fieldErrors.bus}</span>}
            </div>
            <div className={`form-field${fieldErrors.netFn ? " has-error" : ""}`}>
              <label className="form-label" htmlFor={`${uid}-netfn`}>
                NetFn
              </label>
              <NetFnPicker
                value={netFn}
                onChange={(v) => {
                  setNetFn(v);
                  setCmd(null);
                }}
                disabled={disabled}
                id={`${uid}-netfn`}
                data-testid="inject-netfn"
              />
              {fieldErrors.netFn && <span className="error-text">{fieldErrors.netFn}</span>}
            </div>
            <div className={`form-field${fieldErrors.cmd ? " has-error" : ""}`}>
              <label className="form-label" htmlFor={`${uid}-cmd`}>
                Command
              </label>
              <CommandPicker
                netFn={netFn}
                value={cmd}
                onChange={setCmd}
                anyLabel={cmd === null ? "choose a command" : undefined}
                disabled={disabled}
                id={`${uid}-cmd`}
                data-testid="inject-cmd"
              />
              {fieldErrors.cmd && <span className="error-text">{fieldErrors.cmd}</span>}
            </div>
            <div className={`form-field${fieldErrors.lun ? " has-error" : ""}`}>
              <label className="form-label" htmlFor={`${uid}-lun`}>
                LUN
              </label>
              <select
                className="input"
                value={lun}
                onChange={(e) => setLun(Number(e.target.value))}
                disabled={disabled}
                id={`${uid}-lun`}
                data-testid="inject-lun"
              >
                {[0, 1, 2, 3].map((l) => (
                  <option key={l} value={l}>
                    {l}
                    {l === 0 ? " (BMC)" : ""}
                  </option>
                ))}
              </select>
              {fieldErrors.lun && <span className="error-text">{fieldErrors.lun}</span>}
            </div>
            <div className={`form-field form-wide${fieldErrors.data || dataError ? " has-error" : ""}`}>
              <label className="form-label" htmlFor={`${uid}-data`}>
                Request data (hex, after the command byte)
              </label>
              <input
                className="input mono"
                value={data}
                onChange={(e) => setData(e.target.value)}
                placeholder="e.g. 20 01 (empty for none)"
                spellCheck={false}
                autoComplete="off"
                disabled={disabled}
                aria-invalid={dataError !== null}
                id={`${uid}-data`}
                data-testid="inject-data"
              />
              {(fieldErrors.data ?? dataError) && (
                <span className="error-text" role="alert" data-testid="inject-data-error">
                  {fieldErrors.data ?? dataError}
                </span>
              )}
            </div>
          </div>
          <div className="form-actions">
            <button
              type="submit"
              className="btn btn-primary"
              disabled={disabled || dataError !== null}
              data-testid="inject-send"
            >
              {busy ? "Waiting for the answer…" : "Send"}
            </button>
            {error !== null && (
              <span className="error-text" role="alert" data-testid="inject-error">
                {error}
              </span>
            )}
            {operator?.role === "viewer" && (
              <span className="muted" data-testid="inject-readonly">
                Signed in as a viewer: injecting needs an operator.
              </span>
            )}
          </div>
        </form>
        {latest !== undefined && (
          <>
            <h3 className="pad-x">Result</h3>
            <ExchangeResult
              exchange={latest}
              data-testid="inject-result"
              ruleName={latest.ruleId === null ? undefined : ruleName.get(latest.ruleId)}
            />
          </>
        )}
        {older.length > 0 && (
          <>
            <h3 className="pad-x">Earlier this visit</h3>
            {older.map((x) => (
              <ExchangeResult key={x.id} exchange={x} data-testid="inject-history" />
            ))}
          </>
        )}
      </div>
    </div>
  );
}
