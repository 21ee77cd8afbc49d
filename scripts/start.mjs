#!/usr/bin/env node
// `npm start`: install what is missing, migrate the database, build, and run the one
// server process (dashboard, API, live stream, router and buses) on 127.0.0.1:3000.
// `npm run dev`: the same with Next's dev server and the server code run by tsx.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { build } from "./build.mjs";
import { ensure, root } from "./ensure.mjs";

const dev = process.argv.includes("--dev");
ensure();
if (!dev) await build();

const [cmd, args] = dev
  ? [join(root, "node_modules", ".bin", "tsx"), [join(root, "server", "main.ts")]]
  : [process.execPath, ["--enable-source-maps", join(root, "dist", "server.mjs")]];
const child = spawn(cmd, args, {
  cwd: root,
  stdio: "inherit",
  env: { NEXT_TELEMETRY_DISABLED: "1", ...process.env, NODE_ENV: dev ? "development" : "production" },
});
// Ctrl-C reaches the child through the terminal's process group; pass on a plain
// SIGTERM too, and leave with the child's status once it has flushed its log.
process.on("SIGTERM", () => child.kill("SIGTERM"));
process.on("SIGINT", () => {});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
