/**
 * The QEMU transport against a scripted QEMU on loopback: a TCP peer that speaks the
 * VM protocol as QEMU 7.2's ipmi-bmc-extern does (handshake, ids, RESET on reboot).
 */
import net from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createBmc } from "../../bmc";
import type { Exchange } from "../../contract/exchange";
import { Router } from "../../router/router";
import type { BusMalformed } from "../../router/types";
import { BtBus } from "./bt-bus";
import { encodeBtResponse } from "./bt-codec";
import { QemuTransport } from "./qemu-transport";
import { parseQmpAddress } from "./qmp-watch";
import { encodeVmControl, encodeVmMessage, VM_CMD, VmDecoder, type VmEvent } from "./vm-codec";

const QEMU_HELLO = Uint8Array.from([0xff, 0x01, 0xa1, 0x08, 0x3f, 0xa1]);

/** QEMU's side of the socket: collects what we send, decoded. */
class FakeQemu {
  readonly events: VmEvent[] = [];
  private readonly decoder = new VmDecoder();
  private waiters: { test: (e: VmEvent) => boolean; resolve: (e: VmEvent) => void }[] = [];
  closed: Promise<void>;

  constructor(readonly socket: net.Socket) {
    socket.on("data", (chunk: Buffer) => {
      for (const e of this.decoder.push(chunk)) {
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

  response(id: number): Promise<Extract<VmEvent, { kind: "message" }>> {
    return this.next((e) => e.kind === "message" && e.id === id) as Promise<
      Extract<VmEvent, { kind: "message" }>
    >;
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

async function listening(options: Partial<ConstructorParameters<typeof QemuTransport>[0]> = {}) {
  const t = new QemuTransport({ host: "127.0.0.1", port: 0, ...options });
  const frames: Uint8Array[] = [];
  const malformed: BusMalformed[] = [];
  t.onFrame((f) => frames.push(f));
  t.onMalformed((m) => malformed.push(m));
  await t.open();
  cleanups.push(() => t.close());
  return { t, frames, malformed, port: t.address!.port };
}

/** Polls a condition (vitest's waitUntil), not a timing assertion. */
const until = (probe: () => boolean) => vi.waitUntil(probe, { timeout: 2000, interval: 5 });

const respond = (frame: Uint8Array, cc: number, data: number[] = []) =>
  encodeBtResponse({
    netFn: (frame[1]! >> 2) | 1,
    lun: frame[1]! & 3,
    seq: frame[2]!,
    cmd: frame[3]!,
    cc,
    data: Uint8Array.from(data),
  });

describe("QemuTransport, listening (QEMU connects)", () => {
  it("sends its version on connect, learns QEMU's capabilities, says where it listens", async () => {
    const { t, port } = await listening();
    expect(t.description).toBe(
      `QEMU ipmi-bmc-extern (VM protocol), listening on 127.0.0.1:${port}, no VM connected`,
    );
    const q = await FakeQemu.connect(port);
    cleanups.push(() => q.close());
    expect(await q.control(VM_CMD.VERSION)).toMatchObject({ args: Uint8Array.of(1) });
    await until(() => t.peer.capabilities === 0x3f);
    expect(t.peer.version).toBe(1);
    expect(t.description).toMatch(/VM connected$/);
  });

  it("turns a VM message into a BT frame with QEMU's id as seq, and echoes the id in the response", async () => {
    const { t, frames, port } = await listening();
    const q = await FakeQemu.connect(port);
    cleanups.push(() => q.close());
    q.request(0x37, 0x06, 0x01);
    await until(() => frames.length === 1);
    expect([...frames[0]!]).toEqual([3, 0x18, 0x37, 0x01]);
    expect(t.write(respond(frames[0]!, 0x00, [0x20, 0x01, 0xaa]))).toBe("sent");
    const r = await q.response(0x37);
    expect(r).toMatchObject({ netFnLun: 0x1c, cmd: 0x01 });
    expect([...r.data]).toEqual([0x00, 0x20, 0x01, 0xaa]);
  });

  it("records a bad checksum as malformed, skips it, and takes the next message", async () => {
    const { frames, malformed, port } = await listening();
    const q = await FakeQemu.connect(port);
    cleanups.push(() => q.close());
    q.send([0x05, 0x18, 0x01, 0x00, 0xa0]);
    q.send([0x13, 0x37, 0xa0]);
    q.request(0x06, 0x06, 0x01);
    await until(() => frames.length === 1 && malformed.length === 2);
    expect(malformed[0]).toMatchObject({ header: { seq: 5, netFn: 6, lun: 0, cmd: 1 } });
    expect(malformed[0]!.reason).toMatch(/checksum/);
    expect([...malformed[0]!.frame]).toEqual([0x05, 0x18, 0x01, 0x00, 0xa0]);
    expect(malformed[1]!.reason).toMatch(/too short/);
    expect(frames[0]![2]).toBe(0x06);
  });

  it("drops an answer QEMU no longer waits for (a newer request came, or its 4 s passed)", async () => {
    const { t, frames, port } = await listening({ hostTimeoutMs: 50 });
    const q = await FakeQemu.connect(port);
    cleanups.push(() => q.close());
    q.request(1, 0x06, 0x01);
    q.request(2, 0x06, 0x01);
    await until(() => frames.length === 2);
    t.write(respond(frames[0]!, 0));
    expect(t.stats.dropped).toBe(1);
    t.write(respond(frames[1]!, 0));
    await q.response(2);
    q.request(3, 0x06, 0x01);
    await until(() => frames.length === 3);
    await new Promise((r) => setTimeout(r, 80));
    t.write(respond(frames[2]!, 0));
    expect(t.stats.dropped).toBe(2);
    expect(q.events.filter((e) => e.kind === "message")).toEqual([]);
  });

  it("tells the BMC when the VM resets", async () => {
    const { t, port } = await listening();
    const q = await FakeQemu.connect(port);
    cleanups.push(() => q.close());
    let resets = 0;
    t.onHostReset(() => resets++);
    q.send(encodeVmControl(VM_CMD.RESET));
    await until(() => resets === 1);
    expect(t.stats.hostResets).toBe(1);
  });

  it("maps chassis actions to VM commands QEMU announced, and says why when it can't", async () => {
    const { t, port } = await listening();
    expect(t.chassisControl("hard-reset")).toEqual({ sent: false, reason: "no VM is connected" });
    const q = await FakeQemu.connect(port, false);
    cleanups.push(() => q.close());
    q.send([0xff, 0x01, 0xa1, 0x08, 0x13, 0xa1]); // power, reset, attn: no NMI, no graceful shutdown
    await until(() => t.peer.capabilities === 0x13);
    expect(t.chassisControl("power-off")).toEqual({ sent: true, command: "POWEROFF" });
    expect(t.chassisControl("hard-reset")).toEqual({ sent: true, command: "RESET" });
    expect(t.chassisControl("power-cycle")).toEqual({ sent: true, command: "RESET" });
    expect(t.chassisControl("soft-off")).toMatchObject({ sent: false });
    expect(t.chassisControl("diagnostic-interrupt")).toMatchObject({ sent: false });
    expect(t.chassisControl("power-on")).toMatchObject({ sent: false });
    await q.control(VM_CMD.POWEROFF);
    await q.control(VM_CMD.RESET);
    await q.control(VM_CMD.RESET);
  });

  it("holds a chassis action until the pending Chassis Control response has gone out", async () => {
    const { t, frames, port } = await listening();
    const q = await FakeQemu.connect(port);
    cleanups.push(() => q.close());
    await until(() => t.peer.capabilities === 0x3f);
    q.request(5, 0x00, 0x02, [0x00]); // Chassis Control: power down
    await until(() => frames.length === 1);
    expect(t.chassisControl("power-off")).toEqual({ sent: true, command: "POWEROFF" });
    await new Promise((r) => setTimeout(r, 20));
    expect(q.events.some((e) => e.kind === "control" && e.op === VM_CMD.POWEROFF)).toBe(false);
    t.write(respond(frames[0]!, 0));
    await q.response(5);
    await q.control(VM_CMD.POWEROFF);
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
    const { t } = await listening({ qmp: `127.0.0.1:${(qmp.address() as net.AddressInfo).port}` });
    let resets = 0;
    t.onHostReset(() => resets++);
    await until(() => resets === 1);
    await new Promise((r) => setTimeout(r, 30));
    expect(resets).toBe(1);
  });

  it("reads QMP addresses as unix:/path or host:port", () => {
    expect(parseQmpAddress("unix:/tmp/q.sock")).toEqual({ path: "/tmp/q.sock" });
    expect(parseQmpAddress("tcp:127.0.0.1:4444")).toEqual({ host: "127.0.0.1", port: 4444 });
    expect(parseQmpAddress("[::1]:4444")).toEqual({ host: "::1", port: 4444 });
    expect(() => parseQmpAddress("qmp.sock")).toThrow(/neither/);
  });

  it("sends ATTN when the BMC has something for the host, and again after QEMU reconnects", async () => {
    const { t, port } = await listening();
    const q = await FakeQemu.connect(port);
    await until(() => t.peer.capabilities === 0x3f);
    t.setAttention(true);
    await q.control(VM_CMD.ATTN_IRQ);
    t.setAttention(true); // no change, nothing sent
    await q.close();
    await until(() => !t.connected);
    const again = await FakeQemu.connect(port);
    cleanups.push(() => again.close());
    await again.control(VM_CMD.ATTN_IRQ);
    t.setAttention(false);
    await again.control(VM_CMD.NOATTN);
  });

  it("follows the guest's interrupt enable in BMC Global Enables", async () => {
    const { t, frames, port } = await listening();
    const q = await FakeQemu.connect(port);
    cleanups.push(() => q.close());
    q.request(9, 0x06, 0x2e, [0x0d]);
    await until(() => frames.length === 1);
    t.write(respond(frames[0]!, 0));
    await q.response(9);
    await q.control(VM_CMD.ENABLE_IRQ);
    q.request(10, 0x06, 0x2e, [0x0c]);
    await until(() => frames.length === 2);
    t.write(respond(frames[1]!, 0));
    await q.control(VM_CMD.DISABLE_IRQ);
  });

  it("takes a new connection in place of the old one when QEMU restarts", async () => {
    const { t, frames, port } = await listening();
    const first = await FakeQemu.connect(port);
    await until(() => t.connected);
    const second = await FakeQemu.connect(port);
    cleanups.push(() => second.close());
    await first.closed;
    second.request(0, 0x06, 0x01);
    await until(() => frames.length === 1);
    t.write(respond(frames[0]!, 0));
    await second.response(0);
    expect(t.stats.connections).toBe(2);
  });

  it("refuses to start when the port is taken, naming it", async () => {
    const { port } = await listening();
    const other = new QemuTransport({ host: "127.0.0.1", port });
    await expect(other.open()).rejects.toThrow(new RegExp(`127\\.0\\.0\\.1:${port} is already in use`));
  });
});

describe("QemuTransport, connecting out (QEMU listens)", () => {
  it("keeps dialling until QEMU listens, and again after QEMU goes away", async () => {
    // Reserve a port, then free it so the first attempts fail.
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));

    const t = new QemuTransport({ host: "127.0.0.1", port, mode: "connect", reconnectMs: 20 });
    const frames: Uint8Array[] = [];
    t.onFrame((f) => frames.push(f));
    await t.open();
    cleanups.push(() => t.close());
    expect(t.description).toMatch(`connecting to 127.0.0.1:${port}, no VM connected`);
    await new Promise((r) => setTimeout(r, 60));

    const peers: FakeQemu[] = [];
    const server = net.createServer((s) => {
      const q = new FakeQemu(s);
      s.write(QEMU_HELLO);
      peers.push(q);
    });
    await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    await until(() => peers.length === 1 && t.connected);
    peers[0]!.request(4, 0x06, 0x01);
    await until(() => frames.length === 1);
    t.write(respond(frames[0]!, 0));
    await peers[0]!.response(4);

    await peers[0]!.close();
    await until(() => peers.length === 2 && t.connected);
    await peers[1]!.control(VM_CMD.VERSION);
    cleanups.push(() => peers[1]!.close());
  });
});

describe("QemuTransport under a BtBus and the router", () => {
  it("answers a VM's Get Device ID from the BMC's handler and logs malformed frames", async () => {
    const t = new QemuTransport({ host: "127.0.0.1", port: 0 });
    const router = new Router();
    for (const spec of createBmc().handlers) router.registry.register(spec);
    const exchanges: Exchange[] = [];
    router.onExchange((x) => exchanges.push(x));
    const bus = new BtBus("bt0", t);
    router.addBus(bus);
    await bus.start();
    cleanups.push(() => bus.stop());
    expect(bus.description).toMatch(/^BT, QEMU ipmi-bmc-extern/);

    const q = await FakeQemu.connect(t.address!.port);
    cleanups.push(() => q.close());
    q.request(0x21, 0x06, 0x01);
    const r = await q.response(0x21);
    expect(r.netFnLun).toBe(0x07 << 2);
    expect(r.data[0]).toBe(0x00);
    expect(r.data.length).toBeGreaterThan(11);

    q.send([0x22, 0x18, 0x01, 0x77, 0xa0]);
    await until(() => exchanges.length === 2);
    expect(exchanges[0]).toMatchObject({
      seq: 0x21,
      netFn: 6,
      cmd: 1,
      status: "ok",
      handlerId: "app.get-device-id",
    });
    expect(exchanges[1]).toMatchObject({ seq: 0x22, netFn: 6, cmd: 1, status: "malformed", cc: null });
    expect(exchanges[1]!.note).toMatch(/checksum/);
  });
});
