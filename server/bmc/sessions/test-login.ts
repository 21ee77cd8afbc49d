/**
 * Test-only fakes of what LanLogin needs (LoginUsers, LoginPolicy), a LanLogin built on
 * them, and an RMCP+ console that runs the Open Session / RAKP handshake as a client would,
 * over whatever transport the test gives it (direct calls or UDP).
 */
import { randomBytes } from "node:crypto";
import { AUTH_TYPE } from "../../ipmi/lan/auth15";
import { type CipherSuite, cipherSuite } from "../../ipmi/lan/cipher-suites";
import { type SessionCrypto, sessionCrypto } from "../../ipmi/lan/crypto";
import {
  codesMatch,
  openSessionRequest,
  openSessionResponse,
  type RakpAlgorithm,
  type RakpExchange,
  rakp1,
  rakp2,
  rakp2AuthCode,
  rakp3,
  rakp3AuthCode,
  rakp4,
  rakp4IntegrityCheckValue,
  rakpAlgorithm,
  roleByte,
  sessionIntegrityKey,
  userKey,
} from "../../ipmi/lan/rakp";
import { PAYLOAD_TYPE } from "../../ipmi/lan/rmcp-plus";
import { LanLogin, type LoginPolicy, type LoginUser, type LoginUsers } from "./lan-login";
import { SessionTable, type SessionTableOptions } from "./session-table";

export interface FakeUser extends LoginUser {
  enabled: boolean;
  password: Uint8Array | null;
  /** Privilege limit on the LAN channel (table 6-1 number); 0: no access. */
  limit: number;
  ipmiMessaging: boolean;
}

export const PASSWORDS = {
  admin: "secret",
  op: "op-pass",
  user1: "user1-pass",
  gone: "gone-pass",
  /** 20 bytes: usable by RMCP+ only. */
  long: "abcdefghij0123456789",
} as const;

const enc = (s: string) => new TextEncoder().encode(s);

export function fakeUserList(): FakeUser[] {
  return [
    // User 1: the null user, no password, disabled by policy (null users off).
    { id: 1, name: "", enabled: true, password: null, limit: 4, ipmiMessaging: true },
    { id: 2, name: "admin", enabled: true, password: enc(PASSWORDS.admin), limit: 4, ipmiMessaging: true },
    { id: 3, name: "op", enabled: true, password: enc(PASSWORDS.op), limit: 3, ipmiMessaging: true },
    { id: 4, name: "user1", enabled: true, password: enc(PASSWORDS.user1), limit: 2, ipmiMessaging: true },
    { id: 5, name: "gone", enabled: false, password: enc(PASSWORDS.gone), limit: 4, ipmiMessaging: true },
    { id: 6, name: "long", enabled: true, password: enc(PASSWORDS.long), limit: 4, ipmiMessaging: true },
  ];
}

/** Users as users.ts keeps them: passwords padded, never truncated. */
export class FakeUsers implements LoginUsers<FakeUser> {
  constructor(readonly users: FakeUser[] = fakeUserList()) {}

  byName(name: string): FakeUser | undefined {
    return this.users.find((u) => u.name === name);
  }

  passwordKey(user: FakeUser, length: 16 | 20): Uint8Array {
    const out = new Uint8Array(length);
    if (user.password === null) return out;
    // users.ts throws too: a 20-byte password is never cut to 16.
    if (user.password.length > length)
      throw new RangeError(`user ${user.id}'s password does not fit in ${length} bytes`);
    out.set(user.password);
    return out;
  }

  hasPassword(user: FakeUser): boolean {
    return user.password?.some((b) => b !== 0) ?? false;
  }

  fitsIn16(user: FakeUser): boolean {
    return user.password === null || user.password.length <= 16;
  }

  channelAccess(user: FakeUser, channel: number): { privilegeLimit: number; ipmiMessaging: boolean } {
    if (channel !== 1) return { privilegeLimit: 0x0f, ipmiMessaging: false };
    return { privilegeLimit: user.limit, ipmiMessaging: user.ipmiMessaging };
  }
}

/** MD5 at every level, suites 3 and 17, channel limit administrator, no null user. */
export class FakePolicy implements LoginPolicy {
  channelLimit = 4;
  /** Authentication types enabled, per privilege level 1-4. */
  authTypes: Record<number, number[]> = {
    1: [AUTH_TYPE.MD5],
    2: [AUTH_TYPE.MD5],
    3: [AUTH_TYPE.MD5],
    4: [AUTH_TYPE.MD5],
  };
  suites: number[] = [3, 17];
  /** Highest privilege per suite; absent: administrator. */
  suitePrivilege = new Map<number, number>();
  nullUsers = false;
  anonymous = false;
  userLevel = true;

  channelPrivilegeLimit(channel: number): number {
    return channel === 1 ? this.channelLimit : 0;
  }
  authTypeEnabled(privilege: number, authType: number): boolean {
    return this.authTypes[privilege]?.includes(authType) ?? false;
  }
  enabledCipherSuites(): readonly number[] {
    return this.suites;
  }
  cipherSuitePrivilege(id: number): number {
    return this.suitePrivilege.get(id) ?? 4;
  }
  nullUserAllowed(): boolean {
    return this.nullUsers;
  }
  anonymousAllowed(): boolean {
    return this.anonymous;
  }
  userLevelAuth(): boolean {
    return this.userLevel;
  }
}

export const TEST_GUID = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);

export interface TestLogin {
  login: LanLogin;
  table: SessionTable;
  users: FakeUsers;
  policy: FakePolicy;
  clock: { t: number; now: () => number };
}

export function testLogin(options: { table?: SessionTableOptions; policy?: FakePolicy } = {}): TestLogin {
  const clock = { t: 1_000_000, now: () => clock.t };
  const table = new SessionTable({ now: clock.now, ...options.table });
  const users = new FakeUsers();
  const policy = options.policy ?? new FakePolicy();
  const login = new LanLogin({ table, users, policy, guid: () => TEST_GUID, now: clock.now });
  return { login, table, users, policy, clock };
}

// ---- an RMCP+ console ------------------------------------------------------------------------

/** Sends one set-up payload (type 10h, 12h, 14h) and resolves with the answer's payload; null: no answer. */
export type SetupTransport = (payloadType: number, payload: Uint8Array) => Promise<Uint8Array | null>;

export interface RmcpPlusLoginOptions {
  user: string;
  password: string;
  suite: number;
  /** RAKP 1 privilege level; 4 by default. */
  role?: number;
  /** Open Session requested maximum privilege; 0 (the highest the suite allows) by default. */
  requested?: number;
  consoleSessionId?: number;
}

export interface RmcpPlusSession {
  bmcSessionId: number;
  consoleSessionId: number;
  suite: CipherSuite;
  alg: RakpAlgorithm;
  crypto: SessionCrypto;
  x: RakpExchange;
  grantedPrivilege: number;
}

/** Fails the test with a message when `ok` is false (no expect here: the helpers are shared). */
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`RMCP+ console: ${what}`);
}

/**
 * The whole RMCP+ login as a console runs it: Open Session, RAKP 1, checks RAKP 2's code
 * with the password, RAKP 3, checks RAKP 4's integrity check value with the SIK.
 */
export async function rmcpPlusLogin(send: SetupTransport, o: RmcpPlusLoginOptions): Promise<RmcpPlusSession> {
  const suite = cipherSuite(o.suite);
  check(suite !== undefined, `no cipher suite ${o.suite}`);
  const alg = rakpAlgorithm(suite!.authentication)!;
  const consoleSessionId = o.consoleSessionId ?? 0xc0ffee00 + (randomBytes(1)[0]! | 1);
  const open = await send(
    PAYLOAD_TYPE.OPEN_SESSION_REQUEST,
    openSessionRequest.pack({
      tag: 0x21,
      maxPrivilege: o.requested ?? 0,
      consoleSessionId,
      authentication: { algorithm: suite!.authentication },
      integrity: { algorithm: suite!.integrity },
      confidentiality: { algorithm: suite!.confidentiality },
    }),
  );
  check(open !== null, "no Open Session Response");
  const opened = openSessionResponse.unpack(open!);
  check(opened.status === 0, `Open Session Response status ${opened.status}`);
  check(
    opened.tag === 0x21 && opened.consoleSessionId === consoleSessionId,
    "Open Session Response tag or ID",
  );
  const bmcSessionId = opened.session!.bmcSessionId;

  const role = roleByte(o.role ?? 4, false);
  const userName = new TextEncoder().encode(o.user);
  const consoleRandom = new Uint8Array(randomBytes(16));
  const m2 = await send(
    PAYLOAD_TYPE.RAKP_1,
    rakp1.pack({ tag: 0x22, bmcSessionId, consoleRandom, role, userName }),
  );
  check(m2 !== null, "no RAKP 2");
  const r2 = rakp2.unpack(m2!);
  check(r2.status === 0, `RAKP 2 status ${r2.status}`);
  const x: RakpExchange = {
    consoleSessionId,
    bmcSessionId,
    consoleRandom,
    bmcRandom: r2.keyExchange!.bmcRandom,
    bmcGuid: r2.keyExchange!.bmcGuid,
    role,
    userName,
  };
  const kuid = userKey(o.password);
  check(codesMatch(r2.keyExchange!.authCode, rakp2AuthCode(alg, kuid, x)), "RAKP 2 code does not check out");

  const m4 = await send(
    PAYLOAD_TYPE.RAKP_3,
    rakp3.pack({ tag: 0x23, status: 0, bmcSessionId, authCode: rakp3AuthCode(alg, kuid, x) }),
  );
  check(m4 !== null, "no RAKP 4");
  const r4 = rakp4.unpack(m4!);
  check(r4.status === 0, `RAKP 4 status ${r4.status}`);
  check(r4.consoleSessionId === consoleSessionId, "RAKP 4 console session ID");
  const sik = sessionIntegrityKey(alg, kuid, x);
  check(
    codesMatch(r4.integrityCheckValue, rakp4IntegrityCheckValue(alg, sik, x)),
    "RAKP 4 ICV does not check out",
  );
  return {
    bmcSessionId,
    consoleSessionId,
    suite: suite!,
    alg,
    crypto: sessionCrypto(alg, suite!.integrity, suite!.confidentiality, sik),
    x,
    grantedPrivilege: opened.maxPrivilege,
  };
}

/** A transport that calls LanLogin directly, as the LAN bus would for `peer`. */
export function directTransport(login: LanLogin, peer: string): SetupTransport {
  return async (type, payload) => {
    const reply =
      type === PAYLOAD_TYPE.OPEN_SESSION_REQUEST
        ? login.openSession(payload, peer)
        : type === PAYLOAD_TYPE.RAKP_1
          ? login.rakp1(payload, peer)
          : login.rakp3(payload, peer);
    return reply.response;
  };
}
