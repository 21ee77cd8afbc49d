import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  type CharDeviceFile,
  CharDeviceLink,
  errno,
  explainOpenError,
  ioNone,
  openCharDevice,
} from "./char-device";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
const until = (probe: () => boolean) => vi.waitUntil(probe, { timeout: 2000, interval: 5 });

const hints = { what: "KCS device", holders: "another process has it", missing: "load the driver" };

describe("char-device helpers", () => {
  it("computes _IO(type, nr) as asm-generic/ioctl.h does", () => {
    expect(ioNone(0xb1, 0)).toBe(0xb100);
    expect(ioNone(0xb1, 2)).toBe(0xb102);
  });

  it("explains EBUSY, ENOENT, EACCES and anything else", () => {
    expect(explainOpenError("/dev/x", errno("EBUSY", "busy"), hints)).toBe(
      "KCS device /dev/x is busy: another process has it; stop it first",
    );
    expect(explainOpenError("/dev/x", errno("ENOENT", "no"), hints)).toBe(
      "KCS device /dev/x does not exist: load the driver",
    );
    expect(explainOpenError("/dev/x", errno("EACCES", "no"), hints)).toMatch(/no permission.*udev rule/);
    expect(explainOpenError("/dev/x", new Error("odd"), hints)).toBe("cannot open KCS device /dev/x: odd");
  });
});

describe("CharDeviceLink", () => {
  /** A file whose reads the test feeds and whose writes it releases. */
  function scriptedFile() {
    const reads: ((n: number) => void)[] = [];
    const writes: { frame: Uint8Array; done: (n: number) => void; fail: (e: Error) => void }[] = [];
    let lastBuffer: Uint8Array | undefined;
    const file: CharDeviceFile = {
      read: (buffer) =>
        new Promise((resolve) => {
          lastBuffer = buffer;
          reads.push(resolve);
        }),
      write: (frame) => new Promise((done, fail) => writes.push({ frame, done, fail })),
      close: async () => {},
    };
    const deliver = (bytes: number[]) => {
      lastBuffer!.set(bytes);
      reads.shift()!(bytes.length);
    };
    return { file, writes, deliver, pendingReads: () => reads.length };
  }

  it("one write in flight: 'busy' until it completes, retried on EINTR, then writable", async () => {
    const s = scriptedFile();
    const link = new CharDeviceLink({
      path: "/dev/t",
      open: async () => s.file,
      name: "T",
      readBufferSize: 16,
      hostTimeoutMs: 1000,
      oneRequestAtATime: true,
      explainOpenError: (p) => p,
      describeKey: (k) => `request ${k}`,
    });
    let key = 0;
    link.keyOf = () => ++key;
    const got: [number[], number | undefined][] = [];
    let writable = 0;
    link.onMessage((f, k) => got.push([[...f], k]));
    link.onWritable(() => writable++);
    await link.open();
    await until(() => s.pendingReads() === 1);
    s.deliver([0x18, 0x01]);
    await until(() => got.length === 1);
    expect(got[0]).toEqual([[0x18, 0x01], 1]);
    expect(link.write(Uint8Array.of(0x1c, 1, 0), 1)).toBe("sent");
    expect(link.write(Uint8Array.of(0x1c, 1, 0), 1)).toBe("busy");
    s.writes.shift()!.fail(errno("EINTR", "interrupted"));
    await until(() => s.writes.length === 1); // tried again
    s.writes.shift()!.done(3);
    await until(() => writable === 1);
    expect(link.stats).toMatchObject({ requests: 1, responses: 1, writeErrors: 1, dropped: 0 });
    await link.close();
  });
});

describe("openCharDevice (Node's fs)", () => {
  it("reads on the thread pool and reports a failed ioctl (a FIFO stands in for the device)", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "cdev-fifo-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const fifo = path.join(dir, "ipmi-kcs3");
    if (spawnSync("mkfifo", [fifo]).status !== 0) return; // no mkfifo: nothing to show here
    const file = await openCharDevice(fifo);
    const host = openSync(fifo, "w");
    writeSync(host, Uint8Array.of(0x18, 0x01));
    const buf = new Uint8Array(16);
    expect(await file.read(buf)).toBe(2);
    closeSync(host);
    // A FIFO has no such ioctl: python3 reports the kernel's ENOTTY (or python3 is missing).
    await expect(file.ioctl(0xb100)).rejects.toThrow(/ioctl 0xb100 failed|python3 is not installed/);
    await file.close();
    await expect(file.ioctl(0xb100)).rejects.toMatchObject({ code: "EBADF" });
  });
});
