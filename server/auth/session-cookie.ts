/**
 * The session cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's
 * page sends it), Path=/, 12 hours; Secure when the console is reached over HTTPS.
 */
export const SESSION_COOKIE = "bmc_session";
export const SESSION_LIFETIME_MS = 12 * 60 * 60 * 1000;

/** Set-Cookie value; `token` null clears the cookie. */
export function sessionCookieHeader(token: string | null, secure: boolean): string {
  const lifetime = token === null ? 0 : Math.floor(SESSION_LIFETIME_MS / 1000);
  return `${SESSION_COOKIE}=${token ?? ""}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${lifetime}${secure ? "; Secure" : ""}`;
}

/** Reads one cookie from a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}
