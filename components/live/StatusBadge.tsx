import type { ExchangeStatus } from "@/server/contract/exchange";

/** An exchange's status as a colored badge. */
export function StatusBadge({ status }: { status: ExchangeStatus }) {
  return (
    <span className={`badge badge-${status}`} data-testid="status-badge" data-status={status}>
      {status}
    </span>
  );
}
