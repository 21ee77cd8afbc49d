/**
 * The LAN bus against the IPMI clients Debian ships (docs/lan-clients.md): ipmitool over
 * RMCP+ (cipher suites negotiated, 3 and 17) and IPMI 1.5 (MD5), FreeIPMI's tools over
 * both, and OpenIPMI's rmcp_ping, all against one real server process. Every check reads
 * what the client printed; refusals are checked in the exchange log (REST history) too.
 * The expected values come from the shipped profile (server/bmc/profiles/default.json).
 */
import { execFile } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import profile from "../bmc/profiles/default.json";
import { sessionless15, setupDatagram } from "../buses/lan/test-client";
import type { ExchangesPage, HealthResponse } from "../contract/api";
import type { ExchangeDto } from "../contract/exchange";
import { padUserName } from "../ipmi/lan/auth15";
import { openSessionRequest } from "../ipmi/lan/rakp";
import { encodePresencePing } from "../ipmi/lan/rmcp";
import { encodeRmcpPlusDatagram, PAYLOAD_TYPE } from "../ipmi/lan/rmcp-plus";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { LiveWatcher, lanPort, type RunningServer, startServer } from "./server-process";

const HOST = "127.0.0.1";
/** User 2 ("admin"), IPMI_ADMIN_PASSWORD. */
const ADMIN_PW = "lan-test-pw";
/** User 3, made by the user-management tests. */
const OPERATOR = "operator1";
const OPERATOR_PW = "op1-test-pw";
const SENSOR_NAMES = profile.sensors.map((s) => s.name);
/** Debian's ipmitool, freeipmi-tools and openipmi (scripts/ensure.mjs installs them). */
const CLIENTS = [
  "ipmitool",
  "ipmi-raw",
  "bmc-info",
  "ipmi-sensors",
  "ipmi-sel",
  "ipmi-fru",
  "ipmi-chassis",
  "ipmipower",
  "rmcp_ping",
];

let tdb: TestDatabase;
let server: RunningServer;
let live: LiveWatcher;
let cookie: string;
let port: number;
/** FreeIPMI caches the SDR per host:port, in ~/.freeipmi unless told: here, temp dirs of ours. */
let sdrCache: string;

beforeAll(async () => {
  const missing = CLIENTS.filter((c) => tool(c) === c);
  if (missing.length > 0)
    throw new Error(
      `missing ${missing.join(", ")}: run \`node scripts/ensure.mjs --ipmi-tools\` (docs/lan-clients.md)`,
    );
  sdrCache = await mkdtemp(path.join(os.tmpdir(), "lan-clients-sdr-cache-"));
  // One per driver, so each reads the SDR over its own kind of session.
  for (const driver of ["LAN", "LAN_2_0"]) await mkdir(path.join(sdrCache, driver));
  tdb = await createTestDatabase();
  server = await startServer({
    DATABASE_URL: tdb.url,
    LOG_LEVEL: "info",
    LAN_HOST: HOST,
    LAN_PORT: "0",
    IPMI_ADMIN_PASSWORD: ADMIN_PW,
    // Only the clients' traffic in the log.
    HOST_TRANSPORT: "none",
  });
  port = await lanPort(server);
  cookie = await server.login();
  live = new LiveWatcher(server.url, cookie);
});

afterAll(async () => {
  live?.close();
  if (server) {
    const { code, routed, persisted } = await server.stop();
    expect(code).toBe(0);
    expect(persisted).toBe(routed);
  }
  await tdb?.cleanup();
  if (sdrCache) await rm(sdrCache, { recursive: true, force: true });
});

// ---- running the clients ----------------------------------------------------------------

interface Run {
  cmd: string;
  /** Exit status; null when killed (timeout). */
  code: number | null;
  /** stdout, then stderr. */
  out: string;
}

/** FreeIPMI installs into /usr/sbin, which a non-root PATH may lack. */
function tool(name: string): string {
  for (const dir of ["/usr/sbin", "/usr/bin"]) if (existsSync(`${dir}/${name}`)) return `${dir}/${name}`;
  return name;
}

function run(file: string, args: string[], timeoutMs = 20_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      tool(file),
      args,
      // UTC and the C locale: dates print the same way everywhere.
      { timeout: timeoutMs, maxBuffer: 16 << 20, env: { ...process.env, TZ: "UTC", LC_ALL: "C" } },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : null;
        resolve({ cmd: [file, ...args].join(" "), code, out: `${stdout}${stderr}` });
      },
    );
  });
}

/** A process's resident set size in kB (Linux). */
function residentKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  if (!m) throw new Error(`no VmRSS for process ${pid}`);
  return Number(m[1]);
}

const shown = (r: Run) => `$ ${r.cmd}\n(exit ${r.code})\n${r.out}`;

/** The run succeeded and printed every pattern. */
function expectPrinted(r: Run, patterns: RegExp[]): void {
  expect(r.code, shown(r)).toBe(0);
  for (const p of patterns) expect(r.out, shown(r)).toMatch(p);
}

/** The run failed and printed every pattern. */
function expectRefused(r: Run, patterns: RegExp[]): void {
  expect(r.code, shown(r)).not.toBe(0);
  expect(r.code, `${shown(r)}\n(the client should give up by itself, not time out)`).not.toBeNull();
  for (const p of patterns) expect(r.out, shown(r)).toMatch(p);
}

interface Login {
  user?: string;
  password?: string;
  /** ipmitool -C; none: ipmitool asks Get Channel Cipher Suites and picks. */
  cipher?: number;
  /** ipmitool -L. */
  level?: string;
  /** ipmitool -v: the RMCP+ status texts ipmitool prints only at this level. */
  verbose?: boolean;
}

function ipmitoolArgs(iface: "lanplus" | "lan", o: Login): string[] {
  return [
    "-I",
    iface,
    ...(iface === "lan" ? ["-A", "MD5"] : []),
    "-H",
    HOST,
    "-p",
    String(port),
    "-U",
    o.user ?? "admin",
    "-P",
    o.password ?? ADMIN_PW,
    // One second per try, two retries: a failure is quick.
    "-N",
    "1",
    "-R",
    "2",
    ...(o.cipher === undefined ? [] : ["-C", String(o.cipher)]),
    ...(o.level === undefined ? [] : ["-L", o.level]),
    ...(o.verbose ? ["-v"] : []),
  ];
}

const lanplus = (args: string[], o: Login = {}) => run("ipmitool", [...ipmitoolArgs("lanplus", o), ...args]);
const lan15 = (args: string[], o: Login = {}) => run("ipmitool", [...ipmitoolArgs("lan", o), ...args]);

/** FreeIPMI's tools that read the SDR (and cache it). */
const READS_SDR = new Set(["ipmi-sensors", "ipmi-sel", "ipmi-fru"]);

/** A FreeIPMI tool: the port goes with the host name (`-h HOST:PORT`); no -W workarounds. */
const freeipmi = (name: string, driver: "LAN" | "LAN_2_0", args: string[]) =>
  run(name, [
    ...(READS_SDR.has(name) ? [`--sdr-cache-directory=${path.join(sdrCache, driver)}`] : []),
    "-h",
    `${HOST}:${port}`,
    "--config-file=/dev/null",
    "-u",
    "admin",
    "-p",
    ADMIN_PW,
    // FreeIPMI's default session timeout is 20 s: give up sooner than the test would.
    "--session-timeout=8000",
    ...(driver === "LAN" ? [] : ["--driver-type=LAN_2_0"]),
    ...args,
  ]);

// ---- the log ------------------------------------------------------------------------------

async function api<T>(path: string): Promise<T> {
  const res = await fetch(`${server.url}${path}`, { headers: { cookie } });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Waits until the log writer has stored everything the router routed so far. */
async function logSettled(): Promise<void> {
  await vi.waitUntil(
    async () => {
      const { exchanges } = await api<HealthResponse>("/api/health");
      return exchanges.pendingWrites === 0 && exchanges.persisted === exchanges.routed;
    },
    { timeout: 15_000, interval: 25 },
  );
}

/** The id of the newest lan0 record stored (0: none yet): mark it before a client runs. */
async function logMark(): Promise<number> {
  await logSettled();
  const page = await api<ExchangesPage>("/api/exchanges?bus=lan0&limit=1");
  return page.exchanges[0]?.id ?? 0;
}

/** The lan0 records logged after `mark`, oldest first (at most 1000: one client run's worth). */
async function loggedSince(mark: number): Promise<ExchangeDto[]> {
  await logSettled();
  const page = await api<ExchangesPage>("/api/exchanges?bus=lan0&limit=1000");
  return page.exchanges.filter((x) => x.id > mark).reverse();
}

/** Every lan0 record, oldest first. */
async function allLanRecords(): Promise<ExchangeDto[]> {
  await logSettled();
  const all: ExchangeDto[] = [];
  let before: number | null = null;
  do {
    const page: ExchangesPage = await api<ExchangesPage>(
      `/api/exchanges?bus=lan0&limit=1000${before === null ? "" : `&before=${before}`}`,
    );
    all.push(...page.exchanges);
    before = page.nextBefore;
  } while (before !== null);
  return all.reverse();
}

const hex2 = (n: number | null) => (n === null ? "--" : n.toString(16).padStart(2, "0"));

/** One line a record, for failure messages. */
function listed(xs: ExchangeDto[]): string {
  return xs
    .map(
      (x) =>
        `#${x.id} ${x.payload ?? `${hex2(x.netFn)}/${hex2(x.cmd)}`} cc=${hex2(x.cc)} ${x.status} ` +
        `peer=${x.peer} user=${JSON.stringify(x.user)} priv=${x.privilege} session=${x.sessionId}` +
        `${x.note ? ` (${x.note})` : ""}`,
    )
    .join("\n");
}

/** Runs a client between two log marks: its output and the records it caused. */
async function withLog(client: () => Promise<Run>): Promise<{ r: Run; log: ExchangeDto[] }> {
  const mark = await logMark();
  const r = await client();
  return { r, log: await loggedSince(mark) };
}

const isMessage = (x: ExchangeDto, netFn: number, cmd: number) =>
  x.payload === null && x.netFn === netFn && x.cmd === cmd;
/** An IPMI message that came inside an established session. */
const inSession = (x: ExchangeDto) => x.payload === null && x.sessionId !== null && x.sessionId !== 0;

/**
 * A refusal keeps no one else out: admin still gets in. (A successful login also clears
 * the address's failed logins, so the refusals do not add up to the bus's lockout.)
 */
async function adminStillGetsIn(): Promise<void> {
  expectPrinted(await lanplus(["raw", "0x06", "0x01"]), [DEVICE_ID_RAW]);
}

// ---- what the clients print ---------------------------------------------------------------

/** Get Device ID's answer: device 20h, revision 1, firmware 1.00, IPMI 2.0, IANA 32473 (7ED9h), product 1. */
const DEVICE_ID_RAW = /^ 20 01 01 00 02 [0-9a-f]{2} d9 7e 00 01 00 00 00 00 00\s*$/m;
const SYSTEM_GUID = profile.systemGuid;

/** `sel time get` prints the BMC's clock; ours follows the host's. */
function expectNearNow(r: Run): void {
  expect(r.code, shown(r)).toBe(0);
  // "12/02/26 10:14:11 UTC": the C locale's %x %X, then the zone.
  const m = /^(\d{2})\/(\d{2})\/(\d{2}|\d{4}) (\d{2}):(\d{2}):(\d{2})(?: UTC)?\s*$/m.exec(r.out);
  expect(m, shown(r)).not.toBeNull();
  const [, mo, d, y, h, mi, s] = m!.map(Number) as number[];
  const year = y! < 100 ? 2000 + y! : y!;
  const at = Date.UTC(year, mo! - 1, d!, h!, mi!, s!);
  expect(Math.abs(at - Date.now()), shown(r)).toBeLessThan(5 * 60_000);
}

interface Check {
  args: string[];
  expect: RegExp[];
  /** Checks beyond patterns. */
  also?: (r: Run) => void;
}

/** ipmitool over RMCP+: every command, what it must print. */
const LANPLUS_CHECKS: Check[] = [
  {
    args: ["mc", "info"],
    expect: [
      /^Device ID\s*:\s*32\s*$/m,
      /^Device Revision\s*:\s*1\s*$/m,
      /^Firmware Revision\s*:\s*1\.00\s*$/m,
      /^IPMI Version\s*:\s*2\.0\s*$/m,
      /^Manufacturer ID\s*:\s*32473\s*$/m,
      // ipmitool names it from Debian's IANA registry (/usr/share/misc/enterprise-numbers.txt).
      /^Manufacturer Name\s*:\s*Example Enterprise Number for Documentation Use\s*$/m,
      /^Product ID\s*:\s*1 \(0x0001\)\s*$/m,
    ],
  },
  { args: ["chassis", "power", "status"], expect: [/^Chassis Power is on\s*$/m] },
  {
    args: ["sdr", "list"],
    expect: [
      ...SENSOR_NAMES.map((n) => new RegExp(`^${n.replace(/[.]/g, "\\.")}\\s*\\|`, "m")),
      /^CPU Temp\s*\|\s*\d+ degrees C\s*\|\s*ok\s*$/m,
      /^FAN1\s*\|\s*\d+ RPM\s*\|\s*ok\s*$/m,
    ],
  },
  {
    args: ["sensor", "list"],
    expect: [
      // The thresholds the profile gives CPU Temp (m = 1: exact): lnr lcr lnc unc ucr unr.
      /^CPU Temp\s*\|\s*\d+\.\d+\s*\|\s*degrees C\s*\|\s*ok\s*\|\s*na\s*\|\s*na\s*\|\s*na\s*\|\s*80\.000\s*\|\s*88\.000\s*\|\s*95\.000\s*$/m,
      // Inlet Temp drifts over its upper non-critical threshold a few minutes each half hour
      // (docs/profile.md: the default profile's event source), so ipmitool may say "nc".
      /^Inlet Temp\s*\|\s*\d+\.\d+\s*\|\s*degrees C\s*\|\s*(ok|nc)\s*\|\s*na\s*\|\s*na\s*\|\s*na\s*\|\s*40\.000\s*\|\s*45\.000\s*\|\s*na\s*$/m,
      /^12V\s*\|\s*1[12]\.\d+\s*\|\s*Volts\s*\|\s*ok\s*\|/m,
      /^FAN2\s*\|\s*\d+\.\d+\s*\|\s*RPM\s*\|\s*ok\s*\|/m,
    ],
  },
  {
    args: ["sel", "info"],
    expect: [
      /^SEL Information/m,
      /^Version\s*:\s*1\.5 \(v1\.5, v2 compliant\)/m,
      /^Entries\s*:\s*[1-9]\d*\s*$/m,
    ],
  },
  // The entry the first test added (Add SEL Entry): sensor 01h, threshold, offset 9.
  {
    args: ["sel", "list"],
    expect: [/\|\s*Temperature #0x01\s*\|\s*Upper Critical going high\s*\|\s*Asserted/],
  },
  { args: ["sel", "time", "get"], expect: [], also: expectNearNow },
  {
    args: ["fru", "print"],
    expect: [
      /^FRU Device Description : Builtin FRU Device \(ID 0\)/m,
      /^ Chassis Type\s*:\s*Rack Mount Chassis\s*$/m,
      /^ Chassis Part Number\s*:\s*CHS-1U-0001\s*$/m,
      /^ Board Mfg\s*:\s*Example Systems\s*$/m,
      /^ Board Product\s*:\s*EX-1U Mainboard\s*$/m,
      /^ Board Serial\s*:\s*MB00000001\s*$/m,
      /^ Product Manufacturer\s*:\s*Example Systems\s*$/m,
      /^ Product Name\s*:\s*EX-1U Server\s*$/m,
      /^ Product Serial\s*:\s*SRV0000001\s*$/m,
      // The second FRU, found through its FRU Device Locator record.
      /^FRU Device Description : PS1 FRU \(ID 1\)/m,
      /^ Product Name\s*:\s*PSU 550W\s*$/m,
    ],
  },
  {
    args: ["chassis", "status"],
    expect: [
      /^System Power\s*:\s*on\s*$/m,
      /^Power Restore Policy\s*:\s*previous\s*$/m,
      /^Chassis Intrusion\s*:\s*inactive\s*$/m,
    ],
  },
  { args: ["chassis", "poh"], expect: [/^POH Counter\s*:\s*\d+ days, \d+ hours/m] },
  {
    args: ["mc", "guid"],
    expect: [new RegExp(`^System GUID\\s*:\\s*${SYSTEM_GUID}\\s*$`, "mi"), /^GUID Encoding\s*:\s*IPMI\s*$/m],
  },
  { args: ["mc", "selftest"], expect: [/^Selftest: passed\s*$/m] },
  {
    // Global enables 08h: only system event logging.
    args: ["mc", "getenables"],
    expect: [
      /^Receive Message Queue Interrupt\s*:\s*disabled\s*$/m,
      /^Event Message Buffer\s*:\s*disabled\s*$/m,
      /^System Event Logging\s*:\s*enabled\s*$/m,
    ],
  },
  {
    args: ["mc", "watchdog", "get"],
    expect: [/^Watchdog Timer Is:\s*Stopped\s*$/m, /^Initial Countdown:\s*\d+\.\d sec\s*$/m],
  },
  { args: ["user", "list", "1"], expect: [/^2\s+admin\s+.*\bADMINISTRATOR\s*$/m] },
  {
    args: ["channel", "info", "1"],
    expect: [
      /^Channel 0x1 info:/m,
      /^\s*Channel Medium Type\s*:\s*802\.3 LAN\s*$/m,
      /^\s*Session Support\s*:\s*multi-session\s*$/m,
      // This very session is active.
      /^\s*Active Session Count\s*:\s*[1-9]\d*\s*$/m,
    ],
  },
  {
    args: ["lan", "print", "1"],
    expect: [
      /^Auth Type Support\s*:.*\bMD5\b/m,
      /^IP Address\s*:\s*\d+\.\d+\.\d+\.\d+\s*$/m,
      /^MAC Address\s*:\s*[0-9a-f]{2}(:[0-9a-f]{2}){5}\s*$/m,
      /^RMCP\+ Cipher Suites\s*:.*\b3\b.*\b17\b/m,
    ],
  },
  {
    args: ["session", "info", "active"],
    expect: [
      /^user id\s*:\s*2\s*$/m,
      /^privilege level\s*:\s*ADMINISTRATOR\s*$/m,
      /^session type\s*:\s*IPMIv2\/RMCP\+\s*$/m,
      /^channel number\s*:\s*0x01\s*$/m,
      /^console ip\s*:\s*127\.0\.0\.1\s*$/m,
    ],
  },
  { args: ["raw", "0x06", "0x01"], expect: [DEVICE_ID_RAW] },
];

// ---- the tests ----------------------------------------------------------------------------

describe("the LAN bus, with Debian's IPMI clients", () => {
  it("answers OpenIPMI's rmcp_ping with a pong and logs the presence ping", async () => {
    const { r, log } = await withLog(() => run("rmcp_ping", ["-p", String(port), "-t", "1", HOST]));
    // rmcp_ping prints the responder (by name) and "IPMI" when the pong says IPMI is supported.
    expectPrinted(r, [/^\S+ IPMI\s*$/m]);
    expect(
      log.some((x) => x.payload === "presence-ping" && x.peer?.startsWith(`${HOST}:`)),
      listed(log),
    ).toBe(true);
  });

  it("stores an SEL entry added over RMCP+ (the SEL checks below read it)", async () => {
    // Add SEL Entry: system event record, generator 20h, sensor type 01h (temperature)
    // number 01h, threshold event, offset 09h (upper critical going high).
    const record = "00 00 02 00 00 00 00 20 00 04 01 01 01 09 ff ff".split(" ").map((b) => `0x${b}`);
    const r = await lanplus(["raw", "0x0a", "0x44", ...record]);
    // The answer is the new record's ID (2 bytes).
    expectPrinted(r, [/^ [0-9a-f]{2} [0-9a-f]{2}\s*$/m]);
  });

  describe.each([
    { mode: "cipher suite negotiated (no -C)", cipher: undefined },
    { mode: "cipher suite 3 (-C 3)", cipher: 3 },
    { mode: "cipher suite 17 (-C 17)", cipher: 17 },
  ])("ipmitool -I lanplus, $mode", ({ cipher }) => {
    it.each(LANPLUS_CHECKS.map((c) => [c.args.join(" "), c] as const))("%s", async (_, check) => {
      const r = await lanplus(check.args, cipher === undefined ? {} : { cipher });
      expectPrinted(r, check.expect);
      check.also?.(r);
    });
  });

  describe("ipmitool -I lan -A MD5 (IPMI 1.5)", () => {
    it.each(
      [
        LANPLUS_CHECKS.find((c) => c.args.join(" ") === "mc info")!,
        LANPLUS_CHECKS.find((c) => c.args.join(" ") === "sdr list")!,
        LANPLUS_CHECKS.find((c) => c.args.join(" ") === "chassis status")!,
      ].map((c) => [c.args.join(" "), c] as const),
    )("%s", async (_, check) => {
      const r = await lan15(check.args);
      expectPrinted(r, check.expect);
    });

    it("session info active: an IPMI 1.5 session", async () => {
      const r = await lan15(["session", "info", "active"]);
      expectPrinted(r, [/^user id\s*:\s*2\s*$/m, /^session type\s*:\s*IPMIv1\.5\s*$/m]);
    });
  });

  describe.each(["LAN", "LAN_2_0"] as const)("FreeIPMI, driver %s", (driver) => {
    it("bmc-info", async () => {
      const r = await freeipmi("bmc-info", driver, []);
      expectPrinted(r, [
        /^Device ID\s*:\s*32\s*$/m,
        /^Firmware Revision\s*:\s*1\.00\s*$/m,
        /^IPMI Version\s*:\s*2\.0\s*$/m,
        /^Manufacturer ID\s*:.*\b32473\b/m,
        /^Product ID\s*:\s*1\s*$/m,
        new RegExp(`^System GUID\\s*:\\s*${SYSTEM_GUID}\\s*$`, "mi"),
      ]);
    });

    it("ipmi-sensors", async () => {
      const r = await freeipmi("ipmi-sensors", driver, []);
      expectPrinted(r, [
        ...SENSOR_NAMES.map((n) => new RegExp(`\\|\\s*${n.replace(/[.]/g, "\\.")}\\s*\\|`)),
        /\|\s*CPU Temp\s*\|\s*Temperature\s*\|\s*\d+\.\d+\s*\|\s*C\s*\|\s*'OK'/,
        /\|\s*FAN1\s*\|\s*Fan\s*\|\s*\d+\.\d+\s*\|\s*RPM\s*\|\s*'OK'/,
      ]);
    });

    it("ipmi-sel", async () => {
      const r = await freeipmi("ipmi-sel", driver, []);
      // FreeIPMI names the sensor from the SDR: sensor 01h is CPU Temp.
      expectPrinted(r, [/\|\s*CPU Temp\s*\|\s*Temperature\s*\|\s*Upper Critical - going high/]);
    });

    it("ipmi-fru", async () => {
      const r = await freeipmi("ipmi-fru", driver, []);
      expectPrinted(r, [
        /FRU Chassis Type\s*:\s*Rack Mount Chassis/,
        /FRU Board Manufacturer\s*:\s*Example Systems/,
        /FRU Board Product Name\s*:\s*EX-1U Mainboard/,
        /FRU Product Name\s*:\s*EX-1U Server/,
        /FRU Product Serial Number\s*:\s*SRV0000001/,
        /FRU Product Name\s*:\s*PSU 550W/,
      ]);
    });

    it("ipmi-chassis --get-chassis-status", async () => {
      const r = await freeipmi("ipmi-chassis", driver, ["--get-chassis-status"]);
      expectPrinted(r, [/^System Power\s*:\s*on\s*$/m, /^Power restore policy\s*:\s*Restore\s*$/m]);
    });

    it("ipmipower --stat", async () => {
      const r = await freeipmi("ipmipower", driver, ["--stat"]);
      expectPrinted(r, [/^127\.0\.0\.1: on\s*$/m]);
    });

    it("ipmi-raw 0 0x06 0x01", async () => {
      const r = await freeipmi("ipmi-raw", driver, ["0", "0x06", "0x01"]);
      // "rcvd:", the command, the completion code, then Get Device ID's data.
      expectPrinted(r, [/^rcvd: 01 00 20 01 01 00 02 [0-9A-F]{2} D9 7E 00 01 00 00 00 00 00\s*$/m]);
    });
  });

  describe("user management over RMCP+, and what the new user may do", () => {
    afterEach(adminStillGetsIn);

    it("makes user 3 a USER-privilege account on channel 1", async () => {
      expectPrinted(await lanplus(["user", "set", "name", "3", OPERATOR]), []);
      expectPrinted(await lanplus(["user", "set", "password", "3", OPERATOR_PW]), [
        /^Set User Password command successful \(user 3\)\s*$/m,
      ]);
      expectPrinted(await lanplus(["user", "priv", "3", "2", "1"]), [
        /^Set Privilege Level command successful \(user 3\)\s*$/m,
      ]);
      expectPrinted(await lanplus(["user", "enable", "3"]), []);
      // `user priv` sends Set User Access with byte 1 bit 7 clear: the privilege limit
      // changes, the IPMI Messaging bit (off for a new user) does not.
      expectPrinted(await lanplus(["user", "list", "1"]), [
        new RegExp(`^3\\s+${OPERATOR}\\s+true\\s+false\\s+false\\s+USER\\s*$`, "m"),
      ]);
      // Without IPMI Messaging on the channel the user may not open a session (22.26).
      expectPrinted(await lanplus(["channel", "setaccess", "1", "3", "ipmi=on"]), [
        /^Set User Access \(channel 1 id 3\) successful\.\s*$/m,
      ]);
      expectPrinted(await lanplus(["channel", "getaccess", "1", "3"]), [
        new RegExp(`^User Name\\s*:\\s*${OPERATOR}\\s*$`, "m"),
        /^IPMI Messaging\s*:\s*enabled\s*$/m,
        /^Privilege Level\s*:\s*USER\s*$/m,
        /^Enable Status\s*:\s*enabled\s*$/m,
      ]);
    });

    it("refuses that user an ADMINISTRATOR session (RAKP 2 status)", async () => {
      const { r, log } = await withLog(() =>
        lanplus(["mc", "info"], {
          user: OPERATOR,
          password: OPERATOR_PW,
          level: "ADMINISTRATOR",
          verbose: true,
        }),
      );
      expectRefused(r, [
        /(RAKP 2 message indicates an error|Error in open session response message) : (invalid role|unauthorized role requested)/,
        /Unable to establish IPMI v2 \/ RMCP\+ session/,
      ]);
      // 09h invalid role or 0Ah unauthorized role or privilege level requested (table 13-15),
      // in RAKP 2 (or already in the Open Session response).
      const refused = log
        .filter((x) => x.payload === "rakp-1" || x.payload === "open-session")
        .filter((x) => x.cc !== 0);
      expect(refused.length, listed(log)).toBe(1);
      expect([0x09, 0x0a], listed(log)).toContain(refused[0]!.cc);
      expect(log.filter(inSession), listed(log)).toEqual([]);
    });

    it("lets that user in at USER level: mc info works", async () => {
      const { r, log } = await withLog(() =>
        lanplus(["mc", "info"], { user: OPERATOR, password: OPERATOR_PW, level: "USER" }),
      );
      expectPrinted(r, [/^Device ID\s*:\s*32\s*$/m]);
      const getDeviceId = log.filter((x) => isMessage(x, 0x06, 0x01));
      expect(getDeviceId.length, listed(log)).toBeGreaterThan(0);
      for (const x of getDeviceId) expect(x).toMatchObject({ user: OPERATOR, privilege: "user", cc: 0 });
    });

    it("refuses that user Chassis Control with D4h (insufficient privilege level)", async () => {
      const { r, log } = await withLog(() =>
        lanplus(["chassis", "power", "off"], { user: OPERATOR, password: OPERATOR_PW, level: "USER" }),
      );
      expectRefused(r, [/Set Chassis Power Control to Down\/Off failed: Insufficient privilege level/]);
      const control = log.filter((x) => isMessage(x, 0x00, 0x02));
      expect(
        control.map((x) => [x.cc, x.user, x.privilege]),
        listed(log),
      ).toEqual([[0xd4, OPERATOR, "user"]]);
      // ... and the chassis is still on.
      expectPrinted(await lanplus(["chassis", "power", "status"]), [/^Chassis Power is on\s*$/m]);
    });

    it("refuses a disabled user a session (RAKP 2 status 0Dh; IPMI 1.5: CC 81h)", async () => {
      expectPrinted(await lanplus(["user", "disable", "3"]), []);
      const { r, log } = await withLog(() =>
        lanplus(["mc", "info"], { user: OPERATOR, password: OPERATOR_PW, level: "USER", verbose: true }),
      );
      expectRefused(r, [
        /RAKP 2 message indicates an error : unauthorized name/,
        /Unable to establish IPMI v2 \/ RMCP\+ session/,
      ]);
      expect(log.filter(inSession), listed(log)).toEqual([]);
      expect(
        log.filter((x) => x.payload === "rakp-1").map((x) => x.cc),
        listed(log),
      ).toEqual([0x0d]);
      const v15 = await lan15(["mc", "info"], { user: OPERATOR, password: OPERATOR_PW, level: "USER" });
      expectRefused(v15, [/^Invalid user name\s*$/m]);
    });
  });

  describe("refusals, on the output and in the log", () => {
    afterEach(adminStillGetsIn);

    it("RMCP+: a wrong password (ipmitool finds RAKP 2's HMAC does not match)", async () => {
      const { r, log } = await withLog(() =>
        lanplus(["mc", "info"], { cipher: 3, password: "not-the-password", verbose: true }),
      );
      expectRefused(r, [/RAKP 2 HMAC is invalid/, /Unable to establish IPMI v2 \/ RMCP\+ session/]);
      // The BMC answered Open Session and RAKP 1 (it cannot tell the password is wrong before RAKP 3).
      expect(
        log.find((x) => x.payload === "open-session"),
        listed(log),
      ).toMatchObject({ cc: 0 });
      expect(
        log.find((x) => x.payload === "rakp-1"),
        listed(log),
      ).toMatchObject({ cc: 0 });
      expect(log.filter(inSession), listed(log)).toEqual([]);
    });

    it("RMCP+: an unknown user (RAKP 2 status 0Dh, unauthorized name)", async () => {
      const { r, log } = await withLog(() =>
        lanplus(["mc", "info"], { cipher: 17, user: "nobody", verbose: true }),
      );
      expectRefused(r, [
        /RAKP 2 message indicates an error : unauthorized name/,
        /Unable to establish IPMI v2 \/ RMCP\+ session/,
      ]);
      expect(
        log.filter((x) => x.payload === "rakp-1").map((x) => x.cc),
        listed(log),
      ).toEqual([0x0d]);
    });

    it("RMCP+: cipher suite 0 (Open Session refused with a non-zero status)", async () => {
      const { r, log } = await withLog(() => lanplus(["mc", "info"], { cipher: 0, verbose: true }));
      expectRefused(r, [
        /Error in open session response message : (invalid authentication algorithm|invalid integrity algorithm|invalid confidentiality algorithm|no matching authentication algorithm|no matching integrity payload|no matching cipher suite)/,
      ]);
      const open = log.filter((x) => x.payload === "open-session");
      expect(open.length, listed(log)).toBeGreaterThan(0);
      for (const x of open) expect(x.cc, listed(log)).not.toBe(0);
      expect(
        log.some((x) => x.payload === "rakp-1"),
        listed(log),
      ).toBe(false);
    });

    it("IPMI 1.5: a wrong password (Activate Session fails)", async () => {
      const { r, log } = await withLog(() => lan15(["mc", "info"], { password: "not-the-password" }));
      expectRefused(r, [
        /Activate Session command failed|Activate Session error/,
        /Unable to establish IPMI v1\.5 \/ RMCP session/,
      ]);
      // Get Session Challenge succeeded; no Activate Session did.
      expect(
        log.some((x) => isMessage(x, 0x06, 0x39) && x.cc === 0),
        listed(log),
      ).toBe(true);
      expect(
        log.some((x) => isMessage(x, 0x06, 0x3a) && x.cc === 0),
        listed(log),
      ).toBe(false);
      expect(log.filter(inSession), listed(log)).toEqual([]);
    });

    it("IPMI 1.5: an unknown user (Get Session Challenge CC 81h, invalid user name)", async () => {
      const { r, log } = await withLog(() => lan15(["mc", "info"], { user: "nobody" }));
      expectRefused(r, [/^Invalid user name\s*$/m, /Unable to establish IPMI v1\.5 \/ RMCP session/]);
      expect(
        log.filter((x) => isMessage(x, 0x06, 0x39)).map((x) => x.cc),
        listed(log),
      ).toEqual([0x81]);
    });

    it("IPMI 1.5: a USER account asking ADMINISTRATOR (Activate Session CC 86h)", async () => {
      // User 3 was disabled above: enable it again for this.
      expectPrinted(await lanplus(["user", "enable", "3"]), []);
      const { r, log } = await withLog(() =>
        lan15(["mc", "info"], { user: OPERATOR, password: OPERATOR_PW, level: "ADMINISTRATOR" }),
      );
      expectRefused(r, [
        /Activate Session error:\s*Requested privilege level exceeds limit/,
        /Unable to establish IPMI v1\.5 \/ RMCP session/,
      ]);
      expect(
        log.filter((x) => isMessage(x, 0x06, 0x3a)).map((x) => x.cc),
        listed(log),
      ).toEqual([0x86]);
      // At USER level the same account gets in over IPMI 1.5.
      expectPrinted(await lan15(["mc", "info"], { user: OPERATOR, password: OPERATOR_PW, level: "USER" }), [
        /^Device ID\s*:\s*32\s*$/m,
      ]);
    });
  });

  describe("garbage and mutated packets from another client", () => {
    it("are recorded, never stop the server, leave its memory bounded, and ipmitool still works", async () => {
      const pid = server.pid;
      const rssBefore = residentKb(pid);
      // From 127.0.0.2: its own handshake quota and failed-login count, not the clients' above.
      const fuzzer = createSocket("udp4");
      await new Promise<void>((resolve) => fuzzer.bind(0, "127.0.0.2", resolve));
      const seeds = [
        encodePresencePing(7),
        sessionless15(0x06, 0x38, [0x8e, 0x04]),
        sessionless15(0x06, 0x39, [0x02, ...padUserName("admin")]),
        setupDatagram(
          PAYLOAD_TYPE.OPEN_SESSION_REQUEST,
          openSessionRequest.pack({
            tag: 1,
            maxPrivilege: 4,
            consoleSessionId: 0x11223344,
            authentication: { algorithm: 1 },
            integrity: { algorithm: 1 },
            confidentiality: { algorithm: 1 },
          }),
        ),
        encodeRmcpPlusDatagram(
          { payloadType: 0, encrypted: true, authenticated: true, sessionId: 0x12345678, sequence: 3 },
          new Uint8Array(32),
          () => new Uint8Array(12),
        ),
      ];
      const mutated = fc
        .tuple(
          fc.constantFrom(...seeds),
          fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }),
          fc.nat(80),
        )
        .map(([seed, flips, cut]) => {
          const d = Uint8Array.from(seed);
          for (const [at, v] of flips) d[at % d.length] = v;
          return cut < 10 ? d.subarray(0, cut) : d;
        });
      const datagrams = fc.sample(fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated), {
        numRuns: 3000,
        seed: 9,
      });
      const mark = await logMark();
      for (const [i, d] of datagrams.entries()) {
        await new Promise<void>((resolve) => fuzzer.send(d, port, HOST, () => resolve()));
        // Under the per-client rate limit, so each datagram is judged rather than dropped unread.
        if (i % 500 === 499) await new Promise((resolve) => setTimeout(resolve, 150));
      }
      fuzzer.close();
      expectPrinted(await lanplus(["raw", "0x06", "0x01"]), [/^ 20 01 /m]);
      expectPrinted(await lan15(["raw", "0x06", "0x01"]), [/^ 20 01 /m]);
      // The newest 1,000 records: almost all of them the fuzzer's (a presence ping's pong and
      // record come in one, garbage is one malformed record each).
      const log = (await loggedSince(mark)).filter((x) => x.peer?.startsWith("127.0.0.2:"));
      expect(log.length, "the fuzzer's datagrams are in the log").toBeGreaterThan(900);
      expect(log.some((x) => x.status === "malformed")).toBe(true);
      expect(
        log.every((x) => !/internal error/.test(x.note ?? "")),
        listed(log.slice(0, 20)),
      ).toBe(true);
      // 3,000 datagrams of garbage cost the server no more than this much memory.
      expect(residentKb(pid) - rssBefore).toBeLessThan(64 * 1024);
    });
  });

  describe("the log", () => {
    it("records who, from where and at what privilege, and the session layer's own exchanges", async () => {
      const all = await allLanRecords();
      expect(all.length).toBeGreaterThan(100);
      const admin = all.filter((x) => x.user === "admin" && inSession(x));
      expect(admin.length).toBeGreaterThan(50);
      for (const x of admin) {
        expect(x.peer, listed([x])).toMatch(/^127\.0\.0\.1:\d+$/);
        expect(x.busKind).toBe("lan");
      }
      expect(admin.some((x) => x.privilege === "admin")).toBe(true);
      const payloads = new Set(all.map((x) => x.payload));
      for (const p of ["presence-ping", "open-session", "rakp-1", "rakp-3"] as const)
        expect(payloads.has(p), `no ${p} record`).toBe(true);
      // A completed handshake: RAKP 3 answered with status 0 for admin.
      expect(all.some((x) => x.payload === "rakp-3" && x.cc === 0)).toBe(true);
    });

    it("streams the same fields live", () => {
      const lan = live.exchanges.filter((x) => x.busId === "lan0");
      expect(lan.length).toBeGreaterThan(0);
      expect(
        lan.some((x) => x.user === "admin" && x.privilege === "admin" && x.peer?.startsWith(`${HOST}:`)),
      ).toBe(true);
      expect(lan.some((x) => x.payload === "rakp-1")).toBe(true);
    });
  });

  // Last: it leaves 127.0.0.1 locked out for a while.
  describe("repeated failed logins", () => {
    it("lock the address out: even the right password is refused, and the log says why", async () => {
      const mark = await logMark();
      for (let i = 0; i < 10; i++) {
        const r = await lanplus(["raw", "0x06", "0x01"], { cipher: 3, user: "nobody" });
        expect(r.code, shown(r)).not.toBe(0);
      }
      const r = await lanplus(["raw", "0x06", "0x01"]);
      // Open Session status 01h.
      expectRefused(r, [/Error in open session response message : insufficient resources for session/]);
      const log = await loggedSince(mark);
      const last = log.filter((x) => x.payload === "open-session").at(-1);
      expect(last, listed(log)).toMatchObject({ cc: 0x01, status: "error" });
      expect(last?.note, listed(log)).toMatch(/locked out/);
    });
  });
});
