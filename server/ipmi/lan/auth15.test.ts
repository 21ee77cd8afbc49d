import { createHash, getHashes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CC } from "../completion-codes";
import { IpmiError } from "../ipmi-error";
import { layout } from "../layout/layout";
import { hex, value } from "../layout/test-helpers";
import {
  ACTIVATE_SESSION_CC,
  AUTH_TYPE,
  activateSessionRequest,
  activateSessionResponse,
  authCode15,
  checkAuthCode15,
  getSessionChallengeRequest,
  getSessionChallengeResponse,
  InboundSequenceWindow,
  isAuthType15,
  le32,
  MD2_SUPPORTED,
  md5AuthCode,
  newSessionChallenge,
  PendingChallenges,
  padPassword,
  padUserName,
  randomNonZero32,
  SEQUENCE_WINDOW,
  straightPasswordAuthCode,
  userNameOf,
} from "./auth15";
import freeipmiMd5 from "./fixtures/freeipmi-lan-md5-get-device-id.json";
import ipmitoolMd5 from "./fixtures/ipmitool-lan-md5-mc-info.json";
import ipmitoolPassword from "./fixtures/ipmitool-lan-password-raw.json";
import { decodeRmcp } from "./rmcp";
import { decodeSession15, type Session15Packet } from "./session15";

function packet(h: string): Session15Packet {
  const r = decodeRmcp(hex(h));
  if (!r.ok) throw new Error(r.reason);
  const p = decodeSession15(r.body);
  if (!p.ok) throw new Error(p.reason);
  return p;
}

/** The client's packets of a capture that carry an AuthCode. */
function authenticated(capture: { datagrams: Array<{ dir: string; what: string; hex: string }> }) {
  return capture.datagrams
    .filter((d) => d.dir === "client->bmc")
    .map((d) => ({ what: d.what, p: safePacket(d.hex) }))
    .filter(
      (x): x is { what: string; p: Session15Packet } =>
        x.p !== undefined && x.p.header.authCode !== undefined,
    );
}

function safePacket(h: string): Session15Packet | undefined {
  const r = decodeRmcp(hex(h));
  if (!r.ok) return undefined;
  const p = decodeSession15(r.body);
  return p.ok ? p : undefined;
}

const PASSWORD = "secret";

describe("authentication types (13.6 table 13-8, 22.13)", () => {
  it("knows 0, 1, 2, 4, 5 and nothing else", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 0x12].filter(isAuthType15)).toEqual([0, 1, 2, 4, 5]);
    expect(AUTH_TYPE).toEqual({ NONE: 0, MD2: 1, MD5: 2, PASSWORD: 4, OEM: 5 });
  });

  it("says MD2 is missing exactly when node:crypto lacks it", () => {
    expect(MD2_SUPPORTED).toBe(getHashes().includes("md2"));
    const r = authCode15(AUTH_TYPE.MD2, {
      password: PASSWORD,
      sessionId: 1,
      sequence: 1,
      message: hex("00"),
    });
    expect(r).toMatchObject({ ok: false });
    expect(!r.ok && r.reason).toContain("MD2");
    expect(
      authCode15(AUTH_TYPE.OEM, { password: "", sessionId: 1, sequence: 1, message: hex("00") }).ok,
    ).toBe(false);
    expect(authCode15(3, { password: "", sessionId: 1, sequence: 1, message: hex("00") }).ok).toBe(false);
  });
});

describe("AuthCode (22.17.1)", () => {
  it("pads the password with 00h to 16 bytes", () => {
    expect(padPassword("secret")).toEqual(hex("73 65 63 72 65 74 00 00 00 00 00 00 00 00 00 00"));
    expect(padPassword("")).toEqual(new Uint8Array(16));
    expect(padPassword("0123456789abcdef")).toEqual(new TextEncoder().encode("0123456789abcdef"));
    expect(() => padPassword("0123456789abcdefg")).toThrow(RangeError);
    expect(le32(0x01020304)).toEqual(hex("04 03 02 01"));
    expect(() => le32(2 ** 32)).toThrow(RangeError);
  });

  it("MD5: follows the formula MD5(password + session ID + message + sequence + password)", () => {
    const message = hex("20 18 c8 81 04 38 0e 04 31");
    const pw = padPassword(PASSWORD);
    const byFormula = createHash("md5")
      .update(Buffer.concat([pw, hex("78 56 34 12"), message, hex("05 00 00 00"), pw]))
      .digest();
    expect(md5AuthCode({ password: PASSWORD, sessionId: 0x12345678, sequence: 5, message })).toEqual(
      new Uint8Array(byFormula),
    );
  });

  it("MD5: computes the AuthCode ipmitool put in Activate Session (temporary session ID, sequence 0)", () => {
    const p = packet(ipmitoolMd5.datagrams[6]!.hex);
    expect(p.message.cmd).toBe(0x3a);
    const code = md5AuthCode({
      password: PASSWORD,
      sessionId: 0x44332211,
      sequence: 0,
      message: p.messageBytes,
    });
    // Also computed with Python's hashlib from the formula: 896af90159bb98c78bd48df6c627cbc4.
    expect(code).toEqual(hex("89 6a f9 01 59 bb 98 c7 8b d4 8d f6 c6 27 cb c4"));
    expect(code).toEqual(p.header.authCode);
  });

  it("MD5: computes the AuthCode of ipmitool's first session message (session ID 0A0B0C0Eh, sequence 01020304h)", () => {
    const p = packet(ipmitoolMd5.datagrams[8]!.hex);
    expect(p.message.cmd).toBe(0x3b);
    expect(
      md5AuthCode({
        password: PASSWORD,
        sessionId: 0x0a0b0c0e,
        sequence: 0x01020304,
        message: p.messageBytes,
      }),
    ).toEqual(hex("28 f4 88 d1 45 32 5b a6 4a 9f fc c3 c8 3d 96 39"));
  });

  for (const [name, capture] of Object.entries({ ipmitoolMd5, freeipmiMd5, ipmitoolPassword })) {
    it(`checks every AuthCode ${name} sent, and refuses it changed`, () => {
      const all = authenticated(capture);
      expect(all.length).toBeGreaterThanOrEqual(4);
      for (const { what, p } of all) {
        const input = {
          password: PASSWORD,
          sessionId: p.header.sessionId,
          sequence: p.header.sequence,
          message: p.messageBytes,
        };
        expect(checkAuthCode15(p.header.authType, input, p.header.authCode), what).toBe(true);
        expect(checkAuthCode15(p.header.authType, { ...input, password: "Secret" }, p.header.authCode)).toBe(
          false,
        );
        const flipped = p.header.authCode!.slice();
        flipped[15] = flipped[15]! ^ 0x80;
        expect(checkAuthCode15(p.header.authType, input, flipped)).toBe(false);
        expect(checkAuthCode15(p.header.authType, input, undefined)).toBe(false);
        if (p.header.authType === AUTH_TYPE.MD5) {
          // MD5 covers the sequence number, the session ID and the message.
          expect(
            checkAuthCode15(p.header.authType, { ...input, sequence: input.sequence + 1 }, p.header.authCode),
          ).toBe(false);
          expect(checkAuthCode15(p.header.authType, { ...input, sessionId: 1 }, p.header.authCode)).toBe(
            false,
          );
        }
      }
    });
  }

  it("straight password: the AuthCode is the padded password, as ipmitool -A PASSWORD sends it", () => {
    const p = packet(ipmitoolPassword.datagrams[6]!.hex);
    expect(p.header.authType).toBe(AUTH_TYPE.PASSWORD);
    expect(p.header.authCode).toEqual(straightPasswordAuthCode(PASSWORD));
  });

  it("NONE: no AuthCode at all", () => {
    const input = { password: PASSWORD, sessionId: 0, sequence: 0, message: hex("00") };
    expect(authCode15(AUTH_TYPE.NONE, input)).toEqual({ ok: true, code: undefined });
    expect(checkAuthCode15(AUTH_TYPE.NONE, input, undefined)).toBe(true);
    expect(checkAuthCode15(AUTH_TYPE.NONE, input, new Uint8Array(16))).toBe(false);
    expect(checkAuthCode15(AUTH_TYPE.MD2, input, new Uint8Array(16))).toBe(false);
  });
});

describe("Get Session Challenge and Activate Session layouts (22.16, 22.17)", () => {
  it("unpacks ipmitool's Get Session Challenge request and packs the answer it accepted", () => {
    const rq = packet(ipmitoolMd5.datagrams[4]!.hex);
    const req = layout(getSessionChallengeRequest).unpack(rq.message.data);
    expect(req.authType).toBe(AUTH_TYPE.MD5);
    expect(userNameOf(req.userName)).toBe("admin");
    expect(req.userName).toEqual(padUserName("admin"));
    const rs = packet(ipmitoolMd5.datagrams[5]!.hex);
    expect(rs.message.kind === "response" && rs.message.completionCode).toBe(0);
    const rsp = layout(getSessionChallengeResponse).unpack(rs.message.data);
    expect(rsp.temporarySessionId).toBe(0x44332211);
    expect(layout(getSessionChallengeResponse).pack(rsp)).toEqual(rs.message.data);
  });

  it("unpacks ipmitool's Activate Session request", () => {
    const p = packet(ipmitoolMd5.datagrams[6]!.hex);
    expect(layout(activateSessionRequest).unpack(p.message.data)).toEqual({
      authType: AUTH_TYPE.MD5,
      maxPrivilege: 4,
      challenge: hex("55 66 77 88 99 aa bb cc dd ee ff 10 21 32 43 54"),
      initialOutboundSequence: 0x370e3c4b,
    });
  });

  it("packs the Activate Session answer ipmitool and FreeIPMI accepted", () => {
    const body = {
      authType: AUTH_TYPE.MD5,
      sessionId: 0x0a0b0c0e,
      initialInboundSequence: 0x01020304,
      maxPrivilege: 4,
    };
    const bytes = layout(activateSessionResponse).pack(body);
    expect(bytes).toEqual(hex("02 0e 0c 0b 0a 04 03 02 01 04"));
    for (const capture of [ipmitoolMd5, freeipmiMd5]) {
      const rs = capture.datagrams.find((d) => d.what.startsWith("Activate Session response"))!;
      expect(packet(rs.hex).message.data).toEqual(bytes);
    }
  });

  it("refuses short or long requests as the router would (C7h, C8h)", () => {
    expect(() => layout(activateSessionRequest).unpack(new Uint8Array(21))).toThrow(IpmiError);
    try {
      layout(getSessionChallengeRequest).unpack(new Uint8Array(18));
    } catch (e) {
      expect(e instanceof IpmiError && e.cc).toBe(CC.REQUEST_FIELD_LENGTH_EXCEEDED);
    }
    expect(ACTIVATE_SESSION_CC.SEQUENCE_OUT_OF_RANGE).toBe(0x84);
  });

  it("names the fields for the dashboard", () => {
    const p = packet(ipmitoolMd5.datagrams[6]!.hex);
    const tree = layout(activateSessionRequest).decode(p.message.data);
    expect(value(tree, "Session authentication type")).toBe("MD5 (02h)");
    expect(value(tree, "Maximum privilege level requested")).toBe("Administrator (04h)");
    expect(value(tree, "Initial outbound sequence number")).toBe("370E3C4Bh");
    const gsc = layout(getSessionChallengeRequest).decode(packet(ipmitoolMd5.datagrams[4]!.hex).message.data);
    expect(value(gsc, "User name")).toBe('"admin"');
    expect(value(layout(getSessionChallengeRequest).decode(new Uint8Array(17)), "User name")).toBe(
      "(null user)",
    );
  });

  it("pads and reads user names", () => {
    expect(userNameOf(padUserName(""))).toBe("");
    expect(userNameOf(new TextEncoder().encode("0123456789abcdef"))).toBe("0123456789abcdef");
    expect(() => padUserName("0123456789abcdefg")).toThrow(RangeError);
  });
});

/** A random source that plays back `bytes`, then repeats its last byte. */
function playback(...chunks: number[][]): (n: number) => Uint8Array {
  const bytes = chunks.flat();
  let at = 0;
  return (n) => Uint8Array.from({ length: n }, () => bytes[Math.min(at++, bytes.length - 1)] ?? 0);
}

describe("session challenge (22.16)", () => {
  it("draws a non-zero temporary session ID and 16 challenge bytes", () => {
    const c = newSessionChallenge(
      playback(
        [0, 0, 0, 0],
        [0x11, 0x22, 0x33, 0x44],
        Array.from({ length: 16 }, (_, i) => i),
      ),
    );
    expect(c.temporarySessionId).toBe(0x44332211);
    expect(c.challenge).toEqual(Uint8Array.from({ length: 16 }, (_, i) => i));
    expect(randomNonZero32(playback([0, 0, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0]))).toBe(1);
    const real = newSessionChallenge();
    expect(real.challenge.length).toBe(16);
    expect(real.temporarySessionId).not.toBe(0);
  });

  it("remembers an issued challenge for one Activate Session", () => {
    const table = new PendingChallenges();
    const c = table.issue("admin", AUTH_TYPE.MD5, 1000);
    expect(table.size).toBe(1);
    const wrong = table.take(c.temporarySessionId, new Uint8Array(16), 1001);
    expect(wrong).toMatchObject({ ok: false, error: "challenge-mismatch" });
    expect(table.size).toBe(1);
    const ok = table.take(c.temporarySessionId, c.challenge, 1002);
    expect(ok).toMatchObject({ ok: true, pending: { userName: "admin", authType: AUTH_TYPE.MD5 } });
    expect(table.take(c.temporarySessionId, c.challenge, 1003)).toMatchObject({
      ok: false,
      error: "unknown-session",
    });
    expect(table.size).toBe(0);
  });

  it("forgets challenges after their lifetime and past its size", () => {
    const table = new PendingChallenges({ lifetimeMs: 100, max: 3 });
    const old = table.issue("a", AUTH_TYPE.MD5, 0);
    expect(table.take(old.temporarySessionId, old.challenge, 101)).toMatchObject({
      ok: false,
      error: "expired",
    });
    const first = table.issue("a", AUTH_TYPE.MD5, 200);
    for (let i = 0; i < 3; i++) table.issue("b", AUTH_TYPE.MD5, 201);
    expect(table.size).toBe(3);
    expect(table.take(first.temporarySessionId, first.challenge, 202)).toMatchObject({
      ok: false,
      error: "unknown-session",
    });
    // Issuing drops the expired ones.
    table.issue("c", AUTH_TYPE.MD5, 1000);
    expect(table.size).toBe(1);
  });

  it("never hands out the same temporary session ID twice while pending", () => {
    const table = new PendingChallenges({
      random: playback(
        [1, 0, 0, 0],
        new Array(16).fill(7),
        [1, 0, 0, 0],
        new Array(16).fill(8),
        [2, 0, 0, 0],
      ),
    });
    const a = table.issue("x", AUTH_TYPE.MD5, 0);
    const b = table.issue("x", AUTH_TYPE.MD5, 0);
    expect(a.temporarySessionId).toBe(1);
    expect(b.temporarySessionId).toBe(2);
  });
});

describe("inbound session sequence numbers (6.12.13)", () => {
  it("accepts the session's first number and the next ones, once", () => {
    const w = new InboundSequenceWindow(0x01020304);
    expect(w.accept(0x01020304)).toEqual({ ok: true });
    expect(w.accept(0x01020304)).toMatchObject({ ok: false, error: "replay" });
    expect(w.accept(0x01020305)).toEqual({ ok: true });
    expect(w.highest).toBe(0x01020305);
  });

  it("accepts what ipmitool sent in its session, in order", () => {
    const seqs = authenticated(ipmitoolMd5)
      .map((x) => x.p.header)
      .filter((h) => h.sessionId === 0x0a0b0c0e)
      .map((h) => h.sequence);
    expect(seqs.length).toBe(7);
    const w = new InboundSequenceWindow(0x01020304);
    for (const s of seqs) expect(w.accept(s)).toEqual({ ok: true });
    for (const s of seqs) expect(w.accept(s)).toMatchObject({ ok: false, error: "replay" });
  });

  it("takes up to 8 ahead, and a skipped number later, but only once", () => {
    const w = new InboundSequenceWindow(100);
    expect(w.accept(100 + SEQUENCE_WINDOW - 1)).toEqual({ ok: true }); // 107: 8 past 99
    expect(w.check(100)).toEqual({ ok: true });
    expect(w.accept(100)).toEqual({ ok: true }); // overtaken, now arrived
    expect(w.accept(100)).toMatchObject({ ok: false, error: "replay" });
    expect(w.accept(103)).toEqual({ ok: true });
    expect(w.accept(116)).toMatchObject({ ok: false, error: "out-of-window" }); // 9 past 107
    expect(w.accept(115)).toEqual({ ok: true }); // 8 past 107
    expect(w.accept(107)).toMatchObject({ ok: false, error: "replay" });
    expect(w.accept(106)).toMatchObject({ ok: false, error: "out-of-window" }); // 9 below 115
    expect(w.accept(108)).toEqual({ ok: true }); // 7 below 115, not seen yet
    expect(w.highest).toBe(115);
  });

  it("refuses numbers more than 8 behind, numbers before the session's first, and 0", () => {
    const w = new InboundSequenceWindow(1000);
    expect(w.accept(999)).toMatchObject({ ok: false, error: "replay" });
    expect(w.accept(995)).toMatchObject({ ok: false, error: "replay" });
    expect(w.accept(990)).toMatchObject({ ok: false, error: "out-of-window" });
    expect(w.accept(1009)).toMatchObject({ ok: false, error: "out-of-window" });
    for (let s = 1000; s <= 1020; s++) expect(w.accept(s)).toEqual({ ok: true });
    const behind = w.accept(1011);
    expect(behind).toMatchObject({ ok: false, error: "out-of-window" });
    expect(!behind.ok && behind.reason).toBe("sequence number 000003F3h is not within 8 of 000003FCh");
    expect(w.accept(0)).toMatchObject({ ok: false, error: "zero" });
    expect(w.accept(-1)).toMatchObject({ ok: false, error: "out-of-window" });
    expect(w.accept(2 ** 32)).toMatchObject({ ok: false, error: "out-of-window" });
  });

  it("wraps from FFFFFFFFh to 1", () => {
    const w = new InboundSequenceWindow(0xfffffffe);
    expect(w.accept(0xfffffffe)).toEqual({ ok: true });
    expect(w.accept(0xffffffff)).toEqual({ ok: true });
    expect(w.accept(1)).toEqual({ ok: true });
    expect(w.accept(0xffffffff)).toMatchObject({ ok: false, error: "replay" });
    expect(w.accept(3)).toEqual({ ok: true });
    expect(w.accept(2)).toEqual({ ok: true });
    expect(w.highest).toBe(3);
  });

  it("check() does not move the window; a bad initial number throws", () => {
    const w = new InboundSequenceWindow(5);
    expect(w.check(5)).toEqual({ ok: true });
    expect(w.check(5)).toEqual({ ok: true });
    expect(w.highest).toBe(4);
    expect(() => new InboundSequenceWindow(0)).toThrow(RangeError);
    expect(() => new InboundSequenceWindow(2 ** 32)).toThrow(RangeError);
  });
});
