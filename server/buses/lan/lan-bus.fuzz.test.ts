/**
 * The LAN bus against random and mutated datagrams (fast-check): whatever arrives, the bus
 * answers or drops it without an internal error, records each datagram at most once, keeps
 * its session table and pending handshakes within their limits, and a console that does
 * everything right still logs in afterwards.
 *
 * The bus under test has its per-client rate limit and login lockout opened wide: both are
 * tested on their own (rate-limit.test.ts, lan-bus.test.ts), and here they would only turn
 * the fuzzer's garbage into "dropped" and "locked out".
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_HANDSHAKES_PER_ADDRESS } from "../../bmc/sessions/lan-login";
import { PASSWORDS, rmcpPlusLogin } from "../../bmc/sessions/test-login";
import type { Exchange } from "../../contract/exchange";
import { getSessionChallenge } from "../../ipmi/commands/app";
import { padUserName } from "../../ipmi/lan/auth15";
import { openSessionRequest, openSessionResponse, rakp1, rakp2, rakp3 } from "../../ipmi/lan/rakp";
import { encodePresencePing } from "../../ipmi/lan/rmcp";
import { decodeRmcpPlusDatagram, encodeRmcpPlusDatagram, PAYLOAD_TYPE } from "../../ipmi/lan/rmcp-plus";
import { mutate, mutationsArb } from "../../testing/fuzz/mutate";
import {
  DEVICE_ID_DATA,
  type LanBmc,
  lanRequest,
  login15,
  SessionPlus,
  sessionless15,
  setupDatagram,
  startLanBmc,
  UdpClient,
  udpTransport,
} from "./test-client";

const SESSION_LIMIT = 8;
/** LanLogin's MAX_HANDSHAKES. */
const HANDSHAKE_LIMIT = 32;

let bmc: LanBmc;
/** Sends the fuzzed datagrams. */
let fuzzer: UdpClient;
/** Pings after each datagram: its pong means the bus has handled everything sent before. */
let fence: UdpClient;
/** A console doing everything right. */
let console_: UdpClient;

beforeAll(async () => {
  bmc = await startLanBmc({
    table: { limit: SESSION_LIMIT },
    rate: { rate: 1e9, burst: 1e9 },
    logins: { maxFailures: Number.MAX_SAFE_INTEGER, windowMs: 1, lockoutMs: 1 },
  });
  fuzzer = await UdpClient.open(bmc.port);
  fence = await UdpClient.open(bmc.port);
  console_ = await UdpClient.open(bmc.port);
});

afterAll(async () => {
  await Promise.all([fuzzer.close(), fence.close(), console_.close()]);
  await bmc.stop();
});

const BROKEN = /internal error|handler threw|does not fit its layout/;

/** Not caused by a datagram: the fence's pongs and the bus's timer records of abandoned logins. */
function fromFuzzer(x: Exchange): boolean {
  return x.peer !== fence.peer && !/abandoned after RAKP 2/.test(x.note ?? "");
}

/**
 * Feeds one datagram and waits until the bus handled it (the fence's ping comes after it in
 * the BMC's receive queue: loopback keeps the order). Returns the records it caused.
 */
async function feed(datagram: Uint8Array): Promise<Exchange[]> {
  const before = bmc.records.length;
  await fuzzer.send(datagram);
  expect(await fence.barrier(0x42)).toEqual([]);
  fuzzer.takeAll();
  return bmc.records.slice(before).filter(fromFuzzer);
}

function checkRecords(records: Exchange[]): void {
  expect(records.length).toBeLessThanOrEqual(1);
  for (const x of records) expect(x.note ?? "").not.toMatch(BROKEN);
  expect(bmc.table.count(1)).toBeLessThanOrEqual(SESSION_LIMIT);
  expect(bmc.login.pendingHandshakes).toBeLessThanOrEqual(HANDSHAKE_LIMIT);
}

/**
 * After the fuzzing: handshakes and idle sessions time out (the clock moves 61 s), then a
 * console logs in both ways and gets the device ID.
 */
async function stillWorks(): Promise<void> {
  bmc.clock.t += 61_000;
  bmc.table.sweep();
  console_.takeAll();
  const s15 = await login15(console_, "admin", PASSWORDS.admin, { setPrivilege: 4 });
  const r15 = await s15.request(console_, 0x06, 0x01);
  expect(r15.completionCode).toBe(0);
  expect([...r15.data]).toEqual(DEVICE_ID_DATA);
  const c = await rmcpPlusLogin(udpTransport(console_), {
    user: "admin",
    password: PASSWORDS.admin,
    suite: 17,
  });
  const s20 = new SessionPlus(c.bmcSessionId, c.consoleSessionId, c.crypto);
  const r20 = await s20.request(console_, 0x06, 0x01);
  expect(r20.completionCode).toBe(0);
  expect([...r20.data]).toEqual(DEVICE_ID_DATA);
  expect(bmc.records.some((x) => BROKEN.test(x.note ?? ""))).toBe(false);
}

// ---- valid datagrams of each kind, from live state -------------------------------------------

const openRequest = (consoleSessionId: number, suite: [number, number, number] = [3, 4, 1], requested = 0) =>
  openSessionRequest.pack({
    tag: 0x31,
    maxPrivilege: requested,
    consoleSessionId,
    authentication: { algorithm: suite[0] },
    integrity: { algorithm: suite[1] },
    confidentiality: { algorithm: suite[2] },
  });

/** Open Session from the fuzzer's own address (handshakes are bound to the peer), then RAKP 1. */
async function handshakeSeeds(): Promise<{ rakp1: Uint8Array; rakp3: Uint8Array }> {
  const send = udpTransport(fuzzer);
  fuzzer.takeAll();
  const open = openSessionResponse.unpack(
    (await send(PAYLOAD_TYPE.OPEN_SESSION_REQUEST, openRequest(0x7001)))!,
  );
  const bmcSessionId = open.session!.bmcSessionId;
  const m1 = rakp1.pack({
    tag: 0x32,
    bmcSessionId,
    consoleRandom: new Uint8Array(16).fill(3),
    role: 4,
    userName: new TextEncoder().encode("admin"),
  });
  expect(rakp2.unpack((await send(PAYLOAD_TYPE.RAKP_1, m1))!).status).toBe(0);
  return {
    rakp1: setupDatagram(PAYLOAD_TYPE.RAKP_1, m1),
    rakp3: setupDatagram(
      PAYLOAD_TYPE.RAKP_3,
      rakp3.pack({ tag: 0x33, status: 0, bmcSessionId, authCode: new Uint8Array(32).fill(0x5c) }),
    ),
  };
}

async function seeds(): Promise<Record<string, Uint8Array>> {
  const s15 = await login15(console_, "admin", PASSWORDS.admin);
  const c = await rmcpPlusLogin(udpTransport(console_), {
    user: "admin",
    password: PASSWORDS.admin,
    suite: 17,
  });
  const s20 = new SessionPlus(c.bmcSessionId, c.consoleSessionId, c.crypto);
  const hs = await handshakeSeeds();
  return {
    ping: encodePresencePing(0x11),
    "1.5 sessionless": sessionless15(0x06, 0x38, [0x8e, 0x04]),
    "1.5 challenge": sessionless15(
      0x06,
      0x39,
      getSessionChallenge.request.pack({ authType: 2, userName: padUserName("admin") }),
    ),
    "1.5 in-session": s15.datagram(0x06, 0x01),
    "RMCP+ open session": setupDatagram(PAYLOAD_TYPE.OPEN_SESSION_REQUEST, openRequest(0x7002)),
    "RAKP 1": hs.rakp1,
    "RAKP 3": hs.rakp3,
    "RMCP+ in-session": s20.datagram(0x06, 0x01),
    "RMCP+ sessionless": encodeRmcpPlusDatagram(
      { payloadType: PAYLOAD_TYPE.IPMI, encrypted: false, authenticated: false, sessionId: 0, sequence: 0 },
      lanRequest(0x06, 0x01),
    ),
  };
}

// ---- properties --------------------------------------------------------------------------------

describe("LAN bus fuzzing", () => {
  it("handles random datagrams: no internal error, at most one record each", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), async (d) => checkRecords(await feed(d))),
      { numRuns: 300 },
    );
    await stillWorks();
  });

  it("handles random bodies behind valid RMCP, IPMI 1.5 and RMCP+ headers", async () => {
    const live = await seeds();
    const liveIds = [...bmc.table.list().map((s) => s.id), 0];
    const body = fc.oneof(
      // RMCP class IPMI / ASF / OEM, then anything
      fc
        .tuple(fc.constantFrom(0x06, 0x07, 0x08), fc.uint8Array({ maxLength: 200 }))
        .map(([cls, rest]) => Uint8Array.from([0x06, 0x00, 0xff, cls, ...rest])),
      // an RMCP+ session header with a consistent payload length
      fc
        .tuple(
          fc.constantFrom(0x00, 0x10, 0x12, 0x14, 0x40, 0xc0, 0x01, 0x02),
          fc.constantFrom(...liveIds),
          fc.integer({ min: 0, max: 0xffffffff }),
          fc.uint8Array({ maxLength: 120 }),
          fc.uint8Array({ maxLength: 24 }),
        )
        .map(([type, id, seq, payload, trailer]) =>
          Uint8Array.from([
            0x06,
            0x00,
            0xff,
            0x07,
            0x06,
            type,
            id & 0xff,
            (id >>> 8) & 0xff,
            (id >>> 16) & 0xff,
            id >>> 24,
            seq & 0xff,
            (seq >>> 8) & 0xff,
            (seq >>> 16) & 0xff,
            seq >>> 24,
            payload.length & 0xff,
            payload.length >> 8,
            ...payload,
            ...trailer,
          ]),
        ),
      // an IPMI 1.5 session header (auth type none or MD5) with a consistent message length
      fc
        .tuple(
          fc.constantFrom(0x00, 0x02, 0x04),
          fc.constantFrom(...liveIds),
          fc.integer({ min: 0, max: 0xffffffff }),
          fc.uint8Array({ minLength: 0, maxLength: 60 }),
        )
        .map(([auth, id, seq, message]) =>
          Uint8Array.from([
            0x06,
            0x00,
            0xff,
            0x07,
            auth,
            seq & 0xff,
            (seq >>> 8) & 0xff,
            (seq >>> 16) & 0xff,
            seq >>> 24,
            id & 0xff,
            (id >>> 8) & 0xff,
            (id >>> 16) & 0xff,
            id >>> 24,
            ...(auth === 0 ? [] : new Uint8Array(16)),
            message.length,
            ...message,
          ]),
        ),
    );
    await fc.assert(
      fc.asyncProperty(body, async (d) => checkRecords(await feed(d))),
      { numRuns: 400 },
    );
    expect(Object.keys(live)).toHaveLength(9);
    await stillWorks();
  });

  it("handles mutations of valid datagrams of every kind", async () => {
    const live = await seeds();
    const kinds = Object.keys(live);
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...kinds), mutationsArb, async (kind, mutations) => {
        seen.add(kind);
        checkRecords(await feed(mutate(live[kind]!, mutations)));
      }),
      { numRuns: 500 },
    );
    expect(seen.size).toBe(kinds.length);
    await stillWorks();
  });

  it.each(["1.5 in-session", "RMCP+ in-session", "RAKP 1", "RMCP+ open session"])(
    "handles mutations of a valid %s datagram",
    async (kind) => {
      const live = await seeds();
      await fc.assert(
        fc.asyncProperty(mutationsArb, async (mutations) =>
          checkRecords(await feed(mutate(live[kind]!, mutations))),
        ),
        { numRuns: 200 },
      );
      await stillWorks();
    },
  );

  it("keeps the session table and pending handshakes within their limits under Open Session floods", async () => {
    bmc.clock.t += 61_000;
    bmc.table.sweep();
    const openArb = fc.record({
      consoleSessionId: fc.integer({ min: 0, max: 0xffffffff }),
      suite: fc.constantFrom<[number, number, number]>([3, 4, 1], [1, 1, 1], [0, 0, 0], [1, 4, 1], [3, 4, 0]),
      requested: fc.integer({ min: 0, max: 15 }),
    });
    let accepted = 0;
    let refusedForRoom = 0;
    let flooded = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(openArb, { minLength: 100, maxLength: 200 }), async (requests) => {
        const before = bmc.records.length;
        flooded += requests.length;
        for (const r of requests) {
          await fuzzer.send(
            setupDatagram(
              PAYLOAD_TYPE.OPEN_SESSION_REQUEST,
              openRequest(r.consoleSessionId, r.suite, r.requested & 0x0f),
            ),
          );
        }
        expect(await fence.barrier(0x43)).toEqual([]);
        const records = bmc.records.slice(before).filter(fromFuzzer);
        expect(records).toHaveLength(requests.length);
        for (const x of records) {
          expect(x.payload).toBe("open-session");
          expect(x.note ?? "").not.toMatch(BROKEN);
          if (x.cc === 0) accepted++;
          if (x.cc === 0x01) refusedForRoom++;
        }
        // Every request was answered with an Open Session Response.
        const answers = fuzzer.takeAll();
        expect(answers.length).toBeLessThanOrEqual(requests.length);
        for (const a of answers) {
          const m = decodeRmcpPlusDatagram(a);
          expect(m.ok && m.message.header.payloadType).toBe(PAYLOAD_TYPE.OPEN_SESSION_RESPONSE);
        }
        expect(bmc.login.pendingHandshakes).toBeLessThanOrEqual(HANDSHAKE_LIMIT);
        expect(bmc.table.count(1)).toBeLessThanOrEqual(SESSION_LIMIT);
      }),
      { numRuns: 15 },
    );
    // One address (the fuzzer's) gets at most its share of the waiting handshakes.
    expect(accepted).toBe(MAX_HANDSHAKES_PER_ADDRESS);
    expect(flooded).toBeGreaterThanOrEqual(1500);
    expect(refusedForRoom).toBeGreaterThan(100);
    expect(bmc.login.pendingHandshakes).toBe(MAX_HANDSHAKES_PER_ADDRESS);

    // While they wait, another login from the same address is refused (01h) too.
    await expect(
      rmcpPlusLogin(udpTransport(console_), { user: "admin", password: PASSWORDS.admin, suite: 17 }),
    ).rejects.toThrow(/Open Session Response status 1\b/);
    await stillWorks();
  });

  it("never opens more sessions than the limit, however many consoles log in", async () => {
    bmc.clock.t += 61_000;
    bmc.table.sweep();
    let opened = 0;
    let refused = 0;
    for (let i = 0; i < SESSION_LIMIT + 6; i++) {
      try {
        if (i % 2 === 0) await login15(console_, "admin", PASSWORDS.admin);
        else
          await rmcpPlusLogin(udpTransport(console_), { user: "admin", password: PASSWORDS.admin, suite: 3 });
        opened++;
      } catch {
        refused++;
        console_.takeAll();
      }
      expect(bmc.table.count(1)).toBeLessThanOrEqual(SESSION_LIMIT);
    }
    expect(opened).toBe(SESSION_LIMIT);
    expect(refused).toBe(6);
    await stillWorks();
  });
});
