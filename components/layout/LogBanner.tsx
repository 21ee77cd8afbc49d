"use client";

import { requestJson } from "@/components/api";
import { logBannerText } from "@/components/layout/logBanner";
import { usePolling } from "@/components/usePolling";
import type { HealthResponse } from "@/server/contract/api";

const loadHealth = (signal: AbortSignal) => requestJson<HealthResponse>("/api/health", { signal });

/** A strip under the nav while the exchange log is degraded or has lost exchanges (GET /api/health every 5 s). */
export function LogBanner() {
  const { data } = usePolling(loadHealth, 5000);
  const text = logBannerText(data);
  if (text === null) return null;
  return (
    <div className="held-banner" role="alert" data-testid="log-banner">
      {text}
    </div>
  );
}
