/**
 * The ipmb_dev_int double against the driver's semantics, and the transport on it: whole
 * messages with the driver's length byte, newest first, checksum1 checked and checksum2
 * not, writes cut to an SMBus block, NAKs as ENXIO, writes one at a time.
 */
import { describe, expect, it } from "vitest";
import { encodeIpmbRequest, encodeIpmbResponse } from "../../ipmi/ipmb/ipmb-frame";
import { IpmbDeviceTransport } from "./ipmb-device";
import { IpmbDeviceDouble } from "./ipmb-device-double";
import { errorCode } from "./transport";

const getDeviceId = (rqSeq: number, rqSA = 0x72) =>
  encodeIpmbRequest({
    rsSA: 0x20,
    netFn: 6,
    rsLUN: 0,
    rqSA,
    rqSeq,
    rqLUN: 0,
    cmd: 0x01,
    data: new Uint8Array(0),
  });

describe("ipmb_dev_int double: receiving", () => {
  it("read() returns [len, own address, ...] with len counting the bytes after itself", async () => {
    const dev = new IpmbDeviceDouble();
    const file = await dev.opener("/dev/ipmb-0");
    const frame = getDeviceId(3);
    expect(dev.peerWrite(frame)).toBe(true);
    const buf = new Uint8Array(128);
    const n = await file.read(buf);
    expect(n).toBe(frame.length + 1);
    expect([...buf.subarray(0, n)]).toEqual([frame.length, ...frame]);
  });

  it("queues only messages to its own address, of at least 7 bytes, with checksum1 right; checksum2 is not checked", () => {
    const dev = new IpmbDeviceDouble();
    expect(
      dev.peerWrite(
        encodeIpmbRequest({
          rsSA: 0x72,
          netFn: 6,
          rsLUN: 0,
          rqSA: 0x20,
          rqSeq: 0,
          rqLUN: 0,
          cmd: 1,
          data: new Uint8Array(0),
        }),
      ),
    ).toBe(false);
    expect(dev.peerWrite(getDeviceId(0).subarray(0, 6))).toBe(false);
    const badHeader = getDeviceId(0);
    badHeader[2] = badHeader[2]! ^ 1;
    expect(dev.peerWrite(badHeader)).toBe(false);
    const badData = getDeviceId(0);
    badData[badData.length - 1] = badData[badData.length - 1]! ^ 1;
    expect(dev.peerWrite(badData)).toBe(true);
    expect(dev.queued).toBe(1);
  });

  it("queues responses as well as requests", () => {
    const dev = new IpmbDeviceDouble();
    const response = encodeIpmbResponse({
      rqSA: 0x20,
      netFn: 7,
      rqLUN: 0,
      rsSA: 0x72,
      rqSeq: 1,
      rsLUN: 0,
      cmd: 1,
      cc: 0,
      data: Uint8Array.of(1),
    });
    expect(dev.peerWrite(response)).toBe(true);
  });

  it("reads newest first (list_add at the head, list_first_entry)", async () => {
    const dev = new IpmbDeviceDouble();
    dev.peerWrite(getDeviceId(1));
    dev.peerWrite(getDeviceId(2));
    const file = await dev.opener("/dev/ipmb-0");
    const buf = new Uint8Array(128);
    await file.read(buf);
    expect(buf[5]! >> 2).toBe(2);
    await file.read(buf);
    expect(buf[5]! >> 2).toBe(1);
  });

  it("cuts a message to a short buffer and loses the rest; blocks while empty; EAGAIN when non-blocking", async () => {
    const dev = new IpmbDeviceDouble();
    const file = await dev.opener("/dev/ipmb-0");
    const pending = file.read(new Uint8Array(4));
    let done = false;
    void pending.then(() => {
      done = true;
    });
    await Promise.resolve();
    expect(done).toBe(false);
    dev.peerWrite(getDeviceId(1));
    expect(await pending).toBe(4);
    expect(dev.queued).toBe(0);
    await expect(dev.openNonBlocking().read(new Uint8Array(128))).rejects.toMatchObject({ code: "EAGAIN" });
  });

  it("lets several processes open it; each message goes to one reader only", async () => {
    const dev = new IpmbDeviceDouble();
    const a = await dev.opener("/dev/ipmb-0");
    const b = await dev.opener("/dev/ipmb-0");
    const ra = a.read(new Uint8Array(128));
    const rb = b.read(new Uint8Array(128));
    dev.peerWrite(getDeviceId(1));
    expect(await ra).toBe(8);
    let bDone = false;
    void rb.then(() => {
      bDone = true;
    });
    await Promise.resolve();
    expect(bDone).toBe(false);
    dev.peerWrite(getDeviceId(2));
    expect(await rb).toBe(8);
  });

  it("holds at most 256 messages", () => {
    const dev = new IpmbDeviceDouble();
    for (let i = 0; i < 256; i++) expect(dev.peerWrite(getDeviceId(i % 64))).toBe(true);
    expect(dev.peerWrite(getDeviceId(0))).toBe(false);
    expect(dev.stats.dropped).toBe(1);
  });
});

describe("ipmb_dev_int double: writing", () => {
  it("refuses more than 128 bytes and a length byte larger than the write", async () => {
    const dev = new IpmbDeviceDouble();
    const file = await dev.opener("/dev/ipmb-0");
    await expect(file.write(new Uint8Array(129))).rejects.toMatchObject({ code: "EINVAL" });
    await expect(file.write(Uint8Array.of(9, 0x72, 0x18))).rejects.toMatchObject({ code: "EINVAL" });
  });

  it("sends an SMBus block: at most 32 bytes after netFn/LUN", async () => {
    const dev = new IpmbDeviceDouble();
    const file = await dev.opener("/dev/ipmb-0");
    const long = new Uint8Array(41);
    long[0] = 40;
    long[1] = 0x72;
    long[2] = 0x18;
    for (let i = 3; i < 41; i++) long[i] = i;
    await file.write(long);
    expect(dev.transmitted[0]!.length).toBe(2 + 32);
    const i2c = new IpmbDeviceDouble({ i2cProtocol: true });
    await (await i2c.opener("/dev/ipmb-0")).write(long);
    expect(i2c.transmitted[0]!.length).toBe(40);
  });

  it("fails a write nobody acknowledged with ENXIO, and blocks until the transfer ends", async () => {
    const dev = new IpmbDeviceDouble();
    const file = await dev.opener("/dev/ipmb-0");
    dev.peer = () => "nak";
    await expect(file.write(Uint8Array.of(7, ...getDeviceId(0)))).rejects.toMatchObject({ code: "ENXIO" });
    let release!: () => void;
    dev.peer = () => new Promise((r) => (release = () => r("ack")));
    let written = false;
    const w = file.write(Uint8Array.of(7, ...getDeviceId(0))).then(() => (written = true));
    await Promise.resolve();
    expect(written).toBe(false);
    release();
    await w;
    expect(written).toBe(true);
  });
});

describe("IpmbDeviceTransport on the double", () => {
  it("hands whole frames without the length byte to its listener", async () => {
    const dev = new IpmbDeviceDouble();
    const t = new IpmbDeviceTransport({ path: "/dev/ipmb-0", open: dev.opener });
    const frames: Uint8Array[] = [];
    const got = new Promise<void>((resolve) =>
      t.onFrame((f) => {
        frames.push(f);
        resolve();
      }),
    );
    await t.open();
    const frame = getDeviceId(9);
    dev.peerWrite(frame);
    await got;
    expect(frames).toEqual([frame]);
    await t.close();
  });

  it("writes [len, frame...] one at a time, in order, and reports a NAK as ENXIO", async () => {
    const dev = new IpmbDeviceDouble();
    const t = new IpmbDeviceTransport({ path: "/dev/ipmb-0", open: dev.opener });
    await t.open();
    let inFlight = 0;
    let most = 0;
    dev.peer = async (f) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      return f[0] === 0x74 ? "nak" : "ack";
    };
    const a = encodeIpmbResponse({
      rqSA: 0x72,
      netFn: 7,
      rqLUN: 0,
      rsSA: 0x20,
      rqSeq: 1,
      rsLUN: 0,
      cmd: 1,
      cc: 0,
      data: new Uint8Array(0),
    });
    const b = encodeIpmbResponse({
      rqSA: 0x74,
      netFn: 7,
      rqLUN: 0,
      rsSA: 0x20,
      rqSeq: 2,
      rsLUN: 0,
      cmd: 1,
      cc: 0,
      data: new Uint8Array(0),
    });
    const c = encodeIpmbResponse({
      rqSA: 0x72,
      netFn: 7,
      rqLUN: 0,
      rsSA: 0x20,
      rqSeq: 3,
      rsLUN: 0,
      cmd: 1,
      cc: 0,
      data: new Uint8Array(0),
    });
    const results = await Promise.allSettled([t.write(a), t.write(b), t.write(c)]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(errorCode((results[1] as PromiseRejectedResult).reason)).toBe("ENXIO");
    expect(most).toBe(1);
    expect(dev.transmitted).toEqual([a, c]);
    await t.close();
  });

  it("explains a missing device", async () => {
    const dev = new IpmbDeviceDouble();
    const t = new IpmbDeviceTransport({ path: "/dev/ipmb-3", open: dev.opener });
    await expect(t.open()).rejects.toThrow(/CONFIG_IPMB_DEVICE_INTERFACE/);
  });
});
