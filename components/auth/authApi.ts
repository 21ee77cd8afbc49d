/** Sign-in, first-run setup, sign-out and the session check, typed against the contract. */
import { requestJson } from "@/components/api";
import type { LoginBody, OperatorInfo, SessionResponse } from "@/server/contract/control";

export function fetchSession(signal?: AbortSignal): Promise<SessionResponse> {
  return requestJson<SessionResponse>("/api/auth/session", { signal, on401: "throw" });
}

export async function login(body: LoginBody): Promise<OperatorInfo> {
  const res = await requestJson<{ operator: OperatorInfo }>("/api/auth/login", {
    method: "POST",
    body,
    on401: "throw",
  });
  return res.operator;
}

/** Creates the first admin (only while no operator exists; 409 after). */
export async function setup(body: { username: string; password: string }): Promise<OperatorInfo> {
  const res = await requestJson<{ operator: OperatorInfo }>("/api/auth/setup", {
    method: "POST",
    body,
    on401: "throw",
  });
  return res.operator;
}

export async function logout(): Promise<void> {
  await requestJson<void>("/api/auth/logout", { method: "POST", on401: "throw" });
}
