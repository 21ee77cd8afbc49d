"use client";

import { memo, useState } from "react";
import { messageOf } from "@/components/api";
import { fleetOn } from "@/components/fleet/fleetApi";
import { useFleet } from "@/components/fleet/useFleet";
import { ExchangeResult } from "@/components/inject/ExchangeResult";
import { replay } from "@/components/inject/injectApi";
import type { ExchangeDto } from "@/server/contract/exchange";
import { OriginBadge, RuleTag } from "./OriginBadge";
import type { LiveState } from "./state/store";
import { useCanControl, useLiveValue } from "./useLiveStream";

const selectRules = (s: LiveState) => s.rules.list;

interface ReplayPanelProps {
  exchange: ExchangeDto;
  /** Selects an exchange in the table (the replay's own record). */
  onShow: (exchange: ExchangeDto) => void;
}

/**
 * Above the detail pane: where the selected exchange came from (origin, rule) and a
 * Replay button that sends its request again and shows what came back.
 * Keyed by exchange id by its parent, so a new selection starts clean; memoised, as the
 * detail pane, so the Live page's per-batch renders pass it by.
 */
export const ReplayPanel = memo(function ReplayPanel({ exchange: x, onShow }: ReplayPanelProps) {
  const canControl = useCanControl();
  const rules = useLiveValue(selectRules);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ExchangeDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const rule = x.ruleId === null ? undefined : rules.find((r) => r.id === x.ruleId);
  const { status } = useFleet();
  // The replay route acts on this node's log only: another node's id here names another exchange.
  const otherNode =
    x.node !== undefined && x.node !== (fleetOn(status) ? status.node : undefined) ? x.node : null;
  const replayable = x.netFn !== null && x.cmd !== null && otherNode === null;

  const onReplay = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await replay(x.id));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="replay-panel" data-testid="replay-panel" data-id={x.id}>
      <div className="replay-bar">
        <span className="muted">Origin</span>
        <span data-testid="detail-origin">{x.origin}</span>
        <OriginBadge origin={x.origin} />
        {x.ruleId !== null && (
          <>
            <span className="muted">· acted on by</span>
            <RuleTag ruleId={x.ruleId} name={rule?.name} />
            {rule !== undefined && <span className="muted rule-name-inline">{rule.name}</span>}
          </>
        )}
        <span className="spacer" />
        {canControl && (
          <button
            type="button"
            className="btn"
            onClick={onReplay}
            disabled={busy || !replayable}
            title={
              otherNode !== null
                ? `From node ${otherNode}: replay it from that node's console`
                : replayable
                  ? "Send this request again on its bus (marked replay)"
                  : "Nothing to replay: the frame had no header"
            }
            data-testid="replay"
          >
            {busy ? "Replaying…" : "↻ Replay"}
          </button>
        )}
      </div>
      {error !== null && (
        <p className="error-text pad-x" role="alert" data-testid="replay-error">
          {error}
        </p>
      )}
      {result !== null && (
        <div className="replay-result-wrap">
          <ExchangeResult exchange={result} data-testid="replay-result" />
          <button type="button" className="btn" onClick={() => onShow(result)} data-testid="replay-show">
            Show #{result.id}
          </button>
        </div>
      )}
    </div>
  );
});
