/**
 * The exchange log's database failing under a running server with the simulated host
 * flat out: disk full, the file locked by another process, the file deleted. For each:
 * the router keeps answering, /api/health says the log is degraded and why, the buffer
 * stays within LOG_BUFFER_RECORDS and what it drops is counted, and the log is back to
 * ok (the buffer written in order) once the fault clears.
 *
 * Disk full is a small tmpfs filled up by a filler file (deleted to clear the fault):
 * `PRAGMA max_page_count` cannot do it, as it binds only the connection that sets it and
 * the log's statements run on the writer worker's own connection. Mounting needs root
 * (CAP_SYS_ADMIN); without it the file is skipped. Read-only is not covered: as root,
 * chmod 444 does not stop writes.
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  mkdtempSync,
  openSync,
  rmSync,
  statfsSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExchangeLogWriterHealth, HealthResponse } from "../contract/api";
import { migratedTemplate } from "../persistence/test-database";
import { type RunningServer, startServer } from "./server-process";

/** Small, so that a fault of a second or two at flat-out traffic overflows it. */
const BUFFER_LIMIT = 2000;

const dir = mkdtempSync(path.join(os.tmpdir(), "bmc-db-faults-"));
const mounted = (() => {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=32m", "tmpfs", dir], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
const file = path.join(dir, "test.db");
const filler = path.join(dir, "filler");
let server: RunningServer | undefined;

beforeAll(async () => {
  if (!mounted) return;
  copyFileSync(await migratedTemplate(), file);
  server = await startServer({
    DATABASE_URL: `file:${file}`,
    SIM_RATE: "max",
    LAN_PORT: "off",
    LOG_BUFFER_RECORDS: String(BUFFER_LIMIT),
  });
});

afterAll(() => {
  if (server) {
    try {
      process.kill(server.pid, "SIGKILL");
    } catch {
      // gone
    }
  }
  if (mounted) {
    // The killed server's files may still be closing: lazy unmount.
    execFileSync("umount", ["-l", dir], { stdio: "ignore" });
  }
  rmSync(dir, { recursive: true, force: true });
});

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}:\n${server?.output().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function health(): Promise<HealthResponse & { log: { writer: ExchangeLogWriterHealth } }> {
  const body = (await (await fetch(`${server!.url}/api/health`)).json()) as HealthResponse;
  expect(body.log?.writer).toBeDefined();
  return body as HealthResponse & { log: { writer: ExchangeLogWriterHealth } };
}

/** Waits for a health answer that passes `test` and returns it. */
function healthWhere(what: string, test: (h: Awaited<ReturnType<typeof health>>) => boolean) {
  return until(what, async () => {
    const h = await health();
    return test(h) ? h : undefined;
  });
}

/** The router keeps answering the simulated host: routed goes on growing. */
async function routerAnswers(): Promise<void> {
  const before = (await health()).exchanges.routed;
  await healthWhere("the router to go on routing", (h) => h.exchanges.routed >= before + 200);
}

/** Fills the file system with the filler until nothing is left. */
function fillDisk(): void {
  const fd = openSync(filler, "w");
  try {
    for (const size of [1 << 20, 4096, 512]) {
      const chunk = Buffer.alloc(size, 0xaa);
      for (;;) {
        try {
          writeSync(fd, chunk);
        } catch {
          break;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  expect(statfsSync(dir).bavail).toBe(0);
}

describe.skipIf(!mounted)("the exchange log's database failing", () => {
  it("disk full: degraded, router answering, bounded buffer, loss counted, back to ok in order", async () => {
    await healthWhere("traffic logged", (h) => h.exchanges.persisted >= 1000);
    expect((await health()).log.writer).toMatchObject({ status: "ok", reason: null, dropped: 0 });

    fillDisk();
    const degraded = await healthWhere("the log degraded", (h) => h.log.writer.status === "degraded");
    expect(degraded.status).toBe("degraded");
    expect(degraded.log.writer.reason).toMatch(/full/i);
    await routerAnswers();
    // Past the bound the newest are dropped, counted, and said so once in the log output.
    const full = await healthWhere("records dropped", (h) => h.log.writer.dropped > 0);
    expect(full.log.writer.buffered).toBeLessThanOrEqual(BUFFER_LIMIT);
    expect(full.log.writer.bufferLimit).toBe(BUFFER_LIMIT);
    expect(server!.output()).toMatch(
      /log writer: buffer full \(2000 records waiting: .*full.*\): dropping new/,
    );

    unlinkSync(filler);
    const ok = await healthWhere("the log back to ok", (h) => h.log.writer.status === "ok");
    expect(ok.status).toBe("ok");
    expect(server!.output()).toMatch(
      /log writer: back to ok after [\d.]+ s degraded; \d+ exchanges were dropped/,
    );
    const { firstId, lastId, count } = ok.log.writer.lastDropped!;
    expect(lastId - firstId + 1).toBe(count);
    // The buffer reached the table in order: 1..firstId-1 without a hole, then the
    // dropped run missing, then the records after it written again.
    await healthWhere("records after the dropped run", (h) => h.exchanges.persisted >= firstId - 1 + 500);
    const sqlite = new BetterSqlite3(file, { readonly: true });
    try {
      const q = (sql: string, ...args: number[]) => (sqlite.prepare(sql).get(...args) as { n: number }).n;
      expect(q('SELECT count(*) AS n FROM "Exchange" WHERE id < ?', firstId)).toBe(firstId - 1);
      expect(q('SELECT count(*) AS n FROM "Exchange" WHERE id BETWEEN ? AND ?', firstId, lastId)).toBe(0);
      expect(q('SELECT count(*) AS n FROM "Exchange" WHERE id > ?', lastId)).toBeGreaterThan(0);
    } finally {
      sqlite.close();
    }
  });

  it("locked by another process: degraded while it holds the lock, router answering, back to ok when it lets go", async () => {
    const lock: ChildProcessWithoutNullStreams = spawn("python3", [
      "-c",
      [
        "import sqlite3, sys",
        `c = sqlite3.connect(${JSON.stringify(file)}, isolation_level=None, timeout=30)`,
        "c.execute('BEGIN EXCLUSIVE')",
        "print('locked', flush=True)",
        "sys.stdin.readline()",
        "c.execute('COMMIT')",
      ].join("\n"),
    ]);
    try {
      await new Promise<void>((resolve, reject) => {
        lock.stdout.on("data", (b: Buffer) => b.toString().includes("locked") && resolve());
        lock.once("exit", (code) => reject(new Error(`the lock holder exited (${code})`)));
      });
      const degraded = await healthWhere("the log degraded", (h) => h.log.writer.status === "degraded");
      expect(degraded.log.writer.reason).toMatch(/locked|busy/i);
      // The BMC's own state is written on the router's thread, with a short busy timeout
      // and retries (persistence/busy-retry.ts), so the lock does not stop the router.
      await routerAnswers();
    } finally {
      lock.stdin.end("\n");
      await new Promise((resolve) => lock.once("exit", resolve));
    }
    const ok = await healthWhere("the log back to ok", (h) => h.log.writer.status === "ok");
    expect(ok.log.writer.reason).toBeNull();
  });

  it("deleted under us: degraded with the reason, the router still answering", async () => {
    unlinkSync(file);
    const degraded = await healthWhere("the log degraded", (h) => h.log.writer.status === "degraded");
    expect(degraded.log.writer.reason).toMatch(/was deleted while the server runs.*restart/);
    expect(server!.output()).toMatch(/log writer: the database file .* was deleted/);
    await routerAnswers();
  });
});
