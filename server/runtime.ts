/**
 * Wires the product from its config: database, router, the BMC's handlers, the log
 * writer, the buses. No HTTP here (main.ts adds Next.js and socket.io), so the
 * benchmark and tests can run the same pipe without a web server.
 */
import packageJson from "../package.json" with { type: "json" };
import { createBmc } from "./bmc";
import { BtBus } from "./buses/bt/bt-bus";
import { SimulatedHost } from "./buses/bt/sim-host";
import type { Config } from "./config";
import type { HealthResponse } from "./contract/api";
import type { Logger } from "./logger";
import { type Database, databaseFilePath, openDatabase } from "./persistence/database";
import { loadHandlerStates, saveHandlerState } from "./persistence/handler-state-store";
import { Router } from "./router/router";
import type { Bus } from "./router/types";
import type { ServerServices } from "./services";
import { exportExchanges } from "./traffic/export";
import { exchangesPage, maxExchangeId } from "./traffic/history";
import { ExchangeLogWriter } from "./traffic/log-writer";

export interface Runtime {
  readonly config: Config;
  readonly db: Database;
  readonly router: Router;
  readonly writer: ExchangeLogWriter;
  readonly services: ServerServices;
  readonly startedAt: number;
  readonly simHost: SimulatedHost | undefined;
  /** Starts the buses: traffic begins. */
  start(): Promise<void>;
  /** Stops the buses, lets in-flight requests finish (bounded), flushes the log, closes the database. */
  stop(): Promise<{ routed: number; persisted: number }>;
}

export interface RuntimeOptions {
  /** Extra buses (tests); the configured BT transport is added as well. */
  buses?: Bus[];
  /** For the simulated host: stop after this many requests. */
  simLimit?: number;
}

export async function createRuntime(
  config: Config,
  log: Logger,
  options: RuntimeOptions = {},
): Promise<Runtime> {
  const startedAt = Date.now();
  const db = await openDatabase(config.DATABASE_URL);
  const router = new Router({
    defaultTimeoutMs: config.HANDLER_TIMEOUT_MS,
    lastExchangeId: await maxExchangeId(db),
  });

  const bmc = createBmc();
  for (const spec of bmc.handlers) router.registry.register(spec);
  router.registry.presetEnabledStates(await loadHandlerStates(db));

  const writer = new ExchangeLogWriter(db, {
    onError: (err) =>
      log.error(`log writer: ${err instanceof Error ? err.message : String(err)} (will retry)`),
  });
  router.onExchange((x) => writer.write(x));

  let simHost: SimulatedHost | undefined;
  const buses: Bus[] = [...(options.buses ?? [])];
  if (config.BT_TRANSPORT === "sim") {
    simHost = new SimulatedHost(
      options.simLimit === undefined
        ? { rate: config.SIM_RATE }
        : { rate: config.SIM_RATE, limit: options.simLimit },
    );
    buses.push(new BtBus("bt0", simHost));
  }
  for (const bus of buses) router.addBus(bus);

  const services: ServerServices = {
    health(): HealthResponse {
      const writerStats = writer.stats();
      return {
        status: writerStats.failedBatches > 0 && writerStats.pending > 0 ? "degraded" : "ok",
        version: packageJson.version,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        database: databaseFilePath(config.DATABASE_URL),
        buses: router.busInfo(),
        exchanges: {
          routed: router.stats().routed,
          persisted: writerStats.written,
          pendingWrites: writerStats.pending,
        },
      };
    },
    listHandlers: () => router.registry.list(),
    async setHandlerEnabled(id, enabled) {
      const reg = router.registry.get(id);
      if (!reg) return null;
      // Persist first: a switch the operator saw take effect must survive a restart.
      await saveHandlerState(db, id, enabled);
      router.registry.setEnabled(id, enabled);
      log.info(`handler ${id} ${enabled ? "enabled" : "disabled"}`);
      return router.registry.info(reg);
    },
    async exchangesPage(query) {
      await writer.flush();
      return exchangesPage(db, query);
    },
    async *exportExchanges(query) {
      await writer.flush();
      yield* exportExchanges(db, query);
    },
  };

  let stopped: Promise<{ routed: number; persisted: number }> | undefined;
  return {
    config,
    db,
    router,
    writer,
    services,
    startedAt,
    simHost,
    async start() {
      for (const bus of buses) await bus.start();
    },
    stop() {
      stopped ??= (async () => {
        for (const bus of buses)
          await bus.stop().catch((err) => log.warn(`stopping bus ${bus.id}: ${String(err)}`));
        // Requests already with a handler get their answer (or C3h) and their record.
        await router.idle();
        await writer.close();
        await db.$disconnect();
        return { routed: router.stats().routed, persisted: writer.stats().written };
      })();
      return stopped;
    },
  };
}
