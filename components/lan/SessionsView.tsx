"use client";

import { useCanControl } from "@/components/live/useLiveStream";
import { usePolling } from "@/components/usePolling";
import { LanWarnings } from "./LanWarnings";
import { fetchLanSessions } from "./lanApi";
import { ipmitoolHint } from "./lanFormat";
import { SessionsTable } from "./SessionsTable";

/** How often the list is read again (sessions come and go over UDP; no socket events for them). */
const REFRESH_MS = 2000;

/** The Sessions page: the LAN channel's address, limits, security warnings and open sessions. */
export function SessionsView() {
  const canControl = useCanControl();
  const { data, error, reload } = usePolling(fetchLanSessions, REFRESH_MS);
  const hint = data?.listening ? ipmitoolHint(data.listening) : null;

  return (
    <div className="page lan">
      <div className="toolbar">
        <h1 className="page-title">LAN sessions</h1>
        {data !== null && (
          <>
            {data.listening === null ? (
              <span className="pill" data-testid="lan-listening" data-listening="">
                LAN is off
              </span>
            ) : (
              <span className="pill mono" data-testid="lan-listening" data-listening={data.listening}>
                listening on {data.listening}
              </span>
            )}
            <span className="muted" data-testid="lan-session-counts">
              {data.sessions.length} of {data.limit} sessions open · closed after {data.idleTimeoutSeconds} s
              idle
            </span>
          </>
        )}
        {error !== null && (
          <span className="error-text" role="alert" data-testid="lan-sessions-error">
            Could not load the sessions: {error}
          </span>
        )}
      </div>
      {data !== null && <LanWarnings warnings={data.warnings} />}
      <div className="page-scroll">
        {data === null ? (
          error === null && <p className="muted pad">Loading sessions…</p>
        ) : data.sessions.length === 0 ? (
          <>
            <p className="muted pad" data-testid="lan-sessions-empty">
              No open sessions.
            </p>
            {hint !== null && (
              <p className="muted pad">
                A console opens one with, say: <code className="mono">{hint}</code>
              </p>
            )}
          </>
        ) : (
          <SessionsTable
            sessions={data.sessions}
            idleTimeoutSeconds={data.idleTimeoutSeconds}
            canControl={canControl}
            onClosed={reload}
          />
        )}
      </div>
    </div>
  );
}
