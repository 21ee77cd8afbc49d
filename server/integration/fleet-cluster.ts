/**
 * Three (or more) real server processes sharing one throwaway PostgreSQL, each on its own
 * SQLite log with a simulated host, signed in: the fleet integration tests' setup.
 * Started together; if one fails to start, the others are stopped and the error thrown.
 */
import { startThrowawayPostgres, type ThrowawayPostgres } from "../fleet/test-postgres";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { type RunningServer, startServer } from "./server-process";

export interface FleetCluster<N extends string> {
  pg: ThrowawayPostgres;
  server(node: N): RunningServer;
  /** A request to a node's API as its signed-in operator (JSON content type). */
  api(node: N, path: string, init?: RequestInit): Promise<Response>;
  cookie(node: N): string;
  stop(): Promise<void>;
}

export async function startFleetCluster<const N extends string>(
  nodes: readonly N[],
  env: Record<string, string> = {},
): Promise<FleetCluster<N>> {
  const pg = await startThrowawayPostgres();
  const dbs: TestDatabase[] = [];
  const servers = new Map<N, RunningServer>();
  const cookies = new Map<N, string>();
  const stop = async () => {
    await Promise.allSettled([...servers.values()].map((s) => s.stop()));
    pg.stop();
    for (const db of dbs) await db.cleanup();
  };
  try {
    for (const _ of nodes) dbs.push(await createTestDatabase());
    const started = await Promise.allSettled(
      nodes.map((name, i) =>
        startServer({
          DATABASE_URL: dbs[i]!.url,
          FLEET_DATABASE_URL: pg.url,
          NODE_NAME: name,
          SIM_RATE: "50",
          LAN_PORT: "off",
          ...env,
        }),
      ),
    );
    started.forEach((s, i) => {
      if (s.status === "fulfilled") servers.set(nodes[i]!, s.value);
    });
    const failed = started.find((s) => s.status === "rejected");
    if (failed) throw (failed as PromiseRejectedResult).reason;
    for (const n of nodes) cookies.set(n, await servers.get(n)!.login());
  } catch (err) {
    await stop();
    throw err;
  }
  const server = (n: N) => servers.get(n)!;
  return {
    pg,
    server,
    cookie: (n) => cookies.get(n)!,
    api: (n, path, init = {}) =>
      fetch(`${server(n).url}${path}`, {
        ...init,
        headers: { "content-type": "application/json", cookie: cookies.get(n)!, ...(init.headers as object) },
      }),
    stop,
  };
}

/** Polls `probe` every 50 ms until it gives a value; a timeout names what was awaited. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
