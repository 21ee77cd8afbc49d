import { describe, expect, it } from "vitest";
import { LayoutError } from "../layout/cursor";
import { get, hex, value } from "../layout/test-helpers";
import {
  AUTHENTICATION_ALGORITHMS,
  CIPHER_SUITE_PAGE,
  CIPHER_SUITES,
  CONFIDENTIALITY_ALGORITHMS,
  cipherSuite,
  cipherSuiteLabel,
  cipherSuitePage,
  cipherSuiteRecordData,
  getChannelCipherSuitesRequest,
  getChannelCipherSuitesResponse,
  IMPLEMENTED_CIPHER_SUITES,
  INTEGRITY_ALGORITHMS,
  parseCipherSuiteRecords,
  recordAlgorithms,
  recordOf,
  supportedAlgorithmsData,
} from "./cipher-suites";
import { loadCapture } from "./fixtures/rmcp-plus-captures";
import { openSessionRequest } from "./rakp";
import { decodeRmcpPlusDatagram, PAYLOAD_TYPE } from "./rmcp-plus";

describe("algorithms and cipher suites (tables 13-17..13-19, 22-19)", () => {
  it("names the algorithms; 30h-3Fh are OEM", () => {
    expect(AUTHENTICATION_ALGORITHMS.label(0x03)).toBe("RAKP-HMAC-SHA256 (03h)");
    expect(INTEGRITY_ALGORITHMS.label(0x04)).toBe("HMAC-SHA256-128 (04h)");
    expect(CONFIDENTIALITY_ALGORITHMS.label(0x01)).toBe("AES-CBC-128 (01h)");
    expect(INTEGRITY_ALGORITHMS.label(0x31)).toBe("OEM (31h)");
    expect(AUTHENTICATION_ALGORITHMS.label(0x05)).toBe("Reserved (05h)");
  });

  it("lists the suites with their algorithms", () => {
    expect(CIPHER_SUITES.map((s) => s.id)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(cipherSuite(0)).toEqual({ id: 0, authentication: 0, integrity: 0, confidentiality: 0 });
    expect(cipherSuite(3)).toEqual({ id: 3, authentication: 1, integrity: 1, confidentiality: 1 });
    expect(cipherSuite(8)).toEqual({ id: 8, authentication: 2, integrity: 2, confidentiality: 1 });
    expect(cipherSuite(12)).toEqual({ id: 12, authentication: 2, integrity: 3, confidentiality: 1 });
    expect(cipherSuite(17)).toEqual({ id: 17, authentication: 3, integrity: 4, confidentiality: 1 });
    expect(cipherSuite(0x80)).toBeUndefined();
    expect(cipherSuiteLabel(cipherSuite(17)!)).toBe("17: RAKP-HMAC-SHA256, HMAC-SHA256-128, AES-CBC-128");
    expect(IMPLEMENTED_CIPHER_SUITES).toEqual([0, 1, 2, 3, 15, 16, 17]);
  });
});

describe("cipher suite records (22.15, table 22-18)", () => {
  // C0h, the ID, then 00b|auth, 01b|integrity, 10b|confidentiality: written out from table 22-19.
  const SIX = hex(`c0 01 01 40 80  c0 02 01 41 80  c0 03 01 41 81
                   c0 0f 03 40 80  c0 10 03 44 80  c0 11 03 44 81`);

  it("packs the records of suites 1, 2, 3, 15, 16, 17 byte for byte and reads them back", () => {
    const records = [1, 2, 3, 15, 16, 17].map((id) => recordOf(cipherSuite(id)!));
    expect(cipherSuiteRecordData.pack(records)).toEqual(SIX);
    expect(cipherSuiteRecordData.unpack(SIX)).toEqual(records);
    expect(parseCipherSuiteRecords(SIX)).toEqual({ ok: true, records });
    expect(recordAlgorithms(records[5]!)).toEqual({
      authentication: [3],
      integrity: [4],
      confidentiality: [1],
    });
  });

  it("shows each record for people", () => {
    const fields = cipherSuiteRecordData.decode(SIX);
    expect(fields.map((f) => f.name)).toEqual([
      "Cipher suite 1",
      "Cipher suite 2",
      "Cipher suite 3",
      "Cipher suite 15",
      "Cipher suite 16",
      "Cipher suite 17",
    ]);
    const s17 = get(fields, "Cipher suite 17");
    expect(s17.value).toBe("17: RAKP-HMAC-SHA256, HMAC-SHA256-128, AES-CBC-128");
    expect(s17.raw).toBe("c0 11 03 44 81");
    expect(value(s17.children, "Integrity algorithm")).toBe("HMAC-SHA256-128 (04h)");
    expect(value(s17.children, "Start of record")).toBe("C0h (standard cipher suite)");
  });

  it("reads OEM records (C1h, IANA) and records listing several algorithms", () => {
    const data = hex("c1 80 57 01 00 01 41 44 81 80 c0 03 01 41 81");
    const parsed = parseCipherSuiteRecords(data);
    expect(parsed).toEqual({
      ok: true,
      records: [
        { start: 0xc1, id: 0x80, iana: 343, algorithms: [0x01, 0x41, 0x44, 0x81, 0x80] },
        { start: 0xc0, id: 3, algorithms: [0x01, 0x41, 0x81] },
      ],
    });
    expect(cipherSuiteRecordData.unpack(data)).toEqual(parsed.ok ? parsed.records : []);
    expect(cipherSuiteRecordData.pack(parsed.ok ? parsed.records : [])).toEqual(data);
    expect(value(cipherSuiteRecordData.decode(data), "OEM IANA")).toBe("343 (Intel Corporation)");
  });

  it("says what is wrong with malformed record data", () => {
    const bad: Array<[string, RegExp]> = [
      ["30 03 01 41 81", /byte 0 is 30h, not a start of record/],
      ["c0 03 01 41 81 c1 80 57", /record at byte 5 is cut off after 3 bytes/],
      ["c0 03 41 01 81", /one authentication algorithm must come first/],
      ["c0 03 01 01 41 81", /one authentication algorithm must come first, the record has 2/],
      ["c0 03 01 41", /needs an integrity and a confidentiality algorithm/],
      ["c0 03 01 81 41", /out of order/],
    ];
    for (const [text, reason] of bad) {
      expect(parseCipherSuiteRecords(hex(text))).toMatchObject({ ok: false, reason });
    }
    // The layout still shows them, and a record cut short is "(truncated)".
    expect(value(cipherSuiteRecordData.decode(hex("c1 80 57")), "(truncated)")).toBe("2 bytes missing");
  });

  it("refuses to pack what is not a record", () => {
    expect(() => cipherSuiteRecordData.pack([{ start: 0x30, id: 1, algorithms: [1] }])).toThrow(LayoutError);
    expect(() => cipherSuiteRecordData.pack([{ start: 0xc0, id: 1, algorithms: [0xc1] }])).toThrow(
      /bits 7:6/,
    );
    expect(() => cipherSuiteRecordData.pack([{ start: 0xc1, id: 0x80, algorithms: [1] }])).toThrow(/IANA/);
    expect(() => cipherSuiteRecordData.pack([{ start: 0xc0, id: 1, iana: 1, algorithms: [1] }])).toThrow(
      /IANA/,
    );
  });

  it("pages the record data 16 bytes a response", () => {
    expect(cipherSuitePage(SIX, 0)).toEqual(SIX.subarray(0, 16));
    expect(cipherSuitePage(SIX, 1)).toEqual(SIX.subarray(16));
    expect(cipherSuitePage(SIX, 2).length).toBe(0);
    expect(CIPHER_SUITE_PAGE).toBe(16);
    expect(() => cipherSuitePage(SIX, 64)).toThrow(RangeError);
  });

  it("lists the supported algorithms, tagged (request bit 7 = 0)", () => {
    expect(supportedAlgorithmsData([cipherSuite(3)!, cipherSuite(17)!])).toEqual(hex("01 03 41 44 81"));
  });
});

describe("Get Channel Cipher Suites with ipmitool (fixtures/rmcp-plus-cipher17-ipmitool.txt)", () => {
  // The exchange is RMCP+ session-less (session ID 0, payload IPMI); the IPMI message is
  // rsSA, netFn/LUN, checksum, rqSA, rqSeq/LUN, cmd, [cc,] data, checksum (section 13.8).
  const datagrams = loadCapture("rmcp-plus-cipher17-ipmitool.txt");
  const messages = datagrams.flatMap((d) => {
    const decoded = decodeRmcpPlusDatagram(d.bytes);
    if (!decoded.ok || decoded.message.header.payloadType !== PAYLOAD_TYPE.IPMI) return [];
    if (decoded.message.header.sessionId !== 0) return [];
    return [{ dir: d.dir, message: decoded.message.payload }];
  });

  it("reads ipmitool's requests: channel 0Eh, payload IPMI, list by cipher suite, pages 0 and 1", () => {
    const requests = messages.filter((m) => m.dir === "c>b" && m.message[5] === 0x54);
    expect(requests.map((r) => getChannelCipherSuitesRequest.unpack(r.message.subarray(6, -1)))).toEqual([
      {
        channel: { number: 0x0e, reserved: 0 },
        payloadType: { type: 0, reserved: 0 },
        list: { index: 0, reserved: 0, byCipherSuite: true },
      },
      {
        channel: { number: 0x0e, reserved: 0 },
        payloadType: { type: 0, reserved: 0 },
        list: { index: 1, reserved: 0, byCipherSuite: true },
      },
    ]);
  });

  it("reads the two responses' pages back into six records, and ipmitool chose suite 17 from them", () => {
    const responses = messages.filter((m) => m.dir === "b>c" && m.message[5] === 0x54);
    expect(responses.map((r) => r.message[6])).toEqual([0x00, 0x00]); // completion codes
    const pages = responses.map((r) => getChannelCipherSuitesResponse.unpack(r.message.subarray(7, -1)));
    expect(pages.map((p) => [p.channel, p.data.length])).toEqual([
      [1, 16],
      [1, 14],
    ]);
    const all = new Uint8Array([...pages[0]!.data, ...pages[1]!.data]);
    const parsed = parseCipherSuiteRecords(all);
    expect(parsed.ok && parsed.records.map((r) => r.id)).toEqual([1, 2, 3, 15, 16, 17]);
    // ipmitool's Open Session Request that follows proposes suite 17's algorithms.
    const open = datagrams
      .map((d) => decodeRmcpPlusDatagram(d.bytes))
      .find((d) => d.ok && d.message.header.payloadType === PAYLOAD_TYPE.OPEN_SESSION_REQUEST);
    if (!open?.ok) throw new Error("no Open Session Request");
    const request = openSessionRequest.unpack(open.message.payload);
    expect([
      request.authentication.algorithm,
      request.integrity.algorithm,
      request.confidentiality.algorithm,
    ]).toEqual([3, 4, 1]);
  });
});
