"use client";

import { type FormEvent, useId, useMemo, useState } from "react";
import { ApiRequestError, messageOf } from "@/components/api";
import { bytesOf, groupOf, netFnLabel } from "@/components/format";
import { CompletionCodePicker } from "@/components/ipmi/Pickers";
import { DecodedFields } from "@/components/live/DecodedFields";
import type { HeldResolutionNote } from "@/components/live/state/held";
import { useLiveStore } from "@/components/live/useLiveStream";
import { useNow } from "@/components/useNow";
import type { HeldRequestDto, RuleDto } from "@/server/contract/control";
import { commandLabel, decodeRequest, decodeResponse } from "@/server/ipmi/commands";
import { completionCodeName } from "@/server/ipmi/completion-codes";
import { hexByte, parseHex, toHex } from "@/server/ipmi/hex";
import { answerHeld, dropHeld, passHeld } from "./heldApi";
import { expiryText, formatRemaining, remainingFraction, remainingMs, resolutionText } from "./heldFormat";

type Action = "answer" | "pass" | "drop";

interface HeldCardProps {
  held: HeldRequestDto;
  rule: RuleDto | undefined;
  clockOffsetMs: number;
  canControl: boolean;
  /** Set when the request already left the queue: the card only says what became of it. */
  resolved?: HeldResolutionNote;
  /** The fleet node the request is held on (ids are per node); absent: this node. */
  target?: string;
  /** Takes the card away once acted on (`message`: someone was first); default: this node's live store. */
  onSettled?: (id: number, conflict?: { message: string | null }) => void;
}

/** Ticks on its own, so the card around it does not re-render ten times a second. */
function Countdown({ held, clockOffsetMs }: { held: HeldRequestDto; clockOffsetMs: number }) {
  const now = useNow(100);
  const left = remainingMs(held.deadline, clockOffsetMs, now);
  const fraction = remainingFraction(held, left);
  const urgent = left < 2000;
  return (
    <span
      className={`countdown${urgent ? " urgent" : ""}`}
      title={`Deadline ${new Date(held.deadline).toISOString()}; ${expiryText(held.onExpiry)}`}
    >
      <span className="countdown-bar" aria-hidden="true">
        <span style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
      </span>
      <span
        className="mono countdown-text"
        data-testid={`held-countdown-${held.id}`}
        data-remaining-ms={Math.max(0, Math.round(left))}
      >
        {formatRemaining(left)}
      </span>
    </span>
  );
}

/** One held request: what it is, how long it may wait, and the operator's answer. */
export function HeldCard({
  held,
  rule,
  clockOffsetMs,
  canControl,
  resolved,
  target,
  onSettled,
}: HeldCardProps) {
  const store = useLiveStore();
  const settled =
    onSettled ?? ((id: number, conflict?: { message: string | null }) => store.dismissHeld(id, conflict));
  const [cc, setCc] = useState<number>(held.suggested?.cc ?? 0);
  const [data, setData] = useState<string>(held.suggested?.data ?? "");
  const [busy, setBusy] = useState<Action | null>(null);
  const [error, setError] = useState<string | null>(null);
  const uid = useId();

  const parsed = useMemo(() => parseHex(data), [data]);
  const dataError = parsed.ok ? (parsed.bytes.length > 255 ? "at most 255 bytes" : null) : parsed.error;
  const group = groupOf(held.netFn, held.request);
  const command = commandLabel(held.netFn, held.cmd, group);
  const inactive = resolved !== undefined || !canControl;
  const requestBytes = useMemo(() => bytesOf(held.request), [held.request]);
  const decodedRequest = useMemo(
    () => decodeRequest(held.netFn, held.cmd, requestBytes),
    [held.netFn, held.cmd, requestBytes],
  );
  // The answer as the host will read it, field by field, while it is being edited.
  const decodedAnswer = useMemo(
    () =>
      parsed.ok && dataError === null
        ? decodeResponse(held.netFn, held.cmd, cc, parsed.bytes, requestBytes)
        : undefined,
    [held.netFn, held.cmd, cc, parsed, dataError, requestBytes],
  );

  const act = async (action: Action) => {
    if (action === "answer" && (!parsed.ok || dataError !== null)) {
      setError(dataError);
      return;
    }
    setBusy(action);
    setError(null);
    try {
      if (action === "answer") await answerHeld(held.id, cc, parsed.ok ? toHex(parsed.bytes) : "", target);
      else if (action === "pass") await passHeld(held.id, target);
      else await dropHeld(held.id, target);
      settled(held.id);
    } catch (e) {
      if (e instanceof ApiRequestError && (e.status === 409 || e.status === 404)) {
        // Someone (or the deadline) was first: say so on this card, then it goes.
        settled(held.id, { message: e.message });
      } else {
        setError(messageOf(e));
      }
    } finally {
      setBusy(null);
    }
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void act("answer");
  };

  return (
    <article
      className={`held-card${resolved ? " is-resolved" : ""}`}
      data-testid={`held-${held.id}`}
      data-held-id={held.id}
      data-state={resolved ? "resolved" : "held"}
      data-resolution={resolved?.resolution}
      aria-label={`Held request ${held.id}: ${command}`}
    >
      <header className="held-head">
        <h2>
          {command} <span className="muted mono">{hexByte(held.cmd)}</span>
        </h2>
        <span className="muted">{netFnLabel(held.netFn)}</span>
        <span className="spacer" />
        {resolved === undefined && <Countdown held={held} clockOffsetMs={clockOffsetMs} />}
      </header>
      <dl className="held-fields">
        <div>
          <dt>Exchange</dt>
          <dd className="mono">#{held.id}</dd>
        </div>
        <div>
          <dt>Bus</dt>
          <dd>{held.busId}</dd>
        </div>
        <div>
          <dt>Seq</dt>
          <dd className="mono">{held.seq ?? "—"}</dd>
        </div>
        <div>
          <dt>LUN</dt>
          <dd className="mono">{held.lun}</dd>
        </div>
        <div>
          <dt>Rule</dt>
          <dd data-testid={`held-rule-${held.id}`}>
            rule #{held.ruleId}
            {rule !== undefined && <span className="muted"> {rule.name}</span>}
          </dd>
        </div>
        <div className="held-request">
          <dt>Request</dt>
          <dd className="mono" data-testid={`held-request-${held.id}`}>
            {held.request === "" ? <span className="muted">no data</span> : held.request}
          </dd>
        </div>
      </dl>
      {decodedRequest !== undefined && decodedRequest.length > 0 && (
        <details className="held-decoded">
          <summary className="muted">Request fields</summary>
          <DecodedFields fields={decodedRequest} data-testid={`held-request-decoded-${held.id}`} />
        </details>
      )}

      {resolved !== undefined ? (
        <p className="held-resolution" role="status" data-testid={`held-resolution-${held.id}`}>
          {resolutionText(resolved)}
        </p>
      ) : (
        <form className="held-editor" onSubmit={onSubmit}>
          <p className="muted held-suggested">
            {held.suggested !== null
              ? `Prefilled with what ${held.suggested.handlerId ?? "the handler"} would answer${held.suggestedNote ? ` (${held.suggestedNote})` : ""}.`
              : (held.suggestedNote ??
                "The handler was not asked (it would change state): nothing to prefill.")}
          </p>
          <div className="form-field">
            <label className="form-label" htmlFor={`${uid}-cc`}>
              Completion code
            </label>
            <CompletionCodePicker
              value={cc}
              onChange={(v) => setCc(v ?? 0)}
              disabled={inactive || busy !== null}
              aria-label={`Completion code for held request ${held.id}`}
              id={`${uid}-cc`}
              data-testid={`held-cc-${held.id}`}
            />
          </div>
          <label className={`form-field held-data${dataError ? " has-error" : ""}`}>
            <span className="form-label">Response data (hex, after the completion code)</span>
            <input
              className="input mono"
              value={data}
              onChange={(e) => setData(e.target.value)}
              disabled={inactive || busy !== null}
              aria-invalid={dataError !== null}
              spellCheck={false}
              autoComplete="off"
              placeholder={cc === 0 ? "response bytes" : "usually empty for an error"}
              data-testid={`held-data-${held.id}`}
            />
            {dataError !== null ? (
              <span className="error-text" role="alert" data-testid={`held-data-error-${held.id}`}>
                {dataError}
              </span>
            ) : (
              <span className="muted form-hint">
                {parsed.ok ? `${parsed.bytes.length} bytes` : ""} · {hexByte(cc)} {completionCodeName(cc)}
              </span>
            )}
          </label>
          {decodedAnswer !== undefined && decodedAnswer.length > 0 && (
            <div className="held-decoded">
              <span className="form-label">The answer, decoded</span>
              <DecodedFields fields={decodedAnswer} data-testid={`held-decoded-${held.id}`} />
            </div>
          )}
          <div className="held-buttons">
            <button
              type="submit"
              className="btn btn-primary"
              disabled={inactive || busy !== null || dataError !== null}
              data-testid={`held-answer-${held.id}`}
            >
              {busy === "answer" ? "Answering…" : "Answer"}
            </button>
            <button
              type="button"
              className="btn"
              onClick={() => void act("pass")}
              disabled={inactive || busy !== null}
              data-testid={`held-pass-${held.id}`}
            >
              {busy === "pass" ? "Passing…" : "Pass to handler"}
            </button>
            <button
              type="button"
              className="btn btn-danger"
              onClick={() => void act("drop")}
              disabled={inactive || busy !== null}
              data-testid={`held-drop-${held.id}`}
              title="Send nothing: the host times out"
            >
              {busy === "drop" ? "Dropping…" : "Drop"}
            </button>
            {error !== null && (
              <span className="error-text" role="alert" data-testid={`held-error-${held.id}`}>
                {error}
              </span>
            )}
          </div>
        </form>
      )}
    </article>
  );
}
