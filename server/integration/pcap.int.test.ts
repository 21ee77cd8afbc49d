/**
 * The pcap exports (docs/export.md) read back by Wireshark's own dissectors: a real server
 * with the simulated host and the LAN bus, one ipmitool RMCP+ session, then
 * `format=pcap` (HPM.2 trace records, ipmi dissector) and `format=pcap-wire` (the LAN bus's
 * UDP datagrams: RMCP, the IPMI session layer and the RMCP+ handshake) through tshark.
 * Debian's tshark and ipmitool: `node scripts/ensure.mjs --ipmi-tools` installs them.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ExchangesPage } from "../contract/api";
import type { ExchangeDto } from "../contract/exchange";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { lanPort, type RunningServer, startServer } from "./server-process";

const HOST = "127.0.0.1";
const ADMIN_PW = "pcap-test-pw";

let tdb: TestDatabase;
let server: RunningServer;
let cookie: string;
let port: number;
let dir: string;
/** Everything received up to here is in both exports and the NDJSON reference. */
let to: number;
let records: ExchangeDto[];

function which(name: string): string | null {
  for (const d of ["/usr/sbin", "/usr/bin"]) if (existsSync(`${d}/${name}`)) return `${d}/${name}`;
  return null;
}

function run(
  file: string,
  args: string[],
  timeoutMs = 20_000,
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    execFile(
      which(file) ?? file,
      args,
      { timeout: timeoutMs, maxBuffer: 64 << 20, env: { ...process.env, LC_ALL: "C" } },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === "number" ? err.code : null;
        resolve({ code, out: code === 0 ? stdout : `${stdout}${stderr}` });
      },
    );
  });
}

async function get(pathAndQuery: string): Promise<Response> {
  const res = await fetch(`${server.url}${pathAndQuery}`, { headers: { cookie } });
  if (res.status !== 200) throw new Error(`GET ${pathAndQuery}: ${res.status} ${await res.text()}`);
  return res;
}

/** Downloads an export to a temp file; returns its path. */
async function exportTo(
  format: "pcap" | "pcap-wire",
  name: string,
): Promise<{ file: string; res: Response }> {
  const res = await get(`/api/exchanges/export?format=${format}&to=${to}`);
  const file = path.join(dir, name);
  await writeFile(file, new Uint8Array(await res.arrayBuffer()));
  return { file, res };
}

/** tshark -T fields, one array of values per packet (first occurrence of each field). */
async function tsharkFields(file: string, fields: string[], extra: string[] = []): Promise<string[][]> {
  const r = await run("tshark", [
    "-r",
    file,
    ...extra,
    "-T",
    "fields",
    "-E",
    "separator=/t",
    "-E",
    "occurrence=f",
    ...fields.flatMap((f) => ["-e", f]),
  ]);
  expect(r.code, r.out).toBe(0);
  return r.out
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => l.split("\t"));
}

const hex2 = (n: number) => `0x${n.toString(16).padStart(2, "0")}`;

beforeAll(async () => {
  const missing = ["tshark", "ipmitool"].filter((c) => which(c) === null);
  if (missing.length > 0)
    throw new Error(
      `missing ${missing.join(", ")}: run \`node scripts/ensure.mjs --ipmi-tools\` (docs/export.md)`,
    );
  dir = await mkdtemp(path.join(os.tmpdir(), "pcap-int-"));
  tdb = await createTestDatabase();
  server = await startServer({
    DATABASE_URL: tdb.url,
    LOG_LEVEL: "info",
    LAN_HOST: HOST,
    LAN_PORT: "0",
    IPMI_ADMIN_PASSWORD: ADMIN_PW,
    HOST_TRANSPORT: "sim",
    SIM_RATE: "50",
  });
  port = await lanPort(server);
  cookie = await server.login();

  // One RMCP+ session (cipher suite 3: HMAC-SHA1, AES-CBC-128) sending Get Device ID.
  const r = await run("ipmitool", [
    ...["-I", "lanplus", "-H", HOST, "-p", String(port), "-U", "admin", "-P", ADMIN_PW, "-C", "3"],
    ...["-N", "1", "-R", "2", "raw", "0x06", "0x01"],
  ]);
  expect(r.code, r.out).toBe(0);
  // Enough of the simulated host's traffic, Get Device ID included.
  await vi.waitUntil(
    async () => {
      const page = (await (await get("/api/exchanges?bus=bt0&limit=500")).json()) as ExchangesPage;
      return page.exchanges.length >= 40 && page.exchanges.some((x) => x.netFn === 6 && x.cmd === 1);
    },
    { timeout: 20_000, interval: 200 },
  );
  // Records received by `to` have long been answered and stored when the exports run.
  to = Date.now();
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const ndjson = await (await get(`/api/exchanges/export?format=ndjson&to=${to}`)).text();
  records = ndjson
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as ExchangeDto);
}, 60_000);

afterAll(async () => {
  if (server) {
    const { code } = await server.stop();
    expect(code).toBe(0);
  }
  await tdb?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("format=pcap (LINKTYPE_IPMI_HPM_2)", () => {
  it("is a pcap download that tshark decodes message by message as the log has them", async () => {
    const { file, res } = await exportTo("pcap", "log.pcap");
    expect(res.headers.get("content-type")).toBe("application/vnd.tcpdump.pcap");
    expect(res.headers.get("content-disposition")).toMatch(/filename="ipmi-exchanges-[^"]+\.pcap"/);

    const packets = await tsharkFields(
      file,
      [
        "ipmi.trace.chn.num",
        "ipmi.trace.dir",
        "ipmi.header.netfn",
        "ipmi.header.command",
        "ipmi.header.completion",
      ],
      ["-o", "ipmi.dissect_bus_commands:TRUE"],
    );
    const expected: string[][] = [];
    for (const x of records) {
      if (x.netFn === null || x.cmd === null || x.payload !== null) continue;
      const channel = x.busKind === "lan" ? "1" : "15";
      expected.push([channel, "1", hex2(x.netFn), hex2(x.cmd), ""]);
      if (x.response !== null && x.cc !== null)
        expected.push([channel, "0", hex2(x.netFn | 1), hex2(x.cmd), hex2(x.cc)]);
    }
    expect(expected.length).toBeGreaterThan(80);
    // Time order in the file is the log's id order; compare as multisets of lines.
    expect(packets.map((p) => p.join(" ")).sort()).toEqual(expected.map((p) => p.join(" ")).sort());
    // Get Device ID answered 00h, from the simulated host (system interface) and over LAN.
    expect(packets.map((p) => p.join(" "))).toContain("15 0 0x07 0x01 0x00");
    expect(packets.map((p) => p.join(" "))).toContain("1 0 0x07 0x01 0x00");
  });
});

describe("format=pcap-wire (LINKTYPE_RAW, the LAN datagrams)", () => {
  it("gives tshark RMCP, the session wrappers and the RMCP+ handshake", async () => {
    const { file, res } = await exportTo("pcap-wire", "wire.pcap");
    expect(res.headers.get("content-disposition")).toMatch(/filename="ipmi-exchanges-[^"]+-wire\.pcap"/);
    const packets = await tsharkFields(
      file,
      [
        "udp.srcport",
        "udp.dstport",
        "rmcp.class",
        "ipmi_session.authtype",
        "ipmi_session.payloadtype",
        "ipmi_session.payloadtype.enc",
        "ipmi.header.netfn",
        "ipmi.header.command",
        "ip.checksum.status",
        "udp.checksum.status",
      ],
      [
        ...["-o", "ipmi.dissect_bus_commands:TRUE"],
        ...["-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"],
      ],
    );
    const lan = records.filter((x) => x.busKind === "lan");
    const datagrams = lan.reduce((n, x) => n + (x.frame ? 1 : 0) + (x.responseFrame ? 1 : 0), 0);
    const shown = packets.map((p) => p.join(" ")).join("\n");
    expect(packets, shown).toHaveLength(datagrams);
    // Every request goes to 623, every response comes from it; all of it RMCP class IPMI (07h).
    const bmc = packets.filter((p) => p[1] === "623").length;
    expect(bmc).toBe(lan.filter((x) => x.frame).length);
    expect(
      packets.every((p) => p[2] === "0x07"),
      shown,
    ).toBe(true);
    // The synthesized IPv4 and UDP checksums check out (1: good).
    expect(
      packets.every((p) => p[8] === "1" && p[9] === "1"),
      shown,
    ).toBe(true);
    // The handshake: Open Session request/response, RAKP 1-4 (payload types 10h-15h).
    const types = new Set(packets.map((p) => p[4]));
    for (const t of ["0x10", "0x11", "0x12", "0x13", "0x14", "0x15"]) expect(types, shown).toContain(t);
    // Get Channel Authentication Capabilities goes in the clear (IPMI 1.5 wrapper, authtype none).
    expect(
      packets.some((p) => p[3] === "0x00" && p[6] === "0x06" && p[7] === "0x38"),
      shown,
    ).toBe(true);
    expect(
      packets.some((p) => p[3] === "0x00" && p[6] === "0x07" && p[7] === "0x38"),
      shown,
    ).toBe(true);
    // In the session (Get Device ID among them) IPMI payloads go encrypted (cipher suite 3: AES-CBC-128).
    const inSession = packets.filter((p) => p[3] === "0x06" && p[4] === "0x00");
    expect(inSession.length, shown).toBeGreaterThanOrEqual(2);
    expect(
      inSession.every((p) => p[5] === "1"),
      shown,
    ).toBe(true);
    // Each stored response datagram is what the bus sent.
    for (const x of lan) expect(x.responseFrame === null || x.responseFrame.length > 0).toBe(true);
  });
});
