/**
 * Countdowns and resolution texts of the held-request queue. Pure (heldFormat.test.ts).
 */
import type { HeldRequestDto } from "../../server/contract/control";
import type { HeldResolutionNote } from "../live/state/held";

/** How long a card stays, saying what became of its request, after it left the queue. */
export const RESOLVED_LINGER_MS = 3000;

/** Milliseconds left until the server's `deadline`, on our clock (offset = local - server). */
export function remainingMs(deadline: number, clockOffsetMs: number, now: number): number {
  return deadline + clockOffsetMs - now;
}

/** "4.2 s" under ten seconds, "42 s" under a minute, "2:05" beyond, "expired" at zero. */
export function formatRemaining(ms: number): string {
  if (!(ms > 0)) return "expired";
  if (ms < 10_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  if (ms < 60_000) return `${Math.floor(ms / 1000)} s`;
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

/** How much of the hold is left, 0..1, for the countdown bar. */
export function remainingFraction(
  held: Pick<HeldRequestDto, "heldAt" | "deadline">,
  remaining: number,
): number {
  const total = held.deadline - held.heldAt;
  if (!(total > 0)) return 0;
  return Math.max(0, Math.min(1, remaining / total));
}

/** What happens when nobody acts in time. */
export function expiryText(onExpiry: HeldRequestDto["onExpiry"]): string {
  return onExpiry === "handler" ? "then the handler answers" : "then it is answered C3h (timeout)";
}

/** "Already answered" for a conflict (the server's words when it said more), else who did what. */
export function resolutionText(
  note: Pick<HeldResolutionNote, "resolution" | "by" | "message" | "held">,
): string {
  const by = note.by === null ? "" : ` by ${note.by}`;
  switch (note.resolution) {
    case "conflict": {
      const server = note.message?.trim() ?? "";
      if (server === "") return `Already answered${by}.`;
      return /already answered/i.test(server)
        ? `${server.charAt(0).toUpperCase()}${server.slice(1)}`
        : `Already answered (${server})`;
    }
    case "answered":
      return `Answered${by}.`;
    case "passed":
      return `Passed to the handler${by}.`;
    case "dropped":
      return `Dropped${by}: nothing was sent.`;
    case "expired":
      return note.held.onExpiry === "handler"
        ? "Expired: the handler answered."
        : "Expired: answered C3h (timeout).";
  }
}

/** Notes young enough to still show, for requests no longer in the queue. */
export function lingeringNotes(
  notes: readonly HeldResolutionNote[],
  held: readonly Pick<HeldRequestDto, "id">[],
  now: number,
): HeldResolutionNote[] {
  const queued = new Set(held.map((h) => h.id));
  return notes.filter((n) => now - n.at < RESOLVED_LINGER_MS && !queued.has(n.id));
}
