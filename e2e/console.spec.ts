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
