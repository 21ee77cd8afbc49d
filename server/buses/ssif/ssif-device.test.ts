/**
 * The SSIF device transport against a double with ssif_bmc's semantics (one opener, one
 * whole length-prefixed record per read, a write that waits while the previous response is
 * being read and is refused once the driver's 500 ms timer dropped the exchange), under
 * the product's router and BMC handlers.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { SystemInterfaceBus } from "../device/si-bus";
import { logSink, routedBus } from "../device/test-rig";
import { decodeSiResponse, encodeSiRequest } from "../kcs/kcs-codec";
import { createSsifDeviceBus, SSIF_FRAMING } from "./create-ssif-bus";
import { encodeSsifResponse } from "./ssif-codec";
import { SSIF_BMC_RESPONSE_TIMEOUT_MS, SsifDeviceTransport } from "./ssif-device";
import { SsifDeviceDouble } from "./ssif-device-double";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const msg = (netFn: number, cmd: number, data: number[] = []) =>
  encodeSiRequest({ netFn, lun: 0, cmd, data: Uint8Array.from(data) });
const until = (probe: () => boolean) => vi.waitUntil(probe, { timeout: 2000, interval: 5 });
const ok = (cmd: number) => encodeSsifResponse({ netFn: 7, lun: 0, cmd, cc: 0, data: new Uint8Array() });

async function rig(options: { now?: () => number; slowMs?: number } = {}) {
  const double = new SsifDeviceDouble();
  const { lines, log } = logSink();
  const device = new SsifDeviceTransport({
    path: double.path,
    open: double.opener,
    log,
    ...(options.now ? { now: options.now } : {}),
  });
  const bus = new SystemInterfaceBus("ssif0", SSIF_FRAMING, device);
  const { router, exchanges } = await routedBus(bus, cleanups, options);
  return { double, device, bus, router, exchanges, warnings: lines };
}

describe("SsifDeviceTransport on an ssif_bmc double", () => {
  it("answers the host's Get Device ID as an ssif bus, with no SMS_ATN to set", async () => {
    const { double, device, bus, exchanges } = await rig();
    expect(bus).toMatchObject({ id: "ssif0", kind: "ssif", maxResponseData: 251, hostTimeoutMs: 500 });
    expect(bus.holdDeadlineMs).toBe(100);
    expect(bus.description).toBe("SSIF, Linux ssif_bmc device /dev/ipmi-ssif-host");
    expect("setAttention" in device).toBe(false);
    expect(double.hostSend(msg(0x06, 0x01))).toBe(true);
    expect(decodeSiResponse(await double.hostRead())).toMatchObject({ netFn: 7, cmd: 1, cc: 0 });
    expect(exchanges[0]).toMatchObject({
      busKind: "ssif",
      seq: null,
      status: "ok",
      handlerId: "app.get-device-id",
    });
  });

  it("is the device's only opener, and explains EBUSY and ENOENT", async () => {
    const { double } = await rig();
    const second = new SsifDeviceTransport({ path: double.path, open: double.opener });
    await expect(second.open()).rejects.toThrow(
      /SSIF device \/dev\/ipmi-ssif-host is busy: ssif_bmc allows one opener/,
    );
    const missing = new SsifDeviceTransport({ path: "/dev/nope", open: double.opener });
    await expect(missing.open()).rejects.toThrow(/does not exist: is CONFIG_SSIF_IPMI_BMC enabled/);
  });

  it("the double NACKs the host while a request waits for its answer, until the driver's timer", async () => {
    const double = new SsifDeviceDouble();
    const file = await double.opener(double.path);
    expect(double.hostSend(msg(0x06, 0x01))).toBe(true);
    expect(double.hostSend(msg(0x06, 0x02))).toBe(false);
    expect(await file.read(new Uint8Array(260))).toBe(6);
    double.fireResponseTimer(); // RESPONSE_TIMEOUT: the exchange is dropped...
    await expect(file.write(ok(1))).rejects.toMatchObject({ code: "EINVAL" }); // ...and a late answer refused
    expect(double.hostSend(msg(0x06, 0x02))).toBe(true); // the host's retry gets through
    await file.close();
  });

  it("the double checks a write's sizes, and a write waits while the previous response is unread", async () => {
    const double = new SsifDeviceDouble();
    const file = await double.opener(double.path);
    double.hostSend(msg(0x06, 0x01));
    await expect(file.read(new Uint8Array(5))).rejects.toMatchObject({ code: "EINVAL" }); // < 4 + len
    expect(await file.read(new Uint8Array(260))).toBe(6);
    await expect(file.write(Uint8Array.of(0, 0, 0, 0, 0x1c))).rejects.toMatchObject({ code: "EINVAL" }); // len 0
    await expect(file.write(Uint8Array.of(9, 0, 0, 0, 0x1c))).rejects.toMatchObject({ code: "EINVAL" }); // count < 4 + len
    await expect(file.write(new Uint8Array(261))).rejects.toMatchObject({ code: "EINVAL" });
    expect(await file.write(ok(1))).toBe(7);
    const second = file.write(ok(1));
    await until(() => double.blockedWrites === 1);
    expect(double.holding).toBe(true);
    expect([...(await double.hostRead())]).toEqual([0x1c, 0x01, 0x00]);
    // Woken once the host has read it; with no request waiting for an answer: EINVAL.
    await expect(second).rejects.toMatchObject({ code: "EINVAL" });
    await file.close();
  });

  it("does not write an answer after ssif_bmc's 500 ms, and counts it", async () => {
    let clock = 0;
    const { double, device, exchanges, warnings } = await rig({ now: () => clock, slowMs: 30 });
    double.hostSend(msg(0x30, 0x01));
    await until(() => device.stats.requests === 1);
    clock += SSIF_BMC_RESPONSE_TIMEOUT_MS + 100;
    double.fireResponseTimer();
    await until(() => device.stats.dropped === 1);
    expect(double.stats.refusedWrites).toBe(0);
    expect(device.stats.writeErrors).toBe(0);
    expect(warnings.join("\n")).toMatch(
      /SSIF response request 1 not written: 600 ms after the request, the host \(500 ms\)/,
    );
    expect(exchanges).toHaveLength(1);
    // The host's retry is answered.
    double.hostSend(msg(0x06, 0x01));
    expect(decodeSiResponse(await double.hostRead())).toMatchObject({ cmd: 1, cc: 0 });
  });

  it("closing keeps the device until the parked read returns, then frees it", async () => {
    const double = new SsifDeviceDouble();
    const { bus } = createSsifDeviceBus("ssif0", double.path, { open: double.opener });
    await bus.start();
    await bus.stop();
    expect(double.isOpen).toBe(true);
    double.hostSend(msg(0x06, 0x01));
    expect(double.isOpen).toBe(false);
    const again = createSsifDeviceBus("ssif0", double.path, { open: double.opener });
    await again.bus.start();
    cleanups.push(() => again.bus.stop());
  });
});
