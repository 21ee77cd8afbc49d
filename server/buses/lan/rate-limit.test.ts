import { describe, expect, it } from "vitest";
import { LoginGuard, PerClientRateLimit } from "./rate-limit";

function clock(start = 50_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

/** How many of `n` datagrams right now get through. */
function burst(limit: PerClientRateLimit, client: string, n: number): number {
  let allowed = 0;
  for (let i = 0; i < n; i++) if (limit.allow(client)) allowed++;
  return allowed;
}

describe("PerClientRateLimit", () => {
  it("lets a new client send its burst at once, then nothing until tokens come back", () => {
    const c = clock();
    const limit = new PerClientRateLimit({ rate: 10, burst: 5, now: c.now });
    expect(burst(limit, "192.0.2.1", 8)).toBe(5);
    expect(limit.allow("192.0.2.1")).toBe(false);
  });

  it("refills at the rate, never above the burst", () => {
    const c = clock();
    const limit = new PerClientRateLimit({ rate: 10, burst: 5, now: c.now });
    burst(limit, "a", 5);
    c.t += 100; // 10/s: one token per 100 ms
    expect(burst(limit, "a", 3)).toBe(1);
    c.t += 250; // 2.5 tokens
    expect(burst(limit, "a", 3)).toBe(2);
    c.t += 50; // the half token left plus another half
    expect(burst(limit, "a", 3)).toBe(1);
    c.t += 60_000; // a minute idle: back to the burst, not 600
    expect(burst(limit, "a", 20)).toBe(5);
  });

  it("keeps clients apart", () => {
    const c = clock();
    const limit = new PerClientRateLimit({ rate: 1, burst: 2, now: c.now });
    expect(burst(limit, "a", 10)).toBe(2);
    expect(burst(limit, "b", 10)).toBe(2);
  });

  it("counts dropped datagrams per client and hands the count out once", () => {
    const c = clock();
    const limit = new PerClientRateLimit({ rate: 1, burst: 2, now: c.now });
    burst(limit, "a", 7);
    burst(limit, "b", 3);
    expect(limit.takeDropped("a")).toBe(5);
    expect(limit.takeDropped("a")).toBe(0);
    expect(limit.takeDropped("b")).toBe(1);
    expect(limit.takeDropped("never-seen")).toBe(0);
  });

  it("remembers at most maxClients addresses, forgetting the oldest first", () => {
    const c = clock();
    const limit = new PerClientRateLimit({ rate: 1, burst: 1, maxClients: 3, now: c.now });
    for (const client of ["a", "b", "c"]) expect(limit.allow(client)).toBe(true);
    expect(limit.allow("a")).toBe(false); // a's bucket is empty
    expect(limit.allow("a")).toBe(false);
    // A fourth address pushes out the oldest, "a": its empty bucket and drop count are gone.
    expect(limit.allow("d")).toBe(true);
    expect(limit.takeDropped("a")).toBe(0);
    expect(limit.allow("a")).toBe(true); // a fresh bucket (and now "b" was pushed out)
    expect(limit.takeDropped("b")).toBe(0);
    expect(limit.allow("b")).toBe(true);
  });

  it("stays bounded under thousands of spoofed addresses", () => {
    const c = clock();
    const limit = new PerClientRateLimit({ rate: 1, burst: 1, maxClients: 100, now: c.now });
    for (let i = 0; i < 5_000; i++) limit.allow(`10.0.${i >> 8}.${i & 0xff}`);
    const size = (limit as unknown as { buckets: Map<string, unknown> }).buckets.size;
    expect(size).toBe(100);
  });
});

describe("LoginGuard", () => {
  const options = { maxFailures: 3, windowMs: 10_000, lockoutMs: 30_000 };

  it("locks a client out after maxFailures within the window, for lockoutMs", () => {
    const c = clock();
    const guard = new LoginGuard({ ...options, now: c.now });
    expect(guard.lockedFor("a")).toBe(0);
    expect(guard.failed("a")).toBe(false);
    c.t += 1_000;
    expect(guard.failed("a")).toBe(false);
    expect(guard.lockedFor("a")).toBe(0);
    c.t += 1_000;
    expect(guard.failed("a")).toBe(true); // the third: locked from now
    expect(guard.lockedFor("a")).toBe(30_000);
    expect(guard.lockedFor("b")).toBe(0);
    c.t += 12_345;
    expect(guard.lockedFor("a")).toBe(30_000 - 12_345);
  });

  it("unlocks after the lockout", () => {
    const c = clock();
    const guard = new LoginGuard({ ...options, now: c.now });
    for (let i = 0; i < 3; i++) guard.failed("a");
    c.t += 30_000;
    expect(guard.lockedFor("a")).toBe(0);
    // The failures that locked it were cleared: it takes three new ones to lock it again.
    expect(guard.failed("a")).toBe(false);
    expect(guard.failed("a")).toBe(false);
    expect(guard.failed("a")).toBe(true);
  });

  it("does not lock on failures spread wider than the window", () => {
    const c = clock();
    const guard = new LoginGuard({ ...options, now: c.now });
    for (let i = 0; i < 10; i++) {
      expect(guard.failed("a")).toBe(false);
      c.t += 5_001; // at most two failures within any 10 s
    }
    expect(guard.lockedFor("a")).toBe(0);
  });

  it("does not report a lock again while already locked", () => {
    const c = clock();
    const guard = new LoginGuard({ ...options, now: c.now });
    for (let i = 0; i < 3; i++) guard.failed("a");
    const until = guard.lockedFor("a");
    for (let i = 0; i < 5; i++) expect(guard.failed("a")).toBe(false);
    // Failures during the lockout do not extend it.
    expect(guard.lockedFor("a")).toBe(until);
  });

  it("clears a client's failures on a successful login", () => {
    const c = clock();
    const guard = new LoginGuard({ ...options, now: c.now });
    guard.failed("a");
    guard.failed("a");
    guard.succeeded("a");
    expect(guard.failed("a")).toBe(false);
    expect(guard.failed("a")).toBe(false);
    expect(guard.lockedFor("a")).toBe(0);
    expect(guard.failed("a")).toBe(true);
  });

  it("keeps clients apart", () => {
    const c = clock();
    const guard = new LoginGuard({ ...options, now: c.now });
    guard.failed("a");
    guard.failed("b");
    guard.failed("a");
    expect(guard.failed("b")).toBe(false);
    expect(guard.failed("a")).toBe(true);
    expect(guard.lockedFor("b")).toBe(0);
  });

  it("remembers at most maxClients addresses", () => {
    const c = clock();
    const guard = new LoginGuard({ ...options, maxClients: 50, now: c.now });
    for (let i = 0; i < 2_000; i++) guard.failed(`10.1.${i >> 8}.${i & 0xff}`);
    const size = (guard as unknown as { clients: Map<string, unknown> }).clients.size;
    expect(size).toBe(50);
  });
});
