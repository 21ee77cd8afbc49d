/**
 * Bridging round trip, as the host's Linux ipmi_msghandler does it for
 * `ipmitool -b 0 -t 0x72 mc info`: Send Message with the bytes format_ipmb_msg builds,
 * answered 00h at once; the satellite's answer lands in the receive message queue; the Get
 * Message response built from it, parsed the way handle_ipmb_get_msg_rsp parses it, gives
 * back the host's seq, the satellite's address, netFn/cmd, cc 00h and its device ID.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { IpmbBus } from "../buses/ipmb/ipmb-bus";
import { SATELLITE_DEVICE_ID, SimIpmbTransport, SimSatellite } from "../buses/ipmb/sim-satellite";
import type { Exchange } from "../contract/exchange";
import { SEND_MESSAGE_CC } from "../ipmi/commands/app";
import { CC } from "../ipmi/completion-codes";
import { ipmbChecksum } from "../ipmi/ipmb/ipmb-frame";
import { NETFN } from "../ipmi/netfn";
import { Router } from "../router/router";
import { TestBus } from "../router/test-bus";
import type { ReceiveQueueSink } from "./bridge";
import { Bridge } from "./bridge";
import { bridgeHandlers } from "./handlers/bridge-messages";

type Entry = Parameters<ReceiveQueueSink["push"]>[0];

/** Linux format_ipmb_msg: Send Message data for `cmd` to 0x72 LUN 0 from the BMC (0x20), SMS LUN 2, ipmb_seq `seq`. */
function linuxSendMessage(
  seq: number,
  cmd = 0x01,
  netFn = NETFN.APP,
  channelByte = 0x00,
  data: number[] = [],
): Uint8Array {
  const m = [0x72, netFn << 2, 0, 0x20, (seq << 2) | 2, cmd, ...data];
  m[2] = ipmbChecksum(m, 0, 2);
  m.push(ipmbChecksum(m, 3));
  return Uint8Array.of(channelByte, ...m);
}

async function setup(options: { queueLimit?: number; withIpmb?: boolean; satellite?: SimSatellite } = {}) {
  const router = new Router();
  const host = new TestBus("bt0", "bt");
  const lan = new TestBus("lan0", "lan");
  const satellite = options.satellite ?? new SimSatellite();
  const ipmb = new IpmbBus("ipmb0", new SimIpmbTransport(satellite));
  router.addBus(host);
  router.addBus(lan);
  router.addBus(ipmb);
  await ipmb.start();
  const queue: Entry[] = [];
  const limit = options.queueLimit ?? 32;
  const receiveQueue: ReceiveQueueSink = {
    push: (e) => {
      if (queue.length >= limit) return false;
      queue.push(e);
      return true;
    },
  };
  const bridge = new Bridge({
    ipmb: (ch) => (ch === 0 && options.withIpmb !== false ? ipmb : undefined),
    receiveQueue,
  });
  for (const h of bridgeHandlers({ ipmb: () => undefined, receiveQueue }, bridge))
    router.registry.register(h);
  const exchanges: Exchange[] = [];
  router.onExchange((x) => exchanges.push(x));
  const send = async (data: Uint8Array, bus = host) => {
    bus.request({ netFn: NETFN.APP, cmd: 0x34, data });
    await router.idle();
    return bus.sent[bus.sent.length - 1]!;
  };
  return { router, host, lan, satellite, ipmb, queue, bridge, exchanges, send };
}

/** Get Message's response (22.6) from a queue entry: [netFn/LUN, cmd, cc, channel byte, message...]. */
function getMessageResponse(e: Entry): Uint8Array {
  return Uint8Array.of((NETFN.APP + 1) << 2, 0x33, 0x00, (e.privilege << 4) | e.channel, ...e.data);
}

describe("bridging to IPMB: the Linux round trip", () => {
  it("Send Message 00h, then Get Message as handle_ipmb_get_msg_rsp reads it", async () => {
    const { send, queue, exchanges } = await setup();
    const res = await send(linuxSendMessage(21));
    expect(res).toMatchObject({ cc: 0x00, data: new Uint8Array(0) });
    await vi.waitFor(() => expect(queue).toHaveLength(1));

    const rsp = getMessageResponse(queue[0]!);
    const size = rsp.length;
    // handle_ipmb_get_msg_rsp, byte for byte:
    expect(size).toBeGreaterThanOrEqual(11);
    expect(rsp[2]).toBe(0); // Get Message's own cc
    expect(rsp[3]! & 0x0f).toBe(0); // channel
    expect(rsp[6]).toBe(0x72); // ipmb_addr.slave_addr: the satellite
    expect(rsp[7]! & 3).toBe(0); // ipmb_addr.lun
    expect(rsp[7]! >> 2).toBe(21); // intf_find_seq: the host's own seq
    expect(rsp[8]).toBe(0x01); // cmd
    expect((rsp[4]! >> 2) & ~1).toBe(NETFN.APP); // the request's netfn
    expect(rsp[4]! >> 2).toBe(NETFN.APP + 1); // recv_msg->msg.netfn
    expect(rsp[4]! & 3).toBe(2); // back to the SMS LUN the host asked from
    const msgData = rsp.subarray(9, size - 1); // data_len = rsp_size - 10
    expect([...msgData]).toEqual([0x00, ...SATELLITE_DEVICE_ID]);
    // The message is a whole IPMB response to 0x20 with both checksums right.
    const frame = Uint8Array.of(0x20, ...queue[0]!.data);
    expect(ipmbChecksum(frame, 0, 3)).toBe(0);
    expect(ipmbChecksum(frame, 3)).toBe(0);
    expect(queue[0]!.privilege).toBe(0);
    // For the interface that asked: its driver alone can match the answer to its request.
    expect(queue[0]!.forBus).toBe("bt0");

    // Two records: the host's Send Message, and the BMC's own request out to 0x72.
    expect(exchanges.map((x) => [x.busId, x.origin, x.cmd, x.status])).toEqual([
      ["bt0", "host", 0x34, "ok"],
      ["ipmb0", "bridged", 0x01, "ok"],
    ]);
    expect(exchanges[1]).toMatchObject({ peer: "0x72", netFn: NETFN.APP, cc: 0 });
  });

  it("does the same with 'track request' (01b)", async () => {
    const { send, queue } = await setup();
    expect((await send(linuxSendMessage(7, 0x04, NETFN.APP, 0x40))).cc).toBe(0);
    await vi.waitFor(() => expect(queue).toHaveLength(1));
    const rsp = getMessageResponse(queue[0]!);
    expect([rsp[6], rsp[7]! >> 2, rsp[8], ...rsp.subarray(9, rsp.length - 1)]).toEqual([
      0x72, 7, 0x04, 0x00, 0x55, 0x00,
    ]);
  });

  it("keeps concurrent hosts' requests apart even when they reuse a seq", async () => {
    const { send, queue, ipmb } = await setup();
    await send(linuxSendMessage(3, 0x01));
    await send(linuxSendMessage(3, 0x04));
    await vi.waitFor(() => expect(queue).toHaveLength(2));
    expect(queue.map((e) => [e.data[3]! >> 2, e.data[4]])).toEqual([
      [3, 0x01],
      [3, 0x04],
    ]);
    expect(ipmb.stats.requestsOut).toBe(2);
  });
});

describe("Send Message completion codes", () => {
  it("CCh for a channel that is not an IPMB of this BMC, and with no IPMB at all", async () => {
    const a = await setup();
    expect((await a.send(linuxSendMessage(1, 1, NETFN.APP, 0x05))).cc).toBe(CC.INVALID_DATA_FIELD);
    const b = await setup({ withIpmb: false });
    expect((await b.send(linuxSendMessage(1))).cc).toBe(CC.INVALID_DATA_FIELD);
  });

  it("CCh for a bad embedded checksum, the reserved tracking value and send raw; C7h above 32 bytes", async () => {
    const { send, queue, ipmb } = await setup();
    const bad = linuxSendMessage(1);
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
    expect((await send(bad)).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await send(linuxSendMessage(1, 1, NETFN.APP, 0xc0))).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await send(linuxSendMessage(1, 1, NETFN.APP, 0x80))).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await send(linuxSendMessage(1, 1, NETFN.APP, 0, new Array(30).fill(0)))).cc).toBe(
      CC.REQUEST_LENGTH_INVALID,
    );
    expect(ipmb.stats.requestsOut).toBe(0);
    expect(queue).toHaveLength(0);
  });

  it("83h when nobody acknowledges the address", async () => {
    const { send, exchanges } = await setup();
    const m = linuxSendMessage(1);
    m[1] = 0x90;
    m[3] = ipmbChecksum(m, 1, 3);
    expect((await send(m)).cc).toBe(SEND_MESSAGE_CC.NAK_ON_WRITE);
    expect(exchanges.find((x) => x.origin === "bridged")).toMatchObject({ peer: "0x90", status: "error" });
  });

  it("D5h from a LAN session: its answer could not be brought back to it", async () => {
    const { send, lan } = await setup();
    expect((await send(linuxSendMessage(1, 1, NETFN.APP, 0x40), lan)).cc).toBe(CC.NOT_SUPPORTED_IN_STATE);
  });

  it("puts a response the host built on the bus as it is (Linux answering a satellite C1h)", async () => {
    const satellite = new SimSatellite();
    const { send, queue } = await setup({ satellite });
    const before = satellite.stats.ignored;
    const r = [0x72, 0x1c, 0x72, 0x20, 0x14, 0x01, 0xc1, 0x0a];
    expect((await send(Uint8Array.of(0x00, ...r))).cc).toBe(0);
    expect(satellite.stats.ignored).toBe(before + 1); // it reached the satellite, which takes no responses
    expect(queue).toHaveLength(0);
  });
});

describe("when the answer cannot be queued", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("discards it when the receive queue is full", async () => {
    const { send, queue, bridge } = await setup({ queueLimit: 1 });
    await send(linuxSendMessage(1));
    await send(linuxSendMessage(2));
    await vi.waitFor(() => expect(bridge.stats.queued + bridge.stats.queueFull).toBe(2));
    expect(queue).toHaveLength(1);
    expect(bridge.stats.queueFull).toBe(1);
  });

  it("queues nothing when the satellite never answers; the bridged record says timeout", async () => {
    vi.useFakeTimers();
    const satellite = new SimSatellite();
    satellite.answer = () => undefined;
    const { send, queue, exchanges, bridge } = await setup({ satellite });
    const sent = send(linuxSendMessage(9));
    await vi.advanceTimersByTimeAsync(0);
    expect((await sent).cc).toBe(0);
    await vi.advanceTimersByTimeAsync(1000);
    expect(bridge.stats.timeouts).toBe(1);
    expect(queue).toHaveLength(0);
    expect(exchanges.find((x) => x.origin === "bridged")).toMatchObject({ status: "timeout", cc: null });
  });
});
