/** The REST calls of the Rules page (bodies as the contract's JSON: bytes as hex text). */
import { requestJson } from "@/components/api";
import { withTarget } from "@/components/fleet/nodeChoice";
import type { RuleDto } from "@/server/contract/control";

/** `node`: another fleet node's rules (read over the fleet); absent: this node's. */
export async function fetchRules(signal?: AbortSignal, node?: string): Promise<RuleDto[]> {
  return (await requestJson<{ rules: RuleDto[] }>(withTarget("/api/rules", node), { signal })).rules;
}

/*
 * `node`: another fleet node to act on (absent: here). Rule ids are per node: patch and
 * delete only with ids read from that node.
 */

export function createRule(body: Record<string, unknown>, node?: string): Promise<RuleDto> {
  return requestJson<RuleDto>(withTarget("/api/rules", node), { method: "POST", body });
}

export function patchRule(id: number, body: Record<string, unknown>, node?: string): Promise<RuleDto> {
  return requestJson<RuleDto>(withTarget(`/api/rules/${id}`, node), { method: "PATCH", body });
}

export function deleteRule(id: number, node?: string): Promise<void> {
  return requestJson<void>(withTarget(`/api/rules/${id}`, node), { method: "DELETE" });
}
