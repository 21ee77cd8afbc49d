import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PASSWORDS, rmcpPlusLogin } from "../../bmc/sessions/test-login";
import type { Exchange } from "../../contract/exchange";
import { getSessionChallenge } from "../../ipmi/commands/app";
import { AUTH_TYPE, padUserName } from "../../ipmi/lan/auth15";
import {
  openSessionRequest,
  openSessionResponse,
  RAKP_HMAC_SHA256,
  type RakpExchange,
  rakp1,
  rakp2,
  rakp3,
  rakp3AuthCode,
  rakp4,
  userKey,
} from "../../ipmi/lan/rakp";
import {
  ASF_IANA,
  decodeAsf,
  decodePresencePong,
  decodeRmcp,
  encodePresencePing,
  encodeRmcp,
  RMCP_CLASS,
  rmcpHeaderFor,
} from "../../ipmi/lan/rmcp";
import { decodeRmcpPlusDatagram, encodeRmcpPlusDatagram, PAYLOAD_TYPE } from "../../ipmi/lan/rmcp-plus";
import { encodeSession15Datagram } from "../../ipmi/lan/session15";
import {
  DEVICE_ID_DATA,
  INITIAL_OUTBOUND,
  type LanBmc,
  lanRequest,
  login15,
  parse15,
  SessionPlus,
  sessionless15,
  setupDatagram,
  startLanBmc,
  UdpClient,
  udpTransport,
} from "./test-client";

let bmc: LanBmc;
let client: UdpClient;

beforeEach(async () => {
  bmc = await startLanBmc();
  client = await UdpClient.open(bmc.port);
});

afterEach(async () => {
  await client.close();
  await bmc.stop();
});

/** Sends `datagram` and resolves with the first malformed record that follows. */
async function malformed(datagram: Uint8Array, from: UdpClient = client): Promise<Exchange> {
  const rec = bmc.nextRecord((x) => x.status === "malformed");
  await from.send(datagram);
  return rec;
}

async function rmcpPlus(user: string, password: string, suite: number, role = 4) {
  const c = await rmcpPlusLogin(udpTransport(client), { user, password, suite, role });
  return { c, s: new SessionPlus(c.bmcSessionId, c.consoleSessionId, c.crypto) };
}

describe("presence ping", () => {
  it("answers a ping with a pong carrying its tag, and records it", async () => {
    const ping = encodePresencePing(0x33);
    const d = await client.request(ping);
    const r = decodeRmcp(d);
    expect(r.ok && r.header).toMatchObject({
      version: 6,
      sequence: 0xff,
      messageClass: RMCP_CLASS.ASF,
      ack: false,
    });
    const asf = r.ok ? decodeAsf(r.body) : undefined;
    expect(asf?.ok).toBe(true);
    const pong = asf?.ok ? decodePresencePong(asf.message) : undefined;
    expect(pong).toMatchObject({
      ok: true,
      messageTag: 0x33,
      pong: { iana: ASF_IANA, ipmiSupported: true, asfVersion: 1, securityExtensions: false },
    });
    const rec = bmc.records.find((x) => x.payload === "presence-ping");
    expect(rec).toMatchObject({ status: "ok", cc: null, peer: client.peer, user: null, privilege: "none" });
    expect([...rec!.frame!]).toEqual([...ping]);
    expect(rec!.response).toHaveLength(8 + 16);
    expect([...rec!.responseFrame!]).toEqual([...d]);
  });

  it("sends the RMCP ACK first when the ping's RMCP sequence number asks for one", async () => {
    await client.send(encodePresencePing(0x34, 0x07));
    const ack = await client.next();
    expect([...ack]).toEqual([0x06, 0x00, 0x07, 0x86]);
    const pong = await client.next();
    const r = decodeRmcp(pong);
    const asf = r.ok ? decodeAsf(r.body) : undefined;
    expect(asf?.ok && asf.message.messageTag).toBe(0x34);
  });
});

describe("IPMI 1.5", () => {
  it("answers Get Channel Authentication Capabilities outside a session", async () => {
    const r = parse15(await client.request(sessionless15(0x06, 0x38, [0x8e, 0x04])));
    expect(r.header).toMatchObject({ authType: 0, sessionId: 0, sequence: 0, authCode: undefined });
    expect(r.response.completionCode).toBe(0);
    expect([...r.response.data]).toEqual([0x01, 0x84, 0x04, 0x03, 0x00, 0x00, 0x00, 0x00]);
  });

  it("logs in with MD5, raises to administrator and gets the device ID; every reply authenticated and numbered", async () => {
    const s = await login15(client, "admin", PASSWORDS.admin, { setPrivilege: 4 });
    // Activate Session's reply carried INITIAL_OUTBOUND, Set Session Privilege's the next.
    expect(s.outbound).toBe(INITIAL_OUTBOUND + 2);
    const r = await s.request(client, 0x06, 0x01);
    expect(r.completionCode).toBe(0);
    expect([...r.data]).toEqual(DEVICE_ID_DATA);
    expect(s.outbound).toBe(INITIAL_OUTBOUND + 3);

    const session = bmc.table.get(s.sessionId)!;
    expect(session).toMatchObject({ userName: "admin", privilege: 4, maxPrivilege: 4, peer: client.peer });
    const rec = bmc.records.filter((x) => x.cmd === 0x01 && x.netFn === 0x06).at(-1);
    expect(rec).toMatchObject({
      status: "ok",
      user: "admin",
      privilege: "admin",
      sessionId: s.sessionId,
      peer: client.peer,
    });
    const activation = bmc.records.find((x) => x.cmd === 0x3a);
    expect(activation).toMatchObject({ status: "ok", user: "admin", privilege: "none" });
  });

  it("drops a replayed packet (same sequence number) and records why", async () => {
    const s = await login15(client, "admin", PASSWORDS.admin);
    const d = s.datagram(0x06, 0x01);
    expect(s.check(await client.request(d)).completionCode).toBe(0);
    const rec = await malformed(d);
    expect(rec.note).toMatch(/already received/);
    expect(rec).toMatchObject({
      sessionId: s.sessionId,
      user: "admin",
      peer: client.peer,
      netFn: 0x06,
      cmd: 0x01,
    });
    // Nothing was sent for it: the next datagram is the barrier's pong.
    expect(await client.barrier()).toEqual([]);
  });

  it("drops a packet whose AuthCode does not check out, and its sequence number stays unused", async () => {
    const s = await login15(client, "admin", PASSWORDS.admin);
    const seq = s.inbound;
    const d = s.datagram(0x06, 0x01);
    const forged = Uint8Array.from(d);
    forged[4 + 9] = forged[4 + 9]! ^ 0x01; // first AuthCode byte
    const rec = await malformed(forged);
    expect(rec.note).toMatch(/AuthCode does not check out/);
    expect(await client.barrier()).toEqual([]);
    // The genuine packet with the same number is still taken.
    expect(s.check(await client.request(s.datagram(0x06, 0x01, [], seq))).completionCode).toBe(0);
  });

  it("drops a packet of an unknown session", async () => {
    const d = encodeSession15Datagram(
      { authType: AUTH_TYPE.MD5, sequence: 5, sessionId: 0x0badf00d, password: "secret" },
      lanRequest(0x06, 0x01),
    );
    const rec = await malformed(d);
    expect(rec.note).toMatch(/no session with ID 0BADF00Dh/);
    expect(await client.barrier()).toEqual([]);
  });

  it("drops an activation made with the wrong password", async () => {
    const ch = getSessionChallenge.response.unpack(
      parse15(
        await client.request(
          sessionless15(
            0x06,
            0x39,
            getSessionChallenge.request.pack({ authType: 2, userName: padUserName("admin") }),
          ),
        ),
      ).response.data,
    );
    const activation = encodeSession15Datagram(
      { authType: AUTH_TYPE.MD5, sequence: 0, sessionId: ch.temporarySessionId, password: "not-secret" },
      lanRequest(0x06, 0x3a, [0x02, 0x04, ...ch.challenge, 1, 0, 0, 0]),
    );
    const rec = await malformed(activation);
    expect(rec.note).toMatch(/wrong password/);
    expect(rec.user).toBe("admin");
    expect(bmc.table.list()).toEqual([]);
  });

  it("answers D4h to Get Device ID outside a session", async () => {
    const r = parse15(await client.request(sessionless15(0x06, 0x01)));
    expect(r.response.completionCode).toBe(0xd4);
    expect(r.response.data).toHaveLength(0);
    const rec = bmc.records.at(-1);
    expect(rec).toMatchObject({
      status: "error",
      cc: 0xd4,
      privilege: "none",
      sessionId: null,
      handlerId: null,
    });
    expect(rec!.note).toMatch(/outside a session/);
  });

  it("answers D4h to Chassis Control from a USER session, and runs it at operator", async () => {
    const user = await login15(client, "user1", PASSWORDS.user1, { maxPrivilege: 2 });
    const refused = await user.request(client, 0x00, 0x02, [0x01]);
    expect(refused.completionCode).toBe(0xd4);
    expect(bmc.records.at(-1)).toMatchObject({ cc: 0xd4, user: "user1", privilege: "user" });

    const op = await login15(client, "op", PASSWORDS.op, { maxPrivilege: 3 });
    expect((await op.request(client, 0x00, 0x02, [0x01])).completionCode).toBe(0xd4); // still at USER
    const raised = await op.request(client, 0x06, 0x3b, [0x03]);
    expect([...raised.data]).toEqual([0x03]);
    expect((await op.request(client, 0x00, 0x02, [0x01])).completionCode).toBe(0);
  });

  it("closes its own session: the reply still comes sealed, then the session is gone", async () => {
    const s = await login15(client, "admin", PASSWORDS.admin);
    const id = [
      s.sessionId & 0xff,
      (s.sessionId >>> 8) & 0xff,
      (s.sessionId >>> 16) & 0xff,
      s.sessionId >>> 24,
    ];
    expect((await s.request(client, 0x06, 0x3c, id)).completionCode).toBe(0);
    expect(bmc.table.get(s.sessionId)).toBeUndefined();
    const rec = await malformed(s.datagram(0x06, 0x01));
    expect(rec.note).toMatch(/no session with ID/);
  });
});

describe("RMCP+", () => {
  it.each([17, 3])("logs in with cipher suite %i and gets the device ID encrypted", async (suite) => {
    const { c, s } = await rmcpPlus("admin", PASSWORDS.admin, suite);
    const d = await client.request(s.datagram(0x06, 0x01));
    const outer = decodeRmcpPlusDatagram(d, { authCodeLength: c.crypto.integrity.authCodeLength });
    expect(outer.ok && outer.message.header).toMatchObject({ encrypted: true, authenticated: true });
    const r = s.check(d);
    expect(r.completionCode).toBe(0);
    expect([...r.data]).toEqual(DEVICE_ID_DATA);

    const session = bmc.table.get(c.bmcSessionId)!;
    expect(session).toMatchObject({ userName: "admin", maxPrivilege: 4, privilege: 2, peer: client.peer });
    expect(session.protection).toMatchObject({
      kind: "rmcp+",
      cipherSuite: suite,
      consoleSessionId: c.consoleSessionId,
    });

    const byPayload = (p: string) => bmc.records.find((x) => x.payload === p);
    expect(byPayload("open-session")).toMatchObject({ cc: 0, status: "ok", user: null, peer: client.peer });
    expect(byPayload("rakp-1")).toMatchObject({ cc: 0, status: "ok", user: "admin", peer: client.peer });
    expect(byPayload("rakp-3")).toMatchObject({
      cc: 0,
      status: "ok",
      user: "admin",
      sessionId: c.bmcSessionId,
      privilege: "user",
    });
    expect(bmc.records.filter((x) => x.cmd === 0x01).at(-1)).toMatchObject({
      status: "ok",
      sessionId: c.bmcSessionId,
      user: "admin",
      privilege: "user",
    });
    // The record keeps the sealed datagram the bus sent, and the handshake's replies.
    expect([...bmc.records.filter((x) => x.cmd === 0x01).at(-1)!.responseFrame!]).toEqual([...d]);
    expect(byPayload("rakp-1")!.responseFrame).toBeInstanceOf(Uint8Array);
  });

  it("raises the privilege in the session and numbers replies from 1", async () => {
    const { s } = await rmcpPlus("admin", PASSWORDS.admin, 17);
    expect([...(await s.request(client, 0x06, 0x3b, [0x04])).data]).toEqual([0x04]);
    expect((await s.request(client, 0x00, 0x02, [0x01])).completionCode).toBe(0);
    expect(s.outbound).toBe(3);
  });

  it("drops a replayed or tampered RMCP+ packet", async () => {
    const { s } = await rmcpPlus("admin", PASSWORDS.admin, 17);
    const d = s.datagram(0x06, 0x01);
    expect(s.check(await client.request(d)).completionCode).toBe(0);
    expect((await malformed(d)).note).toMatch(/already received/);
    const tampered = s.datagram(0x06, 0x01);
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 0x80;
    expect((await malformed(tampered)).note).toMatch(/AuthCode does not match/);
    expect(await client.barrier()).toEqual([]);
  });

  it("answers D4h to Chassis Control from a USER-limited RMCP+ session", async () => {
    const { s } = await rmcpPlus("user1", PASSWORDS.user1, 17, 2);
    expect((await s.request(client, 0x00, 0x02, [0x01])).completionCode).toBe(0xd4);
  });

  it("refuses a wrong password at RAKP 3 (RAKP 4 0Fh), records it and opens nothing", async () => {
    const send = udpTransport(client);
    const open = openSessionResponse.unpack(
      (await send(
        PAYLOAD_TYPE.OPEN_SESSION_REQUEST,
        openSessionRequest.pack({
          tag: 1,
          maxPrivilege: 0,
          consoleSessionId: 0x1111,
          authentication: { algorithm: 3 },
          integrity: { algorithm: 4 },
          confidentiality: { algorithm: 1 },
        }),
      ))!,
    );
    const bmcSessionId = open.session!.bmcSessionId;
    const consoleRandom = new Uint8Array(16).fill(9);
    const userName = new TextEncoder().encode("admin");
    const r2 = rakp2.unpack(
      (await send(
        PAYLOAD_TYPE.RAKP_1,
        rakp1.pack({ tag: 2, bmcSessionId, consoleRandom, role: 4, userName }),
      ))!,
    );
    const x: RakpExchange = {
      consoleSessionId: 0x1111,
      bmcSessionId,
      consoleRandom,
      bmcRandom: r2.keyExchange!.bmcRandom,
      bmcGuid: r2.keyExchange!.bmcGuid,
      role: 4,
      userName,
    };
    const authCode = rakp3AuthCode(RAKP_HMAC_SHA256, userKey("guess"), x);
    const r4 = rakp4.unpack(
      (await send(PAYLOAD_TYPE.RAKP_3, rakp3.pack({ tag: 3, status: 0, bmcSessionId, authCode })))!,
    );
    expect(r4.status).toBe(0x0f);
    expect(bmc.table.list()).toEqual([]);
    expect(bmc.records.find((x) => x.payload === "rakp-3")).toMatchObject({
      cc: 0x0f,
      status: "error",
      user: "admin",
    });
  });

  it("records a login abandoned after RAKP 2 once its handshake expires", async () => {
    const send = udpTransport(client);
    const open = openSessionResponse.unpack(
      (await send(
        PAYLOAD_TYPE.OPEN_SESSION_REQUEST,
        openSessionRequest.pack({
          tag: 1,
          maxPrivilege: 0,
          consoleSessionId: 0x4444,
          authentication: { algorithm: 3 },
          integrity: { algorithm: 4 },
          confidentiality: { algorithm: 1 },
        }),
      ))!,
    );
    const bmcSessionId = open.session!.bmcSessionId;
    const m1 = rakp1.pack({
      tag: 2,
      bmcSessionId,
      consoleRandom: new Uint8Array(16),
      role: 3,
      userName: new TextEncoder().encode("op"),
    });
    expect(rakp2.unpack((await send(PAYLOAD_TYPE.RAKP_1, m1))!).status).toBe(0);
    // The console found RAKP 2's code wrong and said nothing; 30 s later the BMC gives up.
    bmc.clock.t += 30_001;
    const rec = await bmc.nextRecord((x) => /abandoned/.test(x.note ?? ""), 3000);
    expect(rec).toMatchObject({
      payload: "rakp-3",
      status: "dropped",
      user: "op",
      sessionId: bmcSessionId,
      peer: client.peer,
    });
    expect(bmc.login.pendingHandshakes).toBe(0);
  });

  it("answers Open Session with 04h for suite 0 and records the refusal", async () => {
    const d = await client.request(
      setupDatagram(
        PAYLOAD_TYPE.OPEN_SESSION_REQUEST,
        openSessionRequest.pack({
          tag: 9,
          maxPrivilege: 4,
          consoleSessionId: 0x2222,
          authentication: { algorithm: 0 },
          integrity: { algorithm: 0 },
          confidentiality: { algorithm: 0 },
        }),
      ),
    );
    const m = decodeRmcpPlusDatagram(d);
    expect(m.ok && openSessionResponse.unpack(m.message.payload)).toMatchObject({ tag: 9, status: 0x04 });
    expect(bmc.records.at(-1)).toMatchObject({ payload: "open-session", cc: 0x04, status: "error" });
  });

  it("locks an address out after repeated failed logins: Open Session answers 01h", async () => {
    await client.close();
    await bmc.stop();
    bmc = await startLanBmc({ logins: { maxFailures: 2, windowMs: 60_000, lockoutMs: 60_000 } });
    client = await UdpClient.open(bmc.port);
    const send = udpTransport(client);
    for (let i = 0; i < 2; i++) {
      await expect(rmcpPlusLogin(send, { user: "nobody", password: "x", suite: 17 })).rejects.toThrow(
        /RAKP 2 status 13/,
      );
    }
    const refused = openSessionResponse.unpack(
      (await send(
        PAYLOAD_TYPE.OPEN_SESSION_REQUEST,
        openSessionRequest.pack({
          tag: 5,
          maxPrivilege: 0,
          consoleSessionId: 0x3333,
          authentication: { algorithm: 3 },
          integrity: { algorithm: 4 },
          confidentiality: { algorithm: 1 },
        }),
      ))!,
    );
    expect(refused).toMatchObject({ tag: 5, status: 0x01, consoleSessionId: 0x3333 });
    expect(bmc.records.at(-1)!.note).toMatch(/locked out/);
  });

  it("answers a sessionless RMCP+ Get Device ID with D4h, unprotected", async () => {
    const d = await client.request(
      encodeRmcpPlusDatagram(
        { payloadType: PAYLOAD_TYPE.IPMI, encrypted: false, authenticated: false, sessionId: 0, sequence: 0 },
        lanRequest(0x06, 0x01),
      ),
    );
    const m = decodeRmcpPlusDatagram(d);
    expect(m.ok && m.message.header).toMatchObject({ payloadType: 0, sessionId: 0, encrypted: false });
    expect(m.ok && m.message.payload[6]).toBe(0xd4);
  });
});

describe("garbage", () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ["random bytes", Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03), /RMCP version DEh/],
    ["an empty datagram", new Uint8Array(0), /RMCP header needs 4 bytes/],
    ["a truncated RMCP header", Uint8Array.of(0x06, 0x00, 0xff), /RMCP header needs 4 bytes/],
    [
      "a wrong RMCP version",
      Uint8Array.of(0x07, 0x00, 0xff, 0x07, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0),
      /RMCP version 07h/,
    ],
    ["a reserved RMCP class", Uint8Array.of(0x06, 0x00, 0xff, 0x0a), /reserved/],
    ["the OEM class", Uint8Array.of(0x06, 0x00, 0xff, 0x08, 1, 2, 3), /OEM/],
    ["a truncated IPMI 1.5 header", Uint8Array.of(0x06, 0x00, 0xff, 0x07, 0x00, 0x00), /IPMI 1\.5/],
    ["a truncated RMCP+ header", Uint8Array.of(0x06, 0x00, 0xff, 0x07, 0x06, 0x10, 0, 0), /RMCP\+/],
    [
      "an ASF message that is not a ping",
      encodeRmcp(rmcpHeaderFor(RMCP_CLASS.ASF), [0, 0, 0x11, 0xbe, 0x81, 1, 0, 0]),
      /only Presence Ping/,
    ],
    [
      "an RMCP+ SOL payload outside a session",
      setupDatagram(PAYLOAD_TYPE.SOL, Uint8Array.of(1, 2, 3)),
      /outside a session/,
    ],
  ];

  it.each(cases)("records %s as malformed and keeps answering pings", async (_, datagram, reason) => {
    const rec = await malformed(datagram);
    expect(rec.note).toMatch(reason);
    expect(rec).toMatchObject({ peer: client.peer, privilege: "none", cc: null, response: null });
    expect([...rec.frame!]).toEqual([...datagram]);
    expect(await client.barrier(0x77)).toEqual([]);
  });

  it("survives a burst of garbage and still logs in", async () => {
    for (let i = 0; i < 50; i++)
      await client.send(Uint8Array.from({ length: i }, (_, k) => (k * 37 + i) & 0xff));
    expect(await client.barrier()).toEqual([]);
    const s = await login15(client, "admin", PASSWORDS.admin);
    expect((await s.request(client, 0x06, 0x01)).completionCode).toBe(0);
    expect(bmc.records.some((x) => x.note?.startsWith("internal error"))).toBe(false);
  });
});
