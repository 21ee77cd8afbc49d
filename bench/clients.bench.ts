/**
 * Section "clients": does watching the traffic slow the BMC down? The simulated BT host
 * runs flat out through the router, the BMC's handlers and the log writer (worker thread,
 * as the server runs it), with the real LiveGateway on socket.io, in this process; 0, 1,
 * 10 and 100 dashboard clients connect from a child process (bench/clients-child.ts) so
 * their CPU is not this event loop's. Half the clients have no filter, a quarter
 * `cmd == "Get Device ID"`, a quarter `kind == bt and cc != 0`.
 *
 * Per client count: the host's round trip (request frame out → response frame back into
 * the host's register, µs; the router's added time as the host sees it, including any
 * event-loop turn the gateway takes), p50 and p99, exchanges/s, and what the clients got:
 * exchange events/s and how many exchanges they were told were skipped (a client
 * acknowledging slower than the stream gets a `skipped` marker instead of a backlog).
 * Baseline: 0 clients, same run, same database; 0 clients again at the end shows the
 * drift of the run itself (the log grows). TARGET: p99 with clients ≤ 1.5x the 0-client p99.
 *
 * BENCH_CLIENTS_SECONDS: seconds measured per client count (default 10).
 */
import { type ChildProcess, fork } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { Server as SocketServer } from "socket.io";
import { SESSION_COOKIE } from "../server/auth/session-cookie";
import { BtBus } from "../server/buses/bt/bt-bus";
import { SimulatedHost } from "../server/buses/bt/sim-host";
import { loadConfig } from "../server/config";
import { createLogger } from "../server/logger";
import { createTestDatabase } from "../server/persistence/test-database";
import { LiveGateway, type LiveServer } from "../server/realtime/gateway";
import { RecentExchanges } from "../server/realtime/recent-exchanges";
import { createRuntime } from "../server/runtime";
import type { ChildMessage, ClientCounts, ParentMessage } from "./clients-child";
import { against, type BenchRow, type BenchSection, fmt } from "./report";

const SECONDS = Number(process.env.BENCH_CLIENTS_SECONDS ?? 10);
const CLIENT_COUNTS = [0, 1, 10, 100];
const P99_BOUND = 1.5;
const PASSWORD = "bench-clients-password";
const CHILD = fileURLToPath(new URL("./clients-child.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../", import.meta.url));
const FILTERS = ['cmd == "Get Device ID"', "kind == bt and cc != 0"];

/** Client i's filter: even ones see everything, odd ones alternate the two filters. */
function filterOf(i: number): string | null {
  return i % 2 === 0 ? null : FILTERS[((i - 1) / 2) % 2]!;
}

/**
 * The simulated host, timing each exchange two ways: request frame out → response frame
 * written to the host's register (the router's own synchronous work: decode, route,
 * handler, encode), and request frame out → the host reading that response on its next
 * event-loop turn (the round trip the host sees, which includes whatever else the loop
 * runs in between: the log writer, the gateway's batches).
 */
class TimedHost extends SimulatedHost {
  private sentAt = 0;
  private answered = false;
  router: number[] = [];
  roundTrip: number[] = [];
  recording = false;

  override onFrame(listener: (frame: Uint8Array) => void): void {
    super.onFrame((frame) => {
      this.sentAt = performance.now();
      this.answered = false;
      listener(frame);
    });
  }

  override onWritable(listener: () => void): void {
    // Called right after the host has read the response (sim-host.ts `write`).
    super.onWritable(() => {
      if (this.answered && this.sentAt > 0) {
        if (this.recording) this.roundTrip.push((performance.now() - this.sentAt) * 1000);
        this.sentAt = 0;
      }
      listener();
    });
  }

  override write(frame: Uint8Array): "sent" | "busy" {
    const result = super.write(frame);
    if (result === "sent" && this.sentAt > 0 && !this.answered) {
      this.answered = true;
      if (this.recording) this.router.push((performance.now() - this.sentAt) * 1000);
    }
    return result;
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Latency {
  p50: number;
  p99: number;
  max: number;
}

function latency(samples: number[]): Latency {
  const sorted = samples.sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

interface Phase {
  clients: number;
  /** Request frame → response frame written (µs). */
  router: Latency;
  /** Request frame → the host read the response (µs). */
  roundTrip: Latency;
  perSecond: number;
  /** The event loop's p99 delay (monitorEventLoopDelay), ms. */
  loopP99Ms: number;
  /** This process's CPU share, percent of one core. */
  cpuPercent: number;
  counts: ClientCounts | undefined;
}

class ClientsChild {
  private readonly child: ChildProcess;
  private readonly waiting: ((m: ChildMessage) => void)[] = [];
  private readonly exited: Promise<void>;

  constructor() {
    this.child = fork(CHILD, [], {
      cwd: ROOT,
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    this.child.on("message", (m: ChildMessage) => this.waiting.shift()?.(m));
    this.exited = new Promise((resolve) => this.child.once("exit", () => resolve()));
  }

  private ask(m: ParentMessage, timeoutMs = 60_000): Promise<ChildMessage> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`clients child: no answer to ${m.type}`)), timeoutMs);
      this.waiting.push((answer) => {
        clearTimeout(timer);
        if (answer.type === "error") reject(new Error(`clients child: ${answer.message}`));
        else resolve(answer);
      });
      this.child.send(m);
    });
  }

  async start(url: string, cookie: string, clients: number): Promise<void> {
    const filters = Array.from({ length: clients }, (_, i) => filterOf(i));
    await this.ask({ type: "start", url, cookie, filters });
  }

  reset(): void {
    this.child.send({ type: "reset" } satisfies ParentMessage);
  }

  async report(): Promise<ClientCounts> {
    const m = await this.ask({ type: "report" });
    if (m.type !== "report") throw new Error(`clients child: answered ${m.type} to report`);
    return m.counts;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.connected) this.child.send({ type: "stop" });
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(): Promise<BenchRow[]> {
  const tdb = await createTestDatabase();
  const log = createLogger("warn");
  const config = loadConfig({
    DATABASE_URL: tdb.url,
    // The bench's own timed BT bus instead of the configured simulated host; no LAN socket.
    HOST_TRANSPORT: "none",
    LAN_PORT: "off",
    DASHBOARD_ADMIN_PASSWORD: PASSWORD,
    LOG_LEVEL: "warn",
  });
  const host = new TimedHost({ rate: Number.POSITIVE_INFINITY });
  const runtime = await createRuntime(config, log, { buses: [new BtBus("bt0", host)] });
  const http = createServer((_req, res) => {
    res.writeHead(404);
    res.end();
  });
  const io: LiveServer = new SocketServer(http, { serveClient: false });
  const gateway = new LiveGateway({
    io,
    router: runtime.router,
    recent: new RecentExchanges(5000),
    log,
    startedAt: runtime.startedAt,
    control: runtime,
    rates: () => runtime.services.rates(),
  });
  let child: ClientsChild | undefined;
  try {
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const login = await runtime.auth.login("admin", PASSWORD, "127.0.0.1");
    if (!login.ok) throw new Error(`bench sign-in refused: ${login.status}`);
    const cookie = `${SESSION_COOKIE}=${login.token}`;
    await runtime.start();
    await sleep(5000); // past the host's boot script and the JIT's warm-up

    const loop = monitorEventLoopDelay({ resolution: 1 });
    const measure = async (clients: number): Promise<Phase> => {
      if (clients > 0) {
        child = new ClientsChild();
        await child.start(url, cookie, clients);
        await sleep(1500); // the snapshots and filter set-up settle
        child.reset();
      }
      host.router = [];
      host.roundTrip = [];
      host.recording = true;
      loop.reset();
      loop.enable();
      const answered0 = host.stats.answered;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await sleep(SECONDS * 1000);
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const answered = host.stats.answered - answered0;
      host.recording = false;
      loop.disable();
      const counts = child ? await child.report() : undefined;
      if (child) {
        await child.stop();
        child = undefined;
      }
      return {
        clients,
        router: latency(host.router),
        roundTrip: latency(host.roundTrip),
        perSecond: answered / seconds,
        loopP99Ms: loop.percentile(99) / 1e6,
        cpuPercent: ((cpu.user + cpu.system) / 1000 / (seconds * 1000)) * 100,
        counts,
      };
    };
    const phases: Phase[] = [];
    for (const n of CLIENT_COUNTS) {
      phases.push(await measure(n));
      console.log(`bench: clients: ${n} clients: ${JSON.stringify(phases.at(-1))}`);
    }
    const again = await measure(0);
    console.log(`bench: clients: 0 clients again: ${JSON.stringify(again)}`);
    return rowsOf(phases, again);
  } finally {
    await child?.stop();
    gateway.close();
    await new Promise<void>((resolve) => io.close(() => resolve()));
    http.closeAllConnections();
    await runtime.stop();
    await tdb.cleanup();
  }
}

function rowsOf(phases: Phase[], again: Phase): BenchRow[] {
  const base = phases[0]!;
  const rows: BenchRow[] = [];
  const us = (name: string, value: number) => ({ name, value, unit: "µs" });
  const baseRate = { name: "0 clients", value: base.perSecond, unit: "exchanges/s" };
  const circumstances = (p: Phase) =>
    `max ${fmt(p.roundTrip.max / 1000)} ms; event loop p99 ${fmt(p.loopP99Ms)} ms; server CPU ${fmt(p.cpuPercent)}%`;
  const bound = (value: number, baseline: number) => ({
    text: `≤ ${P99_BOUND}x 0-client p99 (${fmt(baseline * P99_BOUND)} µs)`,
    met: value <= baseline * P99_BOUND,
  });
  rows.push(
    {
      ...us("host round trip p99, 0 clients (baseline)", base.roundTrip.p99),
      note: `p50 ${fmt(base.roundTrip.p50)} µs; ${circumstances(base)}; request out → response read by the host`,
    },
    {
      ...us("router time p99, 0 clients (baseline)", base.router.p99),
      note: `p50 ${fmt(base.router.p50)} µs; request out → response written (decode, route, handler, encode)`,
    },
    {
      ...baseRate,
      name: "exchanges/s, 0 clients (baseline)",
      note: `load average at the end ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores: above the core count, every figure here is noisy`,
    },
  );
  for (const p of phases.slice(1)) {
    const filtered = Math.floor(p.clients / 2);
    rows.push(
      against(
        us(`host round trip p99, ${p.clients} clients`, p.roundTrip.p99),
        us("0 clients p99", base.roundTrip.p99),
        { target: bound(p.roundTrip.p99, base.roundTrip.p99), note: circumstances(p) },
      ),
      against(
        us(`host round trip p50, ${p.clients} clients`, p.roundTrip.p50),
        us("0 clients p50", base.roundTrip.p50),
      ),
      against(
        us(`router time p99, ${p.clients} clients`, p.router.p99),
        us("0 clients p99", base.router.p99),
        {
          target: bound(p.router.p99, base.router.p99),
          note: `p50 ${fmt(p.router.p50)} µs (0 clients ${fmt(base.router.p50)} µs)`,
        },
      ),
      against(
        { name: `exchanges/s, ${p.clients} clients`, value: p.perSecond, unit: "exchanges/s" },
        baseRate,
      ),
    );
    const c = p.counts;
    if (c) {
      rows.push(
        {
          name: `events/s received, ${p.clients} clients (all)`,
          value: c.exchanges / c.seconds,
          unit: "events/s",
          note: `${p.clients - filtered} unfiltered, ${filtered} filtered; ${c.connected}/${p.clients} connected at the end; clients' CPU ${fmt((c.cpuMs / (c.seconds * 1000)) * 100)}%`,
        },
        {
          name: `told skipped, ${p.clients} clients`,
          value: c.skipped / c.seconds,
          unit: "exchanges/s",
          note: `${fmt(c.skipped)} in ${fmt(c.seconds)} s, summed over clients (skipped markers)`,
        },
      );
    }
  }
  rows.push(
    against(
      us("host round trip p99, 0 clients again (drift)", again.roundTrip.p99),
      us("0 clients p99", base.roundTrip.p99),
      {
        note: `p50 ${fmt(again.roundTrip.p50)} µs, ${fmt(again.perSecond)} exchanges/s; the run's own drift, not a target`,
      },
    ),
  );
  return rows;
}

export const section: BenchSection = {
  id: "clients",
  title: "Live clients vs router latency",
  run,
};
