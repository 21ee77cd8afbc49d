/**
 * Test-only: a BMC with a real LanBus on 127.0.0.1 (a real Router, the session handlers,
 * Get Device ID and Chassis Control, LanLogin on the fakes of sessions/test-login.ts) and a
 * tiny UDP console that speaks through the pure encoders.
 */
import { createSocket, type Socket } from "node:dgram";
import { expect } from "vitest";
import { sessionHandlers } from "../../bmc/handlers/session";
import type { LanLogin } from "../../bmc/sessions/lan-login";
import type { SessionTable, SessionTableOptions } from "../../bmc/sessions/session-table";
import { type FakePolicy, type FakeUsers, testLogin } from "../../bmc/sessions/test-login";
import type { Exchange } from "../../contract/exchange";
import { activateSession, getDeviceId, getSessionChallenge } from "../../ipmi/commands/app";
import { chassisControl } from "../../ipmi/commands/chassis";
import { AUTH_TYPE, checkAuthCode15, padUserName } from "../../ipmi/lan/auth15";
import { openRmcpPlus, type SessionCrypto, sealRmcpPlus } from "../../ipmi/lan/crypto";
import {
  decodeAsf,
  decodePresencePong,
  decodeRmcp,
  encodePresencePing,
  encodeRmcp,
  RMCP_CLASS,
  rmcpHeaderFor,
} from "../../ipmi/lan/rmcp";
import { decodeRmcpPlusDatagram, encodeRmcpPlusDatagram, PAYLOAD_TYPE } from "../../ipmi/lan/rmcp-plus";
import {
  decodeLanMessage,
  decodeSession15,
  encodeLanRequest,
  encodeSession15Datagram,
  type LanResponse,
  type Session15Header,
} from "../../ipmi/lan/session15";
import { handlerFor } from "../../router/handler";
import { Router } from "../../router/router";
import { LanBus, type LanBusOptions } from "./lan-bus";

/** Get Device ID data the test handler answers (after the completion code). */
export const DEVICE_ID_DATA = [0x20, 0x81, 0x01, 0x23, 0x51, 0x8f, 0x57, 0x01, 0x00, 0x34, 0x12];

export interface LanBmc {
  router: Router;
  bus: LanBus;
  login: LanLogin;
  table: SessionTable;
  users: FakeUsers;
  policy: FakePolicy;
  /** The clock LanLogin and the session table use (ms); tests move it by hand. */
  clock: { t: number; now: () => number };
  /** Every exchange the router recorded, in order. */
  records: Exchange[];
  port: number;
  /** Resolves with the first record from now on that satisfies `accept`. */
  nextRecord(accept: (x: Exchange) => boolean, timeoutMs?: number): Promise<Exchange>;
  stop(): Promise<void>;
}

export async function startLanBmc(
  o: {
    table?: SessionTableOptions;
    rate?: LanBusOptions["rate"];
    logins?: LanBusOptions["logins"];
    policy?: FakePolicy;
  } = {},
): Promise<LanBmc> {
  const { login, table, users, policy, clock } = testLogin({
    ...(o.table ? { table: o.table } : {}),
    ...(o.policy ? { policy: o.policy } : {}),
  });
  const router = new Router();
  for (const h of sessionHandlers(login)) router.registry.register(h);
  router.registry.register(
    handlerFor(getDeviceId, {
      handle: () => ({
        deviceId: 0x20,
        revision: { revision: 1, providesSdrs: true },
        firmware: { major: 1, minor: 23, updateInProgress: false },
        ipmiVersion: 0x51,
        support: 0x8f,
        manufacturerId: { id: 0x157 },
        productId: 0x1234,
        auxFirmwareRevision: undefined,
      }),
    }),
  );
  router.registry.register(handlerFor(chassisControl, { handle: () => undefined }));
  const bus = new LanBus({
    host: "127.0.0.1",
    port: 0,
    login,
    ...(o.rate ? { rate: o.rate } : {}),
    ...(o.logins ? { logins: o.logins } : {}),
  });
  router.addBus(bus);
  const records: Exchange[] = [];
  const waiters = new Set<{ accept: (x: Exchange) => boolean; resolve: (x: Exchange) => void }>();
  router.onExchange((x) => {
    records.push(x);
    for (const w of [...waiters]) {
      if (w.accept(x)) {
        waiters.delete(w);
        w.resolve(x);
      }
    }
  });
  await bus.start();
  const port = bus.address!.port;
  return {
    router,
    bus,
    login,
    table,
    users,
    policy,
    clock,
    records,
    port,
    nextRecord(accept, timeoutMs = 2000) {
      return new Promise((resolve, reject) => {
        const w = {
          accept,
          resolve: (x: Exchange) => {
            clearTimeout(timer);
            resolve(x);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`no matching record within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(w);
      });
    },
    stop: () => bus.stop(),
  };
}

// ---- a UDP console ---------------------------------------------------------------------------

export class UdpClient {
  private readonly inbox: Uint8Array[] = [];
  private readonly waiters: { resolve: (d: Uint8Array) => void }[] = [];

  private constructor(
    readonly socket: Socket,
    readonly target: number,
  ) {
    socket.on("message", (msg) => {
      const d = new Uint8Array(msg);
      const w = this.waiters.shift();
      if (w) w.resolve(d);
      else this.inbox.push(d);
    });
  }

  static async open(target: number): Promise<UdpClient> {
    const socket = createSocket("udp4");
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
    return new UdpClient(socket, target);
  }

  /** How the BMC sees this client: "127.0.0.1:port". */
  get peer(): string {
    return `127.0.0.1:${this.socket.address().port}`;
  }

  /** Resolves once the datagram left (it is then in the BMC's receive queue: loopback). */
  send(datagram: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.send(datagram, this.target, "127.0.0.1", (err) => (err ? reject(err) : resolve())),
    );
  }

  /** The next datagram that arrives (or already arrived), in order. */
  next(timeoutMs = 2000): Promise<Uint8Array> {
    const ready = this.inbox.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const w = {
        resolve: (d: Uint8Array) => {
          clearTimeout(timer);
          resolve(d);
        },
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(w);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`no datagram within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  async request(datagram: Uint8Array, timeoutMs = 2000): Promise<Uint8Array> {
    await this.send(datagram);
    return this.next(timeoutMs);
  }

  /** Datagrams received and not yet taken. */
  takeAll(): Uint8Array[] {
    return this.inbox.splice(0);
  }

  /**
   * Sends a presence ping and resolves with what came before its pong: everything the BMC
   * sent this client for the datagrams it sent earlier (the BMC answers in order).
   */
  async barrier(tag = 0x5a, timeoutMs = 2000): Promise<Uint8Array[]> {
    await this.send(encodePresencePing(tag));
    const before: Uint8Array[] = [];
    for (;;) {
      const d = await this.next(timeoutMs);
      if (pongTag(d) === tag) return before;
      before.push(d);
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** The message tag of a presence pong datagram, or undefined for anything else. */
export function pongTag(d: Uint8Array): number | undefined {
  const r = decodeRmcp(d);
  if (!r.ok || r.header.messageClass !== RMCP_CLASS.ASF) return undefined;
  const asf = decodeAsf(r.body);
  if (!asf.ok) return undefined;
  const pong = decodePresencePong(asf.message);
  return pong.ok ? pong.messageTag : undefined;
}

// ---- IPMI messages ---------------------------------------------------------------------------

let rqSeq = 1;

/** A request message from remote console software 81h to the BMC (20h). */
export function lanRequest(
  netFn: number,
  cmd: number,
  data: readonly number[] | Uint8Array = [],
): Uint8Array {
  rqSeq = (rqSeq + 1) & 0x3f;
  return encodeLanRequest({
    rsAddr: 0x20,
    netFn,
    rsLun: 0,
    rqAddr: 0x81,
    rqSeq,
    rqLun: 0,
    cmd,
    data: Uint8Array.from(data),
  });
}

export interface Reply15 {
  header: Session15Header;
  messageBytes: Uint8Array;
  response: LanResponse;
}

/** An IPMI 1.5 datagram from the BMC; fails the test when it is anything else. */
export function parse15(datagram: Uint8Array): Reply15 {
  const r = decodeRmcp(datagram);
  expect(r.ok, "RMCP header").toBe(true);
  if (!r.ok) throw new Error(r.reason);
  expect(r.header.messageClass).toBe(RMCP_CLASS.IPMI);
  const p = decodeSession15(r.body);
  if (!p.ok) throw new Error(`not an IPMI 1.5 packet: ${p.reason}`);
  if (p.message.kind !== "response") throw new Error("the BMC sent a request");
  return { header: p.header, messageBytes: p.messageBytes, response: p.message };
}

/** A sessionless IPMI 1.5 datagram. */
export function sessionless15(
  netFn: number,
  cmd: number,
  data: readonly number[] | Uint8Array = [],
): Uint8Array {
  return encodeSession15Datagram(
    { authType: AUTH_TYPE.NONE, sequence: 0, sessionId: 0 },
    lanRequest(netFn, cmd, data),
  );
}

/** An IPMI 1.5 console's session (MD5), numbering its messages and checking the BMC's. */
export class Session15 {
  constructor(
    readonly sessionId: number,
    readonly password: string,
    /** The next sequence number the console sends. */
    public inbound: number,
    /** The sequence number the BMC's next message must carry. */
    public outbound: number,
    readonly maxPrivilege: number,
  ) {}

  /** The datagram of a request in the session, numbered (and the number used up). */
  datagram(
    netFn: number,
    cmd: number,
    data: readonly number[] | Uint8Array = [],
    sequence?: number,
  ): Uint8Array {
    const seq = sequence ?? this.inbound;
    if (sequence === undefined) this.inbound = (this.inbound + 1) >>> 0 || 1;
    return encodeSession15Datagram(
      { authType: AUTH_TYPE.MD5, sequence: seq, sessionId: this.sessionId, password: this.password },
      lanRequest(netFn, cmd, data),
    );
  }

  /** Checks a reply's session header (ID, next outbound number, MD5 AuthCode) and returns its response. */
  check(datagram: Uint8Array): LanResponse {
    const r = parse15(datagram);
    expect(r.header.authType).toBe(AUTH_TYPE.MD5);
    expect(r.header.sessionId).toBe(this.sessionId);
    expect(r.header.sequence).toBe(this.outbound);
    const authentic = checkAuthCode15(
      AUTH_TYPE.MD5,
      {
        password: this.password,
        sessionId: this.sessionId,
        sequence: r.header.sequence,
        message: r.messageBytes,
      },
      r.header.authCode,
    );
    expect(authentic, "the BMC's AuthCode checks out with the password").toBe(true);
    this.outbound = (this.outbound + 1) >>> 0;
    return r.response;
  }

  async request(
    client: UdpClient,
    netFn: number,
    cmd: number,
    data: readonly number[] | Uint8Array = [],
  ): Promise<LanResponse> {
    return this.check(await client.request(this.datagram(netFn, cmd, data)));
  }
}

export const INITIAL_OUTBOUND = 0x4000_0000;

/**
 * The IPMI 1.5 MD5 login: Get Session Challenge, Activate Session (its reply checked under the
 * temporary ID, numbered with the initial outbound sequence number), and optionally Set Session
 * Privilege Level. Fails the test on any deviation.
 */
export async function login15(
  client: UdpClient,
  user: string,
  password: string,
  o: { maxPrivilege?: number; setPrivilege?: number; initialOutbound?: number } = {},
): Promise<Session15> {
  const challengeReply = parse15(
    await client.request(
      sessionless15(
        0x06,
        0x39,
        getSessionChallenge.request.pack({ authType: AUTH_TYPE.MD5, userName: padUserName(user) }),
      ),
    ),
  );
  expect(challengeReply.header).toMatchObject({ authType: 0, sessionId: 0, sequence: 0 });
  expect(challengeReply.response.completionCode).toBe(0);
  const ch = getSessionChallenge.response.unpack(challengeReply.response.data);

  const maxPrivilege = o.maxPrivilege ?? 4;
  const initialOutbound = o.initialOutbound ?? INITIAL_OUTBOUND;
  const activation = encodeSession15Datagram(
    { authType: AUTH_TYPE.MD5, sequence: 0, sessionId: ch.temporarySessionId, password },
    lanRequest(
      0x06,
      0x3a,
      activateSession.request.pack({
        authType: AUTH_TYPE.MD5,
        maxPrivilege,
        challenge: ch.challenge,
        initialOutboundSequence: initialOutbound,
      }),
    ),
  );
  // The reply comes under the temporary ID, numbered with the console's initial outbound number.
  const temp = new Session15(ch.temporarySessionId, password, 0, initialOutbound, maxPrivilege);
  const activated = temp.check(await client.request(activation));
  expect(activated.completionCode).toBe(0);
  const a = activateSession.response.unpack(activated.data);
  expect(a.authType).toBe(AUTH_TYPE.MD5);
  expect(a.maxPrivilege).toBe(maxPrivilege);
  const s = new Session15(a.sessionId, password, a.initialInboundSequence, temp.outbound, maxPrivilege);
  if (o.setPrivilege !== undefined) {
    const r = await s.request(client, 0x06, 0x3b, [o.setPrivilege]);
    expect(r.completionCode).toBe(0);
    expect([...r.data]).toEqual([o.setPrivilege]);
  }
  return s;
}

// ---- RMCP+ ------------------------------------------------------------------------------------

const RESPONSE_TYPE: Record<number, number> = {
  [PAYLOAD_TYPE.OPEN_SESSION_REQUEST]: PAYLOAD_TYPE.OPEN_SESSION_RESPONSE,
  [PAYLOAD_TYPE.RAKP_1]: PAYLOAD_TYPE.RAKP_2,
  [PAYLOAD_TYPE.RAKP_3]: PAYLOAD_TYPE.RAKP_4,
};

/** A session set-up datagram (session ID 0, unauthenticated). */
export function setupDatagram(payloadType: number, payload: Uint8Array): Uint8Array {
  return encodeRmcpPlusDatagram(
    { payloadType, encrypted: false, authenticated: false, sessionId: 0, sequence: 0 },
    payload,
  );
}

/** The set-up transport over UDP: each answer checked to be the right payload type outside a session. */
export function udpTransport(client: UdpClient) {
  return async (payloadType: number, payload: Uint8Array): Promise<Uint8Array | null> => {
    const d = await client.request(setupDatagram(payloadType, payload));
    const m = decodeRmcpPlusDatagram(d);
    if (!m.ok) throw new Error(`not an RMCP+ message: ${m.reason}`);
    expect(m.message.header).toMatchObject({
      payloadType: RESPONSE_TYPE[payloadType],
      sessionId: 0,
      sequence: 0,
      authenticated: false,
      encrypted: false,
    });
    return Uint8Array.from(m.message.payload);
  };
}

/** An RMCP+ console's session after the handshake. */
export class SessionPlus {
  /** The next sequence number the console sends. */
  inbound = 1;
  /** The number the BMC's next message must carry. */
  outbound = 1;

  constructor(
    readonly bmcSessionId: number,
    readonly consoleSessionId: number,
    readonly crypto: SessionCrypto,
  ) {}

  datagram(
    netFn: number,
    cmd: number,
    data: readonly number[] | Uint8Array = [],
    sequence?: number,
  ): Uint8Array {
    const seq = sequence ?? this.inbound++;
    return encodeRmcp(
      rmcpHeaderFor(RMCP_CLASS.IPMI),
      sealRmcpPlus(
        this.crypto,
        { payloadType: PAYLOAD_TYPE.IPMI, sessionId: this.bmcSessionId, sequence: seq },
        lanRequest(netFn, cmd, data),
      ),
    );
  }

  /** Opens the BMC's reply with the session's keys and checks its header. */
  check(datagram: Uint8Array): LanResponse {
    const r = decodeRmcp(datagram);
    if (!r.ok) throw new Error(r.reason);
    const opened = openRmcpPlus(this.crypto, r.body);
    if (!opened.ok) throw new Error(`the BMC's reply does not open: ${opened.reason}`);
    expect(opened.header.payloadType).toBe(PAYLOAD_TYPE.IPMI);
    expect(opened.header.sessionId).toBe(this.consoleSessionId);
    expect(opened.header.sequence).toBe(this.outbound);
    this.outbound++;
    const m = decodeLanMessage(opened.payload);
    if (!m.ok || m.message.kind !== "response") throw new Error("the reply is not an IPMI response");
    return m.message;
  }

  async request(
    client: UdpClient,
    netFn: number,
    cmd: number,
    data: readonly number[] | Uint8Array = [],
  ): Promise<LanResponse> {
    return this.check(await client.request(this.datagram(netFn, cmd, data)));
  }
}
