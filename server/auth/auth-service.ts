/**
 * Operators and their sessions. A session is a random 256-bit token in an HTTP-only,
 * SameSite=Strict cookie; only its SHA-256 is stored, so a copy of the database does
 * not sign anyone in. Sessions last 12 hours from sign-in and survive a restart.
 */
import { createHash, randomBytes } from "node:crypto";
import type { NewOperatorBody, OperatorInfo } from "../contract/control";
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
}

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
  ) {
    this.limiter = new LoginLimiter({ maxFailures: 5, windowMs: 5 * 60 * 1000, now });
  }

  /** Creates the first admin from the environment when no operator exists yet. */
  async bootstrap(adminPassword: string | undefined): Promise<"created" | "exists" | "setup-needed"> {
    if ((await this.db.operator.count()) > 0) return "exists";
    if (!adminPassword) return "setup-needed";
    await this.db.operator.create({
      data: { username: "admin", passwordHash: await hashPassword(adminPassword), role: "operator" },
    });
    return "created";
  }

  async setupNeeded(): Promise<boolean> {
    return (await this.db.operator.count()) === 0;
  }

  /** The first admin, from the setup page; refused once any operator exists. */
  async setup(body: { username: string; password: string }): Promise<SignedIn | null> {
    const passwordHash = await hashPassword(body.password);
    const created = await this.db.$transaction(async (tx) => {
      if ((await tx.operator.count()) > 0) return null;
      return tx.operator.create({ data: { username: body.username, passwordHash, role: "operator" } });
    });
    if (!created) return null;
    return this.startSession(toInfo(created));
  }

  async createOperator(body: NewOperatorBody): Promise<OperatorInfo | "exists"> {
    if (await this.db.operator.findUnique({ where: { username: body.username } })) return "exists";
    const row = await this.db.operator.create({
      data: { username: body.username, passwordHash: await hashPassword(body.password), role: body.role },
    });
    return toInfo(row);
  }

  /** `client` identifies the caller for rate limiting (its address). */
  async login(username: string, password: string, client: string): Promise<LoginResult> {
    const keys = [`ip:${client}`, `user:${username.toLowerCase()}`];
    const wait = this.limiter.retryAfterMs(keys);
    if (wait > 0) return { ok: false, status: 429, retryAfterMs: wait };
    const row = await this.db.operator.findUnique({ where: { username } });
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
    if (!session) {
      const row = await this.db.session.findUnique({ where: { tokenHash }, include: { operator: true } });
      if (!row) return null;
      session = { operator: toInfo(row.operator), expiresAt: row.expiresAt.getTime() };
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
    for (const [tokenHash, s] of this.cache) if (s.expiresAt <= now) await this.end(tokenHash);
    await this.db.session.deleteMany({ where: { expiresAt: { lte: new Date(now) } } });
  }

  private async startSession(operator: OperatorInfo): Promise<SignedIn> {
    const token = randomBytes(32).toString("base64url");
    const expiresAt = this.now() + SESSION_LIFETIME_MS;
    await this.db.session.create({
      data: { tokenHash: hashToken(token), operatorId: operator.id, expiresAt: new Date(expiresAt) },
    });
    this.cache.set(hashToken(token), { operator, expiresAt });
    return { operator, token };
  }

  private async end(tokenHash: string): Promise<void> {
    this.cache.delete(tokenHash);
    await this.db.session.deleteMany({ where: { tokenHash } });
    for (const l of this.endedListeners) l(tokenHash);
  }
}
