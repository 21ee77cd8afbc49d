"use client";

import { useState } from "react";
import { messageOf } from "@/components/api";
import { controlTarget } from "@/components/fleet/nodeChoice";
import { RemoteNote } from "@/components/fleet/RemoteNote";
import { useNodeChoice } from "@/components/fleet/useNodeChoice";
import { useRemoteList } from "@/components/fleet/useRemoteList";
import type { LiveState, LiveStore } from "@/components/live/state/store";
import { useCanControl, useLiveStore, useLiveValue, useOperator } from "@/components/live/useLiveStream";
import { useRestFallback } from "@/components/live/useRestFallback";
import type { RuleDto } from "@/server/contract/control";
import { RuleForm } from "./RuleForm";
import { describeAction, describeMatch } from "./ruleFormat";
import { deleteRule, fetchRules, patchRule } from "./rulesApi";

const selectRules = (s: LiveState) => s.rules.list;
const selectRulesSource = (s: LiveState) => s.rules.source;
const selectBuses = (s: LiveState) => s.buses.list;

const loadRules = async (store: LiveStore, signal?: AbortSignal) =>
  store.setRulesFromRest(await fetchRules(signal));
const loadRulesOf = (node: string, signal: AbortSignal) => fetchRules(signal, node);

interface RuleRowProps {
  rule: RuleDto;
  index: number;
  count: number;
  canControl: boolean;
  /** The fleet node the rule is on (ids are per node); absent: this node. */
  target: string | undefined;
  onChanged: (rule: RuleDto) => void;
  onDeleted: (id: number) => void;
}

function RuleRow({ rule, index, count, canControl, target, onChanged, onDeleted }: RuleRowProps) {
  const [busy, setBusy] = useState<null | "toggle" | "move" | "delete">(null);
  const [pendingEnabled, setPendingEnabled] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const enabled = pendingEnabled ?? rule.enabled;

  const run = async (kind: "toggle" | "move" | "delete", action: () => Promise<void>) => {
    setBusy(kind);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
      setPendingEnabled(null);
    }
  };

  const toggle = () =>
    run("toggle", async () => {
      setPendingEnabled(!enabled);
      onChanged(await patchRule(rule.id, { enabled: !enabled }, target));
    });
  const move = (position: number) =>
    run("move", async () => {
      onChanged(await patchRule(rule.id, { position }, target));
    });
  const remove = () =>
    run("delete", async () => {
      await deleteRule(rule.id, target);
      onDeleted(rule.id);
    });

  return (
    <tr
      data-testid={`rule-${rule.id}`}
      data-position={index}
      data-enabled={rule.enabled}
      className={rule.enabled ? undefined : "is-disabled"}
    >
      <td className="num mono">{index + 1}</td>
      <td>
        <span className="rule-name">{rule.name}</span> <span className="muted mono">#{rule.id}</span>
      </td>
      <td className="rule-match">
        {describeMatch(rule.match).map((part) => (
          <span key={part} className="chip">
            {part}
          </span>
        ))}
      </td>
      <td>
        <span className={`action action-${rule.action.type}`}>{describeAction(rule.action)}</span>
      </td>
      <td className="num mono" data-testid={`rule-hits-${rule.id}`} data-hits={rule.hits}>
        {rule.hits}
      </td>
      <td>
        <label className="switch" title={enabled ? "Enabled: click to disable" : "Disabled: click to enable"}>
          <input
            type="checkbox"
            role="switch"
            aria-checked={enabled}
            aria-label={`Enable rule ${rule.name}`}
            aria-busy={busy === "toggle"}
            checked={enabled}
            disabled={!canControl || busy !== null}
            onChange={toggle}
            data-testid={`rule-toggle-${rule.id}`}
          />
          <span className="switch-track" aria-hidden="true" />
        </label>
      </td>
      <td className="rule-buttons">
        {canControl && (
          <>
            <button
              type="button"
              className="btn btn-icon"
              onClick={() => move(index - 1)}
              disabled={index === 0 || busy !== null}
              aria-label={`Move rule ${rule.name} up`}
              title="Move up (checked earlier)"
              data-testid={`rule-up-${rule.id}`}
            >
              ↑
            </button>
            <button
              type="button"
              className="btn btn-icon"
              onClick={() => move(index + 1)}
              disabled={index === count - 1 || busy !== null}
              aria-label={`Move rule ${rule.name} down`}
              title="Move down (checked later)"
              data-testid={`rule-down-${rule.id}`}
            >
              ↓
            </button>
            <button
              type="button"
              className="btn btn-danger"
              onClick={remove}
              disabled={busy !== null}
              aria-label={`Delete rule ${rule.name}`}
              data-testid={`rule-delete-${rule.id}`}
            >
              Delete
            </button>
          </>
        )}
        {error !== null && (
          <span className="error-text" role="alert" title={error} data-testid={`rule-error-${rule.id}`}>
            {error}
          </span>
        )}
      </td>
    </tr>
  );
}

/**
 * The Rules page: the ordered rule list (first match wins) and the form for a new one; with
 * one other node chosen, that node's list (GET /api/rules?node=, polled), changed there.
 */
export function RulesView() {
  const store = useLiveStore();
  const localRules = useLiveValue(selectRules);
  const localSource = useLiveValue(selectRulesSource);
  const buses = useLiveValue(selectBuses);
  const canControl = useCanControl();
  const operator = useOperator();
  // While the socket is not live the REST API is the source.
  const { loadError, reloadUnlessLive } = useRestFallback(loadRules);
  const { self, choice } = useNodeChoice();
  const target = controlTarget(choice);
  const remote = useRemoteList(target, loadRulesOf, 3000);
  const rules = target === undefined ? localRules : (remote.data ?? []);
  const source = target === undefined ? localSource : remote.data === null ? "none" : "remote";
  const shownError = target === undefined ? loadError : remote.error;

  const onChanged = (rule: RuleDto) => {
    if (target !== undefined) {
      // A move renumbers the others: read the list again.
      remote.replace((list) => list.map((r) => (r.id === rule.id ? rule : r)));
      remote.reload();
      return;
    }
    store.upsertRule(rule);
    reloadUnlessLive();
  };
  const onCreated = (rule: RuleDto) => {
    if (target !== undefined) remote.reload();
    else onChanged(rule);
  };
  const onDeleted = (id: number) => {
    if (target !== undefined) {
      remote.replace((list) => list.filter((r) => r.id !== id));
      remote.reload();
      return;
    }
    store.removeRule(id);
    reloadUnlessLive();
  };

  const enabled = rules.filter((r) => r.enabled).length;

  return (
    <div className="page rules">
      <div className="toolbar">
        <h1 className="page-title">Response rules</h1>
        <span className="muted" data-testid="rule-counts">
          {rules.length} rules, {enabled} enabled · checked in order before the handlers; the first match acts
        </span>
        {source === "rest" && <span className="pill">from REST (socket not live)</span>}
        {shownError !== null && (target !== undefined || source === "none") && (
          <span className="error-text" role="alert" data-testid="rules-load-error">
            Could not load {target === undefined ? "rules" : `node ${target}'s rules`}: {shownError}
          </span>
        )}
      </div>
      {target !== undefined && <RemoteNote target={target} self={self} what="rules" />}
      {choice.kind === "all" && <RemoteNote target={null} self={self} what="rules" />}
      <div className="page-scroll">
        {source === "none" && shownError === null ? (
          <p className="muted pad">Loading rules…</p>
        ) : rules.length === 0 ? (
          <p className="muted pad" data-testid="rules-empty">
            No rules: every request goes to its handler.
          </p>
        ) : (
          <table className="htable rtable" data-testid="rules-table">
            <thead>
              <tr>
                <th scope="col" className="num">
                  #
                </th>
                <th scope="col">Name</th>
                <th scope="col">Match</th>
                <th scope="col">Action</th>
                <th scope="col" className="num">
                  Hits
                </th>
                <th scope="col">Enabled</th>
                <th scope="col">{canControl ? "Order" : ""}</th>
              </tr>
            </thead>
            <tbody>
              {rules.map((rule, i) => (
                <RuleRow
                  key={rule.id}
                  rule={rule}
                  index={i}
                  count={rules.length}
                  canControl={canControl}
                  target={target}
                  onChanged={onChanged}
                  onDeleted={onDeleted}
                />
              ))}
            </tbody>
          </table>
        )}
        {canControl && <RuleForm buses={buses} onCreated={onCreated} target={target} />}
        {operator?.role === "viewer" && (
          <p className="muted pad" data-testid="rules-readonly">
            Signed in as a viewer: rules can be watched, not changed.
          </p>
        )}
      </div>
    </div>
  );
}
