/**
 * Where the sign-in pages send people, as pure functions (unit-tested in paths.test.ts).
 * Relative imports keep it loadable by a bare vitest.
 */

/** The pages that work without a session; never a place to come back to after signing in. */
export const PUBLIC_PAGES = ["/login", "/setup"] as const;

function isPublicPage(path: string): boolean {
  return PUBLIC_PAGES.some((p) => path === p || path.startsWith(`${p}?`) || path.startsWith(`${p}/`));
}

/**
 * The `next` parameter made safe: a path on this site ("/held?x=1"), else "/".
 * Refuses other origins ("//evil", "https://…", "/\\evil") and the sign-in pages themselves.
 */
export function safeNext(raw: string | readonly string[] | null | undefined): string {
  const value = Array.isArray(raw) ? raw[0] : raw;
  if (typeof value !== "string" || value === "") return "/";
  if (!value.startsWith("/") || value.startsWith("//") || value.startsWith("/\\")) return "/";
  // Control characters and backslashes have no business in a path we navigate to.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: that is the point
  if (/[\u0000-\u001f\\]/.test(value)) return "/";
  if (isPublicPage(value)) return "/";
  return value;
}

/** "/login?next=%2Fheld", optionally saying the session ended. */
export function loginHref(next: string, options: { signedOut?: boolean } = {}): string {
  const params = new URLSearchParams();
  const target = safeNext(next);
  if (target !== "/") params.set("next", target);
  if (options.signedOut) params.set("signedOut", "1");
  const query = params.toString();
  return query === "" ? "/login" : `/login?${query}`;
}

/** "/setup?next=…", keeping where the person wanted to go. */
export function setupHref(next: string): string {
  const target = safeNext(next);
  return target === "/" ? "/setup" : `/setup?next=${encodeURIComponent(target)}`;
}

/**
 * Seconds to wait from a Retry-After header: delta-seconds ("30") or an HTTP date.
 * Null when absent or unreadable.
 */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | null {
  if (header === null || header === undefined) return null;
  const text = header.trim();
  if (text === "") return null;
  if (/^\d+$/.test(text)) return Number.parseInt(text, 10);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, Math.ceil((at - now) / 1000));
}

/** What the login form says when the server rate-limits attempts (HTTP 429). */
export function rateLimitText(retryAfterSeconds: number | null, serverText?: string | null): string {
  const base = serverText && serverText.trim() !== "" ? serverText.trim() : "Too many sign-in attempts";
  if (retryAfterSeconds === null) return `${base}. Try again later.`;
  if (retryAfterSeconds <= 1) return `${base}. Try again in a second.`;
  if (retryAfterSeconds < 120) return `${base}. Try again in ${retryAfterSeconds} s.`;
  return `${base}. Try again in ${Math.ceil(retryAfterSeconds / 60)} min.`;
}
