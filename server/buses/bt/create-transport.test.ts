import net from "node:net";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../config";
import type { ChassisAction } from "../../contract/host-control";
import { BtBus } from "./bt-bus";
import { connectHostControl, createBtTransport, parseHostPort } from "./create-transport";
import { BtDeviceDouble } from "./device-double";
import { BtDeviceTransport } from "./device-transport";
import { SimulatedHost } from "./sim-host";
import { encodeVmControl, VM_CMD, VmDecoder, type VmEvent } from "./vm-codec";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Polls a condition (vitest's waitUntil), not a timing assertion. */
const until = (probe: () => boolean) => vi.waitUntil(probe, { timeout: 2000, interval: 5 });

describe("BT transport config", () => {
  it("defaults to the simulated host, /dev/ipmi-bt-host, and listening on 127.0.0.1:9002", () => {
    expect(loadConfig({})).toMatchObject({
      BT_TRANSPORT: "sim",
      BT_DEVICE: "/dev/ipmi-bt-host",
      QEMU_BMC: "127.0.0.1:9002",
      QEMU_MODE: "listen",
    });
  });

  it("takes device and qemu, and refuses a QEMU_BMC that is not host:port", () => {
    expect(loadConfig({ BT_TRANSPORT: "qemu", QEMU_BMC: "[::1]:0", QEMU_MODE: "connect" })).toMatchObject({
      BT_TRANSPORT: "qemu",
      QEMU_BMC: "[::1]:0",
      QEMU_MODE: "connect",
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

describe("createBtTransport", () => {
  const base = loadConfig({});

  it("builds the transport BT_TRANSPORT names", () => {
    expect(createBtTransport(base).transport).toBeInstanceOf(SimulatedHost);
    expect(createBtTransport({ ...base, BT_TRANSPORT: "none" }).transport).toBeUndefined();
    const device = createBtTransport({ ...base, BT_TRANSPORT: "device", BT_DEVICE: "/dev/bt-test" });
    expect(device.transport).toBeInstanceOf(BtDeviceTransport);
    expect(device.transport?.description).toMatch("/dev/bt-test");
    const qemu = createBtTransport({ ...base, BT_TRANSPORT: "qemu", QEMU_BMC: "127.0.0.1:0" });
    expect(qemu.qemu).toBeDefined();
    expect(qemu.transport?.description).toMatch(/QEMU ipmi-bmc-extern/);
  });

  it("lets an operator hold a request until shortly before the host gives up", () => {
    const bus = (t: ReturnType<typeof createBtTransport>) => new BtBus("bt0", t.transport!);
    expect(bus(createBtTransport({ ...base, BT_TRANSPORT: "qemu" })).holdDeadlineMs).toBe(3500);
    expect(bus(createBtTransport({ ...base, BT_TRANSPORT: "device" })).holdDeadlineMs).toBe(4500);
    expect(bus(createBtTransport(base)).holdDeadlineMs).toBe(4500); // the simulated host waits 5 s
  });

  it("warns when the router would wait longer than the host", () => {
    const warnings: string[] = [];
    const log = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
    createBtTransport({ ...base, BT_TRANSPORT: "qemu", HANDLER_TIMEOUT_MS: 4000 }, { log });
    expect(warnings).toEqual([
      expect.stringMatching(/HANDLER_TIMEOUT_MS=4000 is not below the host's 4000 ms/),
    ]);
  });
});

describe("connectHostControl", () => {
  it("sends the BMC's chassis actions to the VM and tells the BMC when the VM resets", async () => {
    const bt = createBtTransport({
      ...loadConfig({}),
      BT_TRANSPORT: "qemu",
      QEMU_BMC: "127.0.0.1:0",
    });
    const qemu = bt.qemu!;
    await qemu.open();
    cleanups.push(() => qemu.close());

    let listener: ((a: ChassisAction) => void) | undefined;
    let resets = 0;
    const bmc = {
      chassis: {
        onAction(l: (a: ChassisAction) => void) {
          listener = l;
          return () => {
            listener = undefined;
          };
        },
      },
      hostReset() {
        resets++;
      },
    };
    const infos: string[] = [];
    const { wired, dispose } = connectHostControl(bt, bmc, { info: (m) => infos.push(m), warn: () => {} });
    expect(wired).toEqual(["chassis actions -> VM commands", "VM reset -> BMC host reset"]);
    cleanups.push(dispose);

    const socket = net.connect({ host: "127.0.0.1", port: qemu.address!.port });
    cleanups.push(() => {
      socket.destroy();
    });
    const got: VmEvent[] = [];
    const decoder = new VmDecoder();
    socket.on("data", (b: Buffer) => got.push(...decoder.push(b)));
    await new Promise<void>((r) => socket.once("connect", () => r()));
    socket.write(Uint8Array.from([0xff, 0x01, 0xa1, 0x08, 0x3f, 0xa1]));
    await until(() => qemu.peer.capabilities === 0x3f);

    listener!("soft-off");
    listener!("diagnostic-interrupt");
    await until(() => got.filter((e) => e.kind === "control").length === 3);
    expect(got.map((e) => (e.kind === "control" ? e.op : -1))).toEqual([
      VM_CMD.VERSION,
      VM_CMD.GRACEFUL_SHUTDOWN,
      VM_CMD.SEND_NMI,
    ]);
    expect(infos).toContain("chassis soft-off: sent GRACEFUL_SHUTDOWN to QEMU");

    socket.write(encodeVmControl(VM_CMD.RESET));
    await until(() => resets === 1);
    dispose();
    expect(listener).toBeUndefined();
  });

  it("raises SMS_ATN on the bt-bmc device when the BMC has a message for the host", async () => {
    const device = new BtDeviceDouble();
    const transport = new BtDeviceTransport({ path: device.path, open: device.opener });
    await transport.open();
    cleanups.push(() => transport.close());
    let attention: ((pending: boolean) => void) | undefined;
    const bmc = {
      onAttention(l: (pending: boolean) => void) {
        attention = l;
        return () => {};
      },
    };
    expect(connectHostControl({ transport, device: transport }, bmc).wired).toEqual([
      "pending messages -> SMS_ATN",
    ]);
    attention!(true);
    await until(() => device.smsAtn);
  });

  it("wires nothing for other transports or a BMC without those hooks", () => {
    const sim = createBtTransport(loadConfig({}));
    expect(connectHostControl(sim, { hostReset() {} }).wired).toEqual([]);
    const qemu = createBtTransport({ ...loadConfig({}), BT_TRANSPORT: "qemu" });
    expect(connectHostControl(qemu, {}).wired).toEqual([]);
  });
});
