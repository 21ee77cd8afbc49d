import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Exchange } from "../contract/exchange";
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/ipmi-error";
import { empty, struct, u8, u16 } from "../ipmi/layout/codec";
import { layout } from "../ipmi/layout/layout";
import { NETFN } from "../ipmi/netfn";
import { RegistrationError } from "./registry";
import { Router } from "./router";
import { TestBus } from "./test-bus";
import { defineHandler, type HandlerReply } from "./types";

const noRequest = layout(empty);

const getDeviceId = (id = "app.get-device-id", priority?: number, reply: HandlerReply = { data: [0x20] }) =>
  defineHandler({ id, netFn: NETFN.APP, cmd: 0x01, priority, request: noRequest, handle: () => reply });

function setup(options: ConstructorParameters<typeof Router>[0] = {}) {
  const router = new Router(options);
  const bus = new TestBus();
  router.addBus(bus);
  const exchanges: Exchange[] = [];
  router.onExchange((x) => exchanges.push(x));
  return { router, bus, exchanges };
}

/** A promise a test resolves by hand: a handler that answers when the test says so. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const flush = () => new Promise<void>((r) => setImmediate(r));

describe("registry", () => {
  it("refuses a second handler for the same key and names both", () => {
    const { router } = setup();
    router.registry.register(getDeviceId("first"));
    expect(() => router.registry.register(getDeviceId("second"))).toThrow(RegistrationError);
    expect(() => router.registry.register(getDeviceId("second"))).toThrow(/'second'.*'first'.*06:01/);
  });

  it("lets a higher priority win and shows who is shadowed", () => {
    const { router, bus } = setup();
    router.registry.register(getDeviceId("base", 0, { data: [0x01] }));
    router.registry.register(getDeviceId("override", 10, { data: [0x02] }));
    bus.request({ netFn: NETFN.APP, cmd: 0x01 });
    expect([...bus.sent[0]!.data]).toEqual([0x02]);
    const infos = Object.fromEntries(router.registry.list().map((h) => [h.id, h]));
    expect(infos.base).toMatchObject({ shadowedBy: "override", active: false });
    expect(infos.override).toMatchObject({ shadowedBy: null, active: true });
  });

  it("falls back to the next handler by priority when the winner is disabled", () => {
    const { router, bus } = setup();
    router.registry.register(getDeviceId("base", 0, { data: [0x01] }));
    router.registry.register(getDeviceId("override", 10, { data: [0x02] }));
    router.registry.setEnabled("override", false);
    bus.request({ netFn: NETFN.APP, cmd: 0x01 });
    expect([...bus.sent[0]!.data]).toEqual([0x01]);
    expect(router.registry.list().find((h) => h.id === "base")).toMatchObject({
      active: true,
      shadowedBy: null,
    });
  });

  it("keys group-extension handlers by body code and echoes it in the response", () => {
    const { router, bus } = setup();
    router.registry.register(
      defineHandler({
        id: "dcmi.get-capabilities",
        netFn: NETFN.GROUP_EXTENSION,
        group: 0xdc,
        cmd: 0x01,
        request: layout(struct({ selector: u8("selector") })),
        handle: ({ request }) => ({ data: [request.selector, 0x01, 0x05] }),
      }),
    );
    bus.request({ netFn: NETFN.GROUP_EXTENSION, cmd: 0x01, data: Uint8Array.of(0xdc, 0x01) });
    bus.request({ netFn: NETFN.GROUP_EXTENSION, cmd: 0x01, data: Uint8Array.of(0xdd, 0x01) });
    expect(bus.sent[0]).toMatchObject({ netFn: 0x2d, cc: CC.OK });
    expect([...bus.sent[0]!.data]).toEqual([0xdc, 0x01, 0x01, 0x05]);
    expect(bus.sent[1]).toMatchObject({ cc: CC.INVALID_COMMAND });
    expect([...bus.sent[1]!.data]).toEqual([0xdd]);
  });

  it("keys OEM handlers by IANA number (3 bytes, LS first)", () => {
    const { router, bus } = setup();
    router.registry.register(
      defineHandler({
        id: "oem.openbmc.ping",
        netFn: NETFN.OEM_GROUP,
        group: 49871, // OpenBMC's IANA, 0x00C2CF
        cmd: 0x02,
        request: noRequest,
        handle: () => ({ data: [0xaa] }),
      }),
    );
    bus.request({ netFn: NETFN.OEM_GROUP, cmd: 0x02, data: Uint8Array.of(0xcf, 0xc2, 0x00) });
    expect(bus.sent[0]).toMatchObject({ cc: CC.OK });
    expect([...bus.sent[0]!.data]).toEqual([0xcf, 0xc2, 0x00, 0xaa]);
  });

  it("refuses malformed registrations", () => {
    const { router } = setup();
    const bad = (over: object) => () => router.registry.register({ ...getDeviceId("x"), ...over });
    expect(bad({ netFn: 0x07 })).toThrow(/even/);
    expect(bad({ cmd: 0x100 })).toThrow(/cmd/);
    expect(bad({ group: 1 })).toThrow(/takes no group/);
    expect(bad({ netFn: NETFN.GROUP_EXTENSION })).toThrow(/body code/);
    router.registry.register(getDeviceId("x"));
    expect(() => router.registry.register({ ...getDeviceId("x"), cmd: 2 })).toThrow(/already registered/);
  });
});

describe("default answers", () => {
  it("answers C1h when no handler is registered, and records why", () => {
    const { bus, exchanges } = setup();
    bus.request({ netFn: NETFN.APP, cmd: 0x99, seq: 7 });
    expect(bus.sent).toEqual([
      expect.objectContaining({ netFn: 0x07, cmd: 0x99, seq: 7, cc: CC.INVALID_COMMAND }),
    ]);
    expect(exchanges[0]).toMatchObject({
      status: "error",
      cc: 0xc1,
      handlerId: null,
      note: "no handler registered",
    });
  });

  it("answers C1h when the only handler is disabled", () => {
    const { router, bus, exchanges } = setup();
    router.registry.register(getDeviceId());
    router.registry.setEnabled("app.get-device-id", false);
    bus.request({ netFn: NETFN.APP, cmd: 0x01 });
    expect(bus.sent[0]!.cc).toBe(CC.INVALID_COMMAND);
    expect(exchanges[0]!.note).toMatch(/disabled/);
  });

  it("answers C7h for a short request and C8h for a long one, without calling the handler", () => {
    const { router, bus } = setup();
    const handle = vi.fn(() => ({}));
    router.registry.register(
      defineHandler({
        id: "app.set-watchdog-timer",
        netFn: NETFN.APP,
        cmd: 0x24,
        request: layout(
          struct({
            use: u8("use"),
            actions: u8("actions"),
            pretimeout: u8("pre"),
            clear: u8("clear"),
            count: u16("count"),
          }),
        ),
        handle,
      }),
    );
    bus.request({ netFn: NETFN.APP, cmd: 0x24, data: Uint8Array.of(0x44, 0x01, 0x00) });
    bus.request({ netFn: NETFN.APP, cmd: 0x24, data: new Uint8Array(7) });
    expect(bus.sent.map((r) => r.cc)).toEqual([CC.REQUEST_LENGTH_INVALID, CC.REQUEST_FIELD_LENGTH_EXCEEDED]);
    expect(handle).not.toHaveBeenCalled();
  });

  it("answers C7h for a group-extension request without its body code", () => {
    const { bus } = setup();
    bus.request({ netFn: NETFN.GROUP_EXTENSION, cmd: 0x01 });
    expect(bus.sent[0]!.cc).toBe(CC.REQUEST_LENGTH_INVALID);
  });

  it("maps a thrown IpmiError to its code and anything else to FFh", async () => {
    const { router, bus, exchanges } = setup();
    router.registry.register({
      ...getDeviceId("a"),
      cmd: 0x10,
      handle: () => Promise.reject(new IpmiError(0xcc)),
    });
    router.registry.register({
      ...getDeviceId("b"),
      cmd: 0x11,
      handle: () => {
        throw new Error("boom");
      },
    });
    bus.request({ netFn: NETFN.APP, cmd: 0x10 });
    bus.request({ netFn: NETFN.APP, cmd: 0x11 });
    await flush();
    expect(bus.sent.map((r) => r.cc).sort()).toEqual([0xcc, 0xff]);
    expect(exchanges.find((x) => x.cc === 0xff)!.note).toBe("handler threw: boom");
  });

  it("answers FFh when a handler returns bytes that cannot go on the wire", () => {
    const { router, bus, exchanges } = setup();
    router.registry.register(getDeviceId("x", 0, { data: [0x100] }));
    bus.request({ netFn: NETFN.APP, cmd: 0x01 });
    expect(bus.sent[0]!.cc).toBe(0xff);
    expect(exchanges[0]!.note).toMatch(/out of range/);
  });

  it("answers FFh when the response is larger than the bus can carry", () => {
    const router = new Router();
    const bus = new TestBus("small", "bt", 4);
    router.addBus(bus);
    router.registry.register(getDeviceId("x", 0, { data: [1, 2, 3, 4, 5] }));
    bus.request({ netFn: NETFN.APP, cmd: 0x01 });
    expect(bus.sent[0]).toMatchObject({ cc: 0xff });
    expect(bus.sent[0]!.data.length).toBe(0);
  });
});

describe("timeouts", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("answers C3h when the handler is too slow, and records its late answer as dropped", async () => {
    const { router, bus, exchanges } = setup({ defaultTimeoutMs: 100 });
    const late = deferred<HandlerReply>();
    let signal: AbortSignal | undefined;
    router.registry.register({
      ...getDeviceId(),
      handle: (ctx) => {
        signal = ctx.signal;
        return late.promise;
      },
    });
    bus.request({ netFn: NETFN.APP, cmd: 0x01 });
    expect(bus.sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(100);
    expect(bus.sent).toEqual([expect.objectContaining({ cc: CC.TIMEOUT })]);
    expect(signal?.aborted).toBe(true);
    late.resolve({ data: [0x20] });
    await vi.advanceTimersByTimeAsync(0);
    expect(bus.sent).toHaveLength(1);
    expect(exchanges.map((x) => x.status)).toEqual(["timeout", "late"]);
    expect(exchanges[1]).toMatchObject({
      relatedId: exchanges[0]!.id,
      cc: 0x00,
      handlerId: "app.get-device-id",
    });
  });

  it("records an answer that comes after the host gave up as late, and does not send it", async () => {
    const router = new Router({ defaultTimeoutMs: 10_000, monotonic: () => Date.now() });
    const bus = new TestBus("bt0", "bt", undefined, 5000);
    router.addBus(bus);
    const exchanges: Exchange[] = [];
    router.onExchange((x) => exchanges.push(x));
    const slow = deferred<HandlerReply>();
    router.registry.register({ ...getDeviceId(), handle: () => slow.promise });
    bus.request({ netFn: NETFN.APP, cmd: 0x01 });
    await vi.advanceTimersByTimeAsync(5001);
    slow.resolve({ data: [0x20] });
    await vi.advanceTimersByTimeAsync(0);
    expect(bus.sent).toHaveLength(0);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]).toMatchObject({ status: "late", cc: 0, handlerId: "app.get-device-id" });
    expect(exchanges[0]!.note).toMatch(/the host gives up after 5000 ms; not sent/);
  });

  it("uses the handler's own timeout over the router's default", async () => {
    const { router, bus } = setup({ defaultTimeoutMs: 10_000 });
    router.registry.register({
      ...getDeviceId(),
      timeoutMs: 50,
      handle: () => new Promise<HandlerReply>(() => {}),
    });
    bus.request({ netFn: NETFN.APP, cmd: 0x01 });
    await vi.advanceTimersByTimeAsync(49);
    expect(bus.sent).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(bus.sent[0]!.cc).toBe(CC.TIMEOUT);
  });
});

describe("response queue", () => {
  it("holds responses while the bus is busy and sends them in order when it is ready", async () => {
    const { router, bus } = setup();
    const answers = [deferred<HandlerReply>(), deferred<HandlerReply>(), deferred<HandlerReply>()];
    let n = 0;
    router.registry.register({ ...getDeviceId(), handle: () => answers[n++]!.promise });
    for (let i = 0; i < 3; i++) bus.request({ netFn: NETFN.APP, cmd: 0x01, seq: i });
    bus.busy = true;
    answers[0]!.resolve({ data: [0] });
    answers[1]!.resolve({ data: [1] });
    await flush();
    expect(bus.sent).toHaveLength(0);
    expect(router.busInfo()[0]!.queued).toBe(2);
    bus.release();
    // Once something waits, later answers queue behind it even if the bus is free now.
    answers[2]!.resolve({ data: [2] });
    await flush();
    expect(bus.sent.map((r) => r.seq)).toEqual([0, 1, 2]);
    expect(router.busInfo()[0]!.queued).toBe(0);
  });

  it("records the bytes a bus says it sent as responseFrame; none for a response still queued", async () => {
    const { router, bus, exchanges } = setup();
    const send = bus.send.bind(bus);
    bus.send = (res) => {
      const result = send(res);
      if (result === "sent") res.sentFrame = Uint8Array.of(0xaa, res.seq ?? 0);
      return result;
    };
    router.registry.register(getDeviceId());
    bus.request({ netFn: NETFN.APP, cmd: 0x01, seq: 7 });
    await flush();
    expect([...exchanges[0]!.responseFrame!]).toEqual([0xaa, 7]);
    bus.busy = true;
    bus.request({ netFn: NETFN.APP, cmd: 0x01, seq: 8 });
    await flush();
    expect(exchanges[1]!.responseFrame).toBeNull();
    bus.release();
    expect(bus.sent.map((r) => r.seq)).toEqual([7, 8]);
  });

  it("sends one at a time when the bus takes one and is busy again", async () => {
    const router = new Router();
    const sent: number[] = [];
    let holding = false;
    const bus = new TestBus();
    bus.send = (res) => {
      if (holding) return "busy";
      holding = true;
      sent.push(res.seq!);
      return "sent";
    };
    router.addBus(bus);
    router.registry.register(getDeviceId());
    for (let i = 0; i < 4; i++) bus.request({ netFn: NETFN.APP, cmd: 0x01, seq: i });
    expect(sent).toEqual([0]);
    for (let i = 0; i < 3; i++) {
      holding = false;
      bus.port!.ready();
    }
    expect(sent).toEqual([0, 1, 2, 3]);
  });
});

describe("exactly once", () => {
  it("answers an in-flight request once when its handler is disabled or unregistered meanwhile", async () => {
    const { router, bus, exchanges } = setup();
    const pending: ReturnType<typeof deferred<HandlerReply>>[] = [];
    router.registry.register({
      ...getDeviceId(),
      handle: () => {
        const d = deferred<HandlerReply>();
        pending.push(d);
        return d.promise;
      },
    });
    bus.request({ netFn: NETFN.APP, cmd: 0x01, seq: 1 });
    router.registry.setEnabled("app.get-device-id", false);
    bus.request({ netFn: NETFN.APP, cmd: 0x01, seq: 2 }); // C1h at once
    router.registry.setEnabled("app.get-device-id", true);
    bus.request({ netFn: NETFN.APP, cmd: 0x01, seq: 3 });
    router.registry.unregister("app.get-device-id");
    bus.request({ netFn: NETFN.APP, cmd: 0x01, seq: 4 }); // C1h at once
    for (const d of pending) d.resolve({ data: [0x20] });
    for (const d of pending) d.resolve({ data: [0x21] }); // a second answer from the same handler is ignored
    await router.idle();
    await flush();
    const bySeq = new Map<number, number[]>();
    for (const r of bus.sent) bySeq.set(r.seq!, [...(bySeq.get(r.seq!) ?? []), r.cc]);
    expect(Object.fromEntries(bySeq)).toEqual({ 1: [0x00], 2: [0xc1], 3: [0x00], 4: [0xc1] });
    expect(exchanges).toHaveLength(4);
    expect(new Set(exchanges.map((x) => x.id)).size).toBe(4);
  });

  it("answers every request exactly once under a storm of toggles, with contiguous ids", async () => {
    const { router, bus, exchanges } = setup({ defaultTimeoutMs: 10_000, lastExchangeId: 1000 });
    router.registry.register(getDeviceId("sync", 0));
    router.registry.register({
      ...getDeviceId("async", 5),
      handle: () => new Promise<HandlerReply>((r) => setImmediate(() => r({ data: [0x21] }))),
    });
    const N = 2000;
    for (let i = 0; i < N; i++) {
      if (i % 7 === 0) router.registry.setEnabled("async", i % 14 !== 0);
      if (i % 11 === 0) router.registry.setEnabled("sync", i % 22 !== 0);
      bus.request({ netFn: NETFN.APP, cmd: 0x01, seq: i });
    }
    await router.idle();
    await flush();
    const answered = new Map<number, number>();
    for (const r of bus.sent) answered.set(r.seq!, (answered.get(r.seq!) ?? 0) + 1);
    expect(answered.size).toBe(N);
    expect([...answered.values()].every((c) => c === 1)).toBe(true);
    // Ids are given on arrival, records emitted on answer: together they leave no gap.
    expect(exchanges.map((x) => x.id).sort((a, b) => a - b)).toEqual(
      Array.from({ length: N }, (_, i) => 1001 + i),
    );
  });

  it("answers requests of a removed bus (recorded) but sends nothing to it", async () => {
    const { router, bus, exchanges } = setup();
    const d = deferred<HandlerReply>();
    router.registry.register({ ...getDeviceId(), handle: () => d.promise });
    bus.request({ netFn: NETFN.APP, cmd: 0x01 });
    expect(router.removeBus("test0")).toBe(bus);
    bus.request({ netFn: NETFN.APP, cmd: 0x01 }); // a removed bus's port is dead
    d.resolve({ data: [1] });
    await router.idle();
    await flush();
    expect(bus.sent).toHaveLength(0);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]!.note).toMatch(/bus removed/);
  });

  it("routes several buses at once and can add one while traffic flows", () => {
    const { router, bus } = setup();
    router.registry.register(getDeviceId());
    bus.request({ netFn: NETFN.APP, cmd: 0x01 });
    const second = new TestBus("lan0", "lan");
    router.addBus(second);
    second.request({ netFn: NETFN.APP, cmd: 0x01 });
    bus.request({ netFn: NETFN.APP, cmd: 0x01 });
    expect(bus.sent).toHaveLength(2);
    expect(second.sent).toHaveLength(1);
    expect(() => router.addBus(new TestBus("lan0"))).toThrow(/already/);
  });
});

describe("malformed frames and injection", () => {
  it("records a malformed frame and sends the bus's error reply", () => {
    const { bus, exchanges } = setup();
    bus.port!.malformed({
      frame: Uint8Array.of(9, 0x18, 1, 1),
      reason: "length byte says 9",
      header: { seq: 1, netFn: 6, lun: 0, cmd: 1 },
      reply: { seq: 1, netFn: 6, lun: 0, cmd: 1, cc: CC.REQUEST_TRUNCATED },
    });
    expect(bus.sent[0]).toMatchObject({ netFn: 7, cc: 0xc6, seq: 1 });
    expect(exchanges[0]).toMatchObject({
      status: "malformed",
      cc: 0xc6,
      netFn: 6,
      note: "length byte says 9",
    });
    expect([...exchanges[0]!.frame!]).toEqual([9, 0x18, 1, 1]);
  });

  it("logs every request's frame as it arrived, a late answer's too; an injected one has none", async () => {
    const { router, bus, exchanges } = setup({ defaultTimeoutMs: 10_000 });
    const late = deferred<HandlerReply>();
    router.registry.register({ ...getDeviceId(), timeoutMs: 20, handle: () => late.promise });
    bus.request({ netFn: NETFN.APP, cmd: 0x01, frame: Uint8Array.of(3, 0x18, 7, 0x01) });
    await vi.waitUntil(() => exchanges.length === 1);
    late.resolve({ data: [0x20] });
    await vi.waitUntil(() => exchanges.length === 2);
    expect(exchanges.map((x) => x.status)).toEqual(["timeout", "late"]);
    for (const x of exchanges) expect([...x.frame!]).toEqual([3, 0x18, 7, 0x01]);
    const injected = await router.inject("test0", {
      seq: null,
      netFn: 6,
      lun: 0,
      cmd: 0x01,
      data: new Uint8Array(0),
    });
    expect(injected.frame).toBeNull();
  });

  it("resolves an injected request with its exchange", async () => {
    const { router, bus } = setup();
    router.registry.register(getDeviceId());
    const x = await router.inject("test0", { seq: null, netFn: 6, lun: 0, cmd: 1, data: new Uint8Array(0) });
    expect(x).toMatchObject({ origin: "injected", cc: 0, status: "ok", handlerId: "app.get-device-id" });
    // The host never asked: the answer goes to whoever injected it, not onto the bus.
    expect(bus.sent).toHaveLength(0);
    await expect(
      router.inject("nope", { seq: null, netFn: 6, lun: 0, cmd: 1, data: new Uint8Array() }),
    ).rejects.toThrow(/no bus/);
  });
});

describe("exchanges the BMC starts on a bus (outbound)", () => {
  const outboundRecord = {
    target: "0x72",
    seq: 5,
    netFn: NETFN.APP,
    lun: 0,
    cmd: 0x01,
    request: new Uint8Array(0),
    frame: Uint8Array.of(0x72, 0x18, 0x76, 0x20, 0x14, 0x01, 0xcb),
    cc: 0x00,
    response: Uint8Array.of(0x72, 0x01),
    responseFrame: Uint8Array.of(0x20, 0x1c, 0xc4, 0x72, 0x14, 0x01, 0x00, 0x72, 0x01, 0x06),
    status: "ok" as const,
    note: null,
    elapsedMs: 3.5,
  };

  it("records a bridged request and its answer with origin 'bridged', the target as peer, and no handler", () => {
    const { router, bus, exchanges } = setup({ now: () => 1_000_000 });
    router.registry.register(getDeviceId());
    bus.port!.outbound!(outboundRecord);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]).toMatchObject({
      id: 1,
      busId: "test0",
      origin: "bridged",
      seq: 5,
      netFn: NETFN.APP,
      cmd: 0x01,
      cc: 0,
      status: "ok",
      handlerId: null,
      peer: "0x72",
      receivedAt: 1_000_000 - 3.5,
      answeredAt: 1_000_000,
      latencyUs: 3500,
      frame: outboundRecord.frame,
      responseFrame: outboundRecord.responseFrame,
    });
    // Nothing was sent to the host: the BMC asked, not the host.
    expect(bus.sent).toHaveLength(0);
    expect(router.stats().lastExchangeId).toBe(1);
  });

  it("records a timeout without an answer, and nothing once the bus is removed", () => {
    const { router, bus, exchanges } = setup();
    const port = bus.port!;
    port.outbound!({
      ...outboundRecord,
      cc: null,
      response: null,
      responseFrame: null,
      status: "timeout",
      note: "no answer",
    });
    expect(exchanges[0]).toMatchObject({ status: "timeout", cc: null, response: null, note: "no answer" });
    router.removeBus("test0");
    port.outbound!(outboundRecord);
    expect(exchanges).toHaveLength(1);
  });
});
