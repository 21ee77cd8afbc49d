/**
 * The fleet in the browser (issue 14): three nodes a, b, c of the built server on one
 * throwaway PostgreSQL, started here (the suite's own server is a lone node). Node a's
 * console picks nodes, shows every node's live traffic, lists the nodes, and switches a
 * handler off on node c.
 */
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, expect, type Page, test } from "@playwright/test";
// @ts-expect-error: plain JavaScript (scripts/ensure.mjs), no type declarations
import { ensureDatabase } from "../scripts/ensure.mjs";
import type { FleetStatusDto } from "../server/contract/fleet";
import type { HandlerInfo } from "../server/contract/handlers";
import {
  postgresBinDir,
  startThrowawayPostgres,
  type ThrowawayPostgres,
} from "../server/fleet/test-postgres";
import { type RunningServer, startServer } from "../server/integration/server-process";
import { ADMIN_PASSWORD } from "./env";

const NODES = ["a", "b", "c"] as const;
type Node = (typeof NODES)[number];
/** A handler every node has and the simulated host calls often. */
const HANDLER = "app.get-message-flags";

test.skip(
  postgresBinDir() === undefined,
  "PostgreSQL is not installed (Debian: apt-get install -y postgresql, or `node scripts/ensure.mjs --postgres` as root)",
);
// One fleet for the file: a failed test must not start a second one in a fresh worker.
test.describe.configure({ mode: "serial" });

let pg: ThrowawayPostgres | undefined;
const servers: Partial<Record<Node, RunningServer>> = {};
const dir = join(process.cwd(), ".cache", "e2e-fleet");
let cookie = "";

const server = (n: Node) => servers[n]!;

async function api<T>(n: Node, path: string): Promise<T> {
  const res = await fetch(`${server(n).url}${path}`, { headers: { cookie } });
  if (res.status !== 200) throw new Error(`${n} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

test.beforeAll(async () => {
  test.setTimeout(90_000);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // Migrated once (prisma takes a second or two), copied for the other two nodes.
  ensureDatabase(`file:${join(dir, "a.db")}`);
  for (const n of ["b", "c"]) copyFileSync(join(dir, "a.db"), join(dir, `${n}.db`));
  pg = await startThrowawayPostgres();
  await Promise.all(
    NODES.map(async (n) => {
      servers[n] = await startServer({
        DATABASE_URL: `file:${join(dir, `${n}.db`)}`,
        FLEET_DATABASE_URL: pg!.url,
        NODE_NAME: n,
        DASHBOARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
        // Gentle: three nodes, the suite's own server and a browser share two cores.
        SIM_RATE: "5",
        LAN_PORT: "off",
      });
    }),
  );
  cookie = await server("a").login("admin", ADMIN_PASSWORD);
  // The UI reads the roster every 5 s: start once every node has announced itself.
  await expect
    .poll(
      async () => (await api<FleetStatusDto>("a", "/api/fleet")).nodes.filter((n) => n.state === "up").length,
      { timeout: 30_000 },
    )
    .toBe(3);
});

test.afterAll(async () => {
  test.setTimeout(60_000);
  await Promise.all(NODES.map((n) => servers[n]?.stop().catch(() => undefined)));
  pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A browser signed in on node a (its session cookie; the suite's stored one is for its own server). */
async function onNodeA(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const at = cookie.indexOf("=");
  await context.addCookies([
    { name: cookie.slice(0, at), value: cookie.slice(at + 1), url: server("a").url },
  ]);
  return { context, page: await context.newPage() };
}

test("node a's console picks any node and shows every node's live traffic", async ({ browser }) => {
  const { context, page } = await onNodeA(browser);
  try {
    await page.goto(`${server("a").url}/?node=all`);
    const picker = page.getByTestId("node-picker");
    await expect(picker).toHaveValue("all");
    await expect(picker.locator("option", { hasText: "All nodes" })).toHaveCount(1);
    await expect(picker.locator('option[value=""]')).toHaveText("This node (a)");
    for (const n of ["b", "c"]) {
      await expect(picker.locator(`option[value="${n}"]`)).toHaveText(`${n} (up)`);
      await expect(picker.locator(`option[value="${n}"]`)).toHaveAttribute("data-state", "up");
    }
    await expect(page.getByTestId("connection-status")).toHaveAttribute("data-state", "live");
    // Rows arrive interleaved from the three nodes; the tail shows each before long.
    await expect
      .poll(async () => [...new Set(await page.getByTestId("exchange-node").allTextContents())].sort(), {
        timeout: 30_000,
      })
      .toEqual(["a", "b", "c"]);
  } finally {
    await context.close();
  }
});

test("the Nodes page lists a, b and c up with their dashboards", async ({ browser }) => {
  const { context, page } = await onNodeA(browser);
  try {
    await page.goto(`${server("a").url}/nodes`);
    await expect(page.getByTestId("fleet-store")).toHaveText("up");
    // FLEET_RETENTION_DAYS unset: the store keeps 30 days.
    await expect(page.getByTestId("fleet-retention")).toContainText("keeps 30 days");
    const rows = page.getByTestId("node-row");
    await expect(rows).toHaveCount(3);
    for (const n of NODES) {
      const row = page.locator(`[data-testid="node-row"][data-node="${n}"]`);
      await expect(row).toHaveAttribute("data-state", "up");
      await expect(row.getByTestId("node-address")).toHaveAttribute("href", server(n).url);
    }
    await expect(page.locator('[data-testid="node-row"][data-self]')).toHaveAttribute("data-node", "a");
  } finally {
    await context.close();
  }
});

test("a handler switched off from node a's console with ?node=c is off on node c only", async ({
  browser,
}) => {
  const { context, page } = await onNodeA(browser);
  try {
    await page.goto(`${server("a").url}/handlers?node=c`);
    await expect(page.getByTestId("remote-note")).toHaveAttribute("data-target", "c");
    const toggle = page.getByTestId(`handler-toggle-${HANDLER}`);
    await expect(toggle).toHaveAttribute("aria-checked", "true");
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-checked", "false");
    const enabledOn = async (n: Node) =>
      (await api<{ handlers: HandlerInfo[] }>(n, "/api/handlers")).handlers.find((h) => h.id === HANDLER)
        ?.enabled;
    // b and c take a's cookie through the shared store, which gives up on a lookup after
    // 2 s (the node then answers 401, as if alone): on a loaded 2-core machine, ask again.
    await expect.poll(() => enabledOn("c"), { timeout: 30_000 }).toBe(false);
    expect(await enabledOn("a")).toBe(true);
    await expect.poll(() => enabledOn("b"), { timeout: 30_000 }).toBe(true);
  } finally {
    await context.close();
  }
});

test("with ?node=c the Handlers page lists node c's handlers, not node a's", async ({ browser }) => {
  const OTHER = "app.get-device-id";
  // Switched off on c itself (a's session is good there through the store; ask again while it looks it up).
  await expect
    .poll(
      async () =>
        (
          await fetch(`${server("c").url}/api/handlers/${OTHER}`, {
            method: "PATCH",
            headers: { cookie, "content-type": "application/json" },
            body: JSON.stringify({ enabled: false }),
          })
        ).status,
      { timeout: 30_000 },
    )
    .toBe(200);
  const { context, page } = await onNodeA(browser);
  try {
    await page.goto(`${server("a").url}/handlers?node=c`);
    await expect(page.getByTestId("remote-note")).toContainText("Showing node c's handlers");
    await expect(page.getByTestId(`handler-toggle-${OTHER}`)).toHaveAttribute("aria-checked", "false");
    await page.goto(`${server("a").url}/handlers`);
    await expect(page.getByTestId(`handler-toggle-${OTHER}`)).toHaveAttribute("aria-checked", "true");
  } finally {
    await context.close();
  }
});

test("node a's History page reads every node's log from the store, and one node's alone", async ({
  browser,
}) => {
  const { context, page } = await onNodeA(browser);
  try {
    await page.goto(`${server("a").url}/history?node=all`);
    await expect(page.getByTestId("history-source")).toHaveAttribute("data-node", "all");
    await expect(page.getByTestId("export-csv")).toHaveAttribute("href", /[?&]node=all(&|$)/);
    // The newest page interleaves the three nodes (they ship every 250 ms); read it again until it does.
    await expect
      .poll(
        async () => {
          await page.getByTestId("history-newest").click();
          await expect(page.getByTestId("history-count")).not.toHaveAttribute("data-loading", "true");
          return [...new Set(await page.getByTestId("exchange-node").allTextContents())].sort();
        },
        { timeout: 30_000 },
      )
      .toEqual(["a", "b", "c"]);
    // Older pages go on across nodes (a cursor of time, node and id).
    await page.getByTestId("history-older").click();
    await expect(page.getByTestId("history-count")).toHaveAttribute("data-page", "1");
    await expect(page.getByTestId("history-count")).not.toHaveAttribute("data-loading", "true");

    await page.getByTestId("node-picker").selectOption("c");
    await expect(page.getByTestId("history-source")).toHaveAttribute("data-node", "c");
    await expect(page.getByTestId("history-count")).toHaveAttribute("data-page", "0");
    await expect
      .poll(async () => [...new Set(await page.getByTestId("exchange-node").allTextContents())], {
        timeout: 15_000,
      })
      .toEqual(["c"]);
  } finally {
    await context.close();
  }
});

test("node a's Audit page reads the shared trail: who acted on node c, from node a", async ({ browser }) => {
  const { context, page } = await onNodeA(browser);
  try {
    // The handler switched off on c from a (above): c's entry names a, shipped within a batch.
    await page.goto(`${server("a").url}/audit?node=all`);
    await expect(page.getByTestId("audit-source")).toHaveAttribute("data-node", "all");
    await expect(page.getByTestId("audit-export-csv")).toHaveAttribute("href", /[?&]node=all(&|$)/);
    const onC = page.locator('[data-testid="audit-row"][data-node="c"][data-action="handler.disable"]');
    await expect
      .poll(
        async () => {
          await page.reload();
          // This node's own trail shows first, until the page has read the fleet's status.
          await expect(page.locator('[data-testid="audit-row"][data-node]').first()).toBeVisible();
          return onC.filter({ hasText: "admin on node a" }).count();
        },
        { timeout: 15_000 },
      )
      .toBeGreaterThan(0);
    await page.getByTestId("node-picker").selectOption("c");
    await expect(page.getByTestId("audit-source")).toHaveAttribute("data-node", "c");
    await expect(page.locator('[data-testid="audit-row"]:not([data-node="c"])')).toHaveCount(0);
    await expect(onC.first()).toBeVisible();
  } finally {
    await context.close();
  }
});
