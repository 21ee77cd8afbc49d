/**
 * Sign-in shared by the fleet's nodes, through FleetOperator and FleetSession: a session
 * started on one node is found by the others (by its token's hash; never the token), and an
 * operator created on one node can sign in on any. Never in a sign-in's way: while the store
 * is away every call answers null or does nothing within `timeoutMs`, and each node keeps
 * signing in its own operators alone. What could not be written then (a sign-in, a sign-out,
 * a new operator) waits in `pending` and is written by `flushPending`, which the fleet calls
 * when the store is reached and after each heartbeat; so a sign-in in the second before a
 * node first reaches its store, or during an outage, still reaches the other nodes.
 */
import type { SharedAuthStore } from "../auth/auth-service";
import type { Logger } from "../logger";
import type { FleetDatabase } from "./fleet-database";

export const SHARED_AUTH_TIMEOUT_MS = 2000;
/** Writes kept for a store that is away; past this the oldest go (and a warning says so). */
export const SHARED_AUTH_PENDING_MAX = 10_000;

export interface SharedAuthOptions {
  node: string;
  /** The store when connected; undefined while it is away (no waiting on a sign-in). */
  current: () => FleetDatabase | undefined;
  log: Logger;
  timeoutMs?: number;
}

export interface SharedAuth extends SharedAuthStore {
  /** Writes what could not be written before; how many are still waiting. */
  flushPending(): Promise<number>;
  /** How many writes wait for the store. */
  pendingCount(): number;
}

type SharedSession = Parameters<SharedAuthStore["publishSession"]>[0];
type SharedOperator = Parameters<SharedAuthStore["publishOperator"]>[0];
/** The last word on a key wins: a sign-out queued after its sign-in replaces it. */
type PendingWrite =
  | { kind: "session"; session: SharedSession }
  | { kind: "end"; tokenHash: string }
  | { kind: "operator"; op: SharedOperator };

export function createSharedAuth(o: SharedAuthOptions): SharedAuth {
  const timeoutMs = o.timeoutMs ?? SHARED_AUTH_TIMEOUT_MS;
  // Insertion order is age: the first key is the oldest write.
  const pending = new Map<string, PendingWrite>();
  let flushing: Promise<number> | undefined;

  function keyOf(w: PendingWrite): string {
    return w.kind === "operator"
      ? `operator:${w.op.username}`
      : `session:${w.kind === "end" ? w.tokenHash : w.session.tokenHash}`;
  }
  function queue(w: PendingWrite): void {
    const key = keyOf(w);
    pending.delete(key);
    pending.set(key, w);
    if (pending.size > SHARED_AUTH_PENDING_MAX) {
      const oldest = pending.keys().next().value as string;
      pending.delete(oldest);
      o.log.warn(
        `fleet: shared sign-in: more than ${SHARED_AUTH_PENDING_MAX} writes wait for the store; dropped ${oldest}`,
      );
    }
  }

  async function attempt<T>(what: string, fallback: T, fn: (db: FleetDatabase) => Promise<T>): Promise<T> {
    const r = await tryStore(what, fn);
    return r.ok ? r.value : fallback;
  }
  async function tryStore<T>(
    what: string,
    fn: (db: FleetDatabase) => Promise<T>,
  ): Promise<{ ok: true; value: T } | { ok: false }> {
    const db = o.current();
    if (!db) return { ok: false };
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const value = await Promise.race([
        fn(db),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      return { ok: true, value };
    } catch (err) {
      o.log.warn(
        `fleet: shared sign-in: ${what}: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`,
      );
      return { ok: false };
    } finally {
      clearTimeout(timer);
    }
  }
  const write = (w: PendingWrite) => (db: FleetDatabase) => writeTo(db, w, o.node);
  /** Written now if the store answers, else kept for flushPending. */
  async function publish(what: string, w: PendingWrite): Promise<void> {
    // A sign-out must not overtake its own sign-in still waiting: it takes that one's place.
    if (pending.has(keyOf(w))) {
      queue(w);
      await flushPending();
    } else if (!(await tryStore(what, write(w))).ok) queue(w);
  }
  function flushPending(): Promise<number> {
    if (pending.size === 0) return Promise.resolve(0);
    flushing ??= flush().finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  async function flush(): Promise<number> {
    for (const [key, w] of [...pending]) {
      if (pending.get(key) !== w) continue;
      if (!(await tryStore(`writing a ${w.kind} that waited`, write(w))).ok) break;
      // Unless a newer write on the key came in meanwhile.
      if (pending.get(key) === w) pending.delete(key);
    }
    return pending.size;
  }

  return {
    publishOperator: (op) => publish("publishing an operator", { kind: "operator", op }),
    findOperator: (username) =>
      attempt("looking up an operator", null, (db) =>
        db.fleetOperator.findUnique({
          where: { username },
          select: { username: true, passwordHash: true, role: true },
        }),
      ),
    publishSession: (session) => publish("publishing a session", { kind: "session", session }),
    findSession: (tokenHash) =>
      attempt("looking up a session", null, async (db) => {
        const row = await db.fleetSession.findUnique({ where: { tokenHash } });
        return row && !row.endedAt
          ? { tokenHash, username: row.username, role: row.role, expiresAt: row.expiresAt.getTime() }
          : null;
      }),
    endSession: (tokenHash) => publish("ending a session", { kind: "end", tokenHash }),
    sessionEnded: (tokenHash) =>
      attempt("checking a session", false, async (db) => {
        const row = await db.fleetSession.findUnique({ where: { tokenHash }, select: { endedAt: true } });
        return row?.endedAt != null;
      }),
    flushPending,
    pendingCount: () => pending.size,
  };
}

async function writeTo(db: FleetDatabase, w: PendingWrite, node: string): Promise<void> {
  switch (w.kind) {
    case "operator":
      await db.fleetOperator.upsert({
        where: { username: w.op.username },
        create: { username: w.op.username, passwordHash: w.op.passwordHash, role: w.op.role },
        update: { passwordHash: w.op.passwordHash, role: w.op.role },
      });
      return;
    case "session":
      await db.fleetSession.upsert({
        where: { tokenHash: w.session.tokenHash },
        create: { ...w.session, node, expiresAt: new Date(w.session.expiresAt) },
        update: { expiresAt: new Date(w.session.expiresAt) },
      });
      // Expired sessions of any node go with the next sign-in.
      await db.fleetSession.deleteMany({ where: { expiresAt: { lte: new Date() } } });
      return;
    case "end":
      // Kept, marked: the node the session was signed in on learns it from the mark.
      await db.fleetSession.updateMany({ where: { tokenHash: w.tokenHash }, data: { endedAt: new Date() } });
      return;
  }
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
