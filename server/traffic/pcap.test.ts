import { describe, expect, it } from "vitest";
import {
  concatBytes,
  exchangeHpm2Records,
  exchangeWireRecords,
  hpm2TraceBlock,
  ipv4UdpPacket,
  LINKTYPE_IPMI_HPM_2,
  LINKTYPE_RAW,
  pcapGlobalHeader,
  pcapRecord,
  peerEndpoint,
} from "./pcap";
import { makeExchange } from "./test-exchanges";

/** "d4 c3 b2 a1" -> bytes; spaces and line breaks ignored. */
function bytes(hex: string): number[] {
  const clean = hex.replace(/\s+/g, "");
  return Array.from({ length: clean.length / 2 }, (_, i) =>
    Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16),
  );
}

// 1700000000 s = 6553F100h
const T_REQ = 1_700_000_000_123.5; // 123 ms, 123500 µs = 0001E26Ch
const T_RSP = 1_700_000_001_000.25; // 0 ms, 250 µs = FAh

describe("pcap writer", () => {
  it("writes the classic global header, little-endian", () => {
    expect(Array.from(pcapGlobalHeader(LINKTYPE_IPMI_HPM_2))).toEqual(
      bytes("d4c3b2a1 0200 0400 00000000 00000000 ffff0000 04010000"),
    );
    expect(Array.from(pcapGlobalHeader(LINKTYPE_RAW)).slice(20)).toEqual(bytes("65000000"));
  });

  it("writes a record header with seconds, microseconds and both lengths", () => {
    expect(Array.from(pcapRecord(T_REQ, Uint8Array.of(0xaa, 0xbb)))).toEqual(
      bytes("00f15365 6ce20100 02000000 02000000 aabb"),
    );
    // cut to the snaplen, orig_len keeps the length
    expect(Array.from(pcapRecord(T_RSP, Uint8Array.of(1, 2, 3), 2))).toEqual(
      bytes("01f15365 fa000000 02000000 03000000 0102"),
    );
  });

  it("writes an HPM.2 trace block: channel, seconds, milliseconds, KCS type, direction, length", () => {
    const block = hpm2TraceBlock({
      timeMs: T_REQ,
      channel: 0x0f,
      toController: true,
      message: Uint8Array.of(0x18, 0x01),
    });
    expect(Array.from(block)).toEqual(bytes("0f 00f15365 7b00 05 8000 02 1801"));
  });

  it("gives a request and a response record per exchange (system interface, Get Device ID)", () => {
    const x = makeExchange(1, {
      receivedAt: T_REQ,
      answeredAt: T_RSP,
      response: Uint8Array.of(0x20, 0x01),
    });
    expect(Array.from(concatBytes(exchangeHpm2Records(x)))).toEqual(
      bytes(`
        00f15365 6ce20100 0d000000 0d000000
        0f 00f15365 7b00 05 8000 02 1801
        01f15365 fa000000 10000000 10000000
        0f 01f15365 0000 05 0000 05 1c01 00 2001`),
    );
  });

  it("puts the LUN, the LAN channel, request data and a non-zero cc into the records", () => {
    const x = makeExchange(2, {
      busId: "lan0",
      busKind: "lan",
      netFn: 0x0a,
      lun: 2,
      cmd: 0x43,
      request: Uint8Array.of(0x00, 0x00, 0x01, 0x00, 0x00, 0xff),
      cc: 0xcb,
      response: new Uint8Array(0),
      receivedAt: T_REQ,
      answeredAt: T_REQ + 1,
    });
    const [request, response] = exchangeHpm2Records(x);
    expect(Array.from(request!.subarray(16))).toEqual(bytes("01 00f15365 7b00 05 8000 08 2a43 0000010000ff"));
    expect(Array.from(response!.subarray(16))).toEqual(bytes("01 00f15365 7c00 05 0000 03 2e43 cb"));
  });

  it("writes no response record when nothing was sent", () => {
    const x = makeExchange(3, { status: "dropped", cc: null, response: null, answeredAt: null });
    expect(exchangeHpm2Records(x)).toHaveLength(1);
  });

  it("skips malformed and session-layer records", () => {
    expect(
      exchangeHpm2Records(makeExchange(4, { status: "malformed", netFn: null, lun: null, cmd: null })),
    ).toEqual([]);
    expect(
      exchangeHpm2Records(
        makeExchange(5, { busKind: "lan", payload: "rakp-1", netFn: null, lun: null, cmd: null, cc: 0 }),
      ),
    ).toEqual([]);
  });
});

describe("pcap-wire", () => {
  const ping = Uint8Array.from(bytes("0600ff06 000011be 80000000")); // RMCP presence ping
  const loop = Uint8Array.of(127, 0, 0, 1);

  it("wraps a datagram in IPv4 and UDP headers with both checksums", () => {
    const packet = ipv4UdpPacket({ address: loop, port: 50000 }, { address: loop, port: 623 }, ping, 0x1234);
    expect(Array.from(packet)).toEqual(
      bytes(`
        4500 0028 1234 4000 4011 2a8f 7f000001 7f000001
        c350 026f 0014 a53e
        0600ff06 000011be 80000000`),
    );
  });

  it("reads the client's address and port from the peer", () => {
    expect(peerEndpoint("10.1.2.3:40000")).toEqual({ address: Uint8Array.of(10, 1, 2, 3), port: 40000 });
    expect(peerEndpoint("[::1]:40001")).toEqual({ address: loop, port: 40001 });
    expect(peerEndpoint(null)).toEqual({ address: loop, port: 0 });
  });

  it("gives the request datagram to the BMC's port 623 and the response back, LAN records only", () => {
    const x = makeExchange(7, {
      busKind: "lan",
      busId: "lan0",
      peer: "127.0.0.1:50000",
      frame: ping,
      responseFrame: Uint8Array.of(1, 2, 3),
      receivedAt: T_REQ,
      answeredAt: T_RSP,
    });
    const [request, response] = exchangeWireRecords(x);
    expect(Array.from(request!.subarray(0, 16))).toEqual(bytes("00f15365 6ce20100 28000000 28000000"));
    expect(Array.from(request!.subarray(16 + 20, 16 + 24))).toEqual(bytes("c350 026f"));
    expect(Array.from(request!.subarray(16 + 28))).toEqual(Array.from(ping));
    expect(Array.from(response!.subarray(0, 8))).toEqual(bytes("01f15365 fa000000"));
    expect(Array.from(response!.subarray(16 + 20, 16 + 24))).toEqual(bytes("026f c350"));
    expect(Array.from(response!.subarray(16 + 28))).toEqual([1, 2, 3]);
    expect(exchangeWireRecords({ ...x, responseFrame: null })).toHaveLength(1);
    expect(exchangeWireRecords({ ...x, busKind: "bt" })).toEqual([]);
  });
});
