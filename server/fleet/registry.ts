/**
 * The fleet's roster: this node announces itself (FleetNode: version, dashboard address,
 * buses, start time) and refreshes lastSeen on a heartbeat; any node lists every node, up
 * while seen within `goneAfterMs`, gone after. Times are PostgreSQL's clock (now()), both
 * when written and when compared, so nodes with skewed clocks agree on who is up. A node
 * that stops simply stops beating: it turns gone, its rows stay.
 */
import { z } from "zod";
import type { FleetNodeDto } from "../contract/fleet";
import type { BusInfo } from "../contract/handlers";
import type { Logger } from "../logger";
import type { FleetDatabase } from "./fleet-database";

export const DEFAULT_GONE_AFTER_MS = 15_000;
export const DEFAULT_HEARTBEAT_MS = 5_000;

export interface RegistryOptions {
  node: string;
  version: string;
  startedAt: number;
  buses: () => BusInfo[];
  /** The store if connected now; undefined while it is away (the beat is skipped). */
  store: () => Promise<FleetDatabase>;
  log: Logger;
  /** The dashboard's URL, when known before start() (tests). */
  address?: string;
  goneAfterMs?: number;
  heartbeatMs?: number;
  /** After each beat that reached the store. */
  afterBeat?: () => Promise<unknown>;
}

const nodeRow = z.object({
  name: z.string(),
  version: z.string(),
  address: z.string(),
  buses: z.array(z.object({ id: z.string(), kind: z.string() }).passthrough()),
  startedAt: z.number(),
  lastSeen: z.number(),
  up: z.boolean(),
  shippedId: z.number().int(),
});

export class FleetRegistry {
  private address: string;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private beating: Promise<void> | undefined;
  private stopped = false;
  readonly goneAfterMs: number;
  readonly heartbeatMs: number;

  constructor(private readonly o: RegistryOptions) {
    this.address = o.address ?? "";
    this.goneAfterMs = o.goneAfterMs ?? DEFAULT_GONE_AFTER_MS;
    // At least three beats per gone-threshold, so one late beat never turns a live node gone.
    this.heartbeatMs = Math.min(o.heartbeatMs ?? DEFAULT_HEARTBEAT_MS, Math.floor(this.goneAfterMs / 3));
  }

  /** Starts the heartbeat with the dashboard's address (known once the HTTP server listens). */
  start(address: string): void {
    this.address = address;
    this.stopped = false;
    void this.beatLoop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.beating;
  }

  /** Upserts this node's row and refreshes lastSeen; marks are left alone (the shipper's). */
  async announce(): Promise<void> {
    const db = await this.o.store();
    await db.$executeRawUnsafe(
      `INSERT INTO "FleetNode" ("name", "version", "address", "buses", "startedAt", "lastSeen")
       VALUES ($1, $2, $3, $4::jsonb, to_timestamp($5::float8 / 1000) AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
       ON CONFLICT ("name") DO UPDATE SET "version" = EXCLUDED."version", "address" = EXCLUDED."address",
         "buses" = EXCLUDED."buses", "startedAt" = EXCLUDED."startedAt", "lastSeen" = EXCLUDED."lastSeen"`,
      this.o.node,
      this.o.version,
      this.address,
      JSON.stringify(this.o.buses()),
      this.o.startedAt,
    );
  }

  /** Every node the store knows, this one marked `self`. */
  async list(): Promise<FleetNodeDto[]> {
    const db = await this.o.store();
    const rows = await db.$queryRawUnsafe<unknown[]>(
      `SELECT "name", "version", "address", "buses",
         (extract(epoch FROM "startedAt") * 1000)::float8 AS "startedAt",
         (extract(epoch FROM "lastSeen") * 1000)::float8 AS "lastSeen",
         (now() AT TIME ZONE 'UTC') - "lastSeen" < make_interval(secs => $1::float8 / 1000) AS "up",
         "shippedExchangeId" AS "shippedId"
       FROM "FleetNode" ORDER BY "name"`,
      this.goneAfterMs,
    );
    return z
      .array(nodeRow)
      .parse(rows)
      .map(({ up, buses, ...r }) => ({
        ...r,
        // Written by a node of this product from its own BusInfo[]; the shape is checked above.
        buses: buses as unknown as BusInfo[],
        state: up ? "up" : "gone",
        self: r.name === this.o.node,
      }));
  }

  private async beatLoop(): Promise<void> {
    if (this.stopped) return;
    this.beating = this.announce()
      .then(() => this.o.afterBeat?.())
      .then(() => undefined)
      .catch((err: unknown) => {
        // The shipper reports the outage; the beat just tries again.
        this.o.log.debug(`fleet: heartbeat failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    await this.beating;
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.beatLoop(), this.heartbeatMs);
    this.timer.unref?.();
  }
}
