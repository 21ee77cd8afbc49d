import { describe, expect, it } from "vitest";
import { getWatchdogTimer, setWatchdogTimer } from "../ipmi/commands/app";
import { CC } from "../ipmi/completion-codes";
import { MESSAGE_FLAGS } from "./controller";
import { createBmc } from "./index";
import { call, find, manualClock } from "./test-harness";
import { CC_WATCHDOG_UNINITIALIZED, createWatchdogState, Watchdog, type WatchdogExpiry } from "./watchdog";

/** ipmitool raw 0x06 0x24: SMS/OS with "don't stop", hard reset, no pre-timeout, 10.0 s. */
const SET_10S_DONT_STOP = [0x44, 0x01, 0x00, 0x00, 0x64, 0x00];
/** ipmitool mc watchdog off: SMS/OS, no action, clear the SMS/OS flag, 300.0 s. */
const IPMITOOL_OFF = [0x04, 0x00, 0x00, 0x10, 0xb8, 0x0b];

function setup() {
  const clock = manualClock();
  const b = createBmc({ clock });
  const h = (id: string) => find(b.handlers, id);
  return {
    clock,
    watchdog: b.watchdog,
    /** Get Message Flags bit 3, which the pre-timeout sets (22.4). */
    preTimeoutFlag: () => (b.controller.messageFlags & MESSAGE_FLAGS.WATCHDOG_PRE_TIMEOUT) !== 0,
    set: (bytes: number[]) => call(h("app.set-watchdog-timer"), bytes),
    reset: () => call(h("app.reset-watchdog-timer")),
    get: async () => {
      const a = await call(h("app.get-watchdog-timer"));
      expect(a.cc).toBe(CC.OK);
      return a.data;
    },
  };
}

describe("Reset Watchdog Timer (06h/22h)", () => {
  it("answers 80h before any Set Watchdog Timer", async () => {
    const { reset, get } = setup();
    expect(await reset()).toEqual({ cc: CC_WATCHDOG_UNINITIALIZED, data: [] });
    expect(CC_WATCHDOG_UNINITIALIZED).toBe(0x80);
    expect(await get()).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it("starts the timer from the initial countdown once Set", async () => {
    const { set, reset, get, clock } = setup();
    expect(await set(SET_10S_DONT_STOP)).toEqual({ cc: CC.OK, data: [] });
    expect(await get()).toEqual([0x04, 0x01, 0x00, 0x00, 0x64, 0x00, 0x64, 0x00]);
    expect(await reset()).toEqual({ cc: CC.OK, data: [] });
    expect(await get()).toEqual([0x44, 0x01, 0x00, 0x00, 0x64, 0x00, 0x64, 0x00]);
    clock.advance(2_500);
    expect(await get()).toEqual([0x44, 0x01, 0x00, 0x00, 0x64, 0x00, 0x4b, 0x00]);
    expect(await reset()).toEqual({ cc: CC.OK, data: [] });
    expect((await get()).slice(6)).toEqual([0x64, 0x00]);
  });
});

describe("Get Watchdog Timer (06h/25h)", () => {
  it("counts down with the clock in 100 ms counts, LS byte first", async () => {
    const { set, reset, get, clock } = setup();
    await set([0x04, 0x00, 0x00, 0x00, 0x2c, 0x01]); // 300 counts = 30.0 s
    await reset();
    clock.advance(50);
    expect((await get()).slice(4)).toEqual([0x2c, 0x01, 0x2c, 0x01]);
    clock.advance(50);
    expect((await get()).slice(4)).toEqual([0x2c, 0x01, 0x2b, 0x01]);
    clock.advance(4_400); // 4.5 s in: 255 counts left
    expect((await get()).slice(4)).toEqual([0x2c, 0x01, 0xff, 0x00]);
  });

  it("stops at zero, clears bit 6, sets the timer use expiration flag", async () => {
    const { set, reset, get, clock, watchdog } = setup();
    await set(SET_10S_DONT_STOP);
    await reset();
    clock.advance(9_999);
    expect(watchdog.expired()).toBe(false);
    clock.advance(1);
    expect(watchdog.expired()).toBe(true);
    expect(await get()).toEqual([0x04, 0x01, 0x00, 0x10, 0x64, 0x00, 0x00, 0x00]);
    clock.advance(60_000);
    expect((await get()).slice(6)).toEqual([0x00, 0x00]);
  });

  it("never reports a count below zero, even after a long time", async () => {
    const { set, reset, get, clock } = setup();
    await set([0x03, 0x00, 0x00, 0x00, 0x01, 0x00]);
    await reset();
    clock.advance(10 * 60_000);
    expect(await get()).toEqual([0x03, 0x00, 0x00, 0x08, 0x01, 0x00, 0x00, 0x00]);
  });

  it("reports the don't-log bit and the pre-timeout settings as Set gave them", async () => {
    const { set, get } = setup();
    // don't log, BIOS/POST; NMI pre-timeout + power cycle; 5 s; 60.0 s.
    await set([0x82, 0x23, 0x05, 0x00, 0x58, 0x02]);
    expect(await get()).toEqual([0x82, 0x23, 0x05, 0x00, 0x58, 0x02, 0x58, 0x02]);
  });
});

describe("Set Watchdog Timer (06h/24h)", () => {
  it("answers C7h to a short request and C8h to a long one, before the handler runs", async () => {
    const { set, reset } = setup();
    expect(await set([0x44, 0x01, 0x00, 0x00, 0x64])).toEqual({ cc: CC.REQUEST_LENGTH_INVALID, data: [] });
    expect(await set([...SET_10S_DONT_STOP, 0x00])).toEqual({
      cc: CC.REQUEST_FIELD_LENGTH_EXCEEDED,
      data: [],
    });
    expect((await reset()).cc).toBe(CC_WATCHDOG_UNINITIALIZED);
  });

  it.each([
    ["timer use 0 (reserved)", [0x00, 0x01, 0x00, 0x00, 0x64, 0x00]],
    ["timer use 6 (reserved)", [0x06, 0x01, 0x00, 0x00, 0x64, 0x00]],
    ["timer use 7 (reserved)", [0x47, 0x01, 0x00, 0x00, 0x64, 0x00]],
    ["reserved timer use bits 5:3", [0x0c, 0x01, 0x00, 0x00, 0x64, 0x00]],
    ["timeout action 4 (reserved)", [0x04, 0x04, 0x00, 0x00, 0x64, 0x00]],
    ["pre-timeout interrupt 4 (reserved)", [0x04, 0x41, 0x00, 0x00, 0x64, 0x00]],
    ["reserved timer actions bit 3", [0x04, 0x09, 0x00, 0x00, 0x64, 0x00]],
    ["reserved expiration flag bit 0", [0x04, 0x01, 0x00, 0x01, 0x64, 0x00]],
    ["reserved expiration flag bit 7", [0x04, 0x01, 0x00, 0x80, 0x64, 0x00]],
    ["pre-timeout interval longer than the countdown", [0x04, 0x31, 0x0b, 0x00, 0x64, 0x00]],
  ])("answers CCh to %s and changes nothing", async (_name, bytes) => {
    const { set, get, reset } = setup();
    await set(SET_10S_DONT_STOP);
    await reset();
    const before = await get();
    expect(await set(bytes)).toEqual({ cc: CC.INVALID_DATA_FIELD, data: [] });
    expect(await get()).toEqual(before);
  });

  it("accepts a pre-timeout interval equal to the countdown", async () => {
    const { set } = setup();
    expect((await set([0x04, 0x31, 0x0a, 0x00, 0x64, 0x00])).cc).toBe(CC.OK);
  });

  it("stops a running timer when the don't-stop bit is clear", async () => {
    const { set, reset, get, clock } = setup();
    await set(SET_10S_DONT_STOP);
    await reset();
    clock.advance(3_000);
    expect(await set([0x04, 0x01, 0x00, 0x00, 0x32, 0x00])).toEqual({ cc: CC.OK, data: [] });
    clock.advance(10_000);
    expect(await get()).toEqual([0x04, 0x01, 0x00, 0x00, 0x32, 0x00, 0x32, 0x00]);
  });

  it("keeps a running timer running with the new countdown when don't-stop is set", async () => {
    const { set, reset, get, clock } = setup();
    await set(SET_10S_DONT_STOP);
    await reset();
    clock.advance(3_000);
    await set([0x44, 0x01, 0x00, 0x00, 0x32, 0x00]); // 5.0 s, don't stop
    expect(await get()).toEqual([0x44, 0x01, 0x00, 0x00, 0x32, 0x00, 0x32, 0x00]);
    clock.advance(1_000);
    expect((await get()).slice(6)).toEqual([0x28, 0x00]);
  });

  it("leaves a stopped timer stopped when don't-stop is set", async () => {
    const { set, get, clock } = setup();
    await set(SET_10S_DONT_STOP);
    clock.advance(5_000);
    expect(await get()).toEqual([0x04, 0x01, 0x00, 0x00, 0x64, 0x00, 0x64, 0x00]);
  });

  it("clears the expiration flags it is asked to (ipmitool mc watchdog off)", async () => {
    const { set, reset, get, clock } = setup();
    await set(SET_10S_DONT_STOP);
    await reset();
    clock.advance(10_000);
    expect((await get())[3]).toBe(0x10);
    expect(await set(IPMITOOL_OFF)).toEqual({ cc: CC.OK, data: [] });
    expect(await get()).toEqual([0x04, 0x00, 0x00, 0x00, 0xb8, 0x0b, 0xb8, 0x0b]);
  });

  it("expires at once on reset with a countdown of 0", async () => {
    const { set, reset, get, watchdog } = setup();
    await set([0x01, 0x00, 0x00, 0x00, 0x00, 0x00]);
    await reset();
    expect(watchdog.expired()).toBe(true);
    expect(await get()).toEqual([0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00]);
  });
});

describe("pre-timeout", () => {
  it("fires at the interval before expiry, and Reset no longer restarts the timer", async () => {
    const { set, reset, get, clock, watchdog, preTimeoutFlag } = setup();
    const fired: number[] = [];
    watchdog.onPreTimeout((e) => fired.push(e.at));
    await set([0x04, 0x31, 0x02, 0x00, 0x64, 0x00]); // messaging interrupt, hard reset, 2 s, 10 s
    await reset();
    const start = clock.now();
    expect(watchdog.nextDeadline()).toBe(start + 8_000);
    clock.advance(7_999);
    expect(preTimeoutFlag()).toBe(false);
    clock.advance(1);
    expect(preTimeoutFlag()).toBe(true);
    expect(fired).toEqual([start + 8_000]);
    expect(watchdog.nextDeadline()).toBe(start + 10_000);
    clock.advance(500);
    expect(await reset()).toEqual({ cc: CC.OK, data: [] });
    expect((await get()).slice(6)).toEqual([0x0f, 0x00]);
    clock.advance(1_500);
    expect(watchdog.expired()).toBe(true);
  });

  it("does not fire without a pre-timeout interrupt configured", async () => {
    const { set, reset, clock, preTimeoutFlag } = setup();
    await set([0x04, 0x01, 0x02, 0x00, 0x64, 0x00]);
    await reset();
    clock.advance(9_000);
    expect(preTimeoutFlag()).toBe(false);
  });
});

/** A Set Watchdog Timer request as its bytes arrive (27.6). */
const setRequest = (bytes: number[]) => setWatchdogTimer.request.unpack(Uint8Array.from(bytes));

describe("Watchdog", () => {
  it("expires on its own clock, calling expiry hooks once with the timer use and action", () => {
    const clock = manualClock();
    const wd = new Watchdog({ clock });
    const seen: WatchdogExpiry[] = [];
    const off = wd.onExpire((e) => seen.push(e));
    wd.set(setRequest([0x03, 0x02, 0, 0, 20, 0]));
    wd.resetTimer();
    const start = clock.now();
    expect(clock.pending()).toBe(1);
    clock.advance(1_999);
    expect(seen).toEqual([]);
    clock.advance(3_001);
    expect(seen).toEqual([{ timerUse: 3, timeoutAction: 2, dontLog: false, at: start + 2_000 }]);
    expect(wd.expired()).toBe(true);
    expect(clock.pending()).toBe(0);
    off();
    wd.resetTimer();
    clock.advance(5_000);
    expect(seen).toHaveLength(1);
    expect(wd.nextDeadline()).toBeNull();
  });

  it("takes its deadline off the clock when closed", () => {
    const clock = manualClock();
    const wd = new Watchdog({ clock });
    const seen: WatchdogExpiry[] = [];
    wd.onExpire((e) => seen.push(e));
    wd.set(setRequest([0x04, 0x00, 0, 0, 10, 0]));
    wd.resetTimer();
    expect(clock.pending()).toBe(1);
    wd.close();
    expect(clock.pending()).toBe(0);
    clock.advance(5_000);
    expect(seen).toEqual([]);
  });

  it("keeps its state in a plain object that a new watchdog can continue from", () => {
    const clock = manualClock();
    const state = createWatchdogState();
    const first = new Watchdog({ clock, state });
    first.set(setRequest([0x04, 0x01, 0, 0, 100, 0]));
    first.resetTimer();
    clock.advance(1_000);
    const copy = JSON.parse(JSON.stringify(state));
    const second = new Watchdog({ clock, state: copy });
    expect(second.presentCountdown()).toBe(90);
    // Byte 1 of Get Watchdog Timer: SMS/OS use (4), running (bit 6).
    expect(getWatchdogTimer.response.pack(second.report())[0]).toBe(0x44);
  });
});
