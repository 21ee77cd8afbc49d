/**
 * The watchdog running for real: expiry sets its flags, logs the Watchdog 2 event in
 * the SEL, and does the configured action to the simulated chassis, visible in Get
 * Chassis Status, Get System Restart Cause and the watchdog sensor.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { CC } from "../ipmi/completion-codes";
import { createBmc } from "./index";
import { call, find, T0_SECONDS_LE, testBmc } from "./test-harness";

/** SEL time T0 + s seconds, LS byte first. */
const at = (s: number) => {
  const t = 1_800_000_000 + s;
  return [t & 0xff, (t >> 8) & 0xff, (t >> 16) & 0xff, (t >>> 24) & 0xff];
};

/** A Watchdog 2 event the BMC (generator 20h) logs for sensor 30h: offset, interrupt << 4 | timer use. */
const watchdogEvent = (id: number, time: number[], offset: number, data2: number) => [
  id & 0xff,
  id >> 8,
  0x02,
  ...time,
  0x20,
  0x00,
  0x04,
  0x23,
  0x30,
  0x6f,
  0xc0 | offset,
  data2,
  0xff,
];

async function selEntries(b: ReturnType<typeof testBmc>): Promise<number[][]> {
  const out: number[][] = [];
  let id = 0;
  for (;;) {
    const a = await b.ask("storage.get-sel-entry", [0, 0, id & 0xff, id >> 8, 0, 0xff]);
    if (a.cc === CC.NOT_PRESENT) return out;
    out.push(a.data.slice(2));
    id = a.data[0]! | (a.data[1]! << 8);
    if (id === 0xffff) return out;
  }
}

afterEach(() => vi.useRealTimers());

describe("watchdog expiry", () => {
  it("power down: the chassis goes off (Get Chassis Status), the SEL has the event, the flags are set", async () => {
    const b = testBmc();
    // SMS/OS, power down, no pre-timeout, 1.0 s.
    await b.ask("app.set-watchdog-timer", [0x04, 0x02, 0x00, 0x00, 0x0a, 0x00]);
    await b.ask("app.reset-watchdog-timer");
    b.clock.advance(1_000);
    expect((await b.ask("chassis.get-chassis-status")).data).toEqual([0x20, 0x00, 0x40]);
    expect(await selEntries(b)).toEqual([watchdogEvent(1, at(1), 0x02, 0x04)]);
    // Stopped, SMS/OS expiration flag (bit 4) set.
    expect((await b.ask("app.get-watchdog-timer")).data).toEqual([
      0x04, 0x02, 0x00, 0x10, 0x0a, 0x00, 0x00, 0x00,
    ]);
    // The watchdog sensor (30h) shows state 2 (power down) asserted.
    expect((await b.ask("sensor.get-sensor-reading", [0x30])).data).toEqual([0x00, 0xc0, 0x04, 0x80]);
  });

  it("hard reset: power stays on, restart cause 4h (watchdog), the reset reaches the action listeners", async () => {
    const b = testBmc();
    const actions: string[] = [];
    b.chassis.onAction((a) => actions.push(a));
    await b.ask("app.set-watchdog-timer", [0x04, 0x01, 0x00, 0x00, 0x0a, 0x00]);
    await b.ask("app.reset-watchdog-timer");
    b.clock.advance(1_500);
    expect((await b.ask("chassis.get-system-restart-cause")).data).toEqual([0x04, 0x00]);
    expect((await b.ask("chassis.get-chassis-status")).data[0]).toBe(0x21);
    expect(actions).toEqual(["hard-reset"]);
    expect(await selEntries(b)).toEqual([watchdogEvent(1, at(1), 0x01, 0x04)]);
  });

  it("power cycle, and the boot flags' valid bit clears on a watchdog reset unless parameter 3 says not to", async () => {
    const b = testBmc();
    const actions: string[] = [];
    b.chassis.onAction((a) => actions.push(a));
    const cycle = async () => {
      await b.ask("chassis.set-system-boot-options", [0x05, 0xc0, 0x04, 0x00, 0x00, 0x00]);
      await b.ask("app.set-watchdog-timer", [0x03, 0x03, 0x00, 0x00, 0x0a, 0x00]);
      await b.ask("app.reset-watchdog-timer");
      b.clock.advance(1_000);
      expect((await b.ask("chassis.get-chassis-status")).data[0]).toBe(0x21);
      return (await b.ask("chassis.get-system-boot-options", [0x05, 0, 0])).data[2];
    };
    expect(await cycle()).toBe(0x40);
    expect(actions).toEqual(["power-cycle"]);
    expect(await selEntries(b)).toEqual([watchdogEvent(1, at(1), 0x03, 0x03)]);
    await b.ask("chassis.set-system-boot-options", [0x03, 0x04]);
    expect(await cycle()).toBe(0xc0);
  });

  it("logs the pre-timeout interrupt (offset 08h) at its time, then the expiry, with the interrupt type", async () => {
    const b = testBmc();
    // SMS/OS; messaging interrupt + hard reset; 2 s pre-timeout; 10.0 s.
    await b.ask("app.set-watchdog-timer", [0x04, 0x31, 0x02, 0x00, 0x64, 0x00]);
    await b.ask("app.reset-watchdog-timer");
    b.clock.advance(8_000);
    expect((await b.ask("app.get-message-flags")).data).toEqual([0x08]);
    b.clock.advance(5_000); // looked at only after the expiry: both events keep their own times
    expect((await b.ask("chassis.get-system-restart-cause")).data[0]).toBe(0x04);
    expect(await selEntries(b)).toEqual([
      watchdogEvent(1, at(8), 0x08, 0x34),
      watchdogEvent(2, at(10), 0x01, 0x34),
    ]);
  });

  it("with 'don't log' it acts but logs nothing, and the flag clears after the timeout", async () => {
    const b = testBmc();
    await b.ask("app.set-watchdog-timer", [0x84, 0x02, 0x00, 0x00, 0x0a, 0x00]);
    expect((await b.ask("app.get-watchdog-timer")).data[0]).toBe(0x84);
    await b.ask("app.reset-watchdog-timer");
    b.clock.advance(1_000);
    expect((await b.ask("chassis.get-chassis-status")).data[0]).toBe(0x20);
    expect(await selEntries(b)).toEqual([]);
    expect((await b.ask("app.get-watchdog-timer")).data[0]).toBe(0x04);
  });

  it("no action: only the event ('timer expired, status only') and the flag", async () => {
    const b = testBmc();
    await b.ask("app.set-watchdog-timer", [0x02, 0x00, 0x00, 0x00, 0x0a, 0x00]);
    await b.ask("app.reset-watchdog-timer");
    b.clock.advance(1_000);
    expect((await b.ask("chassis.get-chassis-status")).data[0]).toBe(0x21);
    expect(await selEntries(b)).toEqual([watchdogEvent(1, at(1), 0x00, 0x02)]);
    expect((await b.ask("app.get-watchdog-timer")).data[3]).toBe(0x04);
  });

  it("runs on a real timer: nothing needs to ask for the expiry to happen", async () => {
    vi.useFakeTimers({ now: 1_800_000_000_000 });
    const b = createBmc();
    const ask = (id: string, bytes: number[] = []) => call(find(b.handlers, id), bytes);
    await ask("app.set-watchdog-timer", [0x04, 0x02, 0x00, 0x00, 0x32, 0x00]); // 5.0 s, power down
    await ask("app.reset-watchdog-timer");
    await vi.advanceTimersByTimeAsync(4_900);
    expect(b.chassis.powerOn).toBe(true);
    // A pat restarts the countdown, and the timer follows it.
    await ask("app.reset-watchdog-timer");
    await vi.advanceTimersByTimeAsync(4_900);
    expect(b.chassis.powerOn).toBe(true);
    await vi.advanceTimersByTimeAsync(100);
    expect(b.chassis.powerOn).toBe(false);
    expect(b.sel.count).toBe(1);
    // It expired 5.0 s after the pat at 4.9 s.
    expect([...b.sel.all()[0]!.data.slice(3, 7)]).toEqual(at(9));
    await b.stop();
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a host reset stops the timer (a system reset) and powers the chassis on", async () => {
    const b = testBmc();
    await b.ask("chassis.chassis-control", [0x00]);
    await b.ask("chassis.chassis-control", [0x01]);
    await b.ask("app.set-watchdog-timer", [0x44, 0x01, 0x00, 0x00, 0x64, 0x00]);
    await b.ask("app.reset-watchdog-timer");
    b.hostReset();
    b.clock.advance(60_000);
    expect((await b.ask("app.get-watchdog-timer")).data.slice(0, 4)).toEqual([0x04, 0x01, 0x00, 0x00]);
    expect(b.sel.count).toBe(0);
    expect(T0_SECONDS_LE).toHaveLength(4);
  });
});
