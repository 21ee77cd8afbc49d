/**
 * The fleet (docs/scaling.md): many nodes, each with its own router and SQLite log, sharing
 * one PostgreSQL store (FLEET_DATABASE_URL) and one socket.io fan-out (its PostgreSQL
 * adapter). What the server says about the fleet, and what a browser may ask of it.
 * Without FLEET_DATABASE_URL the node is alone: `enabled: false`, and nothing else changes.
 */
import { z } from "zod";
import type { BusInfo } from "./handlers";

/** Shipping a node's log into the shared store: how far behind it is. */
export interface ShipperLagDto {
  /** Local records not yet in the store (exchanges; audit and console text ride along). */
  records: number;
  /** Age of the oldest record not yet in the store, in seconds; 0 when none waits. */
  seconds: number;
  /** The newest local exchange id stored in the fleet (the persisted high-water mark). */
  shippedId: number;
  /** Why shipping is stalled (the store's error); null while it flows. */
  error: string | null;
}

export interface FleetNodeDto {
  name: string;
  version: string;
  /** The node's dashboard: "http://10.0.0.5:3000". */
  address: string;
  buses: BusInfo[];
  startedAt: number;
  lastSeen: number;
  /** up: seen within the last 15 s; gone: not (its history stays). */
  state: "up" | "gone";
  /** This is the node answering. */
  self: boolean;
  /** How far its log is behind in the store (from its high-water mark and last report). */
  shippedId: number;
}

/**
 * Pruning the shared store by age (FLEET_RETENTION_DAYS), as this node saw it: every node
 * runs the pass, one at a time does the work, so another node may have pruned since.
 */
export interface FleetRetentionDto {
  /** FLEET_RETENTION_DAYS; null: 0, the store keeps everything. */
  days: number | null;
  /** Rows this node deleted from the store since start (exchanges, audit, console text). */
  pruned: number;
  /** When a pass of this node last ran with the lock (ms since the epoch); null: not yet. */
  lastPruneAt: number | null;
  /** Rows that pass deleted. */
  lastPruned: number;
  /** Why the last pass failed; null when it did not. */
  error: string | null;
}

/** GET /api/fleet: this node and every node the store knows. */
export interface FleetStatusDto {
  enabled: boolean;
  /** This node's name (NODE_NAME, default the host name). */
  node: string;
  /** The shared store as this node sees it; "off" without FLEET_DATABASE_URL. */
  store: "up" | "down" | "off";
  lag: ShipperLagDto | null;
  nodes: FleetNodeDto[];
  /** The store's pruning; absent without FLEET_DATABASE_URL and from servers older than this field. */
  retention?: FleetRetentionDto;
}

/**
 * Live traffic of other nodes: a connection starts with its own node's only and asks for
 * more with `setNodes` (live namespace). "all": every node; a list: those nodes (this
 * node's name included or not).
 */
export const setNodesOptions = z
  .object({
    nodes: z.union([z.literal("all"), z.array(z.string().min(1).max(63)).max(1000)]),
  })
  .strict();
export type SetNodesOptions = z.infer<typeof setNodesOptions>;

export type SetNodesResult = { ok: true } | { ok: false; error: string };

/** Where a control action goes: absent or this node's name = here; another name = that node, over the fan-out. */
export const targetNode = z.string().min(1).max(63).optional();

/** A control action sent to another node failed to arrive or was refused there. */
export interface RemoteControlError {
  error: string;
  /** "gone": no answer from the node within the timeout; "refused": it answered no. */
  reason: "gone" | "refused" | "unknown-node";
}
