#!/usr/bin/env node
// The server the browser tests run against: the built product on a fresh SQLite file
// (so every run starts from an empty log and default handler switches).
import { spawn } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ensureDatabase, root } from "./ensure.mjs";

const dir = join(root, ".cache", "e2e");
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const url = `file:${join(dir, "e2e.db")}`;
ensureDatabase(url);
const child = spawn(process.execPath, ["--enable-source-maps", join(root, "dist", "server.mjs")], {
  cwd: root,
  stdio: "inherit",
  // The LAN bus on a free UDP port (0), so a running console on 6230 does not collide.
  // RETENTION_DAYS: pruning is on as an operator would set it (it prunes nothing in a fresh
  // log); the History page must say so.
  env: {
    LAN_PORT: "0",
    RETENTION_DAYS: "30",
    // The host's serial line on a free port: the Console page's test plays the host on it.
    HOST_SERIAL: "qemu:127.0.0.1:0",
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: url,
    HOST: "127.0.0.1",
  },
});
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => child.kill("SIGTERM"));
child.on("exit", (code) => process.exit(code ?? 0));
