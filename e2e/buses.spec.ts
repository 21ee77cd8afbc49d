/**
 * The Buses page: every bus the server runs (scripts/e2e-server.mjs: the defaults, bt:sim,
 * ipmb:sim and lan) with its interface, transport and state, a link to the live view
 * narrowed to it, and what waits for the host. A bridged request (Send Message from the
 * host's bus to the satellite on IPMB) shows in the live view as the BMC's own exchange.
 */
import { expect, test } from "@playwright/test";

/** Send Message for the satellite at 72h on channel 0, as Linux's ipmi_msghandler builds it. */
function sendMessageHex(): string {
  const sum = (b: number[]) => -b.reduce((a, x) => a + x, 0) & 0xff;
  const header = [0x72, 0x06 << 2];
  const body = [0x20, (9 << 2) | 2, 0x01];
  return [0x00, ...header, sum(header), ...body, sum(body)]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join(" ");
}

test("the Buses page lists each bus with its interface, transport and state, and what waits for the host", async ({
  page,
}) => {
  await page.goto("/");
  await page.getByTestId("nav-buses").click();
  await expect(page).toHaveURL(/\/buses$/);
  const rows = page.getByTestId("bus-row");
  await expect(rows).toHaveCount(3);
  await expect(page.locator('[data-testid="bus-row"][data-bus="bt0"]')).toHaveAttribute(
    "data-transport",
    "sim",
  );
  for (const [bus, kind, label] of [
    ["bt0", "bt", "BT"],
    ["ipmb0", "ipmb", "IPMB"],
    ["lan0", "lan", "LAN"],
  ] as const) {
    const row = page.locator(`[data-testid="bus-row"][data-bus="${bus}"]`);
    await expect(row).toHaveAttribute("data-kind", kind);
    await expect(row).toHaveAttribute("data-state", "up");
    await expect(row).toContainText(label);
  }
  await expect(page.locator('[data-testid="bus-row"][data-bus="ipmb0"]')).toContainText(
    "simulated satellite controller at 0x72",
  );
  // The simulated host enabled the event message buffer at boot (Set BMC Global Enables 0Dh).
  const queues = page.getByTestId("bmc-queues");
  await expect(queues).toContainText("event message buffer");
  await expect(queues).toContainText("Receive message queue");

  // The live view of one bus: only its rows.
  await page.getByTestId("bus-live-bt0").click();
  await expect(page).toHaveURL(/filter=bus(%20|\+)%3D%3D(%20|\+)bt0/);
  await expect(page.getByTestId("exchange-row").first()).toBeVisible();
  const buses = await page
    .getByTestId("exchange-row")
    .evaluateAll((r) => r.map((e) => e.getAttribute("data-bus")));
  expect(new Set(buses)).toEqual(new Set(["bt0"]));
});

test("a request bridged to the satellite shows as the BMC's own exchange on ipmb0, and the host reads the answer", async ({
  page,
}) => {
  await page.goto(`/?filter=${encodeURIComponent('bus == ipmb0 or cmd == "Get Message"')}`);
  await expect(page.getByTestId("connection-status")).toHaveAttribute("data-state", "live");
  const res = await page.request.post("/api/inject", {
    data: { bus: "bt0", netFn: 6, cmd: 0x34, data: sendMessageHex() },
  });
  expect(res.status(), await res.text()).toBe(200);
  const bridged = page.locator('[data-testid="exchange-row"][data-bus="ipmb0"]');
  await expect(bridged.first()).toHaveAttribute("data-origin", "bridged");
  await expect(bridged.first()).toContainText("Get Device ID");
  await expect(bridged.first().getByTestId("origin-badge")).toHaveText("bridge");
  // The simulated host polls the flags, sees "receive message available" and reads it (00h).
  await expect(
    page.locator('[data-testid="exchange-row"][data-bus="bt0"][data-cc="00"]').first(),
  ).toContainText("Get Message");
});
