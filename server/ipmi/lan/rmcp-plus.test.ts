import { describe, expect, it } from "vitest";
import { LayoutError } from "../layout/cursor";
import { childValues, hex, value, values } from "../layout/test-helpers";
import { loadCapture } from "./fixtures/rmcp-plus-captures";
import {
  decodeRmcpPlus,
  decodeRmcpPlusDatagram,
  describeRmcpPlus,
  encodeRmcpPlus,
  encodeRmcpPlusDatagram,
  integrityPadLength,
  isSessionSetupPayload,
  PAYLOAD_TYPE,
  PAYLOAD_TYPES,
  type RmcpPlusDecoded,
  rmcpPlusHeaderLayout,
  sessionHeaderLength,
} from "./rmcp-plus";

function ok(d: RmcpPlusDecoded) {
  if (!d.ok) throw new Error(`${d.error}: ${d.reason}`);
  return d.message;
}

function refused(d: RmcpPlusDecoded) {
  if (d.ok) throw new Error("decoded a malformed message");
  return d;
}

/** A fake AuthCode: 12 bytes derived from the covered bytes' length, to see what was covered. */
const fakeCode = (covered: Uint8Array) => new Uint8Array(12).fill(covered.length);

describe("RMCP+ session header (13.6, table 13-8)", () => {
  it("reads ipmitool's Open Session Request datagram", () => {
    const [, , open] = loadCapture("rmcp-plus-cipher3-name-only.txt");
    const m = ok(decodeRmcpPlusDatagram(open!.bytes));
    expect(m.header).toEqual({
      payloadType: PAYLOAD_TYPE.OPEN_SESSION_REQUEST,
      encrypted: false,
      authenticated: false,
      sessionId: 0,
      sequence: 0,
      payloadLength: 32,
    });
    expect(m.payload.length).toBe(32);
    expect(m.trailer).toBeUndefined();
    const fields = rmcpPlusHeaderLayout.decode(open!.bytes.subarray(4, 16));
    expect(values(fields)).toMatchObject({
      "Authentication type / format": "06h (RMCP+)",
      "Session ID": "00000000h",
      "Payload length": "32 bytes",
    });
    expect(childValues(fields, "Payload type")).toEqual({
      "Payload type": "RMCP+ Open Session Request (10h)",
      Authenticated: "no",
      Encrypted: "no",
    });
  });

  it("reads an authenticated, encrypted session message and its trailer (ipmitool, cipher suite 3)", () => {
    const datagrams = loadCapture("rmcp-plus-cipher3-name-only.txt");
    const d = datagrams.find((x) => x.bytes[5] === 0xc0)!;
    // 06 c0 | 02 00 00 00 | 03 00 00 00 | 20 00 | 32 bytes | ff ff 02 07 | 12-byte AuthCode
    for (const options of [{}, { authCodeLength: 12 }]) {
      const m = ok(decodeRmcpPlusDatagram(d.bytes, options));
      expect(m.header).toMatchObject({
        payloadType: 0,
        encrypted: true,
        authenticated: true,
        sessionId: 2,
        sequence: 3,
      });
      expect(m.payload.length).toBe(32);
      expect(m.trailer).toEqual({ padLength: 2, nextHeader: 7, authCode: d.bytes.subarray(4 + 48) });
      expect(m.integrityData).toEqual(d.bytes.subarray(4, 4 + 48));
    }
  });

  it("reads every datagram of the captures that is RMCP+ (the rest are IPMI 1.5 session-less)", () => {
    let rmcpPlus = 0;
    for (const name of [
      "rmcp-plus-cipher3-name-only.txt",
      "rmcp-plus-cipher2-name-and-role.txt",
      "rmcp-plus-unauthorized-name.txt",
      "rmcp-plus-no-cipher-suites.txt",
      "rmcp-plus-cipher17-ipmitool.txt",
    ]) {
      for (const d of loadCapture(name)) {
        const decoded = decodeRmcpPlusDatagram(d.bytes);
        if (d.bytes[4] === 0x00) {
          expect(refused(decoded).error).toBe("auth-type");
          continue;
        }
        const m = ok(decoded);
        if (m.header.authenticated) expect(m.integrityData!.length % 4).toBe(0);
        rmcpPlus++;
      }
    }
    expect(rmcpPlus).toBeGreaterThan(80);
  });

  it("encodes byte by byte: header LS first, payload, FFh pad, pad length, 07h, AuthCode", () => {
    let covered = new Uint8Array(0);
    const body = encodeRmcpPlus(
      {
        payloadType: 0x00,
        encrypted: false,
        authenticated: true,
        sessionId: 0x11223344,
        sequence: 0x05060708,
      },
      [0xaa, 0xbb, 0xcc],
      (c) => {
        covered = c.slice();
        return fakeCode(c);
      },
    );
    const expectedCovered = hex("06 40 44 33 22 11 08 07 06 05 03 00 aa bb cc ff ff ff 03 07");
    expect(covered).toEqual(expectedCovered);
    expect(body).toEqual(new Uint8Array([...expectedCovered, ...new Uint8Array(12).fill(20)]));
    expect(ok(decodeRmcpPlus(body, { authCodeLength: 12 })).payload).toEqual(hex("aa bb cc"));
  });

  it("pads the integrity data to a multiple of 4 for every payload length", () => {
    for (let n = 0; n < 12; n++) {
      let covered = 0;
      const body = encodeRmcpPlus(
        { payloadType: 0, encrypted: false, authenticated: true, sessionId: 1, sequence: 1 },
        new Uint8Array(n).fill(0x5a),
        (c) => {
          covered = c.length;
          return fakeCode(c);
        },
      );
      expect(covered % 4).toBe(0);
      expect(covered - (12 + n + 2)).toBe(integrityPadLength(12 + n));
      expect(integrityPadLength(12 + n)).toBeLessThan(4);
      const m = ok(decodeRmcpPlus(body));
      expect(m.payload.length).toBe(n);
      expect(ok(decodeRmcpPlus(body, { authCodeLength: 12 })).trailer?.padLength).toBe(m.trailer?.padLength);
    }
  });

  it("encodes an unauthenticated message without a trailer, and a whole datagram", () => {
    const setup = {
      payloadType: PAYLOAD_TYPE.RAKP_1,
      encrypted: false,
      authenticated: false,
      sessionId: 0,
      sequence: 0,
    };
    expect(encodeRmcpPlus(setup, [1, 2])).toEqual(hex("06 12 00 00 00 00 00 00 00 00 02 00 01 02"));
    expect(encodeRmcpPlusDatagram(setup, [1, 2])).toEqual(
      hex("06 00 ff 07 06 12 00 00 00 00 00 00 00 00 02 00 01 02"),
    );
  });

  it("OEM explicit payloads carry the OEM IANA and payload ID (18-byte header)", () => {
    const header = {
      payloadType: PAYLOAD_TYPE.OEM_EXPLICIT,
      encrypted: false,
      authenticated: false,
      oem: { iana: 343, payloadId: 0x0102 },
      sessionId: 9,
      sequence: 1,
    };
    const body = encodeRmcpPlus(header, [0xee]);
    expect(body).toEqual(hex("06 02 57 01 00 00 02 01 09 00 00 00 01 00 00 00 01 00 ee"));
    expect(sessionHeaderLength(PAYLOAD_TYPE.OEM_EXPLICIT)).toBe(18);
    expect(ok(decodeRmcpPlus(body)).header).toEqual({ ...header, payloadLength: 1 });
    expect(value(rmcpPlusHeaderLayout.decode(body.subarray(0, 18)), "OEM IANA")).toBe(
      "343 (Intel Corporation)",
    );
    expect(() => encodeRmcpPlus({ ...header, oem: undefined }, [])).toThrow(LayoutError);
    expect(() => encodeRmcpPlus({ ...header, payloadType: 0 }, [])).toThrow(LayoutError);
  });

  it("refuses what does not fit when encoding", () => {
    const h = { payloadType: 0, encrypted: false, authenticated: false, sessionId: 0, sequence: 0 };
    expect(() => encodeRmcpPlus({ ...h, authenticated: true }, [])).toThrow(/AuthCode function/);
    expect(() => encodeRmcpPlus(h, [], fakeCode)).toThrow(/no session trailer/);
    expect(() => encodeRmcpPlus({ ...h, sessionId: 2 ** 32 }, [])).toThrow(LayoutError);
    expect(() => encodeRmcpPlus({ ...h, payloadType: 0x40 }, [])).toThrow(LayoutError);
    expect(() => encodeRmcpPlus(h, new Uint8Array(0x10000))).toThrow(LayoutError);
    expect(() => encodeRmcpPlus({ ...h, authenticated: true }, [], () => new Uint8Array(0))).toThrow(
      /no bytes/,
    );
  });

  it("names the payload types of table 13-16", () => {
    expect(PAYLOAD_TYPES.label(0x13)).toBe("RAKP Message 2 (13h)");
    expect(PAYLOAD_TYPES.label(0x21)).toBe("OEM Payload 1 (21h)");
    expect(PAYLOAD_TYPES.label(0x03)).toBe("Reserved (03h)");
    expect(isSessionSetupPayload(0x10)).toBe(true);
    expect(isSessionSetupPayload(0x15)).toBe(true);
    expect(isSessionSetupPayload(0x00)).toBe(false);
  });
});

describe("malformed RMCP+ messages: each refused with its reason", () => {
  const header = (payload: string, payloadType = "00") =>
    hex(`06 ${payloadType} 01 00 00 00 02 00 00 00 ${payload}`);
  // A good authenticated message: 12 header + 3 payload, 3 pad bytes, pad length, next header (20 bytes), 12-byte AuthCode.
  const good = hex(`06 40 01 00 00 00 02 00 00 00 03 00 aa bb cc ff ff ff 03 07 ${"11 ".repeat(12)}`);

  it("the good one decodes", () => {
    expect(ok(decodeRmcpPlus(good)).trailer?.padLength).toBe(3);
    expect(ok(decodeRmcpPlus(good, { authCodeLength: 12 })).trailer?.authCode.length).toBe(12);
  });

  const cases: Array<[string, Uint8Array, string, RegExp, number?]> = [
    ["empty", new Uint8Array(0), "truncated", /empty/],
    ["IPMI 1.5 header", hex("00 00 00 00 00 00 00 00 00 00"), "auth-type", /IPMI 1.5 session header/],
    [
      "short header",
      hex("06 00 00 00 00 00 00 00 00 00 00"),
      "truncated",
      /needs 12 bytes, the message has 11/,
    ],
    [
      "short OEM header",
      hex("06 02 57 01 00 00 02 01 09 00 00 00 01 00 00 00 01"),
      "truncated",
      /needs 18 bytes, the message has 17/,
    ],
    ["payload past the end", header("05 00 aa bb"), "payload-length", /says 5 bytes, 2 follow/],
    ["extra bytes", header("01 00 aa bb"), "extra-bytes", /1 byte after the payload of an unauthenticated/],
    [
      "trailer cut off",
      hex("06 40 01 00 00 00 02 00 00 00 03 00 aa bb cc ff"),
      "truncated",
      /3 pad bytes, pad length and next header, 1 bytes follow/,
    ],
    [
      "pad length byte wrong",
      hex(`06 40 01 00 00 00 02 00 00 00 03 00 aa bb cc ff ff ff 02 07 ${"11 ".repeat(12)}`),
      "pad",
      /pad length byte says 2; 15 bytes of header and payload need 3/,
    ],
    [
      "pad byte not FFh",
      hex(`06 40 01 00 00 00 02 00 00 00 03 00 aa bb cc ff 00 ff 03 07 ${"11 ".repeat(12)}`),
      "pad",
      /integrity pad byte 1 is 00h, not FFh/,
    ],
    [
      "next header not 07h",
      hex(`06 40 01 00 00 00 02 00 00 00 03 00 aa bb cc ff ff ff 03 06 ${"11 ".repeat(12)}`),
      "next-header",
      /next header is 06h/,
    ],
    [
      "no AuthCode",
      hex("06 40 01 00 00 00 02 00 00 00 03 00 aa bb cc ff ff ff 03 07"),
      "auth-code",
      /without an AuthCode/,
    ],
    [
      "AuthCode of the wrong length (found from the end)",
      hex(`06 40 01 00 00 00 02 00 00 00 03 00 aa bb cc ff ff ff 03 07 ${"11 ".repeat(16)}`),
      "pad",
      /pad length byte says 17, the trailer has 7 bytes/,
      12,
    ],
    [
      "trailer shorter than the AuthCode",
      hex(`06 40 01 00 00 00 02 00 00 00 03 00 aa bb cc ff ff ff 03 07 ${"11 ".repeat(8)}`),
      "truncated",
      /needs at least 14 bytes/,
      12,
    ],
    [
      "integrity data not a multiple of 4",
      hex(`06 40 01 00 00 00 02 00 00 00 03 00 aa bb cc ff ff 02 07 ${"11 ".repeat(12)}`),
      "pad",
      /19 bytes, not a multiple of 4/,
      12,
    ],
  ];
  for (const [what, bytes, error, reason, authCodeLength] of cases) {
    it(what, () => {
      const d = refused(decodeRmcpPlus(bytes, authCodeLength === undefined ? {} : { authCodeLength }));
      expect(d.error).toBe(error);
      expect(d.reason).toMatch(reason);
    });
  }

  it("AuthCode length other than the session's, found by the pad", () => {
    const d = refused(decodeRmcpPlus(good, { authCodeLength: 16 }));
    expect(d.error).toBe("truncated");
    const long = hex(`06 40 01 00 00 00 02 00 00 00 03 00 aa bb cc ff ff ff 03 07 ${"11 ".repeat(13)}`);
    expect(ok(decodeRmcpPlus(long)).trailer?.authCode.length).toBe(13);
  });

  it("datagrams that are not RMCP class IPMI", () => {
    expect(refused(decodeRmcpPlusDatagram(hex("06 00 ff 06 00 00 11 be 80 00 00 00"))).error).toBe("rmcp");
    expect(refused(decodeRmcpPlusDatagram(hex("05 00 ff 07 06 00"))).reason).toMatch(/RMCP version/);
    expect(refused(decodeRmcpPlusDatagram(hex("06 00 ff 87"))).reason).toMatch(/ACK/);
    expect(refused(decodeRmcpPlusDatagram(hex("06 00"))).error).toBe("rmcp");
  });

  it("never throws on arbitrary bytes", () => {
    let seed = 7;
    const next = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    for (let i = 0; i < 2000; i++) {
      const b = new Uint8Array(next() % 48).map(() => next() % 256);
      if (b.length > 0 && i % 2 === 0) b[0] = 0x06;
      if (b.length > 10 && i % 4 === 0) b[10] = b.length - 12 > 0 ? Math.min(b.length - 12, 8) : 0;
      expect(() => decodeRmcpPlus(b, i % 3 === 0 ? { authCodeLength: 12 } : {})).not.toThrow();
      expect(() => describeRmcpPlus(b)).not.toThrow();
    }
  });
});

describe("describeRmcpPlus", () => {
  it("shows header, payload and trailer, or why a message is malformed", () => {
    const body = encodeRmcpPlus(
      { payloadType: 0, encrypted: false, authenticated: true, sessionId: 1, sequence: 2 },
      [0x20, 0x18, 0xc8],
      fakeCode,
    );
    const fields = describeRmcpPlus(body);
    expect(values(fields)).toMatchObject({
      "Session ID": "00000001h",
      "Session sequence number": "2",
      Payload: "3 bytes",
      "Integrity pad": "3 bytes",
      "Pad length": "3",
      "Next header": "07h",
      AuthCode: "12 bytes",
    });
    expect(value(describeRmcpPlus(body.subarray(0, 15)), "(error)")).toMatch(/session trailer/);
  });
});
