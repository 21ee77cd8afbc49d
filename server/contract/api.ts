/**
 * HTTP API contract: request schemas (validated at the boundary with zod) and the
 * shapes the routes answer with. Shared by the route handlers, the UI and tests.
 */
import { z } from "zod";
import type { ExchangeDto, ExchangeStatus } from "./exchange";
import { EXCHANGE_STATUSES } from "./exchange";
import type { FleetRetentionDto, ShipperLagDto } from "./fleet";
import type { BusInfo, HandlerInfo } from "./handlers";

const byteNumber = z.coerce.number().int().min(0).max(255);

export const patchHandlerBody = z.object({ enabled: z.boolean() }).strict();
export type PatchHandlerBody = z.infer<typeof patchHandlerBody>;

export const handlerIdParam = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9.:_-]*$/, "handler ids are lower-case letters, digits and . : _ -");

/** Optional filters shared by the history page and the export. */
const exchangeFilter = {
  bus: z.string().min(1).max(64).optional(),
  netFn: byteNumber.optional(),
  cmd: byteNumber.optional(),
  status: z.enum(EXCHANGE_STATUSES as [ExchangeStatus, ...ExchangeStatus[]]).optional(),
  /** A filter expression (docs/filters.md), ANDed with the fields above; blank means none. */
  filter: z.string().max(2000).optional(),
  /**
   * Whose log (the fleet, issue 14): absent or this node's name = this node's own SQLite
   * log; another node's name or "all" = the shared store (PostgreSQL).
   */
  node: z.string().min(1).max(63).optional(),
};

/** A time bound: ms since the epoch or an ISO 8601 date. */
const timeBound = z.union([
  z.coerce
    .number()
    .int()
    .nonnegative()
    .refine((n) => Number.isSafeInteger(n)),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

export const exchangesQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    /** Only exchanges with a smaller id (the next page, newest first). */
    before: z.coerce.number().int().positive().optional(),
    /** The previous page's `nextCursor`: the next page whatever log it reads (wins over `before`). */
    cursor: z.string().min(1).max(300).optional(),
    ...exchangeFilter,
  })
  .strict();
export type ExchangesQuery = z.infer<typeof exchangesQuery>;

export const exportQuery = z
  .object({
    format: z.enum(["csv", "ndjson", "pcap", "pcap-wire"]),
    from: timeBound.optional(),
    to: timeBound.optional(),
    ...exchangeFilter,
  })
  .strict()
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, {
    message: "from must not be after to",
    path: ["from"],
  });
export type ExportQuery = z.infer<typeof exportQuery>;

export interface ExchangesPage {
  exchanges: ExchangeDto[];
  /** Pass as `before` for the next (older) page; null at the end (or when the page spans nodes). */
  nextBefore: number | null;
  /** Pass as `cursor` for the next (older) page, of one node's log or of every node's; null at the end. */
  nextCursor: string | null;
}

export interface HealthResponse {
  status: "ok" | "degraded";
  version: string;
  uptimeSeconds: number;
  database: string;
  buses: BusInfo[];
  exchanges: { routed: number; persisted: number; pendingWrites: number };
  /** The exchange log on disk; absent from servers older than this field. */
  log?: ExchangeLogHealth;
  /** The host's serial console (HOST_SERIAL): its line's state and where it is. */
  console?: { host: "up" | "waiting" | "down"; description: string };
  /** The fleet (FLEET_DATABASE_URL): this node's name, the shared store, shipping lag. */
  fleet?: FleetHealthDto;
}

export interface FleetHealthDto {
  enabled: boolean;
  node: string;
  /** "off" without FLEET_DATABASE_URL; "down" while the store does not answer (the node logs locally). */
  store: "up" | "down" | "off";
  lag: ShipperLagDto | null;
  /** The store's pruning (FLEET_RETENTION_DAYS); absent from servers older than this field. */
  retention?: FleetRetentionDto;
}

export interface ExchangeLogHealth {
  /** The database file plus its WAL, in bytes; null when it cannot be read. */
  sizeBytes: number | null;
  /** The oldest exchange kept; null when the log is empty. */
  oldestId: number | null;
  /** Its receivedAt, ms since the epoch; null when the log is empty. */
  oldestReceivedAt: number | null;
  /** RETENTION_DAYS / RETENTION_ROWS (null: no limit) and the exchanges pruned since start. */
  retention: { days: number | null; rows: number | null; pruned: number };
  /** Whether exchanges are being written; absent from servers older than this field. */
  writer?: ExchangeLogWriterHealth;
}

/** The log writer's state: degraded while the database refuses writes or its file is gone. */
export interface ExchangeLogWriterHealth {
  status: "ok" | "degraded";
  /** Why degraded (the database's error, or the file deleted); null when ok. */
  reason: string | null;
  /** When it became degraded, ms since the epoch; null when ok. */
  degradedSince: number | null;
  /** Exchanges waiting to be written, and the most that wait before new ones are dropped. */
  buffered: number;
  bufferLimit: number;
  /** Exchanges dropped since start because the buffer was full: they are not in the log. */
  dropped: number;
  /** The newest run of dropped exchange ids; null when none was dropped. */
  lastDropped: { firstId: number; lastId: number; count: number } | null;
}

export interface HandlersResponse {
  handlers: HandlerInfo[];
}

export interface ApiError {
  error: string;
  issues?: { path: string; message: string }[];
  /** For an invalid filter expression: the 0-based character offset of the problem. */
  position?: number;
}
