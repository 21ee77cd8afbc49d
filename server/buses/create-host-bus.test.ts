import net from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../config";
import type { ChassisAction, HostFacingBmc } from "../contract/host-control";
import { BtBus } from "./bt/bt-bus";
import { BtDeviceDouble } from "./bt/device-double";
import { BtDeviceTransport } from "./bt/device-transport";
import { SimulatedHost } from "./bt/sim-host";
import { connectHostControl, createHostBus, type HostBus } from "./create-host-bus";
import { parseHostPort } from "./vm/create-vm-bus";
import { VmBus } from "./vm/vm-bus";
import { encodeVmControl, VM_CMD, VmDecoder, type VmEvent } from "./vm/vm-codec";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Polls a condition (vitest's waitUntil), not a timing assertion. */
const until = (probe: () => boolean) => vi.waitUntil(probe, { timeout: 2000, interval: 5 });

/** A BMC as the host buses see it, recording what reaches it and handing out its listeners. */
class FakeBmc implements HostFacingBmc {
  chassis: ((a: ChassisAction) => void) | undefined;
  attention: ((pending: boolean) => void) | undefined;
  resets = 0;

  onChassisAction(l: (a: ChassisAction) => void): () => void {
    this.chassis = l;
    return () => {
      this.chassis = undefined;
    };
  }

  onAttention(l: (pending: boolean) => void): () => void {
    this.attention = l;
    l(false); // the current value at once, as HostFacingBmc promises
    return () => {
      this.attention = undefined;
    };
  }

  hostReset(): void {
    this.resets++;
  }
}

describe("host transport config", () => {
  it("defaults to the simulated host, /dev/ipmi-bt-host, and a BT guest listening on 127.0.0.1:9002", () => {
    expect(loadConfig({})).toMatchObject({
      HOST_TRANSPORT: "sim",
      QEMU_INTERFACE: "bt",
      BT_DEVICE: "/dev/ipmi-bt-host",
      QEMU_BMC: "127.0.0.1:9002",
      QEMU_MODE: "listen",
    });
  });

  it("takes device and qemu, and refuses a QEMU_BMC that is not host:port", () => {
    expect(
      loadConfig({
        HOST_TRANSPORT: "qemu",
        QEMU_BMC: "[::1]:0",
        QEMU_MODE: "connect",
        QEMU_INTERFACE: "kcs",
      }),
    ).toMatchObject({
      HOST_TRANSPORT: "qemu",
      QEMU_BMC: "[::1]:0",
      QEMU_MODE: "connect",
      QEMU_INTERFACE: "kcs",
    });
    expect(() => loadConfig({ QEMU_BMC: "9002" })).toThrow(/QEMU_BMC: host:port/);
    expect(() => loadConfig({ QEMU_BMC: "localhost:70000" })).toThrow(/QEMU_BMC: port above 65535/);
    expect(() => loadConfig({ QEMU_MODE: "server" })).toThrow(/QEMU_MODE/);
  });

  it("parses host:port, IPv6 in brackets", () => {
    expect(parseHostPort("127.0.0.1:9002")).toEqual({ host: "127.0.0.1", port: 9002 });
    expect(parseHostPort("[::1]:0")).toEqual({ host: "::1", port: 0 });
    expect(() => parseHostPort("nohost")).toThrow(/not host:port/);
  });
});

describe("createHostBus", () => {
  const base = loadConfig({});

  it("builds the bus HOST_TRANSPORT names: BT for sim and device, a VM bus of QEMU_INTERFACE's kind for qemu", () => {
    const sim = createHostBus(base);
    expect(sim).toMatchObject({ transport: "sim", bus: { id: "bt0", kind: "bt" } });
    expect(sim.transport === "sim" && sim.simHost).toBeInstanceOf(SimulatedHost);
    expect(createHostBus({ ...base, HOST_TRANSPORT: "none" }).bus).toBeUndefined();
    const device = createHostBus({ ...base, HOST_TRANSPORT: "device", BT_DEVICE: "/dev/bt-test" });
    expect(device.bus).toBeInstanceOf(BtBus);
    expect(device.transport === "device" && device.device).toBeInstanceOf(BtDeviceTransport);
    expect(device.bus?.description).toMatch("/dev/bt-test");
    const qemu = createHostBus({ ...base, HOST_TRANSPORT: "qemu", QEMU_BMC: "127.0.0.1:0" });
    expect(qemu.bus).toBeInstanceOf(VmBus);
    expect(qemu.bus).toMatchObject({ id: "bt0", kind: "bt" });
    const kcs = createHostBus({ ...base, HOST_TRANSPORT: "qemu", QEMU_INTERFACE: "kcs" });
    expect(kcs.bus).toMatchObject({ id: "kcs0", kind: "kcs" });
    expect(kcs.bus?.description).toBe(
      "QEMU guest, KCS (ipmi-bmc-extern, listening on 127.0.0.1:9002, no VM connected)",
    );
    expect(createHostBus({ ...base, HOST_TRANSPORT: "qemu", QEMU_INTERFACE: "ssif" }).bus).toMatchObject({
      id: "ssif0",
      kind: "ssif",
    });
  });

  it("lets an operator hold a request until shortly before the host gives up", () => {
    expect(createHostBus({ ...base, HOST_TRANSPORT: "qemu" }).bus?.holdDeadlineMs).toBe(3500);
    expect(
      createHostBus({ ...base, HOST_TRANSPORT: "qemu", QEMU_INTERFACE: "kcs" }).bus?.holdDeadlineMs,
    ).toBe(3500);
    expect(createHostBus({ ...base, HOST_TRANSPORT: "device" }).bus?.holdDeadlineMs).toBe(4500);
    expect(createHostBus(base).bus?.holdDeadlineMs).toBe(4500); // the simulated host waits 5 s
  });

  it("warns when the router would wait longer than the host", () => {
    const warnings: string[] = [];
    const log = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    createHostBus({ ...base, HOST_TRANSPORT: "qemu", HANDLER_TIMEOUT_MS: 4000 }, { log });
    createHostBus({ ...base, HOST_TRANSPORT: "sim", HANDLER_TIMEOUT_MS: 9000 }, { log });
    expect(warnings).toEqual([
      expect.stringMatching(/HANDLER_TIMEOUT_MS=4000 is not below the host's 4000 ms/),
    ]);
  });

  it("warns when QEMU_INTERFACE is set for a host that is not QEMU", () => {
    const warnings: string[] = [];
    const log = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    createHostBus({ ...base, QEMU_INTERFACE: "kcs" }, { log });
    expect(warnings).toEqual(["QEMU_INTERFACE=kcs is ignored: HOST_TRANSPORT is sim, not qemu"]);
  });
});

describe("connectHostControl", () => {
  async function qemuHost(iface: "bt" | "kcs" = "bt") {
    const host = createHostBus({
      ...loadConfig({}),
      HOST_TRANSPORT: "qemu",
      QEMU_INTERFACE: iface,
      QEMU_BMC: "127.0.0.1:0",
    });
    if (host.transport !== "qemu") throw new Error("not a VM bus");
    await host.bus.start();
    cleanups.push(() => host.bus.stop());
    const socket = net.connect({ host: "127.0.0.1", port: host.bus.address!.port });
    cleanups.push(() => {
      socket.destroy();
    });
    const got: VmEvent[] = [];
    const decoder = new VmDecoder();
    socket.on("data", (b: Buffer) => got.push(...decoder.push(b)));
    await new Promise<void>((r) => socket.once("connect", () => r()));
    socket.write(Uint8Array.from([0xff, 0x01, 0xa1, 0x08, 0x3f, 0xa1]));
    await until(() => host.bus.peer.capabilities === 0x3f);
    const controls = () => got.flatMap((e) => (e.kind === "control" ? [e.op] : []));
    return { host, socket, controls };
  }

  it("sends the BMC's chassis actions and SMS_ATN to the VM, and tells the BMC when the VM resets", async () => {
    const { host, socket, controls } = await qemuHost("kcs");
    const bmc = new FakeBmc();
    const infos: string[] = [];
    const { wired, dispose } = connectHostControl(host, bmc, { info: (m) => infos.push(m), warn: () => {} });
    expect(wired).toEqual([
      "chassis actions -> VM commands",
      "VM reset -> BMC host reset",
      "pending messages -> SMS_ATN",
    ]);
    cleanups.push(dispose);

    bmc.chassis!("soft-off");
    bmc.chassis!("diagnostic-interrupt");
    bmc.attention!(true);
    await until(() => controls().length === 4);
    expect(controls()).toEqual([VM_CMD.VERSION, VM_CMD.GRACEFUL_SHUTDOWN, VM_CMD.SEND_NMI, VM_CMD.ATTN_IRQ]);
    expect(infos).toContain("chassis soft-off: sent GRACEFUL_SHUTDOWN to QEMU");

    socket.write(encodeVmControl(VM_CMD.RESET));
    await until(() => bmc.resets === 1);
    dispose();
    expect(bmc.chassis).toBeUndefined();
    expect(bmc.attention).toBeUndefined();
  });

  it("says why a chassis action did not reach the VM", async () => {
    const { host } = await qemuHost();
    const bmc = new FakeBmc();
    const warnings: string[] = [];
    cleanups.push(connectHostControl(host, bmc, { info() {}, warn: (m) => warnings.push(m) }).dispose);
    bmc.chassis!("power-on");
    expect(warnings).toEqual([
      expect.stringMatching(/^chassis power-on: not sent to QEMU: a running VM is already on/),
    ]);
  });

  it("raises SMS_ATN on the bt-bmc device when the BMC has a message for the host", async () => {
    const double = new BtDeviceDouble();
    const device = new BtDeviceTransport({ path: double.path, open: double.opener });
    const host: HostBus = { transport: "device", bus: new BtBus("bt0", device), device };
    await host.bus.start();
    cleanups.push(() => host.bus.stop());
    const bmc = new FakeBmc();
    expect(connectHostControl(host, bmc).wired).toEqual(["pending messages -> SMS_ATN"]);
    expect(bmc.chassis).toBeUndefined(); // the device has no power control to carry them
    bmc.attention!(true);
    await until(() => double.smsAtn);
  });

  it("wires nothing for the simulated host or no host", () => {
    const bmc = new FakeBmc();
    expect(connectHostControl(createHostBus(loadConfig({})), bmc).wired).toEqual([]);
    expect(connectHostControl(createHostBus(loadConfig({ HOST_TRANSPORT: "none" })), bmc).wired).toEqual([]);
    expect(bmc).toMatchObject({ chassis: undefined, attention: undefined });
  });
});
