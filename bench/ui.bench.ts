/**
 * Section "ui": does the Live page keep up with flat-out traffic? The built server
 * (dist/server.mjs, or BMC_DIST's bundle) runs with the simulated host flat out
 * (SIM_RATE=max) on a throwaway database; headless Chromium (Debian's /usr/bin/chromium,
 * CHROMIUM_PATH to change) signs in and follows the Live view for BENCH_UI_SECONDS
 * (default 60). In the page: frames per second and the longest gap between two frames
 * (requestAnimationFrame), long tasks (PerformanceObserver), and the JS heap after a
 * forced garbage collection (CDP) at the start, middle and end. Baseline, same run: the
 * same page on a server with no host (HOST_TRANSPORT=none), no traffic, for as long.
 * TARGETS: ≥ 55 fps, worst frame < 50 ms, heap growth < 20 MB over the run.
 */
import { type Browser, type CDPSession, chromium, type Page } from "playwright";
import { type RunningServer, startServer } from "../server/integration/server-process";
import { createTestDatabase } from "../server/persistence/test-database";
import { against, atLeast, type BenchRow, type BenchSection, below, fmt } from "./report";

const SECONDS = Number(process.env.BENCH_UI_SECONDS ?? 60);
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const FPS_MIN = 55;
const WORST_FRAME_MS = 50;
const HEAP_GROWTH_MB = 20;

/**
 * Counts frames and long tasks in the page from its first script on. A string, not a
 * function: tsx's transform would wrap a function in helpers the page does not have.
 */
const PAGE_PROBE = `(() => {
  const s = { frames: 0, worstGapMs: 0, slowFrames: 0, last: 0, longTasks: 0, longTaskMs: 0, worstLongTaskMs: 0, since: performance.now() };
  window.__bench = s;
  const tick = (t) => {
    if (s.last > 0) {
      const gap = t - s.last;
      if (gap > s.worstGapMs) s.worstGapMs = gap;
      if (gap > 50) s.slowFrames++;
    }
    s.last = t;
    s.frames++;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        s.longTasks++;
        s.longTaskMs += e.duration;
        if (e.duration > s.worstLongTaskMs) s.worstLongTaskMs = e.duration;
      }
    }).observe({ type: "longtask" });
  } catch {}
  window.__benchReset = () => {
    Object.assign(s, { frames: 0, worstGapMs: 0, slowFrames: 0, last: 0, longTasks: 0, longTaskMs: 0, worstLongTaskMs: 0, since: performance.now() });
  };
})();`;

interface PageFigures {
  frames: number;
  worstGapMs: number;
  slowFrames: number;
  longTasks: number;
  longTaskMs: number;
  worstLongTaskMs: number;
  since: number;
}

interface Run {
  fps: number;
  figures: PageFigures;
  /** JS heap used after a forced GC, MB: start, middle, end. */
  heapMb: [number, number, number];
  /** Exchanges the server routed per second while the page watched. */
  routedPerSecond: number;
  /** Rows in the table's DOM at the end (the table is virtualized: a screenful). */
  domRows: number;
  /** The renderer's main thread: CPU it got, and wall time its tasks took, s per s. */
  threadCpu: number;
  taskWall: number;
  /** Seconds per second of wall time spent in script, style and layout (task wall time). */
  script: number;
  style: number;
  layout: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** CDP's Performance metrics, by name (seconds for the durations and ThreadTime). */
async function metrics(cdp: CDPSession): Promise<Map<string, number>> {
  const { metrics } = await cdp.send("Performance.getMetrics");
  return new Map(metrics.map((m) => [m.name, m.value]));
}

async function heapMb(cdp: CDPSession): Promise<number> {
  await cdp.send("HeapProfiler.collectGarbage");
  const { metrics } = await cdp.send("Performance.getMetrics");
  const used = metrics.find((m) => m.name === "JSHeapUsedSize")?.value ?? Number.NaN;
  return used / 2 ** 20;
}

async function routed(server: RunningServer, cookie: string): Promise<number> {
  const res = await fetch(`${server.url}/api/health`, { headers: { cookie } });
  const body = (await res.json()) as { exchanges: { routed: number } };
  return body.exchanges.routed;
}

/** Starts a server with `env`, follows its Live page for SECONDS, stops it. */
async function follow(browser: Browser, env: Record<string, string>): Promise<Run> {
  const tdb = await createTestDatabase();
  // The server opens the file itself; two writers on one file would only add noise.
  await tdb.db.$disconnect();
  let server: RunningServer | undefined;
  let page: Page | undefined;
  try {
    server = await startServer({ DATABASE_URL: tdb.url, LAN_PORT: "off", ...env });
    const cookie = await server.login();
    const [name, ...value] = cookie.split("=");
    const context = await browser.newContext();
    await context.addCookies([{ name: name!, value: value.join("="), url: server.url }]);
    await context.addInitScript(PAGE_PROBE);
    page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    await page.goto(`${server.url}/`);
    await page.locator('[data-testid="connection-status"][data-state="live"]').waitFor({ timeout: 30_000 });
    await sleep(2000); // the snapshot rendered, the first batches in
    await page.evaluate("window.__benchReset()");
    const routed0 = await routed(server, cookie);
    const t0 = performance.now();
    const start = await heapMb(cdp);
    const m0 = await metrics(cdp);
    await sleep((SECONDS * 1000) / 2);
    const middle = await heapMb(cdp);
    await sleep((SECONDS * 1000) / 2);
    const figures = JSON.parse(
      (await page.evaluate("JSON.stringify(window.__bench)")) as string,
    ) as PageFigures;
    const pageSeconds = ((await page.evaluate("performance.now()")) as number) / 1000 - figures.since / 1000;
    const m1 = await metrics(cdp);
    const end = await heapMb(cdp);
    const seconds = (performance.now() - t0) / 1000;
    const perSecond = (name: string) => ((m1.get(name) ?? 0) - (m0.get(name) ?? 0)) / seconds;
    const routedPerSecond = ((await routed(server, cookie)) - routed0) / seconds;
    const domRows = await page.locator('[data-testid="exchange-row"]').count();
    await context.close();
    return {
      fps: figures.frames / pageSeconds,
      figures,
      heapMb: [start, middle, end],
      routedPerSecond,
      domRows,
      threadCpu: perSecond("ThreadTime"),
      taskWall: perSecond("TaskDuration"),
      script: perSecond("ScriptDuration"),
      style: perSecond("RecalcStyleDuration"),
      layout: perSecond("LayoutDuration"),
    };
  } finally {
    await page
      ?.context()
      .close()
      .catch(() => {});
    await server?.stop().catch(() => {});
    await tdb.cleanup();
  }
}

async function run(): Promise<BenchRow[]> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      // performance.memory's figures unrounded (CDP is read anyway, this keeps them agreeing).
      "--enable-precise-memory-info",
    ],
  });
  try {
    const idle = await follow(browser, { HOST_TRANSPORT: "none" });
    console.log(`bench: ui: idle: ${JSON.stringify(idle)}`);
    const busy = await follow(browser, { SIM_RATE: "max" });
    console.log(`bench: ui: flat out: ${JSON.stringify(busy)}`);
    return rowsOf(idle, busy);
  } finally {
    await browser.close();
  }
}

function rowsOf(idle: Run, busy: Run): BenchRow[] {
  const growth = (r: Run) => r.heapMb[2] - r.heapMb[0];
  const heapNote = (r: Run) =>
    `heap after GC ${r.heapMb.map((m) => fmt(m)).join(" / ")} MB (start / middle / end)`;
  const tasks = (r: Run) =>
    `${r.figures.longTasks} long tasks, ${fmt(r.figures.longTaskMs)} ms in all, longest ${fmt(r.figures.worstLongTaskMs)} ms; ${r.figures.slowFrames} frames > 50 ms`;
  return [
    against(
      { name: "Live view fps, flat-out traffic", value: busy.fps, unit: "fps" },
      {
        name: "idle page",
        value: idle.fps,
        unit: "fps",
      },
      {
        target: atLeast(busy.fps, FPS_MIN, "fps"),
        note: `${fmt(busy.routedPerSecond)} exchanges/s routed while watching, ${SECONDS} s; ${busy.domRows} rows in the DOM`,
      },
    ),
    against(
      { name: "worst frame (longest gap), flat-out traffic", value: busy.figures.worstGapMs, unit: "ms" },
      { name: "idle page", value: idle.figures.worstGapMs, unit: "ms" },
      { target: below(busy.figures.worstGapMs, WORST_FRAME_MS, "ms"), note: tasks(busy) },
    ),
    against(
      { name: "JS heap growth over the run, flat-out traffic", value: growth(busy), unit: "MB" },
      { name: "idle page", value: growth(idle), unit: "MB" },
      { target: below(growth(busy), HEAP_GROWTH_MB, "MB"), note: heapNote(busy) },
    ),
    against(
      {
        name: "renderer main-thread CPU, flat-out traffic",
        value: busy.threadCpu * 100,
        unit: "% of a core",
      },
      { name: "idle page", value: idle.threadCpu * 100, unit: "% of a core" },
      {
        note: `its tasks took ${fmt(busy.taskWall * 100)}% of wall time (${fmt(busy.taskWall / busy.threadCpu)}x the CPU they got: the rest waited for a core); script ${fmt(busy.script * 100)}%, style ${fmt(busy.style * 100)}%, layout ${fmt(busy.layout * 100)}% of wall time`,
      },
    ),
    {
      name: "idle page: worst frame",
      value: idle.figures.worstGapMs,
      unit: "ms",
      note: `${fmt(idle.fps)} fps; ${tasks(idle)}; ${heapNote(idle)}`,
    },
  ];
}

export const section: BenchSection = {
  id: "ui",
  title: "Live view in Chromium",
  run,
};
