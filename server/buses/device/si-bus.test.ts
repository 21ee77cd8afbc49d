/** The system-interface bus between a fake transport and a fake BusPort: framing, tags, back-pressure. */
import { describe, expect, it } from "vitest";
import type { BusMalformed, BusPort, BusRequest } from "../../router/types";
import { KCS_FRAMING } from "../kcs/create-kcs-bus";
import { SSIF_FRAMING } from "../ssif/create-ssif-bus";
import { SystemInterfaceBus } from "./si-bus";
import type { SiTransport } from "./si-device-transport";

class FakeTransport implements SiTransport {
  readonly description = "fake device";
  hostTimeoutMs: number | undefined = 5000;
  written: { frame: number[]; key: number | undefined }[] = [];
  answer: "sent" | "busy" = "sent";
  opened = 0;
  closed = 0;
  private message: ((frame: Uint8Array, key: number) => void) | undefined;
  private writable: (() => void) | undefined;
  onMessage(l: (frame: Uint8Array, key: number) => void) {
    this.message = l;
  }
  onWritable(l: () => void) {
    this.writable = l;
  }
  write(frame: Uint8Array, key: number | undefined) {
    if (this.answer === "busy") return "busy";
    this.written.push({ frame: [...frame], key });
    return "sent";
  }
  async open() {
    this.opened++;
  }
  async close() {
    this.closed++;
  }
  host(frame: number[], key: number) {
    this.message?.(Uint8Array.from(frame), key);
  }
  drained() {
    this.writable?.();
  }
}

function fakePort() {
  const requests: BusRequest[] = [];
  const malformed: BusMalformed[] = [];
  let ready = 0;
  const port: BusPort = {
    request: (r) => requests.push(r),
    malformed: (m) => malformed.push(m),
    record: () => {},
    ready: () => ready++,
  };
  return { port, requests, malformed, readyCount: () => ready };
}

describe("SystemInterfaceBus", () => {
  it("hands a KCS request to the router with the transport's key as tag, and sends the response back with it", async () => {
    const t = new FakeTransport();
    const bus = new SystemInterfaceBus("kcs3", KCS_FRAMING, t);
    const p = fakePort();
    bus.attach(p.port);
    await bus.start();
    t.host([0x18, 0x01, 0xaa], 7);
    expect(p.requests).toEqual([
      {
        seq: null,
        netFn: 6,
        lun: 0,
        cmd: 1,
        data: Uint8Array.of(0xaa),
        frame: Uint8Array.of(0x18, 0x01, 0xaa),
        tag: 7,
      },
    ]);
    expect(bus.send({ seq: null, netFn: 7, lun: 0, cmd: 1, cc: 0, data: Uint8Array.of(0x20), tag: 7 })).toBe(
      "sent",
    );
    expect(t.written).toEqual([{ frame: [0x1c, 0x01, 0x00, 0x20], key: 7 }]);
    await bus.stop();
    expect([t.opened, t.closed]).toEqual([1, 1]);
  });

  it("passes 'busy' through and tells the router when the device can take responses again", () => {
    const t = new FakeTransport();
    const bus = new SystemInterfaceBus("kcs3", KCS_FRAMING, t);
    const p = fakePort();
    bus.attach(p.port);
    t.answer = "busy";
    expect(bus.send({ seq: null, netFn: 7, lun: 0, cmd: 1, cc: 0, data: new Uint8Array(), tag: 1 })).toBe(
      "busy",
    );
    t.drained();
    expect(p.readyCount()).toBe(1);
  });

  it("reports a malformed message with its reply tagged, and one without a header unanswered", () => {
    const t = new FakeTransport();
    const bus = new SystemInterfaceBus("ssif0", SSIF_FRAMING, t);
    const p = fakePort();
    bus.attach(p.port);
    t.host([0x02, 0, 0, 0, 0x1c, 0x01], 3); // a response netfn
    t.host([0x01, 0, 0, 0, 0x18], 4); // no command byte
    expect(p.malformed[0]).toMatchObject({ reply: { cc: 0xc1, tag: 3, seq: null } });
    expect(p.malformed[1]?.reply).toBeUndefined();
    expect(p.requests).toHaveLength(0);
  });

  it("frames SSIF responses with the length field, and derives the hold deadline from the host's timeout", () => {
    const t = new FakeTransport();
    t.hostTimeoutMs = 500;
    const bus = new SystemInterfaceBus("ssif0", SSIF_FRAMING, t);
    expect(bus).toMatchObject({
      kind: "ssif",
      maxResponseData: 251,
      hostTimeoutMs: 500,
      holdDeadlineMs: 100,
    });
    bus.send({ seq: null, netFn: 7, lun: 0, cmd: 1, cc: 0xc1, data: new Uint8Array(), tag: 2 });
    expect(t.written).toEqual([{ frame: [3, 0, 0, 0, 0x1c, 0x01, 0xc1], key: 2 }]);
    t.hostTimeoutMs = undefined;
    expect(bus.holdDeadlineMs).toBeUndefined();
    expect(bus.description).toBe("SSIF, fake device");
  });

  it("drops requests that arrive before a router is attached", () => {
    const t = new FakeTransport();
    new SystemInterfaceBus("kcs3", KCS_FRAMING, t);
    expect(() => t.host([0x18, 0x01], 1)).not.toThrow();
  });
});
