/**
 * What every API route does the same way: find the running server's services,
 * validate input with the contract's schemas, answer errors as JSON with the right
 * status. Route files stay thin: parse, check, call, answer.
 */
import type { z } from "zod";
import type { ApiError } from "../contract/api";
import { findServices, type ServerServices } from "../services";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: ApiError["issues"],
  ) {
    super(message);
  }
}

export function jsonError(status: number, error: string, issues?: ApiError["issues"]): Response {
  const body: ApiError = issues ? { error, issues } : { error };
  return Response.json(body, { status });
}

export function services(): ServerServices {
  const s = findServices();
  if (!s)
    throw new HttpError(503, "the BMC runtime is not running in this process (start it with `npm start`)");
  return s;
}

export function parseWith<T extends z.ZodType>(schema: T, input: unknown, what: string): z.output<T> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    throw new HttpError(
      400,
      `invalid ${what}`,
      parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
    );
  }
  return parsed.data;
}

export function searchParams(request: Request): Record<string, string> {
  return Object.fromEntries(new URL(request.url).searchParams);
}

export async function jsonBody(request: Request): Promise<unknown> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.includes("application/json")) throw new HttpError(415, "send the body as application/json");
  const text = await request.text();
  if (text.length > 64 * 1024) throw new HttpError(413, "request body too large");
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "the body is not valid JSON");
  }
}

/**
 * Until operators sign in, a change must at least come from this console's own pages
 * or from a non-browser client: a browser sends Origin, and a foreign page's Origin
 * is refused (no cross-site request can flip a handler).
 */
export function requireSameOrigin(request: Request): void {
  const origin = request.headers.get("origin");
  if (!origin) return;
  const host = request.headers.get("host");
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    throw new HttpError(403, "bad Origin header");
  }
  if (originHost !== host) throw new HttpError(403, `cross-origin request from ${origin} refused`);
}

/** Runs a route body and turns thrown HttpErrors (and anything else) into JSON answers. */
export async function handle(run: () => Promise<Response> | Response): Promise<Response> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof HttpError) return jsonError(err.status, err.message, err.issues);
    console.error("api route failed:", err);
    return jsonError(500, "internal error");
  }
}
