/**
 * The SOL payload codec (IPMI 2.0 section 15.9, tables 15-2 and 15-3) against the bytes
 * ipmitool's lanplus.c builds (`ipmi_lanplus_send_sol`, `ack_sol_packet`, the break of
 * `ipmi_sol_send_break`) and reads (`read_sol_packet`), and OpenIPMI lanserv's sol.c sends.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hex } from "../layout/test-helpers";
import {
  decodeBmcPacket,
  decodeConsolePacket,
  encodeBmcPacket,
  encodeConsolePacket,
  NO_OPERATION,
  NO_STATUS,
  nextSeq,
  type SolBmcPacket,
  type SolConsolePacket,
  SolPacketError,
} from "./sol-packet";

describe("remote console → BMC (table 15-2)", () => {
  it("reads a keystroke as ipmitool sends it: seq 1, acks nothing, no operation, 'a'", () => {
    const p = decodeConsolePacket(hex("01 00 00 00 61"));
    expect(p).toEqual({ seq: 1, ackSeq: 0, acceptedCount: 0, op: NO_OPERATION, data: Uint8Array.of(0x61) });
  });

  it("reads ipmitool's ack of a BMC packet: seq 0, the packet's seq, its whole length", () => {
    // ack_sol_packet: packet_sequence_number 0, acked = rsp's seq, accepted = rsp->data_len.
    expect(decodeConsolePacket(hex("00 03 05 00"))).toEqual({
      seq: 0,
      ackSeq: 3,
      acceptedCount: 5,
      op: NO_OPERATION,
      data: new Uint8Array(0),
    });
  });

  it("reads each operation bit (ipmitool sets them 40h, 20h, 10h, 08h, 04h, 02h, 01h)", () => {
    const bit = (b: number) => decodeConsolePacket(Uint8Array.of(2, 0, 0, b)).op;
    expect(bit(0x40).nack).toBe(true);
    expect(bit(0x20).ringWor).toBe(true);
    expect(bit(0x10)).toEqual({ ...NO_OPERATION, generateBreak: true });
    expect(bit(0x08).ctsPause).toBe(true);
    expect(bit(0x04).dropDcdDsr).toBe(true);
    expect(bit(0x02).flushInbound).toBe(true);
    expect(bit(0x01).flushOutbound).toBe(true);
    // Bit 7 is reserved: ignored.
    expect(bit(0x80)).toEqual(NO_OPERATION);
  });

  it("masks the reserved high nibbles of the sequence numbers, as read_sol_packet does", () => {
    const p = decodeConsolePacket(hex("f5 a2 00 00"));
    expect([p.seq, p.ackSeq]).toEqual([5, 2]);
  });

  it("writes a break packet as ipmitool's `~B` does", () => {
    const bytes = encodeConsolePacket({
      seq: 2,
      ackSeq: 0,
      acceptedCount: 0,
      op: { ...NO_OPERATION, generateBreak: true },
      data: new Uint8Array(0),
    });
    expect([...bytes]).toEqual([0x02, 0x00, 0x00, 0x10]);
  });
});

describe("BMC → remote console (table 15-3)", () => {
  it("writes a data packet as OpenIPMI's send_data: seq, no ack, status 0, the characters", () => {
    const bytes = encodeBmcPacket({
      seq: 1,
      ackSeq: 0,
      acceptedCount: 0,
      status: NO_STATUS,
      data: new TextEncoder().encode("login:"),
    });
    expect([...bytes]).toEqual([0x01, 0x00, 0x00, 0x00, ...new TextEncoder().encode("login:")]);
  });

  it("writes an ACK-only packet with the accepted count, and a NACK (OpenIPMI: 40h when its buffer is full)", () => {
    const ack: SolBmcPacket = {
      seq: 0,
      ackSeq: 7,
      acceptedCount: 3,
      status: NO_STATUS,
      data: new Uint8Array(0),
    };
    expect([...encodeBmcPacket(ack)]).toEqual([0x00, 0x07, 0x03, 0x00]);
    expect([...encodeBmcPacket({ ...ack, acceptedCount: 0, status: { ...NO_STATUS, nack: true } })]).toEqual([
      0x00, 0x07, 0x00, 0x40,
    ]);
  });

  it("reads the status bits where ipmitool's read_sol_packet reads them", () => {
    const st = (b: number) => decodeBmcPacket(Uint8Array.of(0, 0, 0, b)).status;
    expect(st(0x40).nack).toBe(true);
    expect(st(0x20).transferUnavailable).toBe(true);
    expect(st(0x10)).toEqual({ ...NO_STATUS, deactivating: true });
    expect(st(0x08).transmitOverrun).toBe(true);
    expect(st(0x04).breakDetected).toBe(true);
    expect(st(0x83)).toEqual(NO_STATUS);
  });
});

describe("errors and sequence numbers", () => {
  it("refuses a payload shorter than the header, and header values that do not fit", () => {
    expect(() => decodeConsolePacket(hex("01 00 00"))).toThrow(SolPacketError);
    expect(() => decodeBmcPacket(new Uint8Array(0))).toThrow(SolPacketError);
    const p: SolBmcPacket = {
      seq: 16,
      ackSeq: 0,
      acceptedCount: 0,
      status: NO_STATUS,
      data: new Uint8Array(0),
    };
    expect(() => encodeBmcPacket(p)).toThrow(SolPacketError);
    expect(() => encodeBmcPacket({ ...p, seq: 1, acceptedCount: 256 })).toThrow(SolPacketError);
  });

  it("counts 1..15 and wraps to 1, never 0", () => {
    expect(nextSeq(0)).toBe(1);
    expect(nextSeq(1)).toBe(2);
    expect(nextSeq(14)).toBe(15);
    expect(nextSeq(15)).toBe(1);
  });
});

describe("round trip (fast-check)", () => {
  const header = {
    seq: fc.integer({ min: 0, max: 15 }),
    ackSeq: fc.integer({ min: 0, max: 15 }),
    acceptedCount: fc.integer({ min: 0, max: 255 }),
    data: fc.uint8Array({ maxLength: 300 }),
  };

  it("a console packet decodes to what was encoded", () => {
    const op = fc.record({
      nack: fc.boolean(),
      ringWor: fc.boolean(),
      generateBreak: fc.boolean(),
      ctsPause: fc.boolean(),
      dropDcdDsr: fc.boolean(),
      flushInbound: fc.boolean(),
      flushOutbound: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.record({ ...header, op }), (p: SolConsolePacket) => {
        expect(decodeConsolePacket(encodeConsolePacket(p))).toEqual(p);
      }),
    );
  });

  it("a BMC packet decodes to what was encoded", () => {
    const status = fc.record({
      nack: fc.boolean(),
      transferUnavailable: fc.boolean(),
      deactivating: fc.boolean(),
      transmitOverrun: fc.boolean(),
      breakDetected: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.record({ ...header, status }), (p: SolBmcPacket) => {
        expect(decodeBmcPacket(encodeBmcPacket(p))).toEqual(p);
      }),
    );
  });

  it("any bytes of at least the header decode, and re-encode to themselves with the reserved bits cleared", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 64 }), (b) => {
        const again = encodeConsolePacket(decodeConsolePacket(b));
        expect([...again]).toEqual([b[0]! & 0x0f, b[1]! & 0x0f, b[2]!, b[3]! & 0x7f, ...b.slice(4)]);
      }),
    );
  });
});
