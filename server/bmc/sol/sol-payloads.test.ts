import { afterEach, describe, expect, it, vi } from "vitest";
import { ConsoleStream } from "../../console/console-stream";
import { decodeBmcPacket, encodeConsolePacket, NO_OPERATION } from "../../ipmi/sol/sol-packet";
import { SolPayloads } from "./sol-payloads";

afterEach(() => {
  vi.useRealTimers();
});

function rig(log?: { info(m: string): void; warn(m: string): void }) {
  vi.useFakeTimers();
  const console = new ConsoleStream();
  const toHost: string[] = [];
  console.setInput((b) => {
    toHost.push(new TextDecoder().decode(b));
    return true;
  });
  console.setHostState("up");
  const sol = new SolPayloads({
    console,
    timing: () => ({ accumulateIntervalMs: 60, sendThreshold: 96, retryCount: 2, retryIntervalMs: 100 }),
    now: () => Date.now(),
    log,
  });
  const sent: Uint8Array[] = [];
  const link = { send: (p: Uint8Array) => sent.push(p) };
  return { console, sol, sent, link, toHost };
}

const keys = (seq: number, text: string) =>
  encodeConsolePacket({
    seq,
    ackSeq: 0,
    acceptedCount: 0,
    op: NO_OPERATION,
    data: new TextEncoder().encode(text),
  });

describe("SOL payload instance 1", () => {
  it("is held by one session at a time; another's activation is refused until it is deactivated", () => {
    const { sol, link, console } = rig();
    expect(sol.activate({ sessionId: 7, label: "admin@127.0.0.1:1", link })).toBe(true);
    expect(sol.activate({ sessionId: 8, label: "ops@127.0.0.1:2", link })).toBe(false);
    expect(sol.activate({ sessionId: 7, label: "admin@127.0.0.1:1", link })).toBe(true); // the holder again
    expect(console.attached().writer?.owner).toMatchObject({ kind: "sol", label: "admin@127.0.0.1:1" });
    expect(sol.deactivate(8)).toBe(false);
    expect(sol.deactivate()).toBe(true);
    expect(sol.activeSession).toBeUndefined();
    expect(console.attached()).toEqual({ readers: [], writer: null });
    expect(sol.activate({ sessionId: 8, label: "ops@127.0.0.1:2", link })).toBe(true);
  });

  it("writes the console's keys to the host and acks them; sends the host's output after the accumulate interval", () => {
    const { sol, link, sent, toHost, console } = rig();
    sol.activate({ sessionId: 7, label: "admin@127.0.0.1:1", link });
    sol.fromConsole(7, keys(1, "ls\r"));
    expect(toHost).toEqual(["ls\r"]);
    expect(decodeBmcPacket(sent.at(-1)!)).toMatchObject({ seq: 0, ackSeq: 1, acceptedCount: 3 });
    // A packet of another session, or garbage, changes nothing.
    sol.fromConsole(9, keys(2, "rm\r"));
    sol.fromConsole(7, Uint8Array.of(0x01));
    expect(toHost).toEqual(["ls\r"]);

    const before = sent.length;
    console.hostOutput(new TextEncoder().encode("file\r\n"));
    expect(sent.length).toBe(before);
    vi.advanceTimersByTime(60);
    const p = decodeBmcPacket(sent.at(-1)!);
    expect(new TextDecoder().decode(p.data)).toBe("file\r\n");
    expect(p.seq).toBe(1);
  });

  it("carries the console's break to the host's line once, and says so where the line has none", async () => {
    const said: string[] = [];
    const { sol: logged, link, console } = rig({ info: (m) => said.push(m), warn: (m) => said.push(m) });
    const breakLines = () => said.filter((m) => /break/.test(m));
    let breaks = 0;
    logged.activate({ sessionId: 7, label: "admin@127.0.0.1:1", link });
    const brk = (seq: number) =>
      encodeConsolePacket({
        seq,
        ackSeq: 0,
        acceptedCount: 0,
        op: { ...NO_OPERATION, generateBreak: true },
        data: new Uint8Array(),
      });
    logged.fromConsole(7, brk(1));
    await vi.waitFor(() =>
      expect(breakLines()).toEqual([
        expect.stringMatching(/break not sent: this serial transport carries bytes only/),
      ]),
    );
    console.setBreak(async () => {
      breaks += 1;
      return true;
    });
    logged.fromConsole(7, brk(2));
    logged.fromConsole(7, brk(2)); // a resend of the same packet: not a second break
    await vi.waitFor(() =>
      expect(said.at(-1)).toMatch(/SOL session 7: break sent to the host's serial line/),
    );
    expect(breaks).toBe(1);
    expect(breakLines()).toHaveLength(2);
  });

  it("ends the activation when the console stops acknowledging, telling it SOL is deactivating", () => {
    const { sol, link, sent, console } = rig();
    sol.activate({ sessionId: 7, label: "admin@127.0.0.1:1", link });
    console.hostOutput(new TextEncoder().encode("x".repeat(100)));
    vi.advanceTimersByTime(10_000);
    expect(sol.activeSession).toBeUndefined();
    expect(decodeBmcPacket(sent.at(-1)!).status.deactivating).toBe(true);
  });
});
