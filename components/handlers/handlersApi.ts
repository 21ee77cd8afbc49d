/** The REST calls of the Handlers page, typed against the API contract. */
import { requestJson } from "@/components/api";
import { withTarget } from "@/components/fleet/nodeChoice";
import type { HandlersResponse, PatchHandlerBody } from "@/server/contract/api";
import type { HandlerInfo } from "@/server/contract/handlers";

/** `node`: another fleet node's handlers (read over the fleet); absent: this node's. */
export async function fetchHandlers(signal?: AbortSignal, node?: string): Promise<HandlerInfo[]> {
  return (await requestJson<HandlersResponse>(withTarget("/api/handlers", node), { signal })).handlers;
}

/** `node`: another fleet node to switch it on (handler ids are the same on every node); absent: here. */
export function setHandlerEnabled(id: string, enabled: boolean, node?: string): Promise<HandlerInfo> {
  const body: PatchHandlerBody = { enabled };
  const path = withTarget(`/api/handlers/${encodeURIComponent(id)}`, node);
  return requestJson<HandlerInfo>(path, { method: "PATCH", body });
}
