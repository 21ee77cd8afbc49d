import net from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../config";
import type { ChassisAction, HostFacingBmc } from "../contract/host-control";
import { BtBus } from "./bt/bt-bus";
import { BtDeviceDouble } from "./bt/device-double";
import { BtDeviceTransport } from "./bt/device-transport";
import { SimulatedHost } from "./bt/sim-host";
import { splitHostPort } from "./bus-list";
import { type BusFactoryOptions, type CreatedBus, connectHostControl, createBuses } from "./create-buses";
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
    expect(splitHostPort("127.0.0.1:9002")).toEqual({ host: "127.0.0.1", port: 9002 });
    expect(splitHostPort("[::1]:0")).toEqual({ host: "::1", port: 0 });
    expect(splitHostPort("nohost")).toBeNull();
    expect(splitHostPort("h:65536")).toBeNull();
  });
});

/** The one bus a configuration's first entry makes (the LAN bus needs sessions: off here). */
function hostBus(env: Record<string, string>, log?: BusFactoryOptions["log"]): CreatedBus | undefined {
  const config = loadConfig({ LAN_PORT: "off", ...env });
  return createBuses(config, log ? { log } : {}).find((c) => c.spec.kind !== "ipmb");
}

describe("createBuses", () => {
  it("builds what HOST_TRANSPORT names: BT for sim and device, a VM bus of QEMU_INTERFACE's kind for qemu", () => {
    const sim = hostBus({});
    expect(sim).toMatchObject({ bus: { id: "bt0", kind: "bt" }, meta: { transport: "sim", address: null } });
    expect(sim?.simHost).toBeInstanceOf(SimulatedHost);
    expect(hostBus({ HOST_TRANSPORT: "none" })).toBeUndefined();
    const device = hostBus({ HOST_TRANSPORT: "device", BT_DEVICE: "/dev/bt-test" });
    expect(device?.bus).toBeInstanceOf(BtBus);
    expect(device?.bus.description).toMatch("/dev/bt-test");
    expect(device?.meta).toEqual({ transport: "device", address: "/dev/bt-test" });
    expect(device?.attention).toBeTypeOf("function");
    const qemu = hostBus({ HOST_TRANSPORT: "qemu", QEMU_BMC: "127.0.0.1:0" });
    expect(qemu?.bus).toBeInstanceOf(VmBus);
    expect(qemu?.bus).toMatchObject({ id: "bt0", kind: "bt" });
    const kcs = hostBus({ HOST_TRANSPORT: "qemu", QEMU_INTERFACE: "kcs" });
    expect(kcs?.bus).toMatchObject({ id: "kcs0", kind: "kcs" });
    expect(kcs?.bus.description).toBe(
      "QEMU guest, KCS (ipmi-bmc-extern, listening on 127.0.0.1:9002, no VM connected)",
    );
    expect(kcs?.meta).toEqual({ transport: "qemu", address: "127.0.0.1:9002" });
    expect(hostBus({ HOST_TRANSPORT: "qemu", QEMU_INTERFACE: "ssif" })?.bus).toMatchObject({
      id: "ssif0",
      kind: "ssif",
    });
  });

  it("builds every bus BUSES lists, in order, each QEMU bus on its own address and only the first watching QMP", () => {
    const config = loadConfig({
      BUSES: "bt:qemu@127.0.0.1:0, kcs:qemu@127.0.0.1:0, bt:sim, lan@127.0.0.1:0",
      QEMU_QMP: "unix:/tmp/qmp-test.sock",
    });
    const lanLogin = {} as NonNullable<BusFactoryOptions["lanLogin"]>;
    const created = createBuses(config, { lanLogin });
    expect(created.map((c) => [c.bus.id, c.bus.kind, c.meta.transport])).toEqual([
      ["bt0", "bt", "qemu"],
      ["kcs0", "kcs", "qemu"],
      ["bt1", "bt", "sim"],
      ["lan0", "lan", "udp"],
    ]);
    expect(created.filter((c) => c.vm).map((c) => c.bus.id)).toEqual(["bt0", "kcs0"]);
    // A bus not started is down; a VM bus waits for its VM once listening.
    expect(created.map((c) => c.bus.state)).toEqual(["down", "down", "down", "down"]);
    expect(() => createBuses(loadConfig({ BUSES: "lan@127.0.0.1:0" }))).toThrow(/needs the BMC's sessions/);
  });

  it("lets an operator hold a request until shortly before the host gives up", () => {
    expect(hostBus({ HOST_TRANSPORT: "qemu" })?.bus.holdDeadlineMs).toBe(3500);
    expect(hostBus({ HOST_TRANSPORT: "qemu", QEMU_INTERFACE: "kcs" })?.bus.holdDeadlineMs).toBe(3500);
    expect(hostBus({ HOST_TRANSPORT: "device" })?.bus.holdDeadlineMs).toBe(4500);
    expect(hostBus({})?.bus.holdDeadlineMs).toBe(4500); // the simulated host waits 5 s
  });

  it("warns when the router would wait longer than a bus's host", () => {
    const warnings: string[] = [];
    const log = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    hostBus({ HOST_TRANSPORT: "qemu", HANDLER_TIMEOUT_MS: "4000" }, log);
    hostBus({ HOST_TRANSPORT: "sim", HANDLER_TIMEOUT_MS: "9000" }, log);
    expect(warnings).toEqual([
      expect.stringMatching(/HANDLER_TIMEOUT_MS=4000 is not below bt0's host's 4000 ms/),
    ]);
  });
});

describe("connectHostControl", () => {
  async function qemuHost(iface: "bt" | "kcs" = "bt") {
    const created = hostBus({ HOST_TRANSPORT: "qemu", QEMU_INTERFACE: iface, QEMU_BMC: "127.0.0.1:0" });
    const vm = created?.vm;
    if (!created || !vm) throw new Error("not a VM bus");
    const host = { ...created, bus: vm };
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
    const { wired, dispose } = connectHostControl([host], bmc, {
      info: (m) => infos.push(m),
      warn: () => {},
    });
    expect(wired).toEqual([
      "chassis actions -> VM commands (kcs0)",
      "VM reset -> BMC host reset (kcs0)",
      "pending messages -> SMS_ATN (kcs0)",
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
    cleanups.push(connectHostControl([host], bmc, { info() {}, warn: (m) => warnings.push(m) }).dispose);
    bmc.chassis!("power-on");
    expect(warnings).toEqual([
      expect.stringMatching(/^chassis power-on: not sent to QEMU: a running VM is already on/),
    ]);
  });

  it("raises SMS_ATN on the bt-bmc device when the BMC has a message for the host", async () => {
    const double = new BtDeviceDouble();
    const device = new BtDeviceTransport({ path: double.path, open: double.opener });
    const bus = new BtBus("bt0", device);
    const host: CreatedBus = {
      spec: { id: "bt0", entry: "bt:device", kind: "bt", transport: "device", path: double.path },
      bus,
      meta: { transport: "device", address: double.path },
      attention: (pending) => device.setAttention(pending),
    };
    await bus.start();
    cleanups.push(() => bus.stop());
    const bmc = new FakeBmc();
    expect(connectHostControl([host], bmc).wired).toEqual(["pending messages -> SMS_ATN (bt0)"]);
    expect(bmc.chassis).toBeUndefined(); // the device has no power control to carry them
    bmc.attention!(true);
    await until(() => double.smsAtn);
  });

  it("wires nothing for the simulated host or no host", () => {
    const bmc = new FakeBmc();
    const sim = hostBus({});
    expect(connectHostControl(sim ? [sim] : [], bmc).wired).toEqual([]);
    expect(connectHostControl([], bmc).wired).toEqual([]);
    expect(bmc).toMatchObject({ chassis: undefined, attention: undefined });
  });

  it("raises SMS_ATN on every system interface of a guest with two, and sends chassis actions through the first", async () => {
    const config = loadConfig({ BUSES: "bt:qemu@127.0.0.1:0,kcs:qemu@127.0.0.1:0", LAN_PORT: "off" });
    const created = createBuses(config);
    const raised: string[] = [];
    for (const c of created) c.attention = (p) => raised.push(`${c.bus.id}=${p}`);
    const bmc = new FakeBmc();
    const { wired, dispose } = connectHostControl(created, bmc);
    cleanups.push(dispose);
    expect(wired).toEqual([
      "chassis actions -> VM commands (bt0)",
      "VM reset -> BMC host reset (bt0)",
      "pending messages -> SMS_ATN (bt0, kcs0)",
    ]);
    bmc.attention!(true);
    expect(raised).toEqual(["bt0=false", "kcs0=false", "bt0=true", "kcs0=true"]);
  });
});
