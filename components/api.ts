/**
 * The one way the console calls its HTTP API: JSON in and out, errors as
 * ApiRequestError (status, the server's text, per-field issues, Retry-After).
 * A 401 means the session is gone: by default the tab goes to the sign-in page.
 */
import type { ApiError } from "../server/contract/api";
import { parseRetryAfter } from "./auth/paths";

export interface FieldIssue {
  /** Dotted path into the request body: "match.dataPrefix", "action.cc", "" for the whole body. */
  path: string;
  message: string;
}

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues: readonly FieldIssue[] = [],
    readonly retryAfterSeconds: number | null = null,
    /** For an invalid filter expression: the 0-based character offset of the problem. */
    readonly position: number | null = null,
  ) {
    super(message);
    this.name = "ApiRequestError";
  }
}

export function isApiError(value: unknown): value is ApiError {
  return (
    typeof value === "object" && value !== null && typeof (value as { error?: unknown }).error === "string"
  );
}

/** An issue path as the server may write it ("match.dataPrefix", "match/dataPrefix", ["match", "dataPrefix"]). */
export function normalizeIssuePath(path: unknown): string {
  const parts = Array.isArray(path) ? path.map(String) : typeof path === "string" ? path.split(/[./]/) : [];
  return parts.filter((p) => p !== "").join(".");
}

/** "path: message", or just the message for an issue with the whole body. */
export function issueText(issue: FieldIssue): string {
  return issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`;
}

/** "error (path: message; …)" in one line, for places that show one text. */
export function errorText(error: string, issues: readonly FieldIssue[]): string {
  if (issues.length === 0) return error;
  return `${error} (${issues.map(issueText).join("; ")})`;
}

/**
 * Issues sorted onto a form's fields: the first message for each field `fieldOf` names
 * (it gets the normalized path), the rest as text in `other`.
 */
export function issuesByField<F extends string>(
  issues: readonly FieldIssue[],
  fieldOf: (path: string) => F | undefined,
): { fields: Partial<Record<F, string>>; other: string[] } {
  const fields: Partial<Record<F, string>> = {};
  const other: string[] = [];
  for (const issue of issues) {
    const field = fieldOf(normalizeIssuePath(issue.path));
    if (field === undefined) other.push(issueText(issue));
    else fields[field] ??= issue.message;
  }
  return { fields, other };
}

/** Turns a failed response into an ApiRequestError. */
export async function failureOf(res: Response): Promise<ApiRequestError> {
  let body: unknown = null;
  try {
    body = await res.json();
  } catch {
    // not JSON: fall back to the status line
  }
  const retryAfter = parseRetryAfter(res.headers.get("retry-after"));
  if (isApiError(body)) {
    const issues: FieldIssue[] = (body.issues ?? []).map((i) => ({
      path: normalizeIssuePath(i.path),
      message: String(i.message),
    }));
    const position = typeof body.position === "number" ? body.position : null;
    return new ApiRequestError(res.status, body.error, issues, retryAfter, position);
  }
  const status = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
  return new ApiRequestError(res.status, status, [], retryAfter);
}

export interface RequestOptions {
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
  /** What a 401 does: go to the sign-in page (default) or just throw (the sign-in page itself). */
  on401?: "login" | "throw";
}

let onUnauthorized: (() => void) | null = null;

/** Set by the console (LiveProvider): what to do when the API says the session is gone. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

/** Calls the API; resolves to the JSON body (undefined for 204), rejects with ApiRequestError. */
export async function requestJson<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const { method = "GET", body, signal, on401 = "login" } = options;
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
    credentials: "same-origin",
  });
  if (!res.ok) {
    const failure = await failureOf(res);
    if (res.status === 401 && on401 === "login") onUnauthorized?.();
    throw failure;
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text === "" ? undefined : JSON.parse(text)) as T;
}

/** The text to show for any error a request threw. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e instanceof ApiRequestError ? errorText(e.message, e.issues) : e.message;
  return String(e);
}

/** Whether an error is the server saying the signed-in person may not do this (a viewer). */
export function isForbidden(e: unknown): boolean {
  return e instanceof ApiRequestError && e.status === 403;
}
