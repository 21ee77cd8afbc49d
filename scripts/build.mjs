#!/usr/bin/env node
// Builds what `npm start` runs: the Next.js dashboard (.next/) and the custom server
// bundled with esbuild (dist/server.mjs; Next does not compile server/, docs/stack.md).
// The Next build is skipped when no source it depends on changed since the last one.
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensure, fail, newestMtime, root, run, say } from "./ensure.mjs";

const NEXT_INPUTS = ["app", "components", "server", "next.config.ts", "package-lock.json", "tsconfig.json"];

/**
 * `outdir`: where the server bundle goes (default dist/). `serverOnly`: skip the Next build;
 * with BMC_DIST, parallel work on one checkout gets a server bundle of its own each.
 */
export async function build({ force = false, outdir = join(root, "dist"), serverOnly = false } = {}) {
  const stamp = join(root, ".next", ".source-mtime");
  const newest = String(newestMtime(NEXT_INPUTS.map((p) => join(root, p))));
  const built =
    existsSync(join(root, ".next", "BUILD_ID")) &&
    existsSync(stamp) &&
    readFileSync(stamp, "utf8") === newest;
  if (!serverOnly && (force || !built)) {
    say("building the dashboard (next build)");
    if (
      run(join(root, "node_modules", ".bin", "next"), ["build"], {
        env: { NEXT_TELEMETRY_DISABLED: "1" },
      }) !== 0
    ) {
      fail("next build failed; see the output above.");
    }
    writeFileSync(stamp, newest);
  }
  say("bundling the server (esbuild)");
  // Packages stay external: a bundle outside the checkout finds them through a link.
  mkdirSync(outdir, { recursive: true });
  if (!existsSync(join(outdir, "node_modules")) && !outdir.startsWith(root)) {
    symlinkSync(join(root, "node_modules"), join(outdir, "node_modules"));
  }
  const esbuild = await import("esbuild");
  await esbuild.build({
    // Worker threads are entries of their own, beside dist/server.mjs: the log writer's
    // (dist/log-writer-worker.mjs) and the fleet shipper's reader (dist/ship-reader-worker.mjs).
    entryPoints: {
      server: join(root, "server", "main.ts"),
      "log-writer-worker": join(root, "server", "traffic", "log-writer-worker.ts"),
      "ship-reader-worker": join(root, "server", "fleet", "ship-reader-worker.ts"),
    },
    outdir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    platform: "node",
    target: "node20",
    format: "esm",
    packages: "external",
    sourcemap: true,
    logLevel: "warning",
    // Bundled CommonJS-style code may still call require().
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  ensure({ database: false });
  const out = process.argv.indexOf("--out");
  await build({
    force: process.argv.includes("--force"),
    serverOnly: process.argv.includes("--server-only"),
    ...(out > 0 ? { outdir: process.argv[out + 1] } : {}),
  });
}
