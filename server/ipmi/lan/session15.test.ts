import { describe, expect, it } from "vitest";
import { LayoutError } from "../layout/codec";
import { hex, value } from "../layout/test-helpers";
import { AUTH_TYPE, type AuthType15 } from "./auth15";
import freeipmiMd5 from "./fixtures/freeipmi-lan-md5-get-device-id.json";
import ipmitoolMd5 from "./fixtures/ipmitool-lan-md5-mc-info.json";
import ipmitoolPassword from "./fixtures/ipmitool-lan-password-raw.json";
import { decodeRmcp, RMCP_CLASS } from "./rmcp";
import {
  decodeLanMessage,
  decodeSession15,
  describeSession15,
  encodeLanRequest,
  encodeLanResponse,
  encodeSession15,
  encodeSession15Datagram,
  ipmiChecksum,
  type LanRequest,
  responseTo,
  type Session15Packet,
} from "./session15";

interface Capture {
  password: string;
  datagrams: Array<{ dir: string; what: string; hex: string }>;
}

/** The IPMI 1.5 packets (RMCP bodies) of a capture, decoded; throws on anything malformed. */
function packets(
  capture: Capture,
): Array<{ dir: string; what: string; body: Uint8Array; p: Session15Packet }> {
  const out = [];
  for (const d of capture.datagrams) {
    const r = decodeRmcp(hex(d.hex));
    if (!r.ok) throw new Error(`${d.what}: ${r.reason}`);
    if (r.header.messageClass !== RMCP_CLASS.IPMI) continue;
    const p = decodeSession15(r.body);
    if (!p.ok) throw new Error(`${d.what}: ${p.reason}`);
    out.push({ dir: d.dir, what: d.what, body: r.body, p });
  }
  return out;
}

function bodyOf(h: string): Uint8Array {
  const r = decodeRmcp(hex(h));
  if (!r.ok) throw new Error(r.reason);
  return r.body;
}

const captures = { ipmitoolMd5, ipmitoolPassword, freeipmiMd5 } as const;

describe("checksums (13.8: two's complement, as IPMB)", () => {
  it("makes each half of a message sum to 0", () => {
    // 20h + 18h + C8h = 100h: ipmitool's rsAddr, netFn 06h/LUN 0, checksum 1.
    expect(ipmiChecksum(hex("20 18"))).toBe(0xc8);
    expect(ipmiChecksum(hex("81 04 38 0e 04"))).toBe(0x31);
    expect(ipmiChecksum([])).toBe(0);
    expect(ipmiChecksum([0x00])).toBe(0);
    expect(ipmiChecksum([0x01])).toBe(0xff);
  });

  it("gives the checksums of FreeIPMI's Get Channel Authentication Capabilities as its --debug dumps show", () => {
    // FreeIPMI ipmi-sensors --debug output posted to the freeipmi lists, field by field:
    // https://lists.libreplanet.org/archive/html/freeipmi-devel/2012-08/txtOK8IofWph6.txt
    // (rq_seq 13h, channel Eh, privilege 3h: checksum1 C8h, checksum2 EAh) and
    // https://file.savannah.gnu.org/file/dr_ipmi-sensors-debug-id292_v3.txt?file_id=55391
    // (rq_seq 25h, "get IPMI v2.0 extended data" set: checksum2 22h).
    const base = { rsAddr: 0x20, netFn: 0x06, rsLun: 0, rqAddr: 0x81, rqLun: 0, cmd: 0x38 };
    expect(encodeLanRequest({ ...base, rqSeq: 0x13, data: hex("0e 03") })).toEqual(
      hex("20 18 c8 81 4c 38 0e 03 ea"),
    );
    expect(encodeLanRequest({ ...base, rqSeq: 0x25, data: hex("8e 03") })).toEqual(
      hex("20 18 c8 81 94 38 8e 03 22"),
    );
  });
});

describe("decodeSession15 on what real clients sent", () => {
  it("decodes ipmitool's Get Channel Authentication Capabilities outside a session", () => {
    const d = ipmitoolMd5.datagrams[2]!;
    expect(d.what).toContain("Get Channel Authentication Capabilities request");
    const p = decodeSession15(bodyOf(d.hex));
    expect(p).toEqual({
      ok: true,
      header: { authType: AUTH_TYPE.NONE, sequence: 0, sessionId: 0, authCode: undefined, messageLength: 9 },
      messageBytes: hex("20 18 c8 81 04 38 0e 04 31"),
      message: {
        kind: "request",
        rsAddr: 0x20,
        netFn: 0x06,
        rsLun: 0,
        rqAddr: 0x81,
        rqSeq: 1,
        rqLun: 0,
        cmd: 0x38,
        // channel 0Eh (this one), requested privilege 04h (administrator)
        data: hex("0e 04"),
      },
      legacyPad: false,
    });
  });

  it("decodes ipmitool's Activate Session: MD5, temporary session ID, sequence 0, the AuthCode", () => {
    const d = ipmitoolMd5.datagrams[6]!;
    expect(d.what).toContain("Activate Session request");
    const p = decodeSession15(bodyOf(d.hex));
    if (!p.ok) throw new Error(p.reason);
    expect(p.header).toEqual({
      authType: AUTH_TYPE.MD5,
      sequence: 0,
      sessionId: 0x44332211,
      authCode: hex("89 6a f9 01 59 bb 98 c7 8b d4 8d f6 c6 27 cb c4"),
      messageLength: 29,
    });
    expect(p.message).toMatchObject({ kind: "request", netFn: 0x06, cmd: 0x3a, rqSeq: 3 });
    // auth type MD5, privilege administrator, the challenge string, initial outbound sequence number 370E3C4Bh
    expect(p.message.data).toEqual(hex("02 04 55 66 77 88 99 aa bb cc dd ee ff 10 21 32 43 54 4b 3c 0e 37"));
  });

  it("decodes ipmitool's straight password packets: the AuthCode is the padded password", () => {
    const d = ipmitoolPassword.datagrams[8]!;
    expect(d.what).toContain("Set Session Privilege Level request");
    const p = decodeSession15(bodyOf(d.hex));
    if (!p.ok) throw new Error(p.reason);
    expect(p.header.authType).toBe(AUTH_TYPE.PASSWORD);
    expect(new TextDecoder().decode(p.header.authCode).replace(/\0+$/, "")).toBe("secret");
  });

  for (const [name, capture] of Object.entries(captures)) {
    it(`decodes every IPMI datagram of ${name} and re-encodes it byte for byte`, () => {
      const all = packets(capture);
      expect(all.length).toBeGreaterThan(8);
      for (const { dir, what, body, p } of all) {
        expect(p.message.kind, what).toBe(dir === "client->bmc" ? "request" : "response");
        expect(p.legacyPad).toBe(false);
        // The message re-encodes to the same bytes, checksums included.
        const again =
          p.message.kind === "request" ? encodeLanRequest(p.message) : encodeLanResponse(p.message);
        expect(again, what).toEqual(p.messageBytes);
        // The whole packet, AuthCode recomputed from the password, is the same.
        const { authType, sequence, sessionId } = p.header;
        expect(
          encodeSession15({ authType, sequence, sessionId, password: capture.password }, again),
          what,
        ).toEqual(body);
      }
    });
  }

  it("reads the session messages' sequence numbers and session ID", () => {
    const inSession = packets(ipmitoolMd5).filter(
      (x) => x.dir === "client->bmc" && x.p.header.sequence !== 0,
    );
    expect(inSession.map((x) => x.p.header.sessionId)).toEqual(inSession.map(() => 0x0a0b0c0e));
    expect(inSession.map((x) => x.p.header.sequence)).toEqual(
      Array.from({ length: inSession.length }, (_, i) => 0x01020304 + i),
    );
  });
});

describe("decodeSession15 refuses malformed packets with a reason", () => {
  // ipmitool's Get Device ID inside the MD5 session: header 26 bytes, message 7 bytes.
  const good = bodyOf(ipmitoolMd5.datagrams[12]!.hex);
  const withByte = (at: number, v: number) => {
    const b = good.slice();
    b[at] = v;
    return b;
  };

  it("is a good packet to start from", () => {
    expect(decodeSession15(good)).toMatchObject({ ok: true, message: { cmd: 0x01, netFn: 0x06 } });
    expect(good.length).toBe(26 + 7);
  });

  it("truncated: nothing, half a header, a message shorter than its length", () => {
    expect(decodeSession15(new Uint8Array(0))).toMatchObject({ ok: false, error: "truncated" });
    expect(decodeSession15(good.subarray(0, 20))).toMatchObject({ ok: false, error: "truncated" });
    expect(decodeSession15(hex("00 00 00 00 00 00 00 00 00"))).toMatchObject({
      ok: false,
      error: "truncated",
    });
    const short = decodeSession15(good.subarray(0, good.length - 1));
    expect(short).toMatchObject({ ok: false, error: "truncated" });
    expect(!short.ok && short.reason).toBe("message length says 7 bytes, 6 follow the header");
  });

  it("bad length: a length under 7, more than a pad byte past the message, a pad that is not 00h", () => {
    expect(decodeSession15(withByte(25, 6))).toMatchObject({ ok: false, error: "bad-length" });
    expect(decodeSession15(withByte(25, 0))).toMatchObject({ ok: false, error: "bad-length" });
    expect(decodeSession15(Uint8Array.from([...good, 0, 0]))).toMatchObject({
      ok: false,
      error: "bad-length",
    });
    expect(decodeSession15(Uint8Array.from([...good, 0x55]))).toMatchObject({
      ok: false,
      error: "bad-length",
    });
    // One 00h after the message is the legacy pad of table 13-8.
    expect(decodeSession15(Uint8Array.from([...good, 0]))).toMatchObject({ ok: true, legacyPad: true });
  });

  it("bad checksum 1 or 2", () => {
    const c1 = decodeSession15(withByte(28, 0xc9));
    expect(c1).toMatchObject({ ok: false, error: "checksum" });
    expect(!c1.ok && c1.reason).toBe("checksum 1 is C9h, bytes 20 18 need C8h");
    const c2 = decodeSession15(withByte(32, 0x67));
    expect(c2).toMatchObject({ ok: false, error: "checksum" });
    expect(!c2.ok && c2.reason).toContain("checksum 2 is 67h");
    // A changed data byte breaks checksum 2.
    expect(decodeSession15(withByte(30, 0x24))).toMatchObject({ ok: false, error: "checksum" });
  });

  it("unknown authentication type; 06h goes to RMCP+", () => {
    for (const t of [0x03, 0x07, 0x12, 0xff]) {
      const r = decodeSession15(withByte(0, t));
      expect(r, String(t)).toMatchObject({ ok: false, error: "auth-type" });
    }
    expect(decodeSession15(withByte(0, 0x06))).toMatchObject({ ok: false, error: "rmcp-plus" });
  });

  it("a response without its completion code", () => {
    expect(decodeLanMessage(encodeLanRequest(request)).ok).toBe(true);
    const noCc = hex("81 1c 63 20 04 01 db");
    expect(decodeLanMessage(noCc)).toMatchObject({ ok: false, error: "bad-length" });
    expect(decodeLanMessage(hex("81 1c 63 20 04"))).toMatchObject({ ok: false, error: "truncated" });
  });
});

const request: LanRequest = {
  rsAddr: 0x20,
  netFn: 0x06,
  rsLun: 0,
  rqAddr: 0x81,
  rqSeq: 1,
  rqLun: 0,
  cmd: 0x38,
  data: hex("0e 04"),
};

describe("encoding responses", () => {
  it("answers ipmitool's Get Channel Authentication Capabilities as the capture has it", () => {
    const rsp = responseTo(request, 0x00, hex("01 15 04 00 00 00 00 00"));
    expect(rsp).toMatchObject({ rqAddr: 0x81, netFn: 0x07, rsAddr: 0x20, rqSeq: 1, cmd: 0x38 });
    const m = encodeLanResponse(rsp);
    // 81h, netFn 07h/LUN 0 (1Ch), checksum, 20h, seq 1/LUN 0 (04h), 38h, cc 00h, data, checksum
    expect(m).toEqual(hex("81 1c 63 20 04 38 00 01 15 04 00 00 00 00 00 8a"));
    const datagram = encodeSession15Datagram({ authType: AUTH_TYPE.NONE, sequence: 0, sessionId: 0 }, m);
    expect(datagram).toEqual(hex(ipmitoolMd5.datagrams[3]!.hex));
  });

  it("keeps LUNs and the sequence number", () => {
    const m = encodeLanResponse(responseTo({ ...request, rsLun: 2, rqLun: 1, rqSeq: 63 }, 0xc1));
    const d = decodeLanMessage(m);
    expect(d).toMatchObject({
      ok: true,
      message: { kind: "response", rqLun: 1, rsLun: 2, rqSeq: 63, completionCode: 0xc1 },
    });
  });

  it("refuses what does not fit", () => {
    expect(() => encodeLanRequest({ ...request, netFn: 0x07 })).toThrow(LayoutError);
    expect(() => encodeLanResponse({ ...responseTo(request, 0), netFn: 0x06 })).toThrow(LayoutError);
    expect(() => encodeLanRequest({ ...request, rqSeq: 64 })).toThrow(LayoutError);
    expect(() => encodeLanRequest({ ...request, rsLun: 4 })).toThrow(LayoutError);
    expect(() => encodeLanResponse(responseTo(request, 0x100))).toThrow(LayoutError);
    expect(() => encodeLanRequest({ ...request, data: new Uint8Array(249) })).toThrow(LayoutError);
  });

  it("needs a password (or an AuthCode) for every type but NONE, and cannot do MD2", () => {
    const m = encodeLanRequest(request);
    const env = { sequence: 1, sessionId: 2 };
    expect(() => encodeSession15({ ...env, authType: AUTH_TYPE.MD5 }, m)).toThrow(/needs a password/);
    expect(() => encodeSession15({ ...env, authType: AUTH_TYPE.MD2, password: "x" }, m)).toThrow(/MD2/);
    expect(() => encodeSession15({ ...env, authType: AUTH_TYPE.OEM, password: "x" }, m)).toThrow(LayoutError);
    expect(() =>
      encodeSession15({ ...env, authType: AUTH_TYPE.NONE, authCode: new Uint8Array(16) }, m),
    ).toThrow(LayoutError);
    expect(() =>
      encodeSession15({ ...env, authType: 3 as AuthType15, authCode: new Uint8Array(16) }, m),
    ).not.toThrow();
    expect(() => encodeSession15({ ...env, authType: AUTH_TYPE.NONE }, m.subarray(0, 6))).toThrow(
      LayoutError,
    );
    const given = encodeSession15(
      { ...env, authType: AUTH_TYPE.MD5, authCode: new Uint8Array(16).fill(7) },
      m,
    );
    expect(given.subarray(9, 25)).toEqual(new Uint8Array(16).fill(7));
    expect(() =>
      encodeSession15({ ...env, authType: AUTH_TYPE.MD5, authCode: new Uint8Array(15) }, m),
    ).toThrow(LayoutError);
  });
});

describe("describeSession15", () => {
  it("names the header and message fields of ipmitool's Activate Session", () => {
    const tree = describeSession15(bodyOf(ipmitoolMd5.datagrams[6]!.hex));
    expect(value(tree, "Authentication type")).toBe("MD5 (02h)");
    expect(value(tree, "Session ID")).toBe("44332211h");
    expect(value(tree, "AuthCode")).toBe("89 6a f9 01 59 bb 98 c7 8b d4 8d f6 c6 27 cb c4");
    expect(value(tree, "Message length")).toBe("29");
    expect(value(tree, "NetFn")).toBe("06h (App request)");
    expect(value(tree, "Command")).toBe("3Ah");
    expect(value(tree, "rqSeq")).toBe("3");
    expect(value(tree, "Checksums")).toBe("ok");
  });

  it("shows a response's completion code and a bad checksum", () => {
    const rsp = bodyOf(ipmitoolMd5.datagrams[11]!.hex);
    expect(value(describeSession15(rsp), "Completion code")).toBe("C1h");
    const bad = rsp.slice();
    bad[bad.length - 1] = bad[bad.length - 1]! ^ 1;
    expect(value(describeSession15(bad), "Checksums")).toMatch(/^bad: checksum 1 ok, checksum 2 should be/);
  });

  it("never throws on garbage", () => {
    expect(value(describeSession15(hex("02 00 00")), "(truncated)")).toBe("23 bytes missing");
    expect(value(describeSession15(hex("00 00 00 00 00 00 00 00 00 09 20 18")), "(truncated)")).toBe(
      "7 bytes missing",
    );
    const padded = Uint8Array.from([...bodyOf(ipmitoolMd5.datagrams[2]!.hex), 0]);
    expect(value(describeSession15(padded), "Legacy pad")).toBe("00h");
  });
});
