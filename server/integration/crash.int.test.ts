/**
 * Crash safety of the real server process on a real database, with the simulated host
 * flat out (SIM_RATE=max): SIGKILL leaves a sound database whose exchange ids run
 * 1..last without a hole and whose tail is within the writer's flush window of what the
 * server routed; a restart continues the ids; SIGTERM loses nothing; the BMC's state
 * (SEL, IPMI users) survives a SIGKILL.
 *
 * The loss bound is measured in the server's own time, so that a loaded machine cannot
 * make it flake: the newest exchange the live stream showed before the kill was routed
 * by the server, and every exchange it received more than LOSS_BOUND_MS before that one
 * must be committed. A process stalled as a whole (main thread and writer alike) shifts
 * both ends together; only a writer falling behind the router widens the gap, which is
 * the loss being bounded.
 */
import BetterSqlite3 from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HealthResponse } from "../contract/api";
import type { ExchangeDto } from "../contract/exchange";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { LiveWatcher, type RunningServer, startServer } from "./server-process";

/** What a SIGKILL may lose: exchanges received this long before the newest one routed. */
const LOSS_BOUND_MS = 250;

let tdb: TestDatabase;
const running: RunningServer[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
});

afterAll(async () => {
  for (const s of running) {
    try {
      process.kill(s.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await tdb?.cleanup();
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
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function start(simRate: string): Promise<RunningServer> {
  const server = await startServer({ DATABASE_URL: tdb.url, SIM_RATE: simRate, LAN_PORT: "off" });
  running.push(server);
  return server;
}

async function health(server: RunningServer): Promise<HealthResponse> {
  return (await (await fetch(`${server.url}/api/health`)).json()) as HealthResponse;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function kill9(server: RunningServer): Promise<void> {
  process.kill(server.pid, "SIGKILL");
  await until("the server to die", () => (alive(server.pid) ? undefined : true));
  running.splice(running.indexOf(server), 1);
}

/** Reads the database file directly, as after a power cut: no server has it open. */
function inspect() {
  const sqlite = new BetterSqlite3(tdb.file);
  try {
    const integrity = sqlite.pragma("integrity_check", { simple: true });
    const ids = sqlite
      .prepare('SELECT count(*) AS count, min(id) AS min, max(id) AS max FROM "Exchange"')
      .get() as { count: number; min: number | null; max: number | null };
    const tail = sqlite.prepare('SELECT id, receivedAt FROM "Exchange" ORDER BY id DESC LIMIT 1').get() as
      | { id: number; receivedAt: number }
      | undefined;
    return { integrity, ...ids, tail };
  } finally {
    sqlite.close();
  }
}

async function inject(server: RunningServer, cookie: string, netFn: number, cmd: number, data: string) {
  const res = await fetch(`${server.url}/api/inject`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify({ bus: "bt0", netFn, cmd, data }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { exchange: ExchangeDto }).exchange;
}

const hex = (s: string) => s.replace(/\s/g, "").toLowerCase();

const SEL_EVENT = "00 00 02 11 22 33 44 20 00 04 01 5a 6f 01 02 03";

describe("SIGKILL under flat-out traffic", () => {
  let killedAt = 0;
  let lastCommitted = 0;
  let selRecord = "";

  it("leaves a sound database, ids 1..last without holes, the tail within the flush window", async () => {
    const server = await start("max");
    const cookie = await server.login();

    // BMC state changed before the kill: a SEL entry and a user's name.
    const added = await inject(server, cookie, 0x0a, 0x44, SEL_EVENT);
    expect(added.cc).toBe(0);
    selRecord = added.response!;
    const named = await inject(
      server,
      cookie,
      0x06,
      0x45,
      `03 ${Buffer.from("crash-test".padEnd(16, "\0")).toString("hex")}`,
    );
    expect(named.cc).toBe(0);
    // The store writes behind, straight away (no debounce): how long until it is on disk.
    const changedAt = Date.now();
    const reader = new BetterSqlite3(tdb.file, { readonly: true });
    try {
      await until("the SEL entry and the user on disk", () => {
        const recordId = Buffer.from(hex(selRecord), "hex").readUInt16LE(0);
        const sel = reader
          .prepare('SELECT count(*) AS n FROM "SelEntry" WHERE recordId = ?')
          .get(recordId) as {
          n: number;
        };
        const users = reader.prepare(`SELECT value FROM "BmcSetting" WHERE key = 'ipmi-users'`).get() as
          | { value: string }
          | undefined;
        return sel.n === 1 && users?.value.includes('"crash-test') ? true : undefined;
      });
    } finally {
      reader.close();
    }
    console.info(`BMC state on disk ${Date.now() - changedAt} ms after the inject answered`);

    const watcher = new LiveWatcher(server.url, cookie);
    try {
      await until("flat-out traffic logged", async () =>
        (await health(server)).exchanges.persisted >= 2000 ? true : undefined,
      );
      // Streamed live, so routed: the newest of these is the reference for the loss.
      await until("the live stream", () => (watcher.exchanges.length > 100 ? true : undefined));
      const reported = (await health(server)).exchanges.persisted;
      const newest = watcher.exchanges.at(-1)!;
      killedAt = Date.now();
      await kill9(server);

      const after = inspect();
      expect(after.integrity).toBe("ok");
      expect(after.min).toBe(1);
      expect(after.count).toBe(after.max);
      lastCommitted = after.max!;
      // What the server said was committed is there after the kill.
      expect(lastCommitted).toBeGreaterThanOrEqual(reported);
      const gapMs = newest.receivedAt - after.tail!.receivedAt;
      console.info(
        `SIGKILL: ${after.count} exchanges committed; the newest streamed (id ${newest.id}) was received ` +
          `${gapMs.toFixed(1)} ms after the last committed one (id ${after.tail!.id}); ` +
          `kill ${(killedAt - after.tail!.receivedAt).toFixed(1)} ms after it`,
      );
      expect(gapMs).toBeLessThanOrEqual(LOSS_BOUND_MS);
    } finally {
      watcher.close();
    }
  });

  it("restarts on it: the BMC's state is back, the ids continue, SIGTERM then loses nothing", async () => {
    expect(lastCommitted).toBeGreaterThan(0);
    const server = await start("max");
    const cookie = await server.login();
    // Get SEL Entry: no reservation, the record added before the kill, whole record.
    const entry = await inject(server, cookie, 0x0a, 0x43, `00 00 ${selRecord} 00 ff`);
    expect(entry.cc).toBe(0);
    // Next record id (2 bytes), then the record: its id, type, the BMC's timestamp, then ours.
    const bytes = hex(entry.response!);
    expect(bytes.slice(4, 8)).toBe(hex(selRecord));
    expect(bytes.slice(4 + 14)).toBe(hex(SEL_EVENT).slice(14));
    const name = await inject(server, cookie, 0x06, 0x46, "03");
    expect(name.cc).toBe(0);
    expect(Buffer.from(name.response!.replace(/ /g, ""), "hex").toString("latin1").replace(/\0+$/, "")).toBe(
      "crash-test",
    );
    await until("traffic after the restart", async () =>
      (await health(server)).exchanges.persisted >= 2000 ? true : undefined,
    );
    const stopped = await server.stop();
    running.splice(running.indexOf(server), 1);
    expect(stopped.code).toBe(0);
    // Every exchange routed under flat-out traffic was written before the exit.
    expect(stopped.persisted).toBe(stopped.routed);
    expect(stopped.routed).toBeGreaterThanOrEqual(2000);

    const after = inspect();
    expect(after.integrity).toBe("ok");
    expect(after.min).toBe(1);
    expect(after.count).toBe(after.max);
    expect(after.max).toBe(lastCommitted + stopped.routed);
    const sqlite = new BetterSqlite3(tdb.file, { readonly: true });
    try {
      const first = sqlite
        .prepare('SELECT receivedAt FROM "Exchange" WHERE id = ?')
        .get(lastCommitted + 1) as { receivedAt: number };
      // The first id after the committed ones went to the restarted server, not to a lost record.
      expect(first.receivedAt).toBeGreaterThan(killedAt);
    } finally {
      sqlite.close();
    }
  });
});
