/** Pages of the audit trail, newest first. */
import { requestJson } from "@/components/api";
import type { AuditPage } from "@/server/contract/control";

export const AUDIT_PAGE_SIZE = 100;

/**
 * A page of this node's trail (`node` null), or of another node's or every node's from the
 * fleet's store; `cursor` is the previous page's `nextCursor`.
 */
export function fetchAudit(
  node: string | null,
  cursor: string | null,
  signal?: AbortSignal,
): Promise<AuditPage> {
  const params = new URLSearchParams({ limit: String(AUDIT_PAGE_SIZE) });
  if (node !== null) params.set("node", node);
  if (cursor !== null) params.set("cursor", cursor);
  return requestJson<AuditPage>(`/api/audit?${params.toString()}`, { signal });
}
