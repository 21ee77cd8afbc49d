/**
 * The server process: config, the runtime (router, buses, handlers, log), then one
 * HTTP server carrying Next.js (dashboard and /api) and socket.io (live stream).
 * SIGINT/SIGTERM stop it cleanly: the buses stop, in-flight requests are answered,
 * the log is flushed, and the process says how many exchanges it kept.
 */
import { createServer } from "node:http";
import next from "next";
import { Server as SocketServer } from "socket.io";
import { ProfileError } from "./bmc/profile";
import { ConfigError, isLoopback, loadConfig } from "./config";
import { executeControl, publishFleetControl, soloFleetControl } from "./control/control-actions";
import { attachFleetAdapter, startFleetLink } from "./fleet/fanout";
import { gate } from "./http/gate";
import { createLogger } from "./logger";
import { databaseFilePath } from "./persistence/database";
import { ConsoleGateway } from "./realtime/console-gateway";
import { LiveGateway, type LiveServer } from "./realtime/gateway";
import { RecentExchanges } from "./realtime/recent-exchanges";
import { createRuntime } from "./runtime";
import { publishServices } from "./services";
import { setLocalNodeName } from "./traffic/filter";

/** A start-up problem the operator can fix from its message alone. */
class StartupError extends Error {}

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.LOG_LEVEL);
  if (!isLoopback(config.HOST)) {
    log.warn(`listening on ${config.HOST}: sign-in protects the console, but use TLS in front of it`);
  }
  const runtime = await createRuntime(config, log);
  publishServices(runtime.services);

  const dev = config.NODE_ENV === "development";
  const app = next({ dev, hostname: config.HOST, port: config.PORT, dir: process.cwd() });
  await app.prepare();
  const handle = app.getRequestHandler();
  const httpServer = createServer(async (req, res) => {
    try {
      if (await gate(req, res, runtime.auth)) return;
    } catch (err) {
      log.error(`gate ${req.url}: ${String(err)}`);
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "internal error" }));
      return;
    }
    handle(req, res).catch((err: unknown) => {
      log.error(`request ${req.url}: ${String(err)}`);
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: "internal error" }));
    });
  });
  // socket.io must not destroy upgrades it does not own (Next's dev HMR socket): docs/stack.md.
  const io: LiveServer = new SocketServer(httpServer, { serveClient: false, destroyUpgrade: false });
  // Fleet fan-out (server/fleet/fanout.ts): on before the namespaces fill; never waits for the store.
  setLocalNodeName(config.NODE_NAME);
  const fleetAdapter = config.FLEET_DATABASE_URL
    ? attachFleetAdapter(io, config.FLEET_DATABASE_URL, log)
    : undefined;
  if (dev) {
    const upgrade = app.getUpgradeHandler();
    httpServer.on("upgrade", (req, socket, head) => {
      if (!req.url?.startsWith("/socket.io")) void upgrade(req, socket, head);
    });
  }
  const gateway = new LiveGateway({
    io,
    router: runtime.router,
    recent: new RecentExchanges(5000),
    log,
    startedAt: runtime.startedAt,
    control: runtime,
    rates: () => runtime.services.rates(),
    consoleChunks: runtime.console.writer,
    node: fleetAdapter ? config.NODE_NAME : undefined,
  });
  const fleetLink = fleetAdapter
    ? startFleetLink({
        io,
        adapter: fleetAdapter,
        gateway,
        node: config.NODE_NAME,
        execute: (command, actor) => executeControl(runtime.services, command, actor),
        log,
      })
    : undefined;
  publishFleetControl(fleetLink?.control ?? soloFleetControl(config.NODE_NAME));
  const consoleGateway = new ConsoleGateway({
    io,
    console: runtime.console.stream,
    description: () => runtime.console.description(),
    auth: runtime.auth,
    audit: runtime.audit,
    log,
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE" || err.code === "EACCES" || err.code === "EADDRNOTAVAIL") {
        reject(
          new StartupError(`cannot listen on ${config.HOST}:${config.PORT} (${err.code}); set PORT or HOST`),
        );
      } else reject(err);
    });
    httpServer.listen(config.PORT, config.HOST, () => resolve());
  });
  await runtime.start();
  const address = httpServer.address();
  const port = typeof address === "object" && address ? address.port : config.PORT;
  const host = config.HOST.includes(":") ? `[${config.HOST}]` : config.HOST;
  const lines = [
    `BMC traffic console listening on http://${host}:${port}`,
    `  database: ${databaseFilePath(config.DATABASE_URL)}`,
    ...runtime.router.busInfo().map((b) => `  bus ${b.id}: ${b.description}`),
    ...(runtime.console.transport ? [`  host console: ${runtime.console.description()}`] : []),
    ...runtime.notices.map((n) => `  ${n}`),
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  // The fleet ships and announces once the address is known; a store that is down only delays it.
  runtime.fleet?.start(config.FLEET_ADVERTISE_URL ?? `http://${host}:${port}`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping`);
    const { routed, persisted } = await runtime.stop();
    gateway.close();
    consoleGateway.close();
    await fleetLink?.close();
    publishFleetControl(undefined);
    publishServices(undefined);
    await new Promise<void>((resolve) => io.close(() => resolve()));
    await fleetAdapter?.close();
    httpServer.closeAllConnections();
    await app.close?.();
    process.stdout.write(`stopped: ${routed} exchanges routed, ${persisted} persisted\n`);
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((err: unknown) => {
  // A refused profile is the operator's input, not a crash: its message says it all.
  if (err instanceof ProfileError || err instanceof StartupError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
