import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { requiredAccess, roleAllows, sameOrigin } from "./access-policy";
import { AuthService } from "./auth-service";
import { LoginLimiter } from "./login-limiter";
import { hashPassword, verifyPassword } from "./password";
import { readCookie, sessionCookieHeader } from "./session-cookie";

describe("access policy", () => {
  it("leaves only sign-in, setup, health and static assets public", () => {
    for (const [method, path] of [
      ["GET", "/login"],
      ["GET", "/setup"],
      ["GET", "/_next/static/chunks/x.js"],
      ["GET", "/api/health"],
      ["GET", "/api/auth/session"],
      ["POST", "/api/auth/login"],
      ["POST", "/api/auth/setup"],
    ] as const) {
      expect(requiredAccess(method, path)).toBe("public");
    }
    expect(requiredAccess("GET", "/loginx")).toBe("viewer");
    expect(requiredAccess("GET", "/")).toBe("viewer");
    expect(requiredAccess("GET", "/api/exchanges/export")).toBe("viewer");
    expect(requiredAccess("POST", "/api/auth/logout")).toBe("viewer");
    for (const method of ["POST", "PATCH", "PUT", "DELETE"]) {
      expect(requiredAccess(method, "/api/rules")).toBe("operator");
    }
  });

  it("lets operators do everything and viewers only watch", () => {
    expect(roleAllows("viewer", "viewer")).toBe(true);
    expect(roleAllows("viewer", "operator")).toBe(false);
    expect(roleAllows("operator", "operator")).toBe(true);
  });

  it("compares Origin with Host", () => {
    expect(sameOrigin(undefined, "127.0.0.1:3000")).toBe(true);
    expect(sameOrigin("http://127.0.0.1:3000", "127.0.0.1:3000")).toBe(true);
    expect(sameOrigin("http://evil.example", "127.0.0.1:3000")).toBe(false);
    expect(sameOrigin("not a url", "127.0.0.1:3000")).toBe(false);
  });
});

describe("session cookie", () => {
  it("is HttpOnly, SameSite=Strict, 12 h, Secure over HTTPS, and cleared with Max-Age=0", () => {
    expect(sessionCookieHeader("tok", false)).toBe(
      "bmc_session=tok; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200",
    );
    expect(sessionCookieHeader("tok", true)).toMatch(/; Secure$/);
    expect(sessionCookieHeader(null, false)).toMatch(/^bmc_session=; .*Max-Age=0$/);
    expect(readCookie("a=1; bmc_session=abc%3D; b=2", "bmc_session")).toBe("abc=");
    expect(readCookie(undefined, "bmc_session")).toBeUndefined();
  });
});

describe("passwords", () => {
  it("hash with scrypt and verify only the right password", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
    expect(await verifyPassword("wrong horse battery", hash)).toBe(false);
    expect(await verifyPassword("x", "plain-text")).toBe(false);
    expect(await hashPassword("same")).not.toBe(await hashPassword("same"));
  });
});

describe("login limiter", () => {
  it("refuses after 5 failures in the window, per key, until the window passes", () => {
    let now = 0;
    const l = new LoginLimiter({ maxFailures: 5, windowMs: 1000, now: () => now });
    for (let i = 0; i < 5; i++) l.fail(["ip:1"]);
    expect(l.retryAfterMs(["ip:1"])).toBe(1000);
    expect(l.retryAfterMs(["ip:2"])).toBe(0);
    now = 999;
    expect(l.retryAfterMs(["ip:1"])).toBe(1);
    now = 1000;
    expect(l.retryAfterMs(["ip:1"])).toBe(0);
  });
});

// Each sign-in runs scrypt (N=2^15) several times: on a loaded 2-core machine a test takes
// seconds, which is cost, not a timing under test.
describe("auth service", { timeout: 30_000 }, () => {
  let t: TestDatabase;
  let now: number;
  let auth: AuthService;

  beforeEach(async () => {
    t = await createTestDatabase();
    now = Date.UTC(2026, 10, 23);
    auth = new AuthService(t.db, () => now);
  });
  afterEach(() => t.cleanup());

  it("creates the first admin from the environment, once", async () => {
    expect(await auth.bootstrap(undefined)).toBe("setup-needed");
    expect(await auth.bootstrap("a-long-password")).toBe("created");
    expect(await auth.bootstrap("another-password")).toBe("exists");
    const ok = await auth.login("admin", "a-long-password", "127.0.0.1");
    expect(ok).toMatchObject({ ok: true, operator: { username: "admin", role: "operator" } });
  });

  it("signs in, resolves the session, signs out, and stores only the token's hash", async () => {
    await auth.bootstrap("a-long-password");
    const r = await auth.login("admin", "a-long-password", "c");
    if (!r.ok) throw new Error("login failed");
    expect(await auth.resolve(r.token)).toMatchObject({ username: "admin" });
    const rows = await t.db.session.findMany();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.tokenHash).not.toContain(r.token);
    const ended: string[] = [];
    auth.onSessionEnded((h) => ended.push(h));
    await auth.logout(r.token);
    expect(await auth.resolve(r.token)).toBeNull();
    expect(ended).toHaveLength(1);
  });

  it("expires sessions after 12 hours", async () => {
    await auth.bootstrap("a-long-password");
    const r = await auth.login("admin", "a-long-password", "c");
    if (!r.ok) throw new Error("login failed");
    now += 12 * 3600 * 1000 - 1;
    expect(await auth.resolve(r.token)).not.toBeNull();
    now += 1;
    expect(await auth.resolve(r.token)).toBeNull();
  });

  it("answers wrong passwords and unknown users alike, and rate-limits them", async () => {
    await auth.bootstrap("a-long-password");
    expect(await auth.login("admin", "nope", "c")).toEqual({ ok: false, status: 401 });
    expect(await auth.login("nobody", "nope", "c")).toEqual({ ok: false, status: 401 });
    // Per user name: 5 failures from anywhere lock the name, whatever the address.
    for (let i = 0; i < 4; i++) await auth.login("admin", "nope", `client-${i}`);
    expect(await auth.login("admin", "a-long-password", "other-client")).toMatchObject({
      ok: false,
      status: 429,
    });
    // Per address: 5 failures from one address lock it, whatever the name.
    for (let i = 0; i < 5; i++) await auth.login(`user-${i}`, "nope", "guesser");
    expect(await auth.login("someone", "x", "guesser")).toMatchObject({ ok: false, status: 429 });
  });

  it("allows setup only while no operator exists", async () => {
    const first = await auth.setup({ username: "root", password: "a-long-password" });
    expect(first?.operator).toMatchObject({ username: "root", role: "operator" });
    expect(await auth.setup({ username: "late", password: "a-long-password" })).toBeNull();
    expect(
      await auth.createOperator({ username: "watcher", password: "a-long-password", role: "viewer" }),
    ).toMatchObject({
      role: "viewer",
    });
    expect(
      await auth.createOperator({ username: "watcher", password: "a-long-password", role: "viewer" }),
    ).toBe("exists");
  });
});
