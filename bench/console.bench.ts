/**
 * `npm run bench -- console`: keystroke echo latency on the host console, the two ways an
 * operator types into it. The host is a TCP client on the server's QEMU serial chardev
 * socket (HOST_SERIAL=qemu:127.0.0.1:0) that echoes every byte at once, as a shell in raw
 * mode does; the real server process runs on a throwaway database.
 * - Browser: headless Chromium on the Console page with the keyboard claimed; time from
 *   the key press to the echoed character in xterm.js's rows. Baseline: the same echo
 *   through the console namespace by a socket.io client in this process (no browser).
 * - SOL: ipmitool `sol activate` in a pseudo-terminal (python3's pty); time from writing a
 *   key to its echo on ipmitool's output. Baseline: the SOL character accumulate interval
 *   the BMC waits before sending (sol-config: 60 ms by default), which dominates it.
 * Medians and p90 over KEYS keys each. One run, same machine.
 */
import { spawnSync } from "node:child_process";
import net from "node:net";
import { chromium } from "playwright";
import { io, type Socket } from "socket.io-client";
import {
  CONSOLE_NAMESPACE,
  type ConsoleClientToServer,
  type ConsoleServerToClient,
} from "../server/contract/console";
import { lanPort, type RunningServer, startServer } from "../server/integration/server-process";
import { createTestDatabase } from "../server/persistence/test-database";
import { against, type BenchRow, type BenchSection } from "./report";

const KEYS = Number(process.env.BENCH_CONSOLE_KEYS ?? 30);
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const PASSWORD = "bench-console-pw";

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
      // Armed in the page first: t0 at the real key event (capture phase, before xterm.js
      // sees it), t1 at the first mutation that adds a character to the terminal's rows.
      await page.evaluate(`window.__echo = new Promise((resolve) => {
        const rows = document.querySelector('[data-testid="console-terminal"] .xterm-rows');
        const n = rows.textContent.length;
        let t0 = 0;
        document.addEventListener("keydown", (e) => { t0 = performance.now(); }, { capture: true, once: true });
        const obs = new MutationObserver(() => {
          if (t0 > 0 && rows.textContent.length > n) { obs.disconnect(); resolve(performance.now() - t0); }
        });
        obs.observe(rows, { childList: true, subtree: true, characterData: true });
      })`);
      await page.keyboard.press(key);
      times.push((await page.evaluate("window.__echo")) as number);
    }
    return times;
  } finally {
    await browser.close();
  }
}

/** ipmitool sol activate in a pty; the time from each key to its echo, as python measures it. */
const SOL_SCRIPT = `
import os, pty, select, sys, time, json
args = sys.argv[1:-1]; n = int(sys.argv[-1])
pid, fd = pty.fork()
if pid == 0:
    os.execvp(args[0], args)
out = b""
def wait_for(pat, sec):
    global out
    end = time.time() + sec
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.01)
        if r:
            out += os.read(fd, 4096)
            if pat in out: return True
    return False
ok = wait_for(b"operational", 30)
times = []
for i in range(n):
    k = bytes([0x61 + i % 26]); out = b""
    t0 = time.perf_counter(); os.write(fd, k)
    if wait_for(k, 5): times.append((time.perf_counter() - t0) * 1000)
os.write(fd, b"~.")
wait_for(b"terminated", 5)
print(json.dumps({"ok": ok, "times": times}))
`;

function solEcho(port: number): number[] {
  const r = spawnSync(
    "python3",
    [
      "-c",
      SOL_SCRIPT,
      ..."ipmitool -I lanplus -H 127.0.0.1 -U admin -C 17".split(" "),
      "-p",
      String(port),
      "-P",
      PASSWORD,
      "sol",
      "activate",
      String(KEYS),
    ],
    { encoding: "utf8", timeout: 120_000 },
  );
  const line = r.stdout.trim().split("\n").at(-1) ?? "";
  const parsed = JSON.parse(line) as { ok: boolean; times: number[] };
  if (!parsed.ok || parsed.times.length === 0)
    throw new Error(`SOL did not come up: ${r.stdout} ${r.stderr}`);
  return parsed.times;
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
      HOST_TRANSPORT: "none",
      IPMI_ADMIN_PASSWORD: PASSWORD,
      LOG_LEVEL: "info",
    });
    host = await echoHost(server);
    const cookie = await server.login();
    const node = await namespaceEcho(server, cookie);
    const page = await browserEcho(server, cookie);
    const sol = solEcho(await lanPort(server));
    const accumulateMs = 60;
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
      against(
        row("SOL (ipmitool, cipher suite 17): key to echo, median", sol, 0.5),
        { name: "SOL character accumulate interval", value: accumulateMs, unit: "ms" },
        {
          note: `${sol.length} keys; the BMC holds output up to the accumulate interval (sol set character-accumulate-level)`,
        },
      ),
      against(row("SOL (ipmitool, cipher suite 17): key to echo, p90", sol, 0.9), {
        name: "SOL character accumulate interval",
        value: accumulateMs,
        unit: "ms",
      }),
    ];
  } finally {
    host?.destroy();
    await server?.stop().catch(() => {});
    await tdb.cleanup();
  }
}

export const section: BenchSection = { id: "console", title: "host console echo", run };
