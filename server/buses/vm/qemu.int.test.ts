/**
 * Real hosts under QEMU, against the built server (dist/server.mjs) with
 * HOST_TRANSPORT=qemu:
 * 1. qtest: QEMU's isa-ipmi-bt registers (I/O ports E4h-E6h) driven directly by the
 *    test, no guest OS: requests in, responses out, chassis actions and resets both
 *    ways, QEMU restarting, garbage on the socket.
 * 2. A Linux guest (Debian's kernel, busybox + ipmitool initramfs, scripts/qemu/), once
 *    with isa-ipmi-bt and once with isa-ipmi-kcs (QEMU_INTERFACE), whose ipmi_si driver
 *    finds the interface and whose ipmitool asks our BMC for mc info, sdr list, sel list
 *    and chassis status over /dev/ipmi0. Each guest boots once, in its suite's beforeAll.
 * 3. One guest with BT and KCS at once, events, bridging, and its ttyS1 shell as the BMC's
 *    host console: typed into from a browser tab and, over the LAN bus, through Serial over
 *    LAN (`ipmitool -I lanplus sol activate`).
 * The guest is built (and cached under .cache/qemu-guest/) before the tests, from
 * Debian's packages; they are skipped only when QEMU cannot run on this machine.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { io, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  bootGuest,
  buildGuest,
  type Guest,
  type GuestBootOptions,
  type GuestInterface,
  parseGuestOutput,
  QemuUnavailable,
} from "../../../scripts/qemu/guest.mjs";
import {
  CONSOLE_NAMESPACE,
  type ConsoleClientToServer,
  type ConsoleServerToClient,
} from "../../contract/console";
import { lanPort, type RunningServer, startServer } from "../../integration/server-process";
import { createTestDatabase, type TestDatabase } from "../../persistence/test-database";
import { encodeVmMessage } from "./vm-codec";

// ---- the guest, built before anything else (a minute the first time, then cached) ----

let guest: Guest | undefined;
let unavailable: string | undefined;
try {
  guest = buildGuest();
} catch (err) {
  if (!(err instanceof QemuUnavailable)) throw err;
  unavailable = err.message;
  console.warn(`[qemu tests] skipped: QEMU cannot run on this machine: ${unavailable}`);
}
const title = (name: string) =>
  unavailable ? `${name} (skipped: QEMU cannot run here: ${unavailable})` : name;

// ---- helpers -------------------------------------------------------------------------

interface Row {
  id: number;
  seq: number | null;
  netFn: number | null;
  cmd: number | null;
  cc: number | null;
  request: Uint8Array;
  response: Uint8Array | null;
  handlerId: string | null;
  status: string;
  note: string | null;
  receivedAt: number;
  origin: string;
  busId: string;
  busKind: string;
  frame: Uint8Array | null;
}

async function rows(tdb: TestDatabase): Promise<Row[]> {
  return (await tdb.db.exchange.findMany({ orderBy: { id: "asc" } })) as Row[];
}

async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, ms = 15_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Boots the guest and waits until it powers off; `serial` is its console and QEMU's stderr. */
async function runGuest(
  options: GuestBootOptions,
  label: string,
  timeoutMs: number,
): Promise<{ vm: ChildProcess; code: number | null; serial: string }> {
  const vm = bootGuest(guest!, options);
  let serial = "";
  vm.stdout!.on("data", (b: Buffer) => {
    serial += b.toString();
  });
  vm.stderr!.on("data", (b: Buffer) => {
    serial += b.toString();
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      vm.kill("SIGKILL");
      reject(new Error(`the ${label} guest did not finish in ${timeoutMs / 1000} s.\n${serial}`));
    }, timeoutMs);
    vm.on("exit", (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  return { vm, code, serial };
}

/** Runs a command to its end (SIGKILL after `timeoutMs`): its exit code and what it printed. */
function run(cmd: string[], timeoutMs = 20_000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => {
      out += b.toString();
    });
    child.stderr.on("data", (b: Buffer) => {
      out += b.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

/**
 * `ipmitool sol activate` (its argv, then a marker as the last argument) under a
 * pseudo-terminal (ipmitool puts its terminal in raw mode; python3's pty module, as in
 * server/integration/sol.int.test.ts). Once SOL is up it says "operational", types
 * `echo <marker>` one key at a time, each after the shell echoed the one before (the
 * round trip of a keystroke: ipmitool, LAN, the BMC, QEMU's chardev, the guest's UART and
 * shell, and back), then CR, and says "typed <each key's echo ms as JSON> <ms from CR to
 * the marker's own line, -1 if never>". It stays attached until ipmitool ends or a line on
 * stdin makes it type `~.`; then "transcript <JSON string>". A line "pause" stops ipmitool
 * (SIGSTOP, answered "paused") until the next line continues it: what the BMC sends it
 * meanwhile waits in its socket, as it does when a loaded machine does not schedule it.
 */
const SOL_SCRIPT = String.raw`
import json, os, pty, select, signal, sys, time
args = sys.argv[1:-1]; marker = sys.argv[-1].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(args[0], args)
out = b""
def say(*words):
    sys.stdout.write(" ".join(str(w) for w in words) + "\n"); sys.stdout.flush()
def udp_queued(child):
    # Bytes waiting in the receive queues of the child's UDP sockets (/proc/net/udp: field 4
    # is tx_queue:rx_queue in hex, field 9 the socket's inode).
    inodes = set()
    for f in os.listdir("/proc/%d/fd" % child):
        try: link = os.readlink("/proc/%d/fd/%s" % (child, f))
        except OSError: continue
        if link.startswith("socket:["): inodes.add(link[8:-1])
    total = 0
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try: rows = open(table).read().splitlines()[1:]
        except OSError: continue
        for row in rows:
            f = row.split()
            if len(f) > 9 and f[9] in inodes: total += int(f[4].split(":")[1], 16)
    return total
def pump(sec, until):
    global out
    end = time.time() + sec
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.01)
        if r:
            try: data = os.read(fd, 4096)
            except OSError: return False
            if not data: return False
            out += data
        if until(): return True
    return False
if pump(30, lambda: b"SOL Session operational" in out):
    say("operational")
    echo_ms = []
    for k in b"echo " + marker:
        start = len(out); t = time.time(); key = bytes([k])
        os.write(fd, key)
        if not pump(5, lambda: key in out[start:]): break
        echo_ms.append(round((time.time() - t) * 1000, 1))
    start = len(out); t = time.time()
    os.write(fd, b"\r")
    line = b"\n" + marker + b"\r\n"
    ok = pump(15, lambda: line in out[start:])
    say("typed", json.dumps(echo_ms), round((time.time() - t) * 1000, 1) if ok else -1)
    while True:
        r, _, _ = select.select([fd, 0], [], [], 0.05)
        if fd in r:
            try: data = os.read(fd, 4096)
            except OSError: break
            if not data: break
            out += data
        if 0 in r:
            if sys.stdin.readline().strip() == "pause":
                os.kill(pid, signal.SIGSTOP)
                say("paused")
                continue
            os.kill(pid, signal.SIGCONT)
            # ipmitool 1.8.19 takes the next packet it reads after sending a request as the
            # answer, even a SOL packet (lanplus ipmi_lan_poll_recv): so ~. only once it has
            # read the BMC's last SOL packet (the deactivating one), or that packet would be
            # taken for its Deactivate Payload's answer and the real answer for Close Session's.
            pump(5, lambda: udp_queued(pid) == 0)
            os.write(fd, b"~.")
            pump(5, lambda: False)
            break
say("transcript", json.dumps(out.decode(errors="replace")))
`;

/** A QMP socket path of this test run's own. */
function qmpPath(name: string): string {
  const p = path.join(os.tmpdir(), `bmc-qemu-${process.pid}-${name}.qmp`);
  rmSync(p, { force: true });
  return p;
}

async function qemuServer(
  tdb: TestDatabase,
  qmp: string,
  iface: GuestInterface = "bt",
): Promise<{ server: RunningServer; port: number }> {
  const server = await startServer({
    DATABASE_URL: tdb.url,
    HOST_TRANSPORT: "qemu",
    QEMU_INTERFACE: iface,
    QEMU_BMC: "127.0.0.1:0",
    QEMU_QMP: `unix:${qmp}`,
    LOG_LEVEL: "info",
  });
  const m = new RegExp(
    `bus ${iface}0: QEMU guest, ${iface.toUpperCase()} \\(ipmi-bmc-extern, listening on 127\\.0\\.0\\.1:(\\d+), `,
  ).exec(server.output());
  if (!m) throw new Error(`the server did not say where it listens for QEMU:\n${server.output()}`);
  return { server, port: Number(m[1]) };
}

/** QEMU with no guest OS: the test reads and writes the BT registers through qtest. */
class Qtest {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  private buffer = "";
  private waiting: { resolve: (line: string) => void; reject: (err: Error) => void }[] = [];
  private chain: Promise<unknown> = Promise.resolve();

  constructor(g: Guest, port: number, qmp: string) {
    this.child = spawn(
      g.qemu,
      [
        "-qmp",
        `unix:${qmp},server=on,wait=off`,
        "-machine",
        "pc",
        "-display",
        "none",
        "-nodefaults",
        "-chardev",
        `socket,id=ipmi0,host=127.0.0.1,port=${port},reconnect=1`,
        "-device",
        "ipmi-bmc-extern,id=bmc0,chardev=ipmi0",
        "-device",
        "isa-ipmi-bt,bmc=bmc0",
        "-qtest",
        "stdio",
      ],
      { stdio: ["pipe", "pipe", "ignore"] },
    );
    this.exited = new Promise((resolve) =>
      this.child.on("exit", (code) => {
        for (const w of this.waiting.splice(0)) w.reject(new Error(`QEMU exited (${code})`));
        resolve(code);
      }),
    );
    this.child.stdin!.on("error", () => {}); // EPIPE once QEMU is gone: the exit handler reports it
    this.child.stdout!.on("data", (b: Buffer) => {
      this.buffer += b.toString();
      for (let nl = this.buffer.indexOf("\n"); nl >= 0; nl = this.buffer.indexOf("\n")) {
        const line = this.buffer.slice(0, nl).trim();
        this.buffer = this.buffer.slice(nl + 1);
        if (line.startsWith("OK") || line.startsWith("FAIL") || line.startsWith("ERR"))
          this.waiting.shift()?.resolve(line);
      }
    });
  }

  private command(line: string): Promise<string> {
    const run = () =>
      new Promise<string>((resolve, reject) => {
        if (this.child.exitCode !== null) return reject(new Error(`QEMU exited (${this.child.exitCode})`));
        this.waiting.push({
          resolve: (reply) =>
            reply.startsWith("OK") ? resolve(reply) : reject(new Error(`${line}: ${reply}`)),
          reject,
        });
        this.child.stdin!.write(`${line}\n`);
      });
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => {});
    return next;
  }

  outb(port: number, value: number): Promise<string> {
    return this.command(`outb 0x${port.toString(16)} 0x${value.toString(16)}`);
  }

  async inb(port: number): Promise<number> {
    const reply = await this.command(`inb 0x${port.toString(16)}`);
    return Number(reply.split(/\s+/)[1]);
  }

  /** One BT transaction as a host driver does it (IPMI 2.0 section 11.6). */
  async transact(frame: number[], timeoutMs = 6000): Promise<number[]> {
    const CTRL = 0xe4;
    const BUF = 0xe5;
    await this.outb(CTRL, 0x01); // CLR_WR_PTR
    for (const b of frame) await this.outb(BUF, b);
    await this.outb(CTRL, 0x04); // H2B_ATN: the BMC may take it
    const deadline = Date.now() + timeoutMs;
    while (((await this.inb(CTRL)) & 0x08) === 0) {
      if (Date.now() > deadline) throw new Error("no B2H_ATN: the BMC never answered");
      await new Promise((r) => setTimeout(r, 10));
    }
    await this.outb(CTRL, 0x40); // H_BUSY on
    await this.outb(CTRL, 0x08); // clear B2H_ATN
    await this.outb(CTRL, 0x02); // CLR_RD_PTR
    const len = await this.inb(BUF);
    const out = [len];
    for (let i = 0; i < len; i++) out.push(await this.inb(BUF));
    await this.outb(CTRL, 0x40); // H_BUSY off
    return out;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill("SIGTERM");
    await this.exited;
  }
}

const btRequest = (netFn: number, seq: number, cmd: number, data: number[] = []) => [
  3 + data.length,
  netFn << 2,
  seq,
  cmd,
  ...data,
];

// ---- 1. qtest: the BT registers, no guest -------------------------------------------

describe.skipIf(!guest)(title("QEMU's BT interface driven through qtest"), () => {
  let tdb: TestDatabase;
  let server: RunningServer;
  let port: number;
  let qemu: Qtest;
  const qmp = qmpPath("qtest");

  beforeAll(async () => {
    tdb = await createTestDatabase();
    ({ server, port } = await qemuServer(tdb, qmp));
    qemu = new Qtest(guest!, port, qmp);
    await waitFor(
      () => /QEMU capabilities: power, reset, irq, nmi, attn/.test(server.output()),
      "QEMU's handshake",
    );
    await waitFor(() => /watching QEMU's machine events on QMP/.test(server.output()), "the QMP connection");
  });

  afterAll(async () => {
    await qemu?.stop();
    await server?.stop().catch(() => {});
    await tdb?.cleanup();
    rmSync(qmp, { force: true });
  });

  it("answers a Get Device ID written into the registers: the guest's seq back, QEMU's id in the log", async () => {
    const res = await qemu.transact(btRequest(0x06, 0x42, 0x01));
    expect(res.slice(0, 5)).toEqual([res.length - 1, 0x07 << 2, 0x42, 0x01, 0x00]);
    expect(res.length).toBeGreaterThanOrEqual(16); // len, netfn, seq, cmd, cc + 11 bytes at least
    const x = await waitFor(
      async () => (await rows(tdb)).find((r) => r.cmd === 0x01),
      "the exchange in the log",
    );
    expect(x).toMatchObject({
      busId: "bt0",
      origin: "host",
      netFn: 6,
      status: "ok",
      handlerId: "app.get-device-id",
    });
    expect(x.seq).toBe(0); // QEMU's first message id, not the 42h the "guest" used
    expect([...x.response!]).toEqual(res.slice(5));
    // The VM message as QEMU sent it, unescaped: id, netfn/lun, cmd, checksum.
    expect([...x.frame!]).toEqual([0x00, 0x18, 0x01, 0xe7]);
  });

  it("leaves Get BT Interface Capabilities to QEMU: it never reaches us", async () => {
    const res = await qemu.transact(btRequest(0x06, 0x07, 0x36));
    expect(res).toEqual([9, 0x1c, 0x07, 0x36, 0x00, 0x01, 0xff, 0xff, 0x0a, 0x00]);
    // QEMU passes one request at a time, in order: once the next one is in the log, a
    // capabilities request that reached us would be too.
    await qemu.transact(btRequest(0x00, 0x17, 0x01));
    const log = await waitFor(async () => {
      const r = await rows(tdb);
      return r.some((x) => x.netFn === 0 && x.cmd === 0x01) ? r : undefined;
    }, "the Get Chassis Status after it");
    expect(log.filter((r) => r.cmd === 0x36)).toEqual([]);
  });

  it("sends a Chassis Control hard reset to QEMU as RESET; QEMU's reset reaches the BMC", async () => {
    const res = await qemu.transact(btRequest(0x00, 0x08, 0x02, [0x03]));
    expect(res).toEqual([4, 0x04, 0x08, 0x02, 0x00]);
    await waitFor(() => /chassis hard-reset: sent RESET to QEMU/.test(server.output()), "the RESET to QEMU");
    // QEMU 7.2 sends no VM-protocol RESET; its QMP RESET event tells the BMC.
    await waitFor(
      () => /QEMU reports the VM was reset, by a QMP RESET event/.test(server.output()),
      "the reset",
    );
    // The machine reset; its BT interface still works.
    const again = await qemu.transact(btRequest(0x00, 0x09, 0x01));
    expect(again.slice(0, 5)).toEqual([again.length - 1, 0x04, 0x09, 0x01, 0x00]);
  });

  it("takes QEMU back when it restarts", async () => {
    await qemu.stop();
    await waitFor(() => /QEMU disconnected/.test(server.output()), "the disconnect");
    qemu = new Qtest(guest!, port, qmp);
    await waitFor(
      () => (server.output().match(/QEMU capabilities:/g) ?? []).length === 2,
      "QEMU's second handshake",
    );
    const res = await qemu.transact(btRequest(0x06, 0x01, 0x01));
    expect(res.slice(2, 5)).toEqual([0x01, 0x01, 0x00]);
  });

  it("powers the VM off with Chassis Control power down, after the answer went out: QEMU exits", async () => {
    // The response reaches QEMU's BT registers, then POWEROFF: QEMU may be gone before
    // this "host" reads it (a real host races its power-off the same way).
    const answered = qemu.transact(btRequest(0x00, 0x0a, 0x02, [0x00])).catch(() => undefined);
    await Promise.race([
      qemu.exited,
      new Promise((_, reject) => setTimeout(() => reject(new Error("QEMU did not power off")), 10_000)),
    ]);
    const res = await answered;
    if (res) expect(res).toEqual([4, 0x04, 0x0a, 0x02, 0x00]);
    expect(server.output()).toMatch(/chassis power-off: sent POWEROFF to QEMU/);
    const x = await waitFor(
      async () =>
        (await rows(tdb)).find((r) => r.handlerId === "chassis.chassis-control" && r.request[0] === 0),
      "the power-down exchange",
    );
    expect(x).toMatchObject({ status: "ok", cc: 0 });
  });

  it("records a bad checksum and garbage on the socket as malformed, and goes on", async () => {
    const socket = net.connect({ host: "127.0.0.1", port });
    await new Promise<void>((r) => socket.once("connect", () => r()));
    socket.write(Uint8Array.from([0x05, 0x18, 0x01, 0x00, 0xa0])); // checksum should be E2h
    socket.write(Uint8Array.from([0x13, 0x37, 0xa0])); // too short for a message
    socket.write(encodeVmMessage(0x06, 0x18, 0x01, []));
    const bad = await waitFor(async () => {
      const r = (await rows(tdb)).filter((x) => x.status === "malformed");
      return r.length === 2 ? r : undefined;
    }, "two malformed records");
    expect(bad[0]).toMatchObject({ seq: 5, netFn: 6, cmd: 1, cc: null });
    expect(bad[0]!.note).toMatch(/checksum/);
    expect(bad[1]!.note).toMatch(/too short/);
    await waitFor(
      async () => (await rows(tdb)).find((r) => r.seq === 6 && r.status === "ok"),
      "the good one",
    );
    socket.destroy();
  });
});

// ---- 2. a Linux guest: ipmi_si + ipmitool over /dev/ipmi0, on BT and on KCS ---------

const GUEST_INTERFACES: GuestInterface[] = ["bt", "kcs"];

for (const iface of GUEST_INTERFACES) {
  const label = iface.toUpperCase();
  describe.skipIf(!guest)(title(`a Linux guest's ipmitool over QEMU's ${label} interface`), () => {
    let tdb: TestDatabase;
    let server: RunningServer;
    let vm: ChildProcess | undefined;
    let serial = "";
    let code: number | null = null;
    let out: ReturnType<typeof parseGuestOutput>;
    let log: Row[];
    const qmp = qmpPath(`guest-${iface}`);

    // The guest boots once for the suite (about 7 s under TCG); the tests read what it did.
    beforeAll(async () => {
      tdb = await createTestDatabase();
      let port: number;
      ({ server, port } = await qemuServer(tdb, qmp, iface));
      const started = Date.now();
      ({ vm, code, serial } = await runGuest({ port, qmp: `unix:${qmp}`, iface }, label, 150_000));
      const finished = Date.now();
      out = parseGuestOutput(serial);
      log = await waitFor(async () => {
        const r = await rows(tdb);
        return r.some((x) => x.netFn === 0 && x.cmd === 0x01) ? r : undefined;
      }, "the guest's exchanges in the log");
      process.stdout.write(
        `[qemu tests] ${label}: ${guest!.qemuVersion}, ${guest!.accel}, Linux ${guest!.kernelVersion}: ` +
          `guest prepared in ${guest!.preparedMs} ms; QEMU start -> first answer ${Math.round(log[0]!.receivedAt - started)} ms, ` +
          `-> guest done ${finished - started} ms; ${log.length} exchanges\n`,
      );
    }, 180_000);

    afterAll(async () => {
      if (vm && vm.exitCode === null) vm.kill("SIGKILL");
      await server?.stop().catch(() => {});
      await tdb?.cleanup();
      rmSync(qmp, { force: true });
    });

    it("boots, finds the interface through ACPI and our BMC through Get Device ID, and powers off", () => {
      expect(serial, serial).toMatch(/=== GUEST DONE ===/);
      expect(code).toBe(0);
      expect(out.dmesg?.text).toMatch(new RegExp(`IPMI ${iface} interface initialized`));
      expect(out.dmesg?.text).toMatch(/Found new BMC/);
      expect(log[0]).toMatchObject({ netFn: 6, cmd: 0x01, status: "ok" }); // the driver's probe
    });

    it(`logs every exchange on bus ${iface}0 of kind ${iface}, answered, with its VM message`, () => {
      for (const x of log) {
        expect(x).toMatchObject({ busId: `${iface}0`, busKind: iface, origin: "host" });
        expect(["ok", "error"]).toContain(x.status); // answered, nothing malformed or timed out
        expect(x.frame?.[0]).toBe(x.seq); // the VM message starts with QEMU's id
      }
    });

    it("runs mc info: what the guest printed is what the BMC answered", () => {
      const deviceId = log.find((x) => x.handlerId === "app.get-device-id")!.response!;
      expect(out["mc info"]).toMatchObject({ rc: 0 });
      expect(out["mc info"]!.text).toMatch(new RegExp(`Device ID\\s+: ${deviceId[0]}\\n`));
      expect(out["mc info"]!.text).toMatch(/IPMI Version\s+: 2\.0/);
      const manufacturer = deviceId[6]! | (deviceId[7]! << 8) | (deviceId[8]! << 16);
      expect(out["mc info"]!.text).toMatch(new RegExp(`Manufacturer ID\\s+: ${manufacturer}\\n`));
    });

    it("runs sdr list: one line per sensor, each read with Get Sensor Reading", () => {
      expect(out["sdr list"]).toMatchObject({ rc: 0 });
      const sensorLines = out["sdr list"]!.text.split("\n").filter((l) => /\|.*\|/.test(l));
      expect(sensorLines.length).toBeGreaterThan(0);
      const readings = log.filter((x) => x.handlerId === "sensor.get-sensor-reading" && x.cc === 0);
      expect(readings.length).toBe(sensorLines.length);
      expect(log.some((x) => x.handlerId === "storage.reserve-sdr-repository")).toBe(true);
    });

    it("runs sel list: as many entries as Get SEL Info says", () => {
      expect(out["sel list"]).toMatchObject({ rc: 0 });
      const selInfo = log.find((x) => x.handlerId === "storage.get-sel-info")!.response!;
      const entries = selInfo[1]! | (selInfo[2]! << 8);
      if (entries === 0) expect(out["sel list"]!.text).toMatch(/SEL has no entries/);
      else expect(out["sel list"]!.text.trim().split("\n").length).toBe(entries);
    });

    it("runs chassis status: power as the BMC reported it", () => {
      expect(out["chassis status"]).toMatchObject({ rc: 0 });
      const status = log.find((x) => x.handlerId === "chassis.get-chassis-status")!.response!;
      expect(out["chassis status"]!.text).toMatch(
        new RegExp(`System Power\\s+: ${(status[0]! & 1) === 1 ? "on" : "off"}`),
      );
    });
  });
}

// ---- 3. one guest with BT and KCS, each on its own bus; events and bridging -----------

describe.skipIf(!guest)(
  title("a Linux guest with BT and KCS at once: two buses, an event read by its driver, a bridged request"),
  () => {
    let tdb: TestDatabase;
    let server: RunningServer;
    let vm: ChildProcess | undefined;
    let serial = "";
    let code: number | null = null;
    let out: ReturnType<typeof parseGuestOutput>;
    let log: Row[];
    const qmp = qmpPath("guest-bt-kcs");
    let consoleText = "";
    let closeTab = () => {};
    const marker = `sol-${process.pid}-${Date.now() % 100_000}`;
    const onBus = (id: string) => log.filter((x) => x.busId === id);
    // Serial over LAN into the same shell, over the server's LAN bus, while the guest runs.
    const solUser = "admin";
    const solPassword = "guest-Sol-Pass-1";
    const solMarker = `sol-guest-${Math.random().toString(36).slice(2, 10)}`;
    const solMissing = ["ipmitool", "python3"].filter((c) => spawnSync("which", [c]).status !== 0);
    interface SolRun {
      /** Each key of `echo <marker>`: ms until the guest's shell echoed it through SOL. */
      echoMs: number[];
      /** ms from CR to the marker's own line through SOL; -1: it never came. */
      outputMs: number;
      transcript: string;
      second: { code: number | null; out: string };
      deactivate: { code: number | null; out: string };
    }
    let sol: SolRun | undefined;
    let solError: unknown;

    beforeAll(async () => {
      tdb = await createTestDatabase();
      server = await startServer({
        DATABASE_URL: tdb.url,
        // lan: any free loopback UDP port (startServer's LAN_PORT=0), for SOL.
        BUSES: "bt:qemu@127.0.0.1:0, kcs:qemu@127.0.0.1:0, ipmb:sim, lan",
        HOST_SERIAL: "qemu:127.0.0.1:0",
        IPMI_ADMIN_PASSWORD: solPassword,
        QEMU_QMP: `unix:${qmp}`,
        LOG_LEVEL: "info",
      });
      // The guest's ttyS1 is the BMC's console; a browser tab on it types into the guest's
      // shell there at its first prompt, while the guest runs its ipmitool steps.
      const serialPort = Number(
        /host console: QEMU serial \(chardev socket, listening on 127\.0\.0\.1:(\d+),/.exec(
          server.output(),
        )![1],
      );
      const tab = io(`${server.url}${CONSOLE_NAMESPACE}`, {
        transports: ["websocket"],
        reconnection: false,
        extraHeaders: { cookie: await server.login() },
      }) as Socket<ConsoleServerToClient, ConsoleClientToServer>;
      let typed = false;
      tab.on("output", (bytes, ack) => {
        consoleText += Buffer.from(bytes as Uint8Array).toString("utf8");
        ack();
        // Typed at the shell's first prompt: keys sent before the shell set up its line
        // editing are lost with the input it flushes (seen here: "ho ..." for "echo ...").
        const shell = consoleText.indexOf("guest shell on ttyS1");
        if (!typed && shell >= 0 && consoleText.indexOf("/ # ", shell) >= 0) {
          typed = true;
          tab.emit("claim", { takeOver: false }, () => tab.emit("input", `echo ${marker}\r`, () => {}));
        }
      });
      closeTab = () => tab.close();
      const typeOnTab = (text: string) =>
        new Promise<void>((resolve) =>
          tab.emit("claim", { takeOver: true }, () => tab.emit("input", text, () => resolve())),
        );
      const port = (id: string) => {
        const m = new RegExp(
          `bus ${id}: QEMU guest, \\w+ \\(ipmi-bmc-extern, listening on 127\\.0\\.0\\.1:(\\d+), `,
        ).exec(server.output());
        if (!m) throw new Error(`the server did not say where ${id} listens:\n${server.output()}`);
        return Number(m[1]);
      };
      const lan = await lanPort(server);
      const ipmitool = (...args: string[]) => [
        "ipmitool",
        "-I",
        "lanplus",
        "-H",
        "127.0.0.1",
        "-p",
        String(lan),
        "-U",
        solUser,
        "-P",
        solPassword,
        ...args,
      ];
      // The guest waits (guest.hold, up to 90 s after its ipmitool steps) until its ttyS1
      // shell exits: the `exit` typed below, once SOL is done with that shell.
      let guestGone = false;
      const guestRun = runGuest(
        {
          ports: [port("bt0"), port("kcs0")],
          qmp: `unix:${qmp}`,
          iface: "bt+kcs",
          events: true,
          serial: serialPort,
          holdSerial: 90,
        },
        "BT+KCS",
        240_000,
      ).finally(() => {
        guestGone = true;
      });
      const exerciseSol = async (): Promise<SolRun> => {
        if (solMissing.length > 0) throw new Error(`${solMissing.join(", ")} not installed`);
        // After the tab's line: the shell is at a prompt, its line editing set up.
        await waitFor(
          () => {
            if (guestGone) throw new Error("the guest ended before its shell echoed the tab's marker");
            return consoleText.split(/\r?\n/).some((l) => l.trim() === marker);
          },
          "the tab's marker echoed by the guest's shell",
          200_000,
        );
        const holder = spawn("python3", ["-c", SOL_SCRIPT, ...ipmitool("sol", "activate"), solMarker], {
          stdio: ["pipe", "pipe", "pipe"],
        });
        let said = "";
        holder.stdout.on("data", (b: Buffer) => {
          said += b.toString();
        });
        holder.stderr.on("data", (b: Buffer) => {
          said += b.toString();
        });
        holder.stdin.on("error", () => {}); // EPIPE if it already ended
        try {
          const typed = await waitFor(
            () => /^typed (\[.*\]) (\S+)$/m.exec(said) ?? undefined,
            "SOL typing",
            60_000,
          );
          // While it is active: a second console is refused, then another session ends the first.
          const second = await run(ipmitool("sol", "activate"));
          // The first console is stopped while it is deactivated, so the BMC's deactivating
          // packet is still unread when it goes on: the worst case, every time.
          holder.stdin.write("pause\n");
          await waitFor(() => /^paused$/m.test(said), "the first console stopped", 10_000);
          const deactivate = await run(ipmitool("sol", "deactivate"));
          // ipmitool 1.8 does not leave on the BMC's "SOL deactivated" status (IPMI 2.0 table
          // 15-3): it stays in its session until its user types `~.`, then deactivates in turn,
          // and is told it already was (49h refused with 80h).
          holder.stdin.write("quit\n");
          const ended = await waitFor(
            () => /^transcript (.*)$/m.exec(said) ?? undefined,
            "ipmitool's end after ~.",
            15_000,
          );
          return {
            echoMs: JSON.parse(typed[1]!) as number[],
            outputMs: Number(typed[2]),
            transcript: JSON.parse(ended[1]!) as string,
            second,
            deactivate,
          };
        } catch (err) {
          throw new Error(`${err instanceof Error ? err.message : String(err)}; SOL script said:\n${said}`);
        } finally {
          if (holder.exitCode === null) holder.kill("SIGKILL");
        }
      };
      const solDone = exerciseSol()
        .then(
          (r) => {
            sol = r;
          },
          (err: unknown) => {
            solError = err;
          },
        )
        // Done with the shell (or failed): let the guest power off.
        .finally(() => (guestGone ? undefined : typeOnTab("exit\r")));
      ({ vm, code, serial } = await guestRun);
      await solDone;
      out = parseGuestOutput(serial);
      // The log writer batches: wait for the guest's last exchanges (the bridged Get Message)
      // and SOL's (Deactivate Payload) when it got that far.
      log = await waitFor(async () => {
        const r = await rows(tdb);
        const bridged = r.some(
          (x) => x.busKind !== "ipmb" && x.netFn === 0x06 && x.cmd === 0x33 && x.cc === 0,
        );
        // Both Deactivate Payloads: the other session's and the first console's own.
        const solLogged =
          !sol || r.filter((x) => x.busId === "lan0" && x.netFn === 0x06 && x.cmd === 0x49).length >= 2;
        return bridged && solLogged ? r : undefined;
      }, "the bridged answer's Get Message and SOL's Deactivate Payload in the log");
    }, 300_000);

    afterAll(async () => {
      closeTab();
      if (vm && vm.exitCode === null) vm.kill("SIGKILL");
      await server?.stop().catch(() => {});
      await tdb?.cleanup();
      rmSync(qmp, { force: true });
    });

    it("connects the guest's ttyS1 to the BMC's console: the browser sees its boot messages and types into its shell", async () => {
      expect(consoleText).toContain("Linux version 6.");
      expect(consoleText).toContain("guest shell on ttyS1");
      // The shell ran what the tab typed: the marker on a line of its own (the echoed
      // command line has "echo " before it).
      expect(
        consoleText.split(/\r?\n/).map((l) => l.trim()),
        consoleText.slice(consoleText.indexOf("guest shell on ttyS1")),
      ).toContain(marker);
      // And it is all in the history: the output, and the input with who typed it (the tab's
      // line, then the `exit` that let the guest power off; SOL's keys in between).
      await expect
        .poll(async () => {
          const input = await tdb.db.consoleChunk.findMany({
            where: { direction: "in", source: "browser:admin" },
            orderBy: { id: "asc" },
          });
          return input.map((c) => c.text).join("");
        })
        .toBe(`echo ${marker}\rexit\r`);
      expect(serial).toMatch(/the ttyS1 shell exited/);
    });

    it.skipIf(solMissing.length > 0)(
      `answers Serial over LAN from the guest's real shell: ipmitool sol activate types into it and reads its answer${solMissing.length > 0 ? ` (skipped: ${solMissing.join(", ")} not installed)` : ""}`,
      async () => {
        if (solError) throw solError;
        const s = sol!;
        const sorted = [...s.echoMs].sort((a, b) => a - b);
        process.stdout.write(
          `[qemu tests] SOL against the guest's shell: keystroke echo median ${sorted[Math.floor(sorted.length / 2)]} ms ` +
            `(min ${sorted[0]}, max ${sorted[sorted.length - 1]}, ${sorted.length} keys); CR -> output line ${s.outputMs} ms\n`,
        );
        expect(s.transcript).toContain("[SOL Session operational.");
        // The shell echoed each key, then printed the marker on a line of its own.
        expect(s.echoMs).toHaveLength(`echo ${solMarker}`.length);
        expect(s.outputMs, s.transcript).toBeGreaterThanOrEqual(0);
        expect(
          s.transcript.split(/\r?\n/).map((l) => l.trim()),
          s.transcript,
        ).toContain(solMarker);
        // One console at a time (IPMI 2.0 section 24.3, Activate Payload 80h: already active).
        expect(s.second.out).toContain("SOL payload already active on another session");
        expect(s.deactivate.code, s.deactivate.out).toBe(0);
        expect(server.output()).toMatch(/SOL of session \w+ deactivated by admin@127\.0\.0\.1:/);
        // The first console, told by its `~.` to leave, found its payload deactivated already.
        expect(s.transcript).toContain("[terminated ipmitool]");
        expect(s.transcript).toContain("SOL payload already de-activated");
        // The keys are in the console history as the SOL session's.
        const input = await tdb.db.consoleChunk.findMany({
          where: { direction: "in" },
          orderBy: { id: "asc" },
        });
        const solInput = input.filter((c) => c.source?.startsWith("sol:admin@127.0.0.1:"));
        expect(solInput.map((c) => c.text).join("")).toBe(`echo ${solMarker}\r`);
        // On the LAN bus: Activate Payload (App 06h, 48h) accepted, then refused with 80h for
        // the second console; Deactivate Payload (49h) from the third session accepted, then
        // the first console's own on its way out refused with 80h (already deactivated).
        const lanLog = onBus("lan0");
        expect(lanLog.every((x) => x.busKind === "lan")).toBe(true);
        const activates = lanLog.filter((x) => x.netFn === 0x06 && x.cmd === 0x48);
        expect(activates.map((x) => x.cc)).toEqual([0x00, 0x80]);
        expect(lanLog.filter((x) => x.netFn === 0x06 && x.cmd === 0x49).map((x) => x.cc)).toEqual([
          0x00, 0x80,
        ]);
      },
    );

    it("finds both interfaces, /dev/ipmi0 and /dev/ipmi1 on buses bt0 and kcs0, and ipmitool works on each", () => {
      expect(serial, serial).toMatch(/=== GUEST DONE ===/);
      expect(code).toBe(0);
      expect(out.dmesg?.text).toMatch(/IPMI bt interface initialized/);
      expect(out.dmesg?.text).toMatch(/IPMI kcs interface initialized/);
      for (const c of ["mc info", "sdr list", "sel list", "chassis status"]) {
        expect(out[c], c).toMatchObject({ rc: 0 });
        expect(out[`ipmi1 ${c}`], `ipmi1 ${c}`).toMatchObject({ rc: 0 });
      }
      for (const [id, kind] of [
        ["bt0", "bt"],
        ["kcs0", "kcs"],
      ] as const) {
        const mine = onBus(id);
        expect(mine.length, id).toBeGreaterThan(10);
        for (const x of mine) expect(x).toMatchObject({ busKind: kind, origin: "host" });
        // Each driver probed through its own interface; each sdr list read the sensors there.
        expect(mine.some((x) => x.handlerId === "app.get-device-id")).toBe(true);
        expect(mine.some((x) => x.handlerId === "sensor.get-sensor-reading")).toBe(true);
      }
    });

    it("raises an event when the guest sets a threshold below the reading; its driver reads it from the event message buffer", () => {
      expect(out["set threshold"], serial).toMatchObject({ rc: 0 });
      // On whichever interface Linux numbered /dev/ipmi1 (init.sh runs it on the last device).
      const set = log.find((x) => x.netFn === 0x04 && x.cmd === 0x26);
      expect(set).toMatchObject({ cc: 0 });
      expect(["bt0", "kcs0"]).toContain(set!.busId);
      // After it: Get Message Flags with the event buffer full bit, then the event read out.
      const later = log.filter((x) => x.id > set!.id && x.busKind !== "ipmb");
      const flags = later.find(
        (x) => x.netFn === 0x06 && x.cmd === 0x31 && x.cc === 0 && (x.response![0]! & 0x02) !== 0,
      );
      expect(flags, "Get Message Flags with 'event message buffer full'").toBeDefined();
      const read = later.find((x) => x.netFn === 0x06 && x.cmd === 0x35 && x.cc === 0);
      expect(read, "Read Event Message Buffer answered 00h").toBeDefined();
      const event = read!.response!;
      expect(event).toHaveLength(16);
      // SEL record format: sensor number 02h (System Temp), threshold event, offset 07h
      // (upper non-critical going high).
      expect(event[11]).toBe(0x02);
      expect(event[12]! & 0x7f).toBe(0x01);
      expect(event[13]! & 0x0f).toBe(0x07);
    });

    it("bridges ipmitool -b 0 -t 0x72 to the satellite on IPMB: Send Message out, Get Message back", () => {
      expect(out["bridged mc info"], serial).toMatchObject({ rc: 0 });
      // The satellite's own identity, not the BMC's (sim-satellite.ts: device ID 72h, product 0072h).
      expect(out["bridged mc info"]!.text).toMatch(/Device ID\s+: 114\n/);
      const send = log.find((x) => x.netFn === 0x06 && x.cmd === 0x34);
      expect(send).toMatchObject({ cc: 0 });
      expect(["bt0", "kcs0"]).toContain(send!.busId);
      const bridged = onBus("ipmb0");
      expect(bridged).toContainEqual(
        expect.objectContaining({ origin: "bridged", netFn: 0x06, cmd: 0x01, cc: 0, status: "ok" }),
      );
      // The answer is read back on the interface that asked (SMS_ATN reaches both drivers;
      // the other one's Get Message finds the queue empty).
      const get = log.find((x) => x.id > send!.id && x.netFn === 0x06 && x.cmd === 0x33 && x.cc === 0);
      expect(get?.busId).toBe(send!.busId);
    });
  },
);
