/**
 * Every HTTP route and every socket.io client event of a real server process, fuzzed.
 * Routes are found at test time (each app/api/**\/route.ts and the methods it exports), so
 * a new route is covered without touching this file; socket events likewise from the
 * contract's ClientToServerEvents and ConsoleClientToServer. For each: bad bodies (invalid
 * JSON, wrong types, huge strings, deep nesting, no content type) and bad queries, signed
 * out and signed in as admin. Never a 5xx, never a hang; every 4xx a JSON error; a socket
 * gets an ack that is an object, or nothing; afterwards the server is healthy and a live
 * client still receives the traffic.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CONSOLE_NAMESPACE } from "../contract/console";
import { LIVE_NAMESPACE } from "../contract/events";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { LiveWatcher, type RunningServer, startServer } from "./server-process";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SEED = 0x1f0c_2026;
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
/** Requests per route, method and sign-in state. */
const RUNS = Number(process.env.FUZZ_API_RUNS ?? 12);

interface Route {
  /** "/api/held/[id]/[action]" */
  template: string;
  methods: string[];
}

function routes(): Route[] {
  const found: Route[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === "route.ts") {
        const text = readFileSync(p, "utf8");
        const methods = METHODS.filter((m) =>
          new RegExp(`export\\s+(?:async\\s+)?(?:function\\s+${m}\\b|const\\s+${m}\\b)`).test(text),
        );
        const template = `/${path.relative(path.join(ROOT, "app"), path.dirname(p)).split(path.sep).join("/")}`;
        found.push({ template, methods });
      }
    }
  };
  walk(path.join(ROOT, "app/api"));
  return found.sort((a, b) => a.template.localeCompare(b.template));
}

/** The client events of an interface in a contract file: each member "name: (...) => void", and whether it takes an ack. */
function eventNames(file: string, iface: string): { name: string; ack: boolean }[] {
  const text = readFileSync(path.join(ROOT, file), "utf8");
  const body = new RegExp(`export interface ${iface} \\{([\\s\\S]*?)\\n\\}`).exec(text)?.[1] ?? "";
  return [...body.matchAll(/^\s{2}(\w+)\s*:([^\n]*)/gm)].map((m) => ({
    name: m[1]!,
    ack: /\back\b/.test(m[2]!),
  }));
}

const segment = fc.oneof(
  fc.constantFrom(
    "1",
    "0",
    "-1",
    "2147483648",
    "abc",
    "1.5",
    "%00",
    "%E2%80%AE",
    "..%2F..",
    "pass",
    "answer",
    "drop",
  ),
  fc.constant("9".repeat(400)),
  fc.string({ minLength: 1, maxLength: 12 }).map(encodeURIComponent),
);

const queryValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.constantFrom("-1", "NaN", "1e309", "0x10", "true", "[]", "{}", "null", "bus == ", "((((", "\u0000"),
  // Long, but inside Node's 16 KiB header limit, so the route sees it (longer ones get 431 from Node itself).
  fc.constant("x".repeat(6000)),
);
const query = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          "limit",
          "before",
          "after",
          "from",
          "to",
          "filter",
          "status",
          "bus",
          "format",
          "direction",
          "q",
        ),
        fc.string({ minLength: 1, maxLength: 8 }),
      ),
      queryValue,
    ),
    { maxLength: 4 },
  )
  .map((pairs) => new URLSearchParams(pairs).toString());

type Body = { text: string | undefined; contentType: string | undefined };
const deep = (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`;
const body: fc.Arbitrary<Body> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => ({ text: JSON.stringify(v), contentType: "application/json" })),
  fc
    .dictionary(
      fc.constantFrom(
        "name",
        "id",
        "enabled",
        "action",
        "filter",
        "netFn",
        "cmd",
        "data",
        "password",
        "username",
      ),
      fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant("y".repeat(100_000))),
    )
    .map((v) => ({ text: JSON.stringify(v), contentType: "application/json" })),
  fc.string({ maxLength: 40 }).map((t) => ({ text: t, contentType: "application/json" })),
  fc.constantFrom<Body>(
    { text: deep(20_000), contentType: "application/json" },
    { text: `{"a":${deep(5000)}}`, contentType: "application/json" },
    { text: JSON.stringify({ x: "z".repeat(1_500_000) }), contentType: "application/json" },
    { text: '{"name":"x"}', contentType: undefined },
    { text: '{"name":"x"}', contentType: "text/plain" },
    { text: "", contentType: "application/json" },
    { text: undefined, contentType: undefined },
    { text: "\uFEFF{}", contentType: "application/json; charset=utf-16" },
  ),
);

let tdb: TestDatabase;
let server: RunningServer;
let cookie: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  server = await startServer({ DATABASE_URL: tdb.url, HOST_SERIAL: "qemu:127.0.0.1:0" });
  cookie = await server.login();
});

afterAll(async () => {
  await server?.stop();
  await tdb?.cleanup();
});

/** The server's own view of its failures: route errors it logged. */
const failures = () => server.output().match(/api route failed:[^\n]*/g) ?? [];

async function healthy(): Promise<void> {
  const res = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(10_000) });
  expect(res.status).toBe(200);
}

describe("every HTTP route under bad input", () => {
  const all = routes();

  it("finds the routes and their methods", () => {
    expect(all.length).toBeGreaterThanOrEqual(20);
    expect(all.find((r) => r.template === "/api/health")?.methods).toContain("GET");
    for (const r of all) expect(r.methods.length, r.template).toBeGreaterThan(0);
  });

  for (const signedIn of [false, true]) {
    it(`answers 4xx with a JSON error, never 5xx or a hang (${signedIn ? "signed in as admin" : "signed out"})`, async () => {
      const problems: string[] = [];
      let requests = 0;
      for (const route of all) {
        for (const method of route.methods) {
          // Signing out would end the session the rest of the pass uses.
          if (signedIn && route.template === "/api/auth/logout") continue;
          await fc.assert(
            fc.asyncProperty(
              fc.array(segment, { minLength: 4, maxLength: 4 }),
              query,
              body,
              async (segments, q, b) => {
                let i = 0;
                const p = route.template.replace(/\[[^\]]+\]/g, () => segments[i++ % segments.length]!);
                const headers: Record<string, string> = {};
                if (signedIn) headers.cookie = cookie;
                if (b.contentType) headers["content-type"] = b.contentType;
                const withBody = method !== "GET" && b.text !== undefined;
                requests++;
                const res = await fetch(`${server.url}${p}${q ? `?${q}` : ""}`, {
                  method,
                  headers,
                  ...(withBody ? { body: b.text } : {}),
                  signal: AbortSignal.timeout(20_000),
                });
                const text = await res.text();
                const what = `${method} ${p.slice(0, 80)}?${q.slice(0, 60)} body ${(b.text ?? "").slice(0, 60)} → ${res.status} ${text.slice(0, 120)}`;
                if (res.status >= 500) problems.push(what);
                // 413/414/431 come from Node's HTTP parser before any route runs: no JSON there.
                else if (res.status >= 400 && ![413, 414, 431].includes(res.status)) {
                  expect(res.headers.get("content-type") ?? "", what).toMatch(/json/);
                  const json = JSON.parse(text) as { error?: unknown };
                  expect(typeof json.error, what).toBe("string");
                }
                if (signedIn && res.status === 401) cookie = await server.login();
              },
            ),
            { numRuns: RUNS, seed: SEED },
          );
        }
      }
      expect(problems).toEqual([]);
      expect(failures()).toEqual([]);
      expect(requests).toBeGreaterThan(all.length * RUNS);
      await healthy();
    }, 600_000);
  }
});

describe("every socket.io client event under bad payloads", () => {
  const namespaces = [
    { ns: LIVE_NAMESPACE, events: eventNames("server/contract/events.ts", "ClientToServerEvents") },
    { ns: CONSOLE_NAMESPACE, events: eventNames("server/contract/console.ts", "ConsoleClientToServer") },
  ];

  it("finds the client events", () => {
    expect(namespaces[0]!.events).toContainEqual({ name: "setFilter", ack: true });
    expect(namespaces[1]!.events).toContainEqual({ name: "input", ack: true });
    expect(namespaces[1]!.events).toContainEqual({ name: "release", ack: false });
  });

  const payload = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.string({ maxLength: 50 }),
    fc.constantFrom<unknown>(undefined, null, "x".repeat(200_000), { takeOver: "yes" }, { on: 1 }, [[[[]]]]),
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
  );

  it("answers every acked event with an object, survives any payload, and other clients carry on", async () => {
    const watcher = new LiveWatcher(server.url, cookie);
    /** Connected, or refused (signed out): either way settled before the fuzzing starts. */
    const connect = (ns: string, as: string | undefined): Promise<Socket> => {
      const socket = io(`${server.url}${ns}`, {
        transports: ["websocket"],
        reconnection: false,
        ...(as ? { extraHeaders: { cookie: as } } : {}),
      });
      return new Promise((resolve) => {
        socket.once("connect", () => resolve(socket));
        socket.once("connect_error", () => resolve(socket));
      });
    };
    let acked = 0;
    let emitted = 0;
    for (const { ns, events } of namespaces) {
      for (const as of [undefined, cookie]) {
        let socket = await connect(ns, as);
        if (as) expect(socket.connected, `${ns} signed in`).toBe(true);
        for (const event of events) {
          await fc.assert(
            fc.asyncProperty(fc.array(payload, { maxLength: 3 }), payload, async (args, first) => {
              if (as && !socket.connected) socket = await connect(ns, as);
              emitted++;
              // Any number of arguments, no ack: nothing to wait for, the server must just not fall over.
              socket.emit(event.name, ...args);
              if (!event.ack || !socket.connected) return;
              // One argument and an ack, as the contract has it: whatever the argument, an answer object.
              const result: unknown = await socket.timeout(15_000).emitWithAck(event.name, first);
              acked++;
              expect(
                typeof result === "object" && result !== null,
                `${ns} ${event.name} ack ${String(result)}`,
              ).toBe(true);
            }),
            { numRuns: 20, seed: SEED },
          );
        }
        socket.close();
      }
    }
    expect(emitted).toBeGreaterThan(100);
    expect(acked).toBeGreaterThan(0);
    await healthy();
    // The simulated host's traffic still reaches a live client.
    const before = watcher.exchanges.length;
    await watcher.next(() => watcher.exchanges.length > before);
    watcher.close();
    expect(failures()).toEqual([]);
  }, 300_000);
});
