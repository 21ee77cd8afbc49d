/**
 * A throwaway PostgreSQL cluster for tests, the benchmark and `npm run demo:fleet`: initdb
 * in a temporary directory, listening on 127.0.0.1 on a free port, trust authentication
 * for user postgres; removed by stop(). PostgreSQL refuses to run as root: as root the
 * cluster runs as the `postgres` user Debian's package creates (runuser), otherwise as
 * whoever we are. Debian's binaries live in /usr/lib/postgresql/<version>/bin.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { FleetDatabase } from "./fleet-database";

export interface ThrowawayPostgres {
  /** postgresql://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** Stops the server, keeping the cluster (for outage tests). */
  pause(): void;
  /** Starts it again on the same port. */
  resume(): void;
  /** Stops it and removes the cluster. */
  stop(): void;
}

/** Debian's PostgreSQL binaries (newest version installed), or undefined. */
export function postgresBinDir(): string | undefined {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => existsSync(path.join(base, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(base, versions[0], "bin") : undefined;
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("PostgreSQL is not installed (Debian: apt-get install -y postgresql)");
  const dir = mkdtempSync(path.join(os.tmpdir(), "bmc-pg-"));
  const data = path.join(dir, "data");
  const asPostgres = (cmd: string, args: string[]) =>
    isRoot() ? (["runuser", ["-u", "postgres", "--", cmd, ...args]] as const) : ([cmd, args] as const);
  if (isRoot()) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    chownSync(dir, uid, gid);
  }
  const run = (cmd: string, args: string[]) => {
    const [c, a] = asPostgres(path.join(bin, cmd), args);
    const r = spawnSync(c, a, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${cmd} failed (${r.status}): ${r.stderr || r.stdout}`);
  };
  run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const port = await freePort();
  const start = () =>
    run("pg_ctl", [
      "-D",
      data,
      "-l",
      path.join(data, "server.log"),
      "-o",
      `-p ${port} -k ${data} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
      "-w",
      "start",
    ]);
  const halt = () => run("pg_ctl", ["-D", data, "-m", "fast", "-w", "stop"]);
  start();
  let running = true;
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    pause() {
      if (!running) return;
      halt();
      running = false;
    },
    resume() {
      if (running) return;
      start();
      running = true;
    },
    stop() {
      try {
        if (running) halt();
      } finally {
        running = false;
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

export interface FleetStore {
  url: string;
  /** The migrated store, opened through Prisma as a node opens it. */
  db: FleetDatabase;
  pg: ThrowawayPostgres;
  /** Disconnects and removes the cluster. */
  stop(): Promise<void>;
}

/** A throwaway PostgreSQL with the fleet's migrations applied and the store opened: the fleet tests' setup. */
export async function startFleetStore(): Promise<FleetStore> {
  const pg = await startThrowawayPostgres();
  try {
    // Loaded here, not at the top: the demo and the e2e tests import this file for the
    // cluster alone and need not load the generated client.
    const { openFleetDatabase } = await import("./fleet-database");
    const db = await openFleetDatabase(pg.url);
    return {
      url: pg.url,
      db,
      pg,
      async stop() {
        try {
          await db.$disconnect();
        } finally {
          pg.stop();
        }
      },
    };
  } catch (err) {
    pg.stop();
    throw err;
  }
}
