import { describe, expect, it } from "vitest";
import { CommandLimit } from "./command-limit";

function limit(rate = 10, burst = 20) {
  const clock = { t: 0 };
  const runs: string[] = [];
  const l = new CommandLimit({ rate, burst, now: () => clock.t }, (c, e) => runs.push(`${c}:${e}`));
  return { l, clock, runs };
}

/** A stand-in for a socket.io server socket: its middleware and its disconnect listener. */
function fakeSocket(id: string) {
  let middleware: ((packet: [string, ...unknown[]], next: (err?: Error) => void) => void) | undefined;
  const listeners: (() => void)[] = [];
  return {
    id,
    use(fn: (packet: [string, ...unknown[]], next: (err?: Error) => void) => void) {
      middleware = fn;
      return this;
    },
    on(_event: "disconnect", fn: () => void) {
      listeners.push(fn);
      return this;
    },
    /** Delivers an event; true when the middleware let it through to the handlers. */
    deliver(packet: [string, ...unknown[]]): boolean {
      let passed = false;
      middleware!(packet, () => {
        passed = true;
      });
      return passed;
    },
    disconnect() {
      for (const l of listeners) l();
    },
  };
}

describe("per-connection command limit", () => {
  it("lets a burst through, then refuses with the limit and when to retry", () => {
    const { l } = limit(10, 20);
    for (let i = 0; i < 20; i++) expect(l.check("a", "setFilter").ok).toBe(true);
    const refused = l.check("a", "setFilter");
    expect(refused).toEqual({
      ok: false,
      error: "rate limited: at most 10 commands per second; retry in 100 ms",
      retryInMs: 100,
    });
  });

  it("refills at the rate: after the retry time the next command goes through", () => {
    const { l, clock } = limit(10, 20);
    for (let i = 0; i < 20; i++) l.check("a", "input");
    const refused = l.check("a", "input");
    expect(refused.ok).toBe(false);
    clock.t += refused.ok ? 0 : refused.retryInMs;
    expect(l.check("a", "input").ok).toBe(true);
    expect(l.check("a", "input").ok).toBe(false);
  });

  it("limits each connection on its own: a flood on one leaves the other untouched", () => {
    const { l } = limit(10, 20);
    for (let i = 0; i < 5000; i++) l.check("flood", "setFilter");
    for (let i = 0; i < 20; i++) expect(l.check("quiet", "setFilter").ok).toBe(true);
    expect(l.refused).toBe(5000 - 20);
  });

  it("reports one run of refusals once, and a new run after a command went through", () => {
    const { l, clock, runs } = limit(10, 1);
    for (let i = 0; i < 100; i++) l.check("a", "claim");
    expect(runs).toEqual(["a:claim"]);
    clock.t += 100;
    expect(l.check("a", "claim").ok).toBe(true);
    l.check("a", "input");
    expect(runs).toEqual(["a:claim", "a:input"]);
  });

  it("as middleware: refuses into the ack, drops events without one, forgets the socket on disconnect", () => {
    const { l } = limit(10, 2);
    const s = fakeSocket("s1");
    l.guard(s, (event) => (event === "setFilter" ? { position: 0 } : {}));
    const acks: unknown[] = [];
    expect(s.deliver(["setFilter", "x", (r: unknown) => acks.push(r)])).toBe(true);
    expect(s.deliver(["release"])).toBe(true);
    expect(s.deliver(["setFilter", "y", (r: unknown) => acks.push(r)])).toBe(false);
    expect(s.deliver(["release"])).toBe(false);
    expect(s.deliver(["input", "z", (r: unknown) => acks.push(r)])).toBe(false);
    expect(acks).toEqual([
      {
        position: 0,
        ok: false,
        error: expect.stringMatching(/^rate limited: at most 10 commands per second; retry in \d+ ms$/),
        retryInMs: expect.any(Number),
      },
      { ok: false, error: expect.stringMatching(/^rate limited/), retryInMs: expect.any(Number) },
    ]);
    expect(l.connections).toBe(1);
    s.disconnect();
    expect(l.connections).toBe(0);
  });

  it("keeps no state for hundreds of connections that came and went", () => {
    const { l } = limit();
    for (let i = 0; i < 500; i++) {
      const s = fakeSocket(`c${i}`);
      l.guard(s);
      s.deliver(["setFilter", ""]);
      s.disconnect();
    }
    expect(l.connections).toBe(0);
  });
});
