/** The REST calls of the LAN pages (Sessions, IPMI Users), typed against the contract. */
import { requestJson } from "@/components/api";
import type {
  IpmiUserInfo,
  IpmiUserPatch,
  IpmiUsersResponse,
  LanSessionsResponse,
} from "@/server/contract/lan";

export function fetchLanSessions(signal?: AbortSignal): Promise<LanSessionsResponse> {
  return requestJson<LanSessionsResponse>("/api/lan/sessions", { signal });
}

/** Closes an open session (operators); rejects with 404 when it was not open any more. */
export function closeLanSession(id: number): Promise<void> {
  return requestJson<void>(`/api/lan/sessions/${id >>> 0}`, { method: "DELETE" });
}

export async function fetchIpmiUsers(signal?: AbortSignal): Promise<IpmiUserInfo[]> {
  return (await requestJson<IpmiUsersResponse>("/api/ipmi-users", { signal })).users;
}

/** Changes one user (operators); resolves to the user as the server now has it. */
export function patchIpmiUser(id: number, patch: IpmiUserPatch): Promise<IpmiUserInfo> {
  return requestJson<IpmiUserInfo>(`/api/ipmi-users/${id}`, { method: "PATCH", body: patch });
}
