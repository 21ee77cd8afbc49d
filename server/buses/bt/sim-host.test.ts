import { afterEach, describe, expect, it, vi } from "vitest";
import { decodeBtRequest, encodeBtResponse } from "./bt-codec";
import { BOOT_SEQUENCE } from "./host-script";
import { SimulatedHost } from "./sim-host";

/** A BMC end that answers every frame with 00h at once and records what it saw. */
function answerAll(host: SimulatedHost) {
  const seen: { seq: number; netFn: number; cmd: number }[] = [];
  let outstanding = 0;
  let maxOutstanding = 0;
  host.onFrame((frame) => {
    const d = decodeBtRequest(frame);
    if (!d.ok) throw new Error(d.malformed.reason);
    seen.push({ seq: d.message.seq, netFn: d.message.netFn, cmd: d.message.cmd });
    outstanding++;
    maxOutstanding = Math.max(maxOutstanding, outstanding);
    const { netFn, lun, seq, cmd } = d.message;
    outstanding--;
    expect(
      host.write(encodeBtResponse({ netFn: netFn | 1, lun, seq, cmd, cc: 0, data: new Uint8Array() })),
    ).toBe("sent");
  });
  return { seen, maxOutstanding: () => maxOutstanding };
}

afterEach(() => vi.useRealTimers());

describe("simulated host", () => {
  it("plays the Linux driver's boot probing first, then the steady mix, with BT sequence numbers", async () => {
    const host = new SimulatedHost({ rate: Number.POSITIVE_INFINITY, limit: 300 });
    const bmc = answerAll(host);
    await host.open();
    await host.done();
    expect(bmc.seen).toHaveLength(300);
    expect(bmc.seen.slice(0, BOOT_SEQUENCE.length).map((r) => [r.netFn, r.cmd])).toEqual(
      BOOT_SEQUENCE.map((r) => [r.netFn, r.cmd]),
    );
    expect(bmc.seen.map((r) => r.seq)).toEqual(Array.from({ length: 300 }, (_, i) => i & 0xff));
    const cmds = new Set(bmc.seen.map((r) => `${r.netFn}:${r.cmd}`));
    for (const k of ["6:49", "6:34", "0:1", "4:45", "10:68"]) expect(cmds).toContain(k);
    expect(host.stats).toMatchObject({ sent: 300, answered: 300, timedOut: 0, mismatched: 0 });
    expect(host.stats.byCompletionCode).toEqual({ "00": 300 });
  });

  it("keeps one request outstanding: the next goes out only after the answer", async () => {
    vi.useFakeTimers();
    const host = new SimulatedHost({ rate: 1000, limit: 5 });
    const frames: Uint8Array[] = [];
    host.onFrame((f) => frames.push(f));
    await host.open();
    await vi.advanceTimersByTimeAsync(50);
    expect(frames).toHaveLength(1);
    const d = decodeBtRequest(frames[0]!);
    if (!d.ok) throw new Error("bad frame");
    host.write(encodeBtResponse({ ...d.message, netFn: d.message.netFn | 1, cc: 0 }));
    await vi.advanceTimersByTimeAsync(50);
    expect(frames).toHaveLength(2);
    await host.close();
  });

  it("gives up on an unanswered request after its timeout and goes on", async () => {
    vi.useFakeTimers();
    const host = new SimulatedHost({ rate: 1000, limit: 2, hostTimeoutMs: 5000 });
    const frames: Uint8Array[] = [];
    host.onFrame((f) => frames.push(f));
    await host.open();
    await vi.advanceTimersByTimeAsync(4999);
    expect(frames).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(host.stats.timedOut).toBe(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(frames).toHaveLength(2);
    await host.close();
  });

  it("holds one response at a time: a second write before the host read it is busy", async () => {
    const host = new SimulatedHost({ rate: 10 });
    let writable = 0;
    host.onWritable(() => writable++);
    const frame = encodeBtResponse({ netFn: 7, lun: 0, seq: 0, cmd: 1, cc: 0, data: new Uint8Array() });
    expect(host.write(frame)).toBe("sent");
    expect(host.write(frame)).toBe("busy");
    await new Promise((r) => setImmediate(r));
    expect(writable).toBe(1);
    expect(host.write(frame)).toBe("sent");
    expect(host.stats.mismatched).toBe(1); // nothing was outstanding for the first one
    await host.close();
  });

  it("refuses a rate that is not positive", () => {
    expect(() => new SimulatedHost({ rate: 0 })).toThrow(/rate/);
  });
});
