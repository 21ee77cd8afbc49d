/**
 * The LAN pages as the signed-in admin: set up IPMI user 3 (name, password, enabled,
 * channel privilege) and find each change in the audit trail without the password; the
 * Sessions page shows where the LAN bus listens (scripts/e2e-server.mjs starts it on a
 * free port); with ipmitool installed, a real console's session shows up, its traffic is
 * marked user@peer in the live view, its handshake is in the pcap-wire download (read by
 * tshark), and an operator closes it.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { expect, test } from "@playwright/test";
import type { LanSessionsResponse } from "@/server/contract/lan";

const NAME = "e2e-ops";
const PASSWORD = "e2e-Lan-Pass-7";

test("an operator sets up IPMI user 3, and the audit trail records it without the password", async ({
  page,
}) => {
  await page.goto("/");
  await page.getByTestId("nav-ipmi-users").click();
  await expect(page).toHaveURL(/\/ipmi-users$/);
  const row = page.getByTestId("ipmi-user-3");
  await expect(row).toBeVisible();
  await expect(page.locator('[data-testid^="ipmi-user-"][data-enabled]')).toHaveCount(16);

  // Name.
  await page.getByTestId("ipmi-user-name-3").fill(NAME);
  await page.getByTestId("ipmi-user-rename-3").click();
  await expect(row).toHaveAttribute("data-name", NAME);
  await expect(page.getByTestId("ipmi-user-name-3")).toHaveValue(NAME);

  // Password: masked, cleared once set; the table only says one is set.
  const password = page.getByTestId("ipmi-user-password-3");
  await expect(password).toHaveAttribute("type", "password");
  await password.fill(PASSWORD);
  await page.getByTestId("ipmi-user-set-password-3").click();
  await expect(row).toHaveAttribute("data-has-password", "true");
  await expect(password).toHaveValue("");
  await expect(page.getByTestId("ipmi-user-has-password-3")).toContainText("yes");

  // Enabled.
  await expect(row).toHaveAttribute("data-enabled", "false");
  await page.getByTestId("ipmi-user-enabled-3").click();
  await expect(row).toHaveAttribute("data-enabled", "true");

  // A privilege limit on the first channel the table shows (the LAN channel).
  const privilege = row.locator('[data-testid^="ipmi-user-privilege-3-"]').first();
  await privilege.selectOption("operator");
  await expect(privilege).toHaveValue("operator");

  // A password the contract refuses is stopped inline, before sending (past the input's maxlength).
  await password.evaluate((el: HTMLInputElement) => {
    el.removeAttribute("maxlength");
  });
  await password.fill("p".repeat(21));
  await page.getByTestId("ipmi-user-set-password-3").click();
  await expect(page.getByTestId("ipmi-user-error-3")).toContainText("at most 20");
  await password.fill("");

  // The table still says so after a reload (the server kept it).
  await page.reload();
  await expect(page.getByTestId("ipmi-user-3")).toHaveAttribute("data-name", NAME);
  await expect(page.getByTestId("ipmi-user-3")).toHaveAttribute("data-enabled", "true");
  await expect(page.getByTestId("ipmi-user-3")).toHaveAttribute("data-has-password", "true");

  // The audit trail: one entry per change, the password only as "(set)".
  await page.getByTestId("nav-audit").click();
  const updates = page.locator('[data-testid="audit-row"][data-action="ipmi-user.update"]');
  await expect(updates).toHaveCount(4);
  await expect(updates.filter({ hasText: NAME })).toHaveCount(1);
  await expect(updates.filter({ hasText: '"password":"(set)"' })).toHaveCount(1);
  await expect(updates.filter({ hasText: '"enabled":true' })).toHaveCount(1);
  await expect(page.getByTestId("audit-table")).not.toContainText(PASSWORD);
  for (const title of await updates
    .locator("td.audit-detail")
    .evaluateAll((tds) => tds.map((td) => td.getAttribute("title") ?? "")))
    expect(title).not.toContain(PASSWORD);
});

test("the Sessions page shows where the LAN bus listens", async ({ page }) => {
  await page.goto("/");
  await page.getByTestId("nav-sessions").click();
  await expect(page).toHaveURL(/\/sessions$/);
  const listening = page.getByTestId("lan-listening");
  await expect(listening).toContainText("listening on");
  await expect(listening).toHaveAttribute("data-listening", /^udp .+:\d+$/);
  await expect(page.getByTestId("lan-session-counts")).toContainText("sessions open");
  // No console has opened one in this run.
  await expect(page.getByTestId("lan-sessions-empty")).toBeVisible();
});

const IPMITOOL = "/usr/bin/ipmitool";

test("a console's session shows up, its traffic says user@peer, and an operator closes it", async ({
  page,
}) => {
  test.skip(!existsSync(IPMITOOL), "ipmitool is not installed");
  const user = "e2e-console";
  const password = "e2e-Console-Pass";
  const set = await page.request.patch("/api/ipmi-users/5", {
    data: {
      name: user,
      password,
      enabled: true,
      access: { channel: 1, privilege: "operator", ipmiMessaging: true },
    },
  });
  expect(set.status(), await set.text()).toBe(200);
  const lan = (await (await page.request.get("/api/lan/sessions")).json()) as LanSessionsResponse;
  const address = /^udp (.+):(\d+)$/.exec(lan.listening ?? "");
  expect(address, `LAN bus address ${lan.listening}`).not.toBeNull();

  // ipmitool's shell opens one RMCP+ session and keeps it while its stdin stays open.
  const ipmitool = spawn(
    IPMITOOL,
    [
      "-I",
      "lanplus",
      "-H",
      address![1]!,
      "-p",
      address![2]!,
      "-U",
      user,
      "-P",
      password,
      "-L",
      "OPERATOR",
      "-C",
      "3",
      "shell",
    ],
    { stdio: ["pipe", "ignore", "ignore"] },
  );
  try {
    ipmitool.stdin.write("mc info\n");
    await page.goto("/sessions");
    const row = page.locator(`[data-testid="lan-session-row"][data-user="${user}"]`);
    await expect(row).toBeVisible();
    await expect(row).toContainText("Operator");
    await expect(row).toContainText("RMCP+ suite 3");
    const id = (await row.getAttribute("data-session-id"))!;

    // Its requests in the live view, marked with who sent them.
    await page.getByTestId("nav-live").click();
    await page.getByTestId("filter-text").fill(`user == "${user}"`);
    const mine = page.locator(`[data-testid="exchange-row"][data-user="${user}"]`);
    await expect(mine.filter({ hasText: "Get Device ID" }).first()).toBeVisible();
    await expect(mine.first()).toContainText(`${user}@127.0.0.1:`);

    // The LAN bus's datagrams as they were on the wire: tshark shows RMCP and the RMCP+
    // handshake (Open Session, RAKP 1-4: payload types 10h-15h) of this very session.
    await page.getByTestId("filter-text").fill("kind == lan");
    await expect(page.getByTestId("export-pcap-wire")).toHaveAttribute("href", /filter=kind/);
    const [wire] = await Promise.all([
      page.waitForEvent("download"),
      page.getByTestId("export-pcap-wire").click(),
    ]);
    expect(wire.suggestedFilename()).toMatch(/-wire\.pcap$/);
    const fields = execFileSync(
      "tshark",
      ["-r", (await wire.path())!, "-T", "fields", "-e", "rmcp.class", "-e", "ipmi_session.payloadtype"],
      { encoding: "utf8" },
    );
    const packets = fields
      .trim()
      .split("\n")
      .map((l) => l.split("\t"));
    expect(packets.every((p) => p[0] === "0x07")).toBe(true);
    const types = new Set(packets.map((p) => p[1]));
    for (const t of ["0x10", "0x11", "0x12", "0x13", "0x14", "0x15"]) expect(types, fields).toContain(t);

    // Close it; the trail says whose it was.
    await page.getByTestId("nav-sessions").click();
    page.once("dialog", (d) => void d.accept());
    await page.getByTestId(`lan-session-close-${id}`).click();
    await expect(row).toHaveCount(0);
    await page.getByTestId("nav-audit").click();
    const closed = page.locator('[data-testid="audit-row"][data-action="lan.session.close"]').first();
    await expect(closed).toContainText(user);
  } finally {
    ipmitool.kill();
  }
});
