/** Pages of the audit trail, newest first. */
import { requestJson } from "@/components/api";
import type { AuditPage } from "@/server/contract/control";

export const AUDIT_PAGE_SIZE = 100;

export function fetchAudit(before: number | null, signal?: AbortSignal): Promise<AuditPage> {
  const params = new URLSearchParams({ limit: String(AUDIT_PAGE_SIZE) });
  if (before !== null) params.set("before", String(before));
  return requestJson<AuditPage>(`/api/audit?${params.toString()}`, { signal });
}
