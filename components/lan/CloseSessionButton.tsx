"use client";

import { useState } from "react";
import { messageOf } from "@/components/api";
import type { LanSessionInfo } from "@/server/contract/lan";
import { closeLanSession } from "./lanApi";
import { sessionIdHex, sessionUser } from "./lanFormat";

interface CloseSessionButtonProps {
  session: LanSessionInfo;
  /** After the server closed it (or found it already gone): reload the list. */
  onClosed: () => void;
}

/** An operator's "Close" for one session: asks first, DELETEs, and says why if that fails. */
export function CloseSessionButton({ session: s, onClosed }: CloseSessionButtonProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const hex = sessionIdHex(s.id);

  const close = async () => {
    if (!window.confirm(`Close session ${hex} of ${sessionUser(s)} from ${s.peer}?`)) return;
    setBusy(true);
    setError(null);
    try {
      await closeLanSession(s.id);
      onClosed();
    } catch (e) {
      setError(messageOf(e));
      onClosed();
    } finally {
      setBusy(false);
    }
  };

  return (
    <span className="rule-buttons">
      <button
        type="button"
        className="btn btn-danger"
        onClick={close}
        disabled={busy}
        aria-label={`Close session ${hex}`}
        data-testid={`lan-session-close-${s.id}`}
      >
        {busy ? "Closing…" : "Close"}
      </button>
      {error !== null && (
        <span className="error-text" role="alert" title={error} data-testid={`lan-session-error-${s.id}`}>
          {error}
        </span>
      )}
    </span>
  );
}
