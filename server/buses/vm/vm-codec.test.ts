import { describe, expect, it } from "vitest";
import {
  byteSum,
  encodeVmControl,
  encodeVmMessage,
  encodeVmResponse,
  VM_CAP,
  VM_CMD,
  VmDecoder,
  type VmEvent,
  vmCapabilityNames,
  vmChecksum,
} from "./vm-codec";

const bytes = (...b: number[]) => Uint8Array.from(b);
const hex = (u: Uint8Array) => Buffer.from(u).toString("hex");

describe("VM protocol encoding", () => {
  it("frames a Get Device ID request as QEMU 7.2 sent it (id 0, netfn 06h, cmd 01h)", () => {
    // Captured from qemu-system-x86_64 7.2 with isa-ipmi-bt + ipmi-bmc-extern.
    expect(hex(encodeVmMessage(0x00, 0x18, 0x01, []))).toBe("001801e7a0");
  });

  it("appends a checksum that makes the whole message sum to zero", () => {
    const body = [0x00, 0x20, 0x01, 0x00, 0x02, 0x03, 0x02, 0x9f];
    const framed = encodeVmMessage(0x07, 0x1c, 0x01, body);
    const unframed = framed.subarray(0, framed.length - 1);
    expect(framed[framed.length - 1]).toBe(0xa0);
    expect(byteSum(unframed)).toBe(0);
    expect(vmChecksum([0x07, 0x1c, 0x01, ...body])).toBe(unframed[unframed.length - 1]);
  });

  it("frames a response with its completion code first, as the same message", () => {
    const data = Uint8Array.of(0x20, 0xa0, 0x01);
    expect(hex(encodeVmResponse(0x07, 0x1c, 0x01, 0x00, data))).toBe(
      hex(encodeVmMessage(0x07, 0x1c, 0x01, [0x00, ...data])),
    );
  });

  it("escapes A0, A1 and AA anywhere, including the id and the checksum", () => {
    // id A0 -> AA B0; data AA -> AA BA; A1 -> AA B1
    const framed = encodeVmMessage(0xa0, 0x1c, 0x01, [0x00, 0xaa, 0xa1]);
    expect(hex(framed.subarray(0, 2))).toBe("aab0");
    expect(hex(framed)).toContain("00aabaaab1");
    // A checksum that is itself A1: body sums to 5Fh.
    const tricky = encodeVmMessage(0x00, 0x18, 0x01, [0x46]);
    expect(hex(tricky)).toBe("00180146aab1a0");
  });

  it("frames control commands with A1", () => {
    expect(hex(encodeVmControl(VM_CMD.VERSION, 1))).toBe("ff01a1");
    expect(hex(encodeVmControl(VM_CMD.ATTN))).toBe("01a1");
    expect(hex(encodeVmControl(VM_CMD.CAPABILITIES, 0xa1))).toBe("08aab1a1");
  });
});

describe("VmDecoder", () => {
  it("decodes QEMU's handshake and a request in one chunk", () => {
    const events = new VmDecoder().push(
      bytes(0xff, 0x01, 0xa1, 0x08, 0x3f, 0xa1, 0x00, 0x18, 0x01, 0xe7, 0xa0),
    );
    expect(events.map((e) => e.kind)).toEqual(["control", "control", "message"]);
    expect(events[0]).toMatchObject({ op: VM_CMD.VERSION, args: bytes(1) });
    expect(events[1]).toMatchObject({ op: VM_CMD.CAPABILITIES, args: bytes(0x3f) });
    expect(events[2]).toMatchObject({ kind: "message", id: 0, netFnLun: 0x18, cmd: 0x01, data: bytes() });
    expect(vmCapabilityNames(0x3f)).toEqual(["power", "reset", "irq", "nmi", "attn", "graceful-shutdown"]);
    expect(VM_CAP.GRACEFUL_SHUTDOWN).toBe(0x20);
  });

  it("keeps a frame split across chunks, even between an escape and its byte", () => {
    const framed = encodeVmMessage(0xaa, 0x18, 0x01, [0xa0, 0x05]);
    const d = new VmDecoder();
    const events: VmEvent[] = [];
    for (const b of framed) events.push(...d.push(bytes(b)));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: "message", id: 0xaa, cmd: 0x01, data: bytes(0xa0, 0x05) });
  });

  it("keeps the whole message unescaped, checksum included, for the log", () => {
    const framed = encodeVmMessage(0xaa, 0x18, 0x01, [0xa1]);
    expect(hex(framed)).toBe("aaba1801aab19ca0");
    const [event] = new VmDecoder().push(framed);
    expect(event).toMatchObject({ kind: "message", bytes: bytes(0xaa, 0x18, 0x01, 0xa1, 0x9c) });
  });

  it("round-trips every byte value", () => {
    const all = Array.from({ length: 256 }, (_, i) => i);
    const [event] = new VmDecoder().push(encodeVmMessage(0x42, 0x1c, 0x02, all));
    expect(event?.kind).toBe("message");
    if (event?.kind === "message") expect([...event.data]).toEqual(all);
  });

  it("reports a bad checksum as malformed with the header it could read, and goes on", () => {
    const good = encodeVmMessage(0x01, 0x18, 0x01, []);
    const events = new VmDecoder().push(bytes(0x00, 0x18, 0x01, 0xe8, 0xa0, ...good));
    expect(events[0]).toMatchObject({
      kind: "malformed",
      header: { id: 0, netFnLun: 0x18, cmd: 0x01 },
      bytes: bytes(0x00, 0x18, 0x01, 0xe8, 0xa0),
    });
    expect((events[0] as { reason: string }).reason).toMatch(/checksum/);
    expect(events[1]).toMatchObject({ kind: "message", id: 1 });
  });

  it("reports garbage, short messages, broken escapes and overlong frames, then resynchronises", () => {
    const d = new VmDecoder();
    const reasons = (e: VmEvent[]) => e.map((x) => (x.kind === "malformed" ? x.reason : x.kind));
    expect(reasons(d.push(bytes(0x12, 0xa0)))).toEqual([expect.stringMatching(/too short/)]);
    expect(reasons(d.push(bytes(0x00, 0x18, 0xaa, 0xa0)))).toEqual([
      expect.stringMatching(/inside an escape/),
    ]);
    expect(reasons(d.push(bytes(0x00, 0xaa, 0x41, 0x01, 0xa0)))).toEqual([
      expect.stringMatching(/needs none/),
    ]);
    expect(reasons(d.push(new Uint8Array(400).fill(0x55)))).toEqual([]);
    expect(reasons(d.push(bytes(0xa0)))).toEqual([expect.stringMatching(/longer than/)]);
    expect(reasons(d.push(encodeVmMessage(3, 0x18, 0x01, [])))).toEqual(["message"]);
  });

  it("ignores empty frames (a lone end marker)", () => {
    expect(new VmDecoder().push(bytes(0xa0, 0xa1, 0xa0))).toEqual([]);
  });

  it("reads QEMU's reset notification", () => {
    expect(new VmDecoder().push(bytes(0x04, 0xa1))).toEqual([
      { kind: "control", op: VM_CMD.RESET, args: bytes(), bytes: bytes(0x04) },
    ]);
  });
});
