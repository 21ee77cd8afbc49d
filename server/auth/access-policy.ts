/**
 * Who may reach what: the one table the HTTP gate and the tests consult, instead of a
 * sign-in check repeated inside every route. Pure.
 */
import type { Role } from "../contract/control";

export type Access = "public" | "viewer" | "operator";

/** Operators may do everything; viewers watch and export. */
export function roleAllows(role: Role, needed: Role): boolean {
  return needed === "viewer" || role === "operator";
}

const PUBLIC_PREFIXES = ["/_next/", "/login", "/setup"];
const PUBLIC_EXACT = new Set([
  "/icon.svg",
  "/favicon.ico",
  "/api/health",
  "/api/auth/session",
  "/api/auth/login",
  "/api/auth/setup",
]);

export function requiredAccess(method: string, pathname: string): Access {
  if (PUBLIC_EXACT.has(pathname)) return "public";
  if (PUBLIC_PREFIXES.some((p) => pathname === p || pathname.startsWith(p.endsWith("/") ? p : `${p}/`))) {
    return "public";
  }
  if (pathname === "/api/auth/logout") return "viewer";
  const reads = method === "GET" || method === "HEAD";
  if (pathname.startsWith("/api/")) return reads ? "viewer" : "operator";
  // Pages: watching is for every signed-in role; pages change nothing by themselves.
  return "viewer";
}

/** True when a state-changing request's Origin (if the browser sent one) is this server. */
export function sameOrigin(origin: string | undefined, host: string | undefined): boolean {
  if (!origin) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
