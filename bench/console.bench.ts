/**
 * `npm run bench -- console`: keystroke echo latency on the host console, the two ways an
 * operator types into it. The host is a TCP client on the server's QEMU serial chardev
 * socket (HOST_SERIAL=qemu:127.0.0.1:0) that echoes every byte at once, as a shell in raw
 * mode does; the real server process runs on a throwaway database.
 * - Browser: headless Chromium on the Console page with the keyboard claimed; time from
 *   the key press to the echoed character in xterm.js's rows. Baseline: the same echo
 *   through the console namespace by a socket.io client in this process (no browser).
 * SOL's echo is measured against a real guest in server/buses/vm/qemu.int.test.ts (it is
 * dominated by the BMC's character accumulate interval, 60 ms by default); timing ipmitool
 * key by key from a script did not work reliably here (keys typed one at a time did not
 * reach the BMC), so it is not a row of this table.
 * Medians and p90 over KEYS keys each. One run, same machine.
 */
import net from "node:net";
import { chromium } from "playwright";
import { io, type Socket } from "socket.io-client";
import {
  CONSOLE_NAMESPACE,
  type ConsoleClientToServer,
  type ConsoleServerToClient,
} from "../server/contract/console";
import { type RunningServer, startServer } from "../server/integration/server-process";
import { createTestDatabase } from "../server/persistence/test-database";
import { against, type BenchRow, type BenchSection } from "./report";

const KEYS = Number(process.env.BENCH_CONSOLE_KEYS ?? 30);
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
}

/** The host: echoes every byte back at once. */
async function echoHost(server: RunningServer): Promise<net.Socket> {
  const m = /host console: QEMU serial \(chardev socket, listening on 127\.0\.0\.1:(\d+),/.exec(
    server.output(),
  );
  if (!m) throw new Error("the server did not say where the console listens");
  const host = net.connect({ host: "127.0.0.1", port: Number(m[1]) });
  host.on("data", (b: Buffer) => host.write(b));
  await new Promise<void>((resolve) => host.once("connect", () => resolve()));
  return host;
}

/** Echo through the console namespace from Node: the server's part of the browser path. */
async function namespaceEcho(server: RunningServer, cookie: string): Promise<number[]> {
  const s = io(`${server.url}${CONSOLE_NAMESPACE}`, {
    transports: ["websocket"],
    reconnection: false,
    extraHeaders: { cookie },
  }) as Socket<ConsoleServerToClient, ConsoleClientToServer>;
  let waiting: { char: string; resolve: () => void } | undefined;
  s.on("output", (bytes, ack) => {
    ack();
    if (waiting && Buffer.from(bytes as Uint8Array).includes(waiting.char)) waiting.resolve();
  });
  await new Promise<void>((resolve, reject) =>
    s.emit("claim", { takeOver: true }, (r) => (r.ok ? resolve() : reject(new Error(r.error)))),
  );
  const times: number[] = [];
  for (let i = 0; i < KEYS; i++) {
    const char = String.fromCharCode(0x61 + (i % 26));
    const t0 = performance.now();
    await new Promise<void>((resolve) => {
      waiting = { char, resolve };
      s.emit("input", char, () => {});
    });
    times.push(performance.now() - t0);
  }
  s.emit("release");
  s.close();
  return times;
}

/** Echo in the browser: key press to the character in the terminal's rows. */
async function browserEcho(server: RunningServer, cookie: string): Promise<number[]> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu"],
  });
  try {
    const context = await browser.newContext();
    const [name, ...value] = cookie.split("=");
    await context.addCookies([{ name: name!, value: value.join("="), url: server.url }]);
    const page = await context.newPage();
    await page.goto(`${server.url}/console`);
    await page.locator('[data-testid="console-host"][data-state="up"]').waitFor({ timeout: 30_000 });
    await page.getByTestId("console-claim").click();
    await page.locator('[data-testid="console-writer"][data-mine="true"]').waitFor();
    await page.getByTestId("console-terminal").click();
    const times: number[] = [];
    for (let i = 0; i < KEYS; i++) {
      const key = String.fromCharCode(0x61 + (i % 26));
      // (A statement, not an expression: evaluate() would wait for the promise it returned.)
      // Armed in the page first: t0 at the real key event (capture phase, before xterm.js
      // sees it), t1 at the first mutation that adds a character to the terminal's rows.
      await page.evaluate(`(() => { window.__echo = new Promise((resolve) => {
        const rows = document.querySelector('[data-testid="console-terminal"] .xterm-rows');
        const n = rows.textContent.length;
        let t0 = 0;
        document.addEventListener("keydown", (e) => { t0 = performance.now(); }, { capture: true, once: true });
        const obs = new MutationObserver(() => {
          if (t0 > 0 && rows.textContent.length > n) { obs.disconnect(); resolve(performance.now() - t0); }
        });
        obs.observe(rows, { childList: true, subtree: true, characterData: true });
      }); return 0; })()`);
      await page.keyboard.press(key);
      times.push((await page.evaluate("window.__echo")) as number);
    }
    return times;
  } finally {
    await browser.close();
  }
}

async function run(): Promise<BenchRow[]> {
  const tdb = await createTestDatabase();
  await tdb.db.$disconnect();
  let server: RunningServer | undefined;
  let host: net.Socket | undefined;
  try {
    server = await startServer({
      DATABASE_URL: tdb.url,
      HOST_SERIAL: "qemu:127.0.0.1:0",
      LOG_LEVEL: "info",
    });
    host = await echoHost(server);
    const cookie = await server.login();
    const node = await namespaceEcho(server, cookie);
    const page = await browserEcho(server, cookie);
    const row = (name: string, xs: number[], q: number) => ({ name, value: quantile(xs, q), unit: "ms" });
    return [
      against(
        row("browser: key to echo on screen, median", page, 0.5),
        row("socket.io client, median", node, 0.5),
        {
          note: `${page.length} keys; xterm.js on the Console page, keyboard claimed`,
        },
      ),
      against(row("browser: key to echo on screen, p90", page, 0.9), row("socket.io client, p90", node, 0.9)),
    ];
  } finally {
    host?.destroy();
    await server?.stop().catch(() => {});
    await tdb.cleanup();
  }
}

export const section: BenchSection = { id: "console", title: "host console echo", run };
