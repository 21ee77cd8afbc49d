import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CC } from "../../ipmi/completion-codes";
import {
  decodeKcsRequest,
  decodeSiResponse,
  encodeKcsResponse,
  encodeSiRequest,
  KCS_MAX_RESPONSE_DATA,
} from "./kcs-codec";

describe("KCS request decoding (kcs_bmc_cdev_ipmi read())", () => {
  it("decodes Get Device ID as the host's ipmi_si writes it: [18 01]", () => {
    expect(decodeKcsRequest(Uint8Array.of(0x18, 0x01))).toEqual({
      ok: true,
      message: { netFn: 0x06, lun: 0, cmd: 0x01, data: new Uint8Array(0) },
    });
  });

  it("decodes data and the LUN: Set Watchdog Timer on LUN 2", () => {
    const d = decodeKcsRequest(Uint8Array.of(0x1a, 0x24, 0x44, 0x01, 0x00, 0x00, 0x64, 0x00));
    expect(d.ok && d.message).toMatchObject({ netFn: 0x06, lun: 2, cmd: 0x24 });
    expect(d.ok && [...d.message.data]).toEqual([0x44, 0x01, 0x00, 0x00, 0x64, 0x00]);
  });

  it("refuses a message without a command byte, with no reply possible", () => {
    for (const frame of [Uint8Array.of(), Uint8Array.of(0x18)]) {
      const d = decodeKcsRequest(frame);
      expect(!d.ok && d.malformed).toMatchObject({ reason: expect.stringMatching(/too short/) });
      expect(!d.ok && d.malformed.reply).toBeUndefined();
      expect(!d.ok && [...d.malformed.frame]).toEqual([...frame]);
    }
  });

  it("answers C1h to a response netfn sent as a request", () => {
    const d = decodeKcsRequest(Uint8Array.of(0x1c, 0x01));
    expect(!d.ok && d.malformed).toMatchObject({
      header: { seq: null, netFn: 7, lun: 0, cmd: 1 },
      reply: { seq: null, netFn: 7, lun: 0, cmd: 1, cc: CC.INVALID_COMMAND },
    });
  });
});

describe("KCS response encoding (kcs_bmc_cdev_ipmi write())", () => {
  it("encodes a completion-code-only response: [1c 01 c1]", () => {
    const f = encodeKcsResponse({ netFn: 0x07, lun: 0, cmd: 0x01, cc: 0xc1, data: new Uint8Array() });
    expect([...f]).toEqual([0x1c, 0x01, 0xc1]);
  });

  it("encodes Get Self Test Results on LUN 1: [1d 04 00 55 00]", () => {
    const f = encodeKcsResponse({ netFn: 0x07, lun: 1, cmd: 0x04, cc: 0, data: Uint8Array.of(0x55, 0x00) });
    expect([...f]).toEqual([0x1d, 0x04, 0x00, 0x55, 0x00]);
  });

  it("refuses more data than the host's driver keeps (IPMI_MAX_MSG_LENGTH 272)", () => {
    const msg = { netFn: 7, lun: 0, cmd: 1, cc: 0 };
    expect(KCS_MAX_RESPONSE_DATA).toBe(269);
    expect(encodeKcsResponse({ ...msg, data: new Uint8Array(269) }).length).toBe(272);
    expect(() => encodeKcsResponse({ ...msg, data: new Uint8Array(270) })).toThrow(RangeError);
  });
});

describe("KCS codec against random input (fast-check)", () => {
  it("decodes any device read without throwing, and answers exactly when the header survived", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), (frame) => {
        const d = decodeKcsRequest(frame);
        if (d.ok) {
          expect(frame.length).toBeGreaterThanOrEqual(2);
          expect(d.message.netFn & 1).toBe(0);
          expect(d.message.netFn).toBe(frame[0]! >> 2);
          expect(d.message.lun).toBe(frame[0]! & 3);
          expect(d.message.cmd).toBe(frame[1]);
          expect([...d.message.data]).toEqual([...frame.subarray(2)]);
        } else {
          expect(d.malformed.reason.length).toBeGreaterThan(0);
          expect([...d.malformed.frame]).toEqual([...frame]);
          expect(d.malformed.reply === undefined).toBe(frame.length < 2);
        }
      }),
      { numRuns: 500 },
    );
  });

  it("round-trips requests and responses", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0x3f }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 255 }),
        fc.integer({ min: 0, max: 255 }),
        fc.uint8Array({ maxLength: KCS_MAX_RESPONSE_DATA }),
        (netFn, lun, cmd, cc, data) => {
          const req = decodeKcsRequest(encodeSiRequest({ netFn: netFn & 0x3e, lun, cmd, data }));
          expect(req).toEqual({ ok: true, message: { netFn: netFn & 0x3e, lun, cmd, data } });
          const res = { netFn, lun, cmd, cc, data };
          expect(decodeSiResponse(encodeKcsResponse(res))).toEqual(res);
        },
      ),
      { numRuns: 300 },
    );
  });
});
