"use client";

import { useState } from "react";
import { messageOf } from "@/components/api";
import { SIGNED_OUT_LINGER_MS } from "@/components/live/connectLive";
import { useLiveStore, useOperator } from "@/components/live/useLiveStream";
import { logout } from "./authApi";
import { goToLogin } from "./navigation";

/** Who is signed in (and as what), and the way out. */
export function UserMenu() {
  const store = useLiveStore();
  const operator = useOperator();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const signOut = async () => {
    setBusy(true);
    setError(null);
    try {
      await logout();
      // The server ends the socket too; stop it here at once either way.
      store.signOut("signed out");
      goToLogin({ signedOut: true, delayMs: SIGNED_OUT_LINGER_MS / 2 });
    } catch (e) {
      setBusy(false);
      setError(messageOf(e));
    }
  };

  return (
    <span className="user-menu">
      {operator !== null && (
        <span
          className="user"
          data-testid="nav-user"
          data-role={operator.role}
          title={`Signed in as ${operator.username}`}
        >
          {operator.username} <span className={`role role-${operator.role}`}>{operator.role}</span>
        </span>
      )}
      <button type="button" className="btn" onClick={signOut} disabled={busy} data-testid="sign-out">
        {busy ? "Signing out…" : "Sign out"}
      </button>
      {error !== null && (
        <span className="error-text" role="alert" title={error}>
          {error}
        </span>
      )}
    </span>
  );
}
