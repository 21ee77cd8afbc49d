/**
 * The VM bus against a scripted QEMU on loopback: a TCP peer that speaks the VM protocol
 * as QEMU 7.2's ipmi-bmc-extern does (handshake, ids, RESET on reboot), whichever
 * interface the guest has.
 */
import net from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createBmc } from "../../bmc";
import type { Exchange } from "../../contract/exchange";
import { CC } from "../../ipmi/completion-codes";
import { Router } from "../../router/router";
import type { BusMalformed, BusRequest, BusResponse } from "../../router/types";
import { QEMU_INTERFACE_FACTS } from "./qemu-interfaces";
import { parseQmpAddress } from "./qmp-watch";
import { VmBus, type VmBusOptions } from "./vm-bus";
import { encodeVmControl, encodeVmMessage, VM_CMD, VmDecoder, type VmEvent } from "./vm-codec";

const QEMU_HELLO = Uint8Array.from([0xff, 0x01, 0xa1, 0x08, 0x3f, 0xa1]);

type VmMessage = Extract<VmEvent, { kind: "message" }>;

/** QEMU's side of the socket: collects what we send, decoded. */
class FakeQemu {
  /** Not yet taken by next(). */
  readonly events: VmEvent[] = [];
  /** Everything, in the order it came. */
  readonly all: VmEvent[] = [];
  private readonly decoder = new VmDecoder();
  private waiters: { test: (e: VmEvent) => boolean; resolve: (e: VmEvent) => void }[] = [];
  closed: Promise<void>;

  constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      for (const e of this.decoder.push(chunk)) {
        this.all.push(e);
        this.events.push(e);
        this.waiters = this.waiters.filter((w) => {
          if (!w.test(e)) return true;
          w.resolve(e);
          return false;
        });
      }
    });
    this.closed = new Promise((resolve) => socket.on("close", () => resolve()));
  }

  static async connect(port: number, hello = true): Promise<FakeQemu> {
    const socket = net.connect({ host: "127.0.0.1", port });
    await new Promise<void>((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    const q = new FakeQemu(socket);
    if (hello) socket.write(QEMU_HELLO);
    return q;
  }

  send(bytes: Uint8Array | number[]): void {
    this.socket.write(Uint8Array.from(bytes));
  }

  request(id: number, netFn: number, cmd: number, data: number[] = []): void {
    this.send(encodeVmMessage(id, netFn << 2, cmd, data));
  }

  next(test: (e: VmEvent) => boolean, timeoutMs = 2000): Promise<VmEvent> {
    const seen = this.events.find(test);
    if (seen) {
      this.events.splice(this.events.indexOf(seen), 1);
      return Promise.resolve(seen);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("QEMU got nothing matching")), timeoutMs);
      this.waiters.push({
        test,
        resolve: (e) => {
          clearTimeout(timer);
          this.events.splice(this.events.indexOf(e), 1);
          resolve(e);
        },
      });
    });
  }

  control(op: number): Promise<VmEvent> {
    return this.next((e) => e.kind === "control" && e.op === op);
  }

  response(id: number): Promise<VmMessage> {
    return this.next((e) => e.kind === "message" && e.id === id) as Promise<VmMessage>;
  }

  close(): Promise<void> {
    this.socket.destroy();
    return this.closed;
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A VM bus listening on a free port, with what it hands the router recorded. */
async function listening(options: Partial<VmBusOptions> = {}) {
  const bus = new VmBus({ host: "127.0.0.1", port: 0, ...options });
  const requests: BusRequest[] = [];
  const malformed: BusMalformed[] = [];
  bus.attach({
    request: (r) => requests.push(r),
    malformed: (m) => malformed.push(m),
    record() {},
    ready() {},
  });
  await bus.start();
  cleanups.push(() => bus.stop());
  return { bus, requests, malformed, port: bus.address!.port };
}

/** Polls a condition (vitest's waitUntil), not a timing assertion. */
const until = (probe: () => boolean) => vi.waitUntil(probe, { timeout: 2000, interval: 5 });

const respond = (req: BusRequest, cc: number, data: number[] = []): BusResponse => ({
  seq: req.seq,
  netFn: req.netFn | 1,
  lun: req.lun,
  cmd: req.cmd,
  cc,
  data: Uint8Array.from(data),
});

const isControl = (op: number) => (e: VmEvent) => e.kind === "control" && e.op === op;

describe("VmBus: the guest's interface", () => {
  it("is a BT bus bt0 by default, with BT's limits and QEMU's 4 s", () => {
    const bus = new VmBus({ host: "127.0.0.1", port: 9002 });
    expect(bus).toMatchObject({ id: "bt0", kind: "bt", maxResponseData: 251, hostTimeoutMs: 4000 });
    expect(bus.holdDeadlineMs).toBe(3500);
    expect(bus.description).toBe(
      "QEMU guest, BT (ipmi-bmc-extern, listening on 127.0.0.1:9002, no VM connected)",
    );
  });

  it("takes its kind, id and message limits from the interface QEMU gives the guest", () => {
    const kcs = new VmBus({ interface: "kcs", host: "::1", port: 9002, mode: "connect" });
    expect(kcs).toMatchObject({ id: "kcs0", kind: "kcs", maxResponseData: 297, hostTimeoutMs: 4000 });
    expect(kcs.description).toBe(
      "QEMU guest, KCS (ipmi-bmc-extern, connecting to [::1]:9002, no VM connected)",
    );
    const ssif = new VmBus({ interface: "ssif", host: "127.0.0.1", port: 9002 });
    expect(ssif).toMatchObject({ id: "ssif0", kind: "ssif", maxResponseData: 252 });
    expect(ssif.description).toMatch(/^QEMU guest, SSIF \(/);
    expect(new VmBus({ interface: "kcs", id: "guest", host: "h", port: 1 }).id).toBe("guest");
  });
});

describe("VmBus, listening (QEMU connects)", () => {
  it("sends its version on connect, learns QEMU's capabilities, says where it listens", async () => {
    const { bus, port } = await listening();
    expect(bus.description).toBe(
      `QEMU guest, BT (ipmi-bmc-extern, listening on 127.0.0.1:${port}, no VM connected)`,
    );
    const q = await FakeQemu.connect(port);
    cleanups.push(() => q.close());
    expect(await q.control(VM_CMD.VERSION)).toMatchObject({ args: Uint8Array.of(1) });
    await until(() => bus.peer.capabilities === 0x3f);
    expect(bus.peer.version).toBe(1);
    expect(bus.description).toMatch(/, VM connected\)$/);
  });

  for (const iface of ["bt", "kcs", "ssif"] as const) {
    it(`${iface}: hands the router QEMU's id as seq and the message as its frame, and echoes the id`, async () => {
      const { bus, requests, port } = await listening({ interface: iface });
      const q = await FakeQemu.connect(port);
      cleanups.push(() => q.close());
      q.request(0x37, 0x06, 0x01, [0xa0]);
      await until(() => requests.length === 1);
      expect(requests[0]).toMatchObject({ seq: 0x37, netFn: 6, lun: 0, cmd: 1, data: Uint8Array.of(0xa0) });
      // The unescaped VM message: id, netfn/lun, cmd, data, checksum.
      expect([...requests[0]!.frame!]).toEqual([0x37, 0x18, 0x01, 0xa0, -(0x37 + 0x18 + 0x01 + 0xa0) & 0xff]);
      expect(bus.send(respond(requests[0]!, 0x00, [0x20, 0x01, 0xaa]))).toBe("sent");
      const r = await q.response(0x37);
      expect(r).toMatchObject({ netFnLun: 0x1c, cmd: 0x01 });
      expect([...r.data]).toEqual([0x00, 0x20, 0x01, 0xaa]);
    });
  }

  it("records a bad checksum as malformed, skips it, and takes the next message", async () => {
    const { requests, malformed, port } = await listening();
    const q = await FakeQemu.connect(port);
    cleanups.push(() => q.close());
    q.send([0x05, 0x18, 0x01, 0x00, 0xa0]);
    q.send([0x13, 0x37, 0xa0]);
    q.request(0x06, 0x06, 0x01);
    await until(() => requests.length === 1 && malformed.length === 2);
    expect(malformed[0]).toMatchObject({ header: { seq: 5, netFn: 6, lun: 0, cmd: 1 } });
    expect(malformed[0]!.reason).toMatch(/checksum/);
    expect([...malformed[0]!.frame]).toEqual([0x05, 0x18, 0x01, 0x00, 0xa0]);
    expect(malformed[1]!.reason).toMatch(/too short/);
    expect(requests[0]!.seq).toBe(0x06);
  });

  it("answers what its interface could not have carried, or a response netfn, as a BT decoder would", async () => {
    const { bus, requests, malformed, port } = await listening({ interface: "ssif" });
    const q = await FakeQemu.connect(port);
    cleanups.push(() => q.close());
    const max = QEMU_INTERFACE_FACTS.ssif.maxRequestData;
    q.request(1, 0x0a, 0x45, new Array<number>(max + 1).fill(0));
    q.request(2, 0x07, 0x01);
    q.request(3, 0x0a, 0x45, new Array<number>(max).fill(0));
    await until(() => malformed.length === 2 && requests.length === 1);
    expect(malformed[0]).toMatchObject({
      header: { seq: 1, netFn: 0x0a, lun: 0, cmd: 0x45 },
      reply: { seq: 1, netFn: 0x0a, lun: 0, cmd: 0x45, cc: CC.REQUEST_LENGTH_INVALID },
    });
    expect(malformed[0]!.reason).toMatch(`longer than QEMU's SSIF interface carries (${max})`);
    expect(malformed[0]!.frame).toHaveLength(3 + max + 1 + 1);
    expect(malformed[1]).toMatchObject({ reply: { seq: 2, cc: CC.INVALID_COMMAND } });
    expect(bus.stats.malformed).toBe(2);
  });

  it("drops an answer QEMU no longer waits for (a newer request came, or its 4 s passed)", async () => {
    let clock = 1_000_000;
    const { bus, requests, port } = await listening({ now: () => clock });
    const q = await FakeQemu.connect(port);
    cleanups.push(() => q.close());
    q.request(1, 0x06, 0x01);
    q.request(2, 0x06, 0x01);
    await until(() => requests.length === 2);
    bus.send(respond(requests[0]!, 0));
    expect(bus.stats.dropped).toBe(1);
    bus.send(respond(requests[1]!, 0));
    await q.response(2);
    q.request(3, 0x06, 0x01);
    await until(() => requests.length === 3);
    clock += 4001;
    bus.send(respond(requests[2]!, 0));
    expect(bus.stats).toMatchObject({ dropped: 2, responses: 1 });
    expect(q.events.filter((e) => e.kind === "message")).toEqual([]);
  });

  it("drops an answer when no VM is connected, and never answers busy", async () => {
    const { bus } = await listening();
    expect(bus.send({ seq: 1, netFn: 7, lun: 0, cmd: 1, cc: 0, data: new Uint8Array() })).toBe("sent");
    expect(bus.stats.dropped).toBe(1);
  });

  it("tells the BMC when the VM resets", async () => {
    const { bus, port } = await listening();
    const q = await FakeQemu.connect(port);
    cleanups.push(() => q.close());
    let resets = 0;
    bus.onHostReset(() => resets++);
    q.send(encodeVmControl(VM_CMD.RESET));
    await until(() => resets === 1);
    expect(bus.stats.hostResets).toBe(1);
  });

  it("maps chassis actions to VM commands QEMU announced, and says why when it can't", async () => {
    const { bus, port } = await listening();
    expect(bus.chassisControl("hard-reset")).toEqual({ sent: false, reason: "no VM is connected" });
    const q = await FakeQemu.connect(port, false);
    cleanups.push(() => q.close());
    q.send([0xff, 0x01, 0xa1, 0x08, 0x13, 0xa1]); // power, reset, attn: no NMI, no graceful shutdown
    await until(() => bus.peer.capabilities === 0x13);
    expect(bus.chassisControl("power-off")).toEqual({ sent: true, command: "POWEROFF" });
    expect(bus.chassisControl("hard-reset")).toEqual({ sent: true, command: "RESET" });
    expect(bus.chassisControl("power-cycle")).toEqual({ sent: true, command: "RESET" });
    expect(bus.chassisControl("soft-off")).toMatchObject({ sent: false });
    expect(bus.chassisControl("diagnostic-interrupt")).toMatchObject({ sent: false });
    expect(bus.chassisControl("power-on")).toMatchObject({ sent: false });
    await q.control(VM_CMD.POWEROFF);
    await q.control(VM_CMD.RESET);
    await q.control(VM_CMD.RESET);
  });

  it("holds a chassis action until the pending Chassis Control response has gone out", async () => {
    const { bus, requests, port } = await listening({ interface: "kcs" });
    const q = await FakeQemu.connect(port);
    cleanups.push(() => q.close());
    await until(() => bus.peer.capabilities === 0x3f);
    q.request(5, 0x00, 0x02, [0x00]); // Chassis Control: power down
    await until(() => requests.length === 1);
    const sent = bus.stats.controlsSent;
    expect(bus.chassisControl("power-off")).toEqual({ sent: true, command: "POWEROFF" });
    expect(bus.stats.controlsSent).toBe(sent); // written synchronously if at all: not yet
    bus.send(respond(requests[0]!, 0));
    await q.response(5);
    const poweroff = await q.control(VM_CMD.POWEROFF);
    const answer = q.all.findIndex((e) => e.kind === "message" && e.id === 5);
    expect(q.all.indexOf(poweroff)).toBeGreaterThan(answer);
  });

  it("hears of VM resets on QEMU's QMP socket, once per burst", async () => {
    const qmp = net.createServer((s) => {
      s.setEncoding("utf8");
      s.write(`${JSON.stringify({ QMP: { version: {}, capabilities: [] } })}\n`);
      s.on("data", (line: string) => {
        if (!line.includes("qmp_capabilities")) return;
        s.write(`${JSON.stringify({ return: {} })}\n`);
        const reset = (reason: string) => JSON.stringify({ event: "RESET", data: { guest: true, reason } });
        s.write(`${reset("guest-reset")}\n${reset("guest-reset")}\n{"event":"STOP"}\nnot json\n`);
      });
    });
    await new Promise<void>((r) => qmp.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => qmp.close(() => r())));
    const warnings: string[] = [];
    const log = { debug() {}, info() {}, warn: (m: string) => warnings.push(m) };
    const { bus } = await listening({ qmp: `127.0.0.1:${(qmp.address() as net.AddressInfo).port}`, log });
    let resets = 0;
    bus.onHostReset(() => resets++);
    // The line after the burst: once it is read, every RESET before it was too.
    await until(() => warnings.some((w) => /not JSON/.test(w)));
    expect(resets).toBe(1);
    expect(bus.stats.hostResets).toBe(1);
  });

  it("reads QMP addresses as unix:/path or host:port", () => {
    expect(parseQmpAddress("unix:/tmp/q.sock")).toEqual({ path: "/tmp/q.sock" });
    expect(parseQmpAddress("tcp:127.0.0.1:4444")).toEqual({ host: "127.0.0.1", port: 4444 });
    expect(parseQmpAddress("[::1]:4444")).toEqual({ host: "::1", port: 4444 });
    expect(() => parseQmpAddress("qmp.sock")).toThrow(/neither/);
  });

  it("sends ATTN when the BMC has something for the host, and again after QEMU reconnects", async () => {
    const { bus, port } = await listening();
    const q = await FakeQemu.connect(port);
    await until(() => bus.peer.capabilities === 0x3f);
    bus.setAttention(true);
    await q.control(VM_CMD.ATTN_IRQ);
    bus.setAttention(true); // no change, nothing sent
    await q.close();
    await until(() => !bus.connected);
    const again = await FakeQemu.connect(port);
    cleanups.push(() => again.close());
    await again.control(VM_CMD.ATTN_IRQ);
    bus.setAttention(false);
    await again.control(VM_CMD.NOATTN);
    expect(again.all.filter(isControl(VM_CMD.ATTN_IRQ))).toHaveLength(1);
  });

  it("follows the guest's interrupt enable in BMC Global Enables", async () => {
    const { bus, requests, port } = await listening();
    const q = await FakeQemu.connect(port);
    cleanups.push(() => q.close());
    q.request(9, 0x06, 0x2e, [0x0d]);
    await until(() => requests.length === 1);
    bus.send(respond(requests[0]!, 0));
    await q.response(9);
    await q.control(VM_CMD.ENABLE_IRQ);
    q.request(10, 0x06, 0x2e, [0x0c]);
    await until(() => requests.length === 2);
    bus.send(respond(requests[1]!, 0));
    await q.control(VM_CMD.DISABLE_IRQ);
  });

  it("takes a new connection in place of the old one when QEMU restarts", async () => {
    const { bus, requests, port } = await listening();
    const first = await FakeQemu.connect(port);
    await until(() => bus.connected);
    const second = await FakeQemu.connect(port);
    cleanups.push(() => second.close());
    await first.closed;
    second.request(0, 0x06, 0x01);
    await until(() => requests.length === 1);
    bus.send(respond(requests[0]!, 0));
    await second.response(0);
    expect(bus.stats.connections).toBe(2);
  });

  it("refuses to start when the port is taken, naming it", async () => {
    const { port } = await listening();
    const other = new VmBus({ host: "127.0.0.1", port });
    await expect(other.start()).rejects.toThrow(new RegExp(`127\\.0\\.0\\.1:${port} is already in use`));
  });
});

describe("VmBus, connecting out (QEMU listens)", () => {
  it("keeps dialling until QEMU listens, and again after QEMU goes away", async () => {
    // Reserve a port, then free it so the first attempts fail.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));

    let failedDials = 0;
    const log = {
      debug(m: string) {
        if (/not reachable/.test(m)) failedDials++;
      },
      info() {},
      warn() {},
    };
    const bus = new VmBus({ host: "127.0.0.1", port, mode: "connect", reconnectMs: 20, log });
    const requests: BusRequest[] = [];
    bus.attach({ request: (r) => requests.push(r), malformed() {}, record() {}, ready() {} });
    await bus.start();
    cleanups.push(() => bus.stop());
    expect(bus.description).toMatch(`connecting to 127.0.0.1:${port}, no VM connected`);
    await until(() => failedDials >= 2);

    const peers: FakeQemu[] = [];
    const server = net.createServer((s) => {
      const q = new FakeQemu(s);
      s.write(QEMU_HELLO);
      peers.push(q);
    });
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    await until(() => peers.length === 1 && bus.connected);
    peers[0]!.request(4, 0x06, 0x01);
    await until(() => requests.length === 1);
    bus.send(respond(requests[0]!, 0));
    await peers[0]!.response(4);

    await peers[0]!.close();
    await until(() => peers.length === 2 && bus.connected);
    await peers[1]!.control(VM_CMD.VERSION);
    cleanups.push(() => peers[1]!.close());
  });
});

describe("VmBus under the router", () => {
  async function routed(options: Partial<VmBusOptions> = {}) {
    const bus = new VmBus({ host: "127.0.0.1", port: 0, ...options });
    const router = new Router();
    for (const spec of createBmc().handlers) router.registry.register(spec);
    const exchanges: Exchange[] = [];
    router.onExchange((x) => exchanges.push(x));
    router.addBus(bus);
    await bus.start();
    cleanups.push(() => bus.stop());
    const q = await FakeQemu.connect(bus.address!.port);
    cleanups.push(() => q.close());
    return { bus, exchanges, q };
  }

  it("answers a VM's Get Device ID from the BMC's handler and logs the message and malformed frames", async () => {
    const { bus, exchanges, q } = await routed();
    expect(bus.description).toMatch(/^QEMU guest, BT \(ipmi-bmc-extern/);
    q.request(0x21, 0x06, 0x01);
    const r = await q.response(0x21);
    expect(r.netFnLun).toBe(0x07 << 2);
    expect(r.data[0]).toBe(0x00);
    expect(r.data.length).toBeGreaterThan(11);

    q.send([0x22, 0x18, 0x01, 0x77, 0xa0]);
    await until(() => exchanges.length === 2);
    expect(exchanges[0]).toMatchObject({
      busId: "bt0",
      busKind: "bt",
      seq: 0x21,
      netFn: 6,
      cmd: 1,
      status: "ok",
      handlerId: "app.get-device-id",
    });
    expect([...exchanges[0]!.frame!]).toEqual([0x21, 0x18, 0x01, -(0x21 + 0x18 + 0x01) & 0xff]);
    expect(exchanges[1]).toMatchObject({ seq: 0x22, netFn: 6, cmd: 1, status: "malformed", cc: null });
    expect(exchanges[1]!.note).toMatch(/checksum/);
    expect([...exchanges[1]!.frame!]).toEqual([0x22, 0x18, 0x01, 0x77, 0xa0]);
  });

  it("logs a KCS guest's exchanges as bus kcs0 of kind kcs", async () => {
    const { exchanges, q } = await routed({ interface: "kcs" });
    q.request(0, 0x00, 0x01); // Get Chassis Status
    await q.response(0);
    expect(exchanges[0]).toMatchObject({ busId: "kcs0", busKind: "kcs", seq: 0, status: "ok" });
  });

  it("answers an SSIF message longer than the interface carries C7h, and records it malformed", async () => {
    const { exchanges, q } = await routed({ interface: "ssif" });
    q.request(7, 0x06, 0x01, new Array<number>(254).fill(1));
    const r = await q.response(7);
    expect([...r.data]).toEqual([CC.REQUEST_LENGTH_INVALID]);
    expect(exchanges[0]).toMatchObject({
      busKind: "ssif",
      status: "malformed",
      cc: CC.REQUEST_LENGTH_INVALID,
    });
  });
});
