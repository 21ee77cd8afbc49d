#!/usr/bin/env node
// `npm run demo:fleet`: a fleet of three nodes (a, b, c) on one machine, sharing one
// throwaway PostgreSQL (docs/scaling.md). Each node is the built server on a fresh SQLite
// log of its own (data/fleet-demo/<name>.db) with the simulated host at a gentle rate;
// one sign-in serves all three, and node a's console shows every node with ?node=all.
//
//   npm run demo:fleet          dashboards on 127.0.0.1:3001, 3002, 3003
//   PORT=4000 npm run demo:fleet    on 4001, 4002, 4003
// Ctrl-C, or the end of its input, stops the nodes (SIGTERM: each ships its backlog to the
// store first) and then removes the cluster. Node a runs the LAN bus on a free UDP port
// (printed); b and c run without it, to keep three nodes light on a small machine.
// DASHBOARD_ADMIN_PASSWORD and SIM_RATE from the environment are used when set.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { build } from "./build.mjs";
import { ensure, ensureDatabase, root } from "./ensure.mjs";

const say = (msg) => process.stdout.write(`\x1b[1m[demo]\x1b[0m ${msg}\n`);
const NODES = ["a", "b", "c"];
const COLORS = { a: 36, b: 35, c: 33 };

const basePort = process.env.PORT ? Number(process.env.PORT) : 3000;
if (!Number.isInteger(basePort) || basePort < 1 || basePort > 65532) {
  process.stderr.write(
    `[demo] PORT must be a port number (the nodes take PORT+1..PORT+3), not '${process.env.PORT}'\n`,
  );
  process.exit(2);
}
const password = process.env.DASHBOARD_ADMIN_PASSWORD || `demo-${randomBytes(6).toString("hex")}`;

ensure({ database: false, postgres: true });
await build();

// Fresh logs each run: the store is new each run too, and the admin password only takes
// on a database without operators.
const dataDir = join(root, "data", "fleet-demo");
rmSync(dataDir, { recursive: true, force: true });
const dbUrl = (name) => `file:${join(dataDir, `${name}.db`)}`;
// Before the cluster starts: a failed migration exits on the spot, with nothing to clean up.
for (const name of NODES) ensureDatabase(dbUrl(name));

// ---- stopping: registered before anything runs, so an early Ctrl-C cleans up too ----------

/** @type {{ url: string, port: number, stop(): void } | undefined} */
let pg;
/** @type {Promise<{ url: string, port: number, stop(): void }> | undefined} */
let clusterStarting;
/** @type {Map<string, { child: import("node:child_process").ChildProcess, exited: Promise<number | null> }>} */
const nodes = new Map();
let stopping = false;

function stopCluster() {
  if (!pg) return;
  const cluster = pg;
  pg = undefined;
  try {
    cluster.stop();
    say("PostgreSQL stopped and its cluster removed");
  } catch (err) {
    process.stderr.write(`[demo] could not stop PostgreSQL: ${err instanceof Error ? err.message : err}\n`);
  }
}

async function stop(code) {
  if (stopping) return;
  stopping = true;
  say("stopping the nodes (each ships what the store still lacks), then PostgreSQL");
  for (const { child } of nodes.values()) if (child.exitCode === null) child.kill("SIGTERM");
  // The nodes must be gone before their store: a node still shipping would only log errors.
  const killer = setTimeout(() => {
    for (const [name, { child }] of nodes) {
      if (child.exitCode === null && child.signalCode === null) {
        process.stderr.write(`[demo] node ${name} did not stop within 20 s: killing it\n`);
        child.kill("SIGKILL");
      }
    }
  }, 20_000);
  await Promise.all([...nodes.values()].map((n) => n.exited));
  clearTimeout(killer);
  // A Ctrl-C while initdb or pg_ctl runs: let the cluster come up, then take it down whole.
  await clusterStarting?.then(
    (cluster) => {
      pg ??= cluster;
    },
    () => undefined,
  );
  stopCluster();
  process.exit(code);
}
process.on("SIGINT", () => void stop(130));
process.on("SIGTERM", () => void stop(143));
process.on("SIGHUP", () => void stop(129));
// Last resort (an exception, process.exit elsewhere): no server or cluster outlives us.
process.on("exit", () => {
  for (const { child } of nodes.values()) if (child.exitCode === null) child.kill("SIGKILL");
  stopCluster();
});

// ---- the cluster ------------------------------------------------------------------------

// The very implementation the tests use (server/fleet/test-postgres.ts), loaded through tsx's
// API rather than copied here: one place knows initdb's flags and running it as `postgres`.
const { tsImport } = await import("tsx/esm/api");
const { startThrowawayPostgres } = await tsImport("../server/fleet/test-postgres.ts", import.meta.url);
clusterStarting = startThrowawayPostgres();
pg = await clusterStarting;
if (stopping) await new Promise(() => {});
const fleetUrl = pg.url;
say(`throwaway PostgreSQL on 127.0.0.1:${pg.port}`);

// ---- the nodes --------------------------------------------------------------------------

function startNode(name, index) {
  const child = spawn(process.execPath, ["--enable-source-maps", join(root, "dist", "server.mjs")], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: {
      NEXT_TELEMETRY_DISABLED: "1",
      LOG_LEVEL: "info",
      SIM_RATE: "3",
      ...process.env,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      PORT: String(basePort + index + 1),
      DATABASE_URL: dbUrl(name),
      FLEET_DATABASE_URL: fleetUrl,
      NODE_NAME: name,
      DASHBOARD_ADMIN_PASSWORD: password,
      LAN_PORT: name === "a" ? "0" : "off",
      // Every node runs the default buses (the simulated host); a bus list meant for one
      // server, or an address to advertise, would be wrong for three on one machine.
      BUSES: undefined,
      BUSES_FILE: undefined,
      HOST_TRANSPORT: undefined,
      BT_TRANSPORT: undefined,
      QEMU_INTERFACE: undefined,
      HOST_SERIAL: undefined,
      FLEET_ADVERTISE_URL: undefined,
    },
  });
  let out = "";
  const tag = `\x1b[${COLORS[name]}m[${name}]\x1b[0m`;
  const relay = (stream) =>
    createInterface({ input: stream }).on("line", (line) => {
      out += `${line}\n`;
      process.stdout.write(`${tag} ${line}\n`);
    });
  relay(child.stdout);
  relay(child.stderr);
  const exited = new Promise((resolve) => child.on("exit", (code) => resolve(code)));
  nodes.set(name, { child, exited });
  void exited.then((code) => {
    if (!stopping) say(`node ${name} stopped (exit ${code}); the others keep running`);
  });
  const ready = new Promise((resolve) => {
    const timer = setInterval(() => {
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      if (url) {
        clearInterval(timer);
        resolve({ name, url, lan: /bus lan0: LAN, udp (\S+)/.exec(out)?.[1] });
      }
    }, 50);
    void exited.then(() => {
      clearInterval(timer);
      resolve(undefined);
    });
  });
  return ready;
}

const started = await Promise.all(NODES.map(startNode));
if (stopping) await new Promise(() => {});
if (started.some((s) => s === undefined)) {
  const failed = NODES.filter((_, i) => started[i] === undefined);
  process.stderr.write(
    `\n[demo] node${failed.length > 1 ? "s" : ""} ${failed.join(", ")} stopped before listening; see the output above` +
      ` (ports ${basePort + 1}-${basePort + 3} taken? set PORT).\n`,
  );
  await stop(1);
}

say("three nodes on one PostgreSQL:");
for (const s of started) say(`  ${s.name}: ${s.url}${s.lan ? `  (LAN ${s.lan})` : ""}`);
say(`sign in as admin, password ${password}: one sign-in serves every node`);
say(`open ${started[0].url}/?node=all to see every node`);
say("Ctrl-C (or the end of input) stops the nodes, then PostgreSQL");

// Ends with Ctrl-D at a terminal, or when whatever feeds a piped input is done.
process.stdin.on("end", () => void stop(0));
process.stdin.resume();
