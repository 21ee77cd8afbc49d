/**
 * The Console page: the host's serial line in a terminal. scripts/e2e-server.mjs runs the
 * server with HOST_SERIAL=qemu:127.0.0.1:0; this test plays the host on that socket (as a
 * QEMU guest's serial chardev would): what it prints shows in the terminal, an operator
 * takes the keyboard and what they type reaches it, and a viewer sees but cannot type.
 */
import net from "node:net";
import { expect, type Page, test } from "@playwright/test";

async function serialPort(page: Page): Promise<number> {
  const health = (await (await page.request.get("/api/health")).json()) as {
    console: { description: string };
  };
  const m = /listening on 127\.0\.0\.1:(\d+)/.exec(health.console.description);
  expect(m, health.console.description).not.toBeNull();
  return Number(m![1]);
}

test("the Console page shows what the host prints, and an operator's typing reaches the host", async ({
  page,
}) => {
  const host = net.connect({ host: "127.0.0.1", port: await serialPort(page) });
  let typed = "";
  host.on("data", (b: Buffer) => {
    typed += b.toString("utf8");
  });
  await new Promise<void>((resolve) => host.once("connect", () => resolve()));
  try {
    host.write("[    0.000000] Linux version 6.1.0 (e2e)\r\nguest login: ");
    await page.goto("/");
    await page.getByTestId("nav-console").click();
    await expect(page).toHaveURL(/\/console$/);
    await expect(page.getByTestId("console-host")).toHaveAttribute("data-state", "up");
    const screen = page.locator('[data-testid="console-terminal"] .xterm-rows');
    await expect(screen).toContainText("Linux version 6.1.0 (e2e)");
    await expect(screen).toContainText("guest login:");

    // Live, after the scrollback.
    host.write("\r\nWelcome to the e2e guest\r\n# ");
    await expect(screen).toContainText("Welcome to the e2e guest");

    // Typing needs the keyboard first.
    await page.getByTestId("console-claim").click();
    await expect(page.getByTestId("console-writer")).toHaveAttribute("data-mine", "true");
    await page.getByTestId("console-terminal").click();
    await page.keyboard.type("echo hi");
    await page.keyboard.press("Enter");
    await expect.poll(() => typed).toBe("echo hi\r");
    await page.getByTestId("console-release").click();
    await expect(page.getByTestId("console-writer")).toHaveAttribute("data-mine", "false");

    // The history finds what was typed, with who typed it, and what the host printed.
    await page.getByTestId("console-history-text").fill("echo hi");
    await page.getByTestId("console-history-search").click();
    const typedRow = page.locator('[data-testid="console-history-row"][data-direction="in"]');
    await expect(typedRow).toHaveCount(1);
    await expect(typedRow).toContainText("browser:admin");
    await page.getByTestId("console-history-text").fill("Linux version 6.1.0 (e2e)");
    await page.getByTestId("console-history-search").click();
    await expect(
      page.locator('[data-testid="console-history-row"][data-direction="out"]').first(),
    ).toBeVisible();
  } finally {
    host.destroy();
  }
});

test("a viewer watches the console but cannot take the keyboard", async ({ page, browser, baseURL }) => {
  const created = await page.request.post("/api/operators", {
    data: { username: "console-viewer", password: "console-viewer-pw", role: "viewer" },
  });
  expect([201, 409]).toContain(created.status());
  const context = await browser.newContext({ baseURL: baseURL!, storageState: { cookies: [], origins: [] } });
  try {
    const viewer = await context.newPage();
    const login = await viewer.request.post("/api/auth/login", {
      data: { username: "console-viewer", password: "console-viewer-pw" },
    });
    expect(login.status()).toBe(200);
    await viewer.goto("/console");
    await expect(viewer.getByTestId("console-host")).toBeVisible();
    await expect(viewer.getByTestId("console-terminal")).toBeVisible();
    await expect(viewer.getByTestId("console-claim")).toHaveCount(0);
  } finally {
    await context.close();
  }
});

/** The nearest exchange rows before and after `row` in the table (DOM order is row order). */
function exchangeNeighbours(row: Element): { before: boolean; after: boolean } {
  const isExchange = (e: Element | null) => e?.getAttribute("data-testid") === "exchange-row";
  let before: Element | null = row.previousElementSibling;
  while (before !== null && !isExchange(before)) before = before.previousElementSibling;
  let after: Element | null = row.nextElementSibling;
  while (after !== null && !isExchange(after)) after = after.nextElementSibling;
  return { before: before !== null, after: after !== null };
}

test("the Live page's console lane shows what the host prints among the exchanges, live and from a shared link", async ({
  page,
}) => {
  const host = net.connect({ host: "127.0.0.1", port: await serialPort(page) });
  await new Promise<void>((resolve) => host.once("connect", () => resolve()));
  // Only the watchdog pats (one in 30 of the simulated host's requests): the table grows
  // slowly, so the marker's row stays rendered (the table is virtualized) while it is checked.
  const filter = `filter=${encodeURIComponent('cmd == "Reset Watchdog Timer"')}`;
  try {
    await page.goto(`/?${filter}`);
    await expect(page.getByTestId("exchange-row").first()).toBeVisible();
    const toggle = page.getByTestId("console-lane-toggle");
    await expect(toggle).toHaveAttribute("aria-pressed", "false");
    await toggle.click();
    await expect(toggle).toHaveAttribute("aria-pressed", "true");
    await expect(page).toHaveURL(/[?&]console=1/);

    const marker = `lane-e2e-${Date.now()}`;
    host.write(`[   42.000000] watchdog: ${marker}\r\n`);
    const lane = page.locator('[data-testid="console-lane-row"]', { hasText: marker });
    await expect(lane).toHaveCount(1);
    await expect(lane).toHaveAttribute("data-direction", "out");
    await expect(lane).toContainText("host printed");
    // Between exchanges: the next watchdog pat comes after it.
    await expect.poll(() => lane.evaluate(exchangeNeighbours)).toEqual({ before: true, after: true });

    // j/k step over console lines: the cursor is always on an exchange.
    await page.keyboard.press("k");
    await expect(page.locator('[data-testid="exchange-row"][data-cursor="true"]')).toHaveCount(1);
    await expect(page.locator('[data-testid="console-lane-row"][data-cursor]')).toHaveCount(0);

    // A shared link keeps the lane; what was printed comes back from the console history.
    await page.goto(`/?${filter}&console=1`);
    await expect(toggle).toHaveAttribute("aria-pressed", "true");
    await expect(page.locator('[data-testid="console-lane-row"]', { hasText: marker })).toHaveCount(1);

    await toggle.click();
    await expect(page.getByTestId("console-lane-row")).toHaveCount(0);
    await expect(page).not.toHaveURL(/console=1/);
  } finally {
    host.destroy();
  }
});
