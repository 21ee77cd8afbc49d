/**
 * The KCS device transport against a double with kcs_bmc_cdev_ipmi's semantics (one
 * opener, whole messages per read, write only in turn, SMS_ATN/abort ioctls), under the
 * product's router and BMC handlers. Only the transport's `open` points at the double.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { SystemInterfaceBus } from "../device/si-bus";
import { logSink, routedBus } from "../device/test-rig";
import { createKcsDeviceBus, KCS_FRAMING } from "./create-kcs-bus";
import { decodeSiResponse, encodeSiRequest } from "./kcs-codec";
import {
  IPMI_BMC_IOCTL_CLEAR_SMS_ATN,
  IPMI_BMC_IOCTL_FORCE_ABORT,
  IPMI_BMC_IOCTL_SET_SMS_ATN,
  KCS_HOST_TIMEOUT_MS,
  KcsDeviceTransport,
} from "./kcs-device";
import { KcsDeviceDouble } from "./kcs-device-double";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const req = (netFn: number, cmd: number, data: number[] = []) =>
  encodeSiRequest({ netFn, lun: 0, cmd, data: Uint8Array.from(data) });
const until = (probe: () => boolean) => vi.waitUntil(probe, { timeout: 2000, interval: 5 });

async function rig(options: { now?: () => number; slowMs?: number; routerTimeoutMs?: number } = {}) {
  const double = new KcsDeviceDouble();
  const { lines, log } = logSink();
  const device = new KcsDeviceTransport({
    path: double.path,
    open: double.opener,
    log,
    ...(options.now ? { now: options.now } : {}),
  });
  const bus = new SystemInterfaceBus("kcs0", KCS_FRAMING, device);
  const { router, exchanges } = await routedBus(bus, cleanups, options);
  return { double, device, bus, router, exchanges, warnings: lines };
}

describe("the ioctl numbers of include/uapi/linux/ipmi_bmc.h", () => {
  it("are _IO(0xB1, 0..2)", () => {
    expect([IPMI_BMC_IOCTL_SET_SMS_ATN, IPMI_BMC_IOCTL_CLEAR_SMS_ATN, IPMI_BMC_IOCTL_FORCE_ABORT]).toEqual([
      0xb100, 0xb101, 0xb102,
    ]);
  });
});

describe("KcsDeviceTransport on a kcs_bmc_cdev_ipmi double", () => {
  it("answers the host's Get Device ID, one whole message each way, as a kcs bus", async () => {
    const { double, bus, exchanges } = await rig();
    expect(bus).toMatchObject({ id: "kcs0", kind: "kcs", maxResponseData: 269, hostTimeoutMs: 5000 });
    expect(bus.holdDeadlineMs).toBe(4500);
    expect(bus.description).toBe("KCS, Linux kcs_bmc device /dev/ipmi-kcs3");
    expect(double.hostSend(req(0x06, 0x01))).toBe(true);
    const res = decodeSiResponse(await double.hostRead());
    expect(res).toMatchObject({ netFn: 0x07, cmd: 0x01, cc: 0x00 });
    expect(exchanges[0]).toMatchObject({
      busKind: "kcs",
      seq: null,
      status: "ok",
      handlerId: "app.get-device-id",
    });
    expect(double.phase).toBe("idle");
  });

  it("answers a response netfn with C1h and records it malformed", async () => {
    const { double, exchanges } = await rig();
    double.hostSend([0x1c, 0x01]);
    expect(decodeSiResponse(await double.hostRead())).toMatchObject({ netFn: 7, cmd: 1, cc: 0xc1 });
    expect(exchanges[0]).toMatchObject({ status: "malformed" });
  });

  it("is the device's only opener, and explains EBUSY and ENOENT", async () => {
    const { double } = await rig();
    const second = new KcsDeviceTransport({ path: double.path, open: double.opener });
    await expect(second.open()).rejects.toThrow(
      /KCS device \/dev\/ipmi-kcs3 is busy: kcs_bmc allows one opener/,
    );
    const missing = new KcsDeviceTransport({ path: "/dev/ipmi-kcs9", open: double.opener });
    await expect(missing.open()).rejects.toThrow(/does not exist: is CONFIG_IPMI_KCS_BMC_CDEV_IPMI enabled/);
  });

  it("the double refuses a write out of turn with EINVAL, as the driver does", async () => {
    const double = new KcsDeviceDouble();
    const file = await double.opener(double.path);
    await expect(file.write(Uint8Array.of(0x1c, 0x01, 0x00))).rejects.toMatchObject({ code: "EINVAL" });
    double.hostSend(req(0x06, 0x01));
    const buf = new Uint8Array(1000);
    expect(await file.read(buf)).toBe(2);
    await expect(file.write(Uint8Array.of(0x1c, 0x01))).rejects.toMatchObject({ code: "EINVAL" }); // < 3 bytes
    expect(await file.write(Uint8Array.of(0x1c, 0x01, 0x00))).toBe(3);
    // The host has not read it yet: a second write is refused, not blocked.
    await expect(file.write(Uint8Array.of(0x1c, 0x01, 0x00))).rejects.toMatchObject({ code: "EINVAL" });
    expect(double.stats.refusedWrites).toBe(2);
    await file.close();
  });

  it("a short read buffer aborts the transfer with EOVERFLOW", async () => {
    const double = new KcsDeviceDouble();
    const file = await double.opener(double.path);
    double.hostSend(req(0x06, 0x01, [1, 2, 3]));
    await expect(file.read(new Uint8Array(3))).rejects.toMatchObject({ code: "EOVERFLOW" });
    expect(double.phase).toBe("error");
    await file.close();
  });

  it("sets and clears SMS_ATN through the ioctls, once per change, and forces an abort", async () => {
    const { double, device } = await rig();
    device.setAttention(true);
    await until(() => double.smsAtn);
    device.setAttention(true); // no second ioctl
    device.setAttention(false);
    await until(() => !double.smsAtn);
    expect(double.stats.ioctls).toEqual([0xb100, 0xb101]);
    double.hostSend(req(0x30, 0x99)); // unanswered (no handler: the router answers C1h)
    await double.hostRead();
    device.forceAbort();
    await until(() => double.stats.ioctls.length === 3);
    expect(double.phase).toBe("error");
  });

  it("drops the answer to a request the host aborted and resent, and answers the resend", async () => {
    let clock = 0;
    const { double, device, exchanges, warnings } = await rig({ now: () => clock, slowMs: 60 });
    double.hostSend(req(0x30, 0x01));
    await until(() => exchanges.length === 0 && device.stats.requests === 1);
    // The host's OBF timeout: abort, then the same request again (ipmi_kcs_sm restart).
    clock += KCS_HOST_TIMEOUT_MS + 1;
    double.hostAbort();
    double.hostSend(req(0x30, 0x01));
    const res = decodeSiResponse(await double.hostRead());
    expect(res).toMatchObject({ cmd: 1, cc: 0, data: Uint8Array.of(0x5a) });
    await until(() => device.stats.dropped === 1 && exchanges.length === 2);
    expect(device.stats.responses).toBe(1);
    expect(double.stats.refusedWrites).toBe(0); // never wrote the stale one
    expect(warnings.join("\n")).toMatch(
      /KCS response for request 1 not written: the host has sent a newer request/,
    );
  });

  it("does not write an answer older than the host's timeout, and counts it", async () => {
    let clock = 0;
    const { double, device, warnings } = await rig({ now: () => clock, slowMs: 30 });
    double.hostSend(req(0x30, 0x01));
    await until(() => device.stats.requests === 1);
    clock += 6000;
    await until(() => device.stats.dropped === 1);
    await expect(double.hostRead(50)).rejects.toThrow(/no response/);
    expect(warnings.join("\n")).toMatch(
      /request 1 not written: 6000 ms after the request, the host \(5000 ms\)/,
    );
  });

  it("closing releases the device and force-aborts, like kcs_bmc_ipmi_release once the parked read returns", async () => {
    const double = new KcsDeviceDouble();
    const { bus } = createKcsDeviceBus("kcs3", double.path, { open: double.opener });
    await bus.start();
    expect(double.isOpen).toBe(true);
    await bus.stop();
    expect(double.isOpen).toBe(true); // a read is parked in the driver
    double.hostSend(req(0x06, 0x01)); // taken by the parked read and dropped
    expect(double.isOpen).toBe(false);
    expect(double.phase).toBe("error");
    expect(double.hostSend(req(0x06, 0x01))).toBe(false); // nobody has it open: aborted
  });
});
