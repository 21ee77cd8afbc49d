/** Leaving for the sign-in page, once, from wherever the tab is. */
import { loginHref } from "./paths";

let leaving = false;

/** The page to come back to after signing in: where this tab is now. */
export function currentPath(): string {
  return `${window.location.pathname}${window.location.search}`;
}

/**
 * Goes to /login (full page load: the console's state and socket go with it).
 * `delayMs` leaves the "signed out" indicator on screen a moment first.
 */
export function goToLogin(options: { signedOut?: boolean; delayMs?: number } = {}): void {
  if (leaving || typeof window === "undefined") return;
  leaving = true;
  const href = loginHref(currentPath(), { signedOut: options.signedOut });
  const go = () => window.location.assign(href);
  if (options.delayMs && options.delayMs > 0) window.setTimeout(go, options.delayMs);
  else go();
}

/** After signing in: a full page load so the console starts with the new session cookie. */
export function goTo(path: string): void {
  window.location.assign(path);
}
