/**
 * Sign-in shared by the fleet's nodes, through FleetOperator and FleetSession: a session
 * started on one node is found by the others (by its token's hash; never the token), and an
 * operator created on one node can sign in on any. Best effort by design: while the store
 * is away every call answers null or does nothing within `timeoutMs`, and each node keeps
 * signing in its own operators alone.
 */
import type { SharedAuthStore } from "../auth/auth-service";
import type { Logger } from "../logger";
import type { FleetDatabase } from "./fleet-database";

export const SHARED_AUTH_TIMEOUT_MS = 2000;

export interface SharedAuthOptions {
  node: string;
  /** The store when connected; undefined while it is away (no waiting on a sign-in). */
  current: () => FleetDatabase | undefined;
  log: Logger;
  timeoutMs?: number;
}

export function createSharedAuth(o: SharedAuthOptions): SharedAuthStore {
  const timeoutMs = o.timeoutMs ?? SHARED_AUTH_TIMEOUT_MS;
  async function attempt<T>(what: string, fallback: T, fn: (db: FleetDatabase) => Promise<T>): Promise<T> {
    const db = o.current();
    if (!db) return fallback;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      return await Promise.race([
        fn(db),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (err) {
      o.log.warn(
        `fleet: shared sign-in: ${what}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`,
      );
      return fallback;
    } finally {
      clearTimeout(timer);
    }
  }
  return {
    publishOperator: (op) =>
      attempt("publishing an operator", undefined, async (db) => {
        await db.fleetOperator.upsert({
          where: { username: op.username },
          create: { username: op.username, passwordHash: op.passwordHash, role: op.role },
          update: { passwordHash: op.passwordHash, role: op.role },
        });
      }),
    findOperator: (username) =>
      attempt("looking up an operator", null, (db) =>
        db.fleetOperator.findUnique({
          where: { username },
          select: { username: true, passwordHash: true, role: true },
        }),
      ),
    publishSession: (s) =>
      attempt("publishing a session", undefined, async (db) => {
        await db.fleetSession.upsert({
          where: { tokenHash: s.tokenHash },
          create: { ...s, node: o.node, expiresAt: new Date(s.expiresAt) },
          update: { expiresAt: new Date(s.expiresAt) },
        });
        // Expired sessions of any node go with the next sign-in.
        await db.fleetSession.deleteMany({ where: { expiresAt: { lte: new Date() } } });
      }),
    findSession: (tokenHash) =>
      attempt("looking up a session", null, async (db) => {
        const row = await db.fleetSession.findUnique({ where: { tokenHash } });
        return row
          ? { tokenHash, username: row.username, role: row.role, expiresAt: row.expiresAt.getTime() }
          : null;
      }),
    endSession: (tokenHash) =>
      attempt("ending a session", undefined, async (db) => {
        await db.fleetSession.deleteMany({ where: { tokenHash } });
      }),
  };
}

/**
 * This node's operators, offered to the fleet when the store is first reached: new names are
 * added, existing ones are left as the fleet has them (another node's admin keeps its password).
 */
export async function offerLocalOperators(
  local: { operator: { findMany(): Promise<{ username: string; passwordHash: string; role: string }[]> } },
  db: FleetDatabase,
): Promise<number> {
  const ops = await local.operator.findMany();
  if (ops.length === 0) return 0;
  const r = await db.fleetOperator.createMany({
    data: ops.map(({ username, passwordHash, role }) => ({ username, passwordHash, role })),
    skipDuplicates: true,
  });
  return r.count;
}
