/**
 * Operators and their sessions. A session is a random 256-bit token in an HTTP-only,
 * SameSite=Strict cookie; only its SHA-256 is stored, so a copy of the database does
 * not sign anyone in. Sessions last 12 hours from sign-in and survive a restart.
 */
import { createHash, randomBytes } from "node:crypto";
import type { NewOperatorBody, OperatorInfo } from "../contract/control";
import { writeWithRetry } from "../persistence/busy-retry";
import type { Database } from "../persistence/database";
import { LoginLimiter } from "./login-limiter";
import { dummyHash, hashPassword, verifyPassword } from "./password";
import { SESSION_LIFETIME_MS } from "./session-cookie";

export interface SignedIn {
  operator: OperatorInfo;
  token: string;
}

export type LoginResult = ({ ok: true } & SignedIn) | { ok: false; status: 401 | 429; retryAfterMs?: number };

interface CachedSession {
  operator: OperatorInfo;
  expiresAt: number;
  /**
   * In a fleet, when the store was last asked about this session; asked again after
   * SHARED_RECHECK_MS. One signed in on another node is looked up again (gone when signed
   * out there); one signed in here is asked whether another node signed it out.
   */
  sharedCheckedAt?: number;
  /** Signed in on this node (its row is in the local log). */
  local: boolean;
}

/**
 * Operators and sessions shared by the nodes of a fleet (server/fleet/shared-auth.ts). Without
 * one, a node signs in alone. Calls are best effort: a store that is away answers null and
 * the node goes on with what it has locally.
 */
export interface SharedAuthStore {
  publishOperator(op: { username: string; passwordHash: string; role: string }): Promise<void>;
  findOperator(username: string): Promise<{ username: string; passwordHash: string; role: string } | null>;
  publishSession(s: { tokenHash: string; username: string; role: string; expiresAt: number }): Promise<void>;
  findSession(
    tokenHash: string,
  ): Promise<{ tokenHash: string; username: string; role: string; expiresAt: number } | null>;
  endSession(tokenHash: string): Promise<void>;
  /** True only when the store answered that another node ended this session (sign-out there). */
  sessionEnded(tokenHash: string): Promise<boolean>;
}

/** How long a session is trusted before the shared store is asked again (a sign-out on another node). */
export const SHARED_RECHECK_MS = 30_000;

export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function toInfo(row: { id: number; username: string; role: string }): OperatorInfo {
  return { id: row.id, username: row.username, role: row.role === "viewer" ? "viewer" : "operator" };
}

export class AuthService {
  private readonly cache = new Map<string, CachedSession>();
  private readonly endedListeners = new Set<(tokenHash: string) => void>();
  private sweeper: ReturnType<typeof setInterval> | undefined;
  readonly limiter: LoginLimiter;

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
    private readonly shared?: SharedAuthStore,
  ) {
    this.limiter = new LoginLimiter({ maxFailures: 5, windowMs: 5 * 60 * 1000, now });
  }

  /** Creates the first admin from the environment when no operator exists yet. */
  async bootstrap(adminPassword: string | undefined): Promise<"created" | "exists" | "setup-needed"> {
    if ((await this.db.operator.count()) > 0) return "exists";
    if (!adminPassword) return "setup-needed";
    const passwordHash = await hashPassword(adminPassword);
    await writeWithRetry(this.db, () =>
      this.db.operator.create({ data: { username: "admin", passwordHash, role: "operator" } }),
    );
    return "created";
  }

  async setupNeeded(): Promise<boolean> {
    return (await this.db.operator.count()) === 0;
  }

  /** The first admin, from the setup page; refused once any operator exists. */
  async setup(body: { username: string; password: string }): Promise<SignedIn | null> {
    const passwordHash = await hashPassword(body.password);
    const created = await writeWithRetry(this.db, () =>
      this.db.$transaction(async (tx) => {
        if ((await tx.operator.count()) > 0) return null;
        return tx.operator.create({ data: { username: body.username, passwordHash, role: "operator" } });
      }),
    );
    if (!created) return null;
    await this.shared?.publishOperator(created);
    return this.startSession(toInfo(created));
  }

  async createOperator(body: NewOperatorBody): Promise<OperatorInfo | "exists"> {
    if (await this.db.operator.findUnique({ where: { username: body.username } })) return "exists";
    const passwordHash = await hashPassword(body.password);
    const row = await writeWithRetry(this.db, () =>
      this.db.operator.create({ data: { username: body.username, passwordHash, role: body.role } }),
    );
    await this.shared?.publishOperator(row);
    return toInfo(row);
  }

  /** `client` identifies the caller for rate limiting (its address). */
  async login(username: string, password: string, client: string): Promise<LoginResult> {
    const keys = [`ip:${client}`, `user:${username.toLowerCase()}`];
    const wait = this.limiter.retryAfterMs(keys);
    if (wait > 0) return { ok: false, status: 429, retryAfterMs: wait };
    const row =
      (await this.db.operator.findUnique({ where: { username } })) ?? (await this.sharedOperator(username));
    // Verify against a dummy hash for unknown users: the answer takes as long either way.
    const valid = await verifyPassword(password, row?.passwordHash ?? (await dummyHash()));
    if (!row || !valid) {
      this.limiter.fail(keys);
      return { ok: false, status: 401 };
    }
    this.limiter.succeed(keys);
    return { ok: true, ...(await this.startSession(toInfo(row))) };
  }

  /** The operator a session token belongs to, or null (unknown, expired). */
  async resolve(token: string | undefined): Promise<(OperatorInfo & { tokenHash: string }) | null> {
    if (!token || token.length > 200) return null;
    const tokenHash = hashToken(token);
    let session = this.cache.get(tokenHash);
    if (session && this.recheckDue(session)) {
      if (session.local) {
        if (await this.endedElsewhere(tokenHash, session)) return null;
      } else {
        this.cache.delete(tokenHash);
        session = undefined;
      }
    }
    if (!session) {
      const row = await this.db.session.findUnique({ where: { tokenHash }, include: { operator: true } });
      if (row) session = this.localSession(toInfo(row.operator), row.expiresAt.getTime());
      else session = await this.sharedSession(tokenHash);
      if (!session) return null;
      this.cache.set(tokenHash, session);
    }
    if (session.expiresAt <= this.now()) {
      await this.end(tokenHash);
      return null;
    }
    return { ...session.operator, tokenHash };
  }

  async logout(token: string | undefined): Promise<void> {
    if (token) await this.end(hashToken(token));
  }

  /** Told when a session ends (sign-out, expiry), so live streams on it can be closed. */
  onSessionEnded(listener: (tokenHash: string) => void): () => void {
    this.endedListeners.add(listener);
    return () => this.endedListeners.delete(listener);
  }

  /** Ends expired sessions once a minute. */
  startSweeping(): void {
    this.sweeper = setInterval(() => void this.sweep(), 60_000);
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
  }

  private async sweep(): Promise<void> {
    const now = this.now();
    for (const [tokenHash, s] of this.cache) {
      if (s.expiresAt <= now) await this.end(tokenHash);
      // A live stream alone makes no requests: its session is asked about here.
      else if (s.local && this.recheckDue(s)) await this.endedElsewhere(tokenHash, s);
    }
    await writeWithRetry(this.db, () =>
      this.db.session.deleteMany({ where: { expiresAt: { lte: new Date(now) } } }),
    );
  }

  /**
   * An operator known only to the fleet (created on another node): copied into the local
   * table so sessions can refer to it; null without a fleet or when the store does not know it.
   */
  private async sharedOperator(username: string) {
    const op = await this.shared?.findOperator(username);
    if (!op) return null;
    return writeWithRetry(this.db, () =>
      this.db.operator.upsert({
        where: { username },
        create: { username, passwordHash: op.passwordHash, role: op.role },
        update: {},
      }),
    );
  }

  /** A session signed in on another node: kept in memory only, asked again now and then. */
  private async sharedSession(tokenHash: string): Promise<CachedSession | undefined> {
    const s = await this.shared?.findSession(tokenHash);
    if (!s || s.expiresAt <= this.now()) return undefined;
    const local = await this.db.operator.findUnique({ where: { username: s.username } });
    const operator = local ? toInfo(local) : { id: 0, username: s.username, role: s.role };
    return {
      operator: { ...operator, role: s.role === "viewer" ? "viewer" : "operator" },
      expiresAt: s.expiresAt,
      sharedCheckedAt: this.now(),
      local: false,
    };
  }

  private localSession(operator: OperatorInfo, expiresAt: number): CachedSession {
    return { operator, expiresAt, local: true, sharedCheckedAt: this.shared ? this.now() : undefined };
  }

  private recheckDue(s: CachedSession): boolean {
    return s.sharedCheckedAt !== undefined && this.now() - s.sharedCheckedAt > SHARED_RECHECK_MS;
  }

  /**
   * A session of this node, signed out on another (which can only mark it in the store):
   * ended here too. A store that is away says nothing, and the session goes on.
   */
  private async endedElsewhere(tokenHash: string, s: CachedSession): Promise<boolean> {
    s.sharedCheckedAt = this.now();
    if (!(await this.shared?.sessionEnded(tokenHash))) return false;
    await this.end(tokenHash);
    return true;
  }

  private async startSession(operator: OperatorInfo): Promise<SignedIn> {
    const token = randomBytes(32).toString("base64url");
    const expiresAt = this.now() + SESSION_LIFETIME_MS;
    await writeWithRetry(this.db, () =>
      this.db.session.create({
        data: { tokenHash: hashToken(token), operatorId: operator.id, expiresAt: new Date(expiresAt) },
      }),
    );
    this.cache.set(hashToken(token), this.localSession(operator, expiresAt));
    await this.shared?.publishSession({
      tokenHash: hashToken(token),
      username: operator.username,
      role: operator.role,
      expiresAt,
    });
    return { operator, token };
  }

  private async end(tokenHash: string): Promise<void> {
    this.cache.delete(tokenHash);
    await writeWithRetry(this.db, () => this.db.session.deleteMany({ where: { tokenHash } }));
    await this.shared?.endSession(tokenHash);
    for (const l of this.endedListeners) l(tokenHash);
  }
}
