/**
 * Operator control in a real server process: sign-in on every path, rule actions,
 * holding and answering by hand, injection, the audit trail, sign-out.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { io } from "socket.io-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { requiredAccess } from "../auth/access-policy";
import { LIVE_NAMESPACE } from "../contract/events";
import type { ExchangeDto } from "../contract/exchange";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { LiveWatcher, type RunningServer, startServer } from "./server-process";

const API_DIR = fileURLToPath(new URL("../../app/api/", import.meta.url));
const GET_MESSAGE_FLAGS = { netFn: 6, cmd: 0x31 };

/** Every route handler file under app/api, as [method, path with sample params]. */
function apiRoutes(): [string, string][] {
  const out: [string, string][] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name === "route.ts") {
        const rel = path.relative(API_DIR, dir).split(path.sep).join("/");
        const urlPath = `/api/${rel}`.replace(/\[action\]/g, "pass").replace(/\[(\w+)\]/g, "1");
        for (const m of readFileSync(full, "utf8").matchAll(
          /export (?:async )?function (GET|POST|PATCH|PUT|DELETE)\b/g,
        )) {
          out.push([m[1]!, urlPath]);
        }
      }
    }
  };
  walk(API_DIR);
  return out;
}

let tdb: TestDatabase;
let server: RunningServer;
let cookie: string;
let live: LiveWatcher;

const api = (p: string, init: RequestInit & { as?: string } = {}) =>
  fetch(`${server.url}${p}`, {
    ...init,
    headers: { "content-type": "application/json", cookie: init.as ?? cookie, ...(init.headers as object) },
  });
const post = (p: string, body?: unknown, as?: string) =>
  api(p, { method: "POST", body: body === undefined ? undefined : JSON.stringify(body), as });

async function createRule(body: object): Promise<number> {
  const res = await post("/api/rules", body);
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: number }).id;
}

async function heldOne(): Promise<{ id: number; suggested: unknown }> {
  for (;;) {
    const { held } = (await (await api("/api/held")).json()) as {
      held: { id: number; suggested: unknown }[];
    };
    if (held[0]) return held[0];
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  server = await startServer({ DATABASE_URL: tdb.url, SIM_RATE: "100", HOLD_DEADLINE_MS: "1500" });
  cookie = await server.login();
  live = new LiveWatcher(server.url, cookie);
});

afterEach(async () => {
  const { rules } = (await (await api("/api/rules")).json()) as { rules: { id: number }[] };
  for (const r of rules) await api(`/api/rules/${r.id}`, { method: "DELETE" });
  await post("/api/held/pass-all");
});

afterAll(async () => {
  live?.close();
  await server?.stop();
  await tdb?.cleanup();
});

describe("sign-in is required", () => {
  it("on every API route: 401 without a session", async () => {
    const routes = apiRoutes();
    expect(routes.length).toBeGreaterThan(15);
    const guarded = routes.filter(([m, p]) => requiredAccess(m, p) !== "public");
    for (const [method, p] of guarded) {
      const res = await fetch(`${server.url}${p}`, {
        method,
        headers: { "content-type": "application/json" },
        body: method === "GET" ? undefined : "{}",
      });
      expect([method, p, res.status]).toEqual([method, p, 401]);
    }
  });

  it("for a viewer, on every route that changes something: 403", async () => {
    expect(
      (await post("/api/operators", { username: "watcher", password: "watcher-password", role: "viewer" }))
        .status,
    ).toBe(201);
    const viewer = await server.login("watcher", "watcher-password");
    for (const [method, p] of apiRoutes().filter(([m, p]) => requiredAccess(m, p) === "operator")) {
      const res = await fetch(`${server.url}${p}`, {
        method,
        headers: { "content-type": "application/json", cookie: viewer },
        body: "{}",
      });
      expect([method, p, res.status]).toEqual([method, p, 403]);
    }
    expect((await api("/api/exchanges?limit=1", { as: viewer })).status).toBe(200);
  });

  it("on pages (redirect to /login) and on the live socket", async () => {
    const page = await fetch(`${server.url}/handlers`, { redirect: "manual" });
    expect(page.status).toBe(302);
    expect(page.headers.get("location")).toBe("/login?next=%2Fhandlers");
    const socket = io(`${server.url}${LIVE_NAMESPACE}`, { transports: ["websocket"], reconnection: false });
    const error = await new Promise<Error>((resolve) => socket.on("connect_error", resolve));
    socket.close();
    expect(error.message).toBe("unauthorized");
  });

  it("refuses a change from another site's page even with the cookie", async () => {
    const res = await post(
      "/api/rules",
      { name: "x", match: { netFn: 6, cmd: 0x99 }, action: { type: "drop" } },
      cookie,
    );
    expect(res.status).toBe(201);
    const cross = await api("/api/rules", {
      method: "POST",
      headers: { origin: "http://evil.example" },
      body: JSON.stringify({ name: "x", match: { netFn: 6, cmd: 0x99 }, action: { type: "drop" } }),
    });
    expect(cross.status).toBe(403);
  });
});

describe("rules act before the handlers", () => {
  const inject = async (cmd: number, data = "") => {
    const res = await post("/api/inject", { bus: "bt0", netFn: 6, cmd, data });
    expect(res.status).toBe(200);
    return ((await res.json()) as { exchange: ExchangeDto }).exchange;
  };

  it("answer, error, delay and drop each show in the exchange record", async () => {
    const answer = await createRule({
      name: "canned",
      match: { netFn: 6, cmd: 0x01 },
      action: { type: "answer", cc: 0, data: "20 81 05" },
    });
    expect(await inject(0x01)).toMatchObject({
      cc: 0,
      response: "20 81 05",
      ruleId: answer,
      origin: "injected",
    });

    const error = await createRule({
      name: "err",
      match: { netFn: 6, cmd: 0x04 },
      action: { type: "error", cc: 0xd5 },
    });
    expect(await inject(0x04)).toMatchObject({ cc: 0xd5, status: "error", ruleId: error });

    const delay = await createRule({
      name: "slow",
      match: { netFn: 6, cmd: 0x08 },
      action: { type: "delay", ms: 200 },
    });
    const delayed = await inject(0x08);
    expect(delayed).toMatchObject({ cc: 0, handlerId: "app.get-device-guid", ruleId: delay });
    expect(delayed.latencyUs).toBeGreaterThanOrEqual(200_000);

    const drop = await createRule({ name: "drop", match: { netFn: 6, cmd: 0x2f }, action: { type: "drop" } });
    expect(await inject(0x2f)).toMatchObject({ status: "dropped", cc: null, response: null, ruleId: drop });
  });

  it("an answer later than the host waits is recorded as late and not sent", async () => {
    // The simulated host gives up after 5 s; delay its flag polling past that.
    const ruleId = await createRule({
      name: "too slow",
      match: GET_MESSAGE_FLAGS,
      action: { type: "delay", ms: 5200 },
    });
    const x = await live.next((e) => e.ruleId === ruleId && e.status !== "ok", 15_000);
    expect(x).toMatchObject({ status: "late", cc: 0, handlerId: "app.get-message-flags" });
    expect(x.note).toMatch(/the host gives up after 5000 ms; not sent/);
  });

  it("validates rule bodies with a clear error", async () => {
    const res = await post("/api/rules", { name: "", match: { netFn: 300 }, action: { type: "explode" } });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; issues: { path: string }[] };
    expect(body.error).toBe("invalid body");
    expect(body.issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(["name", "match.netFn", "action.type"]),
    );
  });
});

describe("holding a request for a person", () => {
  it("a held host request answered through the API goes out with exactly the given bytes", async () => {
    const ruleId = await createRule({
      name: "hold flags",
      match: GET_MESSAGE_FLAGS,
      action: { type: "hold" },
    });
    const held = await heldOne();
    expect(held.suggested).toMatchObject({ cc: 0, handlerId: "app.get-message-flags" });
    const recorded = live.next((x) => x.id === held.id);
    const res = await post(`/api/held/${held.id}/answer`, { cc: 0, data: "ab cd" });
    expect(res.status).toBe(200);
    const x = await recorded;
    expect(x).toMatchObject({
      id: held.id,
      cc: 0,
      response: "ab cd",
      ruleId,
      handlerId: null,
      origin: "host",
    });
    expect(x.note).toMatch(/answered by admin/);
    expect((await post(`/api/held/${held.id}/drop`)).status).toBe(409);
  });

  it("two operators answering at once: one wins, the other hears 'already answered'", async () => {
    await createRule({ name: "hold flags", match: GET_MESSAGE_FLAGS, action: { type: "hold" } });
    const held = await heldOne();
    const [a, b] = await Promise.all([
      post(`/api/held/${held.id}/answer`, { cc: 0, data: "01" }),
      post(`/api/held/${held.id}/pass`),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const loser = a.status === 409 ? a : b;
    expect(((await loser.json()) as { error: string }).error).toMatch(/already answered/);
  });

  it("an expired hold falls back to the handler", async () => {
    await createRule({ name: "hold flags", match: GET_MESSAGE_FLAGS, action: { type: "hold" } });
    const x = await live.next((e) => e.cmd === GET_MESSAGE_FLAGS.cmd && /hold expired/.test(e.note ?? ""));
    expect(x).toMatchObject({ cc: 0, handlerId: "app.get-message-flags", status: "ok" });
  });
});

describe("audit trail and sign-out", () => {
  it("records control actions with who and what", async () => {
    await createRule({ name: "audited", match: { netFn: 6, cmd: 0x99 }, action: { type: "drop" } });
    await post("/api/inject", { bus: "bt0", netFn: 6, cmd: 0x01 });
    const { entries } = (await (await api("/api/audit?limit=200")).json()) as {
      entries: { actor: string; action: string }[];
    };
    const actions = new Set(entries.map((e) => e.action));
    for (const a of ["auth.login", "rule.create", "request.inject", "held.answer", "operator.create"]) {
      expect(actions).toContain(a);
    }
    expect(entries.find((e) => e.action === "rule.create")?.actor).toBe("admin");
    const csv = await (await api("/api/audit/export?format=csv")).text();
    expect(csv.split("\r\n")[0]).toBe("id,at,actor,action,target,detail");
  });

  it("sign-out ends the session and its live stream", async () => {
    const session = await server.login();
    const watcher = new LiveWatcher(server.url, session);
    await new Promise<void>((resolve) => watcher.socket.on("snapshot", () => resolve()));
    const closed = new Promise<string>((resolve) => watcher.socket.on("disconnect", resolve));
    expect((await post("/api/auth/logout", undefined, session)).status).toBe(204);
    expect(await closed).toBe("io server disconnect");
    expect((await api("/api/rules", { as: session })).status).toBe(401);
    watcher.close();
  });
});
