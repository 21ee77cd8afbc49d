#!/usr/bin/env node
// Makes a fresh clone runnable: npm packages, the Prisma client, the database's
// migrations, and (with --browser / --ipmi-tools) Debian's chromium and ipmitool.
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

/** Installs a Debian package when its command is missing (needs root), or says how to. */
export function ensureDebianPackage(command, pkg, why) {
  const found = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" });
  if (found.status === 0) return found.stdout.trim();
  if (!isRoot()) {
    fail(`${command} is needed ${why}. Install it with: sudo apt-get install -y ${pkg}`);
  }
  say(`installing Debian's ${pkg} (${why})`);
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  if (!aptUpdated) {
    if (run("apt-get", ["update", "-qq"], { env }) !== 0)
      fail("apt-get update failed; is Debian's archive reachable?");
    aptUpdated = true;
  }
  mustRun(`apt-get install ${pkg}`, "apt-get", ["install", "-y", "-qq", "--no-install-recommends", pkg], {
    env,
  });
  const again = spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" });
  if (again.status !== 0) fail(`${pkg} installed but ${command} is still not on PATH`);
  return again.stdout.trim();
}

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

export function ensure({ browser = false, ipmiTools = false, database = true } = {}) {
  checkNode();
  ensurePackages();
  ensurePrismaClient();
  if (database) ensureDatabase();
  if (browser) ensureDebianPackage("chromium", "chromium", "for the browser tests");
  if (ipmiTools) ensureDebianPackage("ipmitool", "ipmitool", "for the tests with a real IPMI client");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensure({
    browser: process.argv.includes("--browser"),
    ipmiTools: process.argv.includes("--ipmi-tools"),
    database: !process.argv.includes("--no-database"),
  });
}
