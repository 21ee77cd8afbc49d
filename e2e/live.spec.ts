import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { expect, test } from "@playwright/test";

test("live rows from the simulated host appear and follow the tail", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-state", "live");
  const rows = page.getByTestId("exchange-row");
  await expect(rows.first()).toBeVisible();
  await expect(
    page.locator('[data-testid="exchange-row"][data-cmd-name="Get Message Flags"]').first(),
  ).toBeVisible();

  // The detail pane decodes the header and dumps the bytes.
  const flags = page.locator('[data-testid="exchange-row"][data-cmd-name="Get Message Flags"]').first();
  await flags.click();
  const detail = page.getByTestId("exchange-detail");
  await expect(detail).toContainText("Get Message Flags (31h)");
  await expect(detail).toContainText("App (06h)");
  await expect(detail).toContainText("00h Command Completed Normally");
  await expect(page.getByTestId("hexdump-response")).toBeVisible();
});

test("switching a handler off in the UI makes its requests answer C1h, and on again restores them", async ({
  page,
}) => {
  await page.goto("/handlers");
  const toggle = page.getByTestId("handler-toggle-app.get-message-flags");
  await expect(toggle).toHaveAttribute("aria-checked", "true");
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-checked", "false");

  // The newest Get Message Flags row (the table follows the tail) turns C1h.
  const flagsRows = page.locator('[data-testid="exchange-row"][data-cmd-name="Get Message Flags"]');
  await page.getByRole("link", { name: "Live" }).click();
  await expect.poll(() => flagsRows.last().getAttribute("data-cc")).toBe("c1");
  await expect(flagsRows.last()).toHaveAttribute("data-status", "error");

  await page.getByRole("link", { name: "Handlers" }).click();
  await page.getByTestId("handler-toggle-app.get-message-flags").click();
  await expect(page.getByTestId("handler-toggle-app.get-message-flags")).toHaveAttribute(
    "aria-checked",
    "true",
  );
  await page.getByRole("link", { name: "Live" }).click();
  await expect.poll(() => flagsRows.last().getAttribute("data-cc")).toBe("00");
});

test("the CSV export downloads the log", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("exchange-row").first()).toBeVisible();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("export-csv").click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.csv$/);
  const text = await readFile((await download.path())!, "utf8");
  const lines = text.trim().split("\n");
  expect(lines[0]).toMatch(/^id,received_at,/);
  expect(lines.length).toBeGreaterThan(1);
});

test("the NDJSON export downloads one exchange per line, the view's filter applied", async ({ page }) => {
  await page.goto("/?filter=cmd%20%3D%3D%20%22Get%20Device%20ID%22");
  await expect(page.getByTestId("exchange-row").first()).toBeVisible();
  // The link carries the view's filter once the server accepted it.
  await expect(page.getByTestId("export-ndjson")).toHaveAttribute("href", /filter=cmd/);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("export-ndjson").click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.ndjson$/);
  const lines = (await readFile((await download.path())!, "utf8")).trim().split("\n");
  const records = lines.map((l) => JSON.parse(l) as { id: number; netFn: number; cmd: number });
  expect(records.length).toBeGreaterThan(0);
  expect(records.every((x) => x.netFn === 0x06 && x.cmd === 0x01)).toBe(true);
  const ids = records.map((x) => x.id);
  expect(ids).toEqual([...ids].sort((a, b) => a - b));
});

test("the keyboard moves, opens, pauses, focuses the filter and shows its help", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-state", "live");
  await expect(page.getByTestId("exchange-row").nth(3)).toBeVisible();

  // Space pauses, so the rows hold still while the cursor moves.
  await page.keyboard.press(" ");
  await expect(page.getByTestId("pause-toggle")).toHaveAttribute("aria-pressed", "true");
  const cursorRow = page.locator('[data-testid="exchange-row"][data-cursor="true"]');
  await page.keyboard.press("j");
  const newest = await cursorRow.getAttribute("data-id");
  await page.keyboard.press("k");
  await page.keyboard.press("ArrowUp");
  const twoUp = await cursorRow.getAttribute("data-id");
  expect(Number(twoUp)).toBeLessThan(Number(newest));

  await page.keyboard.press("Enter");
  await expect(page.getByTestId("exchange-detail")).toBeVisible();
  await expect(page.locator(`[data-testid="exchange-row"][data-id="${twoUp}"]`)).toHaveAttribute(
    "aria-selected",
    "true",
  );
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("exchange-detail")).toHaveCount(0);

  await page.keyboard.press("?");
  await expect(page.getByTestId("key-help")).toContainText("pause / resume");
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("key-help")).toHaveCount(0);

  await page.keyboard.press("/");
  await expect(page.getByTestId("filter-text")).toBeFocused();
  await page.keyboard.press("Escape");
  await page.keyboard.press(" ");
  await expect(page.getByTestId("pause-toggle")).toHaveAttribute("aria-pressed", "false");
});

test("a decoded field lights up its bytes, a byte selects its field, and the request copies as ipmitool raw", async ({
  page,
}) => {
  await page.goto("/");
  const flags = page.locator('[data-testid="exchange-row"][data-cmd-name="Get Message Flags"]').first();
  await expect(flags).toBeVisible();
  await flags.click();
  await expect(page.getByTestId("copy-ipmitool")).toHaveAttribute("title", "ipmitool raw 0x06 0x31");

  // The response's first field (the flags byte, after the completion code) and its byte.
  const field = page.locator('[data-testid="decoded-response"] [data-key="0"]');
  await field.click();
  await expect(field).toHaveAttribute("data-active", "true");
  const lit = page.locator('[data-testid="hexdump-response"] .hexdump-byte.lit');
  await expect(lit).toHaveCount(1);
  await expect(lit).toHaveAttribute("data-offset", "1");

  // The completion code byte belongs to no decoded field: clicking it clears the selection.
  await page.locator('[data-testid="hexdump-response"] .hexdump-byte[data-offset="0"]').click();
  await expect(lit).toHaveCount(0);
  await page.locator('[data-testid="hexdump-response"] .hexdump-byte[data-offset="1"]').click();
  await expect(field).toHaveAttribute("data-active", "true");
});

test("the filter shows only matching rows, marks a mistake where it is, highlights, and lives in the URL", async ({
  page,
}) => {
  await page.goto("/");
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-state", "live");
  await expect(page.getByTestId("exchange-row").nth(5)).toBeVisible();

  const filter = page.getByTestId("filter-text");
  await filter.fill('cmd == "Get Message Flags"');
  const rows = page.getByTestId("exchange-row");
  await expect(rows.first()).toHaveAttribute("data-cmd-name", "Get Message Flags");
  await expect
    .poll(async () => new Set(await rows.evaluateAll((rs) => rs.map((r) => r.getAttribute("data-cmd-name")))))
    .toEqual(new Set(["Get Message Flags"]));
  await expect(page).toHaveURL(/filter=cmd\+%3D%3D\+%22Get\+Message\+Flags%22|filter=cmd%20%3D%3D/);

  // A typo: the message, and the mark under where it is.
  await filter.fill("cmd == 0x31 and stauts == ok");
  const error = page.getByTestId("filter-text-error");
  await expect(error).toBeVisible();
  await expect(error).toHaveAttribute("data-position", "16");
  await expect(error).toContainText("stauts");

  // Highlight colours matches without hiding the rest.
  await filter.fill("");
  await page.getByTestId("highlight-text").fill('cmd == "Get Message Flags"');
  await expect(page.locator('[data-testid="exchange-row"][data-highlighted="true"]').first()).toBeVisible();
  await expect(page.locator('[data-testid="exchange-row"]:not([data-highlighted])').first()).toBeVisible();

  // The view survives a reload (a shared link).
  await page.reload();
  await expect(page.getByTestId("highlight-text")).toHaveValue('cmd == "Get Message Flags"');
});

test("the rates strip shows the simulated host's exchanges per second, pushed live", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-state", "live");
  const rate = page.getByTestId("rate-bt0");
  await expect
    .poll(async () => Number(await rate.getAttribute("data-per-second")), { timeout: 15_000 })
    .toBeGreaterThan(1);
  await expect(page.locator('[data-testid="rates-strip"] canvas')).toHaveCount(1);
});

test("the pcap download opens in tshark with the IPMI messages decoded", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByTestId("exchange-row").nth(5)).toBeVisible();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByTestId("export-pcap").click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.pcap$/);
  const out = execFileSync(
    "tshark",
    [
      "-r",
      (await download.path())!,
      "-o",
      "ipmi.dissect_bus_commands:TRUE",
      "-T",
      "fields",
      "-e",
      "ipmi.header.command",
    ],
    { encoding: "utf8" },
  );
  // Get Message Flags (31h) is among the simulated host's requests.
  expect(out.split("\n").some((l) => /^0x0*31$/i.test(l.trim()))).toBe(true);
});
