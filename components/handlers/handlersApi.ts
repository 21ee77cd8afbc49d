/** The REST calls of the Handlers page, typed against the API contract. */
import { requestJson } from "@/components/api";
import type { HandlersResponse, PatchHandlerBody } from "@/server/contract/api";
import type { HandlerInfo } from "@/server/contract/handlers";

export async function fetchHandlers(signal?: AbortSignal): Promise<HandlerInfo[]> {
  return (await requestJson<HandlersResponse>("/api/handlers", { signal })).handlers;
}

export function setHandlerEnabled(id: string, enabled: boolean): Promise<HandlerInfo> {
  const body: PatchHandlerBody = { enabled };
  return requestJson<HandlerInfo>(`/api/handlers/${encodeURIComponent(id)}`, { method: "PATCH", body });
}
