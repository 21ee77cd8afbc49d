/**
 * Set / Get Channel Access (22.22, 22.23) and Get Channel Info (22.24) on the channel
 * state (channels.ts), byte for byte as ipmitool's `channel setaccess / getaccess / info`
 * send them.
 */
import { describe, expect, it } from "vitest";
import { CC } from "../../ipmi/completion-codes";
import type { Requester } from "../../router/types";
import { MemoryBmcStore } from "../store";
import { call, testBmc } from "../test-harness";

const lanSession: Requester = {
  channel: 1,
  peer: "192.0.2.7:50123",
  sessionId: 0x0200_0001,
  user: "admin",
  privilege: "admin",
};

describe("Set Channel Access (06h/40h)", () => {
  it("sets the non-volatile and the volatile copy apart", async () => {
    const b = testBmc();
    // Non-volatile: always available, PEF alerting off (bit 5 set = disabled), operator.
    expect(await b.ask("app.set-channel-access", [0x01, 0x62, 0x43])).toEqual({ cc: CC.OK, data: [] });
    expect((await b.ask("app.get-channel-access", [0x01, 0x40])).data).toEqual([0x22, 0x03]);
    expect((await b.ask("app.get-channel-access", [0x01, 0x80])).data).toEqual([0x22, 0x04]);
    // Volatile: disabled, per-message authentication off; privilege left alone (00b).
    expect(await b.ask("app.set-channel-access", [0x01, 0xb0, 0x00])).toEqual({ cc: CC.OK, data: [] });
    expect((await b.ask("app.get-channel-access", [0x01, 0x80])).data).toEqual([0x30, 0x04]);
    expect(b.channels.sessionsAllowed(1)).toBe(false);
    expect((await b.ask("app.get-channel-access", [0x01, 0x40])).data).toEqual([0x22, 0x03]);
    // "Don't set" in both: nothing changes, whatever the other bits say.
    expect(await b.ask("app.set-channel-access", [0x01, 0x3f, 0x0f])).toEqual({ cc: CC.OK, data: [] });
    expect((await b.ask("app.get-channel-access", [0x01, 0x80])).data).toEqual([0x30, 0x04]);
  });

  it("answers 82h for session-less channels and 83h for modes it does not support, changing nothing", async () => {
    const b = testBmc();
    expect((await b.ask("app.set-channel-access", [0x0f, 0x42, 0x44])).cc).toBe(0x82);
    expect((await b.ask("app.set-channel-access", [0x00, 0x42, 0x44])).cc).toBe(0x82);
    expect((await b.ask("app.set-channel-access", [0x0e, 0x42, 0x44])).cc).toBe(0x82);
    // Pre-boot only and shared; the privilege part of the request is not applied either.
    expect((await b.ask("app.set-channel-access", [0x01, 0x41, 0x42])).cc).toBe(0x83);
    expect((await b.ask("app.set-channel-access", [0x01, 0x83, 0x42])).cc).toBe(0x83);
    expect((await b.ask("app.get-channel-access", [0x01, 0x40])).data).toEqual([0x22, 0x04]);
  });

  it("answers CCh to reserved selectors, bits and limits, and channels that do not exist", async () => {
    const b = testBmc();
    for (const request of [
      [0x07, 0x42, 0x44],
      [0x11, 0x42, 0x44],
      [0x01, 0xc2, 0x44],
      [0x01, 0x42, 0xc4],
      [0x01, 0x42, 0x54],
      [0x01, 0x42, 0x40],
      [0x01, 0x42, 0x46],
      [0x01, 0x42, 0x4f],
    ]) {
      expect((await b.ask("app.set-channel-access", request)).cc, JSON.stringify(request)).toBe(
        CC.INVALID_DATA_FIELD,
      );
    }
    expect((await b.ask("app.set-channel-access", [0x01, 0x42])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
    expect((await b.ask("app.get-channel-access", [0x01, 0x40])).data).toEqual([0x22, 0x04]);
  });

  it("reads 0Eh as the session's channel", async () => {
    const b = testBmc();
    expect((await call(b.h("app.set-channel-access"), [0x0e, 0x80, 0x82], "lan", lanSession)).cc).toBe(CC.OK);
    expect(b.channels.get(1, "volatile")).toMatchObject({ mode: 0, privilegeLimit: 2 });
    expect((await call(b.h("app.get-channel-access"), [0x0e, 0x80], "lan", lanSession)).data).toEqual([
      0x00, 0x02,
    ]);
  });

  it("keeps the non-volatile copy across a restart; the volatile one starts from it, as after a Cold Reset", async () => {
    const store = new MemoryBmcStore();
    const first = testBmc({ store });
    await first.ask("app.set-channel-access", [0x01, 0x42, 0x43]);
    await first.ask("app.set-channel-access", [0x01, 0x80, 0x82]);
    expect((await first.ask("app.get-channel-access", [0x01, 0x80])).data).toEqual([0x00, 0x02]);
    expect((await first.ask("app.cold-reset")).cc).toBe(CC.OK);
    expect((await first.ask("app.get-channel-access", [0x01, 0x80])).data).toEqual([0x02, 0x03]);
    await first.ask("app.set-channel-access", [0x01, 0x80, 0x82]);
    await first.stop();
    const second = testBmc({ store, persisted: await store.load() });
    expect((await second.ask("app.get-channel-access", [0x01, 0x40])).data).toEqual([0x02, 0x03]);
    expect((await second.ask("app.get-channel-access", [0x01, 0x80])).data).toEqual([0x02, 0x03]);
  });
});

describe("Get Channel Info (06h/42h)", () => {
  it("counts the active sessions the session table reports", async () => {
    const b = testBmc({ activeSessions: (channel) => (channel === 1 ? 2 : 0) });
    expect(await b.ask("app.get-channel-info", [0x01])).toEqual({
      cc: CC.OK,
      data: [0x01, 0x04, 0x01, 0x82, 0xf2, 0x1b, 0x00, 0xff, 0xff],
    });
    b.channels.countSessionsWith(() => 5);
    expect((await call(b.h("app.get-channel-info"), [0x0e], "lan", lanSession)).data[3]).toBe(0x85);
    // The system interface is session-less: none, whatever the table says.
    expect((await b.ask("app.get-channel-info", [0x0e])).data.slice(0, 4)).toEqual([0x0f, 0x0c, 0x08, 0x00]);
  });
});
