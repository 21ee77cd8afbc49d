/**
 * The IPMB bus with a fake router port: requests to the BMC go to the router from channel
 * 0 with the sender as the peer, answers go back with the addresses swapped and the rqSeq
 * kept, bad checksums are recorded as malformed, and the BMC's own requests to a
 * satellite are matched by (address, seq, netFn, cmd), time out, and are recorded.
 */
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { decodeIpmbFrame, encodeIpmbResponse } from "../../ipmi/ipmb/ipmb-frame";
import { empty } from "../../ipmi/layout/codec";
import { layout } from "../../ipmi/layout/layout";
import { NETFN } from "../../ipmi/netfn";
import { Router } from "../../router/router";
import {
  type BusMalformed,
  type BusOutboundRecord,
  type BusPort,
  type BusRequest,
  defineHandler,
} from "../../router/types";
import { IpmbBus } from "./ipmb-bus";
import { IpmbDeviceTransport } from "./ipmb-device";
import { IpmbDeviceDouble } from "./ipmb-device-double";
import { SATELLITE_DEVICE_ID, SimIpmbTransport, SimSatellite } from "./sim-satellite";

function fakePort() {
  const requests: BusRequest[] = [];
  const malformed: BusMalformed[] = [];
  const outbound: BusOutboundRecord[] = [];
  const port: BusPort = {
    request: (r) => requests.push(r),
    malformed: (m) => malformed.push(m),
    record: () => {},
    outbound: (r) => outbound.push(r),
    ready: () => {},
  };
  return { port, requests, malformed, outbound };
}

async function simBus() {
  const satellite = new SimSatellite();
  const transport = new SimIpmbTransport(satellite);
  const bus = new IpmbBus("ipmb0", transport);
  const p = fakePort();
  bus.attach(p.port);
  await bus.start();
  return { satellite, transport, bus, ...p };
}

describe("IPMB bus: requests to the BMC", () => {
  it("routes a satellite's request to the router as channel 0 with its address as peer", async () => {
    const { satellite, transport, requests } = await simBus();
    const frame = satellite.requestFrame(0x20, NETFN.APP, 0x01);
    transport.fromSatellite(frame);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      seq: 0,
      netFn: NETFN.APP,
      lun: 0,
      cmd: 0x01,
      frame,
      requester: { channel: 0, peer: "0x72", sessionId: 0, user: null, privilege: "admin" },
    });
  });

  it("answers with the addresses swapped and the request's rqSeq and LUNs", async () => {
    const dev = new IpmbDeviceDouble();
    const bus = new IpmbBus("ipmb0", new IpmbDeviceTransport({ path: "/dev/ipmb-0", open: dev.opener }));
    const { port, requests } = fakePort();
    bus.attach(port);
    await bus.start();
    // A controller at 0x74 asks with rqSeq 17 and rqLUN 1, to the BMC's LUN 0.
    dev.peerWrite([0x20, 0x18, 0xc8, 0x74, (17 << 2) | 1, 0x01, -(0x74 + 0x45 + 0x01) & 0xff]);
    await vi.waitFor(() => expect(requests).toHaveLength(1));
    const req = requests[0]!;
    const res = {
      seq: req.seq,
      netFn: 7,
      lun: req.lun,
      cmd: req.cmd,
      cc: 0,
      data: Uint8Array.of(0x20, 0x01),
      tag: req.tag,
    };
    expect(bus.send(res)).toBe("sent");
    await vi.waitFor(() => expect(dev.transmitted).toHaveLength(1));
    const d = decodeIpmbFrame(dev.transmitted[0]!);
    expect(d).toEqual({
      ok: true,
      kind: "response",
      message: {
        rqSA: 0x74,
        netFn: 7,
        rqLUN: 1,
        rsSA: 0x20,
        rqSeq: 17,
        rsLUN: 0,
        cmd: 1,
        cc: 0,
        data: Uint8Array.of(0x20, 0x01),
      },
    });
    await bus.stop();
  });

  it("records a frame with a bad checksum as malformed and answers nothing", async () => {
    const { satellite, transport, requests, malformed } = await simBus();
    const frame = satellite.requestFrame(0x20, NETFN.APP, 0x01);
    frame[frame.length - 1] = frame[frame.length - 1]! ^ 0xff;
    transport.fromSatellite(frame);
    expect(requests).toHaveLength(0);
    expect(malformed).toHaveLength(1);
    expect(malformed[0]).toMatchObject({
      frame,
      reason: expect.stringMatching(/data checksum/),
      header: { netFn: 6, cmd: 1 },
      requester: { peer: "0x72" },
    });
    expect(malformed[0]!.reply).toBeUndefined();
  });

  it("ignores requests for another controller's address", async () => {
    const { satellite, transport, requests, malformed } = await simBus();
    transport.fromSatellite(satellite.requestFrame(0x24));
    expect(requests).toHaveLength(0);
    expect(malformed).toHaveLength(0);
  });
});

describe("IPMB bus against random frames (fast-check)", () => {
  it("never throws, and hands each frame to the router at most once: a request, a malformed record, or nothing", async () => {
    const { transport, requests, malformed, outbound } = await simBus();
    const addressed = fc
      .uint8Array({ minLength: 0, maxLength: 40 })
      .map((b) => (b.length > 0 && b[0]! % 2 === 0 ? Uint8Array.of(0x20, ...b.subarray(1)) : b));
    fc.assert(
      fc.property(addressed, (frame) => {
        const before = requests.length + malformed.length;
        transport.fromSatellite(frame);
        expect(requests.length + malformed.length - before).toBeLessThanOrEqual(1);
      }),
      { numRuns: 2000 },
    );
    expect(outbound).toHaveLength(0);
    for (const r of requests) expect(r.requester?.channel).toBe(0);
  });
});

describe("IPMB bus behind the router", () => {
  it("a satellite's Get Device ID reaches the handler and its answer goes back to the satellite", async () => {
    const router = new Router();
    router.registry.register(
      defineHandler({
        id: "app.get-device-id",
        netFn: NETFN.APP,
        cmd: 0x01,
        privilege: "user",
        request: layout(empty),
        handle: () => ({ data: [0x20, 0x81] }),
      }),
    );
    const satellite = new SimSatellite();
    const transport = new SimIpmbTransport(satellite);
    const bus = new IpmbBus("ipmb0", transport);
    router.addBus(bus);
    await bus.start();
    const exchanges: { peer: string | null; status: string; responseFrame: Uint8Array | null }[] = [];
    router.onExchange((x) => exchanges.push(x));
    const written: Uint8Array[] = [];
    const write = transport.write.bind(transport);
    transport.write = (f) => {
      written.push(f);
      return write(f).catch(() => {});
    };
    transport.fromSatellite(satellite.requestFrame(0x20, NETFN.APP, 0x01));
    await router.idle();
    expect(exchanges[0]).toMatchObject({ peer: "0x72", status: "ok" });
    const d = decodeIpmbFrame(written[0]!);
    expect(d.ok && d.kind === "response" && d.message).toMatchObject({
      rqSA: 0x72,
      rsSA: 0x20,
      netFn: 7,
      cc: 0,
    });
    expect(exchanges[0]!.responseFrame).toEqual(written[0]);
  });
});

describe("IPMB bus: the BMC's requests to a satellite", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("asks the simulated satellite for its device ID and records the exchange as bridged", async () => {
    const { bus, outbound } = await simBus();
    const out = bus.request(
      { slaveAddress: 0x72, lun: 0 },
      { netFn: NETFN.APP, cmd: 0x01, data: new Uint8Array(0) },
    );
    expect(await out.written).toBe("sent");
    await vi.advanceTimersByTimeAsync(1);
    const r = await out.result;
    expect(r).toMatchObject({ status: "ok", cc: 0, data: SATELLITE_DEVICE_ID });
    expect(outbound).toHaveLength(1);
    expect(outbound[0]).toMatchObject({
      target: "0x72",
      seq: out.seq,
      netFn: 6,
      cmd: 1,
      cc: 0,
      status: "ok",
      note: null,
    });
  });

  it("uses a new rqSeq for each outstanding request, 6 bits, wrapping", async () => {
    const { bus } = await simBus();
    const seqs: number[] = [];
    for (let i = 0; i < 66; i++) {
      const out = bus.request(
        { slaveAddress: 0x72, lun: 0 },
        { netFn: NETFN.APP, cmd: 0x04, data: new Uint8Array(0) },
      );
      seqs.push(out.seq);
      await vi.advanceTimersByTimeAsync(1);
      await out.result;
    }
    expect(seqs.slice(0, 3)).toEqual([0, 1, 2]);
    expect(seqs[63]).toBe(63);
    expect(seqs[64]).toBe(0);
  });

  it("matches by address, seq, netFn and cmd: a stray answer is not taken; silence times out", async () => {
    const { bus, transport, malformed, outbound } = await simBus();
    const satellite = transport.satellite;
    satellite.answer = () => undefined; // a satellite that has gone quiet
    const out = bus.request(
      { slaveAddress: 0x72, lun: 0 },
      { netFn: NETFN.APP, cmd: 0x01, data: new Uint8Array(0) },
    );
    await out.written;
    // Right address and seq, wrong command: not the answer.
    transport.fromSatellite(
      encodeIpmbResponse({
        rqSA: 0x20,
        netFn: 7,
        rqLUN: 0,
        rsSA: 0x72,
        rqSeq: out.seq,
        rsLUN: 0,
        cmd: 0x04,
        cc: 0,
        data: Uint8Array.of(0x55, 0),
      }),
    );
    expect(malformed).toHaveLength(1);
    expect(malformed[0]!.reason).toMatch(/matches no request/);
    await vi.advanceTimersByTimeAsync(999);
    let settled = false;
    void out.result.then(() => {
      settled = true;
    });
    await Promise.resolve();
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await out.result).toEqual({ status: "timeout", seq: out.seq });
    expect(outbound[0]).toMatchObject({
      status: "timeout",
      cc: null,
      response: null,
      note: "no answer within 1000 ms",
    });
  });

  it("reports a NAK when nobody has the address", async () => {
    const { bus, outbound } = await simBus();
    const out = bus.request(
      { slaveAddress: 0x90, lun: 0 },
      { netFn: NETFN.APP, cmd: 0x01, data: new Uint8Array(0) },
    );
    expect(await out.written).toBe("nak");
    expect(await out.result).toMatchObject({ status: "nak" });
    expect(outbound[0]).toMatchObject({ target: "0x90", status: "error" });
  });

  it("reads the satellite's sensors and answers C1h to what it does not know", async () => {
    const { bus } = await simBus();
    const ask = async (netFn: number, cmd: number, data: number[]) => {
      const out = bus.request({ slaveAddress: 0x72, lun: 0 }, { netFn, cmd, data: Uint8Array.from(data) });
      await vi.advanceTimersByTimeAsync(1);
      return out.result;
    };
    expect(await ask(NETFN.SENSOR_EVENT, 0x2d, [1])).toMatchObject({
      cc: 0,
      data: Uint8Array.of(27, 0xc0, 0),
    });
    expect(await ask(NETFN.SENSOR_EVENT, 0x2d, [9])).toMatchObject({ cc: 0xcb });
    expect(await ask(NETFN.APP, 0x04, [])).toMatchObject({ cc: 0, data: Uint8Array.of(0x55, 0) });
    expect(await ask(NETFN.STORAGE, 0x10, [0])).toMatchObject({ cc: 0xc1 });
  });
});
