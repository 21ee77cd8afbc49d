import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ConsoleStream } from "./console-stream";
import { QemuSerialTransport } from "./qemu-serial";
import { connectConsole } from "./transport";

const text = (s: string) => Buffer.from(s, "utf8");

/** A loopback client standing in for QEMU's socket chardev. */
async function guest(
  port: number,
): Promise<{ socket: net.Socket; received: () => string; next: (n: number) => Promise<string> }> {
  const socket = net.connect({ host: "127.0.0.1", port });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  let buf = "";
  const waiters: { n: number; resolve: (s: string) => void }[] = [];
  socket.on("data", (d: Buffer) => {
    buf += d.toString("latin1");
    for (const w of [...waiters]) {
      if (buf.length >= w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(buf);
      }
    }
  });
  return {
    socket,
    received: () => buf,
    next: (n) =>
      buf.length >= n ? Promise.resolve(buf) : new Promise((resolve) => waiters.push({ n, resolve })),
  };
}

function nextState(t: QemuSerialTransport, want: string): Promise<void> {
  return new Promise((resolve) => {
    const off = t.onState((s) => {
      if (s === want) {
        off();
        resolve();
      }
    });
  });
}

describe("QemuSerialTransport", () => {
  let transport: QemuSerialTransport | undefined;
  afterEach(async () => {
    await transport?.close();
    transport = undefined;
  });

  it("listens, takes one guest, and carries raw bytes both ways", async () => {
    transport = new QemuSerialTransport({ host: "127.0.0.1", port: 0 });
    expect(transport.state).toBe("down");
    await transport.open();
    const port = transport.address!.port;
    expect(port).toBeGreaterThan(0);
    expect(transport.state).toBe("waiting");
    expect(transport.description).toBe(
      `QEMU serial (chardev socket, listening on 127.0.0.1:${port}, no guest connected)`,
    );
    expect(transport.write(text("x"))).toBe(false);

    const stream = new ConsoleStream();
    connectConsole(stream, transport);
    const reader = stream.addReader({ kind: "browser", id: "1", label: "alice" });
    const got: string[] = [];
    const outputSeen = new Promise<void>((resolve) =>
      reader.onReadable(() => {
        got.push(Buffer.from(reader.take().data).toString("latin1"));
        if (got.join("").length >= 6) resolve();
      }),
    );

    const up = nextState(transport, "up");
    const g = await guest(port);
    await up;
    expect(stream.hostState).toBe("up");
    // Every byte value passes untouched (no telnet escaping).
    g.socket.write(Buffer.from([0xff, 0x00, 0x1b, 0x0d, 0x0a, 0x7f]));
    await outputSeen;
    expect(Buffer.from(got.join(""), "latin1")).toEqual(Buffer.from([0xff, 0x00, 0x1b, 0x0d, 0x0a, 0x7f]));

    const owner = { kind: "sol" as const, id: "s1", label: "admin@127.0.0.1:1" };
    stream.claimWriter(owner);
    expect(stream.write(owner, Buffer.from([0xff, 0x03]))).toEqual({ ok: true });
    expect(Buffer.from(await g.next(2), "latin1")).toEqual(Buffer.from([0xff, 0x03]));

    const waiting = nextState(transport, "waiting");
    g.socket.destroy();
    await waiting;
    expect(stream.hostState).toBe("waiting");
  });

  it("lets a second connection replace the first, as when QEMU restarts", async () => {
    transport = new QemuSerialTransport({ host: "127.0.0.1", port: 0 });
    await transport.open();
    const port = transport.address!.port;
    const states: string[] = [];
    transport.onState((s) => states.push(s));
    const data: string[] = [];
    let second: () => void = () => {};
    const fromSecond = new Promise<void>((resolve) => {
      second = resolve;
    });
    transport.onData((b) => {
      data.push(Buffer.from(b).toString());
      if (data.includes("new")) second();
    });
    const first = await guest(port);
    const firstClosed = new Promise<void>((resolve) => first.socket.once("close", () => resolve()));
    const g2 = await guest(port);
    await firstClosed;
    g2.socket.write("new");
    await fromSecond;
    expect(transport.write(text("hi"))).toBe(true);
    expect(await g2.next(2)).toBe("hi");
    expect(transport.connections).toBe(2);
    expect(states).toEqual(["up"]);
    g2.socket.destroy();
  });

  it("says so when the address is taken", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const t = new QemuSerialTransport({ host: "127.0.0.1", port });
    await expect(t.open()).rejects.toThrow(`HOST_SERIAL 127.0.0.1:${port} is already in use`);
    expect(t.state).toBe("down");
    await new Promise<void>((resolve) => blocker.close(() => resolve()));
  });
});
