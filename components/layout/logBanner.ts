import type { HealthResponse } from "@/server/contract/api";

/** What the log banner says, from GET /api/health; null when the log is fine and nothing was lost. */
export function logBannerText(health: Pick<HealthResponse, "log"> | null): string | null {
  const w = health?.log?.writer;
  if (!w) return null;
  const lost =
    w.dropped > 0
      ? `${w.dropped.toLocaleString("en-US")} exchange${w.dropped === 1 ? "" : "s"} not logged since start` +
        (w.lastDropped ? ` (last ids ${w.lastDropped.firstId}–${w.lastDropped.lastId})` : "")
      : null;
  if (w.status === "degraded") {
    const buffered = `${w.buffered.toLocaleString("en-US")} of ${w.bufferLimit.toLocaleString("en-US")} buffered`;
    return `Exchange log degraded: ${w.reason ?? "unknown"}. ${buffered}${lost ? `; ${lost}` : ""}.`;
  }
  return lost ? `Exchange log: ${lost}.` : null;
}
