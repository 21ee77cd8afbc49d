import { describe, expect, it } from "vitest";
import { CC } from "../../ipmi/completion-codes";
import { decodeBtRequest, decodeBtResponse, encodeBtRequest, encodeBtResponse } from "./bt-codec";

describe("BT request decoding", () => {
  it("decodes Get Device ID as the Linux driver writes it: [03 18 seq 01]", () => {
    const d = decodeBtRequest(Uint8Array.of(0x03, 0x18, 0x2a, 0x01));
    expect(d).toEqual({
      ok: true,
      message: { netFn: 0x06, lun: 0, seq: 0x2a, cmd: 0x01, data: new Uint8Array(0) },
    });
  });

  it("decodes data and the LUN: Set Watchdog Timer on LUN 2", () => {
    const d = decodeBtRequest(Uint8Array.of(0x09, 0x1a, 0x05, 0x24, 0x44, 0x01, 0x00, 0x00, 0x64, 0x00));
    expect(d.ok && d.message).toMatchObject({ netFn: 0x06, lun: 2, seq: 5, cmd: 0x24 });
    expect(d.ok && [...d.message.data]).toEqual([0x44, 0x01, 0x00, 0x00, 0x64, 0x00]);
  });

  it("refuses a frame shorter than the header, with no reply possible", () => {
    const d = decodeBtRequest(Uint8Array.of(0x02, 0x18, 0x01));
    expect(d.ok).toBe(false);
    expect(!d.ok && d.malformed).toMatchObject({ reason: expect.stringMatching(/too short/) });
    expect(!d.ok && d.malformed.reply).toBeUndefined();
  });

  it("answers C6h when the length byte promises more than arrived", () => {
    const d = decodeBtRequest(Uint8Array.of(0x05, 0x18, 0x07, 0x01, 0xaa));
    expect(!d.ok && d.malformed.reply).toEqual({
      seq: 7,
      netFn: 6,
      lun: 0,
      cmd: 1,
      cc: CC.REQUEST_TRUNCATED,
    });
  });

  it("answers C7h when more bytes arrived than the length byte says", () => {
    const d = decodeBtRequest(Uint8Array.of(0x03, 0x18, 0x07, 0x01, 0xaa));
    expect(!d.ok && d.malformed.reply?.cc).toBe(CC.REQUEST_LENGTH_INVALID);
  });

  it("answers C1h to a response netfn sent as a request", () => {
    const d = decodeBtRequest(Uint8Array.of(0x03, 0x1c, 0x07, 0x01));
    expect(!d.ok && d.malformed).toMatchObject({ reply: { cc: CC.INVALID_COMMAND }, header: { netFn: 7 } });
  });
});

describe("BT response encoding", () => {
  it("encodes a completion-code-only error response: [04 1c seq cmd c1]", () => {
    const f = encodeBtResponse({
      netFn: 0x07,
      lun: 0,
      seq: 0x10,
      cmd: 0x99,
      cc: 0xc1,
      data: new Uint8Array(),
    });
    expect([...f]).toEqual([0x04, 0x1c, 0x10, 0x99, 0xc1]);
  });

  it("encodes Get Self Test Results: [06 1c seq 04 00 55 00]", () => {
    const f = encodeBtResponse({
      netFn: 0x07,
      lun: 0,
      seq: 3,
      cmd: 0x04,
      cc: 0,
      data: Uint8Array.of(0x55, 0x00),
    });
    expect([...f]).toEqual([0x06, 0x1c, 0x03, 0x04, 0x00, 0x55, 0x00]);
  });

  it("refuses a response that cannot fit the length byte", () => {
    expect(() =>
      encodeBtResponse({ netFn: 7, lun: 0, seq: 0, cmd: 1, cc: 0, data: new Uint8Array(252) }),
    ).toThrow(RangeError);
    expect(encodeBtResponse({ netFn: 7, lun: 0, seq: 0, cmd: 1, cc: 0, data: new Uint8Array(251) })[0]).toBe(
      255,
    );
  });

  it("round-trips requests and responses for the host side", () => {
    const req = { netFn: 0x0a, lun: 1, seq: 200, cmd: 0x44, data: Uint8Array.of(1, 2, 3) };
    const decoded = decodeBtRequest(encodeBtRequest(req));
    expect(decoded).toEqual({ ok: true, message: req });
    const res = { netFn: 0x0b, lun: 1, seq: 200, cmd: 0x44, cc: 0, data: Uint8Array.of(0x10, 0x00) };
    expect(decodeBtResponse(encodeBtResponse(res))).toEqual(res);
    expect(decodeBtResponse(Uint8Array.of(0x05, 0x1c, 0, 1))).toEqual({
      error: expect.stringMatching(/short/),
    });
  });
});
