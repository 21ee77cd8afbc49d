/**
 * The custom server's front door, before Next.js sees a request: resolves the session
 * cookie, applies access-policy.ts, refuses cross-origin changes, and hands the route
 * handlers who is asking in a header only this gate may set.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type Access, requiredAccess, roleAllows, sameOrigin } from "../auth/access-policy";
import type { AuthService } from "../auth/auth-service";
import { readCookie, SESSION_COOKIE } from "../auth/session-cookie";
import type { OperatorInfo } from "../contract/control";

/** Route handlers read the signed-in operator from here (set by the gate, never by a client). */
export const OPERATOR_HEADER = "x-bmc-operator";
/** The client's address, for rate limiting sign-in (set by the gate). */
export const CLIENT_HEADER = "x-bmc-client";

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

/** Returns true when the gate answered the request itself (refused it). */
export async function gate(req: IncomingMessage, res: ServerResponse, auth: AuthService): Promise<boolean> {
  delete req.headers[OPERATOR_HEADER];
  req.headers[CLIENT_HEADER] = req.socket.remoteAddress ?? "unknown";
  const url = new URL(req.url ?? "/", "http://localhost");
  const method = req.method ?? "GET";
  const needed: Access = requiredAccess(method, url.pathname);
  const isApi = url.pathname.startsWith("/api/");
  const changes = method !== "GET" && method !== "HEAD";
  if (changes && !sameOrigin(req.headers.origin, req.headers.host)) {
    json(res, 403, { error: `cross-origin request from ${req.headers.origin} refused` });
    return true;
  }
  const operator = await auth.resolve(readCookie(req.headers.cookie, SESSION_COOKIE));
  if (operator) {
    const info: OperatorInfo = { id: operator.id, username: operator.username, role: operator.role };
    req.headers[OPERATOR_HEADER] = JSON.stringify(info);
  }
  if (needed === "public") return false;
  if (!operator) {
    if (isApi) json(res, 401, { error: "sign in first (POST /api/auth/login)" });
    else {
      res.writeHead(302, { location: `/login?next=${encodeURIComponent(url.pathname + url.search)}` });
      res.end();
    }
    return true;
  }
  if (!roleAllows(operator.role, needed)) {
    json(res, 403, { error: `your role (${operator.role}) may not do this; an operator may` });
    return true;
  }
  return false;
}
