/** Texts of the Nodes page, pure so they are tested without a browser. */
import type { FleetNodeDto, FleetRetentionDto, FleetStatusDto, ShipperLagDto } from "@/server/contract/fleet";

/** "just now", "12 s ago", "4 min ago", "3 h ago" (clocks differ a little between nodes: never negative). */
export function ago(ms: number, now: number): string {
  const s = Math.max(0, Math.round((now - ms) / 1000));
  if (s < 2) return "just now";
  if (s < 120) return `${s} s ago`;
  if (s < 7200) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

/** This node's shipping lag: "in step", "12 records, 3 s behind", or the store's error. */
export function lagText(lag: ShipperLagDto | null): string {
  if (lag === null) return "—";
  if (lag.error !== null) return `stalled: ${lag.error}`;
  if (lag.records === 0) return "in step";
  return `${lag.records} record${lag.records === 1 ? "" : "s"}, ${Math.round(lag.seconds)} s behind`;
}

/** Nodes as the page lists them: this node first, then up before gone, then by name. */
export function sortedNodes(status: FleetStatusDto): FleetNodeDto[] {
  const rank = (n: FleetNodeDto) => (n.self || n.name === status.node ? 0 : n.state === "up" ? 1 : 2);
  return [...status.nodes].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/**
 * The store's retention as this node saw it: "keeps 30 days; pruned 1200 rows 5 min ago",
 * "keeps everything", or the last pass's error. Another node may have pruned since (one
 * node at a time does the work). Null: a server too old to say.
 */
export function retentionText(r: FleetRetentionDto | undefined, now: number): string | null {
  if (r === undefined) return null;
  const keeps = r.days === null ? "keeps everything" : `keeps ${r.days} day${r.days === 1 ? "" : "s"}`;
  if (r.error !== null) return `${keeps}; last prune failed: ${r.error}`;
  if (r.lastPruneAt === null) return `${keeps}; not pruned from this node yet`;
  if (r.lastPruned === 0)
    return `${keeps}; nothing older to prune when this node last looked, ${ago(r.lastPruneAt, now)} (${r.pruned} rows pruned since start)`;
  return `${keeps}; this node pruned ${r.lastPruned} row${r.lastPruned === 1 ? "" : "s"} ${ago(r.lastPruneAt, now)} (${r.pruned} since start)`;
}
