/**
 * The fleet side of a node, from its config: with FLEET_DATABASE_URL, a shipper (its SQLite
 * log into PostgreSQL), a registry (announce, heartbeat, roster), the store's retention (old
 * rows pruned, one node at a time) and shared sign-in; without it, nothing (createFleet
 * returns undefined and the node runs alone, as always).
 *
 * The store is opened lazily and again after each failure, so a node starts even when
 * PostgreSQL is down: it logs "fleet: store unreachable (...), shipping when it returns",
 * keeps logging locally, and ships the backlog from its mark once the store answers.
 */
import type { Config } from "../config";
import type { FleetHealthDto } from "../contract/api";
import type { FleetStatusDto } from "../contract/fleet";
import type { BusInfo } from "../contract/handlers";
import type { Logger } from "../logger";
import type { Database } from "../persistence/database";
import { type FleetDatabase, openFleetDatabase, redactUrl } from "./fleet-database";
import { FleetRetention } from "./fleet-retention";
import { FLEET_MIGRATIONS, migrateFleet } from "./migrate";
import { FleetRegistry } from "./registry";
import { createSharedAuth, offerLocalOperators, type SharedAuth } from "./shared-auth";
import { FleetShipper } from "./shipper";

/** How long a stopping node keeps shipping what its log writer flushed on the way out. */
export const STOP_DRAIN_MS = 5000;

export interface Fleet {
  readonly node: string;
  readonly sharedAuth: SharedAuth;
  readonly shipper: FleetShipper;
  readonly registry: FleetRegistry;
  /** The shared store, opened (and migrated) on first use and again after a failure. */
  store(): Promise<FleetDatabase>;
  readonly retention: FleetRetention;
  /** Starts shipping and the heartbeat; `address` is the dashboard's URL as it listens. */
  start(address: string): void;
  /** GET /api/fleet. */
  status(): Promise<FleetStatusDto>;
  /** /api/health's `fleet`. */
  health(): Promise<FleetHealthDto>;
  /** Ships what is left (bounded), stops the heartbeat, closes the store. */
  stop(): Promise<void>;
}

export interface FleetDeps {
  local: Database;
  log: Logger;
  version: string;
  startedAt: number;
  buses: () => BusInfo[];
}

async function openStore(url: string): Promise<FleetDatabase> {
  await migrateFleet(url, FLEET_MIGRATIONS);
  return openFleetDatabase(url, { migrate: false });
}

/** Health and /api/fleet for a node without FLEET_DATABASE_URL. */
export function soloFleetStatus(node: string): FleetStatusDto {
  return { enabled: false, node, store: "off", lag: null, nodes: [] };
}

export function createFleet(config: Config, deps: FleetDeps): Fleet | undefined {
  const url = config.FLEET_DATABASE_URL;
  if (!url) return undefined;
  const node = config.NODE_NAME;
  const { log } = deps;
  let db: FleetDatabase | undefined;
  let opening: Promise<FleetDatabase> | undefined;
  let closed = false;
  const sharedAuth = createSharedAuth({ node, current: () => db, log });
  const store = (): Promise<FleetDatabase> => {
    if (db) return Promise.resolve(db);
    if (closed) return Promise.reject(new Error("the fleet store is closed"));
    opening ??= openStore(url)
      .then(async (opened) => {
        db = opened;
        log.info(`fleet: store ${redactUrl(url)} reached, node ${node}`);
        const offered = await offerLocalOperators(deps.local, opened).catch((err: unknown) => {
          log.warn(`fleet: offering local operators: ${err instanceof Error ? err.message : String(err)}`);
          return 0;
        });
        if (offered > 0) log.info(`fleet: ${offered} local operator(s) added to the fleet`);
        // Sign-ins made before the store was reached.
        await sharedAuth.flushPending();
        return opened;
      })
      .finally(() => {
        opening = undefined;
      });
    return opening;
  };
  // Off the router's event loop: batches read in a worker thread on the log's file, and sent
  // over a pg connection of the shipper's own rather than through Prisma's query compiler.
  const shipper = new FleetShipper({
    local: deps.local,
    localUrl: config.DATABASE_URL,
    storeUrl: url,
    node,
    store,
    log,
  });
  const registry = new FleetRegistry({
    node,
    version: deps.version,
    startedAt: deps.startedAt,
    buses: deps.buses,
    store,
    log,
    goneAfterMs: config.FLEET_GONE_AFTER_MS,
    // A beat that reached the store: the sign-ins made while it was away can go too.
    afterBeat: () => sharedAuth.flushPending(),
  });
  const retention = new FleetRetention({ url, days: config.FLEET_RETENTION_DAYS, ready: store, log });
  const storeState = (): "up" | "down" => (db && shipper.lastError() === null ? "up" : "down");

  return {
    node,
    sharedAuth,
    shipper,
    registry,
    retention,
    store,
    start(address) {
      log.info(`fleet: node ${node} at ${address}, store ${redactUrl(url)}`);
      shipper.start();
      registry.start(address);
      retention.start();
    },
    async health() {
      return {
        enabled: true,
        node,
        store: storeState(),
        lag: await shipper.lag(),
        retention: retention.stats(),
      };
    },
    async status() {
      const lag = await shipper.lag();
      const nodes = db ? await registry.list().catch(() => null) : null;
      return {
        enabled: true,
        node,
        store: nodes ? storeState() : "down",
        lag,
        nodes: nodes ?? [],
        retention: retention.stats(),
      };
    },
    async stop() {
      await retention.stop();
      await shipper.stop(STOP_DRAIN_MS);
      await registry.stop();
      closed = true;
      const opened = db ?? (await opening?.catch(() => undefined));
      db = undefined;
      await opened?.$disconnect();
    },
  };
}
