/**
 * One fuzzing rig per bus kind: the bus's own code (framing, decoding, its per-bus rules)
 * under the product's Router with the BMC's handlers, wired to an in-memory "wire" instead
 * of a device, a TCP socket or a UDP socket, so a million inputs go through in seconds and
 * every byte the bus sends back is seen synchronously. The device transports and sockets
 * under the buses have tests of their own (device doubles, UDP, QEMU); what is fuzzed here
 * is what decides on the bytes. Test and benchmark code only: no vitest import.
 */
import { EventEmitter } from "node:events";
import { createBmc } from "../../bmc";
import { sessionHandlers } from "../../bmc/handlers/session";
import { PASSWORDS, rmcpPlusLogin, testLogin } from "../../bmc/sessions/test-login";
import { BtBus } from "../../buses/bt/bt-bus";
import { decodeBtRequest, decodeBtResponse, encodeBtRequest } from "../../buses/bt/bt-codec";
import { SystemInterfaceBus } from "../../buses/device/si-bus";
import type { SiTransport } from "../../buses/device/si-device-transport";
import { IpmbBus } from "../../buses/ipmb/ipmb-bus";
import { KCS_FRAMING } from "../../buses/kcs/create-kcs-bus";
import { decodeKcsRequest, decodeSiResponse, encodeSiRequest } from "../../buses/kcs/kcs-codec";
import { LanBus } from "../../buses/lan/lan-bus";
import { SSIF_FRAMING } from "../../buses/ssif/create-ssif-bus";
import { decodeSsifRequest, encodeSsifRequest, unwrapSsif } from "../../buses/ssif/ssif-codec";
import { VmBus } from "../../buses/vm/vm-bus";
import { encodeVmControl, encodeVmMessage, VM_CMD, VmDecoder } from "../../buses/vm/vm-codec";
import type { Exchange } from "../../contract/exchange";
import { decodeIpmbFrame, encodeIpmbRequest, encodeIpmbResponse } from "../../ipmi/ipmb/ipmb-frame";
import { AUTH_TYPE } from "../../ipmi/lan/auth15";
import { type SessionCrypto, sealRmcpPlus } from "../../ipmi/lan/crypto";
import { openSessionRequest, openSessionResponse, rakp1, rakp3 } from "../../ipmi/lan/rakp";
import { decodeRmcp, encodePresencePing, encodeRmcp, RMCP_CLASS, rmcpHeaderFor } from "../../ipmi/lan/rmcp";
import { decodeRmcpPlusDatagram, encodeRmcpPlusDatagram, PAYLOAD_TYPE } from "../../ipmi/lan/rmcp-plus";
import { encodeLanRequest, encodeSession15Datagram } from "../../ipmi/lan/session15";
import { Router } from "../../router/router";
import type { Bus } from "../../router/types";

export type FuzzBusKind = "bt" | "kcs" | "ssif" | "ipmb" | "vm" | "lan";
export const FUZZ_BUS_KINDS: readonly FuzzBusKind[] = ["bt", "kcs", "ssif", "ipmb", "vm", "lan"];

/** Notes that mean the code under test failed, not the input: a crash caught by a safety net. */
export const BROKEN_NOTE = /internal error|handler threw|does not fit its layout/;

/** A well-formed request and how to recognise its answer among what the bus sent. */
export interface Probe {
  /** Hands the request to the bus, from where such a request comes. */
  send(): void;
  isAnswer(out: Uint8Array): boolean;
}

export interface ExchangeCounts {
  total: number;
  malformed: number;
  /** Exchanges whose note says the code under test failed (BROKEN_NOTE), with the first few notes. */
  broken: number;
  brokenNotes: string[];
}

export interface FuzzRig {
  kind: FuzzBusKind;
  router: Router;
  /** Valid frames of every kind the bus takes, to mutate. */
  seeds: Uint8Array[];
  /** The longest random input worth generating. */
  maxLength: number;
  /** Hands the bytes to the bus as its wire would deliver them. */
  push(input: Uint8Array): void;
  /** What the bus put on the wire since the last take. */
  take(): Uint8Array[];
  /** The n-th well-formed request (n distinguishes it from the others where the framing allows). */
  probe(n: number): Probe;
  /** The bus's codec alone on the input (the benchmark's baseline). */
  decodeOnly(input: Uint8Array): unknown;
  /**
   * True when the bus must record this input as malformed (its codec refuses it); false when
   * that depends on state the input alone does not show (a VM stream's unfinished frame).
   */
  refuses(input: Uint8Array): boolean;
  counts: ExchangeCounts;
  stop(): Promise<void>;
}

/** Lets the router and handlers finish what an input started (microtasks and immediate work). */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function counter(router: Router): ExchangeCounts {
  const counts: ExchangeCounts = { total: 0, malformed: 0, broken: 0, brokenNotes: [] };
  router.onExchange((x: Exchange) => {
    counts.total++;
    if (x.status === "malformed") counts.malformed++;
    if (x.note && BROKEN_NOTE.test(x.note)) {
      counts.broken++;
      if (counts.brokenNotes.length < 5) counts.brokenNotes.push(x.note);
    }
  });
  return counts;
}

/** The router as the server builds it for the host's buses: every BMC handler. */
async function routed(bus: Bus, extra: Parameters<Router["registry"]["register"]>[0][] = []) {
  // A generous timeout: no handler the fuzzer reaches waits on anything but the event loop.
  const router = new Router({ defaultTimeoutMs: 10_000 });
  const registered = new Set<string>();
  for (const spec of [...extra, ...createBmc().handlers]) {
    const key = `${spec.netFn}:${spec.cmd}`;
    if (registered.has(key)) continue;
    registered.add(key);
    router.registry.register(spec);
  }
  const counts = counter(router);
  router.addBus(bus);
  await bus.start();
  return { router, counts };
}

const GET_DEVICE_ID = { netFn: 0x06, cmd: 0x01 } as const;

// ---- BT ------------------------------------------------------------------------------------

async function btRig(): Promise<FuzzRig> {
  const out: Uint8Array[] = [];
  let deliver: (frame: Uint8Array) => void = () => {};
  const bus = new BtBus("bt0", {
    description: "fuzz wire",
    hostTimeoutMs: 5000,
    onFrame: (l) => {
      deliver = l;
    },
    write: (frame) => {
      out.push(frame);
      return "sent";
    },
    onWritable: () => {},
    open: async () => {},
    close: async () => {},
  });
  const { router, counts } = await routed(bus);
  const frame = (netFn: number, cmd: number, data: number[], seq = 1) =>
    encodeBtRequest({ netFn, lun: 0, seq, cmd, data: Uint8Array.from(data) });
  return {
    kind: "bt",
    router,
    counts,
    seeds: [
      frame(0x06, 0x01, []),
      frame(0x06, 0x36, []),
      frame(0x00, 0x01, []),
      frame(0x04, 0x2d, [0x01]),
      frame(0x0a, 0x23, [0x00, 0x00, 0x00, 0x00, 0x00, 0xff]),
      frame(0x0a, 0x10, [0x00]),
      frame(0x06, 0x34, [0x00, 0x72, 0x18, 0x76, 0x20, 0x04, 0x01, 0xdb]),
    ],
    maxLength: 260,
    push: (input) => deliver(Uint8Array.from(input)),
    take: () => out.splice(0),
    probe(n) {
      const seq = n & 0xff;
      return {
        send: () => deliver(frame(GET_DEVICE_ID.netFn, GET_DEVICE_ID.cmd, [], seq)),
        isAnswer(o) {
          const r = decodeBtResponse(o);
          return !("error" in r) && r.seq === seq && r.netFn === 0x07 && r.cmd === 0x01 && r.cc === 0;
        },
      };
    },
    decodeOnly: decodeBtRequest,
    refuses: (input) => !decodeBtRequest(input).ok,
    stop: () => bus.stop(),
  };
}

// ---- KCS and SSIF: a system interface holding one request at a time ------------------------

/** The device's rule the bus relies on: an answer to anything but the newest request is not delivered. */
class MemorySiTransport implements SiTransport {
  readonly description = "fuzz wire";
  readonly hostTimeoutMs = 5000;
  readonly out: Uint8Array[] = [];
  dropped = 0;
  private listener: (frame: Uint8Array, key: number) => void = () => {};
  private key = 0;
  private current: number | undefined;
  onMessage(listener: (frame: Uint8Array, key: number) => void): void {
    this.listener = listener;
  }
  onWritable(): void {}
  push(frame: Uint8Array): void {
    this.key = (this.key % 0x7fffffff) + 1;
    this.current = this.key;
    this.listener(Uint8Array.from(frame), this.key);
  }
  write(frame: Uint8Array, key: number | undefined): "sent" {
    if (key === undefined || key !== this.current) this.dropped++;
    else {
      this.current = undefined;
      this.out.push(frame);
    }
    return "sent";
  }
  async open(): Promise<void> {}
  async close(): Promise<void> {}
}

async function siRig(kind: "kcs" | "ssif"): Promise<FuzzRig> {
  const wire = new MemorySiTransport();
  const framing = kind === "kcs" ? KCS_FRAMING : SSIF_FRAMING;
  const bus = new SystemInterfaceBus(`${kind}0`, framing, wire);
  const { router, counts } = await routed(bus);
  const encode = kind === "kcs" ? encodeSiRequest : encodeSsifRequest;
  const frame = (netFn: number, cmd: number, data: number[]) =>
    encode({ netFn, lun: 0, cmd, data: Uint8Array.from(data) });
  const readResponse = (o: Uint8Array) => {
    if (kind === "kcs") return decodeSiResponse(o);
    const payload = unwrapSsif(o);
    return "error" in payload ? payload : decodeSiResponse(payload);
  };
  return {
    kind,
    router,
    counts,
    seeds: [
      frame(0x06, 0x01, []),
      frame(0x06, 0x31, []),
      frame(0x06, 0x57, [0x00]),
      frame(0x00, 0x02, [0x01]),
      frame(0x0a, 0x40, []),
      frame(0x06, 0x24, [0x44, 0x01, 0x00, 0x3e, 0x0a, 0x00]),
      frame(0x2c, 0x00, [0x00]),
    ],
    maxLength: kind === "kcs" ? 300 : 270,
    push: (input) => wire.push(input),
    take: () => wire.out.splice(0),
    probe() {
      // No sequence number on this interface: the answer is the one response after the probe.
      return {
        send: () => wire.push(frame(GET_DEVICE_ID.netFn, GET_DEVICE_ID.cmd, [])),
        isAnswer(o) {
          const r = readResponse(o);
          return !("error" in r) && r.netFn === 0x07 && r.cmd === 0x01 && r.cc === 0;
        },
      };
    },
    decodeOnly: kind === "kcs" ? decodeKcsRequest : decodeSsifRequest,
    refuses: (input) => !(kind === "kcs" ? decodeKcsRequest : decodeSsifRequest)(input).ok,
    stop: () => bus.stop(),
  };
}

// ---- IPMB ----------------------------------------------------------------------------------

async function ipmbRig(): Promise<FuzzRig> {
  const out: Uint8Array[] = [];
  let deliver: (frame: Uint8Array) => void = () => {};
  const bus = new IpmbBus("ipmb0", {
    description: "fuzz wire",
    onFrame: (l) => {
      deliver = l;
    },
    write: async (frame) => {
      out.push(frame);
    },
    open: async () => {},
    close: async () => {},
  });
  const { router, counts } = await routed(bus);
  const frame = (netFn: number, cmd: number, data: number[], rqSeq = 1, rqSA = 0x72) =>
    encodeIpmbRequest({
      rsSA: 0x20,
      netFn,
      rsLUN: 0,
      rqSA,
      rqSeq,
      rqLUN: 0,
      cmd,
      data: Uint8Array.from(data),
    });
  return {
    kind: "ipmb",
    router,
    counts,
    seeds: [
      frame(0x06, 0x01, []),
      frame(0x04, 0x2d, [0x01]),
      frame(0x0a, 0x48, []),
      frame(0x06, 0x34, [0x00, 0x72]),
      encodeIpmbResponse({
        rqSA: 0x20,
        netFn: 0x07,
        rqLUN: 0,
        rsSA: 0x72,
        rqSeq: 3,
        rsLUN: 0,
        cmd: 0x01,
        cc: 0,
        data: Uint8Array.from([0x01, 0x02]),
      }),
    ],
    maxLength: 40,
    push: (input) => deliver(Uint8Array.from(input)),
    take: () => out.splice(0),
    probe(n) {
      const rqSeq = n & 0x3f;
      // A requester address of the probes' own: fuzzed requests never share it.
      const rqSA = 0x82;
      return {
        send: () => deliver(frame(GET_DEVICE_ID.netFn, GET_DEVICE_ID.cmd, [], rqSeq, rqSA)),
        isAnswer(o) {
          const d = decodeIpmbFrame(o);
          return (
            d.ok &&
            d.kind === "response" &&
            d.message.rqSA === rqSA &&
            d.message.rqSeq === rqSeq &&
            d.message.cmd === 0x01 &&
            d.message.cc === 0
          );
        },
      };
    },
    decodeOnly: decodeIpmbFrame,
    refuses: (input) => !decodeIpmbFrame(input).ok,
    stop: () => bus.stop(),
  };
}

// ---- VM (QEMU's ipmi-bmc-extern) -----------------------------------------------------------

/** What VmBus uses of its net.Socket. */
class MemoryVmSocket extends EventEmitter {
  readonly out: Uint8Array[] = [];
  readonly remoteAddress = "fuzz";
  readonly remotePort = 0;
  setNoDelay(): this {
    return this;
  }
  write(chunk: Uint8Array): boolean {
    this.out.push(chunk);
    return true;
  }
  destroy(): this {
    return this;
  }
}

async function vmRig(): Promise<FuzzRig> {
  const bus = new VmBus({ host: "127.0.0.1", port: 0, interface: "kcs", id: "vm0" });
  const { router, counts } = await routed(bus);
  const socket = new MemoryVmSocket();
  // The connection QEMU would open: VmBus takes a socket only from its listener, so the
  // fuzz wire is handed to the same private method the listener calls.
  (bus as unknown as { adopt(s: MemoryVmSocket): void }).adopt(socket);
  socket.out.splice(0);
  const message = (id: number, netFn: number, cmd: number, data: number[]) =>
    encodeVmMessage(id, netFn << 2, cmd, data);
  const decoder = new VmDecoder();
  return {
    kind: "vm",
    router,
    counts,
    seeds: [
      message(1, 0x06, 0x01, []),
      message(2, 0x06, 0x2e, [0x0f]),
      message(3, 0x00, 0x01, []),
      message(4, 0x0a, 0x43, [0x00, 0x00, 0x00, 0x00, 0x00, 0xff]),
      message(5, 0x06, 0x35, []),
      encodeVmControl(VM_CMD.VERSION, 1),
      encodeVmControl(VM_CMD.CAPABILITIES, 0x3f),
      encodeVmControl(VM_CMD.RESET),
      Uint8Array.from([0xaa, 0xa0, 0xaa, 0xaa, 0xa1]),
    ],
    maxLength: 320,
    push: (input) => socket.emit("data", Buffer.from(input)),
    take: () => socket.out.splice(0),
    probe(n) {
      const id = n & 0xff;
      // A message end first: the probe starts a frame of its own whatever the fuzzer left unfinished.
      const m = message(id, GET_DEVICE_ID.netFn, GET_DEVICE_ID.cmd, []);
      const input = new Uint8Array(m.length + 1);
      input[0] = 0xa0;
      input.set(m, 1);
      return {
        send: () => socket.emit("data", Buffer.from(input)),
        isAnswer(o) {
          decoder.reset();
          const [e] = decoder.push(o);
          return e?.kind === "message" && e.id === id && e.netFnLun >> 2 === 0x07 && e.cmd === 0x01;
        },
      };
    },
    decodeOnly: (input) => new VmDecoder().push(input),
    refuses: () => false,
    stop: () => bus.stop(),
  };
}

// ---- LAN -----------------------------------------------------------------------------------

interface LanWire {
  receive(msg: Buffer, rinfo: { address: string; port: number; family: "IPv4"; size: number }): void;
}

let lanRqSeq = 0;
function lanRequest(netFn: number, cmd: number, data: number[] = []): Uint8Array {
  lanRqSeq = (lanRqSeq + 1) & 0x3f;
  return encodeLanRequest({
    rsAddr: 0x20,
    netFn,
    rsLun: 0,
    rqAddr: 0x81,
    rqSeq: lanRqSeq,
    rqLun: 0,
    cmd,
    data: Uint8Array.from(data),
  });
}

const setupDatagram = (payloadType: number, payload: Uint8Array) =>
  encodeRmcpPlusDatagram(
    { payloadType, encrypted: false, authenticated: false, sessionId: 0, sequence: 0 },
    payload,
  );

const sessionless15 = (netFn: number, cmd: number, data: number[] = []) =>
  encodeSession15Datagram(
    { authType: AUTH_TYPE.NONE, sequence: 0, sessionId: 0 },
    lanRequest(netFn, cmd, data),
  );

/** The ports the rig's clients send from: whose datagrams are whose answers. */
const LAN_PORTS = { fuzzer: 40001, probe: 40002, console: 40003 } as const;

/**
 * Fuzzed datagrams come from the console's own address, so mutations of its in-session
 * datagrams reach the session checks; probes alternate between a sessionless request from
 * an address of their own and a request in the console's RMCP+ session (suite 17).
 */
async function lanRig(): Promise<FuzzRig> {
  const { login } = testLogin({ table: { limit: 16 } });
  const bus = new LanBus({
    host: "127.0.0.1",
    port: 0,
    login,
    rate: { rate: 1e12, burst: 1e12 },
    logins: { maxFailures: Number.MAX_SAFE_INTEGER, windowMs: 1, lockoutMs: 1 },
  });
  const sent: { port: number; datagram: Uint8Array }[] = [];
  /** Where each datagram the rig handed out was sent: a probe's answer goes to the probe's port. */
  const sentTo = new WeakMap<Uint8Array, number>();
  // The bus's UDP socket, replaced by the fuzz wire (the bus is never started: no port bound).
  Object.assign(bus as unknown as Record<string, unknown>, {
    socket: {
      send: (d: Uint8Array, port: number) => sent.push({ port, datagram: Uint8Array.from(d) }),
      close: (cb: () => void) => cb(),
    },
  });
  const wire = bus as unknown as LanWire;
  const deliver = (d: Uint8Array, port: number) =>
    wire.receive(Buffer.from(d), { address: "127.0.0.1", port, family: "IPv4", size: d.length });
  const router = new Router({ defaultTimeoutMs: 10_000 });
  const registered = new Set<string>();
  for (const spec of [...sessionHandlers(login), ...createBmc().handlers]) {
    const key = `${spec.netFn}:${spec.cmd}`;
    if (registered.has(key)) continue;
    registered.add(key);
    router.registry.register(spec);
  }
  const counts = counter(router);
  router.addBus(bus);

  const takeFor = (port: number) => {
    const mine = sent.filter((s) => s.port === port).map((s) => s.datagram);
    sent.splice(0);
    return mine;
  };
  const setup = async (payloadType: number, payload: Uint8Array, port: number) => {
    deliver(setupDatagram(payloadType, payload), port);
    await settle();
    const [answer] = takeFor(port);
    if (!answer) return null;
    const m = decodeRmcpPlusDatagram(answer);
    if (!m.ok) throw new Error(`not an RMCP+ answer: ${m.reason}`);
    return Uint8Array.from(m.message.payload);
  };
  const session = await rmcpPlusLogin((t, p) => setup(t, p, LAN_PORTS.console), {
    user: "admin",
    password: PASSWORDS.admin,
    suite: 17,
  });
  let sequence = 1;
  const inSession = (netFn: number, cmd: number, data: number[] = []) =>
    encodeRmcp(
      rmcpHeaderFor(RMCP_CLASS.IPMI),
      sealRmcpPlus(
        session.crypto as SessionCrypto,
        { payloadType: PAYLOAD_TYPE.IPMI, sessionId: session.bmcSessionId, sequence: sequence++ },
        lanRequest(netFn, cmd, data),
      ),
    );
  // A handshake left waiting after Open Session, for RAKP 1 and 3 seeds (mid-handshake).
  const open = openSessionResponse.unpack(
    (await setup(
      PAYLOAD_TYPE.OPEN_SESSION_REQUEST,
      openSessionRequest.pack({
        tag: 0x31,
        maxPrivilege: 0,
        consoleSessionId: 0x7001,
        authentication: { algorithm: 3 },
        integrity: { algorithm: 4 },
        confidentiality: { algorithm: 1 },
      }),
      LAN_PORTS.console,
    ))!,
  );
  const pendingId = open.session?.bmcSessionId ?? 0;
  const seeds = [
    encodePresencePing(0x11),
    sessionless15(0x06, 0x38, [0x8e, 0x04]),
    sessionless15(0x06, 0x39, [0x02, ...new TextEncoder().encode("admin"), ...new Uint8Array(11)]),
    setupDatagram(
      PAYLOAD_TYPE.OPEN_SESSION_REQUEST,
      openSessionRequest.pack({
        tag: 0x32,
        maxPrivilege: 4,
        consoleSessionId: 0x7002,
        authentication: { algorithm: 1 },
        integrity: { algorithm: 1 },
        confidentiality: { algorithm: 0 },
      }),
    ),
    setupDatagram(
      PAYLOAD_TYPE.RAKP_1,
      rakp1.pack({
        tag: 0x33,
        bmcSessionId: pendingId,
        consoleRandom: new Uint8Array(16).fill(3),
        role: 4,
        userName: new TextEncoder().encode("admin"),
      }),
    ),
    setupDatagram(
      PAYLOAD_TYPE.RAKP_3,
      rakp3.pack({ tag: 0x34, status: 0, bmcSessionId: pendingId, authCode: new Uint8Array(32).fill(0x5c) }),
    ),
    inSession(0x06, 0x01),
    inSession(0x00, 0x01),
    inSession(0x0a, 0x10, [0x00]),
  ];
  return {
    kind: "lan",
    router,
    counts,
    seeds,
    maxLength: 300,
    push: (input) => deliver(input, LAN_PORTS.console),
    take: () =>
      sent.splice(0).map((s) => {
        sentTo.set(s.datagram, s.port);
        return s.datagram;
      }),
    probe(n) {
      const port = n % 2 === 0 ? LAN_PORTS.probe : LAN_PORTS.console;
      const input =
        n % 2 === 0
          ? sessionless15(0x06, 0x38, [0x8e, 0x04])
          : inSession(GET_DEVICE_ID.netFn, GET_DEVICE_ID.cmd);
      return {
        send: () => deliver(input, port),
        isAnswer: (o) => sentTo.get(o) === port && decodeRmcp(o).ok,
      };
    },
    decodeOnly: decodeRmcp,
    refuses: (input) => !decodeRmcp(input).ok,
    stop: () => bus.stop(),
  };
}

export async function createRig(kind: FuzzBusKind): Promise<FuzzRig> {
  switch (kind) {
    case "bt":
      return btRig();
    case "kcs":
    case "ssif":
      return siRig(kind);
    case "ipmb":
      return ipmbRig();
    case "vm":
      return vmRig();
    case "lan":
      return lanRig();
  }
}
