import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  activateSession,
  closeSession,
  getChannelAuthCapabilities,
  getChannelCipherSuites,
  getSessionChallenge,
  getSessionInfo,
  setSessionPrivilege,
} from "../../ipmi/commands/app";
import { CC } from "../../ipmi/completion-codes";
import { IpmiError } from "../../ipmi/ipmi-error";
import { AUTH_TYPE, padUserName } from "../../ipmi/lan/auth15";
import { parseCipherSuiteRecords } from "../../ipmi/lan/cipher-suites";
import { openRmcpPlus, sealRmcpPlus } from "../../ipmi/lan/crypto";
import {
  codesMatch,
  openSessionRequest,
  openSessionResponse,
  RAKP_HMAC_SHA256,
  type RakpExchange,
  rakp1,
  rakp2,
  rakp2AuthCode,
  rakp3,
  rakp3AuthCode,
  rakp4,
  RMCP_PLUS_STATUS as S,
  userKey,
} from "../../ipmi/lan/rakp";
import type { Requester } from "../../router/types";
import { type HandshakeReply, MAX_HANDSHAKES, MAX_HANDSHAKES_PER_ADDRESS } from "./lan-login";
import { type LanSession, privilegeName } from "./session-table";
import {
  directTransport,
  FakePolicy,
  PASSWORDS,
  rmcpPlusLogin,
  TEST_GUID,
  type TestLogin,
  testLogin,
} from "./test-login";

const PEER = "192.0.2.7:50123";
const OTHER_PEER = "192.0.2.99:40000";

function lan(over: Partial<Requester> = {}): Requester {
  return { channel: 1, peer: PEER, sessionId: 0, user: null, privilege: "none", ...over };
}

function fromSession(s: LanSession): Requester {
  return {
    channel: s.channel,
    peer: s.peer,
    sessionId: s.id,
    user: s.userName,
    privilege: privilegeName(s.privilege),
  };
}

/** The completion code `f` throws as an IpmiError; "answered" when it does not throw; the error's text otherwise. */
function ccOf(f: () => unknown): number | string {
  try {
    f();
    return "answered";
  } catch (err) {
    if (err instanceof IpmiError) return err.cc;
    return `threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
  }
}

const bytes = (...b: number[]) => Uint8Array.from(b);
const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, v >>> 24];
const enc = (s: string) => new TextEncoder().encode(s);

// ---- IPMI 1.5 helpers ------------------------------------------------------------------------

function challenge(t: TestLogin, name: string, authType: number = AUTH_TYPE.MD5, peer = PEER) {
  return t.login.sessionChallenge({ authType, userName: padUserName(name) }, lan({ peer }));
}

function activate(
  t: TestLogin,
  ch: { temporarySessionId: number; challenge: Uint8Array },
  maxPrivilege: number,
  o: { initialOutboundSequence?: number; authType?: number; peer?: string } = {},
) {
  return t.login.activateSession(
    {
      authType: o.authType ?? AUTH_TYPE.MD5,
      maxPrivilege,
      challenge: ch.challenge,
      initialOutboundSequence: o.initialOutboundSequence ?? 0x100,
    },
    lan({ sessionId: ch.temporarySessionId, peer: o.peer ?? PEER }),
  );
}

function login15(t: TestLogin, name: string, maxPrivilege = 4, peer = PEER): LanSession {
  const a = activate(t, challenge(t, name, AUTH_TYPE.MD5, peer), maxPrivilege, { peer });
  return t.table.get(a.sessionId)!;
}

// ---- Get Channel Authentication Capabilities (22.13) ----------------------------------------

describe("Get Channel Authentication Capabilities", () => {
  const ask = (t: TestLogin, data: Uint8Array, requester: Requester | null = lan()) =>
    getChannelAuthCapabilities.response.pack(
      t.login.channelAuthCapabilities(getChannelAuthCapabilities.request.unpack(data), requester),
    );

  it("answers a v1.5 request: MD5 only (04h), non-null users (04h), extended byte 00h", () => {
    const t = testLogin();
    // channel 1, auth types 04h (MD5), status 04h (non-null user names), extended 00h, OEM 000000h, aux 00h
    expect([...ask(t, bytes(0x0e, 0x04))]).toEqual([0x01, 0x04, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00]);
  });

  it("answers a v2.0 request: bit 7 of the auth types (84h), v1.5 and v2.0 connections (03h)", () => {
    const t = testLogin();
    expect([...ask(t, bytes(0x8e, 0x04))]).toEqual([0x01, 0x84, 0x04, 0x03, 0x00, 0x00, 0x00, 0x00]);
    expect([...ask(t, bytes(0x81, 0x02))]).toEqual([0x01, 0x84, 0x04, 0x03, 0x00, 0x00, 0x00, 0x00]);
  });

  it("reports the types enabled at the requested level and the null-user, anonymous and user-level settings", () => {
    const t = testLogin();
    t.policy.authTypes[4] = [AUTH_TYPE.NONE, AUTH_TYPE.MD5, AUTH_TYPE.PASSWORD];
    t.policy.authTypes[2] = [AUTH_TYPE.PASSWORD];
    t.policy.nullUsers = true;
    t.policy.anonymous = true;
    t.policy.userLevel = false;
    // Administrator: none 01h + MD5 04h + password 10h; anonymous 01h, null 02h, non-null 04h, user level auth disabled 08h.
    expect([...ask(t, bytes(0x0e, 0x04))].slice(0, 4)).toEqual([0x01, 0x15, 0x0f, 0x00]);
    expect([...ask(t, bytes(0x0e, 0x02))].slice(0, 3)).toEqual([0x01, 0x10, 0x0f]);
    // OEM (5) is looked up as administrator.
    expect([...ask(t, bytes(0x0e, 0x05))][1]).toBe(0x15);
  });

  it("refuses another channel, 0Eh from the system interface, and privilege levels 0 and 6+", () => {
    const t = testLogin();
    expect(ccOf(() => ask(t, bytes(0x02, 0x04)))).toBe(CC.INVALID_DATA_FIELD);
    expect(ccOf(() => ask(t, bytes(0x0e, 0x04), null))).toBe(CC.INVALID_DATA_FIELD);
    expect(ccOf(() => ask(t, bytes(0x0e, 0x00)))).toBe(CC.INVALID_DATA_FIELD);
    expect(ccOf(() => ask(t, bytes(0x0e, 0x06)))).toBe(CC.INVALID_DATA_FIELD);
    // Channel 1 named outright is the LAN channel, from anywhere.
    expect(ask(t, bytes(0x01, 0x04), null)[0]).toBe(0x01);
  });
});

// ---- Get Session Challenge (22.16) ----------------------------------------------------------

describe("Get Session Challenge", () => {
  it("hands out a non-zero temporary session ID and a 16-byte challenge", () => {
    const t = testLogin();
    const a = challenge(t, "admin");
    const b = challenge(t, "admin");
    expect(a.temporarySessionId).not.toBe(0);
    expect(a.challenge).toHaveLength(16);
    expect(a.temporarySessionId).not.toBe(b.temporarySessionId);
    expect(Buffer.from(a.challenge).equals(Buffer.from(b.challenge))).toBe(false);
    // Packs into the command's response: 4 + 16 bytes.
    expect(getSessionChallenge.response.pack(a)).toHaveLength(20);
    const pending = t.login.pendingChallenge(a.temporarySessionId);
    expect(pending).toEqual({
      userName: "admin",
      authType: AUTH_TYPE.MD5,
      password: padUserName(PASSWORDS.admin),
    });
  });

  it("answers 81h for an unknown or disabled user, or one without IPMI messaging on the channel", () => {
    const t = testLogin();
    expect(ccOf(() => challenge(t, "nobody"))).toBe(0x81);
    expect(ccOf(() => challenge(t, "gone"))).toBe(0x81);
    t.users.byName("op")!.ipmiMessaging = false;
    expect(ccOf(() => challenge(t, "op"))).toBe(0x81);
    t.users.byName("user1")!.limit = 0;
    expect(ccOf(() => challenge(t, "user1"))).toBe(0x81);
  });

  it("answers 82h for the null user name when null users are not enabled", () => {
    const t = testLogin();
    expect(ccOf(() => challenge(t, ""))).toBe(0x82);
  });

  it("answers CCh for an authentication type not enabled at any level (and MD2 / OEM, which it cannot compute)", () => {
    const t = testLogin();
    expect(ccOf(() => challenge(t, "admin", AUTH_TYPE.PASSWORD))).toBe(CC.INVALID_DATA_FIELD);
    expect(ccOf(() => challenge(t, "admin", AUTH_TYPE.NONE))).toBe(CC.INVALID_DATA_FIELD);
    t.policy.authTypes[4] = [AUTH_TYPE.MD5, AUTH_TYPE.MD2, AUTH_TYPE.OEM];
    expect(ccOf(() => challenge(t, "admin", AUTH_TYPE.MD2))).toBe(CC.INVALID_DATA_FIELD);
    expect(ccOf(() => challenge(t, "admin", AUTH_TYPE.OEM))).toBe(CC.INVALID_DATA_FIELD);
  });

  it("is refused outside the LAN channel (D5h)", () => {
    const t = testLogin();
    expect(
      ccOf(() => t.login.sessionChallenge({ authType: AUTH_TYPE.MD5, userName: padUserName("admin") }, null)),
    ).toBe(CC.NOT_SUPPORTED_IN_STATE);
  });

  it("refuses a user whose password needs 20 bytes: IPMI 1.5 cannot use it (81h, not a challenge that cannot be activated)", () => {
    // users.ts: "IPMI 1.5 must refuse that user" (passwordKey(…, 16) throws for it).
    const t = testLogin();
    expect(ccOf(() => challenge(t, "long"))).toBe(0x81);
  });

  it("never lets a 20-byte password reach Activate Session as anything but a completion code", () => {
    const t = testLogin();
    let ch: ReturnType<typeof challenge>;
    try {
      ch = challenge(t, "long");
    } catch (err) {
      expect(err).toBeInstanceOf(IpmiError); // refused up front: nothing to activate
      return;
    }
    // The bus cannot check the AuthCode (pendingChallenge has no 16-byte password for it)...
    expect(t.login.pendingChallenge(ch.temporarySessionId)).toBeUndefined();
    // ...and the handler must answer with a completion code, not throw the users' RangeError (FFh).
    expect(typeof ccOf(() => activate(t, ch, 4))).toBe("number");
  });

  it("answers 81h for a user without a password (or an all-zero one)", () => {
    const t = testLogin();
    t.users.byName("op")!.password = null;
    expect(ccOf(() => challenge(t, "op"))).toBe(0x81);
    t.users.byName("user1")!.password = new Uint8Array(16);
    expect(ccOf(() => challenge(t, "user1"))).toBe(0x81);
  });
});

// ---- Activate Session (22.17) ---------------------------------------------------------------

describe("Activate Session", () => {
  it("opens a session at the requested maximum, operating at USER", () => {
    const t = testLogin();
    const ch = challenge(t, "admin");
    const r = activate(t, ch, 4, { initialOutboundSequence: 0x12345678 });
    expect(r.authType).toBe(AUTH_TYPE.MD5);
    expect(r.maxPrivilege).toBe(4);
    expect(r.sessionId).not.toBe(0);
    expect(r.sessionId).not.toBe(ch.temporarySessionId);
    expect(r.initialInboundSequence).not.toBe(0);
    const s = t.table.get(r.sessionId)!;
    expect(s).toMatchObject({
      channel: 1,
      peer: PEER,
      address: "192.0.2.7",
      port: 50123,
      userId: 2,
      userName: "admin",
      maxPrivilege: 4,
      privilege: 2,
      outboundSequence: 0x12345678,
      handle: 1,
      closed: false,
      protection: { kind: "ipmi-1.5", authType: AUTH_TYPE.MD5 },
    });
    expect(s.protection.kind === "ipmi-1.5" && [...s.protection.password]).toEqual([
      ...padUserName("secret"),
    ]);
    // The console's first message carries the initial inbound sequence number.
    expect(s.inbound.accept(r.initialInboundSequence)).toEqual({ ok: true });
    // The response packs into the command's layout: auth type, ID, inbound sequence, privilege.
    expect([...activateSession.response.pack(r)]).toEqual([
      0x02,
      ...le32(r.sessionId),
      ...le32(r.initialInboundSequence),
      0x04,
    ]);
  });

  it("opens below USER at the requested level (callback stays callback)", () => {
    const t = testLogin();
    const s = login15(t, "admin", 1);
    expect(s.maxPrivilege).toBe(1);
    expect(s.privilege).toBe(1);
    const op = login15(t, "op", 3);
    expect(op).toMatchObject({ maxPrivilege: 3, privilege: 2 });
  });

  it("answers 86h when the level asked exceeds the user's limit", () => {
    const t = testLogin();
    expect(ccOf(() => activate(t, challenge(t, "user1"), 4))).toBe(0x86);
    expect(ccOf(() => activate(t, challenge(t, "user1"), 3))).toBe(0x86);
    expect(ccOf(() => activate(t, challenge(t, "op"), 5))).toBe(0x86);
    expect(t.table.list()).toEqual([]);
    expect(login15(t, "user1", 2)).toMatchObject({ maxPrivilege: 2, privilege: 2 });
  });

  it("answers 86h when the channel's limit is lower than the user's", () => {
    const t = testLogin();
    t.policy.channelLimit = 3;
    expect(ccOf(() => activate(t, challenge(t, "admin"), 4))).toBe(0x86);
  });

  it("answers 85h for a temporary session ID no challenge was issued with", () => {
    const t = testLogin();
    const ch = challenge(t, "admin");
    expect(
      ccOf(() => activate(t, { ...ch, temporarySessionId: (ch.temporarySessionId ^ 1) >>> 0 || 2 }, 4)),
    ).toBe(0x85);
  });

  it("uses a challenge once: a second activation with it gets 85h", () => {
    const t = testLogin();
    const ch = challenge(t, "admin");
    expect(ccOf(() => activate(t, ch, 4))).toBe("answered");
    expect(t.login.pendingChallenge(ch.temporarySessionId)).toBeUndefined();
    expect(ccOf(() => activate(t, ch, 4))).toBe(0x85);
    expect(t.table.count(1)).toBe(1);
  });

  it("answers CCh for a wrong challenge string and keeps the challenge for the right one", () => {
    const t = testLogin();
    const ch = challenge(t, "admin");
    const wrong = Uint8Array.from(ch.challenge);
    wrong[0] = (wrong[0]! + 1) & 0xff;
    expect(ccOf(() => activate(t, { ...ch, challenge: wrong }, 4))).toBe(CC.INVALID_DATA_FIELD);
    expect(ccOf(() => activate(t, ch, 4))).toBe("answered");
  });

  it("answers 85h for an expired challenge (30 s)", () => {
    const t = testLogin();
    const ch = challenge(t, "admin");
    t.clock.t += 30_001;
    expect(t.login.pendingChallenge(ch.temporarySessionId)).toBeUndefined();
    expect(ccOf(() => activate(t, ch, 4))).toBe(0x85);
  });

  it("answers 81h when every session slot is taken", () => {
    const t = testLogin({ table: { limit: 2 } });
    login15(t, "admin");
    login15(t, "op", 3);
    expect(ccOf(() => activate(t, challenge(t, "admin"), 4))).toBe(0x81);
    expect(t.table.count(1)).toBe(2);
  });

  it("answers CCh for privilege 0 and for a session authentication type not enabled at the level", () => {
    const t = testLogin();
    expect(ccOf(() => activate(t, challenge(t, "admin"), 0))).toBe(CC.INVALID_DATA_FIELD);
    expect(ccOf(() => activate(t, challenge(t, "admin"), 4, { authType: AUTH_TYPE.PASSWORD }))).toBe(
      CC.INVALID_DATA_FIELD,
    );
    t.policy.authTypes[4] = [];
    expect(ccOf(() => activate(t, challenge(t, "admin"), 4))).toBe(CC.INVALID_DATA_FIELD);
  });

  it("is refused outside the LAN channel (D5h)", () => {
    const t = testLogin();
    const ch = challenge(t, "admin");
    expect(
      ccOf(() =>
        t.login.activateSession(
          { authType: 2, maxPrivilege: 4, challenge: ch.challenge, initialOutboundSequence: 1 },
          null,
        ),
      ),
    ).toBe(CC.NOT_SUPPORTED_IN_STATE);
  });

  it("parses its request from the command table's layout", () => {
    const req = activateSession.request.unpack(
      bytes(0x02, 0x04, ...new Uint8Array(16).fill(7), ...le32(0x1000)),
    );
    expect(req).toMatchObject({ authType: 2, maxPrivilege: 4, initialOutboundSequence: 0x1000 });
  });
});

// ---- Set Session Privilege Level (22.18) ----------------------------------------------------

describe("Set Session Privilege Level", () => {
  const set = (t: TestLogin, s: LanSession | null, level: number) =>
    setSessionPrivilege.response.pack(
      t.login.setPrivilege(setSessionPrivilege.request.unpack(bytes(level)), s ? fromSession(s) : lan()),
    );

  it("0 asks for the present level and changes nothing", () => {
    const t = testLogin();
    const s = login15(t, "admin");
    expect([...set(t, s, 0)]).toEqual([0x02]);
    expect(s.privilege).toBe(2);
  });

  it("raises and lowers up to the session's maximum", () => {
    const t = testLogin();
    const s = login15(t, "admin");
    const changes: string[] = [];
    t.table.onChange((c) => changes.push(c.kind));
    expect([...set(t, s, 4)]).toEqual([0x04]);
    expect(s.privilege).toBe(4);
    expect([...set(t, s, 3)]).toEqual([0x03]);
    expect([...set(t, s, 0)]).toEqual([0x03]);
    expect(changes).toEqual(["changed", "changed"]);
  });

  it("answers 81h above the session's maximum", () => {
    const t = testLogin();
    const s = login15(t, "user1", 2);
    expect(ccOf(() => set(t, s, 3))).toBe(0x81);
    expect(ccOf(() => set(t, s, 4))).toBe(0x81);
    const op = login15(t, "op", 3);
    expect(ccOf(() => set(t, op, 4))).toBe(0x81);
    expect(ccOf(() => set(t, op, 5))).toBe(0x81);
    expect(op.privilege).toBe(2);
  });

  it("answers 80h when the session's authentication type is not enabled at the level", () => {
    const t = testLogin();
    const s = login15(t, "admin");
    t.policy.authTypes[4] = [AUTH_TYPE.PASSWORD];
    expect(ccOf(() => set(t, s, 4))).toBe(0x80);
    expect(s.privilege).toBe(2);
  });

  it("is refused outside a session (D5h) and for levels above 5 (CCh)", () => {
    const t = testLogin();
    expect(ccOf(() => set(t, null, 2))).toBe(CC.NOT_SUPPORTED_IN_STATE);
    const s = login15(t, "admin");
    expect(ccOf(() => set(t, s, 6))).toBe(CC.INVALID_DATA_FIELD);
  });
});

// ---- Close Session (22.19) ------------------------------------------------------------------

describe("Close Session", () => {
  const close = (t: TestLogin, data: number[], requester: Requester | null) =>
    t.login.closeSession(closeSession.request.unpack(Uint8Array.from(data)), requester);

  it("closes the requester's own session by ID, at any privilege", () => {
    const t = testLogin();
    const s = login15(t, "user1", 2);
    expect(ccOf(() => close(t, le32(s.id), fromSession(s)))).toBe("answered");
    expect(t.table.get(s.id)).toBeUndefined();
    expect(s.closed).toBe(true);
  });

  it("closes the requester's own session by handle (session ID 0)", () => {
    const t = testLogin();
    login15(t, "admin");
    const s = login15(t, "op", 3);
    expect(s.handle).toBe(2);
    expect(ccOf(() => close(t, [0, 0, 0, 0, 2], fromSession(s)))).toBe("answered");
    expect(t.table.get(s.id)).toBeUndefined();
    expect(t.table.count(1)).toBe(1);
  });

  it("answers D4h to a session below administrator closing another session, which stays open", () => {
    const t = testLogin();
    const victim = login15(t, "admin");
    const op = login15(t, "op", 3);
    t.login.setPrivilege({ privilege: { level: 3 } }, fromSession(op));
    expect(ccOf(() => close(t, le32(victim.id), fromSession(op)))).toBe(CC.INSUFFICIENT_PRIVILEGE);
    expect(ccOf(() => close(t, [0, 0, 0, 0, victim.handle], fromSession(op)))).toBe(
      CC.INSUFFICIENT_PRIVILEGE,
    );
    expect(t.table.get(victim.id)).toBe(victim);
  });

  it("lets an administrator session close another session", () => {
    const t = testLogin();
    const victim = login15(t, "op", 3);
    const admin = login15(t, "admin");
    t.login.setPrivilege({ privilege: { level: 4 } }, fromSession(admin));
    expect(ccOf(() => close(t, le32(victim.id), fromSession(admin)))).toBe("answered");
    expect(t.table.get(victim.id)).toBeUndefined();
    expect(t.table.get(admin.id)).toBe(admin);
  });

  it("lets the system interface close any session", () => {
    const t = testLogin();
    const s = login15(t, "admin");
    expect(ccOf(() => close(t, le32(s.id), null))).toBe("answered");
    expect(t.table.list()).toEqual([]);
  });

  it("answers 87h for an unknown session ID, 88h for an unknown handle, C7h for ID 0 without a handle", () => {
    const t = testLogin();
    const s = login15(t, "admin");
    expect(ccOf(() => close(t, le32((s.id ^ 0x80000000) >>> 0), fromSession(s)))).toBe(0x87);
    expect(ccOf(() => close(t, [0, 0, 0, 0, 7], fromSession(s)))).toBe(0x88);
    expect(ccOf(() => close(t, [0, 0, 0, 0], fromSession(s)))).toBe(CC.REQUEST_LENGTH_INVALID);
    expect(t.table.get(s.id)).toBe(s);
  });
});

// ---- Get Session Info (22.20) ---------------------------------------------------------------

describe("Get Session Info", () => {
  const info = (t: TestLogin, data: number[], requester: Requester | null) =>
    getSessionInfo.response.pack(
      t.login.sessionInfo(getSessionInfo.request.unpack(Uint8Array.from(data)), requester),
    );

  it("index 0: the requester's own session, with its LAN address and port (LS byte first)", () => {
    const t = testLogin();
    login15(t, "op", 3, "10.1.2.3:1000");
    const s = login15(t, "admin");
    t.login.setPrivilege({ privilege: { level: 4 } }, fromSession(s));
    expect([...info(t, [0], fromSession(s))]).toEqual([
      2, // handle
      8, // possible
      2, // active
      2, // user ID
      4, // operating privilege
      0x01, // channel 1, IPMI v1.5
      192,
      0,
      2,
      7,
      0,
      0,
      0,
      0,
      0,
      0, // MAC unknown
      50123 & 0xff,
      50123 >> 8,
    ]);
  });

  it("index N: the Nth active session; past the last, handle 0 and the counts only", () => {
    const t = testLogin();
    const a = login15(t, "admin");
    const b = login15(t, "op", 3, "10.1.2.3:1000");
    expect(info(t, [1], fromSession(a))[0]).toBe(a.handle);
    const second = info(t, [2], fromSession(a));
    expect(second[0]).toBe(b.handle);
    expect(second[3]).toBe(3); // op's user ID
    expect([...second.subarray(6, 10)]).toEqual([10, 1, 2, 3]);
    expect([...info(t, [3], fromSession(a))]).toEqual([0, 8, 2]);
  });

  it("index FEh: by handle; an unknown handle is 88h, a missing handle byte C7h", () => {
    const t = testLogin();
    const a = login15(t, "admin");
    const b = login15(t, "user1", 2);
    expect(info(t, [0xfe, b.handle], fromSession(a))[3]).toBe(4);
    expect(ccOf(() => info(t, [0xfe, 9], fromSession(a)))).toBe(0x88);
    expect(ccOf(() => info(t, [0xfe], fromSession(a)))).toBe(CC.REQUEST_LENGTH_INVALID);
  });

  it("index FFh: by session ID; an unknown ID is CCh, a short ID C7h", () => {
    const t = testLogin();
    const a = login15(t, "admin");
    const b = login15(t, "user1", 2);
    expect(info(t, [0xff, ...le32(b.id)], fromSession(a))[0]).toBe(b.handle);
    expect(ccOf(() => info(t, [0xff, ...le32((b.id ^ 0x40000000) >>> 0)], fromSession(a)))).toBe(
      CC.INVALID_DATA_FIELD,
    );
    expect(ccOf(() => info(t, [0xff, 1, 2], fromSession(a)))).toBe(CC.REQUEST_LENGTH_INVALID);
  });

  it("without a session (index 0 from the system interface or outside a session): handle 0 and the counts", () => {
    const t = testLogin();
    login15(t, "admin");
    expect([...info(t, [0], null)]).toEqual([0, 8, 1]);
    expect([...info(t, [0], lan())]).toEqual([0, 8, 1]);
  });

  it("says v2.0 / RMCP+ (protocol 1) for an RMCP+ session", async () => {
    const t = testLogin();
    const c = await rmcpPlusLogin(directTransport(t.login, PEER), {
      user: "admin",
      password: "secret",
      suite: 17,
    });
    const s = t.table.get(c.bmcSessionId)!;
    expect(info(t, [0], fromSession(s))[5]).toBe(0x11);
  });
});

// ---- Get Channel Cipher Suites (22.15) ------------------------------------------------------

describe("Get Channel Cipher Suites", () => {
  const suites = (t: TestLogin, data: number[], requester: Requester | null = lan()) =>
    getChannelCipherSuites.response.pack(
      t.login.cipherSuites(getChannelCipherSuites.request.unpack(Uint8Array.from(data)), requester),
    );

  it("lists the records of suites 3 and 17 by cipher suite (table 22-18), one page", () => {
    const t = testLogin();
    expect([...suites(t, [0x0e, 0x00, 0x80])]).toEqual([
      0x01, // channel: the requester's, not 0Eh
      0xc0,
      0x03,
      0x01,
      0x41,
      0x81, // suite 3: RAKP-HMAC-SHA1, HMAC-SHA1-96, AES-CBC-128
      0xc0,
      0x11,
      0x03,
      0x44,
      0x81, // suite 17: RAKP-HMAC-SHA256, HMAC-SHA256-128, AES-CBC-128
    ]);
    expect([...suites(t, [0x0e, 0x00, 0x81])]).toEqual([0x01]); // page 1: empty, the list ended
  });

  it("lists the supported algorithms, tagged, when bit 7 is clear", () => {
    const t = testLogin();
    expect([...suites(t, [0x01, 0x00, 0x00])]).toEqual([0x01, 0x01, 0x03, 0x41, 0x44, 0x81]);
  });

  it("pages 16 bytes at a time; the pages concatenated parse as records", () => {
    const t = testLogin();
    t.policy.suites = [0, 1, 2, 3, 15, 16, 17];
    const pages = [0, 1, 2, 3].map((i) => suites(t, [0x0e, 0x00, 0x80 | i]).subarray(1));
    expect(pages.map((p) => p.length)).toEqual([16, 16, 3, 0]);
    const all = Uint8Array.from(pages.flatMap((p) => [...p]));
    const parsed = parseCipherSuiteRecords(all);
    expect(parsed.ok && parsed.records.map((r) => r.id)).toEqual([0, 1, 2, 3, 15, 16, 17]);
  });

  it("leaves out suites this code cannot run and suites the policy makes unusable", () => {
    const t = testLogin();
    t.policy.suites = [3, 8, 17, 99];
    t.policy.suitePrivilege.set(17, 0);
    expect([...suites(t, [0x0e, 0x00, 0x80])]).toEqual([0x01, 0xc0, 0x03, 0x01, 0x41, 0x81]);
    expect(t.login.suites().map((s) => s.id)).toEqual([3]);
  });

  it("refuses 0Eh from the system interface, another channel and a payload type other than IPMI (CCh)", () => {
    const t = testLogin();
    expect(ccOf(() => suites(t, [0x0e, 0x00, 0x80], null))).toBe(CC.INVALID_DATA_FIELD);
    expect(ccOf(() => suites(t, [0x02, 0x00, 0x80]))).toBe(CC.INVALID_DATA_FIELD);
    expect(ccOf(() => suites(t, [0x0e, 0x01, 0x80]))).toBe(CC.INVALID_DATA_FIELD);
  });
});

// ---- RMCP+ Open Session and RAKP (13.17-13.23) ----------------------------------------------

function openRequest(o: {
  suite?: [number, number, number];
  requested?: number;
  consoleSessionId?: number;
  tag?: number;
}): Uint8Array {
  const [a, i, c] = o.suite ?? [0x03, 0x04, 0x01];
  return openSessionRequest.pack({
    tag: o.tag ?? 0x07,
    maxPrivilege: o.requested ?? 0,
    consoleSessionId: o.consoleSessionId ?? 0xa1a2a3a4,
    authentication: { algorithm: a },
    integrity: { algorithm: i },
    confidentiality: { algorithm: c },
  });
}

function openSession(t: TestLogin, o: Parameters<typeof openRequest>[0] = {}, peer = PEER) {
  const reply = t.login.openSession(openRequest(o), peer);
  return { reply, response: openSessionResponse.unpack(reply.response!) };
}

interface Rakp1Sent {
  reply: HandshakeReply;
  x: RakpExchange;
}

/** Open Session for suite 17 (or the given one), then RAKP 1 as `user`. */
function throughRakp1(
  t: TestLogin,
  user: string,
  o: { role?: number; requested?: number; peer?: string; rakpPeer?: string } = {},
): Rakp1Sent & { bmcSessionId: number } {
  const { response } = openSession(t, { requested: o.requested ?? 0 }, o.peer ?? PEER);
  expect(response.status).toBe(0);
  const bmcSessionId = response.session!.bmcSessionId;
  const consoleRandom = new Uint8Array(randomBytes(16));
  const role = o.role ?? 4;
  const userName = enc(user);
  const reply = t.login.rakp1(
    rakp1.pack({ tag: 0x08, bmcSessionId, consoleRandom, role, userName }),
    o.rakpPeer ?? o.peer ?? PEER,
  );
  const r2 = rakp2.unpack(reply.response!);
  const x: RakpExchange = {
    consoleSessionId: response.consoleSessionId,
    bmcSessionId,
    consoleRandom,
    bmcRandom: r2.keyExchange?.bmcRandom ?? new Uint8Array(16),
    bmcGuid: r2.keyExchange?.bmcGuid ?? new Uint8Array(16),
    role,
    userName,
  };
  return { reply, x, bmcSessionId };
}

function statusOf(reply: HandshakeReply): number {
  // Byte 1 of every answer (Open Session Response, RAKP 2, RAKP 4) is the status code.
  return reply.response![1]!;
}

describe("RMCP+ handshake", () => {
  it.each([3, 17])("logs in with cipher suite %i as a console would", async (suite) => {
    const t = testLogin();
    const c = await rmcpPlusLogin(directTransport(t.login, PEER), {
      user: "admin",
      password: "secret",
      suite,
      consoleSessionId: 0x0badcafe,
    });
    expect(c.grantedPrivilege).toBe(4);
    const s = t.table.get(c.bmcSessionId)!;
    expect(s).toMatchObject({
      id: c.bmcSessionId,
      handle: 1,
      peer: PEER,
      userId: 2,
      userName: "admin",
      maxPrivilege: 4,
      privilege: 2,
      outboundSequence: 1,
      protection: { kind: "rmcp+", cipherSuite: suite, consoleSessionId: 0x0badcafe },
    });
    expect(t.login.pendingHandshakes).toBe(0);
    // Both ends derived the same keys: what the console seals, the session opens, and back.
    const payload = bytes(0x20, 0x18, 0xc8, 0x81, 0x04, 0x01, 0x7a);
    const sealed = sealRmcpPlus(
      c.crypto,
      { payloadType: 0, sessionId: c.bmcSessionId, sequence: 1 },
      payload,
    );
    if (s.protection.kind !== "rmcp+") throw new Error("not an RMCP+ session");
    const opened = openRmcpPlus(s.protection.crypto, sealed);
    expect(opened.ok && [...opened.payload]).toEqual([...payload]);
    const back = sealRmcpPlus(
      s.protection.crypto,
      { payloadType: 0, sessionId: c.consoleSessionId, sequence: 1 },
      payload,
    );
    const openedBack = openRmcpPlus(c.crypto, back);
    expect(openedBack.ok && [...openedBack.payload]).toEqual([...payload]);
  });

  it("logs in a user whose password has 20 bytes", async () => {
    const t = testLogin();
    const c = await rmcpPlusLogin(directTransport(t.login, PEER), {
      user: "long",
      password: PASSWORDS.long,
      suite: 17,
    });
    expect(t.table.get(c.bmcSessionId)?.userName).toBe("long");
  });

  it("answers the Open Session Request with the tag, the console's ID, the suite's algorithms and a fresh BMC ID", () => {
    const t = testLogin();
    const { reply, response } = openSession(t, { tag: 0x5a, consoleSessionId: 0x01020304, requested: 4 });
    expect(reply).toMatchObject({ ok: true, status: 0, user: null });
    expect([...reply.response!.subarray(0, 8)]).toEqual([0x5a, 0x00, 0x04, 0x00, 0x04, 0x03, 0x02, 0x01]);
    expect(response.session).toMatchObject({
      authentication: { algorithm: 0x03, payloadType: 0, payloadLength: 8 },
      integrity: { algorithm: 0x04, payloadType: 1, payloadLength: 8 },
      confidentiality: { algorithm: 0x01, payloadType: 2, payloadLength: 8 },
    });
    expect(response.session!.bmcSessionId).not.toBe(0);
    expect(reply.sessionId).toBe(response.session!.bmcSessionId);
    expect(t.login.pendingHandshakes).toBe(1);
  });

  it("grants the highest level the suite allows when the console asks for 0h, not 0", () => {
    const t = testLogin();
    const { reply, response } = openSession(t, { requested: 0 });
    expect(response.status).toBe(0);
    expect(response.maxPrivilege).toBe(4);
    expect(reply.response![2]! & 0x0f).toBe(4);
    t.policy.suitePrivilege.set(17, 3);
    expect(openSession(t, { requested: 0 }).response.maxPrivilege).toBe(3);
  });

  it("answers 04h when the console proposes suite 0 (RAKP-none, none, none)", () => {
    const t = testLogin();
    const { reply, response } = openSession(t, { suite: [0, 0, 0] });
    expect(response.status).toBe(S.INVALID_AUTHENTICATION_ALGORITHM);
    expect(reply.ok).toBe(false);
    expect(response.session).toBeUndefined();
    expect(response.consoleSessionId).toBe(0xa1a2a3a4);
    expect(t.login.pendingHandshakes).toBe(0);
  });

  it("answers 05h for an integrity algorithm no enabled suite has", () => {
    const t = testLogin();
    // RAKP-HMAC-SHA1 with HMAC-MD5-128: no suite enabled here (3, 17) has HMAC-MD5-128.
    expect(openSession(t, { suite: [0x01, 0x02, 0x01] }).response.status).toBe(S.INVALID_INTEGRITY_ALGORITHM);
    expect(S.INVALID_INTEGRITY_ALGORITHM).toBe(0x05);
  });

  it("answers 11h for algorithms that each exist but make no enabled suite", () => {
    const t = testLogin();
    // RAKP-HMAC-SHA1 (suite 3) with HMAC-SHA256-128 (suite 17): each offered, together in no suite.
    const status = openSession(t, { suite: [0x01, 0x04, 0x01] }).response.status;
    expect(status).not.toBe(0);
    expect(status).toBe(S.NO_CIPHER_SUITE_MATCH);
    expect(openSession(t, { suite: [0x03, 0x01, 0x01] }).response.status).toBe(S.NO_CIPHER_SUITE_MATCH);
  });

  it("answers 10h for a confidentiality algorithm no enabled suite has", () => {
    const t = testLogin();
    expect(openSession(t, { suite: [0x03, 0x04, 0x02] }).response.status).toBe(
      S.INVALID_CONFIDENTIALITY_ALGORITHM,
    );
  });

  it("answers 02h for console session ID 0, 03h for a wrong algorithm payload type, 09h for privilege 6+", () => {
    const t = testLogin();
    expect(openSession(t, { consoleSessionId: 0 }).response.status).toBe(S.INVALID_SESSION_ID);
    const wrongType = openRequest({});
    wrongType[8] = 0x01; // the authentication payload says "integrity"
    expect(statusOf(t.login.openSession(wrongType, PEER))).toBe(S.INVALID_PAYLOAD_TYPE);
    const role6 = openRequest({});
    role6[1] = 0x06;
    expect(statusOf(t.login.openSession(role6, PEER))).toBe(S.INVALID_ROLE);
    expect(t.login.pendingHandshakes).toBe(0);
  });

  it("answers 0Ah when the console asks for more than the suite allows", () => {
    const t = testLogin();
    t.policy.suitePrivilege.set(17, 2);
    const { response } = openSession(t, { requested: 4 });
    expect(response.status).toBe(S.UNAUTHORIZED_ROLE);
    expect(t.login.pendingHandshakes).toBe(0);
    // Asking for 0h gets the suite's USER, and RAKP 1 cannot ask for more.
    const more = throughRakp1(t, "admin", { role: 4 });
    expect(statusOf(more.reply)).toBe(S.UNAUTHORIZED_ROLE);
    expect(statusOf(throughRakp1(t, "admin", { role: 2 }).reply)).toBe(0);
  });

  it("answers 0Ah when the channel is limited below the request", () => {
    const t = testLogin();
    t.policy.channelLimit = 2;
    expect(openSession(t, { requested: 3 }).response.status).toBe(S.UNAUTHORIZED_ROLE);
  });

  it("answers 12h for a truncated, empty or overlong Open Session Request, without throwing", () => {
    const t = testLogin();
    const whole = openRequest({ tag: 0x33 });
    for (const payload of [
      whole.subarray(0, 10),
      whole.subarray(0, 1),
      new Uint8Array(0),
      bytes(...whole, 0),
    ]) {
      let reply: HandshakeReply | undefined;
      expect(() => {
        reply = t.login.openSession(payload, PEER);
      }).not.toThrow();
      expect(reply!.status).toBe(S.ILLEGAL_PARAMETER);
      expect(statusOf(reply!)).toBe(S.ILLEGAL_PARAMETER);
      expect(reply!.response![0]).toBe(payload[0] ?? 0);
    }
    expect(t.login.pendingHandshakes).toBe(0);
  });

  it("answers 01h once 32 handshakes are waiting, and takes new ones after they expire", () => {
    const t = testLogin();
    const peer = (i: number) => `10.0.${i >> 3}.${i & 7}:623`;
    for (let i = 0; i < MAX_HANDSHAKES; i++)
      expect(openSession(t, { consoleSessionId: 100 + i }, peer(i)).response.status).toBe(0);
    expect(t.login.pendingHandshakes).toBe(MAX_HANDSHAKES);
    expect(openSession(t, { consoleSessionId: 999 }).response.status).toBe(S.INSUFFICIENT_RESOURCES);
    expect(t.login.pendingHandshakes).toBe(MAX_HANDSHAKES);
    t.clock.t += 30_001;
    expect(openSession(t, { consoleSessionId: 1000 }).response.status).toBe(0);
    expect(t.login.pendingHandshakes).toBe(1);
  });

  it("lets one address hold at most 8 waiting handshakes, so it cannot lock the others out", () => {
    const t = testLogin();
    for (let i = 0; i < MAX_HANDSHAKES_PER_ADDRESS; i++)
      expect(openSession(t, { consoleSessionId: 100 + i }, `192.0.2.1:${1000 + i}`).response.status).toBe(0);
    const refused = openSession(t, { consoleSessionId: 200 }, "192.0.2.1:2000");
    expect(refused.response.status).toBe(S.INSUFFICIENT_RESOURCES);
    expect(refused.reply.note).toMatch(/192\.0\.2\.1 already has 8 logins under way/);
    expect(openSession(t, { consoleSessionId: 201 }, "192.0.2.2:2000").response.status).toBe(0);
  });

  it("answers 01h to Open Session when every session slot is taken", async () => {
    const t = testLogin({ table: { limit: 1 } });
    await rmcpPlusLogin(directTransport(t.login, PEER), { user: "admin", password: "secret", suite: 3 });
    expect(openSession(t).response.status).toBe(S.INSUFFICIENT_RESOURCES);
  });

  it("answers RAKP 4 01h when the slots filled up between Open Session and RAKP 3", () => {
    const t = testLogin({ table: { limit: 1 } });
    const a = throughRakp1(t, "admin");
    login15(t, "op", 3); // takes the last slot
    const kuid = userKey(PASSWORDS.admin);
    const reply = t.login.rakp3(
      rakp3.pack({
        tag: 9,
        status: 0,
        bmcSessionId: a.bmcSessionId,
        authCode: rakp3AuthCode(RAKP_HMAC_SHA256, kuid, a.x),
      }),
      PEER,
    );
    expect(statusOf(reply)).toBe(S.INSUFFICIENT_RESOURCES);
    expect(t.table.get(a.bmcSessionId)).toBeUndefined();
  });

  it("answers RAKP 2 with the BMC's random number, GUID and a code made with the user's password", () => {
    const t = testLogin();
    const a = throughRakp1(t, "op", { role: 3 });
    expect(a.reply).toMatchObject({ ok: true, status: 0, user: "op", sessionId: a.bmcSessionId });
    const r2 = rakp2.unpack(a.reply.response!);
    expect(r2.tag).toBe(0x08);
    expect(r2.consoleSessionId).toBe(0xa1a2a3a4);
    expect([...r2.keyExchange!.bmcGuid]).toEqual([...TEST_GUID]);
    expect(r2.keyExchange!.authCode).toHaveLength(32);
    expect(
      codesMatch(r2.keyExchange!.authCode, rakp2AuthCode(RAKP_HMAC_SHA256, userKey(PASSWORDS.op), a.x)),
    ).toBe(true);
    expect(
      codesMatch(r2.keyExchange!.authCode, rakp2AuthCode(RAKP_HMAC_SHA256, userKey("not-it"), a.x)),
    ).toBe(false);
  });

  it("answers RAKP 2 0Dh for an unknown, disabled or null user, and forgets the handshake", () => {
    const t = testLogin();
    for (const name of ["nobody", "gone", ""]) {
      const a = throughRakp1(t, name);
      expect(statusOf(a.reply)).toBe(S.UNAUTHORIZED_NAME);
      expect(a.reply.ok).toBe(false);
      expect(rakp2.unpack(a.reply.response!).keyExchange).toBeUndefined();
      // A second RAKP 1 for the same handshake finds nothing: guesses start over with Open Session.
      const again = t.login.rakp1(
        rakp1.pack({
          tag: 1,
          bmcSessionId: a.bmcSessionId,
          consoleRandom: new Uint8Array(16),
          role: 4,
          userName: enc("admin"),
        }),
        PEER,
      );
      expect(statusOf(again)).toBe(S.INVALID_SESSION_ID);
    }
    expect(t.login.pendingHandshakes).toBe(0);
  });

  it("answers RAKP 2 0Ah to a USER-limited user asking for ADMINISTRATOR", () => {
    const t = testLogin();
    const a = throughRakp1(t, "user1", { role: 4 });
    expect(statusOf(a.reply)).toBe(S.UNAUTHORIZED_ROLE);
    expect(a.reply.user).toBe("user1");
    expect(t.login.pendingHandshakes).toBe(0);
  });

  it("answers RAKP 2 0Ah to a role above what the Open Session Response granted", () => {
    const t = testLogin();
    expect(statusOf(throughRakp1(t, "admin", { requested: 3, role: 4 }).reply)).toBe(S.UNAUTHORIZED_ROLE);
    expect(statusOf(throughRakp1(t, "admin", { requested: 3, role: 3 }).reply)).toBe(0);
  });

  it("answers RAKP 2 09h for role 0 or reserved role bits, 0Ch for a name of more than 16 bytes", () => {
    const t = testLogin();
    expect(statusOf(throughRakp1(t, "admin", { role: 0 }).reply)).toBe(S.INVALID_ROLE);
    expect(statusOf(throughRakp1(t, "admin", { role: 0x24 }).reply)).toBe(S.INVALID_ROLE);
    const { response } = openSession(t);
    const long = bytes(
      0x01,
      0,
      0,
      0,
      ...le32(response.session!.bmcSessionId),
      ...new Uint8Array(16),
      0x04,
      0,
      0,
      17,
      ...enc("abcdefghijklmnopq"),
    );
    expect(statusOf(t.login.rakp1(long, PEER))).toBe(S.INVALID_NAME_LENGTH);
  });

  it("answers RAKP 2 02h for an unknown session ID and for an expired handshake", () => {
    const t = testLogin();
    const reply = t.login.rakp1(
      rakp1.pack({
        tag: 4,
        bmcSessionId: 0x12345678,
        consoleRandom: new Uint8Array(16),
        role: 4,
        userName: enc("admin"),
      }),
      PEER,
    );
    expect(statusOf(reply)).toBe(S.INVALID_SESSION_ID);
    expect(reply.response![0]).toBe(4);
    const { response } = openSession(t);
    t.clock.t += 30_001;
    const late = t.login.rakp1(
      rakp1.pack({
        tag: 5,
        bmcSessionId: response.session!.bmcSessionId,
        consoleRandom: new Uint8Array(16),
        role: 4,
        userName: enc("admin"),
      }),
      PEER,
    );
    expect(statusOf(late)).toBe(S.INVALID_SESSION_ID);
  });

  it("answers RAKP 2 02h to RAKP 1 from another address, and the handshake stays for its console", () => {
    const t = testLogin();
    const { response } = openSession(t);
    const bmcSessionId = response.session!.bmcSessionId;
    const m1 = rakp1.pack({
      tag: 6,
      bmcSessionId,
      consoleRandom: new Uint8Array(16),
      role: 4,
      userName: enc("admin"),
    });
    expect(statusOf(t.login.rakp1(m1, OTHER_PEER))).toBe(S.INVALID_SESSION_ID);
    expect(t.login.pendingHandshakes).toBe(1);
    expect(statusOf(t.login.rakp1(m1, PEER))).toBe(0);
  });

  it("answers 12h to a truncated RAKP 1 or RAKP 3, without throwing", () => {
    const t = testLogin();
    const a = throughRakp1(t, "admin");
    const m1 = rakp1.pack({
      tag: 6,
      bmcSessionId: a.bmcSessionId,
      consoleRandom: new Uint8Array(16),
      role: 4,
      userName: enc("admin"),
    });
    for (const cut of [m1.subarray(0, 20), m1.subarray(0, m1.length - 1), new Uint8Array(0)]) {
      let reply: HandshakeReply | undefined;
      expect(() => {
        reply = t.login.rakp1(cut, PEER);
      }).not.toThrow();
      expect(statusOf(reply!)).toBe(S.ILLEGAL_PARAMETER);
    }
    for (const cut of [bytes(7, 0, 0, 0, 1, 2), new Uint8Array(0)]) {
      let reply: HandshakeReply | undefined;
      expect(() => {
        reply = t.login.rakp3(cut, PEER);
      }).not.toThrow();
      expect(statusOf(reply!)).toBe(S.ILLEGAL_PARAMETER);
      expect(reply!.response![0]).toBe(cut[0] ?? 0);
    }
    // The handshake survived the garbage.
    expect(t.login.pendingHandshakes).toBe(1);
  });

  it("answers RAKP 4 0Fh to a RAKP 3 code made with the wrong password, and opens no session", () => {
    const t = testLogin();
    const a = throughRakp1(t, "admin");
    const wrong = rakp3AuthCode(RAKP_HMAC_SHA256, userKey("not-the-password"), a.x);
    const reply = t.login.rakp3(
      rakp3.pack({ tag: 0x0a, status: 0, bmcSessionId: a.bmcSessionId, authCode: wrong }),
      PEER,
    );
    expect(reply).toMatchObject({ ok: false, status: S.INVALID_INTEGRITY_CHECK_VALUE, user: "admin" });
    const r4 = rakp4.unpack(reply.response!);
    expect(r4).toMatchObject({ tag: 0x0a, status: 0x0f, consoleSessionId: 0xa1a2a3a4 });
    expect(r4.integrityCheckValue).toHaveLength(0);
    expect(t.table.list()).toEqual([]);
    expect(t.login.pendingHandshakes).toBe(0);
    // The handshake is spent: the right code now finds nothing.
    const right = rakp3AuthCode(RAKP_HMAC_SHA256, userKey(PASSWORDS.admin), a.x);
    expect(
      statusOf(
        t.login.rakp3(rakp3.pack({ tag: 1, status: 0, bmcSessionId: a.bmcSessionId, authCode: right }), PEER),
      ),
    ).toBe(S.INVALID_SESSION_ID);
  });

  it("sends nothing to a RAKP 3 with a non-zero status (the console gave up) and opens no session", () => {
    const t = testLogin();
    const a = throughRakp1(t, "admin");
    const reply = t.login.rakp3(
      rakp3.pack({ tag: 0x0b, status: 0x0f, bmcSessionId: a.bmcSessionId, authCode: [] }),
      PEER,
    );
    expect(reply.response).toBeNull();
    expect(reply).toMatchObject({ ok: false, status: 0x0f, user: "admin" });
    expect(t.table.list()).toEqual([]);
    expect(t.login.pendingHandshakes).toBe(0);
  });

  it("answers RAKP 4 02h to RAKP 3 before RAKP 1, from another address, or for an unknown ID", () => {
    const t = testLogin();
    const { response } = openSession(t);
    const early = t.login.rakp3(
      rakp3.pack({
        tag: 1,
        status: 0,
        bmcSessionId: response.session!.bmcSessionId,
        authCode: new Uint8Array(32),
      }),
      PEER,
    );
    expect(statusOf(early)).toBe(S.INVALID_SESSION_ID);
    const a = throughRakp1(t, "admin");
    const code = rakp3AuthCode(RAKP_HMAC_SHA256, userKey(PASSWORDS.admin), a.x);
    const m3 = rakp3.pack({ tag: 2, status: 0, bmcSessionId: a.bmcSessionId, authCode: code });
    expect(statusOf(t.login.rakp3(m3, OTHER_PEER))).toBe(S.INVALID_SESSION_ID);
    expect(
      statusOf(t.login.rakp3(rakp3.pack({ tag: 3, status: 0, bmcSessionId: 77, authCode: code }), PEER)),
    ).toBe(S.INVALID_SESSION_ID);
    expect(t.table.list()).toEqual([]);
    // The right console still completes it.
    const done = t.login.rakp3(m3, PEER);
    expect(done.ok).toBe(true);
    expect(done.session?.id).toBe(a.bmcSessionId);
  });

  it("opens the RMCP+ session at the RAKP 1 role's maximum, operating at USER (or lower)", async () => {
    const t = testLogin();
    const op = await rmcpPlusLogin(directTransport(t.login, PEER), {
      user: "op",
      password: PASSWORDS.op,
      suite: 17,
      role: 3,
    });
    expect(t.table.get(op.bmcSessionId)).toMatchObject({ maxPrivilege: 3, privilege: 2 });
    const cb = await rmcpPlusLogin(directTransport(t.login, PEER), {
      user: "admin",
      password: "secret",
      suite: 3,
      role: 1,
    });
    expect(t.table.get(cb.bmcSessionId)).toMatchObject({ maxPrivilege: 1, privilege: 1 });
  });

  it("uses IDs that neither a session nor a pending handshake has", async () => {
    const t = testLogin();
    const ids = new Set<number>();
    for (let i = 0; i < 4; i++) ids.add(login15(t, "admin").id);
    for (let i = 0; i < 4; i++) {
      const c = await rmcpPlusLogin(directTransport(t.login, PEER), {
        user: "admin",
        password: "secret",
        suite: 17,
      });
      ids.add(c.bmcSessionId);
    }
    expect(ids.size).toBe(8);
    expect(ids.has(0)).toBe(false);
  });
});

describe("FakePolicy", () => {
  it("is what the brief asks: MD5 everywhere, suites 3 and 17, administrator channel limit, no null user", () => {
    const p = new FakePolicy();
    expect([1, 2, 3, 4].every((l) => p.authTypeEnabled(l, AUTH_TYPE.MD5))).toBe(true);
    expect(p.enabledCipherSuites()).toEqual([3, 17]);
    expect(p.channelPrivilegeLimit(1)).toBe(4);
    expect(p.nullUserAllowed()).toBe(false);
  });
});
