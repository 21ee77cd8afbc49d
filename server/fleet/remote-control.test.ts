import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ControlCommand, ControlOutcome } from "../control/control-actions";
import type { Logger } from "../logger";
import { NodeDirectory } from "./fanout-directory";
import { RemoteControl, refusedOrDone } from "./remote-control";

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const alice = { id: 1, username: "alice", role: "operator" as const };
const disable: ControlCommand = { kind: "handler.set", id: "app.get-device-id", body: { enabled: false } };

/** Server-side events between nodes, delivered to every other node (as the adapter does) on the next tick. */
class FakeFleet {
  private readonly nodes: { name: string; handlers: Map<string, (p: unknown) => void> }[] = [];
  /** While false, nothing is delivered (the store is away). */
  up = true;
  bus(name: string) {
    const handlers = new Map<string, (p: unknown) => void>();
    this.nodes.push({ name, handlers });
    return {
      serverSideEmit: (event: string, payload: unknown) => {
        if (!this.up) return true;
        for (const n of this.nodes) {
          if (n.name !== name) queueMicrotask(() => n.handlers.get(event)?.(structuredClone(payload)));
        }
        return true;
      },
      on(event: string, handler: (p: unknown) => void) {
        handlers.set(event, handler);
        return this;
      },
    };
  }
}

function node(fleet: FakeFleet, name: string, peers: string[]) {
  const directory = new NodeDirectory(name);
  for (const p of peers) directory.heard(p);
  const executed: [ControlCommand, string][] = [];
  const execute = async (command: ControlCommand, actor: string): Promise<ControlOutcome> => {
    executed.push([command, actor]);
    if (command.kind === "rule.delete") return { status: 404, body: { error: "no rule #9" } };
    return { status: 200, body: { id: "app.get-device-id", enabled: false } };
  };
  const control = new RemoteControl({
    // biome-ignore lint/suspicious/noExplicitAny: a stand-in for socket.io's namespace
    bus: fleet.bus(name) as any,
    directory,
    execute,
    log: quiet,
    timeoutMs: 2000,
  });
  return { control, executed };
}

describe("RemoteControl", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("runs the command on its target only, as 'who on node where', and brings back the answer", async () => {
    const fleet = new FakeFleet();
    const a = node(fleet, "a", ["b", "c"]);
    const b = node(fleet, "b", ["a", "c"]);
    const c = node(fleet, "c", ["a", "b"]);
    const outcome = await a.control.send("c", disable, alice);
    expect(outcome).toEqual({ status: 200, body: { id: "app.get-device-id", enabled: false } });
    expect(c.executed).toEqual([[disable, "alice on node a"]]);
    expect(b.executed).toEqual([]);
    expect(a.executed).toEqual([]);
  });

  it("passes a refusal back with its message, marked refused", async () => {
    const fleet = new FakeFleet();
    const a = node(fleet, "a", ["c"]);
    node(fleet, "c", ["a"]);
    const outcome = await a.control.send("c", { kind: "rule.delete", id: "9" }, alice);
    expect(outcome).toEqual({ status: 404, body: { error: "no rule #9", reason: "refused" } });
  });

  it("answers 'gone' when the target does not answer within the timeout", async () => {
    const fleet = new FakeFleet();
    const a = node(fleet, "a", ["c"]);
    const pending = a.control.send("c", disable, alice);
    vi.advanceTimersByTime(2000);
    expect(await pending).toEqual({
      status: 504,
      body: { error: "node 'c' did not answer within 2000 ms", reason: "gone" },
    });
  });

  it("refuses malformed requests from the fleet; a command lost with the store is 'gone'", async () => {
    const fleet = new FakeFleet();
    const a = node(fleet, "a", ["c"]);
    const c = node(fleet, "c", ["a"]);
    const evil = fleet.bus("evil");
    evil.serverSideEmit("fleet:control", { v: 1, requestId: "x", from: "a", target: "c" });
    evil.serverSideEmit("fleet:control", {
      v: 1,
      requestId: "0123456789ab",
      from: "a",
      target: "c",
      operator: alice,
      command: { kind: "shell", run: "rm -rf /" },
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(c.executed).toEqual([]);
    expect(c.control.refused).toBe(2);
    fleet.up = false;
    const pending = a.control.send("c", disable, alice);
    fleet.up = true;
    await vi.advanceTimersByTimeAsync(0);
    vi.advanceTimersByTime(2000);
    expect(((await pending).body as { reason: string }).reason).toBe("gone");
  });

  it("close() answers what waits", async () => {
    const fleet = new FakeFleet();
    const a = node(fleet, "a", ["c"]);
    const pending = a.control.send("c", disable, alice);
    a.control.close();
    expect((await pending).status).toBe(503);
  });
});

describe("refusedOrDone", () => {
  it("keeps successes and marks failures", () => {
    expect(refusedOrDone(204, null)).toEqual({ status: 204, body: null });
    expect(
      refusedOrDone(400, { error: "invalid body", issues: [{ path: "enabled", message: "x" }] }),
    ).toEqual({
      status: 400,
      body: { error: "invalid body", reason: "refused", issues: [{ path: "enabled", message: "x" }] },
    });
    expect(refusedOrDone(500, "odd")).toEqual({
      status: 500,
      body: { error: "refused (500)", reason: "refused" },
    });
  });
});
