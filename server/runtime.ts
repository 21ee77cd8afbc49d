/**
 * Wires the product from its config: database, router, the BMC's handlers, the log
 * writer, the buses. No HTTP here (main.ts adds Next.js and socket.io), so the
 * benchmark and tests can run the same pipe without a web server.
 */
import packageJson from "../package.json" with { type: "json" };
import { AuthService } from "./auth/auth-service";
import { bootstrapAdmin, openBmc, secretKeyPathFor, solConfigOf } from "./bmc";
import { bridgeHandlers } from "./bmc/handlers/bridge-messages";
import { payloadHandlers } from "./bmc/handlers/payload";
import { lanSecurityWarnings } from "./bmc/lan-config";
import { createLanSessions } from "./bmc/sessions";
import { SolPayloads } from "./bmc/sol/sol-payloads";
import type { SimulatedHost } from "./buses/bt/sim-host";
import { connectHostControl, createBuses } from "./buses/create-buses";
import type { IpmbBus } from "./buses/ipmb/ipmb-bus";
import { LanBus } from "./buses/lan/lan-bus";
import type { Config } from "./config";
import { createHostConsole, type HostConsole } from "./console/create-console";
import { exportConsoleNdjson, exportConsoleText, queryConsoleHistory } from "./console/history";
import type { HealthResponse } from "./contract/api";
import { AuditLog } from "./control/audit-log";
import { HoldQueue } from "./control/hold-queue";
import { lanServices } from "./control/lan-admin";
import { RuleEngine } from "./control/rule-engine";
import { ruleInterceptor } from "./control/rule-interceptor";
import { createFleet, type Fleet, soloFleetStatus } from "./fleet/create-fleet";
import { exportFleetAudit, fleetAuditPage } from "./fleet/fleet-audit";
import {
  exportFleetExchanges,
  fleetExchangesPage,
  type HistoryFleet,
  historySource,
} from "./fleet/fleet-history";
import type { Logger } from "./logger";
import {
  type Database,
  databaseFilePath,
  MAIN_THREAD_BUSY_TIMEOUT_MS,
  openDatabase,
} from "./persistence/database";
import { loadHandlerStates, saveHandlerState } from "./persistence/handler-state-store";
import { Router } from "./router/router";
import type { Bus } from "./router/types";
import type { ServerServices } from "./services";
import { exportExchanges } from "./traffic/export";
import { exchangesPage, maxExchangeId } from "./traffic/history";
import { parseCursor } from "./traffic/history-cursor";
import { watchDatabaseFile } from "./traffic/log-file-watch";
import { ExchangeLogWriter } from "./traffic/log-writer";
import { TrafficRates } from "./traffic/rates";
import { exchangeLogInfo, LogRetention } from "./traffic/retention";
import { WorkerStatementRunner } from "./traffic/worker-runner";

export interface Runtime {
  readonly config: Config;
  readonly db: Database;
  readonly router: Router;
  readonly writer: ExchangeLogWriter;
  readonly services: ServerServices;
  readonly startedAt: number;
  readonly simHost: SimulatedHost | undefined;
  readonly auth: AuthService;
  readonly rules: RuleEngine;
  readonly holds: HoldQueue;
  readonly audit: AuditLog;
  /** The first LAN bus, when the configuration has one (LAN_PORT not "off", or "lan" in BUSES). */
  readonly lanBus: LanBus | undefined;
  /** The host's serial console (HOST_SERIAL): its stream, transport and recorded history. */
  readonly console: HostConsole;
  /** Lines for the start banner: the IPMI admin credential at the first start, security warnings. */
  readonly notices: string[];
  /** The fleet side (FLEET_DATABASE_URL): shipping, roster, shared sign-in; undefined when alone. */
  readonly fleet: Fleet | undefined;
  /** Starts the buses: traffic begins. */
  start(): Promise<void>;
  /** Stops the buses, lets in-flight requests finish (bounded), flushes the log, closes the database. */
  stop(): Promise<{ routed: number; persisted: number }>;
}

export interface RuntimeOptions {
  /** Extra buses (tests); the configured ones (config.buses) are added as well. */
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
  const db = await openDatabase(config.DATABASE_URL, { busyTimeoutMs: MAIN_THREAD_BUSY_TIMEOUT_MS });
  const router = new Router({
    defaultTimeoutMs: config.HANDLER_TIMEOUT_MS,
    lastExchangeId: await maxExchangeId(db),
  });

  // A bad BMC_PROFILE stops the start here with each field and the reason (ProfileError).
  const secretKeyPath = secretKeyPathFor(config.DATABASE_URL);
  const bmc = await openBmc({
    db,
    profilePath: config.BMC_PROFILE,
    log,
    ...(secretKeyPath ? { secretKeyPath } : {}),
  });
  // LAN sessions: the session commands are handlers like any (Get Channel Authentication
  // Capabilities is asked in-band too); the bus exists only when LAN_PORT is not "off".
  const lan = createLanSessions({
    profile: bmc.profile,
    users: bmc.users,
    channels: bmc.channels,
    lanConfig: bmc.lanConfig,
    guid: () => Uint8Array.from(bmc.controller.systemGuid),
  });
  // The host's serial console: recorded from the start, whoever watches it.
  const hostConsole = createHostConsole(db, config.HOST_SERIAL, {
    log,
    ...(config.RETENTION_DAYS === undefined ? {} : { retentionDays: config.RETENTION_DAYS }),
  });
  // SOL (payload type 01h) on the LAN bus: instance 1, between an RMCP+ session and the console.
  const solConfig = solConfigOf(bmc);
  const solPayloads = new SolPayloads({ console: hostConsole.stream, timing: () => solConfig.timing(), log });
  let firstLan: LanBus | undefined;
  const payloads = payloadHandlers({
    sol: solPayloads,
    config: solConfig,
    link: (sessionId) => firstLan?.solLink(sessionId),
  });
  // Bridging (Send Message to a controller on IPMB): the IPMB buses are built below.
  const ipmbByChannel = new Map<number, IpmbBus>();
  const bridging = bridgeHandlers({
    ipmb: (channel) => ipmbByChannel.get(channel),
    receiveQueue: bmc.queues.messages,
    log,
  });
  for (const spec of [...bmc.handlers, ...lan.handlers, ...bridging, ...payloads])
    router.registry.register(spec);
  router.registry.presetEnabledStates(await loadHandlerStates(db));
  const notices: string[] = [];
  // The first start on a database gives user 2 "admin" its password: said once, here.
  const admin = bootstrapAdmin(bmc.users, {
    ...(config.IPMI_ADMIN_PASSWORD === undefined ? {} : { password: config.IPMI_ADMIN_PASSWORD }),
  });
  if (admin?.generated)
    notices.push(
      `IPMI user ${admin.name}, password ${admin.password} (generated now, shown once; change it on the IPMI Users page)`,
    );
  else if (admin) notices.push(`IPMI user ${admin.name}, password from IPMI_ADMIN_PASSWORD`);
  for (const w of lanSecurityWarnings(bmc.lanConfig)) notices.push(`warning: LAN security weakened: ${w}`);
  // The buses the configuration lists (BUSES, or HOST_TRANSPORT and LAN_PORT in short).
  const created = createBuses(config, {
    log,
    lanLogin: lan.login,
    solPackets: solPayloads,
    ...(options.simLimit === undefined ? {} : { simLimit: options.simLimit }),
  });
  for (const c of created) if (c.ipmb) ipmbByChannel.set(c.ipmb.channel, c.ipmb);
  const lanBuses = created.flatMap((c) => (c.bus instanceof LanBus ? [c.bus] : []));
  // Set LAN Configuration Parameters reports the first LAN bus's address (one LAN channel).
  const lanBus = lanBuses[0];
  firstLan = lanBus;
  // A session that closes (Close Session, idle timeout, an operator) ends its SOL.
  lan.table.onChange((c) => {
    if (c.kind === "closed") solPayloads.deactivate(c.session.id, `ended: session closed (${c.reason})`);
  });
  if (lanBus) {
    solConfig.takePortFrom(() => lanBus.address?.port);
    bmc.lanConfig.takeAddressFrom(() =>
      lanBus.address ? { ip: lanBus.address.address, port: lanBus.address.port } : null,
    );
    lan.table.onChange((c) => {
      const s = c.session;
      const who = `${JSON.stringify(s.userName)} from ${s.peer}`;
      if (c.kind === "opened") log.info(`${lanBus.id}: session ${s.id.toString(16)} opened: ${who}`);
      if (c.kind === "closed")
        log.info(`${lanBus.id}: session ${s.id.toString(16)} of ${who} closed: ${c.reason}`);
    });
  }

  const writer = new ExchangeLogWriter(db, {
    // SQLite is synchronous: the statements run in a worker thread, off the router's event loop.
    runner: new WorkerStatementRunner(config.DATABASE_URL),
    onError: (err) =>
      log.error(`log writer: ${err instanceof Error ? err.message : String(err)} (will retry)`),
    maxBuffered: config.LOG_BUFFER_RECORDS,
    onWarning: (message) => log.warn(`log writer: ${message}`),
  });
  router.onExchange((x) => writer.write(x));
  const databaseFile = databaseFilePath(config.DATABASE_URL);
  const stopWatchingFile = watchDatabaseFile(databaseFile, (reason) => {
    if (reason) log.error(`log writer: ${reason}`);
    writer.setFault(reason);
  });
  // RETENTION_DAYS / RETENTION_ROWS: pruned at start and every minute, in small steps (retention.ts).
  const retention = new LogRetention(db, {
    days: config.RETENTION_DAYS ?? null,
    rows: config.RETENTION_ROWS ?? null,
    onError: (err) => log.error(`log retention: ${err instanceof Error ? err.message : String(err)}`),
  });
  const rates = new TrafficRates();
  router.onExchange((x) => rates.record(x));

  // Operator control: sign-in, rules before the handlers, held requests, audit trail.
  // The fleet connects lazily: a store that is down at start never stops the node.
  const fleet = createFleet(config, {
    local: db,
    log,
    version: packageJson.version,
    startedAt,
    buses: () => router.busInfo(),
  });
  const auth = new AuthService(db, Date.now, fleet?.sharedAuth);
  const historyFleet: HistoryFleet | undefined = fleet && {
    node: fleet.node,
    store: () => fleet.store(),
    nodeNames: async () => (await fleet.registry.list()).map((n) => n.name),
  };
  const bootstrap = await auth.bootstrap(config.DASHBOARD_ADMIN_PASSWORD);
  if (bootstrap === "created") log.info("created the first operator 'admin' from DASHBOARD_ADMIN_PASSWORD");
  auth.startSweeping();
  const rules = new RuleEngine(db);
  await rules.load();
  const holds = new HoldQueue({
    // Never longer than the bus's host waits; HOLD_DEADLINE_MS may make it shorter.
    deadlineMs: (busId) =>
      Math.min(config.HOLD_DEADLINE_MS, router.getBus(busId)?.holdDeadlineMs ?? Number.POSITIVE_INFINITY),
    onExpiry: config.HOLD_EXPIRY,
  });
  router.setInterceptor(ruleInterceptor(rules, holds));
  const audit = new AuditLog(db);

  const buses: Bus[] = [...(options.buses ?? [])];
  const simHost = created.find((c) => c.simHost)?.simHost;
  const hostControl = connectHostControl(created, bmc, log);
  if (hostControl.wired.length > 0) log.info(`host: ${hostControl.wired.join(", ")}`);
  for (const bus of buses) router.addBus(bus);
  for (const c of created) {
    router.addBus(c.bus, c.meta);
    buses.push(c.bus);
  }

  const services: ServerServices = {
    async health(): Promise<HealthResponse> {
      const writerStats = writer.stats();
      const writerStatus = writer.status();
      // Degraded files and locks must not make health fail: it is what says so.
      const { sizeBytes, oldestId, oldestReceivedAt } = await exchangeLogInfo(db, databaseFile).catch(() => ({
        sizeBytes: null,
        oldestId: null,
        oldestReceivedAt: null,
      }));
      return {
        status: writerStatus.status,
        version: packageJson.version,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        database: databaseFilePath(config.DATABASE_URL),
        buses: router.busInfo(),
        exchanges: {
          routed: router.stats().routed,
          persisted: writerStats.written,
          pendingWrites: writerStats.pending,
        },
        log: { sizeBytes, oldestId, oldestReceivedAt, retention: retention.stats(), writer: writerStatus },
        console: { host: hostConsole.stream.hostState, description: hostConsole.description() },
        fleet: fleet
          ? await fleet.health().catch(() => ({
              enabled: true,
              node: config.NODE_NAME,
              store: "down" as const,
              lag: null,
            }))
          : { enabled: false, node: config.NODE_NAME, store: "off", lag: null },
      };
    },
    listHandlers: () => router.registry.list(),
    rates: () => rates.snapshot(),
    messageQueues: () => bmc.queues.snapshot(),
    auth,
    rules,
    holds,
    audit,
    async inject(body, origin = "injected") {
      if (!router.getBus(body.bus)) return null;
      const x = await router.inject(
        body.bus,
        { seq: null, netFn: body.netFn, lun: body.lun, cmd: body.cmd, data: body.data },
        origin,
      );
      return x;
    },
    async replay(id) {
      await writer.flush();
      const row = await db.exchange.findUnique({ where: { id } });
      if (!row || row.netFn === null || row.cmd === null) return "no-exchange";
      const x = await this.inject(
        {
          bus: row.busId,
          netFn: row.netFn,
          lun: row.lun ?? 0,
          cmd: row.cmd,
          data: Uint8Array.from(row.request),
        },
        "replay",
      );
      return x ?? "no-bus";
    },
    async setHandlerEnabled(id, enabled) {
      const reg = router.registry.get(id);
      if (!reg) return null;
      // Persist first: a switch the operator saw take effect must survive a restart.
      await saveHandlerState(db, id, enabled);
      router.registry.setEnabled(id, enabled);
      log.info(`handler ${id} ${enabled ? "enabled" : "disabled"}`);
      return router.registry.info(reg);
    },
    lan: lanServices({
      users: bmc.users,
      table: lanBus ? lan.table : undefined,
      warnings: () => lanSecurityWarnings(bmc.lanConfig),
      listening: () => (lanBus ? lanBus.description.replace(/^LAN, /, "") : null),
      idleTimeoutSeconds: bmc.profile.lan.idleTimeoutSeconds,
      limit: lan.table.limit,
    }),
    async historyRefusal(query) {
      const source = await historySource(query, config.NODE_NAME, historyFleet);
      return "refused" in source ? source.refused : null;
    },
    async exchangesPage(query) {
      const source = await historySource(query, config.NODE_NAME, historyFleet);
      if ("refused" in source) throw new Error(source.refused.error);
      if (source.kind === "fleet") return fleetExchangesPage(source.db, source.scope, query);
      await writer.flush();
      return exchangesPage(db, query);
    },
    async auditPage(query) {
      const source = await historySource(query, config.NODE_NAME, historyFleet);
      if ("refused" in source) throw new Error(source.refused.error);
      if (source.kind === "fleet") return fleetAuditPage(source.db, source.scope, query);
      const cursor = query.cursor === undefined ? null : parseCursor(query.cursor);
      return audit.page(query.limit, cursor?.kind === "id" ? cursor.id : query.before);
    },
    async *exportAudit(query) {
      const source = await historySource(query, config.NODE_NAME, historyFleet);
      if ("refused" in source) throw new Error(source.refused.error);
      if (source.kind === "fleet") yield* exportFleetAudit(source.db, source.scope, query.format);
      else yield* audit.export(query.format);
    },
    async consoleHistory(query) {
      await hostConsole.writer.flush();
      const page = await queryConsoleHistory(db, query);
      return {
        chunks: page.chunks.map(({ id, receivedAt, direction, source, text }) => ({
          id,
          receivedAt,
          direction,
          source,
          text,
        })),
        nextBefore: page.nextBefore,
      };
    },
    async *exportConsole(query) {
      await hostConsole.writer.flush();
      const range = {
        ...(query.from === undefined ? {} : { from: query.from }),
        ...(query.to === undefined ? {} : { to: query.to }),
      };
      yield* query.format === "text" ? exportConsoleText(db, range) : exportConsoleNdjson(db, range);
    },
    async *exportExchanges(query) {
      const source = await historySource(query, config.NODE_NAME, historyFleet);
      if ("refused" in source) throw new Error(source.refused.error);
      if (source.kind === "fleet") {
        yield* exportFleetExchanges(source.db, source.scope, query);
        return;
      }
      await writer.flush();
      yield* exportExchanges(db, query);
    },
    fleet: async () => (fleet ? fleet.status() : soloFleetStatus(config.NODE_NAME)),
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
    auth,
    rules,
    holds,
    audit,
    lanBus,
    console: hostConsole,
    notices,
    fleet,
    async start() {
      retention.start();
      await hostConsole.start();
      for (const bus of buses) await bus.start();
    },
    stop() {
      stopped ??= (async () => {
        // The host's signals stop reaching the BMC (and the BMC's the host) before the buses go.
        hostControl.dispose();
        await hostConsole.stop().catch((err) => log.warn(`stopping the host console: ${String(err)}`));
        for (const bus of buses)
          await bus.stop().catch((err) => log.warn(`stopping bus ${bus.id}: ${String(err)}`));
        // Held requests fall back as on expiry; requests with a handler get their answer
        // (or C3h) and their record.
        holds.close();
        await router.idle();
        await rules.close();
        auth.close();
        await retention.stop();
        stopWatchingFile();
        await writer.close();
        // What the writer flushed on the way out is shipped too (bounded; the rest at the next start).
        await fleet?.stop().catch((err) => log.warn(`stopping the fleet: ${String(err)}`));
        // The BMC's timer stops and its writes (SEL, settings) reach the database.
        await bmc.stop();
        await db.$disconnect();
        return { routed: router.stats().routed, persisted: writer.stats().written };
      })();
      return stopped;
    },
  };
}
