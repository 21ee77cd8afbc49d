/**
 * How a remote console gets a session on the LAN channel, and the session commands:
 *
 * - IPMI 1.5 (22.13, 22.16-22.17): Get Channel Authentication Capabilities, Get Session
 *   Challenge, Activate Session. These are IPMI messages, so they are routed like any other
 *   and answered by handlers that call this class (handlers/session.ts); the LAN bus checks
 *   the Activate Session AuthCode with `pendingChallenge` before routing it.
 * - RMCP+ (13.17-13.23): Open Session and RAKP 1-4 are payloads of their own, which the
 *   LAN bus hands to `openSession`, `rakp1`, `rakp3` and records with the status sent.
 * - Both: Get Channel Cipher Suites (22.15), Set Session Privilege Level, Close Session,
 *   Get Session Info (22.18-22.20).
 *
 * No I/O: the bus owns the socket, this class owns who may log in and at which level.
 */
import { CC } from "../../ipmi/completion-codes";
import { hexByte } from "../../ipmi/hex";
import { IpmiError } from "../../ipmi/ipmi-error";
import {
  ACTIVATE_SESSION_CC,
  AUTH_TYPE,
  GET_SESSION_CHALLENGE_CC,
  InboundSequenceWindow,
  PendingChallenges,
  type RandomSource,
  randomNonZero32,
  readLe32,
  userNameOf,
} from "../../ipmi/lan/auth15";
import {
  CIPHER_SUITES,
  type CipherSuite,
  cipherSuiteLabel,
  cipherSuitePage,
  cipherSuiteRecordData,
  isImplemented,
  recordOf,
  supportedAlgorithmsData,
} from "../../ipmi/lan/cipher-suites";
import { sessionCrypto } from "../../ipmi/lan/crypto";
import {
  checkOpenSessionRequest,
  codesMatch,
  openSessionRequest,
  openSessionResponse,
  type RakpAlgorithm,
  type RakpExchange,
  RMCP_PLUS_STATUS,
  RMCP_PLUS_STATUS_CODES,
  rakp1 as rakp1Layout,
  rakp2AuthCode,
  rakp2 as rakp2Layout,
  rakp3AuthCode,
  rakp3 as rakp3Layout,
  rakp4IntegrityCheckValue,
  rakp4 as rakp4Layout,
  rakpAlgorithm,
  rolePrivilege,
  sessionIntegrityKey,
  USER_NAME_MAX,
} from "../../ipmi/lan/rakp";
import {
  CLOSE_SESSION_CC,
  type getChannelAuthCapabilitiesRequest,
  type getChannelAuthCapabilitiesResponse,
  SET_SESSION_PRIVILEGE_CC,
} from "../../ipmi/lan/session-messages";
import type { Out } from "../../ipmi/layout/codec";
import { hexN } from "../../ipmi/layout/format";
import type { Requester } from "../../router/types";
import { type LanSession, PRIVILEGE_NUMBER, privilegeName, type SessionTable } from "./session-table";

// ---- what this class needs of the BMC's users and LAN configuration ----------------------

/** A user as login sees it (users.ts has the whole record). */
export interface LoginUser {
  readonly id: number;
  readonly name: string;
  readonly enabled: boolean;
  readonly password: Uint8Array | null;
}

export interface LoginUsers<U extends LoginUser = LoginUser> {
  byName(name: string): U | undefined;
  /** The password zero-padded to `length` bytes (the AuthCode's and RAKP's key). */
  passwordKey(user: U, length: 16 | 20): Uint8Array;
  /** Whether the password fits IPMI 1.5's 16 bytes. */
  fitsIn16(user: U): boolean;
  /** Whether a password is set (and not empty). */
  hasPassword(user: U): boolean;
  channelAccess(user: U, channel: number): { privilegeLimit: number; ipmiMessaging: boolean };
}

/** The channel's access settings and the LAN configuration that decide logins. */
export interface LoginPolicy {
  /** 0 when the channel is disabled, else its privilege level limit (1-5). */
  channelPrivilegeLimit(channel: number): number;
  authTypeEnabled(privilege: number, authType: number): boolean;
  enabledCipherSuites(): readonly number[];
  /** Highest privilege a suite may be used at (1-4); 0: not usable. */
  cipherSuitePrivilege(id: number): number;
  nullUserAllowed(): boolean;
  anonymousAllowed(): boolean;
  /** Channel access "user level authentication" enabled. */
  userLevelAuth(channel: number): boolean;
}

export interface LanLoginOptions {
  table: SessionTable;
  users: LoginUsers;
  policy: LoginPolicy;
  /** The GUID RAKP 2 carries (the system GUID, as Get System GUID sends it). */
  guid: () => Uint8Array;
  /** The LAN channel's number; 1 here, as on most BMCs. */
  channel?: number;
  now?: () => number;
  random?: RandomSource;
}

/** What a session-layer exchange came to, for the bus to send and record. */
export interface HandshakeReply {
  /** The payload to send back; null: nothing is sent. */
  response: Uint8Array | null;
  /** RMCP+ status code sent (table 13-15); for a RAKP 3 that ended the login, the console's. */
  status: number | null;
  ok: boolean;
  note: string | null;
  /** Who, as far as the exchange told. */
  user: string | null;
  sessionId: number;
  /** The session RAKP 3 opened. */
  session?: LanSession;
}

export interface AbandonedLogin {
  bmcSessionId: number;
  peer: string;
  userName: string;
}

/** An RMCP+ login between Open Session and RAKP 3. */
interface Handshake {
  readonly bmcSessionId: number;
  readonly consoleSessionId: number;
  readonly suite: CipherSuite;
  readonly alg: RakpAlgorithm;
  /** The maximum privilege the Open Session Response granted. */
  readonly maxPrivilege: number;
  readonly peer: string;
  readonly createdAt: number;
  rakp?: {
    readonly x: RakpExchange;
    readonly kuid: Uint8Array;
    readonly userId: number;
    readonly userName: string;
    readonly privilege: number;
  };
}

type AuthCapsRequest = Out<typeof getChannelAuthCapabilitiesRequest>;
type AuthCapsResponse = Out<typeof getChannelAuthCapabilitiesResponse>;

const S = RMCP_PLUS_STATUS;
/** Handshakes waiting for RAKP 3: how many and how long (the spec leaves both to the BMC). */
export const MAX_HANDSHAKES = 32;
/** Of which one client address may hold this many. */
export const MAX_HANDSHAKES_PER_ADDRESS = 8;
/** Long enough for a console's retries (ipmitool: 1 s, 4 tries), short enough to report a wrong password soon. */
const HANDSHAKE_LIFETIME_MS = 10_000;
const USER = PRIVILEGE_NUMBER.user;

function statusNote(status: number, why: string): string {
  return `${RMCP_PLUS_STATUS_CODES.label(status)}: ${why}`;
}

export class LanLogin {
  readonly table: SessionTable;
  readonly channel: number;
  private readonly users: LoginUsers;
  private readonly policy: LoginPolicy;
  private readonly guid: () => Uint8Array;
  private readonly now: () => number;
  private readonly random: RandomSource | undefined;
  private readonly challenges: PendingChallenges;
  private readonly handshakes = new Map<number, Handshake>();
  /** Logins that got RAKP 2 and never sent RAKP 3, until the bus records them. */
  private abandoned: AbandonedLogin[] = [];

  constructor(o: LanLoginOptions) {
    this.table = o.table;
    this.users = o.users;
    this.policy = o.policy;
    this.guid = o.guid;
    this.channel = o.channel ?? 1;
    this.now = o.now ?? Date.now;
    this.random = o.random;
    this.challenges = new PendingChallenges(o.random ? { random: o.random } : {});
  }

  /** The highest level `user` may have on the LAN channel: 0 when it may not log in at all. */
  private userLimit(user: LoginUser): number {
    if (!user.enabled) return 0;
    const access = this.users.channelAccess(user, this.channel);
    if (!access.ipmiMessaging || access.privilegeLimit < 1 || access.privilegeLimit > 5) return 0;
    return Math.min(access.privilegeLimit, this.policy.channelPrivilegeLimit(this.channel));
  }

  /** The user a login names, or why it may not log in. */
  private loginUser(name: string): { user: LoginUser } | { why: string } {
    if (name === "") {
      if (!this.policy.nullUserAllowed() && !this.policy.anonymousAllowed())
        return { why: "null user names are not enabled" };
    }
    const user = this.users.byName(name);
    if (!user) return { why: `no user named ${JSON.stringify(name)}` };
    if (!user.enabled) return { why: `user ${JSON.stringify(name)} is disabled` };
    if (!this.users.hasPassword(user) && !(name === "" && this.policy.anonymousAllowed()))
      return { why: `user ${JSON.stringify(name)} has no password` };
    if (this.userLimit(user) === 0)
      return { why: `user ${JSON.stringify(name)} has no IPMI messaging access on channel ${this.channel}` };
    return { user };
  }

  private requestedChannel(channel: number, requester: Requester | null): number {
    return channel === 0x0e ? (requester?.channel ?? 0x0f) : channel;
  }

  // ---- Get Channel Authentication Capabilities (22.13) -----------------------------------

  channelAuthCapabilities(req: AuthCapsRequest, requester: Requester | null): AuthCapsResponse {
    const channel = this.requestedChannel(req.channel.channel, requester);
    if (channel !== this.channel)
      throw new IpmiError(
        CC.INVALID_DATA_FIELD,
        `channel ${channel} has no sessions; the LAN channel is ${this.channel}`,
      );
    const level = req.privilege.level;
    if (level < 1 || level > 5) throw new IpmiError(CC.INVALID_DATA_FIELD, `privilege level ${level}`);
    const on = (t: number) => this.policy.authTypeEnabled(Math.min(level, 4), t);
    return {
      channel,
      authTypes: {
        none: on(AUTH_TYPE.NONE),
        md2: false,
        md5: on(AUTH_TYPE.MD5),
        password: on(AUTH_TYPE.PASSWORD),
        oem: false,
        v20: req.channel.v20,
        reserved: 0,
        reserved2: 0,
      },
      status: {
        anonymous: this.policy.anonymousAllowed(),
        nullUsers: this.policy.nullUserAllowed(),
        nonNullUsers: true,
        userLevelAuthDisabled: !this.policy.userLevelAuth(this.channel),
        perMessageAuthDisabled: false,
        kgSet: false,
        reserved: 0,
      },
      extended: { v15: req.channel.v20, v20: req.channel.v20, reserved: 0 },
      oemId: 0,
      oemAux: 0,
    };
  }

  // ---- IPMI 1.5: Get Session Challenge, Activate Session (22.16, 22.17) -------------------

  sessionChallenge(
    req: { authType: number; userName: Uint8Array },
    requester: Requester | null,
  ): { temporarySessionId: number; challenge: Uint8Array } {
    this.onLanOnly(requester, "Get Session Challenge");
    const enabledSomewhere = [1, 2, 3, 4].some((p) => this.policy.authTypeEnabled(p, req.authType));
    if (!enabledSomewhere || req.authType === AUTH_TYPE.MD2 || req.authType === AUTH_TYPE.OEM)
      throw new IpmiError(
        CC.INVALID_DATA_FIELD,
        `authentication type ${hexByte(req.authType)} is not enabled on channel ${this.channel}`,
      );
    const name = userNameOf(req.userName);
    if (name === "" && !this.policy.nullUserAllowed() && !this.policy.anonymousAllowed())
      throw new IpmiError(
        GET_SESSION_CHALLENGE_CC.NULL_USER_NAME_NOT_ENABLED,
        "null user names are not enabled",
      );
    const who = this.loginUser(name);
    if ("why" in who) throw new IpmiError(GET_SESSION_CHALLENGE_CC.INVALID_USER_NAME, who.why);
    // A password set in the 20-byte form cannot make an IPMI 1.5 AuthCode (22.30): say so
    // now rather than hand out a challenge no activation can answer.
    if (!this.users.fitsIn16(who.user))
      throw new IpmiError(
        GET_SESSION_CHALLENGE_CC.INVALID_USER_NAME,
        `${JSON.stringify(name)}'s password is longer than IPMI 1.5's 16 bytes: use RMCP+ (IPMI 2.0)`,
      );
    const p = this.challenges.issue(name, req.authType, this.now());
    return { temporarySessionId: p.temporarySessionId, challenge: p.challenge };
  }

  /**
   * The challenge an Activate Session packet's Session ID names, with the password its
   * AuthCode must be made with (the bus checks it before routing the request).
   */
  pendingChallenge(
    temporarySessionId: number,
  ): { userName: string; authType: number; password: Uint8Array } | undefined {
    const p = this.challenges.peek(temporarySessionId, this.now());
    if (!p) return undefined;
    const user = this.users.byName(p.userName);
    if (!user || !this.users.fitsIn16(user)) return undefined;
    return { userName: p.userName, authType: p.authType, password: this.users.passwordKey(user, 16) };
  }

  activateSession(
    req: { authType: number; maxPrivilege: number; challenge: Uint8Array; initialOutboundSequence: number },
    requester: Requester | null,
  ): { authType: number; sessionId: number; initialInboundSequence: number; maxPrivilege: number } {
    const from = this.onLanOnly(requester, "Activate Session");
    const taken = this.challenges.take(from.sessionId, req.challenge, this.now());
    if (!taken.ok) {
      throw new IpmiError(
        taken.error === "challenge-mismatch" ? CC.INVALID_DATA_FIELD : ACTIVATE_SESSION_CC.INVALID_SESSION_ID,
        taken.reason,
      );
    }
    const { pending } = taken;
    const who = this.loginUser(pending.userName);
    if ("why" in who) throw new IpmiError(ACTIVATE_SESSION_CC.INVALID_SESSION_ID, who.why);
    const level = req.maxPrivilege;
    if (level < 1 || level > 5) throw new IpmiError(CC.INVALID_DATA_FIELD, `privilege level ${level}`);
    const limit = this.userLimit(who.user);
    if (level > limit) {
      throw new IpmiError(
        ACTIVATE_SESSION_CC.PRIVILEGE_EXCEEDS_LIMIT,
        `${privilegeName(level)} requested; ${JSON.stringify(pending.userName)} is limited to ${privilegeName(limit)} on channel ${this.channel}`,
      );
    }
    if (!this.policy.authTypeEnabled(Math.min(level, 4), req.authType)) {
      throw new IpmiError(
        CC.INVALID_DATA_FIELD,
        `authentication type ${hexByte(req.authType)} is not enabled for ${privilegeName(level)}`,
      );
    }
    if (req.authType === AUTH_TYPE.MD2 || req.authType === AUTH_TYPE.OEM)
      throw new IpmiError(
        CC.INVALID_DATA_FIELD,
        `authentication type ${hexByte(req.authType)} is not supported`,
      );
    if (!this.table.hasRoom(this.channel))
      throw new IpmiError(ACTIVATE_SESSION_CC.NO_SESSION_SLOT, `all ${this.table.limit} sessions are in use`);
    const initialInbound = randomNonZero32(this.random);
    const session = this.table.open({
      id: this.table.newId((id) => this.handshakes.has(id)),
      channel: this.channel,
      peer: from.peer,
      ...splitPeer(from.peer),
      userId: who.user.id,
      userName: pending.userName,
      maxPrivilege: level,
      privilege: Math.min(level, USER),
      protection: {
        kind: "ipmi-1.5",
        authType: req.authType,
        password: this.users.passwordKey(who.user, 16),
      },
      inbound: new InboundSequenceWindow(initialInbound),
      outboundSequence: req.initialOutboundSequence,
    });
    if (!session)
      throw new IpmiError(ACTIVATE_SESSION_CC.NO_SESSION_SLOT, `all ${this.table.limit} sessions are in use`);
    return {
      authType: req.authType,
      sessionId: session.id,
      initialInboundSequence: initialInbound,
      maxPrivilege: level,
    };
  }

  // ---- both versions ----------------------------------------------------------------------

  /** Get Channel Cipher Suites (22.15): answered before any session. */
  cipherSuites(
    req: {
      channel: { number: number };
      payloadType: { type: number };
      list: { index: number; byCipherSuite: boolean };
    },
    requester: Requester | null,
  ): { channel: number; data: Uint8Array } {
    const channel = this.requestedChannel(req.channel.number, requester);
    if (channel !== this.channel)
      throw new IpmiError(
        CC.INVALID_DATA_FIELD,
        `channel ${channel} has no cipher suites; the LAN channel is ${this.channel}`,
      );
    if (req.payloadType.type !== 0)
      throw new IpmiError(
        CC.INVALID_DATA_FIELD,
        `payload type ${hexByte(req.payloadType.type)}: only IPMI (00h) has cipher suites here`,
      );
    const suites = this.suites();
    const data = req.list.byCipherSuite
      ? cipherSuiteRecordData.pack(suites.map(recordOf))
      : supportedAlgorithmsData(suites);
    return { channel, data: Uint8Array.from(cipherSuitePage(data, req.list.index)) };
  }

  /** The suites a console may open a session with now. */
  suites(): CipherSuite[] {
    return this.policy
      .enabledCipherSuites()
      .map((id) => CIPHER_SUITES.find((s) => s.id === id))
      .filter(
        (s): s is CipherSuite =>
          s !== undefined && isImplemented(s) && this.policy.cipherSuitePrivilege(s.id) > 0,
      );
  }

  setPrivilege(
    req: { privilege: { level: number } },
    requester: Requester | null,
  ): { privilege: { level: number; reserved: 0 } } {
    const session = this.sessionOf(requester, "Set Session Privilege Level");
    const level = req.privilege.level;
    if (level === 0) return { privilege: { level: session.privilege, reserved: 0 } };
    if (level > 5) throw new IpmiError(CC.INVALID_DATA_FIELD, `privilege level ${level}`);
    if (level === 5 || level > session.maxPrivilege) {
      throw new IpmiError(
        level > session.maxPrivilege
          ? SET_SESSION_PRIVILEGE_CC.EXCEEDS_LIMIT
          : SET_SESSION_PRIVILEGE_CC.NOT_AVAILABLE_FOR_USER,
        `${privilegeName(level)} asked; the session may reach ${privilegeName(session.maxPrivilege)}`,
      );
    }
    if (
      session.protection.kind === "ipmi-1.5" &&
      !this.policy.authTypeEnabled(level, session.protection.authType)
    ) {
      throw new IpmiError(
        SET_SESSION_PRIVILEGE_CC.NOT_AVAILABLE_FOR_USER,
        `the session's authentication type is not enabled for ${privilegeName(level)}`,
      );
    }
    this.table.setPrivilege(session, level);
    return { privilege: { level, reserved: 0 } };
  }

  closeSession(req: { sessionId: number; handle: number | undefined }, requester: Requester | null): void {
    let target: LanSession | undefined;
    if (req.sessionId !== 0) {
      target = this.table.get(req.sessionId);
      if (!target)
        throw new IpmiError(CLOSE_SESSION_CC.INVALID_SESSION_ID, `no session ${hex32(req.sessionId)}`);
    } else {
      if (req.handle === undefined)
        throw new IpmiError(CC.REQUEST_LENGTH_INVALID, "session ID 0 needs the session handle in byte 5");
      target = this.table.byHandle(this.channel, req.handle);
      if (!target)
        throw new IpmiError(CLOSE_SESSION_CC.INVALID_HANDLE, `no session with handle ${req.handle}`);
    }
    // 22.19: closing another session takes administrator privilege.
    if (requester && requester.sessionId !== target.id && requester.privilege !== "admin") {
      throw new IpmiError(CC.INSUFFICIENT_PRIVILEGE, "closing another session needs administrator privilege");
    }
    this.table.close(target.id, `Close Session from ${requester ? requester.peer : "the system interface"}`);
  }

  sessionInfo(req: { index: number; selector: Uint8Array }, requester: Requester | null) {
    let session: LanSession | undefined;
    if (req.index === 0) {
      session = requester ? this.table.get(requester.sessionId) : undefined;
    } else if (req.index === 0xfe) {
      if (req.selector.length !== 1)
        throw new IpmiError(CC.REQUEST_LENGTH_INVALID, "index FEh takes a 1-byte session handle");
      session = this.table.byHandle(this.channel, req.selector[0]!);
      if (!session) throw new IpmiError(0x88, `no session with handle ${req.selector[0]}`);
    } else if (req.index === 0xff) {
      if (req.selector.length !== 4)
        throw new IpmiError(CC.REQUEST_LENGTH_INVALID, "index FFh takes a 4-byte session ID");
      const id = readLe32(req.selector);
      session = this.table.get(id);
      if (!session) throw new IpmiError(CC.INVALID_DATA_FIELD, `no session ${hex32(id)}`);
    } else {
      if (req.selector.length !== 0)
        throw new IpmiError(CC.REQUEST_FIELD_LENGTH_EXCEEDED, "an index takes no more bytes");
      session = this.table.list(this.channel)[req.index - 1];
    }
    const counts = {
      possible: { count: this.table.limit, reserved: 0 },
      active: { count: this.table.count(this.channel), reserved: 0 },
    };
    if (!session) return { handle: 0, ...counts, session: undefined };
    return {
      handle: session.handle,
      ...counts,
      session: {
        user: { id: session.userId, reserved: 0 },
        privilege: { level: session.privilege, reserved: 0 },
        channel: { channel: session.channel, protocol: session.protection.kind === "rmcp+" ? 1 : 0 },
        lan: { ip: ipv4Bytes(session.address), mac: new Uint8Array(6), port: session.port },
      },
    };
  }

  // ---- RMCP+ Open Session, RAKP 1-4 (13.17-13.23) ------------------------------------------

  openSession(payload: Uint8Array, peer: string): HandshakeReply {
    this.expireHandshakes();
    const tag = payload[0] ?? 0;
    let req: Out<typeof openSessionRequest>;
    try {
      req = openSessionRequest.unpack(payload);
    } catch (err) {
      return this.openRefused(tag, 0, S.ILLEGAL_PARAMETER, `Open Session Request: ${message(err)}`);
    }
    const refuse = (status: number, why: string) =>
      this.openRefused(req.tag, req.consoleSessionId, status, why);
    const check = checkOpenSessionRequest(req);
    if (!check.ok) return refuse(check.status, check.reason);
    if (req.consoleSessionId === 0) return refuse(S.INVALID_SESSION_ID, "remote console session ID 0");
    const picked = this.pickSuite(
      req.authentication.algorithm,
      req.integrity.algorithm,
      req.confidentiality.algorithm,
    );
    if ("status" in picked) return refuse(picked.status, picked.why);
    const { suite } = picked;
    const suiteLimit = Math.min(
      this.policy.cipherSuitePrivilege(suite.id),
      this.policy.channelPrivilegeLimit(this.channel),
    );
    if (suiteLimit < 1) return refuse(S.NO_CIPHER_SUITE_MATCH, `channel ${this.channel} is disabled`);
    // 0h asks for the highest level the proposed algorithms allow (13.17): answer that level,
    // not 0, or FreeIPMI (without -W opensesspriv) refuses the session.
    const requested = req.maxPrivilege;
    if (requested > suiteLimit) {
      return refuse(
        S.UNAUTHORIZED_ROLE,
        `${privilegeName(requested)} requested; cipher suite ${suite.id} on channel ${this.channel} allows up to ${privilegeName(suiteLimit)}`,
      );
    }
    const granted = requested === 0 ? suiteLimit : requested;
    if (!this.table.hasRoom(this.channel) || this.handshakes.size >= MAX_HANDSHAKES)
      return refuse(
        S.INSUFFICIENT_RESOURCES,
        `all ${this.table.limit} sessions or ${MAX_HANDSHAKES} handshakes are in use`,
      );
    // One address cannot take every handshake slot and lock everyone else out.
    const address = splitPeer(peer).address;
    let fromAddress = 0;
    for (const hs of this.handshakes.values()) if (splitPeer(hs.peer).address === address) fromAddress++;
    if (fromAddress >= MAX_HANDSHAKES_PER_ADDRESS)
      return refuse(S.INSUFFICIENT_RESOURCES, `${address} already has ${fromAddress} logins under way`);
    const alg = rakpAlgorithm(suite.authentication)!;
    const bmcSessionId = this.table.newId((id) => this.handshakes.has(id));
    this.handshakes.set(bmcSessionId, {
      bmcSessionId,
      consoleSessionId: req.consoleSessionId,
      suite,
      alg,
      maxPrivilege: granted,
      peer,
      createdAt: this.now(),
    });
    const response = openSessionResponse.pack({
      tag: req.tag,
      status: S.NO_ERRORS,
      maxPrivilege: granted,
      consoleSessionId: req.consoleSessionId,
      session: {
        bmcSessionId,
        authentication: { algorithm: suite.authentication },
        integrity: { algorithm: suite.integrity },
        confidentiality: { algorithm: suite.confidentiality },
      },
    });
    return {
      response,
      status: S.NO_ERRORS,
      ok: true,
      note: `cipher suite ${cipherSuiteLabel(suite)}, up to ${privilegeName(granted)}`,
      user: null,
      sessionId: bmcSessionId,
    };
  }

  rakp1(payload: Uint8Array, peer: string): HandshakeReply {
    this.expireHandshakes();
    const tag = payload[0] ?? 0;
    let req: Out<typeof rakp1Layout>;
    try {
      req = rakp1Layout.unpack(payload);
    } catch (err) {
      return this.rakp2Refused(tag, 0, S.ILLEGAL_PARAMETER, `RAKP Message 1: ${message(err)}`, null, 0);
    }
    const hs = this.handshakes.get(req.bmcSessionId);
    if (!hs || hs.peer !== peer)
      return this.rakp2Refused(
        req.tag,
        0,
        S.INVALID_SESSION_ID,
        `no Open Session for session ID ${hex32(req.bmcSessionId)}`,
        null,
        0,
      );
    const nameBytes = req.userName;
    const name = new TextDecoder().decode(nameBytes);
    const refuse = (status: number, why: string) => {
      // A refused login starts over with Open Session: no guessing against one handshake.
      this.handshakes.delete(hs.bmcSessionId);
      return this.rakp2Refused(req.tag, hs.consoleSessionId, status, why, name, hs.bmcSessionId);
    };
    if (nameBytes.length > USER_NAME_MAX)
      return refuse(S.INVALID_NAME_LENGTH, `user name of ${nameBytes.length} bytes`);
    const level = rolePrivilege(req.role);
    if (level < 1 || level > 5 || (req.role & 0xe0) !== 0)
      return refuse(S.INVALID_ROLE, `role byte ${hexByte(req.role)}`);
    const who = this.loginUser(name);
    if ("why" in who) return refuse(S.UNAUTHORIZED_NAME, who.why);
    const limit = Math.min(this.userLimit(who.user), hs.maxPrivilege);
    if (level > limit) {
      return refuse(
        S.UNAUTHORIZED_ROLE,
        `${privilegeName(level)} requested; ${JSON.stringify(name)} may have up to ${privilegeName(limit)} in this session`,
      );
    }
    const bmcRandom = this.randomBytes(16);
    const bmcGuid = Uint8Array.from(this.guid());
    const x: RakpExchange = {
      consoleSessionId: hs.consoleSessionId,
      bmcSessionId: hs.bmcSessionId,
      consoleRandom: req.consoleRandom,
      bmcRandom,
      bmcGuid,
      role: req.role,
      userName: nameBytes,
    };
    const kuid = this.users.passwordKey(who.user, 20);
    hs.rakp = { x, kuid, userId: who.user.id, userName: name, privilege: level };
    const response = rakp2Layout.pack({
      tag: req.tag,
      status: S.NO_ERRORS,
      consoleSessionId: hs.consoleSessionId,
      keyExchange: { bmcRandom, bmcGuid, authCode: rakp2AuthCode(hs.alg, kuid, x) },
    });
    return {
      response,
      status: S.NO_ERRORS,
      ok: true,
      note: `user ${JSON.stringify(name)}, ${privilegeName(level)}`,
      user: name,
      sessionId: hs.bmcSessionId,
    };
  }

  rakp3(payload: Uint8Array, peer: string): HandshakeReply {
    this.expireHandshakes();
    const tag = payload[0] ?? 0;
    let req: Out<typeof rakp3Layout>;
    try {
      req = rakp3Layout.unpack(payload);
    } catch (err) {
      return this.rakp4Refused(tag, 0, S.ILLEGAL_PARAMETER, `RAKP Message 3: ${message(err)}`, null, 0);
    }
    const hs = this.handshakes.get(req.bmcSessionId);
    if (!hs?.rakp || hs.peer !== peer)
      return this.rakp4Refused(
        req.tag,
        0,
        S.INVALID_SESSION_ID,
        `no RAKP 1 for session ID ${hex32(req.bmcSessionId)}`,
        null,
        0,
      );
    this.handshakes.delete(hs.bmcSessionId);
    const { x, kuid, userName } = hs.rakp;
    if (req.status !== S.NO_ERRORS) {
      // The console gave up (it found RAKP 2's code wrong: a wrong password, usually); no RAKP 4.
      return {
        response: null,
        status: req.status,
        ok: false,
        note: `the remote console ended the login: ${RMCP_PLUS_STATUS_CODES.label(req.status)} (with a wrong password, RAKP 2's code does not check out)`,
        user: userName,
        sessionId: hs.bmcSessionId,
      };
    }
    if (!codesMatch(req.authCode, rakp3AuthCode(hs.alg, kuid, x))) {
      return this.rakp4Refused(
        req.tag,
        hs.consoleSessionId,
        S.INVALID_INTEGRITY_CHECK_VALUE,
        `RAKP 3 code does not match: wrong password for ${JSON.stringify(userName)}`,
        userName,
        hs.bmcSessionId,
      );
    }
    const sik = sessionIntegrityKey(hs.alg, kuid, x);
    const level = hs.rakp.privilege;
    const session = this.table.open({
      id: hs.bmcSessionId,
      channel: this.channel,
      peer,
      ...splitPeer(peer),
      userId: hs.rakp.userId,
      userName,
      maxPrivilege: level,
      privilege: Math.min(level, USER),
      protection: {
        kind: "rmcp+",
        cipherSuite: hs.suite.id,
        consoleSessionId: hs.consoleSessionId,
        crypto: sessionCrypto(hs.alg, hs.suite.integrity, hs.suite.confidentiality, sik),
      },
      inbound: new InboundSequenceWindow(1),
      outboundSequence: 1,
    });
    if (!session) {
      return this.rakp4Refused(
        req.tag,
        hs.consoleSessionId,
        S.INSUFFICIENT_RESOURCES,
        `all ${this.table.limit} sessions are in use`,
        userName,
        hs.bmcSessionId,
      );
    }
    const response = rakp4Layout.pack({
      tag: req.tag,
      status: S.NO_ERRORS,
      consoleSessionId: hs.consoleSessionId,
      integrityCheckValue: rakp4IntegrityCheckValue(hs.alg, sik, x),
    });
    return {
      response,
      status: S.NO_ERRORS,
      ok: true,
      note: `session ${hex32(session.id)} open: ${JSON.stringify(userName)}, cipher suite ${hs.suite.id}, up to ${privilegeName(level)}`,
      user: userName,
      sessionId: session.id,
      session,
    };
  }

  /** RMCP+ handshakes waiting for RAKP 3 (tests, the dashboard). */
  get pendingHandshakes(): number {
    return this.handshakes.size;
  }

  // ---- helpers ------------------------------------------------------------------------------

  private pickSuite(
    auth: number,
    integrity: number,
    confidentiality: number,
  ): { suite: CipherSuite } | { status: number; why: string } {
    const suites = this.suites();
    const proposed = `authentication ${hexByte(auth)}, integrity ${hexByte(integrity)}, confidentiality ${hexByte(confidentiality)}`;
    const exact = suites.find(
      (s) => s.authentication === auth && s.integrity === integrity && s.confidentiality === confidentiality,
    );
    if (exact) return { suite: exact };
    const enabled = `enabled cipher suites: ${suites.map((s) => s.id).join(", ") || "none"}`;
    if (!suites.some((s) => s.authentication === auth))
      return { status: S.INVALID_AUTHENTICATION_ALGORITHM, why: `${proposed}; ${enabled}` };
    if (!suites.some((s) => s.integrity === integrity))
      return { status: S.INVALID_INTEGRITY_ALGORITHM, why: `${proposed}; ${enabled}` };
    if (!suites.some((s) => s.confidentiality === confidentiality))
      return { status: S.INVALID_CONFIDENTIALITY_ALGORITHM, why: `${proposed}; ${enabled}` };
    return { status: S.NO_CIPHER_SUITE_MATCH, why: `${proposed}; ${enabled}` };
  }

  private openRefused(tag: number, consoleSessionId: number, status: number, why: string): HandshakeReply {
    return {
      response: openSessionResponse.pack({
        tag,
        status,
        maxPrivilege: 0,
        consoleSessionId,
        session: undefined,
      }),
      status,
      ok: false,
      note: statusNote(status, why),
      user: null,
      sessionId: 0,
    };
  }

  private rakp2Refused(
    tag: number,
    consoleSessionId: number,
    status: number,
    why: string,
    user: string | null,
    sessionId: number,
  ): HandshakeReply {
    return {
      response: rakp2Layout.pack({ tag, status, consoleSessionId, keyExchange: undefined }),
      status,
      ok: false,
      note: statusNote(status, why),
      user,
      sessionId,
    };
  }

  private rakp4Refused(
    tag: number,
    consoleSessionId: number,
    status: number,
    why: string,
    user: string | null,
    sessionId: number,
  ): HandshakeReply {
    return {
      response: rakp4Layout.pack({ tag, status, consoleSessionId, integrityCheckValue: new Uint8Array(0) }),
      status,
      ok: false,
      note: statusNote(status, why),
      user,
      sessionId,
    };
  }

  private expireHandshakes(): void {
    const now = this.now();
    for (const [id, hs] of this.handshakes) {
      if (now - hs.createdAt <= HANDSHAKE_LIFETIME_MS) continue;
      this.handshakes.delete(id);
      if (hs.rakp && this.abandoned.length < MAX_HANDSHAKES)
        this.abandoned.push({ bmcSessionId: id, peer: hs.peer, userName: hs.rakp.userName });
    }
  }

  /**
   * RMCP+ logins that stopped after RAKP 2. A console whose password is wrong finds RAKP 2's
   * code wrong and, like ipmitool and FreeIPMI, sends no RAKP 3: the BMC never sees a wrong
   * code, only the silence, which the bus records so the refusal is in the log all the same.
   */
  takeAbandoned(): AbandonedLogin[] {
    this.expireHandshakes();
    const out = this.abandoned;
    this.abandoned = [];
    return out;
  }

  private randomBytes(n: number): Uint8Array {
    if (this.random) return Uint8Array.from(this.random(n));
    return new Uint8Array(globalThis.crypto.getRandomValues(new Uint8Array(n)));
  }

  /** The requester of a command only a LAN login makes. */
  private onLanOnly(requester: Requester | null, what: string): Requester {
    if (!requester || requester.channel !== this.channel)
      throw new IpmiError(CC.NOT_SUPPORTED_IN_STATE, `${what} is sent over the LAN channel`);
    return requester;
  }

  private sessionOf(requester: Requester | null, what: string): LanSession {
    const session = requester ? this.table.get(requester.sessionId) : undefined;
    if (!session) throw new IpmiError(CC.NOT_SUPPORTED_IN_STATE, `${what} is sent inside a session`);
    return session;
  }
}

const hex32 = (v: number) => hexN(v, 8);

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** "127.0.0.1:50123" → address and port ("[::1]:50123" too). */
export function splitPeer(peer: string): { address: string; port: number } {
  const at = peer.lastIndexOf(":");
  const address = peer.slice(0, at).replace(/^\[|\]$/g, "");
  return { address, port: Number(peer.slice(at + 1)) };
}

function ipv4Bytes(address: string): Uint8Array {
  const m = /^(?:::ffff:)?(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  return m ? Uint8Array.of(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])) : new Uint8Array(4);
}
