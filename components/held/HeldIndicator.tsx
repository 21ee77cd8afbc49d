"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { groupOf } from "@/components/format";
import type { LiveState } from "@/components/live/state/store";
import { useLiveValue } from "@/components/live/useLiveStream";
import { useNow } from "@/components/useNow";
import { commandLabel } from "@/server/ipmi/commands";
import { formatRemaining, remainingMs } from "./heldFormat";

const selectHeldCount = (s: LiveState) => s.held.list.length;
const selectHeld = (s: LiveState) => s.held.list;
const selectOffset = (s: LiveState) => s.held.clockOffsetMs;

/** The nav's badge: how many requests wait for an operator (nothing when none). */
export function HeldBadge() {
  const count = useLiveValue(selectHeldCount);
  if (count === 0) return null;
  return (
    <Link
      href="/held"
      className="held-badge"
      data-testid="held-count"
      data-count={count}
      title={`${count} held request${count === 1 ? "" : "s"} waiting`}
      // Not "held" in the name: the nav's "Held" link keeps a unique accessible name.
      aria-label={`${count} waiting for an operator`}
    >
      {count} held
    </Link>
  );
}

/** A strip under the nav, on every page but the queue itself, while requests are held. */
export function HeldBanner() {
  const pathname = usePathname();
  const held = useLiveValue(selectHeld);
  const offset = useLiveValue(selectOffset);
  const active = held.length > 0 && pathname !== "/held";
  const now = useNow(200, active);
  if (!active) return null;
  // The one closest to its deadline is the one to mention.
  const first = held.reduce((a, b) => (b.deadline < a.deadline ? b : a));
  const name = commandLabel(first.netFn, first.cmd, groupOf(first.netFn, first.request));
  return (
    <div className="held-banner" role="status" data-testid="held-banner">
      <strong>
        {held.length} request{held.length === 1 ? "" : "s"} held
      </strong>
      <span>
        {name} on {first.busId}: {formatRemaining(remainingMs(first.deadline, offset, now))} left
      </span>
      <Link href="/held" className="btn btn-primary" data-testid="held-banner-open">
        Answer…
      </Link>
    </div>
  );
}
