import { describe, expect, it } from "vitest";
import { Cursor, LayoutError, SHORT } from "../layout/codec";
import { Writer } from "../layout/cursor";
import { hex, value } from "../layout/test-helpers";
import freeipmiMd5 from "./fixtures/freeipmi-lan-md5-get-device-id.json";
import ipmitoolMd5 from "./fixtures/ipmitool-lan-md5-mc-info.json";
import {
  ASF_IANA,
  ASF_MESSAGE_TYPE,
  be32,
  beUint,
  decodeAsf,
  decodePresencePong,
  decodeRmcp,
  describeRmcp,
  encodeAsf,
  encodePresencePing,
  encodeRmcp,
  IPMI_PRESENCE_PONG,
  isPresencePing,
  presencePongFor,
  RMCP_CLASS,
  rmcpAckFor,
  rmcpHeaderFor,
  wantsRmcpAck,
} from "./rmcp";

/** The ipmitool capture's datagrams (fixtures/ipmitool-lan-md5-mc-info.json). */
const ipmitool = ipmitoolMd5.datagrams.map((d) => ({ ...d, bytes: hex(d.hex) }));

describe("RMCP header (IPMI 2.0 13.1.3; ASF 2.0 3.2.2.2)", () => {
  it("writes the header of an IPMI class message: 06h 00h FFh 07h", () => {
    expect(encodeRmcp(rmcpHeaderFor(RMCP_CLASS.IPMI), [])).toEqual(hex("06 00 ff 07"));
    expect(encodeRmcp(rmcpHeaderFor(RMCP_CLASS.ASF), [])).toEqual(hex("06 00 ff 06"));
    expect(encodeRmcp(rmcpHeaderFor(RMCP_CLASS.OEM, 0x12), [0xaa])).toEqual(hex("06 00 12 08 aa"));
  });

  it("splits every datagram ipmitool and FreeIPMI sent into header and body", () => {
    const all = [...ipmitoolMd5.datagrams, ...freeipmiMd5.datagrams];
    for (const d of all) {
      const r = decodeRmcp(hex(d.hex));
      expect(r.ok, d.what).toBe(true);
      if (!r.ok) continue;
      expect(r.header).toMatchObject({ version: 6, reserved: 0, sequence: 0xff, ack: false });
      expect(r.body.length).toBe(d.hex.length / 2 - 4);
    }
    const ping = decodeRmcp(ipmitool[0]!.bytes);
    expect(ping.ok && ping.header.messageClass).toBe(RMCP_CLASS.ASF);
    const gcac = decodeRmcp(ipmitool[2]!.bytes);
    expect(gcac.ok && gcac.header.messageClass).toBe(RMCP_CLASS.IPMI);
  });

  it("refuses a datagram shorter than 4 bytes, another version, a reserved class", () => {
    expect(decodeRmcp(hex("06 00 ff"))).toMatchObject({ ok: false, error: "truncated" });
    expect(decodeRmcp(new Uint8Array(0))).toMatchObject({ ok: false, error: "truncated" });
    const legacy = decodeRmcp(hex("05 00 ff 07 00"));
    expect(legacy).toMatchObject({ ok: false, error: "version" });
    expect(!legacy.ok && legacy.reason).toContain("05h");
    expect(decodeRmcp(hex("06 00 ff 09"))).toMatchObject({ ok: false, error: "class" });
    expect(decodeRmcp(hex("06 00 ff 00"))).toMatchObject({ ok: false, error: "class" });
  });

  it("reads the ACK bit (bit 7) apart from the class", () => {
    const r = decodeRmcp(hex("06 00 05 86"));
    expect(r).toMatchObject({ ok: true, header: { messageClass: RMCP_CLASS.ASF, ack: true, sequence: 5 } });
    expect(r.ok && r.body.length).toBe(0);
  });

  it("acknowledges as ASF 2.0's examples do: 06 00 05 06 is answered 06 00 05 86", () => {
    // DSP0136 (ASF 2.0, 23 April 2003) pages 44-45, the RMCP ACK examples: a request with
    // header 06h 00h 05h 06h is acknowledged with 06h 00h 05h 86h.
    const r = decodeRmcp(hex("06 00 05 06 00 00 11 be 80 08 00 00"));
    if (!r.ok) throw new Error(r.reason);
    expect(wantsRmcpAck(r.header)).toBe(true);
    expect(rmcpAckFor(r.header)).toEqual(hex("06 00 05 86"));
    // FFh asks for no ACK, and an ACK is never acknowledged.
    expect(wantsRmcpAck(rmcpHeaderFor(RMCP_CLASS.ASF))).toBe(false);
    expect(wantsRmcpAck({ ...r.header, ack: true })).toBe(false);
  });

  it("refuses a header field that does not fit", () => {
    expect(() => encodeRmcp({ ...rmcpHeaderFor(RMCP_CLASS.IPMI), messageClass: 0x20 }, [])).toThrow(
      LayoutError,
    );
    expect(() => encodeRmcp({ ...rmcpHeaderFor(RMCP_CLASS.IPMI), sequence: 256 }, [])).toThrow(LayoutError);
  });
});

describe("big-endian integers (ASF fields are network order)", () => {
  it("reads 00 00 11 BE as 4542, not as the little-endian BE110000h", () => {
    expect(be32("IANA").read(new Cursor(hex("00 00 11 be")))).toBe(4542);
    expect(beUint(2, "x").read(new Cursor(hex("12 34")))).toBe(0x1234);
    expect(be32("IANA").read(new Cursor(hex("00 11 be")))).toBe(SHORT);
  });

  it("writes most significant byte first and refuses what does not fit", () => {
    const w = new Writer();
    be32("IANA").write(w, ASF_IANA);
    beUint(3, "x").write(w, 0x0a0b0c);
    expect(w.finish()).toEqual(hex("00 00 11 be 0a 0b 0c"));
    expect(() => be32("IANA").write(new Writer(), 2 ** 32)).toThrow(LayoutError);
    expect(() => be32("IANA").write(new Writer(), -1)).toThrow(LayoutError);
    expect(() => beUint(1, "x").write(new Writer(), 1.5)).toThrow(LayoutError);
  });
});

describe("ASF Presence Ping / Pong (IPMI 2.0 13.2.3, 13.2.4; ASF 2.0 3.2.4.3, 3.2.4.8)", () => {
  it("decodes ipmitool's Presence Ping: IANA 4542, type 80h, tag 0, no data", () => {
    // ipmitool 1.8.19 `-I lan` sends it before anything else.
    const r = decodeRmcp(ipmitool[0]!.bytes);
    if (!r.ok) throw new Error(r.reason);
    const a = decodeAsf(r.body);
    if (!a.ok) throw new Error(a.reason);
    expect(a.message).toEqual({
      iana: ASF_IANA,
      messageType: ASF_MESSAGE_TYPE.PRESENCE_PING,
      messageTag: 0,
      reserved: 0,
      data: new Uint8Array(0),
    });
    expect(isPresencePing(a.message)).toBe(true);
    expect(encodePresencePing(0)).toEqual(ipmitool[0]!.bytes);
  });

  it("answers with the pong the spec lays out: entities 81h (IPMI, ASF 1.0), interactions 00h", () => {
    const expected = hex(
      // RMCP: 06h 00h FFh, class ASF
      "06 00 ff 06" +
        // ASF header: IANA 4542 big-endian, type 40h, the ping's tag, reserved, length 16
        "00 00 11 be 40 00 00 10" +
        // data: IANA 4542, OEM-defined 0, supported entities 81h, supported interactions 00h, 6 reserved
        "00 00 11 be 00 00 00 00 81 00 00 00 00 00 00 00",
    );
    expect(presencePongFor({ messageTag: 0 })).toEqual(expected);
    // What ipmitool got (and accepted) in the capture.
    expect(presencePongFor({ messageTag: 0 })).toEqual(ipmitool[1]!.bytes);
  });

  it("copies the ping's message tag into the pong", () => {
    const pong = presencePongFor({ messageTag: 0x2a });
    expect(pong[9]).toBe(0x2a);
    const r = decodeRmcp(pong);
    if (!r.ok) throw new Error(r.reason);
    const a = decodeAsf(r.body);
    if (!a.ok) throw new Error(a.reason);
    expect(decodePresencePong(a.message)).toEqual({ ok: true, messageTag: 0x2a, pong: IPMI_PRESENCE_PONG });
  });

  it("writes an OEM pong and RSP support when asked", () => {
    const pong = presencePongFor(
      { messageTag: 1 },
      { iana: 343, oemDefined: 0x01020304, ipmiSupported: true, asfVersion: 1, securityExtensions: true },
    );
    expect(pong.subarray(12)).toEqual(hex("00 00 01 57 01 02 03 04 81 80 00 00 00 00 00 00"));
  });

  it("refuses a short header and a data length that disagrees with the bytes", () => {
    expect(decodeAsf(hex("00 00 11 be 80 00 00"))).toMatchObject({ ok: false, error: "truncated" });
    expect(decodeAsf(hex("00 00 11 be 40 00 00 10"))).toMatchObject({ ok: false, error: "truncated" });
    expect(decodeAsf(hex("00 00 11 be 80 00 00 00 00"))).toMatchObject({ ok: false, error: "bad-length" });
  });

  it("tells a pong from other ASF messages and a short pong", () => {
    const ping = { iana: ASF_IANA, messageType: 0x80, messageTag: 0, reserved: 0, data: new Uint8Array(0) };
    expect(decodePresencePong(ping)).toMatchObject({ ok: false, error: "not-pong" });
    expect(
      decodePresencePong({ ...ping, messageType: ASF_MESSAGE_TYPE.PRESENCE_PONG, data: new Uint8Array(8) }),
    ).toMatchObject({ ok: false, error: "truncated" });
    expect(isPresencePing({ ...ping, iana: 343 })).toBe(false);
    expect(isPresencePing({ ...ping, data: new Uint8Array(1) })).toBe(false);
  });

  it("round-trips an ASF message", () => {
    const m = { iana: ASF_IANA, messageType: 0x81, messageTag: 7, reserved: 0, data: hex("01 02") };
    const a = decodeAsf(encodeAsf(m));
    expect(a).toEqual({ ok: true, message: m });
  });
});

describe("describeRmcp", () => {
  it("names the fields of a ping and a pong for the dashboard", () => {
    const ping = describeRmcp(ipmitool[0]!.bytes);
    expect(value(ping, "Class of message")).toBe("06h");
    expect(value(ping, "Message class")).toBe("ASF (06h)");
    expect(value(ping, "IANA enterprise number")).toBe("4542 (ASF, 000011BEh)");
    expect(value(ping, "Message type")).toBe("Presence Ping (80h)");
    const pong = describeRmcp(ipmitool[1]!.bytes);
    expect(value(pong, "Message type")).toBe("Presence Pong (40h)");
    expect(value(pong, "IPMI supported")).toBe("yes");
    expect(value(pong, "ASF version")).toBe("ASF 1.0");
  });

  it("never throws on garbage", () => {
    expect(value(describeRmcp(hex("06 00")), "(truncated)")).toBe("2 bytes missing");
    expect(value(describeRmcp(hex("06 00 ff 06 00 00")), "(truncated)")).toBe("6 bytes missing");
    expect(value(describeRmcp(hex("06 00 ff 07 00 01")), "Data")).toBe("00 01");
  });
});
