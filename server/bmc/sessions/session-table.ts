/**
 * The BMC's LAN sessions (IPMI 2.0 sections 6.12, 13.14): who is logged in, at which
 * privilege, from where, with what protection. The LAN bus finds a packet's session here
 * and checks its AuthCode and sequence number with what the session holds; the session
 * commands (Get Session Info, Close Session, Set Session Privilege Level) and the
 * dashboard read and change it.
 *
 * Limits are this product's choice where the spec leaves them open: at most `limit`
 * sessions per channel (Get Session Info reports it; 6.12.14 asks for at least 4 on a
 * LAN channel), closed after `idleTimeoutMs` without a message (6.12.15: "a session
 * inactivity timeout ... BMC implementation-specific", 60 s by default here).
 */

import type { Privilege } from "../../ipmi/commands/define";
import type { InboundSequenceWindow } from "../../ipmi/lan/auth15";
import { type RandomSource, randomNonZero32 } from "../../ipmi/lan/auth15";
import type { SessionCrypto } from "../../ipmi/lan/crypto";

/** IPMI privilege level numbers (table 6-1) by this product's names. */
export const PRIVILEGE_NUMBER: Readonly<Record<Privilege, number>> = {
  none: 0,
  callback: 1,
  user: 2,
  operator: 3,
  admin: 4,
};

const PRIVILEGE_BY_NUMBER: readonly Privilege[] = ["none", "callback", "user", "operator", "admin"];

/** The privilege name of a level number; OEM (5) counts as administrator here. */
export function privilegeName(level: number): Privilege {
  return PRIVILEGE_BY_NUMBER[Math.min(level, 4)] ?? "none";
}

/** How an IPMI 1.5 session protects its messages (table 13-8: MD5 or straight password). */
export interface Session15Protection {
  kind: "ipmi-1.5";
  /** Authentication type of every message after activation. */
  authType: number;
  /** The user's password as the AuthCode needs it (16 bytes, zero padded). */
  password: Uint8Array;
}

/** How an RMCP+ session protects its messages (13.28). */
export interface RmcpPlusProtection {
  kind: "rmcp+";
  cipherSuite: number;
  /** The remote console's session ID: the ID the BMC puts in the packets it sends. */
  consoleSessionId: number;
  crypto: SessionCrypto;
}

export interface LanSession {
  /** The BMC's session ID (what the console puts in its packets). */
  readonly id: number;
  /** 1..limit, as Get Session Info and Close Session name sessions. */
  readonly handle: number;
  readonly channel: number;
  /** "127.0.0.1:50123". */
  readonly peer: string;
  readonly address: string;
  readonly port: number;
  readonly userId: number;
  readonly userName: string;
  /** Highest level the session may switch to (the activation's grant). */
  readonly maxPrivilege: number;
  /** The operating level (Set Session Privilege Level changes it). */
  privilege: number;
  readonly protection: Session15Protection | RmcpPlusProtection;
  /** The console's sequence numbers seen so far. */
  readonly inbound: InboundSequenceWindow;
  /** The next sequence number the BMC sends. */
  outboundSequence: number;
  readonly createdAt: number;
  lastActivity: number;
  closed: boolean;
}

export type NewSession = Omit<LanSession, "id" | "handle" | "createdAt" | "lastActivity" | "closed">;

export type SessionChange =
  | { kind: "opened"; session: LanSession }
  | { kind: "changed"; session: LanSession }
  | { kind: "closed"; session: LanSession; reason: string };

export interface SessionTableOptions {
  /** Sessions per channel; default 8. */
  limit?: number;
  /** Idle time after which a session is closed; default 60 s. */
  idleTimeoutMs?: number;
  /** Monotonic-enough clock in ms (Date.now by default). */
  now?: () => number;
  random?: RandomSource;
}

export class SessionTable {
  readonly limit: number;
  readonly idleTimeoutMs: number;
  private readonly byId = new Map<number, LanSession>();
  private readonly listeners = new Set<(c: SessionChange) => void>();
  private readonly now: () => number;
  private readonly random: RandomSource | undefined;
  private sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(options: SessionTableOptions = {}) {
    this.limit = options.limit ?? 8;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
    this.now = options.now ?? Date.now;
    this.random = options.random;
  }

  /** A fresh session ID nobody uses (the pending handshakes' IDs come from here too). */
  newId(taken: (id: number) => boolean = () => false): number {
    for (;;) {
      const id = randomNonZero32(this.random);
      if (!this.byId.has(id) && !taken(id)) return id;
    }
  }

  /** Whether another session fits on `channel`. */
  hasRoom(channel: number): boolean {
    return this.count(channel) < this.limit;
  }

  /** Opens a session; undefined when the channel is full. */
  open(s: NewSession & { id: number }): LanSession | undefined {
    this.sweep();
    if (!this.hasRoom(s.channel)) return undefined;
    const handles = new Set(this.list(s.channel).map((x) => x.handle));
    let handle = 1;
    while (handles.has(handle)) handle++;
    const now = this.now();
    const session: LanSession = { ...s, handle, createdAt: now, lastActivity: now, closed: false };
    this.byId.set(session.id, session);
    this.emit({ kind: "opened", session });
    return session;
  }

  get(id: number): LanSession | undefined {
    return this.byId.get(id);
  }

  byHandle(channel: number, handle: number): LanSession | undefined {
    for (const s of this.byId.values()) if (s.channel === channel && s.handle === handle) return s;
    return undefined;
  }

  /** Active sessions, oldest first (optionally of one channel). */
  list(channel?: number): LanSession[] {
    const all = [...this.byId.values()];
    return channel === undefined ? all : all.filter((s) => s.channel === channel);
  }

  count(channel: number): number {
    let n = 0;
    for (const s of this.byId.values()) if (s.channel === channel) n++;
    return n;
  }

  /** A message of the session arrived: its idle clock restarts. */
  touch(s: LanSession): void {
    s.lastActivity = this.now();
  }

  setPrivilege(s: LanSession, level: number): void {
    s.privilege = level;
    this.emit({ kind: "changed", session: s });
  }

  /** Closes a session; false when it was not open. */
  close(id: number, reason: string): boolean {
    const s = this.byId.get(id);
    if (!s) return false;
    this.byId.delete(id);
    s.closed = true;
    this.emit({ kind: "closed", session: s, reason });
    return true;
  }

  /** Closes sessions idle longer than the timeout. */
  sweep(): void {
    const now = this.now();
    for (const s of [...this.byId.values()]) {
      if (now - s.lastActivity > this.idleTimeoutMs) {
        this.close(s.id, `idle for more than ${Math.round(this.idleTimeoutMs / 1000)} s`);
      }
    }
  }

  /** Sweeps every second until stop(). */
  startSweeping(): void {
    this.sweeper ??= setInterval(() => this.sweep(), 1000);
    this.sweeper.unref?.();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  onChange(listener: (c: SessionChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(c: SessionChange): void {
    for (const l of this.listeners) {
      try {
        l(c);
      } catch {
        // A listener's bug must not leave the table half-changed.
      }
    }
  }
}
