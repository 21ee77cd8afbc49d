/**
 * A LAN client that takes every session it can (IPMI 2.0 section 13.17 Open Session
 * requests it never finishes, and finished sessions it never closes): the table's limit
 * holds, further opens get status 01h (table 13-15: "Insufficient resources to create a
 * session"), the sessions already open keep working, and half-open and idle ones expire
 * so a legitimate console gets in afterwards.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_HANDSHAKES_PER_ADDRESS } from "../../bmc/sessions/lan-login";
import { PASSWORDS, rmcpPlusLogin } from "../../bmc/sessions/test-login";
import { openSessionRequest, openSessionResponse, RMCP_PLUS_STATUS } from "../../ipmi/lan/rakp";
import { decodeRmcpPlusDatagram, PAYLOAD_TYPE } from "../../ipmi/lan/rmcp-plus";
import { type LanBmc, SessionPlus, setupDatagram, startLanBmc, UdpClient, udpTransport } from "./test-client";

const LIMIT = 2;
let bmc: LanBmc;
let hostile: UdpClient;
let legit: UdpClient;

beforeEach(async () => {
  bmc = await startLanBmc({ table: { limit: LIMIT, idleTimeoutMs: 60_000 } });
  hostile = await UdpClient.open(bmc.port);
  legit = await UdpClient.open(bmc.port);
});

afterEach(async () => {
  await hostile.close();
  await legit.close();
  await bmc.stop();
});

/** Sends an Open Session Request (cipher suite 3) and returns the response's status. */
async function openOnly(client: UdpClient, consoleSessionId: number): Promise<number> {
  const d = await client.request(
    setupDatagram(
      PAYLOAD_TYPE.OPEN_SESSION_REQUEST,
      openSessionRequest.pack({
        tag: consoleSessionId & 0xff,
        maxPrivilege: 0,
        consoleSessionId,
        authentication: { algorithm: 1 },
        integrity: { algorithm: 1 },
        confidentiality: { algorithm: 1 },
      }),
    ),
  );
  const m = decodeRmcpPlusDatagram(d);
  if (!m.ok) throw new Error(m.reason);
  return openSessionResponse.unpack(m.message.payload).status;
}

async function login(client: UdpClient): Promise<SessionPlus> {
  const c = await rmcpPlusLogin(udpTransport(client), { user: "admin", password: PASSWORDS.admin, suite: 3 });
  return new SessionPlus(c.bmcSessionId, c.consoleSessionId, c.crypto);
}

async function until(test: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("a LAN client hoarding sessions", () => {
  it("gets 01h for half-open handshakes past the bound, and they expire so a console gets in", async () => {
    let refused = 0;
    let opened = 0;
    for (let i = 1; i <= 40; i++) {
      const status = await openOnly(hostile, 0x1000 + i);
      if (status === 0) opened++;
      else {
        expect(status).toBe(RMCP_PLUS_STATUS.INSUFFICIENT_RESOURCES);
        refused++;
      }
    }
    // Handshakes are not sessions: the table stays empty, one address's handshakes are bounded.
    expect(opened).toBe(MAX_HANDSHAKES_PER_ADDRESS);
    expect(refused).toBe(40 - opened);
    expect(bmc.table.list()).toHaveLength(0);
    expect(bmc.login.pendingHandshakes).toBe(opened);
    const refusal = bmc.records.filter((x) => /logins under way|handshakes are in use/.test(x.note ?? ""));
    expect(refusal.length).toBeGreaterThan(0);

    // Same address as the hoarder (loopback): refused until the handshakes expire (10 s).
    expect(await openOnly(legit, 0x2000)).toBe(RMCP_PLUS_STATUS.INSUFFICIENT_RESOURCES);
    bmc.clock.t += 10_001;
    const s = await login(legit);
    expect((await s.request(legit, 0x06, 0x01)).completionCode).toBe(0);
    expect(bmc.login.pendingHandshakes).toBe(0);
  });

  it("holds the session limit against sessions never closed; open ones keep working; idle ones expire", async () => {
    const first = await login(hostile);
    const second = await login(hostile);
    expect(bmc.table.list()).toHaveLength(LIMIT);

    // Full: Open Session is refused with 01h and the refusal is in the log with its reason.
    expect(await openOnly(legit, 0x3000)).toBe(RMCP_PLUS_STATUS.INSUFFICIENT_RESOURCES);
    await expect(login(legit)).rejects.toThrow(/Open Session Response status 1\b/);
    expect(bmc.records.some((x) => new RegExp(`all ${LIMIT} sessions`).test(x.note ?? ""))).toBe(true);
    expect(bmc.table.list()).toHaveLength(LIMIT);

    // The sessions already open are not disturbed by the refusals.
    expect((await first.request(hostile, 0x06, 0x01)).completionCode).toBe(0);
    expect((await second.request(hostile, 0x06, 0x01)).completionCode).toBe(0);

    // `first` stays busy, `second` goes quiet past the idle timeout and is swept.
    bmc.clock.t += 50_000;
    expect((await first.request(hostile, 0x06, 0x01)).completionCode).toBe(0);
    bmc.clock.t += 15_000;
    await until(() => bmc.table.list().length === 1, "the idle session to be swept");
    expect(bmc.table.get(first.bmcSessionId)).toBeDefined();
    expect(bmc.table.get(second.bmcSessionId)).toBeUndefined();

    const s = await login(legit);
    expect((await s.request(legit, 0x06, 0x01)).completionCode).toBe(0);
    expect((await first.request(hostile, 0x06, 0x01)).completionCode).toBe(0);
  });
});
