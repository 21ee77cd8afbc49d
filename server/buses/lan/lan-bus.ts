/**
 * The LAN bus: IPMI over RMCP on UDP (IPMI 2.0 section 13). One socket; each datagram is
 * a presence ping (answered here), an IPMI 1.5 packet, or an RMCP+ packet. Session set-up
 * that is not an IPMI message (Open Session, RAKP) goes to the BMC's LanLogin and is
 * recorded with the status sent; every IPMI message goes to the router like any other
 * bus's, with the session's user, privilege and the client's address (`Requester`), and
 * its response goes back sealed with that session's keys.
 *
 * What fails a check (truncated, bad checksum, unknown session, bad AuthCode or integrity,
 * replay, unsupported payload) is dropped, as 13.6 and 6.12 say, and recorded as malformed
 * with the reason. Nothing here throws out of the socket's handler.
 */
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { isIP } from "node:net";
import { type HandshakeReply, type LanLogin, splitPeer } from "../../bmc/sessions/lan-login";
import { type LanSession, privilegeName } from "../../bmc/sessions/session-table";
import { hexByte } from "../../ipmi/hex";
import {
  ACTIVATE_SESSION_CC,
  AUTH_TYPE,
  type AuthType15,
  checkAuthCode15,
  readLe32,
} from "../../ipmi/lan/auth15";
import { openRmcpPlus, sealRmcpPlus } from "../../ipmi/lan/crypto";
import { RMCP_PLUS_STATUS } from "../../ipmi/lan/rakp";
import {
  decodeAsf,
  decodeRmcp,
  encodeRmcp,
  isPresencePing,
  presencePongFor,
  RMCP_CLASS,
  rmcpAckFor,
  rmcpHeaderFor,
  wantsRmcpAck,
} from "../../ipmi/lan/rmcp";
import { decodeRmcpPlus, encodeRmcpPlus, PAYLOAD_TYPE, PAYLOAD_TYPES } from "../../ipmi/lan/rmcp-plus";
import {
  decodeLanMessage,
  decodeSession15,
  encodeLanResponse,
  encodeSession15,
  type LanRequest,
  responseTo,
} from "../../ipmi/lan/session15";
import { hexN } from "../../ipmi/layout/format";
import type { Logger } from "../../logger";
import type { Bus, BusPort, BusResponse, Requester, SendResult } from "../../router/types";
import { LoginGuard, PerClientRateLimit } from "./rate-limit";

export interface LanBusOptions {
  id?: string;
  /** Where SOL packets (payload type 01h) of a session go; without it they are refused as unsupported. */
  sol?: { fromConsole(sessionId: number, payload: Uint8Array): void };
  host: string;
  /** 0: any free port (tests). */
  port: number;
  login: LanLogin;
  log?: Logger;
  /** Datagrams per second and burst per client (address and port). */
  rate?: { rate: number; burst: number };
  /** Failed logins per address before a lockout, within a window, and the lockout. */
  logins?: { maxFailures: number; windowMs: number; lockoutMs: number };
}

/** What the bus needs to answer a request: where, and how the request came. */
interface LanTag {
  address: string;
  port: number;
  request: LanRequest;
  /** IPMI 1.5 or RMCP+ framing. */
  version: "1.5" | "2.0";
  /** The session it came in (kept even if the request closes it: the answer still goes out sealed). */
  session: LanSession | undefined;
  /** IPMI 1.5 Activate Session: the temporary session ID, auth type and password of the challenge. */
  activation?: { temporarySessionId: number; authType: number; password: Uint8Array };
}

/** A response's data bytes at most: an IPMI 1.5 message is at most 255 bytes (table 13-8). */
const MAX_RESPONSE_DATA = 255 - 8;

export class LanBus implements Bus {
  readonly id: string;
  readonly kind = "lan" as const;
  readonly maxResponseData = MAX_RESPONSE_DATA;
  private port: BusPort | undefined;
  private socket: Socket | undefined;
  private readonly login: LanLogin;
  private readonly log: Logger | undefined;
  private readonly limiter: PerClientRateLimit;
  private readonly guard: LoginGuard;
  private bound: { address: string; port: number } | undefined;
  private watcher: ReturnType<typeof setInterval> | undefined;
  /** Temporary session IDs whose Activate Session already counted as a failed login. */
  private readonly failedChallenges = new Set<number>();

  constructor(private readonly options: LanBusOptions) {
    this.id = options.id ?? "lan0";
    this.login = options.login;
    this.log = options.log;
    this.limiter = new PerClientRateLimit(options.rate ?? { rate: 5000, burst: 5000 });
    this.guard = new LoginGuard(options.logins ?? { maxFailures: 5, windowMs: 60_000, lockoutMs: 30_000 });
  }

  get description(): string {
    const a = this.address;
    return `LAN, udp ${a ? `${a.address.includes(":") ? `[${a.address}]` : a.address}:${a.port}` : `${this.options.host}:${this.options.port}`}`;
  }

  /** Up while its socket is open (bound at start, closed at stop). */
  get state(): "up" | "down" {
    return this.socket && this.bound ? "up" : "down";
  }

  /** Where the socket listens once started. */
  get address(): { address: string; port: number } | undefined {
    return this.bound;
  }

  attach(port: BusPort): undefined {
    this.port = port;
  }

  async start(): Promise<void> {
    const family = isIP(this.options.host) === 6 ? "udp6" : "udp4";
    const socket = createSocket({ type: family, reuseAddr: false });
    this.socket = socket;
    socket.on("message", (msg, rinfo) => this.receive(msg, rinfo));
    socket.on("error", (err) => this.log?.warn(`${this.id}: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) =>
        reject(
          new Error(
            `${this.id}: cannot listen on udp ${this.options.host}:${this.options.port}: ${err.message}`,
          ),
        );
      socket.once("error", onError);
      socket.bind(this.options.port, this.options.host, () => {
        socket.off("error", onError);
        resolve();
      });
    });
    const a = socket.address();
    this.bound = { address: a.address, port: a.port };
    this.login.table.startSweeping();
    this.watcher = setInterval(() => this.recordAbandoned(), 1000);
    this.watcher.unref?.();
  }

  async stop(): Promise<void> {
    if (this.watcher) clearInterval(this.watcher);
    this.watcher = undefined;
    this.login.table.stop();
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  // ---- receiving ------------------------------------------------------------------------------

  private receive(msg: Buffer, rinfo: RemoteInfo): undefined {
    const frame = new Uint8Array(msg.buffer.slice(msg.byteOffset, msg.byteOffset + msg.byteLength));
    const peer =
      rinfo.family === "IPv6" ? `[${rinfo.address}]:${rinfo.port}` : `${rinfo.address}:${rinfo.port}`;
    const from = { address: rinfo.address, port: rinfo.port, peer };
    // Per client socket: a flooding client is cut to its share, the others keep their answers.
    if (!this.limiter.allow(peer)) return;
    const dropped = this.limiter.takeDropped(peer);
    if (dropped > 0)
      this.malformed(frame, from, `${dropped} datagrams from ${peer} dropped: over its rate limit`);
    try {
      this.dispatch(frame, from);
    } catch (err) {
      this.malformed(frame, from, `internal error: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private dispatch(frame: Uint8Array, from: From): undefined {
    const rmcp = decodeRmcp(frame);
    if (!rmcp.ok) return this.malformed(frame, from, rmcp.reason);
    const { header, body } = rmcp;
    if (header.ack) return; // an RMCP ACK of something we sent: nothing to do
    if (header.messageClass === RMCP_CLASS.ASF) return this.asf(frame, body, header, from);
    if (header.messageClass !== RMCP_CLASS.IPMI)
      return this.malformed(frame, from, `RMCP class ${hexByte(header.messageClass)} (OEM) is not supported`);
    if (body[0] === AUTH_TYPE_RMCP_PLUS) return this.rmcpPlus(frame, body, from);
    return this.ipmi15(frame, body, from);
  }

  /** Presence ping → pong (13.2.4), the RMCP ACK first when the ping asks for one. */
  private asf(
    frame: Uint8Array,
    body: Uint8Array,
    header: ReturnType<typeof rmcpHeaderFor>,
    from: From,
  ): undefined {
    const asf = decodeAsf(body);
    if (!asf.ok) return this.malformed(frame, from, `ASF: ${asf.reason}`);
    if (!isPresencePing(asf.message))
      return this.malformed(
        frame,
        from,
        `ASF message type ${hexByte(asf.message.messageType)} is not supported (only Presence Ping)`,
      );
    if (wantsRmcpAck(header)) this.transmit(rmcpAckFor(header), from);
    const pong = presencePongFor(asf.message);
    this.transmit(pong, from);
    this.port?.record({
      payload: "presence-ping",
      request: body,
      response: pong.subarray(4),
      responseFrame: pong,
      status: null,
      ok: true,
      note: null,
      frame,
      requester: this.sessionless(from),
    });
  }

  private ipmi15(frame: Uint8Array, body: Uint8Array, from: From): undefined {
    const p = decodeSession15(body);
    if (!p.ok) return this.malformed(frame, from, `IPMI 1.5: ${p.reason}`);
    const { header, message, messageBytes } = p;
    if (message.kind !== "request")
      return this.malformed(frame, from, "IPMI 1.5: a response sent to the BMC");
    const request: LanRequest = message;
    if (header.sessionId === 0) {
      if (header.authType !== AUTH_TYPE.NONE || header.sequence !== 0)
        return this.malformed(
          frame,
          from,
          "IPMI 1.5: a message outside a session must have authentication type none and sequence 0",
          request,
        );
      return this.route(frame, request, from, { version: "1.5", session: undefined }, this.sessionless(from));
    }
    // Activate Session names the challenge's temporary session ID (22.17).
    const pending = this.login.pendingChallenge(header.sessionId);
    if (pending && request.netFn === 0x06 && request.cmd === 0x3a) {
      const checks = checkAuthCode15(
        header.authType,
        {
          password: pending.password,
          sessionId: header.sessionId,
          sequence: header.sequence,
          message: messageBytes,
        },
        header.authCode,
      );
      if (!checks || header.authType !== pending.authType) {
        // A client retransmits its Activate Session: one wrong password counts once.
        if (!this.failedChallenges.has(header.sessionId)) {
          this.failedChallenges.add(header.sessionId);
          if (this.failedChallenges.size > 256)
            this.failedChallenges.delete(this.failedChallenges.values().next().value!);
          this.loginFailed(from, pending.userName);
        }
        return this.malformed(
          frame,
          from,
          `Activate Session refused: the AuthCode does not check out with ${JSON.stringify(pending.userName)}'s password (wrong password); dropped as 6.12 says`,
          request,
          { ...this.sessionless(from), user: pending.userName },
        );
      }
      if (this.lockedOut(frame, from, request)) return;
      return this.route(
        frame,
        request,
        from,
        {
          version: "1.5",
          session: undefined,
          activation: {
            temporarySessionId: header.sessionId,
            authType: header.authType,
            password: pending.password,
          },
        },
        { ...this.sessionless(from), sessionId: header.sessionId, user: pending.userName },
      );
    }
    const session = this.login.table.get(header.sessionId);
    if (session?.protection.kind !== "ipmi-1.5")
      return this.malformed(frame, from, `IPMI 1.5: no session with ID ${hex32(header.sessionId)}`, request);
    const protection = session.protection;
    const who = this.requesterOf(session, from);
    if (header.authType !== protection.authType)
      return this.malformed(
        frame,
        from,
        `IPMI 1.5: authentication type ${hexByte(header.authType)}, the session uses ${hexByte(protection.authType)}`,
        request,
        who,
      );
    const authentic = checkAuthCode15(
      header.authType,
      {
        password: protection.password,
        sessionId: header.sessionId,
        sequence: header.sequence,
        message: messageBytes,
      },
      header.authCode,
    );
    if (!authentic)
      return this.malformed(frame, from, "IPMI 1.5: the AuthCode does not check out", request, who);
    const seq = session.inbound.accept(header.sequence);
    if (!seq.ok) return this.malformed(frame, from, `IPMI 1.5: ${seq.reason}`, request, who);
    this.login.table.touch(session);
    this.route(frame, request, from, { version: "1.5", session }, who);
  }

  private rmcpPlus(frame: Uint8Array, body: Uint8Array, from: From): undefined {
    const outer = decodeRmcpPlus(body);
    if (!outer.ok && outer.error !== "extra-bytes")
      return this.malformed(frame, from, `RMCP+: ${outer.reason}`);
    // Session ID and payload type sit at fixed places (table 13-8), whatever the trailer holds.
    const payloadType = body[1]! & 0x3f;
    const sessionId = readLe32(body, 2);
    if (sessionId === 0) return this.outsideSession(frame, body, payloadType, from);

    const session = this.login.table.get(sessionId);
    if (session?.protection.kind !== "rmcp+")
      return this.malformed(frame, from, `RMCP+: no session with ID ${hex32(sessionId)}`);
    const who = this.requesterOf(session, from);
    const opened = openRmcpPlus(session.protection.crypto, body);
    if (!opened.ok) return this.malformed(frame, from, `RMCP+: ${opened.reason}`, undefined, who);
    if (opened.header.payloadType === PAYLOAD_TYPE.SOL && this.options.sol) {
      // SOL packets (15.9) go to the activated payload; they are the console's bytes, kept in
      // the console history rather than as exchanges. The sequence window still applies.
      const solSeq = session.inbound.accept(opened.header.sequence);
      if (!solSeq.ok) return this.malformed(frame, from, `RMCP+ SOL: ${solSeq.reason}`, undefined, who);
      this.login.table.touch(session);
      this.options.sol.fromConsole(session.id, opened.payload);
      return;
    }
    if (opened.header.payloadType !== PAYLOAD_TYPE.IPMI)
      return this.malformed(
        frame,
        from,
        `RMCP+: payload type ${PAYLOAD_TYPES.label(opened.header.payloadType)} is not supported`,
        undefined,
        who,
      );
    const seq = session.inbound.accept(opened.header.sequence);
    if (!seq.ok) return this.malformed(frame, from, `RMCP+: ${seq.reason}`, undefined, who);
    const m = decodeLanMessage(opened.payload);
    if (!m.ok) return this.malformed(frame, from, `RMCP+ IPMI message: ${m.reason}`, undefined, who);
    if (m.message.kind !== "request")
      return this.malformed(frame, from, "RMCP+: a response sent to the BMC", undefined, who);
    this.login.table.touch(session);
    this.route(frame, m.message, from, { version: "2.0", session }, who);
  }

  /** Session ID 0: the session set-up payloads, or an IPMI message before a session. */
  private outsideSession(frame: Uint8Array, body: Uint8Array, payloadType: number, from: From): undefined {
    const plain = decodeRmcpPlus(body);
    if (!plain.ok) return this.malformed(frame, from, `RMCP+: ${plain.reason}`);
    const { header, payload } = plain.message;
    if (header.authenticated || header.encrypted)
      return this.malformed(frame, from, "RMCP+: an authenticated or encrypted payload outside a session");
    switch (payloadType) {
      case PAYLOAD_TYPE.IPMI: {
        const m = decodeLanMessage(payload);
        if (!m.ok) return this.malformed(frame, from, `RMCP+ IPMI message: ${m.reason}`);
        if (m.message.kind !== "request")
          return this.malformed(frame, from, "RMCP+: a response sent to the BMC");
        return this.route(
          frame,
          m.message,
          from,
          { version: "2.0", session: undefined },
          this.sessionless(from),
        );
      }
      case PAYLOAD_TYPE.OPEN_SESSION_REQUEST: {
        if (this.guard.lockedFor(from.address) > 0) {
          // Refused before any user is named: no more guesses from this address for a while.
          return this.handshake(frame, payload, PAYLOAD_TYPE.OPEN_SESSION_RESPONSE, from, "open-session", {
            user: null,
            response: lockedOutOpenSession(payload),
            status: RMCP_PLUS_STATUS.INSUFFICIENT_RESOURCES,
            ok: false,
            note: `refused: ${from.address} is locked out for ${Math.ceil(this.guard.lockedFor(from.address) / 1000)} s after repeated failed logins`,
            sessionId: 0,
          });
        }
        return this.handshake(
          frame,
          payload,
          PAYLOAD_TYPE.OPEN_SESSION_RESPONSE,
          from,
          "open-session",
          this.login.openSession(payload, from.peer),
        );
      }
      case PAYLOAD_TYPE.RAKP_1: {
        const reply = this.login.rakp1(payload, from.peer);
        if (
          reply.status === RMCP_PLUS_STATUS.UNAUTHORIZED_NAME ||
          reply.status === RMCP_PLUS_STATUS.UNAUTHORIZED_ROLE
        )
          this.loginFailed(from, reply.user);
        return this.handshake(frame, payload, PAYLOAD_TYPE.RAKP_2, from, "rakp-1", reply);
      }
      case PAYLOAD_TYPE.RAKP_3: {
        const reply = this.login.rakp3(payload, from.peer);
        if (reply.ok) this.guard.succeeded(from.address);
        else if (
          reply.status !== RMCP_PLUS_STATUS.INVALID_SESSION_ID &&
          reply.status !== RMCP_PLUS_STATUS.ILLEGAL_PARAMETER
        )
          this.loginFailed(from, reply.user);
        return this.handshake(frame, payload, PAYLOAD_TYPE.RAKP_4, from, "rakp-3", reply);
      }
      default:
        return this.malformed(
          frame,
          from,
          `RMCP+: payload type ${PAYLOAD_TYPES.label(payloadType)} outside a session`,
        );
    }
  }

  private handshake(
    frame: Uint8Array,
    request: Uint8Array,
    responseType: number,
    from: From,
    payload: "open-session" | "rakp-1" | "rakp-3",
    reply: HandshakeReply,
  ): undefined {
    let datagram: Uint8Array | null = null;
    if (reply.response) {
      datagram = encodeRmcp(
        rmcpHeaderFor(RMCP_CLASS.IPMI),
        encodeRmcpPlus(
          { payloadType: responseType, encrypted: false, authenticated: false, sessionId: 0, sequence: 0 },
          reply.response,
        ),
      );
      this.transmit(datagram, from);
    }
    this.port?.record({
      payload,
      request: Uint8Array.from(request),
      response: reply.response,
      responseFrame: datagram,
      status: reply.status,
      ok: reply.ok,
      note: reply.note,
      frame,
      requester: {
        ...this.sessionless(from),
        sessionId: reply.sessionId,
        user: reply.user,
        privilege: reply.session ? privilegeName(reply.session.privilege) : "none",
      },
    });
  }

  private route(
    frame: Uint8Array,
    request: LanRequest,
    from: From,
    how: Omit<LanTag, "address" | "port" | "request">,
    requester: Requester,
  ): undefined {
    const tag: LanTag = { address: from.address, port: from.port, request, ...how };
    this.port?.request({
      seq: request.rqSeq,
      netFn: request.netFn,
      lun: request.rsLun,
      cmd: request.cmd,
      data: request.data,
      frame,
      tag,
      requester,
    });
  }

  // ---- sending --------------------------------------------------------------------------------

  send(res: BusResponse): SendResult {
    const tag = res.tag as LanTag | undefined;
    if (!tag) return "sent"; // a malformed record without a reply address: nothing to send
    const message = encodeLanResponse(responseTo(tag.request, res.cc, res.data));
    const datagram = tag.version === "2.0" ? this.seal20(tag, message) : this.seal15(tag, res, message);
    this.transmit(datagram, tag);
    res.sentFrame = datagram; // kept in the exchange record (responseFrame)
    if (tag.activation) this.afterActivation(tag, res);
    return "sent";
  }

  private seal15(tag: LanTag, res: BusResponse, message: Uint8Array): Uint8Array {
    const rmcp = (body: Uint8Array) => encodeRmcp(rmcpHeaderFor(RMCP_CLASS.IPMI), body);
    if (tag.activation) {
      // The Activate Session response goes under the temporary ID, numbered from the
      // console's initial outbound sequence number (22.17; FreeIPMI checks both).
      const { temporarySessionId, authType, password } = tag.activation;
      const session =
        res.cc === 0 && res.data.length >= 5 ? this.login.table.get(readLe32(res.data, 1)) : undefined;
      const sequence = session ? session.outboundSequence : 0;
      if (session) session.outboundSequence = (session.outboundSequence + 1) >>> 0 || 1;
      return rmcp(
        encodeSession15(
          { authType: authType as AuthType15, sequence, sessionId: temporarySessionId, password },
          message,
        ),
      );
    }
    const s = tag.session;
    if (s?.protection.kind !== "ipmi-1.5") {
      return rmcp(encodeSession15({ authType: AUTH_TYPE.NONE, sequence: 0, sessionId: 0 }, message));
    }
    const sequence = s.outboundSequence;
    s.outboundSequence = (s.outboundSequence + 1) >>> 0 || 1;
    return rmcp(
      encodeSession15(
        {
          authType: s.protection.authType as AuthType15,
          sequence,
          sessionId: s.id,
          password: s.protection.password,
        },
        message,
      ),
    );
  }

  private seal20(tag: LanTag, message: Uint8Array): Uint8Array {
    const rmcp = (body: Uint8Array) => encodeRmcp(rmcpHeaderFor(RMCP_CLASS.IPMI), body);
    const s = tag.session;
    if (s?.protection.kind !== "rmcp+") {
      return rmcp(
        encodeRmcpPlus(
          {
            payloadType: PAYLOAD_TYPE.IPMI,
            encrypted: false,
            authenticated: false,
            sessionId: 0,
            sequence: 0,
          },
          message,
        ),
      );
    }
    return sealInSession(s, s.protection, PAYLOAD_TYPE.IPMI, message);
  }

  /**
   * How SOL packets reach the console of an RMCP+ session: sealed with its keys as payload
   * type 01h and sent to its address; undefined when there is no such session.
   */
  solLink(sessionId: number): { send(payload: Uint8Array): void } | undefined {
    const s = this.login.table.get(sessionId);
    if (s?.protection.kind !== "rmcp+") return undefined;
    const protection = s.protection;
    return {
      send: (payload) => {
        if (s.closed) return;
        this.transmit(sealInSession(s, protection, PAYLOAD_TYPE.SOL, payload), {
          address: s.address,
          port: s.port,
        });
      },
    };
  }

  /** Activate Session's outcome counts for the address's failed logins. */
  private afterActivation(tag: LanTag, res: BusResponse): undefined {
    if (res.cc === 0) this.guard.succeeded(tag.address);
    else if (res.cc === ACTIVATE_SESSION_CC.PRIVILEGE_EXCEEDS_LIMIT) this.loginFailed(tag, null);
  }

  private transmit(datagram: Uint8Array, to: { address: string; port: number }): undefined {
    // No callback: a failed send surfaces as the socket's "error" event (logged), and Node
    // can then send without allocating a completion per datagram.
    this.socket?.send(datagram, to.port, to.address);
  }

  // ---- helpers --------------------------------------------------------------------------------

  /** Logins that stopped after RAKP 2 (a wrong password, at the console's end) go in the log. */
  private recordAbandoned(): undefined {
    for (const a of this.login.takeAbandoned()) {
      const { address, port } = splitPeer(a.peer);
      this.loginFailed({ address }, a.userName);
      this.port?.record({
        payload: "rakp-3",
        request: new Uint8Array(0),
        response: null,
        status: null,
        ok: false,
        note: `login of ${JSON.stringify(a.userName)} abandoned after RAKP 2: no RAKP 3 came (a console with the wrong password finds RAKP 2's code wrong and stops)`,
        frame: new Uint8Array(0),
        requester: {
          ...this.sessionless({ address, port, peer: a.peer }),
          sessionId: a.bmcSessionId,
          user: a.userName,
        },
      });
    }
  }

  private sessionless(from: From): Requester {
    return { channel: this.login.channel, peer: from.peer, sessionId: 0, user: null, privilege: "none" };
  }

  private requesterOf(s: LanSession, from: From): Requester {
    return {
      channel: s.channel,
      peer: from.peer,
      sessionId: s.id,
      user: s.userName,
      privilege: privilegeName(s.privilege),
    };
  }

  private loginFailed(from: { address: string }, user: string | null): undefined {
    if (this.guard.failed(from.address))
      this.log?.warn(
        `${this.id}: ${from.address} locked out after repeated failed logins${user === null ? "" : ` (last as ${JSON.stringify(user)})`}`,
      );
  }

  /** A 1.5 activation from a locked-out address: dropped and recorded. */
  private lockedOut(frame: Uint8Array, from: From, request: LanRequest): boolean {
    const ms = this.guard.lockedFor(from.address);
    if (ms === 0) return false;
    this.malformed(
      frame,
      from,
      `refused: ${from.address} is locked out for ${Math.ceil(ms / 1000)} s after repeated failed logins`,
      request,
    );
    return true;
  }

  private malformed(
    frame: Uint8Array,
    from: From,
    reason: string,
    request?: LanRequest,
    who?: Requester,
  ): undefined {
    this.port?.malformed({
      frame,
      reason,
      requester: who ?? this.sessionless(from),
      ...(request
        ? { header: { seq: request.rqSeq, netFn: request.netFn, lun: request.rsLun, cmd: request.cmd } }
        : {}),
    });
  }
}

interface From {
  address: string;
  port: number;
  peer: string;
}

const hex32 = (v: number) => hexN(v, 8);

const AUTH_TYPE_RMCP_PLUS = 0x06;

/** Open Session Response refusing with "insufficient resources" (the tag and console ID echoed when present). */
function lockedOutOpenSession(request: Uint8Array): Uint8Array {
  const out = new Uint8Array(8);
  out[0] = request[0] ?? 0;
  out[1] = RMCP_PLUS_STATUS.INSUFFICIENT_RESOURCES;
  out.set(request.subarray(4, 8), 4);
  return out;
}

/** One RMCP+ packet of `payloadType` in the session, with its next outbound sequence number. */
function sealInSession(
  s: LanSession,
  protection: Extract<LanSession["protection"], { kind: "rmcp+" }>,
  payloadType: number,
  message: Uint8Array,
): Uint8Array {
  const sequence = s.outboundSequence;
  s.outboundSequence = (s.outboundSequence + 1) >>> 0 || 1;
  return encodeRmcp(
    rmcpHeaderFor(RMCP_CLASS.IPMI),
    sealRmcpPlus(
      protection.crypto,
      { payloadType, sessionId: protection.consoleSessionId, sequence },
      message,
    ),
  );
}
