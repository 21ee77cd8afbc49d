#!/usr/bin/env node
// Makes a fresh clone runnable: npm packages, the Prisma client, the database's
// migrations, and (with --browser / --ipmi-tools) Debian's chromium and the IPMI clients
// (ipmitool, FreeIPMI, OpenIPMI's ipmi_sim and rmcp_ping, and tshark; docs/lan-clients.md).
// Every step is skipped when already done, so `npm start` and `npm test` can call it
// each time. Plain JavaScript: it must run before anything is installed.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const bin = (name) => join(root, "node_modules", ".bin", name);

export function say(msg) {
  process.stdout.write(`[setup] ${msg}\n`);
}

export function fail(msg) {
  process.stderr.write(`\n[setup] ERROR: ${msg}\n`);
  process.exit(1);
}

export function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, {
    cwd: root,
    stdio: "inherit",
    ...options,
    env: { ...process.env, ...options.env },
  });
  if (r.error) fail(`${cmd} could not start: ${r.error.message}`);
  return r.status ?? 1;
}

function mustRun(what, cmd, args, options) {
  if (run(cmd, args, options) !== 0) fail(`${what} failed (${cmd} ${args.join(" ")}); see the output above.`);
}

function checkNode() {
  const [major, minor] = process.versions.node.split(".").map(Number);
  if (major < 20 || (major === 20 && minor < 9))
    fail(`Node.js >= 20.9 is needed, this is ${process.version}.`);
}

function hashOf(paths) {
  const h = createHash("sha256");
  for (const p of paths) if (existsSync(p)) h.update(p).update(readFileSync(p));
  return h.digest("hex");
}

/** npm packages: installed when missing or when package-lock.json changed since. */
function ensurePackages() {
  const stamp = join(root, "node_modules", ".install-stamp");
  const want = hashOf([join(root, "package.json"), join(root, "package-lock.json")]);
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === want) return;
  // `npm install`, not `npm ci`: the registry these machines reach lacks some other
  // platforms' optional binaries (e.g. @next/swc-darwin-*), so the lock file cannot list
  // them and `npm ci` refuses it; install still follows the lock for everything it lists.
  say("installing npm packages (npm install); better-sqlite3 compiles from source: 2-4 minutes");
  mustRun("npm install", "npm", ["install", "--no-audit", "--no-fund"], {
    // Browsers come from Debian's chromium, never from a download (docs/stack.md).
    env: { PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: "1" },
  });
  writeFileSync(stamp, want);
}

/** The Prisma client is generated (git-ignored); regenerated when the schema changes. */
function ensurePrismaClient() {
  const schema = join(root, "prisma", "schema.prisma");
  const stamp = join(root, "server", "persistence", "generated", ".schema-hash");
  const want = hashOf([schema, join(root, "package-lock.json")]);
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === want) return;
  say("generating the Prisma client");
  mustRun("prisma generate", bin("prisma"), ["generate"]);
  writeFileSync(stamp, want);
}

/** The fleet store's client (prisma/fleet: PostgreSQL), generated the same way. */
function ensureFleetClient() {
  const config = join(root, "prisma", "fleet", "prisma.config.ts");
  const stamp = join(root, "server", "fleet", "generated", ".schema-hash");
  const want = hashOf([join(root, "prisma", "fleet", "schema.prisma"), join(root, "package-lock.json")]);
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === want) return;
  say("generating the fleet store's Prisma client");
  mustRun("prisma generate (fleet)", bin("prisma"), ["generate", "--config", config]);
  writeFileSync(stamp, want);
}

/** Debian's PostgreSQL server binaries (initdb, pg_ctl, postgres), for the fleet tests and demo. */
export function ensurePostgres() {
  const base = "/usr/lib/postgresql";
  const installed = () =>
    existsSync(base) && readdirSync(base).some((v) => existsSync(join(base, v, "bin", "initdb")));
  if (installed()) return;
  ensureDebianPackage(["pg_ctlcluster"], "postgresql", "for the fleet (a throwaway PostgreSQL cluster)");
  if (!installed()) fail(`Debian's postgresql is installed but no ${base}/<version>/bin/initdb was found.`);
}

export function databaseUrl() {
  return process.env.DATABASE_URL || "file:./data/bmc.db";
}

/** Applies committed migrations to the configured SQLite file (creating it). */
export function ensureDatabase(url = databaseUrl()) {
  const file = url.replace(/^file:/, "");
  mkdirSync(dirname(resolve(root, file)), { recursive: true });
  say(`applying database migrations to ${file}`);
  mustRun("prisma migrate deploy", bin("prisma"), ["migrate", "deploy"], { env: { DATABASE_URL: url } });
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;
let aptUpdated = false;

// /usr/sbin too: FreeIPMI installs there, and a non-root PATH may lack it.
const onPath = (command) =>
  spawnSync("sh", ["-c", `PATH="$PATH:/usr/sbin:/sbin" command -v ${command}`], { encoding: "utf8" });

/** Whether Debian's archive (as apt knows it) has a candidate version of the package. */
function inArchive(pkg) {
  const r = spawnSync("apt-cache", ["policy", pkg], { encoding: "utf8" });
  const candidate = /Candidate:\s*(\S+)/.exec(r.stdout ?? "")?.[1];
  return r.status === 0 && candidate !== undefined && candidate !== "(none)";
}

/**
 * Installs a Debian package when one of its commands is missing (needs root), or says how
 * to. `commands`: one command or several the package provides; returns the first's path.
 * `preseed`: debconf answers ("owner question type value" lines) given before installing.
 */
export function ensureDebianPackage(commands, pkg, why, preseed) {
  const names = Array.isArray(commands) ? commands : [commands];
  const missing = () => names.filter((c) => onPath(c).status !== 0);
  if (missing().length === 0) return onPath(names[0]).stdout.trim();
  if (!isRoot()) {
    fail(
      `${missing().join(", ")} ${missing().length > 1 ? "are" : "is"} needed ${why}. Install with: sudo apt-get install -y ${pkg}`,
    );
  }
  say(`installing Debian's ${pkg} (${why})`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  if (!aptUpdated) {
    if (run("apt-get", ["update", "-qq"], { env }) !== 0)
      fail("apt-get update failed; is Debian's archive reachable?");
    aptUpdated = true;
  }
  if (!inArchive(pkg))
    fail(
      `Debian's package ${pkg} is not in the archive apt knows (apt-cache policy ${pkg}: no candidate); it is needed ${why}.`,
    );
  if (preseed)
    mustRun("debconf-set-selections", "debconf-set-selections", [], {
      input: `${preseed}\n`,
      stdio: ["pipe", "inherit", "inherit"],
    });
  mustRun(`apt-get install ${pkg}`, "apt-get", ["install", "-y", "-qq", "--no-install-recommends", pkg], {
    env,
  });
  const still = missing();
  if (still.length > 0) fail(`${pkg} installed but ${still.join(", ")} still not on PATH`);
  return onPath(names[0]).stdout.trim();
}

/** The real IPMI peers the LAN tests and `npm run bench` run (docs/lan-clients.md). */
export const IPMI_TOOLS = [
  { pkg: "ipmitool", commands: ["ipmitool"] },
  {
    pkg: "freeipmi-tools",
    commands: ["ipmi-raw", "bmc-info", "ipmi-sensors", "ipmi-sel", "ipmi-fru", "ipmi-chassis", "ipmipower"],
  },
  { pkg: "openipmi", commands: ["ipmi_sim", "rmcp_ping"] },
  // Reads the pcap exports back in the integration tests (docs/export.md). Its
  // wireshark-common asks whether non-root users may capture: no, without asking.
  {
    pkg: "tshark",
    commands: ["tshark"],
    preseed: "wireshark-common wireshark-common/install-setuid boolean false",
  },
];

/** Newest modification time under these paths (files or folders). */
export function newestMtime(paths) {
  let newest = 0;
  const walk = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p))
        if (name !== "node_modules" && !name.startsWith(".")) walk(join(p, name));
    } else newest = Math.max(newest, st.mtimeMs);
  };
  for (const p of paths) walk(p);
  return newest;
}

export function ensure({ browser = false, ipmiTools = false, database = true, postgres = false } = {}) {
  checkNode();
  ensurePackages();
  ensurePrismaClient();
  ensureFleetClient();
  if (postgres) ensurePostgres();
  if (database) ensureDatabase();
  if (browser) ensureDebianPackage("chromium", "chromium", "for the browser tests");
  if (ipmiTools)
    for (const { pkg, commands, preseed } of IPMI_TOOLS)
      ensureDebianPackage(commands, pkg, "for the tests and the benchmark with real IPMI clients", preseed);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensure({
    browser: process.argv.includes("--browser"),
    ipmiTools: process.argv.includes("--ipmi-tools"),
    database: !process.argv.includes("--no-database"),
    postgres: process.argv.includes("--postgres"),
  });
}
