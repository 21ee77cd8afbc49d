/**
 * The SOL configuration (table 26-5): defaults, validation, set in progress, read-only
 * parameters, what Activate Payload and the SOL session read, and the saved form.
 */
import { describe, expect, it } from "vitest";
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/ipmi-error";
import { SOL_DEFAULTS, SolConfig } from "./sol-config";

const config = (saved?: unknown) => new SolConfig({ channel: 1, port: () => 6230, saved });
const ccOf = (f: () => void): number | undefined => {
  try {
    f();
  } catch (err) {
    if (err instanceof IpmiError) return err.cc;
    throw err;
  }
  return undefined;
};
const set = (c: SolConfig, p: number, ...data: number[]) => ccOf(() => c.set(p, Uint8Array.from(data)));

describe("defaults", () => {
  it("answers every parameter ipmitool's `sol info` asks", () => {
    const c = config();
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((p) => [...c.get(p)])).toEqual([
      [0x00],
      [0x01],
      [0xc2],
      [0x0c, 0x60],
      [0x07, 0x32],
      [0x0a],
      [0x0a],
      [0x01],
      [0x56, 0x18],
    ]);
    expect(c.enabled).toBe(true);
    expect([c.forceEncryption, c.forceAuthentication, c.privilegeLevel, c.privilege]).toEqual([
      true,
      true,
      2,
      "user",
    ]);
    expect(c.timing()).toEqual({
      accumulateIntervalMs: 60,
      sendThreshold: 96,
      retryCount: 7,
      retryIntervalMs: 500,
    });
    expect(c.payloadPort()).toBe(6230);
    expect(c.bitRate()).toBe(115200);
  });

  it("reports port 623 when the LAN bus does not listen", () => {
    expect([...new SolConfig({ channel: 1 }).get(8)]).toEqual([0x6f, 0x02]);
  });

  it("answers 80h to parameters it does not support", () => {
    expect(ccOf(() => config().get(9))).toBe(0x80);
    expect(set(config(), 0xc0, 0)).toBe(0x80);
  });
});

describe("Set", () => {
  it("writes what `sol set` writes", () => {
    const c = config();
    expect(set(c, 1, 0x00)).toBeUndefined();
    expect(c.enabled).toBe(false);
    expect(set(c, 2, 0x44)).toBeUndefined();
    expect([c.forceEncryption, c.forceAuthentication, c.privilege]).toEqual([false, true, "admin"]);
    expect(set(c, 3, 0x0a, 0x32)).toBeUndefined();
    expect(set(c, 4, 0x03, 0x00)).toBeUndefined();
    expect(c.timing()).toEqual({
      accumulateIntervalMs: 50,
      sendThreshold: 50,
      retryCount: 3,
      retryIntervalMs: 0,
    });
    expect(set(c, 6, 0x08)).toBeUndefined();
    expect(c.bitRate()).toBe(38400);
    expect([...c.get(5)]).toEqual([0x0a]);
  });

  it("refuses reserved bits and values with CCh", () => {
    const c = config();
    expect(set(c, 1, 0x02)).toBe(CC.INVALID_DATA_FIELD);
    expect(set(c, 2, 0x12)).toBe(CC.INVALID_DATA_FIELD); // bit 4 reserved
    expect(set(c, 2, 0x81)).toBe(CC.INVALID_DATA_FIELD); // callback
    expect(set(c, 2, 0x85)).toBe(CC.INVALID_DATA_FIELD); // OEM
    expect(set(c, 3, 0x00, 0x10)).toBe(CC.INVALID_DATA_FIELD); // 1-based
    expect(set(c, 3, 0x10, 0x00)).toBe(CC.INVALID_DATA_FIELD);
    expect(set(c, 4, 0x08, 0x10)).toBe(CC.INVALID_DATA_FIELD);
    expect(set(c, 5, 0x05)).toBe(CC.INVALID_DATA_FIELD);
    expect(set(c, 6, 0x1a)).toBe(CC.INVALID_DATA_FIELD);
    expect([...c.get(2)]).toEqual([0xc2]);
  });

  it("refuses the wrong length, and read-only parameters with 82h", () => {
    const c = config();
    expect(set(c, 3, 0x0c)).toBe(CC.REQUEST_LENGTH_INVALID);
    expect(set(c, 1, 0x01, 0x00)).toBe(CC.REQUEST_FIELD_LENGTH_EXCEEDED);
    expect(set(c, 7, 0x02)).toBe(0x82);
    expect(set(c, 8, 0x6f, 0x02)).toBe(0x82);
  });

  it("locks with set in progress (81h on a second), commit write completes it", () => {
    const c = config();
    expect(set(c, 0, 0x01)).toBeUndefined();
    expect([...c.get(0)]).toEqual([0x01]);
    expect(set(c, 0, 0x01)).toBe(0x81);
    expect(set(c, 1, 0x00)).toBeUndefined(); // takes effect at once
    expect(set(c, 0, 0x02)).toBeUndefined();
    expect([...c.get(0)]).toEqual([0x00]);
    expect(set(c, 0, 0x03)).toBe(CC.INVALID_DATA_FIELD);
    expect(set(c, 0, 0x01)).toBeUndefined();
    c.reset("cold");
    expect([...c.get(0)]).toEqual([0x00]);
  });

  it("tells listeners, and a Cold Reset loads the volatile bit rate from the non-volatile one", () => {
    const c = config();
    const seen: number[] = [];
    c.onChange((p) => seen.push(p));
    set(c, 6, 0x06);
    c.reset("warm");
    expect(c.bitRate()).toBe(9600);
    c.reset("cold");
    expect(c.bitRate()).toBe(115200);
    expect(seen).toEqual([6, 6]);
  });
});

describe("the saved form", () => {
  it("comes back as it was set; the volatile bit rate is not kept", () => {
    const c = config();
    set(c, 1, 0x00);
    set(c, 2, 0x03);
    set(c, 3, 0x02, 0x01);
    set(c, 4, 0x01, 0x64);
    set(c, 5, 0x09);
    set(c, 6, 0x06);
    const again = config(JSON.parse(JSON.stringify(c.persisted())));
    expect([1, 2, 3, 4, 5, 6].map((p) => [...again.get(p)])).toEqual([
      [0x00],
      [0x03],
      [0x02, 0x01],
      [0x01, 0x64],
      [0x09],
      [0x09],
    ]);
  });

  it("ignores a saved form it cannot use", () => {
    const c = config({ version: 1, enabled: "yes" });
    expect(c.persisted()).toEqual({ version: 1, ...SOL_DEFAULTS });
  });
});
