/**
 * Serial over LAN with Debian's ipmitool against a real server process: the host's serial
 * line is a TCP client standing in for QEMU's chardev (HOST_SERIAL=qemu:127.0.0.1:0) that
 * echoes like a shell; `ipmitool sol activate` runs under a pseudo-terminal (python3's pty
 * module: ipmitool puts its terminal in raw mode), types `echo sol-<n>` and reads the
 * answer back; a second activation is refused with "payload already active"; `sol info 1`
 * reads the configuration; `sol deactivate` from another session ends it; `~.` quits.
 */
import { spawn, spawnSync } from "node:child_process";
import dgram from "node:dgram";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { lanPort, type RunningServer, startServer } from "./server-process";

const PASSWORD = "sol-Pass-123";
const missing = ["ipmitool", "python3"].filter((c) => spawnSync("which", [c]).status !== 0);
const title = (name: string) =>
  missing.length > 0 ? `${name} (skipped: ${missing.join(", ")} not installed)` : name;

/**
 * Runs a SOL console (ipmitool sol activate, FreeIPMI's ipmiconsole) in a pty: waits until it
 * says it is up, types the keys, waits for their echo, sends its escape (SOL_ESCAPE: ~. for
 * ipmitool, &. for ipmiconsole); answers what it printed.
 */
const PTY_SCRIPT = `
import os, pty, select, sys, time
args = sys.argv[1:-2]; keys = sys.argv[-2].encode(); settle = float(sys.argv[-1])
escape = os.environ.get("SOL_ESCAPE", "~.").encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(args[0], args)
out = b""
def pump(sec, until=None):
    global out
    end = time.time() + sec
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try: out += os.read(fd, 4096)
            except OSError: return
        if until and any(u in out for u in until): return
pump(settle, [b"SOL Session operational", b"[SOL established]"])
os.write(fd, keys)
pump(settle, [keys.split(b" ")[-1].strip() + b"\\r\\n"])
os.write(fd, escape)
pump(settle)
sys.stdout.write(out.decode(errors="replace"))
`;

/** Runs ipmitool sol activate in a pty and stays attached, saying "operational" once SOL is up, until killed. */
const HOLD_SCRIPT = `
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
out = b""
while True:
    r, _, _ = select.select([fd], [], [], 0.05)
    if r:
        try: out += os.read(fd, 4096)
        except OSError: break
        if b"SOL Session operational" in out:
            sys.stdout.write("operational\\n"); sys.stdout.flush(); out = b""
`;

let tdb: TestDatabase;
let server: RunningServer;
let port: number;
let host: net.Socket;

function ipmitool(...args: string[]): string[] {
  return [
    "ipmitool",
    "-I",
    "lanplus",
    "-H",
    "127.0.0.1",
    "-p",
    String(port),
    "-U",
    "admin",
    "-P",
    PASSWORD,
    ...args,
  ];
}

/**
 * FreeIPMI 1.6 refuses a host:port whose port is 32768 or more ("hostname invalid": it
 * parses the port as a signed 16-bit number), and the kernel's ephemeral ports are above
 * that: the LAN bus gets a free port below it.
 */
async function freeUdpPortBelow32768(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    const sock = dgram.createSocket("udp4");
    const ok = await new Promise<boolean>((resolve) => {
      sock.once("error", () => resolve(false));
      sock.bind(candidate, "127.0.0.1", () => resolve(true));
    });
    await new Promise<void>((resolve) => sock.close(() => resolve()));
    if (ok) return candidate;
  }
  throw new Error("no free UDP port below 32768 on 127.0.0.1");
}

/** FreeIPMI's SOL console: `host:port`, no configuration file of the machine's. */
function ipmiconsole(suite: number, ...args: string[]): string[] {
  const target = `127.0.0.1:${port}`;
  return [
    "ipmiconsole",
    "-h",
    target,
    "--config-file",
    "/dev/null",
    "-u",
    "admin",
    "-p",
    PASSWORD,
    "-I",
    String(suite),
    ...args,
  ];
}
const HAS_IPMICONSOLE = spawnSync("which", ["ipmiconsole"]).status === 0;

function run(
  cmd: string[],
  timeoutMs = 20_000,
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd[0]!, cmd.slice(1), {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, ...env },
    });
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

describe.skipIf(missing.length > 0)(title("Serial over LAN with ipmitool"), () => {
  beforeAll(async () => {
    tdb = await createTestDatabase();
    server = await startServer({
      DATABASE_URL: tdb.url,
      LAN_PORT: String(await freeUdpPortBelow32768()),
      HOST_SERIAL: "qemu:127.0.0.1:0",
      IPMI_ADMIN_PASSWORD: PASSWORD,
      LOG_LEVEL: "info",
    });
    port = await lanPort(server);
    const m = /host console: QEMU serial \(chardev socket, listening on 127\.0\.0\.1:(\d+),/.exec(
      server.output(),
    );
    host = net.connect({ host: "127.0.0.1", port: Number(m![1]) });
    // A shell, as far as SOL can tell: echoes what it gets and answers `echo x` with x.
    let line = "";
    host.on("data", (b: Buffer) => {
      host.write(b);
      line += b.toString();
      const cr = line.indexOf("\r");
      if (cr < 0) return;
      const command = line.slice(0, cr);
      line = line.slice(cr + 1);
      if (command.startsWith("echo ")) host.write(`\r\n${command.slice(5)}\r\n# `);
    });
    await new Promise<void>((resolve) => host.once("connect", () => resolve()));
  }, 60_000);

  afterAll(async () => {
    host?.destroy();
    await server?.stop().catch(() => undefined);
    await tdb?.cleanup();
  });

  it("reads the SOL configuration: sol info 1", async () => {
    const { code, out } = await run(ipmitool("sol", "info", "1"));
    expect(code, out).toBe(0);
    expect(out).toMatch(/Enabled\s+: true/);
    expect(out).toMatch(/Force Encryption\s+: true/);
    expect(out).toMatch(new RegExp(`Payload Port\\s+: ${port}\\n`));
  });

  it("activates SOL: typed keys reach the host and its answer comes back; ~. ends it", async () => {
    const marker = `sol-${process.pid % 10_000}`;
    const { out } = await run(
      ["python3", "-c", PTY_SCRIPT, ...ipmitool("sol", "activate"), `echo ${marker}\r`, "4"],
      30_000,
    );
    expect(out).toContain("[SOL Session operational.");
    expect(out.split(/\r?\n/).map((l) => l.trim())).toContain(marker);
    expect(out).toContain("[terminated ipmitool]");
    // The keys are in the console history with the SOL session as their source.
    const input = await tdb.db.consoleChunk.findMany({ where: { direction: "in" } });
    expect(input.map((c) => c.text).join("")).toContain(`echo ${marker}\r`);
    expect(input.every((c) => c.source?.startsWith("sol:admin@127.0.0.1:"))).toBe(true);
  }, 40_000);

  it("refuses a second activation while one is active, and lets another session deactivate it", async () => {
    // The first console stays attached until it is deactivated (no ~. here).
    const first = spawn("python3", ["-c", HOLD_SCRIPT, ...ipmitool("sol", "activate")], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let firstOut = "";
    first.stdout.on("data", (b: Buffer) => {
      firstOut += b.toString();
    });
    try {
      await expect.poll(() => firstOut, { timeout: 10_000 }).toContain("operational");
      const second = await run(ipmitool("sol", "activate"));
      expect(second.out).toContain("SOL payload already active on another session");
      const off = await run(ipmitool("sol", "deactivate"));
      expect(off.code, off.out).toBe(0);
      expect(server.output()).toMatch(/SOL of session \w+ deactivated by admin@127\.0\.0\.1:/);
      // Deactivated, it is free again: a second deactivate is "already deactivated".
      const again = await run(ipmitool("sol", "deactivate"));
      expect(again.code).not.toBe(0);
    } finally {
      first.kill("SIGKILL");
    }
  }, 40_000);
  it.skipIf(!HAS_IPMICONSOLE)(
    "works with FreeIPMI's ipmiconsole on cipher suites 3 and 17: keys reach the host, &. ends it",
    async () => {
      for (const suite of [3, 17]) {
        const marker = `ic${suite}-${process.pid % 10_000}`;
        const { out } = await run(
          ["python3", "-c", PTY_SCRIPT, ...ipmiconsole(suite), `echo ${marker}\r`, "4"],
          30_000,
          { SOL_ESCAPE: "&." },
        );
        expect(out, `suite ${suite}`).toContain("[SOL established]");
        expect(out.split(/\r?\n/).map((l) => l.trim())).toContain(marker);
        expect(out).toContain("[closing the connection]");
      }
    },
    70_000,
  );

  it.skipIf(!HAS_IPMICONSOLE)(
    "lets ipmiconsole take SOL over from ipmitool, unless told --dont-steal ('SOL in use')",
    async () => {
      const holder = spawn("python3", ["-c", HOLD_SCRIPT, ...ipmitool("sol", "activate")], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let held = "";
      holder.stdout.on("data", (b: Buffer) => {
        held += b.toString();
      });
      try {
        await expect.poll(() => held, { timeout: 10_000 }).toContain("operational");
        const polite = await run(ipmiconsole(17, "--dont-steal"), 20_000);
        expect(polite.out).toContain("SOL in use");
        // Without --dont-steal it deactivates the holder's instance (Deactivate Payload) and activates its own.
        const before = server.output().length;
        const { out } = await run(
          ["python3", "-c", PTY_SCRIPT, ...ipmiconsole(17), "echo stolen\r", "4"],
          30_000,
          {
            SOL_ESCAPE: "&.",
          },
        );
        expect(out).toContain("[SOL established]");
        expect(out.split(/\r?\n/).map((l) => l.trim())).toContain("stolen");
        expect(server.output().slice(before)).toMatch(
          /SOL of session \w+ deactivated by admin@127\.0\.0\.1:/,
        );
      } finally {
        holder.kill("SIGKILL");
      }
    },
    70_000,
  );
});
