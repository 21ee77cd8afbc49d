import { createCipheriv, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hex } from "../layout/test-helpers";
import {
  AES_BLOCK,
  additionalKey,
  confidentialityPad,
  decryptAesCbc128,
  encryptAesCbc128,
  HMAC_SHA1_96,
  HMAC_SHA256_128,
  INTEGRITY_NONE,
  integrityAlgorithm,
  integrityAuthCode,
  KEY_CONSTANT_LENGTH,
  openRmcpPlus,
  type SessionCrypto,
  sealRmcpPlus,
  sessionCrypto,
  sessionKeys,
} from "./crypto";
import { CAPTURE_PASSWORD, loadCapture } from "./fixtures/rmcp-plus-captures";
import {
  openSessionRequest,
  openSessionResponse,
  RAKP_HMAC_SHA1,
  RAKP_HMAC_SHA256,
  type RakpExchange,
  rakp1,
  rakp2,
  rakpAlgorithm,
  sessionIntegrityKey,
  userKey,
} from "./rakp";
import { decodeRmcpPlusDatagram, PAYLOAD_TYPE } from "./rmcp-plus";

const hmac = (hash: string, key: Uint8Array, data: Uint8Array) =>
  new Uint8Array(createHmac(hash, key).update(data).digest());

const SIK1 = hex("5e 4a 9f 01 22 b3 c4 d5 e6 f7 08 19 2a 3b 4c 5d 6e 7f 80 91");
const SIK256 = hex(`5e 4a 9f 01 22 b3 c4 d5 e6 f7 08 19 2a 3b 4c 5d
                    6e 7f 80 91 a2 b3 c4 d5 e6 f7 08 19 2a 3b 4c 5d`);
const CONST1 = hex("01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01 01");
const CONST2 = hex("02 02 02 02 02 02 02 02 02 02 02 02 02 02 02 02 02 02 02 02");

describe("additional keying material (13.32)", () => {
  it("K1 = HMAC_SIK(20 x 01h), K2 = HMAC_SIK(20 x 02h), with the RAKP algorithm's HMAC", () => {
    expect(KEY_CONSTANT_LENGTH).toBe(20);
    expect(sessionKeys(RAKP_HMAC_SHA1, SIK1)).toEqual({
      k1: hmac("sha1", SIK1, CONST1),
      k2: hmac("sha1", SIK1, CONST2),
    });
    const k256 = sessionKeys(RAKP_HMAC_SHA256, SIK256);
    expect(k256).toEqual({ k1: hmac("sha256", SIK256, CONST1), k2: hmac("sha256", SIK256, CONST2) });
    expect(k256.k1.length).toBe(32);
    expect(additionalKey(RAKP_HMAC_SHA1, SIK1, 3)).toEqual(hmac("sha1", SIK1, new Uint8Array(20).fill(3)));
    expect(() => additionalKey(RAKP_HMAC_SHA1, SIK1, 0)).toThrow(RangeError);
  });
});

describe("integrity AuthCode (13.28, table 13-18)", () => {
  const data = hex("06 40 02 00 00 00 03 00 00 00 08 00 20 18 c8 81 04 3b 04 3c ff ff 02 07");
  const k1 = hmac("sha1", SIK1, CONST1);

  it("HMAC-SHA1-96: HMAC-SHA1 keyed by K1, first 12 bytes", () => {
    expect(integrityAuthCode(HMAC_SHA1_96, k1, data)).toEqual(hmac("sha1", k1, data).subarray(0, 12));
  });

  it("HMAC-SHA256-128: HMAC-SHA256 keyed by K1, first 16 bytes", () => {
    const k1s = hmac("sha256", SIK256, CONST1);
    expect(integrityAuthCode(HMAC_SHA256_128, k1s, data)).toEqual(hmac("sha256", k1s, data).subarray(0, 16));
  });

  it("knows which algorithms it runs", () => {
    expect(integrityAlgorithm(0)).toBe(INTEGRITY_NONE);
    expect(integrityAlgorithm(1)).toBe(HMAC_SHA1_96);
    expect(integrityAlgorithm(4)).toBe(HMAC_SHA256_128);
    expect(integrityAlgorithm(2)).toBeUndefined(); // HMAC-MD5-128
    expect(integrityAlgorithm(3)).toBeUndefined(); // MD5-128
    expect(() => integrityAuthCode(INTEGRITY_NONE, k1, data)).toThrow(RangeError);
  });
});

describe("AES-CBC-128 (13.29)", () => {
  const k2 = hmac("sha1", SIK1, CONST2);
  const iv = hex("00 11 22 33 44 55 66 77 88 99 aa bb cc dd ee ff");

  it("pads with 01h 02h 03h ... then the pad length, to a multiple of 16", () => {
    expect(confidentialityPad(hex("aa"))).toEqual(hex("aa 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0e"));
    expect(confidentialityPad(new Uint8Array(15))).toEqual(new Uint8Array(16));
    expect(confidentialityPad(new Uint8Array(0))).toEqual(
      hex("01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f 0f"),
    );
    for (let n = 0; n < 40; n++) {
      const padded = confidentialityPad(new Uint8Array(n).fill(0xaa));
      const pad = padded.at(-1)!;
      expect(padded.length % 16).toBe(0);
      expect(pad).toBeLessThan(16);
      expect(padded.length).toBe(n + pad + 1);
    }
  });

  it("encrypts IV | AES-128-CBC(first 16 bytes of K2, data | pad | pad length)", () => {
    const data = hex("20 18 c8 81 04 3b 04 3c");
    // Written out: 8 data bytes, pad 01..07, pad length 07.
    const block = hex("20 18 c8 81 04 3b 04 3c 01 02 03 04 05 06 07 07");
    const c = createCipheriv("aes-128-cbc", k2.subarray(0, 16), iv);
    c.setAutoPadding(false);
    const expected = new Uint8Array([...iv, ...c.update(block), ...c.final()]);
    const sealed = encryptAesCbc128(k2, data, iv);
    expect(sealed).toEqual(expected);
    expect(decryptAesCbc128(k2, sealed)).toEqual({ ok: true, data });
  });

  it("round trips every length with a random IV", () => {
    for (let n = 0; n < 50; n++) {
      const data = new Uint8Array(n).map((_, i) => (i * 37 + n) & 0xff);
      const sealed = encryptAesCbc128(k2, data);
      expect(sealed.length % AES_BLOCK).toBe(0);
      expect(decryptAesCbc128(k2, sealed)).toEqual({ ok: true, data });
    }
  });

  it("refuses a payload that is not IV and blocks, or whose confidentiality trailer is wrong", () => {
    expect(decryptAesCbc128(k2, new Uint8Array(16))).toMatchObject({ ok: false, reason: /16-byte IV/ });
    expect(decryptAesCbc128(k2, new Uint8Array(40))).toMatchObject({ ok: false, reason: /40 bytes/ });
    const raw = (plain: Uint8Array) => {
      const c = createCipheriv("aes-128-cbc", k2.subarray(0, 16), iv);
      c.setAutoPadding(false);
      return new Uint8Array([...iv, ...c.update(plain), ...c.final()]);
    };
    expect(decryptAesCbc128(k2, raw(hex("aa 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 10")))).toMatchObject({
      ok: false,
      reason: /pad length 16 is over 15/,
    });
    expect(decryptAesCbc128(k2, raw(hex("aa 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0f 0e")))).toMatchObject({
      ok: false,
      reason: /pad byte 14 is 0Fh, not 0Eh/,
    });
    const other = hmac("sha1", SIK1, hex("03 03 03"));
    const sealed = encryptAesCbc128(k2, hex("20 18 c8 81 04 3b 04 3c"), iv);
    expect(decryptAesCbc128(other, sealed).ok).toBe(false);
    expect(() => encryptAesCbc128(k2, hex("01"), iv.subarray(1))).toThrow(RangeError);
  });
});

describe("sealing and opening a session's messages", () => {
  const sessions: Array<[string, SessionCrypto]> = [
    ["suite 1 (none, none)", sessionCrypto(RAKP_HMAC_SHA1, 0, 0, SIK1)],
    ["suite 2 (HMAC-SHA1-96)", sessionCrypto(RAKP_HMAC_SHA1, 1, 0, SIK1)],
    ["suite 3 (HMAC-SHA1-96, AES)", sessionCrypto(RAKP_HMAC_SHA1, 1, 1, SIK1)],
    ["suite 16 (HMAC-SHA256-128)", sessionCrypto(RAKP_HMAC_SHA256, 4, 0, SIK256)],
    ["suite 17 (HMAC-SHA256-128, AES)", sessionCrypto(RAKP_HMAC_SHA256, 4, 1, SIK256)],
  ];
  const request = hex("20 18 c8 81 04 01 62");

  for (const [name, session] of sessions) {
    it(`${name}: what is sealed opens to the same payload; a flipped bit does not`, () => {
      const body = sealRmcpPlus(session, { payloadType: 0, sessionId: 0x44332211, sequence: 5 }, request);
      const opened = openRmcpPlus(session, body);
      expect(opened).toMatchObject({ ok: true, payload: request });
      if (!opened.ok) return;
      expect(opened.header.encrypted).toBe(session.confidentiality === 1);
      expect(opened.header.authenticated).toBe(session.integrity.hash !== undefined);
      if (session.integrity.hash === undefined) return;
      const tampered = body.slice();
      tampered[14]! ^= 0x01;
      expect(openRmcpPlus(session, tampered)).toMatchObject({ ok: false, error: "integrity" });
    });
  }

  it("refuses a message less protected than the session", () => {
    const [, plain] = sessions[0]!;
    const [, signed] = sessions[1]!;
    const [, encrypted] = sessions[2]!;
    const unsigned = sealRmcpPlus(plain, { payloadType: 0, sessionId: 1, sequence: 1 }, request);
    expect(openRmcpPlus(signed, unsigned)).toMatchObject({ ok: false, error: "unprotected" });
    const clear = sealRmcpPlus(signed, { payloadType: 0, sessionId: 1, sequence: 1 }, request);
    expect(openRmcpPlus(encrypted, clear)).toMatchObject({ ok: false, error: "unprotected" });
    expect(openRmcpPlus(plain, clear)).toMatchObject({ ok: false, error: "unprotected" });
    expect(openRmcpPlus(signed, new Uint8Array(3))).toMatchObject({ ok: false, error: "auth-type" });
  });

  it("refuses algorithms it does not implement", () => {
    expect(() => sessionCrypto(RAKP_HMAC_SHA1, 2, 0, SIK1)).toThrow(/HMAC-MD5-128/);
    expect(() => sessionCrypto(RAKP_HMAC_SHA1, 1, 2, SIK1)).toThrow(/02h/);
  });
});

// ---- the captured sessions: ipmitool's protected messages, and ours byte for byte ---------------

function capturedSession(name: string) {
  const datagrams = loadCapture(name);
  const payloadOf = (type: number) => {
    for (const d of datagrams) {
      const decoded = decodeRmcpPlusDatagram(d.bytes);
      if (decoded.ok && decoded.message.header.payloadType === type) return decoded.message.payload;
    }
    throw new Error(`no payload ${type}`);
  };
  const request = openSessionRequest.unpack(payloadOf(PAYLOAD_TYPE.OPEN_SESSION_REQUEST));
  const response = openSessionResponse.unpack(payloadOf(PAYLOAD_TYPE.OPEN_SESSION_RESPONSE));
  const m1 = rakp1.unpack(payloadOf(PAYLOAD_TYPE.RAKP_1));
  const m2 = rakp2.unpack(payloadOf(PAYLOAD_TYPE.RAKP_2));
  const s = response.session!;
  const x: RakpExchange = {
    consoleSessionId: request.consoleSessionId,
    bmcSessionId: s.bmcSessionId,
    consoleRandom: m1.consoleRandom,
    bmcRandom: m2.keyExchange!.bmcRandom,
    bmcGuid: m2.keyExchange!.bmcGuid,
    role: m1.role,
    userName: m1.userName,
  };
  const auth = rakpAlgorithm(s.authentication.algorithm)!;
  const sik = sessionIntegrityKey(auth, userKey(CAPTURE_PASSWORD), x);
  const crypto = sessionCrypto(auth, s.integrity.algorithm, s.confidentiality.algorithm, sik);
  const protectedMessages = datagrams.filter((d) => d.bytes[4] === 0x06 && (d.bytes[5]! & 0x40) !== 0);
  return { crypto, protectedMessages };
}

/** An IPMI message's two checksums (13.8): header bytes 1-3 and the rest each sum to 0. */
function checksumsOk(m: Uint8Array): boolean {
  const sum = (b: Uint8Array) => b.reduce((a, v) => (a + v) & 0xff, 0);
  return sum(m.subarray(0, 3)) === 0 && sum(m.subarray(3)) === 0;
}

describe("captured sessions (fixtures/rmcp-plus-*.txt)", () => {
  for (const [name, count] of [
    ["rmcp-plus-cipher3-name-only.txt", 14],
    ["rmcp-plus-cipher2-name-and-role.txt", 14],
    ["rmcp-plus-no-cipher-suites.txt", 14],
    ["rmcp-plus-cipher17-ipmitool.txt", 14],
  ] as const) {
    it(`${name}: every message verifies and decrypts with K1 and K2 from the recomputed SIK`, () => {
      const { crypto, protectedMessages } = capturedSession(name);
      expect(protectedMessages.length).toBe(count);
      for (const d of protectedMessages) {
        const opened = openRmcpPlus(crypto, d.bytes.subarray(4));
        if (!opened.ok) throw new Error(`${d.dir}: ${opened.error}: ${opened.reason}`);
        expect(checksumsOk(opened.payload)).toBe(true);
        // Requests go to the BMC (rsSA 20h, netfn even), responses to the console (rqSA 81h, netfn odd).
        expect(opened.payload[0]).toBe(d.dir === "c>b" ? 0x20 : 0x81);
        expect((opened.payload[1]! >> 2) & 1).toBe(d.dir === "c>b" ? 0 : 1);
      }
    });

    it(`${name}: sealing the decrypted payloads again (same IV) gives the captured bytes`, () => {
      const { crypto, protectedMessages } = capturedSession(name);
      for (const d of protectedMessages) {
        const body = d.bytes.subarray(4);
        const decoded = decodeRmcpPlusDatagram(d.bytes);
        const opened = openRmcpPlus(crypto, body);
        if (!decoded.ok || !opened.ok) throw new Error("not opened");
        const iv = decoded.message.header.encrypted ? decoded.message.payload.subarray(0, 16) : undefined;
        const h = decoded.message.header;
        expect(
          sealRmcpPlus(
            crypto,
            { payloadType: h.payloadType, sessionId: h.sessionId, sequence: h.sequence },
            opened.payload,
            iv,
          ),
        ).toEqual(body);
      }
    });
  }

  it("a Get Device ID answered inside the encrypted SHA-256 session (suite 17)", () => {
    const { crypto, protectedMessages } = capturedSession("rmcp-plus-cipher17-ipmitool.txt");
    const payloads = protectedMessages.map((d) => {
      const o = openRmcpPlus(crypto, d.bytes.subarray(4));
      if (!o.ok) throw new Error(o.reason);
      return o.payload;
    });
    // Get Device ID (App 06h, cmd 01h) and its answer: manufacturer 001291h, product 0F02h.
    const i = payloads.findIndex((p) => p[1] === 0x18 && p[5] === 0x01);
    expect(payloads[i + 1]!.subarray(5, 7)).toEqual(hex("01 00"));
    expect(payloads[i + 1]!.subarray(13, 18)).toEqual(hex("91 12 00 02 0f"));
  });
});
