"use client";

import { useEffect, useState } from "react";
import { requestJson } from "@/components/api";
import { formatIso } from "@/components/format";
import type { HealthResponse } from "@/server/contract/api";
import { formatBytes, type LogInfo, logInfoOf, retentionLabel } from "./historyState";

/** The log's size on disk, its oldest record and retention, from GET /api/health; nothing when it has none. */
export function LogInfoLine() {
  const [info, setInfo] = useState<LogInfo | null>(null);
  useEffect(() => {
    const abort = new AbortController();
    requestJson<HealthResponse>("/api/health", { signal: abort.signal })
      .then((health) => setInfo(logInfoOf(health)))
      .catch(() => setInfo(null));
    return () => abort.abort();
  }, []);
  if (info === null) return null;
  const parts: string[] = [];
  if (info.sizeBytes !== null) parts.push(`log ${formatBytes(info.sizeBytes)}`);
  if (info.oldestId !== null || info.oldestReceivedAt !== null) {
    const id = info.oldestId === null ? "" : ` #${info.oldestId}`;
    const at = info.oldestReceivedAt === null ? "" : ` at ${formatIso(info.oldestReceivedAt)}`;
    parts.push(`oldest${id}${at}`);
  }
  const kept = retentionLabel(info.retention);
  if (kept !== null) parts.push(`keeps ${kept}`);
  return (
    <span
      className="muted"
      data-testid="history-log-info"
      data-size-bytes={info.sizeBytes ?? undefined}
      data-oldest-id={info.oldestId ?? undefined}
    >
      {parts.join(", ")}
    </span>
  );
}
