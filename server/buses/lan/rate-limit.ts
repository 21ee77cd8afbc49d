/**
 * Two guards of the LAN port, per client address:
 * - a token bucket over every datagram, so one client flooding the port is cut to its
 *   share and the others keep being answered;
 * - failed logins: after `maxFailures` within `windowMs`, new logins from that address
 *   are refused for `lockoutMs` (password guessing gets slow, and the log says so).
 *
 * Both maps are bounded: the oldest entries go first, so spoofed source addresses cannot
 * grow them without limit.
 */

export interface TokenBucketOptions {
  /** Datagrams per second a client may send on average. */
  rate: number;
  /** How many it may send at once. */
  burst: number;
  /** Addresses remembered at most. */
  maxClients?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  at: number;
  dropped: number;
}

export class PerClientRateLimit {
  private readonly buckets = new Map<string, Bucket>();
  private readonly now: () => number;
  private readonly maxClients: number;

  constructor(private readonly options: TokenBucketOptions) {
    this.now = options.now ?? Date.now;
    this.maxClients = options.maxClients ?? 4096;
  }

  /** Takes one token for `client`; false when its bucket is empty (the datagram is dropped). */
  allow(client: string): boolean {
    const now = this.now();
    let b = this.buckets.get(client);
    if (!b) {
      b = { tokens: this.options.burst, at: now, dropped: 0 };
      this.buckets.set(client, b);
      if (this.buckets.size > this.maxClients) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    } else {
      b.tokens = Math.min(this.options.burst, b.tokens + ((now - b.at) / 1000) * this.options.rate);
      b.at = now;
    }
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return true;
    }
    b.dropped++;
    return false;
  }

  /** Milliseconds until `client` has a token again (0 when it has one now). */
  retryInMs(client: string): number {
    const b = this.buckets.get(client);
    if (!b) return 0;
    const tokens = Math.min(this.options.burst, b.tokens + ((this.now() - b.at) / 1000) * this.options.rate);
    return tokens >= 1 ? 0 : Math.ceil(((1 - tokens) / this.options.rate) * 1000);
  }

  /** Forgets `client` (a connection that closed), so per-connection keys do not pile up. */
  forget(client: string): void {
    this.buckets.delete(client);
  }

  get size(): number {
    return this.buckets.size;
  }

  /** Datagrams dropped for `client` since the last call (for one log record per burst, not one per datagram). */
  takeDropped(client: string): number {
    const b = this.buckets.get(client);
    if (!b) return 0;
    const n = b.dropped;
    b.dropped = 0;
    return n;
  }
}

export interface LoginGuardOptions {
  maxFailures: number;
  windowMs: number;
  lockoutMs: number;
  maxClients?: number;
  now?: () => number;
}

interface Failures {
  times: number[];
  lockedUntil: number;
}

export class LoginGuard {
  private readonly clients = new Map<string, Failures>();
  private readonly now: () => number;

  constructor(private readonly options: LoginGuardOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds `client` must still wait before a new login; 0 when it may try. */
  lockedFor(client: string): number {
    const f = this.clients.get(client);
    if (!f) return 0;
    return Math.max(0, f.lockedUntil - this.now());
  }

  /** A failed login from `client`; true when this failure locked it out. */
  failed(client: string): boolean {
    const now = this.now();
    let f = this.clients.get(client);
    if (!f) {
      f = { times: [], lockedUntil: 0 };
      this.clients.set(client, f);
      if (this.clients.size > (this.options.maxClients ?? 4096)) {
        const oldest = this.clients.keys().next().value;
        if (oldest !== undefined) this.clients.delete(oldest);
      }
    }
    f.times = f.times.filter((t) => now - t <= this.options.windowMs);
    f.times.push(now);
    if (f.times.length >= this.options.maxFailures && f.lockedUntil <= now) {
      f.lockedUntil = now + this.options.lockoutMs;
      f.times = [];
      return true;
    }
    return false;
  }

  /** A successful login clears the address's failures. */
  succeeded(client: string): void {
    this.clients.delete(client);
  }
}
