/**
 * SOL packets sealed with a session's keys (IPMI 2.0 sections 13.28-13.29, 15.9): payload
 * type 01h with the encrypted and authenticated bits, AES-CBC-128 under K2 as an
 * independent decryption with node:crypto reads it, HMAC under K1, and refused when it
 * comes unprotected in a session whose cipher suite protects it.
 */
import { createDecipheriv, createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { openRmcpPlus, type SessionCrypto, sealRmcpPlus, sessionCrypto } from "../lan/crypto";
import { RAKP_HMAC_SHA1, RAKP_HMAC_SHA256 } from "../lan/rakp";
import { decodeRmcpPlus, PAYLOAD_TYPE } from "../lan/rmcp-plus";
import { hex } from "../layout/test-helpers";
import {
  decodeBmcPacket,
  decodeConsolePacket,
  encodeBmcPacket,
  encodeConsolePacket,
  NO_OPERATION,
  NO_STATUS,
} from "./sol-packet";

const SIK = hex(
  "5e 4a 9f 01 22 b3 c4 d5 e6 f7 08 19 2a 3b 4c 5d 6e 7f 80 91 a2 b3 c4 d5 e6 f7 08 19 2a 3b 4c 5d",
);

const SUITES: [string, SessionCrypto, string, number][] = [
  // Table 22-20: suite 3 = RAKP-HMAC-SHA1, HMAC-SHA1-96, AES-CBC-128; suite 17 = the SHA-256 variants.
  ["cipher suite 3", sessionCrypto(RAKP_HMAC_SHA1, 1, 1, SIK.subarray(0, 20)), "sha1", 12],
  ["cipher suite 17", sessionCrypto(RAKP_HMAC_SHA256, 4, 1, SIK), "sha256", 16],
];

const text = new TextEncoder().encode("login: root\r\nPassword: ");
const bmcPacket = encodeBmcPacket({ seq: 3, ackSeq: 2, acceptedCount: 5, status: NO_STATUS, data: text });

describe.each(SUITES)("SOL in a session of %s", (_name, session, hash, authCodeLength) => {
  it("goes out as payload type 01h, encrypted and authenticated, the text nowhere in clear", () => {
    const sealed = sealRmcpPlus(
      session,
      { payloadType: PAYLOAD_TYPE.SOL, sessionId: 0x1234, sequence: 9 },
      bmcPacket,
    );
    // Byte 1: payload type with bit 7 encrypted and bit 6 authenticated (table 13-8).
    expect(sealed[0]).toBe(0x06);
    expect(sealed[1]).toBe(0xc0 | PAYLOAD_TYPE.SOL);
    expect(Buffer.from(sealed).includes(Buffer.from("login"))).toBe(false);

    const d = decodeRmcpPlus(sealed, { authCodeLength });
    expect(d.ok).toBe(true);
    if (!d.ok) return;
    // Independently: the AuthCode is HMAC over the session header to the next-header byte, under K1.
    const mac = createHmac(hash, session.keys.k1).update(d.message.integrityData!).digest();
    expect([...d.message.trailer!.authCode]).toEqual([...mac.subarray(0, authCodeLength)]);
    // The payload is a 16-byte IV, then AES-128-CBC under K2's first 16 bytes, padded 01 02 03 ...
    // then the pad length (13.29).
    const body = d.message.payload;
    const decipher = createDecipheriv("aes-128-cbc", session.keys.k2.subarray(0, 16), body.subarray(0, 16));
    decipher.setAutoPadding(false);
    const plain = Buffer.concat([decipher.update(body.subarray(16)), decipher.final()]);
    const padLength = plain.at(-1)!;
    expect([...plain.subarray(plain.length - 1 - padLength, plain.length - 1)]).toEqual(
      Array.from({ length: padLength }, (_, i) => i + 1),
    );
    const packet = decodeBmcPacket(plain.subarray(0, plain.length - 1 - padLength));
    expect(packet).toMatchObject({ seq: 3, ackSeq: 2, acceptedCount: 5 });
    expect(new TextDecoder().decode(packet.data)).toBe("login: root\r\nPassword: ");
  });

  it("opens what the console sealed with the same keys, and nothing forged or in clear", () => {
    const keys = encodeConsolePacket({
      seq: 1,
      ackSeq: 0,
      acceptedCount: 0,
      op: NO_OPERATION,
      data: new TextEncoder().encode("root\r"),
    });
    const sealed = sealRmcpPlus(
      session,
      { payloadType: PAYLOAD_TYPE.SOL, sessionId: 0x99, sequence: 1 },
      keys,
    );
    const opened = openRmcpPlus(session, sealed);
    expect(opened.ok && opened.header.payloadType).toBe(PAYLOAD_TYPE.SOL);
    expect(opened.ok && new TextDecoder().decode(decodeConsolePacket(opened.payload).data)).toBe("root\r");

    const forged = Uint8Array.from(sealed);
    forged[20] = forged[20]! ^ 0x01; // inside the encrypted payload
    expect(openRmcpPlus(session, forged)).toMatchObject({ ok: false, error: "integrity" });

    // A console may not drop to clear text inside a protected session (13.28).
    const clear = sealRmcpPlus(
      { ...session, confidentiality: 0 },
      { payloadType: PAYLOAD_TYPE.SOL, sessionId: 0x99, sequence: 2 },
      keys,
    );
    expect(openRmcpPlus(session, clear)).toMatchObject({ ok: false, error: "unprotected" });
  });
});
