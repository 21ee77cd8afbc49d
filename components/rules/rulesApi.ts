/** The REST calls of the Rules page (bodies as the contract's JSON: bytes as hex text). */
import { requestJson } from "@/components/api";
import type { RuleDto } from "@/server/contract/control";

export async function fetchRules(signal?: AbortSignal): Promise<RuleDto[]> {
  return (await requestJson<{ rules: RuleDto[] }>("/api/rules", { signal })).rules;
}

export function createRule(body: Record<string, unknown>): Promise<RuleDto> {
  return requestJson<RuleDto>("/api/rules", { method: "POST", body });
}

export function patchRule(id: number, body: Record<string, unknown>): Promise<RuleDto> {
  return requestJson<RuleDto>(`/api/rules/${id}`, { method: "PATCH", body });
}

export function deleteRule(id: number): Promise<void> {
  return requestJson<void>(`/api/rules/${id}`, { method: "DELETE" });
}
