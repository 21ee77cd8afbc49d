/**
 * What every API route does the same way: find the running server's services,
 * validate input with the contract's schemas, answer errors as JSON with the right
 * status. Route files stay thin: parse, check, call, answer.
 */
import type { z } from "zod";
import { readCookie, SESSION_COOKIE, sessionCookieHeader } from "../auth/session-cookie";
import type { ApiError } from "../contract/api";
import type { OperatorInfo } from "../contract/control";
import { findServices, type ServerServices } from "../services";
import { isBlankFilter, parseFilter } from "../traffic/filter";
import { CLIENT_HEADER, OPERATOR_HEADER } from "./gate";

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: ApiError["issues"],
    readonly position?: number,
  ) {
    super(message);
  }
}

export function jsonError(
  status: number,
  error: string,
  issues?: ApiError["issues"],
  position?: number,
): Response {
  const body: ApiError = issues ? { error, issues } : { error };
  if (position !== undefined) body.position = position;
  return Response.json(body, { status });
}

/** Checks a `filter` query parameter: an invalid one is 400 `{ error, position }`. */
export function checkFilter(text: string | undefined): void {
  if (isBlankFilter(text)) return;
  const parsed = parseFilter(text!);
  if (!parsed.ok) throw new HttpError(400, `invalid filter: ${parsed.error}`, undefined, parsed.position);
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

/** The operator the gate let through; the gate guarantees one on every non-public route. */
export function operatorOf(request: Request): OperatorInfo {
  const header = request.headers.get(OPERATOR_HEADER);
  if (!header) throw new HttpError(401, "sign in first (POST /api/auth/login)");
  return JSON.parse(header) as OperatorInfo;
}

export function clientOf(request: Request): string {
  return request.headers.get(CLIENT_HEADER) ?? "unknown";
}

export function sessionCookie(request: Request, token: string | null): string {
  return sessionCookieHeader(token, request.headers.get("x-forwarded-proto") === "https");
}

export function sessionToken(request: Request): string | undefined {
  return readCookie(request.headers.get("cookie") ?? undefined, SESSION_COOKIE);
}

/** A positive integer id from a path segment, or 400. */
export function idParam(raw: string, what: string): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id <= 0) throw new HttpError(400, `invalid ${what}: ${raw}`);
  return id;
}

const DOWNLOAD_TYPES = {
  csv: "text/csv; charset=utf-8",
  text: "text/plain; charset=utf-8",
  ndjson: "application/x-ndjson; charset=utf-8",
  pcap: "application/vnd.tcpdump.pcap",
  "pcap-wire": "application/vnd.tcpdump.pcap",
} as const;

/** The file name's tail: "-wire" before the extension for the LAN datagrams' capture. */
const DOWNLOAD_SUFFIXES: Partial<Record<keyof typeof DOWNLOAD_TYPES, string>> = {
  "pcap-wire": "-wire.pcap",
  text: ".txt",
};

/** Streams text (or byte) chunks as a file download: produced page by page as the client reads. */
export function download(
  chunks: AsyncIterable<string | Uint8Array>,
  format: keyof typeof DOWNLOAD_TYPES,
  name: string,
): Response {
  const it = chunks[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { value, done } = await it.next();
        if (done) controller.close();
        else controller.enqueue(typeof value === "string" ? encoder.encode(value) : value);
      } catch (err) {
        controller.error(err);
      }
    },
    async cancel() {
      await it.return?.();
    },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return new Response(body, {
    headers: {
      "content-type": DOWNLOAD_TYPES[format],
      "content-disposition": `attachment; filename="${name}-${stamp}${DOWNLOAD_SUFFIXES[format] ?? `.${format}`}"`,
      "cache-control": "no-store",
    },
  });
}

/** Runs a route body and turns thrown HttpErrors (and anything else) into JSON answers. */
export async function handle(run: () => Promise<Response> | Response): Promise<Response> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof HttpError) return jsonError(err.status, err.message, err.issues, err.position);
    console.error("api route failed:", err);
    return jsonError(500, "internal error");
  }
}
