/**
 * `npm run bench:lan` (part of `npm run bench`): IPMI requests/s over the LAN bus, as a
 * real client drives it. ipmitool runs one RMCP+ session (cipher suite 3) that sends
 * BENCH_LAN_REQUESTS `raw 0x06 0x01` (Get Device ID) through its `exec` command, then
 * eight such sessions in parallel; the same two workloads against Debian's `ipmi_sim`
 * (OpenIPMI's BMC simulator) in the same run, when it is installed. Our side is the built
 * server (dist/server.mjs) on a temporary database with every exchange logged, as it
 * runs in production; the rows are counted after the run. Besides requests/s it reads
 * each BMC process's CPU time per 1,000 requests (/proc), which a busy machine disturbs
 * less. Loopback only. One run, same machine: compare ratios, not absolutes. Section "lan"
 * of `npm run bench`; `tsx bench/lan.bench.ts` runs it alone.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import dgram from "node:dgram";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { lanPort, startServer } from "../server/integration/server-process";
import { createTestDatabase } from "../server/persistence/test-database";
import { against, type BenchRow, type BenchSection, runIfMain } from "./report";

const PER_SESSION = Number(process.env.BENCH_LAN_REQUESTS ?? 4000);
const PARALLEL = 8;
const USER = "admin";
const PASSWORD = "bench-lan-pw";
/** ipmi_sim has no cipher suite 17 (it answers "invalid authentication algorithm"); 3 both sides. */
const CIPHER = "3";
const TARGET = 1.0;

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

interface Workload {
  label: string;
  sessions: number;
}
const WORKLOADS: Workload[] = [
  { label: "1 session", sessions: 1 },
  { label: `${PARALLEL} sessions in parallel`, sessions: PARALLEL },
];

/** One `ipmitool ... exec file` session; resolves with the number of answers it printed. */
function ipmitoolExec(port: number, file: string, expected: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "ipmitool",
      [
        "-I",
        "lanplus",
        "-H",
        "127.0.0.1",
        "-p",
        String(port),
        "-U",
        USER,
        "-P",
        PASSWORD,
        "-C",
        CIPHER,
      ].concat(["exec", file]),
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    let answers = 0;
    let partial = "";
    let stderr = "";
    child.stdout.on("data", (b: Buffer) => {
      const lines = (partial + b.toString()).split("\n");
      partial = lines.pop() ?? "";
      // `raw` prints the response data as " 20 01 01 ...".
      for (const l of lines) if (/^( [0-9a-f]{2})+\s*$/.test(l)) answers += 1;
    });
    child.stderr.on("data", (b: Buffer) => {
      stderr += b.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0 && answers === expected) resolve();
      else
        reject(
          new Error(
            `ipmitool exec on port ${port}: exit ${code}, ${answers} of ${expected} answers\n${stderr.slice(-2000)}`,
          ),
        );
    });
  });
}

/** CPU time (user + system, all threads) a process has used so far, in ms; null off Linux. */
function cpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after "(comm)": state is field 3, utime 14 and stime 15, in clock ticks.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return null;
  }
}
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface Measured {
  reqPerSec: number;
  /** The BMC process's CPU time per 1,000 requests: less sensitive to a busy machine than req/s. */
  cpuMsPer1000: number | null;
}

/** `sessions` parallel sessions, each sending `perSession` requests, to the BMC process `pid`. */
async function measure(
  port: number,
  pid: number,
  sessions: number,
  perSession: number,
  file: string,
): Promise<Measured> {
  const cpu0 = cpuMs(pid);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: sessions }, () => ipmitoolExec(port, file, perSession)));
  const ms = performance.now() - t0;
  const cpu1 = cpuMs(pid);
  const n = sessions * perSession;
  return {
    reqPerSec: (n / ms) * 1000,
    cpuMsPer1000: cpu0 === null || cpu1 === null ? null : ((cpu1 - cpu0) / n) * 1000,
  };
}

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket("udp4");
  await new Promise<void>((resolve) => s.bind(0, "127.0.0.1", resolve));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Resolves once something on the port answers an RMCP presence ping (ASF 80h) with a pong. */
async function pongFrom(port: number, timeoutMs = 10_000): Promise<void> {
  const ping = Buffer.from("0600ff06000011be80000000", "hex");
  const s = dgram.createSocket("udp4");
  try {
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`no RMCP pong from 127.0.0.1:${port}`)), timeoutMs);
      s.on("message", (m) => {
        if (m.length >= 9 && m[8] === 0x40) {
          clearTimeout(deadline);
          clearInterval(again);
          resolve();
        }
      });
      const send = () => s.send(ping, port, "127.0.0.1");
      const again = setInterval(send, 100);
      send();
    });
  } finally {
    s.close();
  }
}

/** Debian's ipmi_sim on a loopback port with user admin; null when it is not installed. */
async function startIpmiSim(): Promise<{ port: number; pid: number; stop(): Promise<void> } | null> {
  const bin = ["/usr/bin/ipmi_sim", "/usr/sbin/ipmi_sim"].find((p) => existsSync(p));
  if (!bin) return null;
  const dir = await mkdtemp(path.join(os.tmpdir(), "bench-ipmi-sim-"));
  const port = await freeUdpPort();
  await mkdir(path.join(dir, "state"));
  // ipmi_lan(5). `user <n> <enabled> <name> <password> <max privilege> <max sessions> <auth types>`.
  await writeFile(
    path.join(dir, "lan.conf"),
    [
      'name "bench"',
      "startlan 1",
      `  addr 127.0.0.1 ${port}`,
      "  priv_limit admin",
      "  allowed_auths_callback none md5",
      "  allowed_auths_user none md5",
      "  allowed_auths_operator none md5",
      "  allowed_auths_admin none md5",
      "  guid a123456789abcdefa123456789abcdef",
      "endlan",
      'user 1 true "" "unused" user 10 none md5',
      `user 2 true "${USER}" "${PASSWORD}" admin 10 none md5`,
      "",
    ].join("\n"),
  );
  // ipmi_sim_cmd(5). An empty file is not enough: with no BMC ipmi_sim exits at once.
  await writeFile(
    path.join(dir, "bmc.emu"),
    ["mc_setbmc 0x20", "mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02", "mc_enable 0x20", ""].join(
      "\n",
    ),
  );
  // -n: no console on stdin/stdout; -s: state (users, SEL) in our temp dir, not /var.
  const child: ChildProcess = spawn(
    bin,
    ["-c", "lan.conf", "-f", "bmc.emu", "-s", path.join(dir, "state"), "-n"],
    { cwd: dir, stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (b: Buffer) => {
    stderr += b.toString();
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  try {
    await Promise.race([
      pongFrom(port),
      exited.then(() => {
        throw new Error(`ipmi_sim exited at start: ${stderr}`);
      }),
    ]);
  } catch (err) {
    child.kill("SIGTERM");
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    pid: child.pid!,
    async stop() {
      child.kill("SIGTERM");
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs the workloads against a port: one short warm-up session first. */
async function runWorkloads(
  port: number,
  pid: number,
  files: { warm: string; main: string },
): Promise<Measured[]> {
  await measure(port, pid, 1, 200, files.warm);
  const out: Measured[] = [];
  for (const w of WORKLOADS) out.push(await measure(port, pid, w.sessions, PER_SESSION, files.main));
  return out;
}

function debianVersion(pkg: string): string {
  try {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own field syntax
    return execFileSync("dpkg-query", ["-W", "-f", "${Version}", pkg], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

interface OursResult {
  measured: Measured[] | null;
  error: string | null;
  routed: number | null;
  persisted: number | null;
  /** lan0 rows in the database after the run. */
  lanRows: number | null;
  /** Get Device ID rows answered 00h, and how many the clients sent. */
  getDeviceIdRows: number | null;
  getDeviceIdSent: number;
}

async function ours(files: { warm: string; main: string }): Promise<OursResult> {
  const sent = 200 + WORKLOADS.reduce((n, w) => n + w.sessions * PER_SESSION, 0);
  const result: OursResult = {
    measured: null,
    error: null,
    routed: null,
    persisted: null,
    lanRows: null,
    getDeviceIdRows: null,
    getDeviceIdSent: sent,
  };
  const tdb = await createTestDatabase();
  try {
    const server = await startServer({
      DATABASE_URL: tdb.url,
      LOG_LEVEL: "info",
      LAN_HOST: "127.0.0.1",
      LAN_PORT: "0",
      IPMI_ADMIN_PASSWORD: PASSWORD,
      HOST_TRANSPORT: "none",
    });
    try {
      result.measured = await runWorkloads(await lanPort(server), server.pid, files);
    } finally {
      const stopped = await server.stop();
      result.routed = stopped.routed;
      result.persisted = stopped.persisted;
    }
    result.lanRows = await tdb.db.exchange.count({ where: { busId: "lan0" } });
    result.getDeviceIdRows = await tdb.db.exchange.count({
      where: { busId: "lan0", netFn: 6, cmd: 1, cc: 0, payload: null },
    });
  } catch (err) {
    result.error = err instanceof Error ? err.message : String(err);
  } finally {
    await tdb.cleanup();
  }
  return result;
}

async function measureLan(): Promise<BenchRow[]> {
  console.log(
    `bench (LAN): ipmitool -I lanplus -C ${CIPHER}, ${fmt(PER_SESSION)} x "raw 0x06 0x01" per session through exec` +
      ` (BENCH_LAN_REQUESTS to change); ${os.cpus().length} cores, one run`,
  );
  const dir = await mkdtemp(path.join(os.tmpdir(), "bench-lan-"));
  const files = { warm: path.join(dir, "warm.txt"), main: path.join(dir, "main.txt") };
  await writeFile(files.warm, "raw 0x06 0x01\n".repeat(200));
  await writeFile(files.main, "raw 0x06 0x01\n".repeat(PER_SESSION));

  let sim: Measured[] | null = null;
  let simNote = "";
  try {
    const ipmiSim = await startIpmiSim();
    if (ipmiSim) {
      try {
        sim = await runWorkloads(ipmiSim.port, ipmiSim.pid, files);
      } finally {
        await ipmiSim.stop();
      }
    } else simNote = "ipmi_sim not installed (Debian's openipmi)";
  } catch (err) {
    simNote = `ipmi_sim: ${err instanceof Error ? err.message : String(err)}`;
  }
  const us = await ours(files);
  await rm(dir, { recursive: true, force: true });

  const rows = WORKLOADS.map((w, i) => {
    const o = us.measured?.[i] ?? null;
    const s = sim?.[i] ?? null;
    const ratio = o !== null && s !== null ? o.reqPerSec / s.reqPerSec : null;
    return {
      workload: w.label,
      sessions: w.sessions,
      requestsPerSession: PER_SESSION,
      oursReqPerSec: o?.reqPerSec ?? null,
      ipmiSimReqPerSec: s?.reqPerSec ?? null,
      ratio,
      targetMet: ratio === null ? null : ratio >= TARGET,
      oursCpuMsPer1000: o?.cpuMsPer1000 ?? null,
      ipmiSimCpuMsPer1000: s?.cpuMsPer1000 ?? null,
    };
  });
  const load = os.loadavg()[0]!;
  const notes = [
    `ipmitool ${debianVersion("ipmitool")}, openipmi ${debianVersion("openipmi")}`,
    simNote,
    load > os.cpus().length
      ? `load average ${load.toFixed(1)} on ${os.cpus().length} cores: req/s low for both`
      : "",
  ].filter(Boolean);
  const lost =
    us.error === null && ((us.getDeviceIdRows ?? 0) < us.getDeviceIdSent || us.persisted !== us.routed);
  if (us.error !== null) throw new Error(`ours: ${us.error}`);
  if (lost)
    throw new Error(
      `lost records: ${fmt(us.routed ?? 0)} routed, ${fmt(us.persisted ?? 0)} persisted, ` +
        `${fmt(us.getDeviceIdRows ?? 0)} Get Device ID rows of ${fmt(us.getDeviceIdSent)} sent`,
    );
  const out: BenchRow[] = [];
  for (const r of rows) {
    if (r.oursReqPerSec === null) continue;
    const row: BenchRow = {
      name: `${r.workload}, ipmitool lanplus -C ${CIPHER}`,
      value: r.oursReqPerSec,
      unit: "req/s",
      note: [
        `CPU ms/1000 req: ours ${r.oursCpuMsPer1000?.toFixed(1) ?? "n/a"}, ipmi_sim ${r.ipmiSimCpuMsPer1000?.toFixed(1) ?? "n/a"}`,
        ...notes,
      ].join("; "),
    };
    out.push(
      r.ipmiSimReqPerSec === null
        ? row
        : against(
            row,
            { name: "ipmi_sim, same workload", value: r.ipmiSimReqPerSec, unit: "req/s" },
            {
              target: {
                text: `≥ ${TARGET.toFixed(1)}x ipmi_sim`,
                met: r.oursReqPerSec / r.ipmiSimReqPerSec >= TARGET,
              },
            },
          ),
    );
  }
  out.push({
    name: "exchanges logged",
    value: us.persisted ?? 0,
    unit: "rows",
    note: `${fmt(us.routed ?? 0)} routed; ${fmt(us.getDeviceIdRows ?? 0)} Get Device ID rows answered 00h of ${fmt(us.getDeviceIdSent)} sent`,
  });
  return out;
}

export const section: BenchSection = {
  id: "lan",
  title: "LAN (ipmitool)",
  run: measureLan,
};

await runIfMain(import.meta.url, section);
