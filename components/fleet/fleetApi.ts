/** GET /api/fleet, read so that a node without the fleet (or a server before it) is simply "off". */
import { ApiRequestError, requestJson } from "@/components/api";
import type { FleetStatusDto } from "@/server/contract/fleet";

/** What a lone node is, whether it says so (enabled: false) or has no /api/fleet at all. */
export const FLEET_OFF: FleetStatusDto = { enabled: false, node: "", store: "off", lag: null, nodes: [] };

export async function fetchFleet(signal?: AbortSignal): Promise<FleetStatusDto> {
  try {
    return await requestJson<FleetStatusDto>("/api/fleet", { signal });
  } catch (e) {
    // A server without the route is a server without the fleet.
    if (e instanceof ApiRequestError && e.status === 404) return FLEET_OFF;
    throw e;
  }
}

/** Whether the console should show anything fleet-wide. */
export function fleetOn(status: FleetStatusDto | null): status is FleetStatusDto {
  return status?.enabled === true;
}
