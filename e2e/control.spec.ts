/**
 * Issue 3's scenario: sign in, hold Get Device ID, answer it by hand, see the answer
 * in the live view; a second browser sees the change; sign-out stops the stream.
 */
import { type Browser, expect, type Page, test } from "@playwright/test";
import { ADMIN_PASSWORD } from "./env";

async function signIn(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  const page = await context.newPage();
  await page.goto("/");
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel(/user name|username/i).fill("admin");
  await page.getByLabel(/password/i).fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: /sign in/i }).click();
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-state", "live");
  return page;
}

test("hold Get Device ID, answer it by hand, and watch every tab agree", async ({ browser }) => {
  const page = await signIn(browser);
  const other = await signIn(browser);
  await other.goto("/rules");

  // Create the hold rule in the first tab.
  await page.goto("/rules");
  await page.getByTestId("rule-name").fill("hold device id");
  await page.getByTestId("rule-netfn").selectOption("6");
  await page.getByTestId("rule-cmd").selectOption("1");
  await page.getByTestId("rule-action").selectOption("hold");
  await page.getByTestId("rule-submit").click();
  const rule = page.locator('[data-testid^="rule-"]', { hasText: "hold device id" }).first();
  await expect(rule).toBeVisible();
  // The second browser sees it without a reload.
  await expect(other.locator('[data-testid^="rule-"]', { hasText: "hold device id" }).first()).toBeVisible();

  // The host's next Get Device ID is held; answer it with custom bytes.
  await expect(page.getByTestId("held-count")).not.toHaveText(/^0?$/);
  await page.goto("/held");
  const card = page.locator('[data-testid^="held-"][data-testid$=""]').filter({ hasText: "Get Device ID" }).first();
  await expect(card).toBeVisible();
  const id = (await card.getAttribute("data-testid"))!.replace("held-", "");
  await expect(page.getByTestId(`held-countdown-${id}`)).toBeVisible();
  await page.getByTestId(`held-cc-${id}`).selectOption("0");
  await page.getByTestId(`held-data-${id}`).fill("20 81 05 02");
  await page.getByTestId(`held-answer-${id}`).click();
  await expect(page.getByTestId(`held-${id}`)).toHaveCount(0);

  // The live row carries exactly those bytes.
  await page.goto("/");
  const row = page.locator(`[data-testid="exchange-row"][data-id="${id}"]`);
  await expect(row).toHaveAttribute("data-cc", "00");
  await row.click();
  await expect(page.getByTestId("hexdump-response")).toContainText("00 20 81 05 02");

  // Clean up the rule from the other tab; the first sees it go.
  await other.goto("/rules");
  const ruleId = (await other.locator('[data-testid^="rule-toggle-"]').first().getAttribute("data-testid"))!.replace(
    "rule-toggle-",
    "",
  );
  other.on("dialog", (d) => void d.accept());
  await other.getByTestId(`rule-delete-${ruleId}`).click();
  await page.goto("/rules");
  await expect(page.getByTestId(`rule-${ruleId}`)).toHaveCount(0);

  // Sign-out stops the stream.
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/login/);
  await other.context().close();
  await page.context().close();
});
