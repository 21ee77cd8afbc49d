import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CC } from "../../ipmi/completion-codes";
import { decodeSiResponse } from "../kcs/kcs-codec";
import {
  decodeSsifRequest,
  encodeSsifRequest,
  encodeSsifResponse,
  SSIF_MAX_RESPONSE_DATA,
  SSIF_PAYLOAD_MAX,
  unwrapSsif,
} from "./ssif-codec";

describe("SSIF record decoding (ssif_bmc read(): struct ipmi_ssif_msg cut to 4 + len)", () => {
  it("decodes Get Device ID: [02 00 00 00 | 18 01]", () => {
    expect(decodeSsifRequest(Uint8Array.of(0x02, 0, 0, 0, 0x18, 0x01))).toEqual({
      ok: true,
      message: { netFn: 0x06, lun: 0, cmd: 0x01, data: new Uint8Array(0) },
    });
  });

  it("decodes Get System Interface Capabilities (SSIF): [03 00 00 00 | 18 57 00]", () => {
    const d = decodeSsifRequest(Uint8Array.of(0x03, 0, 0, 0, 0x18, 0x57, 0x00));
    expect(d.ok && d.message).toMatchObject({ netFn: 6, cmd: 0x57 });
    expect(d.ok && [...d.message.data]).toEqual([0]);
  });

  it("refuses a record shorter than the length field, with no reply possible", () => {
    const d = decodeSsifRequest(Uint8Array.of(0x02, 0x00));
    expect(!d.ok && d.malformed.reason).toMatch(/too short/);
    expect(!d.ok && d.malformed.reply).toBeUndefined();
  });

  it("answers C6h when the length field promises more than arrived, C7h when less", () => {
    const short = decodeSsifRequest(Uint8Array.of(0x05, 0, 0, 0, 0x18, 0x01, 0xaa));
    expect(!short.ok && short.malformed.reply).toEqual({
      seq: null,
      netFn: 6,
      lun: 0,
      cmd: 1,
      cc: CC.REQUEST_TRUNCATED,
    });
    const long = decodeSsifRequest(Uint8Array.of(0x02, 0, 0, 0, 0x18, 0x01, 0xaa));
    expect(!long.ok && long.malformed.reply?.cc).toBe(CC.REQUEST_LENGTH_INVALID);
  });

  it("refuses a length beyond IPMI_SSIF_PAYLOAD_MAX (254), a zero-length and a response-netfn message", () => {
    const huge = decodeSsifRequest(Uint8Array.of(0xff, 0, 0, 0, 0x18, 0x01));
    expect(!huge.ok && huge.malformed).toMatchObject({
      reason: expect.stringMatching(/at most 254/),
      reply: { cc: CC.REQUEST_LENGTH_INVALID },
    });
    const empty = decodeSsifRequest(Uint8Array.of(0, 0, 0, 0));
    expect(!empty.ok && empty.malformed.reply).toBeUndefined();
    const resp = decodeSsifRequest(Uint8Array.of(0x02, 0, 0, 0, 0x1c, 0x01));
    expect(!resp.ok && resp.malformed.reply?.cc).toBe(CC.INVALID_COMMAND);
  });
});

describe("SSIF record encoding (ssif_bmc write())", () => {
  it("puts the length little-endian before the response: [03 00 00 00 | 1c 01 c1]", () => {
    const f = encodeSsifResponse({ netFn: 7, lun: 0, cmd: 1, cc: 0xc1, data: new Uint8Array() });
    expect([...f]).toEqual([0x03, 0, 0, 0, 0x1c, 0x01, 0xc1]);
  });

  it("carries up to 251 data bytes (254 with netfn, cmd, cc) and no more", () => {
    const msg = { netFn: 7, lun: 0, cmd: 1, cc: 0 };
    expect(SSIF_MAX_RESPONSE_DATA).toBe(251);
    const full = encodeSsifResponse({ ...msg, data: new Uint8Array(251) });
    expect([...full.subarray(0, 4)]).toEqual([254, 0, 0, 0]);
    expect(full.length).toBe(258);
    expect(() => encodeSsifResponse({ ...msg, data: new Uint8Array(252) })).toThrow(RangeError);
  });
});

describe("SSIF codec against random input (fast-check)", () => {
  it("decodes any record without throwing; a reply exactly when netfn and cmd arrived", () => {
    const records = fc.oneof(
      fc.uint8Array({ maxLength: 260 }),
      // Mostly-valid records: a plausible length field over random bytes.
      fc.uint8Array({ maxLength: 256 }).chain((payload) =>
        fc.integer({ min: 0, max: 300 }).map((len) => {
          const f = new Uint8Array(4 + payload.length);
          new DataView(f.buffer).setUint32(0, len, true);
          f.set(payload, 4);
          return f;
        }),
      ),
    );
    fc.assert(
      fc.property(records, (frame) => {
        const d = decodeSsifRequest(frame);
        if (d.ok) {
          const len = new DataView(frame.buffer, frame.byteOffset).getUint32(0, true);
          expect(len).toBe(frame.length - 4);
          expect(len).toBeLessThanOrEqual(SSIF_PAYLOAD_MAX);
          expect(d.message.netFn & 1).toBe(0);
          expect([...d.message.data]).toEqual([...frame.subarray(6)]);
        } else {
          expect([...d.malformed.frame]).toEqual([...frame]);
          if (frame.length < 6) expect(d.malformed.reply).toBeUndefined();
          if (d.malformed.reply) expect(d.malformed.reply.cmd).toBe(frame[5]);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("round-trips requests and responses", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0x1f }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ maxLength: SSIF_MAX_RESPONSE_DATA }),
        (half, lun, cmd, data) => {
          const netFn = half * 2;
          expect(decodeSsifRequest(encodeSsifRequest({ netFn, lun, cmd, data }))).toEqual({
            ok: true,
            message: { netFn, lun, cmd, data },
          });
          const res = { netFn: netFn + 1, lun, cmd, cc: 0, data };
          const payload = unwrapSsif(encodeSsifResponse(res));
          expect(payload instanceof Uint8Array && decodeSiResponse(payload)).toEqual(res);
        },
      ),
      { numRuns: 300 },
    );
  });
});
