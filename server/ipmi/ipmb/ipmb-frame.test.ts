import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  decodeIpmbFrame,
  encodeIpmbRequest,
  encodeIpmbResponse,
  type IpmbRequest,
  type IpmbResponse,
  ipmbChecksum,
  slaveAddressText,
  to7BitAddress,
  to8BitAddress,
} from "./ipmb-frame";

const bytes = (...b: number[]) => Uint8Array.from(b);

describe("IPMB checksums", () => {
  it("is the two's complement of the sum, as Linux's ipmb_checksum", () => {
    expect(ipmbChecksum([0x20, 0x18])).toBe(0xc8);
    expect(ipmbChecksum([])).toBe(0);
    expect(ipmbChecksum([0x80, 0x80])).toBe(0);
    expect(ipmbChecksum([0x01])).toBe(0xff);
  });

  it("converts 8-bit slave addresses and 7-bit I2C addresses as ipmb_dev_int does", () => {
    expect(to7BitAddress(0x20)).toBe(0x10);
    expect(to8BitAddress(0x10)).toBe(0x20);
    expect(to8BitAddress(0x7f)).toBe(0xfe);
    expect(slaveAddressText(0x72)).toBe("0x72");
    expect(slaveAddressText(0x2)).toBe("0x02");
  });
});

describe("IPMB vectors", () => {
  // FreeIPMI `ipmi-sensors --debug` (IPMI 1.5 LAN, whose message is an IPMB frame): Get Channel
  // Authentication Capabilities, rs_addr 20h, netfn 6, checksum1 C8h, rq_addr 81h, rq_seq 25h,
  // cmd 38h, data 8Eh 03h, checksum2 22h.
  const freeipmi = bytes(0x20, 0x18, 0xc8, 0x81, 0x94, 0x38, 0x8e, 0x03, 0x22);

  it("decodes FreeIPMI's Get Channel Authentication Capabilities", () => {
    expect(decodeIpmbFrame(freeipmi)).toEqual({
      ok: true,
      kind: "request",
      message: {
        rsSA: 0x20,
        netFn: 6,
        rsLUN: 0,
        rqSA: 0x81,
        rqSeq: 0x25,
        rqLUN: 0,
        cmd: 0x38,
        data: bytes(0x8e, 0x03),
      },
    });
  });

  it("encodes it back byte for byte", () => {
    const d = decodeIpmbFrame(freeipmi);
    expect(d.ok && d.kind === "request" && encodeIpmbRequest(d.message)).toEqual(freeipmi);
  });

  // Linux format_ipmb_msg: Get Device ID to 72h LUN 0 from the BMC's 20h with the SMS LUN
  // (2) and ipmb_seq 1: [72 18 76 20 06 01 D9] after Send Message's [18 34 00].
  it("encodes Get Device ID as Linux's format_ipmb_msg embeds it in Send Message", () => {
    const f = encodeIpmbRequest({
      rsSA: 0x72,
      netFn: 6,
      rsLUN: 0,
      rqSA: 0x20,
      rqSeq: 1,
      rqLUN: 2,
      cmd: 0x01,
      data: new Uint8Array(0),
    });
    expect([...f]).toEqual([0x72, 0x18, 0x76, 0x20, 0x06, 0x01, 0xd9]);
  });

  // Linux handle_ipmb_get_msg_cmd answers an unhandled command C1h through Send Message:
  // data[3..10] = [rqSA, (netfn+1)<<2 | lun, cs, own address, seq/lun, cmd, C1h, cs].
  it("decodes the C1h response Linux's handle_ipmb_get_msg_cmd builds", () => {
    const f = bytes(0x72, 0x1c, 0x72, 0x20, 0x14, 0x01, 0xc1, 0x0a);
    expect(decodeIpmbFrame(f)).toEqual({
      ok: true,
      kind: "response",
      message: {
        rqSA: 0x72,
        netFn: 7,
        rqLUN: 0,
        rsSA: 0x20,
        rqSeq: 5,
        rsLUN: 0,
        cmd: 1,
        cc: 0xc1,
        data: bytes(),
      },
    });
  });

  it("refuses a bad header checksum, keeping the header for the log", () => {
    const f = freeipmi.slice();
    f[2] = 0xc9;
    const d = decodeIpmbFrame(f);
    expect(d.ok).toBe(false);
    expect(!d.ok && d.reason).toMatch(/header checksum c9h is wrong \(expected c8h\)/);
    expect(!d.ok && d.header).toEqual({ netFn: 6, lun: 0, seq: 0x25, cmd: 0x38, sourceAddress: 0x81 });
  });

  it("refuses a bad data checksum", () => {
    const f = freeipmi.slice();
    f[6] = 0x8f; // a flipped data bit: checksum2 no longer matches
    const d = decodeIpmbFrame(f);
    expect(!d.ok && d.reason).toMatch(/data checksum 22h is wrong \(expected 21h\)/);
  });

  it("refuses frames shorter than a request, and responses without a completion code", () => {
    expect(decodeIpmbFrame(bytes(0x20, 0x18, 0xc8, 0x81, 0x94, 0x38)).ok).toBe(false);
    const noCc = bytes(0x72, 0x1c, 0x72, 0x20, 0x14, 0x01, 0xcb);
    const d = decodeIpmbFrame(noCc);
    expect(!d.ok && d.reason).toMatch(/no completion code/);
  });

  it("refuses fields that do not fit their bits", () => {
    const base: IpmbRequest = {
      rsSA: 0x72,
      netFn: 6,
      rsLUN: 0,
      rqSA: 0x20,
      rqSeq: 0,
      rqLUN: 0,
      cmd: 1,
      data: bytes(),
    };
    expect(() => encodeIpmbRequest({ ...base, rqSeq: 64 })).toThrow(RangeError);
    expect(() => encodeIpmbRequest({ ...base, rsLUN: 4 })).toThrow(RangeError);
    expect(() => encodeIpmbRequest({ ...base, netFn: 0x40 })).toThrow(RangeError);
  });
});

const u8 = fc.integer({ min: 0, max: 255 });
const data = fc.uint8Array({ maxLength: 24 });

describe("IPMB codec properties (fast-check)", () => {
  it("a request round-trips and both checksums hold", () => {
    const request = fc.record({
      rsSA: u8,
      netFn: fc.integer({ min: 0, max: 31 }).map((n) => n * 2),
      rsLUN: fc.integer({ min: 0, max: 3 }),
      rqSA: u8,
      rqSeq: fc.integer({ min: 0, max: 63 }),
      rqLUN: fc.integer({ min: 0, max: 3 }),
      cmd: u8,
      data,
    });
    fc.assert(
      fc.property(request, (m: IpmbRequest) => {
        const f = encodeIpmbRequest(m);
        expect(ipmbChecksum(f, 0, 3)).toBe(0);
        expect(ipmbChecksum(f, 3)).toBe(0);
        expect(decodeIpmbFrame(f)).toEqual({ ok: true, kind: "request", message: m });
      }),
    );
  });

  it("a response round-trips", () => {
    const response = fc.record({
      rqSA: u8,
      netFn: fc.integer({ min: 0, max: 31 }).map((n) => n * 2 + 1),
      rqLUN: fc.integer({ min: 0, max: 3 }),
      rsSA: u8,
      rqSeq: fc.integer({ min: 0, max: 63 }),
      rsLUN: fc.integer({ min: 0, max: 3 }),
      cmd: u8,
      cc: u8,
      data,
    });
    fc.assert(
      fc.property(response, (m: IpmbResponse) => {
        expect(decodeIpmbFrame(encodeIpmbResponse(m))).toEqual({ ok: true, kind: "response", message: m });
      }),
    );
  });

  it("never throws on arbitrary bytes, and accepts exactly the frames whose checksums hold", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 140 }), (f) => {
        const d = decodeIpmbFrame(f);
        const sound = f.length >= 7 && ipmbChecksum(f, 0, 3) === 0 && ipmbChecksum(f, 3) === 0;
        const responseTooShort = f.length === 7 && (f[1]! >> 2) % 2 === 1;
        expect(d.ok).toBe(sound && !responseTooShort);
      }),
      { numRuns: 2000 },
    );
  });

  it("detects every single-byte corruption of a valid frame", () => {
    fc.assert(
      fc.property(
        fc.record({ rqSeq: fc.integer({ min: 0, max: 63 }), cmd: u8, data }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        ({ rqSeq, cmd, data: d }, at, delta) => {
          const f = encodeIpmbRequest({
            rsSA: 0x72,
            netFn: 6,
            rsLUN: 0,
            rqSA: 0x20,
            rqSeq,
            rqLUN: 0,
            cmd,
            data: d,
          });
          const i = at % f.length;
          f[i] = (f[i]! + delta) & 0xff;
          expect(decodeIpmbFrame(f).ok).toBe(false);
        },
      ),
    );
  });
});
