/**
 * The roster and shared sign-in against a real throwaway PostgreSQL: nodes up and gone by
 * the store's clock, marks left to the shipper, a session and an operator of one node's
 * AuthService accepted by another's.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuthService, SHARED_RECHECK_MS } from "../auth/auth-service";
import type { Logger } from "../logger";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import type { FleetDatabase } from "./fleet-database";
import { FleetRegistry } from "./registry";
import { createSharedAuth } from "./shared-auth";
import { type FleetStore, startFleetStore } from "./test-postgres";

const log: Logger = { debug() {}, info() {}, warn() {}, error() {} };
let store: FleetStore;
let fleet: FleetDatabase;
const locals: TestDatabase[] = [];

beforeAll(async () => {
  store = await startFleetStore();
  fleet = store.db;
}, 60_000);

afterAll(async () => {
  for (const l of locals) await l.cleanup();
  await store?.stop();
});

const registry = (node: string, address: string) =>
  new FleetRegistry({
    node,
    address,
    version: "1.2.3",
    startedAt: Date.UTC(2026, 0, 1),
    buses: () => [{ id: "bt0", kind: "bt" } as never],
    store: async () => fleet,
    log,
    goneAfterMs: 60_000,
  });

describe("the fleet registry", () => {
  it("announces nodes, keeps their marks, and lists a silent one as gone", async () => {
    const x = registry("x", "http://10.0.0.1:3000");
    await x.announce();
    await fleet.fleetNode.update({ where: { name: "x" }, data: { shippedExchangeId: 42 } });
    await x.announce();
    const y = registry("y", "http://10.0.0.2:3000");
    await y.announce();
    // y last beat an hour ago, by the store's clock.
    await fleet.$executeRawUnsafe(
      `UPDATE "FleetNode" SET "lastSeen" = "lastSeen" - interval '1 hour' WHERE name = 'y'`,
    );
    const nodes = await x.list();
    expect(nodes).toEqual([
      {
        name: "x",
        version: "1.2.3",
        address: "http://10.0.0.1:3000",
        buses: [{ id: "bt0", kind: "bt" }],
        startedAt: Date.UTC(2026, 0, 1),
        lastSeen: expect.any(Number),
        state: "up",
        self: true,
        shippedId: 42,
      },
      expect.objectContaining({ name: "y", state: "gone", self: false, shippedId: 0 }),
    ]);
    expect(Math.abs(nodes[0]!.lastSeen - Date.now())).toBeLessThan(60_000);
  });
});

describe("shared sign-in", () => {
  it("accepts on node q a session and an operator made on node p", async () => {
    const p = await createTestDatabase();
    const q = await createTestDatabase();
    locals.push(p, q);
    const authP = new AuthService(p.db, Date.now, createSharedAuth({ node: "p", current: () => fleet, log }));
    const authQ = new AuthService(q.db, Date.now, createSharedAuth({ node: "q", current: () => fleet, log }));
    const alone = new AuthService(q.db);
    await authP.bootstrap("admin-password-123");
    const created = await authP.createOperator({
      username: "eve",
      password: "eve-password-1",
      role: "viewer",
    });
    expect(created).toMatchObject({ username: "eve", role: "viewer" });

    const signedIn = await authP.login("eve", "eve-password-1", "127.0.0.1");
    if (!signedIn.ok) throw new Error("sign-in on p failed");
    expect(await fleet.fleetSession.count({ where: { username: "eve", node: "p" } })).toBe(1);
    // Without the fleet, q does not know the token; with it, q does.
    expect(await alone.resolve(signedIn.token)).toBeNull();
    expect(await authQ.resolve(signedIn.token)).toMatchObject({ username: "eve", role: "viewer" });
    // eve was never created on q, yet signs in there with her password (and not with another).
    expect((await authQ.login("eve", "wrong-password", "127.0.0.1")).ok).toBe(false);
    expect((await authQ.login("eve", "eve-password-1", "127.0.0.1")).ok).toBe(true);
    // Signing out on p ends the shared session.
    await authP.logout(signedIn.token);
    expect(await fleet.fleetSession.count({ where: { username: "eve", node: "p", endedAt: null } })).toBe(0);
    const fresh = new AuthService(q.db, Date.now, createSharedAuth({ node: "q", current: () => fleet, log }));
    expect(await fresh.resolve(signedIn.token)).toBeNull();
  });

  it("ends a session on the node it was signed in on when another node signs it out", async () => {
    const u = await createTestDatabase();
    const v = await createTestDatabase();
    locals.push(u, v);
    let now = Date.now();
    const authU = new AuthService(
      u.db,
      () => now,
      createSharedAuth({ node: "u", current: () => fleet, log }),
    );
    const authV = new AuthService(v.db, Date.now, createSharedAuth({ node: "v", current: () => fleet, log }));
    await authU.bootstrap("admin-password-123");
    const signedIn = await authU.login("admin", "admin-password-123", "127.0.0.1");
    if (!signedIn.ok) throw new Error("sign-in on u failed");
    const ended: string[] = [];
    authU.onSessionEnded((h) => ended.push(h));
    expect(await authV.resolve(signedIn.token)).toMatchObject({ username: "admin" });
    await authV.logout(signedIn.token);
    // u trusts its own session until it asks the store again.
    expect(await authU.resolve(signedIn.token)).toMatchObject({ username: "admin" });
    now += SHARED_RECHECK_MS + 1;
    expect(await authU.resolve(signedIn.token)).toBeNull();
    expect(ended).toHaveLength(1);
    expect(await u.db.session.count()).toBe(0);
    // Nor does a restart of u bring it back.
    expect(await new AuthService(u.db).resolve(signedIn.token)).toBeNull();
  });

  it("keeps a node's own session while the store is away", async () => {
    const w = await createTestDatabase();
    locals.push(w);
    let now = Date.now();
    let reachable = true;
    const authW = new AuthService(
      w.db,
      () => now,
      createSharedAuth({ node: "w", current: () => (reachable ? fleet : undefined), log }),
    );
    await authW.bootstrap("admin-password-123");
    const signedIn = await authW.login("admin", "admin-password-123", "127.0.0.1");
    if (!signedIn.ok) throw new Error("sign-in on w failed");
    reachable = false;
    now += SHARED_RECHECK_MS + 1;
    expect(await authW.resolve(signedIn.token)).toMatchObject({ username: "admin" });
  });

  it("writes what waited while the store was away once it returns: a sign-in, then a sign-out", async () => {
    const s = await createTestDatabase();
    const t = await createTestDatabase();
    locals.push(s, t);
    let reachable = false;
    const sharedS = createSharedAuth({ node: "s", current: () => (reachable ? fleet : undefined), log });
    const authS = new AuthService(s.db, Date.now, sharedS);
    const authT = new AuthService(t.db, Date.now, createSharedAuth({ node: "t", current: () => fleet, log }));
    await authS.bootstrap("admin-password-123");
    const early = await authS.login("admin", "admin-password-123", "127.0.0.1");
    const leaving = await authS.login("admin", "admin-password-123", "127.0.0.2");
    if (!early.ok || !leaving.ok) throw new Error("sign-in on s failed");
    await authS.logout(leaving.token);
    // Signed in on s before s reached the store: t does not know the session yet.
    expect(sharedS.pendingCount()).toBe(2);
    expect(await authT.resolve(early.token)).toBeNull();
    reachable = true;
    expect(await sharedS.flushPending()).toBe(0);
    expect(await authT.resolve(early.token)).toMatchObject({ username: "admin" });
    // The session signed out meanwhile never reached the store.
    expect(await authT.resolve(leaving.token)).toBeNull();
    expect(await fleet.fleetSession.count({ where: { node: "s" } })).toBe(1);
  });

  it("signs in locally when the store is away", async () => {
    const r = await createTestDatabase();
    locals.push(r);
    const auth = new AuthService(
      r.db,
      Date.now,
      createSharedAuth({ node: "r", current: () => undefined, log }),
    );
    await auth.bootstrap("admin-password-123");
    const result = await auth.login("admin", "admin-password-123", "127.0.0.1");
    expect(result.ok).toBe(true);
    if (result.ok) expect(await auth.resolve(result.token)).toMatchObject({ username: "admin" });
  });
});
