"use client";

import type { ConnectionStatus } from "./state/connection";
import type { LiveState } from "./state/store";
import { useLiveValue } from "./useLiveStream";

const selectConnection = (s: LiveState) => s.connection.status;
const selectError = (s: LiveState) => s.connection.error;

const LABELS: Record<ConnectionStatus, string> = {
  connecting: "Connecting…",
  live: "Live",
  disconnected: "Disconnected",
  "signed-out": "Signed out",
};

function titleOf(connection: ConnectionStatus, error: string | null): string {
  if (connection === "signed-out") return "Signed out: the live stream stopped";
  if (connection === "disconnected" && error !== null) return `Disconnected (${error}); retrying`;
  return LABELS[connection];
}

/** The state of the tab's live connection, on every page. */
export function ConnectionIndicator() {
  const connection = useLiveValue(selectConnection);
  const connectionError = useLiveValue(selectError);
  return (
    <output
      className={`conn conn-${connection}`}
      data-testid="connection-status"
      data-state={connection}
      title={titleOf(connection, connectionError)}
      aria-live="polite"
    >
      <span className="conn-dot" aria-hidden="true" />
      {LABELS[connection]}
    </output>
  );
}
