/**
 * Against a real pseudo-terminal: python3's pty module opens the pair and plays the host on
 * the master side (it writes what the test sends on its stdin, as hex lines, and reports
 * what it reads as "GOT <hex>" lines); the transport opens the slave as it would a UART.
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn, spawnSync } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TtySerialTransport } from "./tty-serial";

const HOST_SCRIPT = `
import os, pty, select, sys
m, s = pty.openpty()
print(os.ttyname(s), flush=True)
while True:
    r, _, _ = select.select([m, 0], [], [])
    if m in r:
        print("GOT " + os.read(m, 4096).hex(), flush=True)
    if 0 in r:
        line = sys.stdin.readline()
        if not line:
            break
        os.write(m, bytes.fromhex(line.strip()))
`;

interface PtyHost {
  path: string;
  /** Bytes for the transport to read. */
  send(bytes: Uint8Array): void;
  /** Resolves with everything the host read so far once it holds at least n bytes. */
  received(n: number): Promise<Buffer>;
  stop(): void;
}

function startPtyHost(): Promise<PtyHost> {
  const child: ChildProcessWithoutNullStreams = spawn("python3", ["-u", "-c", HOST_SCRIPT]);
  let got = Buffer.alloc(0);
  const waiters: { n: number; resolve: (b: Buffer) => void }[] = [];
  let pending = "";
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      pending += d;
      for (;;) {
        const nl = pending.indexOf("\n");
        if (nl < 0) break;
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.startsWith("/")) {
          resolve({
            path: line,
            send: (bytes) => child.stdin.write(`${Buffer.from(bytes).toString("hex")}\n`),
            received: (n) =>
              got.length >= n ? Promise.resolve(got) : new Promise((r) => waiters.push({ n, resolve: r })),
            stop: () => {
              child.stdin.end();
              child.kill();
            },
          });
        } else if (line.startsWith("GOT ")) {
          got = Buffer.concat([got, Buffer.from(line.slice(4), "hex")]);
          for (const w of [...waiters]) {
            if (got.length >= w.n) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(got);
            }
          }
        }
      }
    });
  });
}

/** python3 with its pty module; without it these tests are skipped (the error test still runs). */
const HAS_PTY = spawnSync("python3", ["-c", "import pty"]).status === 0;

describe.skipIf(!HAS_PTY)("TtySerialTransport (python3 pty)", () => {
  let host: PtyHost;
  let transport: TtySerialTransport | undefined;
  beforeEach(async () => {
    host = await startPtyHost();
  });
  afterEach(async () => {
    await transport?.close();
    transport = undefined;
    host.stop();
  });

  it("sets the line raw at the configured rate", async () => {
    transport = new TtySerialTransport({ path: host.path, baud: 9600 });
    await transport.open();
    expect(transport.state).toBe("up");
    expect(transport.description).toBe(`tty ${host.path} at 9600 baud (open)`);
    const settings = execFileSync("stty", ["-F", host.path, "-a"]).toString();
    expect(settings).toMatch(/speed 9600 baud/);
    for (const flag of ["-icanon", "-isig", "-icrnl", "-ixon", "-opost", "-echo", "clocal"]) {
      expect(settings.split(/[\s;]+/)).toContain(flag);
    }
  });

  it("carries bytes both ways untouched", async () => {
    transport = new TtySerialTransport({ path: host.path, baud: 115200 });
    let got = Buffer.alloc(0);
    const want = Buffer.from("login: \x03\x1b[0m\r\n\x11\x13\xff", "latin1");
    const arrived = new Promise<void>((resolve) =>
      transport!.onData((b) => {
        got = Buffer.concat([got, b]);
        if (got.length >= want.length) resolve();
      }),
    );
    await transport.open();
    // ^C, ESC, CR LF, XON/XOFF, 0xff: none interpreted by the line discipline.
    host.send(want);
    await arrived;
    expect(got).toEqual(want);
    // "\n" is not turned into "\r\n" (no OPOST) and nothing is echoed back.
    expect(transport.write(Buffer.from("root\n\x7f"))).toBe(true);
    expect(await host.received(6)).toEqual(Buffer.from("root\n\x7f"));
  });

  it("sends a break with tcsendbreak on its own descriptor", async () => {
    // The pty driver has no break_ctl, so the break itself cannot be seen on the master:
    // the default command must succeed on the line, and a stand-in that writes to the
    // device it was given shows it is the line.
    transport = new TtySerialTransport({ path: host.path, baud: 115200 });
    await transport.open();
    expect(await transport.sendBreak()).toBe(true);
    await transport.close();
    transport = new TtySerialTransport({
      path: host.path,
      baud: 115200,
      breakCommand: [
        "python3",
        "-c",
        "import os, sys; os.write(os.open(sys.argv[1], os.O_WRONLY | os.O_NOCTTY), b'BRK')",
      ],
    });
    await transport.open();
    expect(await transport.sendBreak()).toBe(true);
    expect((await host.received(3)).toString()).toContain("BRK");
    await transport.close();
    expect(await transport.sendBreak()).toBe(false);
  }, 30_000);

  it("closes, and reports the state changes", async () => {
    transport = new TtySerialTransport({ path: host.path, baud: 115200 });
    const states: string[] = [];
    transport.onState((s) => states.push(s));
    await transport.open();
    await transport.close();
    expect(states).toEqual(["up", "down"]);
    expect(transport.write(Buffer.from("x"))).toBe(false);
    expect(transport.description).toBe(`tty ${host.path} at 115200 baud (closed)`);
  });
});

describe("TtySerialTransport errors", () => {
  it("says why a device cannot be used", async () => {
    await expect(
      new TtySerialTransport({ path: "/dev/nonexistent-uart", baud: 115200 }).open(),
    ).rejects.toThrow(/^cannot set \/dev\/nonexistent-uart to 115200 baud raw: .*No such file or directory/);
    await expect(new TtySerialTransport({ path: "/dev/null", baud: 115200 }).open()).rejects.toThrow(
      /^cannot set \/dev\/null to 115200 baud raw: .*Inappropriate ioctl for device/,
    );
  });
});
