/**
 * The bt-bmc device transport against a double with the driver's semantics (one
 * opener, whole frames per read, one response in the hardware, blocking write). The
 * transport code is the one the product runs; only its `open` is pointed at the double.
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { logSink, routedBus } from "../device/test-rig";
import { BtBus } from "./bt-bus";
import { decodeBtResponse, encodeBtRequest } from "./bt-codec";
import { BtDeviceDouble } from "./device-double";
import { BtDeviceTransport, openBtDevice } from "./device-transport";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const req = (seq: number, netFn: number, cmd: number, data: number[] = []) =>
  encodeBtRequest({ netFn, lun: 0, seq, cmd, data: Uint8Array.from(data) });

/** Polls a condition (vitest's waitUntil), not a timing assertion. */
const until = (probe: () => boolean) => vi.waitUntil(probe, { timeout: 2000, interval: 5 });

/** A router with the BMC's handlers and a BT bus on the double. */
async function rig(
  options: { hostTimeoutMs?: number; now?: () => number; slowMs?: number; routerTimeoutMs?: number } = {},
) {
  const device = new BtDeviceDouble();
  const { lines, log } = logSink();
  const transport = new BtDeviceTransport({
    path: device.path,
    open: device.opener,
    log,
    ...(options.hostTimeoutMs === undefined ? {} : { hostTimeoutMs: options.hostTimeoutMs }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  const bus = new BtBus("bt0", transport);
  const { router, exchanges } = await routedBus(bus, cleanups, options);
  return { device, transport, router, exchanges, warnings: lines };
}

describe("BtDeviceTransport on a bt-bmc double", () => {
  it("answers the host's Get Device ID with the same seq, one whole frame each way", async () => {
    const { device, transport, exchanges } = await rig();
    expect(transport.description).toBe("Linux bt-bmc device /dev/ipmi-bt-host");
    device.hostSend(req(0x05, 0x06, 0x01));
    const res = decodeBtResponse(await device.hostRead());
    expect(res).toMatchObject({ netFn: 0x07, seq: 0x05, cmd: 0x01, cc: 0x00 });
    expect(exchanges[0]).toMatchObject({ seq: 5, status: "ok", handlerId: "app.get-device-id" });
  });

  it("records a frame that fails BT decoding as malformed and answers what it can", async () => {
    const { device, exchanges } = await rig();
    device.hostSend([0x09, 0x18, 0x07, 0x01]); // length byte says 9
    const res = decodeBtResponse(await device.hostRead());
    expect(res).toMatchObject({ seq: 7, cc: 0xc6 });
    expect(exchanges[0]).toMatchObject({ status: "malformed", seq: 7 });
  });

  it("is the device's only opener, and says so when another process has it", async () => {
    const { device } = await rig();
    const second = new BtDeviceTransport({ path: device.path, open: device.opener });
    await expect(second.open()).rejects.toThrow(/busy: bt-bmc allows one opener/);
    const missing = new BtDeviceTransport({ path: "/dev/nope", open: device.opener });
    await expect(missing.open()).rejects.toThrow(/does not exist: is the bt-bmc driver/);
  });

  it("writes one response at a time; the rest wait in order while the event loop stays free", async () => {
    const { device, router } = await rig();
    // The host sends three requests without reading a response (as after its own timeouts).
    for (const seq of [1, 2, 3]) device.hostSend(req(seq, 0x06, 0x01));
    await until(() => device.holding && device.blockedWrites === 1);
    expect(router.busInfo()[0]!.queued).toBe(1);
    // A write is blocked in the "kernel", yet timers still run.
    const ticked = await new Promise<boolean>((r) => setTimeout(() => r(true), 5));
    expect(ticked).toBe(true);
    const seqs: number[] = [];
    for (let i = 0; i < 3; i++) seqs.push((await device.hostRead())[2]!);
    expect(seqs).toEqual([1, 2, 3]);
    expect(device.stats.maxWritesInFlight).toBe(1);
    await until(() => router.busInfo()[0]!.queued === 0);
  });

  it("does not write an answer the host stopped waiting for, and logs it", async () => {
    let clock = 0;
    const { device, transport, warnings } = await rig({ hostTimeoutMs: 5000, now: () => clock });
    for (const seq of [1, 2, 3]) device.hostSend(req(seq, 0x06, 0x01));
    await until(() => device.holding && device.blockedWrites === 1);
    clock += 6000; // the host waited 5 s and gave up on the third
    expect((await device.hostRead())[2]).toBe(1);
    expect((await device.hostRead())[2]).toBe(2);
    await until(() => transport.stats.dropped === 1);
    await expect(device.hostRead(100)).rejects.toThrow(/no response/);
    expect(warnings.join("\n")).toMatch(/seq 3 not written: 6000 ms after the request, the host \(5000 ms\)/);
  });

  it("gives the host C3h in time when a handler is slow, and records its answer as late", async () => {
    // The router's timeout (HANDLER_TIMEOUT_MS) sits below the host's 5 s.
    const { device, exchanges } = await rig({ slowMs: 60, routerTimeoutMs: 20 });
    device.hostSend(req(9, 0x30, 0x01));
    const res = decodeBtResponse(await device.hostRead());
    expect(res).toMatchObject({ seq: 9, cc: 0xc3 });
    await until(() => exchanges.length === 2);
    expect(exchanges.map((x) => x.status)).toEqual(["timeout", "late"]);
    expect(exchanges[1]).toMatchObject({ relatedId: exchanges[0]!.id, handlerId: "test.slow" });
  });

  it("sets SMS_ATN where the device allows, and warns once where it cannot", async () => {
    const { device, transport } = await rig();
    transport.setAttention(true);
    await until(() => device.smsAtn);
    device.hostClearSmsAtn();
    transport.setAttention(false); // only the host clears it
    expect(device.smsAtn).toBe(false);

    const plain = new BtDeviceDouble("/dev/other");
    const { lines, log } = logSink();
    const t = new BtDeviceTransport({
      path: plain.path,
      log,
      open: async (p) => {
        const { setSmsAttention: _unused, ...file } = await plain.opener(p);
        return file;
      },
    });
    await t.open();
    cleanups.push(() => t.close());
    t.setAttention(true);
    t.setAttention(true);
    expect(lines).toEqual([expect.stringMatching(/cannot set SMS_ATN.*polling Get Message Flags/)]);
  });

  it("goes on reading after EIO/EINTR, and retries a write the driver refused with EIO", async () => {
    const { device, transport } = await rig();
    device.injectReadError("EIO");
    await new Promise((r) => setTimeout(r, 5));
    device.injectWriteError("EIO");
    device.hostSend(req(4, 0x06, 0x01));
    expect((await device.hostRead())[2]).toBe(4);
    await until(() => transport.stats.responses === 1);
    expect(transport.stats).toMatchObject({ readErrors: 1, writeErrors: 1 });
  });

  it("closes at once though a read is parked; the device stays busy until that read returns, like bt-bmc", async () => {
    const device = new BtDeviceDouble();
    const frames: Uint8Array[] = [];
    const first = new BtDeviceTransport({ path: device.path, open: device.opener });
    first.onFrame((f) => frames.push(f));
    await first.open();
    await first.close();
    const second = new BtDeviceTransport({ path: device.path, open: device.opener });
    second.onFrame((f) => frames.push(f));
    await expect(second.open()).rejects.toThrow(/busy/);
    device.hostSend(req(1, 0x06, 0x01)); // taken by the parked read and dropped
    await new Promise((r) => setTimeout(r, 5));
    await second.open();
    cleanups.push(() => second.close());
    device.hostSend(req(2, 0x06, 0x01));
    await until(() => frames.length === 1);
    expect(frames[0]![2]).toBe(2);
    expect(() => first.write(Uint8Array.of(4, 0x1c, 1, 1, 0))).toThrow(/not open/);
  });
});

describe("openBtDevice (Node's fs)", () => {
  it("explains a missing device", async () => {
    const t = new BtDeviceTransport({ path: "/nonexistent/ipmi-bt-host", open: openBtDevice });
    await expect(t.open()).rejects.toThrow(/\/nonexistent\/ipmi-bt-host does not exist/);
  });

  it("waits for the host on the thread pool, not the event loop (a FIFO stands in for the device)", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "bt-fifo-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const fifo = path.join(dir, "ipmi-bt-host");
    if (spawnSync("mkfifo", [fifo]).status !== 0) return; // no mkfifo: nothing to show here
    const t = new BtDeviceTransport({ path: fifo });
    const frames: Uint8Array[] = [];
    t.onFrame((f) => frames.push(f));
    await t.open(); // the read is now parked in read(2) on a pool thread
    let ticks = 0;
    const timer = setInterval(() => ticks++, 2);
    await new Promise((r) => setTimeout(r, 30));
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(3);
    const host = openSync(fifo, "w");
    writeSync(host, req(0x11, 0x06, 0x01));
    await until(() => frames.length === 1);
    expect([...frames[0]!]).toEqual([3, 0x18, 0x11, 0x01]);
    await t.close(); // returns at once; the next read is still parked...
    writeSync(host, Uint8Array.of(0)); // ...until the "host" writes again
    closeSync(host);
  });
});
