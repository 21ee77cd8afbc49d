"use client";

import { useState } from "react";
import { messageOf } from "@/components/api";
import type { HandlerInfo } from "@/server/contract/handlers";
import { setHandlerEnabled } from "./handlersApi";

interface HandlerToggleProps {
  handler: HandlerInfo;
  /** The handler as the server answered the PATCH. */
  onChanged: (handler: HandlerInfo) => void;
  /** Read-only (a viewer): shows the state, changes nothing. */
  readOnly?: boolean;
  /** Another fleet node the switch acts on; absent: this node. */
  target?: string;
}

/** The enabled switch of one handler: PATCHes the server and shows why if that fails. */
export function HandlerToggle({ handler, onChanged, readOnly = false, target }: HandlerToggleProps) {
  const [pending, setPending] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const checked = pending ?? handler.enabled;

  const toggle = async () => {
    const enabled = !checked;
    setPending(enabled);
    setError(null);
    try {
      onChanged(await setHandlerEnabled(handler.id, enabled, target));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setPending(null);
    }
  };

  return (
    <span className="toggle-cell">
      <label
        className="switch"
        title={
          readOnly
            ? `${checked ? "Enabled" : "Disabled"} (viewers cannot change handlers)`
            : checked
              ? "Enabled: click to disable"
              : "Disabled: click to enable"
        }
      >
        <input
          type="checkbox"
          role="switch"
          aria-checked={checked}
          aria-label={`Enable handler ${handler.id}`}
          aria-busy={pending !== null}
          checked={checked}
          disabled={readOnly || pending !== null}
          onChange={toggle}
          data-testid={`handler-toggle-${handler.id}`}
        />
        <span className="switch-track" aria-hidden="true" />
      </label>
      {error !== null && (
        <span className="error-text" role="alert" title={error} data-testid={`handler-error-${handler.id}`}>
          {error}
        </span>
      )}
    </span>
  );
}
