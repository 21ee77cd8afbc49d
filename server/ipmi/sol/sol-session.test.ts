/**
 * The BMC's side of one SOL payload instance (15.9) on a fake clock: accumulation
 * (interval and threshold, parameter 3), one packet outstanding, resends and giving up
 * (parameter 4), partial acks, NACK pauses, acks of the console's packets, duplicates,
 * operations. The console's packets are what ipmitool's lanplus.c sends.
 */
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { NO_OPERATION, type SolBmcPacket, type SolConsolePacket, type SolOperation } from "./sol-packet";
import { type SolOutput, SolSession, type SolSessionOptions } from "./sol-session";

let t = 0;
const now = () => t;
const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

function session(o: Partial<SolSessionOptions> = {}): SolSession {
  return new SolSession({
    accumulateIntervalMs: 60,
    sendThreshold: 8,
    retryCount: 2,
    retryIntervalMs: 500,
    maxOutbound: 250,
    maxInbound: 250,
    now,
    ...o,
  });
}

/** ipmitool's ack_sol_packet: seq 0, the packet's seq, its length. */
const ack = (seq: number, count: number, op: Partial<SolOperation> = {}): SolConsolePacket => ({
  seq: 0,
  ackSeq: seq,
  acceptedCount: count,
  op: { ...NO_OPERATION, ...op },
  data: new Uint8Array(0),
});
/** ipmitool's ipmi_lanplus_send_sol: a new seq, acks nothing. */
const keys = (seq: number, s: string, op: Partial<SolOperation> = {}): SolConsolePacket => ({
  seq,
  ackSeq: 0,
  acceptedCount: 0,
  op: { ...NO_OPERATION, ...op },
  data: text(s),
});
const sent = (o: SolOutput) => o.toConsole.map((p: SolBmcPacket) => [p.seq, str(p.data)]);

beforeEach(() => {
  t = 1000;
});

describe("character accumulation (parameter 3)", () => {
  it("holds characters below the threshold until the accumulate interval since the first", () => {
    const s = session();
    expect(s.fromHost(text("lo")).toConsole).toEqual([]);
    expect(s.nextDeadline()).toBe(1060);
    t = 1030;
    expect(s.fromHost(text("gin")).toConsole).toEqual([]);
    expect(s.nextDeadline()).toBe(1060); // from the first character, not the last
    t = 1059;
    expect(s.tick().toConsole).toEqual([]);
    t = 1060;
    expect(sent(s.tick())).toEqual([[1, "login"]]);
  });

  it("sends at once when the threshold is reached", () => {
    const s = session();
    expect(sent(s.fromHost(text("1234567")))).toEqual([]);
    expect(sent(s.fromHost(text("8")))).toEqual([[1, "12345678"]]);
  });

  it("never puts more than the maximum packet size in one packet; the rest follows the ack", () => {
    const s = session({ maxOutbound: 4, sendThreshold: 1 });
    expect(sent(s.fromHost(text("abcdefghij")))).toEqual([[1, "abcd"]]);
    expect(sent(s.fromConsole(ack(1, 4)))).toEqual([[2, "efgh"]]);
    expect(sent(s.fromConsole(ack(2, 4)))).toEqual([[3, "ij"]]);
    expect(sent(s.fromConsole(ack(3, 2)))).toEqual([]);
    expect(s.nextDeadline()).toBeUndefined();
  });

  it("keeps one packet outstanding: characters arriving meanwhile wait for its ack", () => {
    const s = session({ sendThreshold: 1 });
    expect(sent(s.fromHost(text("a")))).toEqual([[1, "a"]]);
    expect(sent(s.fromHost(text("bc")))).toEqual([]);
    t = 1100; // past the accumulate interval, but a packet is outstanding
    expect(sent(s.tick())).toEqual([]);
    expect(sent(s.fromConsole(ack(1, 1)))).toEqual([[2, "bc"]]);
  });
});

describe("sequence numbers", () => {
  it("counts 1..15 and wraps to 1, never 0 for data", () => {
    const s = session({ sendThreshold: 1 });
    const seqs: number[] = [];
    for (let i = 0; i < 17; i++) {
      const [p] = s.fromHost(text("x")).toConsole;
      seqs.push(p!.seq);
      s.fromConsole(ack(p!.seq, 1));
    }
    expect(seqs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 1, 2]);
  });
});

describe("resends (parameter 4)", () => {
  it("resends the same packet every retry interval, then drops it and reports the console lost", () => {
    const s = session({ sendThreshold: 1, retryCount: 2, retryIntervalMs: 500 });
    expect(sent(s.fromHost(text("a")))).toEqual([[1, "a"]]);
    expect(s.nextDeadline()).toBe(1500);
    t = 1499;
    expect(s.tick().toConsole).toEqual([]);
    t = 1500;
    expect(sent(s.tick())).toEqual([[1, "a"]]);
    expect(s.nextDeadline()).toBe(2000);
    t = 2000;
    expect(sent(s.tick())).toEqual([[1, "a"]]);
    t = 2500;
    const gone = s.tick();
    expect(gone.toConsole).toEqual([]);
    expect(gone.events).toEqual([{ kind: "console-lost", seq: 1, dropped: 1 }]);
    expect(s.nextDeadline()).toBeUndefined();
    // The next characters go with the next sequence number.
    expect(sent(s.fromHost(text("b")))).toEqual([[2, "b"]]);
  });

  it("with retry count 0 waits one interval after the only transmission", () => {
    const s = session({ sendThreshold: 1, retryCount: 0 });
    s.fromHost(text("a"));
    t = 1500;
    expect(s.tick().events).toEqual([{ kind: "console-lost", seq: 1, dropped: 1 }]);
  });

  it("stops resending once acked, and ignores an ack of another packet", () => {
    const s = session({ sendThreshold: 1 });
    s.fromHost(text("a"));
    expect(s.fromConsole(ack(5, 1)).toConsole).toEqual([]);
    expect(s.state.outstanding).toEqual({ seq: 1, length: 1, paused: false });
    s.fromConsole(ack(1, 1));
    expect(s.state.outstanding).toBeNull();
    t = 5000;
    expect(s.tick()).toEqual({ toConsole: [], toHost: [], events: [] });
  });
});

describe("partial acks and NACKs", () => {
  it("resends what the console did not accept, in a new packet", () => {
    const s = session({ sendThreshold: 1 });
    s.fromHost(text("hello"));
    expect(sent(s.fromConsole(ack(1, 2)))).toEqual([[2, "llo"]]);
    expect(sent(s.fromConsole(ack(2, 3)))).toEqual([]);
  });

  it("pauses on a NACK (no resends), and sends the rest after the console's ACK", () => {
    const s = session({ sendThreshold: 1 });
    s.fromHost(text("hello"));
    expect(sent(s.fromConsole(ack(1, 1, { nack: true })))).toEqual([]);
    expect(s.state.outstanding).toEqual({ seq: 1, length: 4, paused: true });
    expect(s.nextDeadline()).toBeUndefined();
    t = 9000;
    expect(s.tick().toConsole).toEqual([]);
    s.fromHost(text("!"));
    expect(sent(s.fromConsole(ack(1, 0)))).toEqual([[2, "ello"]]);
    expect(sent(s.fromConsole(ack(2, 4)))).toEqual([[3, "!"]]);
  });
});

describe("the console's packets", () => {
  it("writes their characters to the host and acks with the count accepted", () => {
    const s = session();
    const o = s.fromConsole(keys(1, "ls\r"));
    expect(o.toHost.map(str)).toEqual(["ls\r"]);
    expect(o.toConsole).toEqual([
      {
        seq: 0,
        ackSeq: 1,
        acceptedCount: 3,
        status: expect.objectContaining({ nack: false }),
        data: new Uint8Array(0),
      },
    ]);
  });

  it("accepts at most the inbound size and says so in the count (the console resends the rest)", () => {
    const s = session({ maxInbound: 2 });
    const o = s.fromConsole(keys(1, "abc"));
    expect(o.toHost.map(str)).toEqual(["ab"]);
    expect(o.toConsole[0]).toMatchObject({ seq: 0, ackSeq: 1, acceptedCount: 2 });
    // ipmitool resends "c" with its next sequence number.
    expect(s.fromConsole(keys(2, "c")).toHost.map(str)).toEqual(["c"]);
  });

  it("acks a repeated packet again without writing its characters twice or repeating its break", () => {
    const s = session();
    const first = s.fromConsole(keys(3, "y", { generateBreak: true }));
    expect(first.toHost.map(str)).toEqual(["y"]);
    expect(first.events).toEqual([{ kind: "break" }]);
    const again = s.fromConsole(keys(3, "y", { generateBreak: true }));
    expect(again.toHost).toEqual([]);
    expect(again.events).toEqual([]);
    expect(again.toConsole[0]).toMatchObject({ seq: 0, ackSeq: 3, acceptedCount: 1 });
    expect(s.fromConsole(keys(4, "y")).toHost.map(str)).toEqual(["y"]);
  });

  it("carries an ack of ours and characters of its own in one packet", () => {
    const s = session({ sendThreshold: 1 });
    s.fromHost(text("a"));
    const o = s.fromConsole({ ...keys(1, "b"), ackSeq: 1, acceptedCount: 1 });
    expect(o.toHost.map(str)).toEqual(["b"]);
    expect(s.state.outstanding).toBeNull();
  });

  it("reports flushes and modem-line changes; the lines are levels, reported when they change", () => {
    const s = session({ sendThreshold: 1 });
    s.fromHost(text("abc"));
    s.fromHost(text("def"));
    const flush = s.fromConsole(keys(1, "", { flushOutbound: true, flushInbound: true }));
    expect(flush.events).toEqual([{ kind: "flush-outbound", dropped: 6 }, { kind: "flush-inbound" }]);
    expect(s.state).toEqual({ pending: 0, outstanding: null });
    expect(s.fromConsole(keys(2, "", { ctsPause: true })).events).toEqual([
      { kind: "modem", ctsPause: true, dropDcdDsr: false, ring: false },
    ]);
    expect(s.fromConsole(keys(3, "", { ctsPause: true })).events).toEqual([]);
    expect(s.fromConsole(ack(0, 0)).events).toEqual([
      { kind: "modem", ctsPause: false, dropDcdDsr: false, ring: false },
    ]);
    // The flushed packet's number is not reused.
    expect(sent(s.fromHost(text("g")))).toEqual([[2, "g"]]);
  });
});

describe("status bits (table 15-3)", () => {
  it("reports an overrun and a break on the next data packet only, and repeats them on its resend", () => {
    const s = session({ sendThreshold: 1, bufferLimit: 4 });
    s.hostBreak();
    const [p] = s.fromHost(text("abcdef")).toConsole;
    expect(str(p!.data)).toBe("abcd");
    expect(p!.status).toMatchObject({ transmitOverrun: true, breakDetected: true });
    t = 1500;
    expect(s.tick().toConsole[0]!.status).toMatchObject({ transmitOverrun: true, breakDetected: true });
    const [q] = s.fromConsole(ack(1, 4)).toConsole;
    expect(q).toBeUndefined();
    const [r] = s.fromHost(text("g")).toConsole;
    expect(r!.status).toMatchObject({ transmitOverrun: false, breakDetected: false });
  });

  it("says SOL is deactivating on close, and then does nothing", () => {
    const s = session({ sendThreshold: 1 });
    s.setTransferUnavailable(true);
    const [bye] = s.close().toConsole;
    expect(bye).toMatchObject({ seq: 0, status: { deactivating: true, transferUnavailable: true } });
    expect(s.fromHost(text("x")).toConsole).toEqual([]);
    expect(s.fromConsole(keys(1, "y")).toHost).toEqual([]);
    expect(s.nextDeadline()).toBeUndefined();
  });
});

describe("delivery (fast-check)", () => {
  it("every host byte reaches the console once and in order, whatever the chunking, timing and partial acks", () => {
    const step = fc.oneof(
      fc.record({
        kind: fc.constant("host" as const),
        bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }),
      }),
      fc.record({ kind: fc.constant("time" as const), ms: fc.integer({ min: 0, max: 100 }) }),
      fc.record({ kind: fc.constant("ack" as const), fraction: fc.double({ min: 0, max: 1, noNaN: true }) }),
    );
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 60 }),
        fc.integer({ min: 1, max: 32 }),
        fc.integer({ min: 1, max: 16 }),
        (steps, threshold, maxOutbound) => {
          t = 0;
          const s = session({
            sendThreshold: threshold,
            maxOutbound,
            retryIntervalMs: 10_000,
            retryCount: 7,
          });
          const written: number[] = [];
          const received: number[] = [];
          let last: SolBmcPacket | undefined;
          const take = (o: SolOutput) => {
            for (const p of o.toConsole) if (p.seq !== 0) last = p;
          };
          for (const st of steps) {
            if (st.kind === "host") {
              written.push(...st.bytes);
              take(s.fromHost(st.bytes));
            } else if (st.kind === "time") {
              t += st.ms;
              take(s.tick());
            } else if (last) {
              const accepted = Math.floor(st.fraction * last.data.length);
              received.push(...last.data.subarray(0, accepted));
              const p = last;
              last = undefined;
              take(s.fromConsole(ack(p.seq, accepted)));
            }
          }
          // Then the console accepts everything until nothing is left.
          for (let i = 0; i < 10_000 && (last || s.state.pending > 0); i++) {
            if (last) {
              received.push(...last.data);
              const p = last;
              last = undefined;
              take(s.fromConsole(ack(p.seq, p.data.length)));
            } else {
              t += 1000;
              take(s.tick());
            }
          }
          expect(received).toEqual(written);
        },
      ),
    );
  });
});
