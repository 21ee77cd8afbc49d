import { requestJson } from "@/components/api";
import type { HealthResponse } from "@/server/contract/api";
import type { BusInfo } from "@/server/contract/handlers";
import type { QueuesSnapshot } from "@/server/contract/queues";

/** The buses as GET /api/health lists them. */
export async function fetchBuses(signal: AbortSignal): Promise<BusInfo[]> {
  return (await requestJson<HealthResponse>("/api/health", { signal })).buses;
}

/** What the BMC holds for the host (GET /api/bmc/queues). */
export function fetchQueues(signal: AbortSignal): Promise<QueuesSnapshot> {
  return requestJson<QueuesSnapshot>("/api/bmc/queues", { signal });
}
