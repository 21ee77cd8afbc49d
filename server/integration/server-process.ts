/**
 * Runs the real server (dist/server.mjs, as `npm start` builds it) as a child process
 * on a database of the test's own and a free loopback port, for integration tests.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { io, type Socket } from "socket.io-client";
import { LIVE_NAMESPACE, type LiveEvent, type ServerToClientEvents, type Snapshot } from "../contract/events";
import type { ExchangeDto } from "../contract/exchange";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** BMC_DIST: a server bundle of one's own (`node scripts/build.mjs --server-only --out DIR`). */
const SERVER = path.join(process.env.BMC_DIST ?? path.join(ROOT, "dist"), "server.mjs");

/** The first admin's password in every test server (DASHBOARD_ADMIN_PASSWORD). */
export const ADMIN_PASSWORD = "integration-test-password";

export interface RunningServer {
  url: string;
  /** The server process's id (the LAN benchmark reads its CPU time). */
  pid: number;
  /** Signs in through POST /api/auth/login and returns the session cookie ("bmc_session=..."). */
  login(username?: string, password?: string): Promise<string>;
  output(): string;
  /** SIGTERM, then the figures the server printed on its way out. */
  stop(): Promise<{ code: number | null; routed: number; persisted: number }>;
}

export async function startServer(env: Record<string, string>): Promise<RunningServer> {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npm run build\` first`);
  const child: ChildProcess = spawn(process.execPath, ["--enable-source-maps", SERVER], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      // Any free UDP port for the LAN bus, so test servers never clash with each other or a running one.
      LAN_PORT: "0",
      DASHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.on("data", (b: Buffer) => {
    out += b.toString();
  });
  child.stderr!.on("data", (b: Buffer) => {
    out += b.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        child.stdout!.off("data", onData);
        resolve(m[1]!);
      }
    };
    child.stdout!.on("data", onData);
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
  return {
    url,
    pid: child.pid!,
    async login(username = "admin", password = ADMIN_PASSWORD) {
      const res = await fetch(`${url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username, password }),
      });
      if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
      const cookie = res.headers.get("set-cookie")?.split(";")[0];
      if (!cookie) throw new Error("sign-in set no cookie");
      return cookie;
    },
    output: () => out,
    async stop() {
      child.kill("SIGTERM");
      const code = await exited;
      const m = /stopped: (\d+) exchanges routed, (\d+) persisted/.exec(out);
      if (!m) throw new Error(`server did not report its figures on stop:\n${out}`);
      return { code, routed: Number(m[1]), persisted: Number(m[2]) };
    },
  };
}

/**
 * The UDP port of the server's LAN bus, read from the line it logs at start
 * (`bus lan0: LAN, udp 127.0.0.1:6230`; start the server with LOG_LEVEL=info, and
 * LAN_PORT=0 for any free port). Waits for the line up to `timeoutMs`.
 */
export async function lanPort(server: RunningServer, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = /bus lan0: LAN, udp \S+:(\d+)/.exec(server.output());
    if (m) return Number(m[1]);
    if (Date.now() > deadline)
      throw new Error(
        `the server logged no "bus lan0: LAN, udp" line (LOG_LEVEL=info?):\n${server.output()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A live-stream client that collects exchanges, for waiting on what the server routed. */
export class LiveWatcher {
  readonly socket: Socket<ServerToClientEvents>;
  readonly exchanges: ExchangeDto[] = [];
  snapshot: Snapshot | undefined;
  private waiters: { test: (x: ExchangeDto) => boolean; resolve: (x: ExchangeDto) => void }[] = [];

  constructor(url: string, cookie: string) {
    this.socket = io(`${url}${LIVE_NAMESPACE}`, {
      transports: ["websocket"],
      reconnection: false,
      extraHeaders: { cookie },
    });
    this.socket.on("snapshot", (s) => {
      this.snapshot = s;
    });
    this.socket.on("live", (events: LiveEvent[], ack: () => void) => {
      for (const e of events) if (e.type === "exchange") this.add(e.exchange);
      ack();
    });
  }

  /** Resolves with the first exchange from now on that passes `test`. */
  next(test: (x: ExchangeDto) => boolean, timeoutMs = 20_000): Promise<ExchangeDto> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no matching exchange arrived")), timeoutMs);
      this.waiters.push({
        test,
        resolve: (x) => {
          clearTimeout(timer);
          resolve(x);
        },
      });
    });
  }

  close(): void {
    this.socket.close();
  }

  private add(x: ExchangeDto): void {
    this.exchanges.push(x);
    this.waiters = this.waiters.filter((w) => {
      if (!w.test(x)) return true;
      w.resolve(x);
      return false;
    });
  }
}
