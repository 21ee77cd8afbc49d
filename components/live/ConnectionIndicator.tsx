"use client";

import type { ConnectionState } from "./liveStore";
import { useLiveStream } from "./useLiveStream";

const LABELS: Record<ConnectionState, string> = {
  connecting: "Connecting…",
  live: "Live",
  disconnected: "Disconnected",
};

/** The state of the tab's live connection, on every page. */
export function ConnectionIndicator() {
  const { connection, connectionError } = useLiveStream();
  const title =
    connection === "disconnected" && connectionError !== null
      ? `Disconnected (${connectionError}); retrying`
      : LABELS[connection];
  return (
    <output
      className={`conn conn-${connection}`}
      data-testid="connection-status"
      data-state={connection}
      title={title}
      aria-live="polite"
    >
      <span className="conn-dot" aria-hidden="true" />
      {LABELS[connection]}
    </output>
  );
}
