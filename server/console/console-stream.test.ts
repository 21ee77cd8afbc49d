import { describe, expect, it } from "vitest";
import { type ConsoleEvent, type ConsoleOwner, ConsoleStream, consoleSource } from "./console-stream";

const text = (s: string) => new TextEncoder().encode(s);
const str = (b: Uint8Array) => new TextDecoder().decode(b);

const alice: ConsoleOwner = { kind: "browser", id: "sock-1", label: "alice" };
const bob: ConsoleOwner = { kind: "browser", id: "sock-2", label: "bob" };
const sol: ConsoleOwner = { kind: "sol", id: "session-7", label: "admin@10.0.0.5:51234" };

function setup(options: { scrollbackBytes?: number; readerBufferBytes?: number } = {}) {
  let clock = 1000;
  const stream = new ConsoleStream({ ...options, now: () => clock });
  const events: ConsoleEvent[] = [];
  stream.on((e) => events.push(e));
  const sent: string[] = [];
  let hostUp = true;
  stream.setInput((b) => {
    if (!hostUp) return false;
    sent.push(str(b));
    return true;
  });
  return {
    stream,
    events,
    sent,
    tick: (ms: number) => {
      clock += ms;
    },
    setHostUp: (up: boolean) => {
      hostUp = up;
    },
  };
}

describe("ConsoleStream output", () => {
  it("gives every reader the host's bytes, and a new reader the scrollback first", () => {
    const { stream } = setup({ scrollbackBytes: 8 });
    const a = stream.addReader(alice);
    stream.hostOutput(text("boot: "));
    stream.hostOutput(text("ok\r\n"));
    expect(str(a.take().data)).toBe("boot: ok\r\n");
    const b = stream.addReader(bob);
    // The ring holds the newest 8 bytes.
    expect(str(b.take().data)).toBe("ot: ok\r\n");
    stream.hostOutput(text("login:"));
    expect(str(a.take().data)).toBe("login:");
    expect(str(b.take().data)).toBe("login:");
    const c = stream.addReader(sol, { scrollback: false });
    expect(c.pending).toBe(0);
  });

  it("lets a slow reader lose its oldest bytes without holding up the others", () => {
    const { stream } = setup({ readerBufferBytes: 4 });
    const slow = stream.addReader(alice);
    const fast = stream.addReader(bob, { bufferBytes: 1024 });
    let fastSeen = "";
    fast.onReadable(() => {
      fastSeen += str(fast.take().data);
    });
    stream.hostOutput(text("abcdef"));
    stream.hostOutput(text("gh"));
    expect(fastSeen).toBe("abcdefgh");
    expect(slow.take()).toEqual({ data: text("efgh"), skipped: 4 });
    expect(slow.take().skipped).toBe(0);
  });

  it("isolates a throwing listener from the host and the other readers", () => {
    const errors: unknown[] = [];
    const stream = new ConsoleStream({ onListenerError: (e) => errors.push(e) });
    const a = stream.addReader(alice);
    a.onReadable(() => {
      throw new Error("boom");
    });
    const b = stream.addReader(bob);
    stream.hostOutput(text("x"));
    expect(errors).toHaveLength(1);
    expect(str(b.take().data)).toBe("x");
  });

  it("keeps its own copy of the host's bytes", () => {
    const { stream } = setup();
    const a = stream.addReader(alice);
    const buf = text("abc");
    stream.hostOutput(buf);
    buf.fill(0);
    expect(str(a.take().data)).toBe("abc");
  });
});

describe("ConsoleStream input", () => {
  it("takes input from the writer only, and names the writer when refusing", () => {
    const { stream, sent } = setup();
    expect(stream.write(alice, text("ls\r"))).toEqual({ ok: false, reason: "not-writer", writer: null });
    expect(stream.claimWriter(alice)).toEqual({ ok: true, previous: null });
    expect(stream.claimWriter(alice)).toEqual({ ok: true, previous: null });
    expect(stream.claimWriter(sol)).toEqual({ ok: false, writer: alice });
    expect(stream.write(sol, text("x"))).toEqual({ ok: false, reason: "not-writer", writer: alice });
    expect(stream.write(alice, text("ls\r"))).toEqual({ ok: true });
    expect(sent).toEqual(["ls\r"]);
  });

  it("hands the input side over on takeOver and on release", () => {
    const { stream, events } = setup();
    stream.claimWriter(alice);
    expect(stream.claimWriter(bob, { takeOver: true })).toEqual({ ok: true, previous: alice });
    expect(stream.write(alice, text("x")).ok).toBe(false);
    expect(stream.release(alice)).toBe(false);
    expect(stream.release(bob)).toBe(true);
    expect(stream.claimWriter(sol)).toEqual({ ok: true, previous: null });
    const writerEvents = events.filter((e) => e.type === "writer");
    expect(writerEvents.map((e) => [e.change, e.writer?.label ?? null, e.previous?.label ?? null])).toEqual([
      ["claimed", "alice", null],
      ["taken-over", "bob", "alice"],
      ["released", null, "bob"],
      ["claimed", "admin@10.0.0.5:51234", null],
    ]);
  });

  it("refuses input while no host is connected, and records what was sent with who sent it", () => {
    const { stream, events, setHostUp } = setup();
    stream.claimWriter(sol);
    setHostUp(false);
    expect(stream.write(sol, text("a"))).toEqual({ ok: false, reason: "host-down" });
    setHostUp(true);
    expect(stream.write(sol, text("b")).ok).toBe(true);
    const inputs = events.filter((e) => e.type === "input");
    expect(inputs).toHaveLength(1);
    expect(inputs[0]).toMatchObject({ type: "input", at: 1000, owner: sol });
    expect(consoleSource(sol)).toBe("sol:admin@10.0.0.5:51234");
    expect(stream.stats()).toEqual({ outputBytes: 0, inputBytes: 1, readers: 0 });
  });
});

describe("ConsoleStream attachments", () => {
  it("lists readers and the writer, with events on every change", () => {
    const { stream, events, tick } = setup();
    const a = stream.addReader(alice);
    tick(5);
    const s = stream.addReader(sol);
    stream.claimWriter(sol);
    expect(stream.attached()).toEqual({
      readers: [
        { handle: a.handle, owner: alice, since: 1000 },
        { handle: s.handle, owner: sol, since: 1005 },
      ],
      writer: { owner: sol, since: 1005 },
    });
    a.close();
    a.close();
    stream.detach(sol);
    expect(s.closed).toBe(true);
    expect(stream.attached()).toEqual({ readers: [], writer: null });
    expect(events.map((e) => e.type)).toEqual([
      "attached",
      "attached",
      "writer",
      "detached",
      "detached",
      "writer",
    ]);
    expect(events.at(-1)).toMatchObject({ type: "writer", change: "detached", previous: sol });
  });

  it("reports the host line's state changes once each", () => {
    const { stream, events } = setup();
    stream.setHostState("waiting");
    stream.setHostState("waiting");
    stream.setHostState("up");
    expect(events).toEqual([
      { type: "host", at: 1000, state: "waiting" },
      { type: "host", at: 1000, state: "up" },
    ]);
    expect(stream.hostState).toBe("up");
  });
});
