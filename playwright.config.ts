import { defineConfig } from "@playwright/test";
import { ADMIN_PASSWORD, ADMIN_STATE } from "./e2e/env";

const PORT = Number(process.env.E2E_PORT ?? 3100);

/**
 * Browser tests drive Debian's Chromium (no browser download: docs/stack.md) against the
 * built server on a fresh database of their own.
 */
export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
    trace: "retain-on-failure",
    storageState: ADMIN_STATE,
  },
  webServer: {
    command: "node scripts/e2e-server.mjs",
    url: `http://127.0.0.1:${PORT}/api/health`,
    env: { PORT: String(PORT), SIM_RATE: "20", LOG_LEVEL: "warn", DASHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD },
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: "pipe",
    stderr: "pipe",
  },
});
