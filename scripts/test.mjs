#!/usr/bin/env node
// `npm test`: everything CI checks, in the order that fails fastest. Installs what it
// needs first (npm packages, Prisma client, Debian's chromium for the browser tests, Debian's
// IPMI clients for the LAN tests).
// Ends with one line "N passed, M failed" counting every test of every runner.
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "./build.mjs";
import { ensure, root, run, say } from "./ensure.mjs";

const reports = join(root, ".cache", "test-reports");
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });
const bin = (name) => join(root, "node_modules", ".bin", name);

ensure({ browser: true, ipmiTools: true, database: false, postgres: true });

const failedSteps = [];
const step = (name, cmd, args, env) => {
  say(`── ${name} ──`);
  const status = run(cmd, args, { env });
  if (status !== 0) failedSteps.push(name);
  return status === 0;
};

// Static checks: a type error or a style slip fails the run like a failing test.
step("type check (tsc --strict)", bin("tsc"), ["--noEmit", "-p", "tsconfig.json"]);
step("lint and format check (biome)", bin("biome"), ["ci", "."]);
step("unit tests (vitest)", bin("vitest"), [
  "run",
  "--project",
  "unit",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${join(reports, "unit.json")}`,
]);

await build();
step("integration tests (vitest, real server process)", bin("vitest"), [
  "run",
  "--project",
  "integration",
  "--reporter=default",
  "--reporter=json",
  `--outputFile.json=${join(reports, "integration.json")}`,
]);
step("end-to-end tests (playwright, Debian chromium)", bin("playwright"), ["test", "--reporter=list,json"], {
  PLAYWRIGHT_JSON_OUTPUT_NAME: join(reports, "e2e.json"),
});

// Count tests across runners from their JSON reports.
let passed = 0;
let failed = 0;
let skipped = 0;
const readJson = (file) => {
  try {
    return JSON.parse(readFileSync(join(reports, file), "utf8"));
  } catch {
    return undefined;
  }
};
for (const file of ["unit.json", "integration.json"]) {
  const r = readJson(file);
  if (!r) continue;
  passed += r.numPassedTests ?? 0;
  failed += r.numFailedTests ?? 0;
  skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
}
const e2e = readJson("e2e.json");
if (e2e?.stats) {
  passed += (e2e.stats.expected ?? 0) + (e2e.stats.flaky ?? 0);
  failed += e2e.stats.unexpected ?? 0;
  skipped += e2e.stats.skipped ?? 0;
}
if (failedSteps.length > 0) {
  say(`failed steps: ${failedSteps.join(", ")}`);
  // A step that failed without a failing test (type check, lint, a crash) still counts.
  if (failed === 0) failed = failedSteps.length;
}
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`);
process.exit(failedSteps.length > 0 ? 1 : 0);
