/**
 * Several buses on one router, from BUSES, in a real server process: the health and the
 * dashboard's bus list say each one's interface, transport, address and state; the host
 * on bt0 bridges a request to the simulated satellite on ipmb0 with Send Message and
 * reads the answer back through the receive message queue (Get Message Flags, Get
 * Message), as Linux's ipmi_msghandler does for `ipmitool -b 0 -t 0x72`; the BMC's own
 * request on IPMB is in the log with origin "bridged". A bad list stops the server
 * naming the entry.
 */
import net from "node:net";
import { io } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ExchangesPage, HealthResponse } from "../contract/api";
import { LIVE_NAMESPACE, type LiveEvent } from "../contract/events";
import type { ExchangeDto } from "../contract/exchange";
import type { QueuesSnapshot } from "../contract/queues";
import { ipmbChecksum } from "../ipmi/ipmb/ipmb-frame";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { type RunningServer, startServer } from "./server-process";

let tdb: TestDatabase;
let server: RunningServer;
let cookie: string;

const api = (p: string, init: RequestInit = {}) =>
  fetch(`${server.url}${p}`, {
    ...init,
    headers: { "content-type": "application/json", cookie, ...(init.headers as object) },
  });

async function inject(netFn: number, cmd: number, data: number[] = []): Promise<ExchangeDto> {
  const hex = data.map((b) => b.toString(16).padStart(2, "0")).join(" ");
  const res = await api("/api/inject", {
    method: "POST",
    body: JSON.stringify({ bus: "bt0", netFn, cmd, data: hex }),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return ((await res.json()) as { exchange: ExchangeDto }).exchange;
}

const bytes = (hex: string | null) =>
  (hex ?? "")
    .split(" ")
    .filter(Boolean)
    .map((h) => Number.parseInt(h, 16));

beforeAll(async () => {
  tdb = await createTestDatabase();
  server = await startServer({
    DATABASE_URL: tdb.url,
    BUSES: "bt:sim, kcs:qemu@127.0.0.1:0, ipmb:sim, lan@127.0.0.1:0",
    SIM_RATE: "5",
    LOG_LEVEL: "info",
  });
  cookie = await server.login();
});

afterAll(async () => {
  await server?.stop().catch(() => undefined);
  await tdb?.cleanup();
});

describe("BUSES: several buses on one router", () => {
  it("runs each listed bus, and says its interface, transport, address and state", async () => {
    const health = (await (await api("/api/health")).json()) as HealthResponse;
    expect(health.buses.map((b) => [b.id, b.kind, b.transport, b.state])).toEqual([
      ["bt0", "bt", "sim", "up"],
      // Listening for a QEMU that never comes.
      ["kcs0", "kcs", "qemu", "waiting"],
      ["ipmb0", "ipmb", "sim", "up"],
      ["lan0", "lan", "udp", "up"],
    ]);
    expect(health.buses.find((b) => b.id === "kcs0")?.address).toMatch(/^127\.0\.0\.1:0$/);
    expect(server.output()).toMatch(
      /bus ipmb0: IPMB \(channel 0, BMC at 0x20\), simulated satellite controller at 0x72/,
    );
  });

  it("tells the live view when a bus's state changes: kcs0 goes up when a VM connects", async () => {
    const health = (await (await api("/api/health")).json()) as HealthResponse;
    const description = health.buses.find((b) => b.id === "kcs0")!.description;
    const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(description)![1]);
    const states: string[] = [];
    const socket = io(`${server.url}${LIVE_NAMESPACE}`, {
      transports: ["websocket"],
      reconnection: false,
      extraHeaders: { cookie },
    });
    socket.on("live", (events: LiveEvent[], ack: () => void) => {
      for (const e of events)
        if (e.type === "buses") states.push(e.buses.find((b) => b.id === "kcs0")!.state);
      ack();
    });
    await new Promise<void>((resolve) => socket.once("snapshot", () => resolve()));
    // Anything that connects to the VM socket is the VM as far as the bus can tell.
    const vm = net.connect({ host: "127.0.0.1", port });
    try {
      await vi.waitFor(() => expect(states).toContain("up"), { timeout: 5000, interval: 50 });
      vm.destroy();
      await vi.waitFor(() => expect(states.at(-1)).toBe("waiting"), { timeout: 5000, interval: 50 });
    } finally {
      vm.destroy();
      socket.close();
    }
  });

  it("bridges Send Message from the host to the satellite, the answer coming back through Get Message", async () => {
    // Send Message as Linux's format_ipmb_msg builds it for `ipmitool -b 0 -t 0x72 mc info`:
    // channel 0, no tracking bits, then the IPMB request with the BMC as requester
    // (20h, LUN 2: SMS) and the host's rqSeq 5.
    const header = [0x72, 0x06 << 2];
    const body = [0x20, (5 << 2) | 2, 0x01];
    const frame = [
      ...header,
      ipmbChecksum(Uint8Array.from(header)),
      ...body,
      ipmbChecksum(Uint8Array.from(body)),
    ];
    const sent = await inject(0x06, 0x34, [0x00, ...frame]);
    expect(sent).toMatchObject({ cc: 0, status: "ok", handlerId: expect.stringMatching(/send-message/) });

    // The satellite's answer waits in the receive message queue; the host is told by its flag.
    await vi.waitFor(
      async () => {
        const q = (await (await api("/api/bmc/queues")).json()) as QueuesSnapshot;
        expect(q.receiveMessageQueue.entries).toHaveLength(1);
        expect(q.messageFlags & 0x01).toBe(1);
      },
      { timeout: 5000, interval: 50 },
    );
    expect(bytes((await inject(0x06, 0x31)).response)[0]! & 0x01).toBe(1);

    // Get Message: channel 0, then the IPMB response without its rsSA, read as Linux's
    // handle_ipmb_get_msg_rsp reads it (rsp[3..] of the whole response).
    const got = await inject(0x06, 0x33);
    expect(got.cc).toBe(0);
    const rsp = [(0x06 << 2) | 1, 0x33, 0x00, ...bytes(got.response)];
    expect(rsp[3]! & 0x0f).toBe(0); // channel
    expect(rsp[4]! >> 2).toBe(0x07); // App response
    expect(rsp[6]).toBe(0x72); // from the satellite
    expect(rsp[7]! >> 2).toBe(5); // the host's own rqSeq back
    expect(rsp[8]).toBe(0x01); // Get Device ID
    expect(rsp[9]).toBe(0x00); // its completion code
    expect(rsp.length).toBeGreaterThan(11 + 10);

    // Read, the queue is empty again: Get Message answers 80h.
    expect((await inject(0x06, 0x33)).cc).toBe(0x80);

    // The BMC's own request on ipmb0 is in the log, marked as bridged.
    await vi.waitFor(
      async () => {
        const page = (await (
          await api(`/api/exchanges?filter=${encodeURIComponent("origin == bridged")}`)
        ).json()) as ExchangesPage;
        expect(page.exchanges).toEqual([
          expect.objectContaining({
            busId: "ipmb0",
            netFn: 0x06,
            cmd: 0x01,
            cc: 0,
            status: "ok",
            origin: "bridged",
          }),
        ]);
      },
      { timeout: 5000, interval: 100 },
    );
  });

  it("answers Send Message to a channel with no IPMB bus with CCh", async () => {
    const header = [0x72, 0x06 << 2];
    const body = [0x20, (6 << 2) | 2, 0x01];
    const frame = [
      ...header,
      ipmbChecksum(Uint8Array.from(header)),
      ...body,
      ipmbChecksum(Uint8Array.from(body)),
    ];
    expect((await inject(0x06, 0x34, [0x07, ...frame])).cc).toBe(0xcc);
  });
});

describe("a bad bus list", () => {
  it("stops the server naming the entry", async () => {
    const bad = await createTestDatabase();
    try {
      await expect(startServer({ DATABASE_URL: bad.url, BUSES: "bt:sim, kcs:usb@/dev/x" })).rejects.toThrow(
        "BUSES: entry 2 'kcs:usb@/dev/x': kcs has no transport 'usb': one of device, qemu",
      );
    } finally {
      await bad.cleanup();
    }
  });
});
