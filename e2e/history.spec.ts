import { expect, type Page, test } from "@playwright/test";

const FLAGS = 'cmd == "Get Message Flags"';

/** Waits until the log holds more than `n` exchanges, so the first page has an older one. */
async function logHoldsMoreThan(page: Page, n: number): Promise<void> {
  await expect
    .poll(
      async () => {
        const res = await page.request.get(`/api/exchanges?limit=${n + 1}`);
        return ((await res.json()) as { exchanges: unknown[] }).exchanges.length;
      },
      { timeout: 30_000 },
    )
    .toBe(n + 1);
}

/** The ids of the exchange rows the (virtualized) table renders. */
async function renderedIds(page: Page): Promise<number[]> {
  const ids = await page
    .getByTestId("exchange-row")
    .evaluateAll((rows) => rows.map((r) => r.getAttribute("data-id")));
  return ids.map(Number);
}

test("the history pages through the log, newest first, older pages with smaller ids", async ({ page }) => {
  await logHoldsMoreThan(page, 100);
  await page.goto("/");
  await page.getByTestId("nav-history").click();
  await expect(page).toHaveURL(/\/history$/);
  const count = page.getByTestId("history-count");
  await expect(count).toHaveAttribute("data-count", "100");
  await expect(count).toContainText("Rows 1–100");
  await expect(page.getByTestId("exchange-table")).toHaveAttribute("data-following", "false");
  const first = await renderedIds(page);
  expect(first.length).toBeGreaterThan(0);
  expect(first).toEqual([...first].sort((a, b) => b - a)); // newest first
  const oldestOnFirst = Number(await count.getAttribute("data-last-id"));

  await page.getByTestId("history-older").click();
  await expect(count).toHaveAttribute("data-page", "1");
  await expect(count).not.toHaveAttribute("data-loading", "true");
  await expect(count).toContainText(/Rows 101–/);
  expect(Number(await count.getAttribute("data-first-id"))).toBeLessThan(oldestOnFirst);
  const second = await renderedIds(page);
  expect(second.length).toBeGreaterThan(0);
  for (const id of second) expect(id).toBeLessThan(oldestOnFirst);

  await page.getByTestId("history-newer").click();
  await expect(count).toHaveAttribute("data-page", "0");
  await expect(count).toContainText("Rows 1–100");

  // The log's size and oldest record, when the server's health reports them.
  const health = (await (await page.request.get("/api/health")).json()) as {
    log?: { sizeBytes: number | null; oldestId: number | null };
  };
  if (health.log?.oldestId != null) {
    await expect(page.getByTestId("history-log-info")).toContainText("oldest #");
    expect(
      Number(await page.getByTestId("history-log-info").getAttribute("data-oldest-id")),
    ).toBeLessThanOrEqual(oldestOnFirst);
  }

  // A row opens its detail beside the table.
  await page.getByTestId("exchange-row").first().click();
  await expect(page.getByTestId("exchange-detail")).toBeVisible();
});

test("the filter selects from the whole log, lives in the URL and comes back on reload", async ({ page }) => {
  await page.goto("/history");
  await expect(page.getByTestId("exchange-row").first()).toBeVisible();
  await page.getByTestId("filter-text").fill(FLAGS);
  await expect(page).toHaveURL(/filter=cmd/);
  const rows = page.getByTestId("exchange-row");
  await expect
    .poll(async () => {
      const names = await rows.evaluateAll((r) => r.map((x) => x.getAttribute("data-cmd-name")));
      return names.length > 0 && names.every((n) => n === "Get Message Flags");
    })
    .toBe(true);
  await expect(page.getByTestId("export-csv")).toHaveAttribute("href", /filter=cmd/);

  await page.getByTestId("highlight-text").fill("cc == 0");
  await expect(page).toHaveURL(/highlight=cc/);
  await expect(page.locator('[data-testid="exchange-row"][data-highlighted="true"]').first()).toBeVisible();

  await page.reload();
  await expect(page.getByTestId("filter-text")).toHaveValue(FLAGS);
  await expect(page.getByTestId("highlight-text")).toHaveValue("cc == 0");
  await expect(rows.first()).toBeVisible();
  const names = await rows.evaluateAll((r) => r.map((x) => x.getAttribute("data-cmd-name")));
  expect(names.every((n) => n === "Get Message Flags")).toBe(true);
});

test("an invalid filter shows the server's error under its position", async ({ page }) => {
  await page.goto("/history?filter=status%20%3D%3D%20tmeout");
  const error = page.getByTestId("filter-text-error");
  await expect(error).toBeVisible();
  await expect(error).toHaveAttribute("data-position", /^\d+$/);
  expect(Number(await error.getAttribute("data-position"))).toBeGreaterThan(0);
  await expect(page.getByTestId("history-count")).toHaveAttribute("data-count", "0");

  await page.getByTestId("filter-text").fill("cmdd == 1");
  await expect(error).toHaveAttribute("data-position", "0");
  await page.getByTestId("filter-text").fill("status == ok");
  await expect(error).toBeHidden();
  await expect(page.getByTestId("exchange-row").first()).toHaveAttribute("data-status", "ok");
});

test("the history shows the log's size on disk, its oldest record and the retention it runs with", async ({
  page,
}) => {
  await logHoldsMoreThan(page, 1);
  await page.goto("/history");
  const info = page.getByTestId("history-log-info");
  // scripts/e2e-server.mjs runs with RETENTION_DAYS=30; a fresh log has nothing that old.
  await expect(info).toContainText("keeps 30 days");
  expect(Number(await info.getAttribute("data-size-bytes"))).toBeGreaterThan(0);
  await expect(info).toHaveAttribute("data-oldest-id", "1");
  const health = (await (await page.request.get("/api/health")).json()) as {
    log: { retention: { days: number | null; rows: number | null } };
  };
  expect(health.log.retention).toMatchObject({ days: 30, rows: null });
});
