/** The REST calls of the Handlers page, typed against the API contract. */
import type { ApiError, HandlersResponse, PatchHandlerBody } from "@/server/contract/api";
import type { HandlerInfo } from "@/server/contract/handlers";

function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === "object" && value !== null && typeof (value as { error?: unknown }).error === "string"
  );
}

async function failure(res: Response): Promise<Error> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: fall back to the status line
  }
  if (isApiError(body)) {
    const issues = body.issues?.map((i) => `${i.path}: ${i.message}`).join("; ");
    return new Error(issues ? `${body.error} (${issues})` : body.error);
  }
  return new Error(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`);
}

export async function fetchHandlers(signal?: AbortSignal): Promise<HandlerInfo[]> {
  const res = await fetch("/api/handlers", { signal, headers: { accept: "application/json" } });
  if (!res.ok) throw await failure(res);
  const body = (await res.json()) as HandlersResponse;
  return body.handlers;
}

export async function setHandlerEnabled(id: string, enabled: boolean): Promise<HandlerInfo> {
  const body: PatchHandlerBody = { enabled };
  const res = await fetch(`/api/handlers/${encodeURIComponent(id)}`, {
    method: "PATCH",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as HandlerInfo;
}
