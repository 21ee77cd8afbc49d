import { describe, expect, it } from "vitest";
import { createBmc } from "../../bmc";
import { defaultProfile } from "../../bmc/profile";
import { call } from "../../bmc/test-harness";
import { NETFN } from "../../ipmi/netfn";
import { Router } from "../../router/router";
import { BtBus } from "./bt-bus";
import { BOOT_SEQUENCE, DEFAULT_SENSORS, HostScript, type ScriptedRequest } from "./host-script";
import { SimulatedHost } from "./sim-host";

/** Plays a script against a BMC's handlers directly; `between` runs before each request. */
async function play(
  script: HostScript,
  bmc: ReturnType<typeof createBmc>,
  steps: number,
  between?: (r: ScriptedRequest) => void,
) {
  const sent: ScriptedRequest[] = [];
  for (let i = 0; i < steps; i++) {
    const r = script.next();
    between?.(r);
    sent.push(r);
    const spec = bmc.handlers.find((h) => h.netFn === r.netFn && h.cmd === r.cmd);
    if (!spec) {
      script.answer(0xc1);
      continue;
    }
    const a = await call(spec, r.data);
    script.answer(a.cc, a.data);
  }
  return sent;
}

const isGetSdr = (r: ScriptedRequest) => r.netFn === NETFN.STORAGE && r.cmd === 0x23;

describe("HostScript", () => {
  it("boots, walks the SDR repository as ipmitool does, reads the FRU devices, then polls what it found", async () => {
    const bmc = createBmc();
    const script = new HostScript({ watchdogEvery: 30 });
    const sent = await play(script, bmc, 300);
    expect(sent.slice(0, BOOT_SEQUENCE.length)).toEqual(BOOT_SEQUENCE);
    // Get SDR Repository Info, Reserve SDR Repository, then Get SDR: 5-byte header, rest in 16-byte reads.
    expect(sent[BOOT_SEQUENCE.length]).toEqual({ netFn: NETFN.STORAGE, cmd: 0x20, data: [] });
    expect(sent[BOOT_SEQUENCE.length + 1]).toEqual({ netFn: NETFN.STORAGE, cmd: 0x22, data: [] });
    const gets = sent.filter(isGetSdr);
    expect(gets[0]!.data).toEqual([0x01, 0x00, 0x00, 0x00, 0x00, 0x05]);
    expect(gets[1]!.data).toEqual([0x01, 0x00, 0x01, 0x00, 0x05, 0x10]);
    expect(gets.every((g) => g.data[5]! <= 16)).toBe(true);
    expect(script.sdr.complete).toBe(true);
    expect(script.sdr.records).toEqual(bmc.sdr.records.map((r) => r.bytes));
    // FRU 0 and the one its locator names, area by area.
    expect([...script.fru.keys()]).toEqual([0, 1]);
    expect(script.fru.get(0)).toEqual(bmc.fru.get(0)!.data);
    expect(script.fru.get(1)).toEqual(bmc.fru.get(1)!.data);
    expect(sent.some((r) => r.netFn === NETFN.STORAGE && r.cmd === 0x10 && r.data[0] === 1)).toBe(true);
    // Steady state: the sensors of the SDR, which are the default profile's.
    expect(script.phase).toBe("steady");
    expect(script.sensors).toEqual(defaultProfile().sensors.map((s) => s.number));
    const polled = new Set(
      sent.filter((r) => r.cmd === 0x2d && r.netFn === NETFN.SENSOR_EVENT).map((r) => r.data[0]),
    );
    for (const n of polled) expect(bmc.sensors.get(0, n!)).toBeDefined();
    expect(sent.some((r) => r.netFn === NETFN.STORAGE && r.cmd === 0x44)).toBe(true);
  });

  it("re-reserves and goes on when another client's reservation cancels its own (C5h)", async () => {
    const bmc = createBmc();
    const script = new HostScript({ watchdogEvery: 30 });
    const reserve = bmc.handlers.find((h) => h.id === "storage.reserve-sdr-repository")!;
    let cancelled = 0;
    const sent = await play(script, bmc, 200, (r) => {
      // Someone else reserves in the middle of the 3rd record.
      if (isGetSdr(r) && r.data[2] === 0x03 && r.data[4] === 0x15 && cancelled === 0) {
        cancelled++;
        void call(reserve);
      }
    });
    expect(cancelled).toBe(1);
    expect(sent.filter((r) => r.netFn === NETFN.STORAGE && r.cmd === 0x22)).toHaveLength(2);
    expect(script.sdr.complete).toBe(true);
    expect(script.sdr.records).toEqual(bmc.sdr.records.map((r) => r.bytes));
  });

  it("gives up a phase whose answers make no sense and goes on to the steady state", () => {
    const script = new HostScript({ watchdogEvery: 30 });
    for (let i = 0; i < BOOT_SEQUENCE.length; i++) {
      script.next();
      script.answer(0x00, []);
    }
    expect(script.next()).toEqual({ netFn: NETFN.STORAGE, cmd: 0x20, data: [] });
    script.answer(0xc1); // no SDR repository
    expect(script.next()).toEqual({ netFn: NETFN.STORAGE, cmd: 0x10, data: [0x00] });
    script.answer(null); // no answer at all
    expect(script.phase).toBe("fru");
    expect(script.next()).toEqual({ netFn: NETFN.APP, cmd: 0x31, data: [] });
    expect(script.phase).toBe("steady");
    expect(script.sensors).toEqual(DEFAULT_SENSORS);
  });

  it("starts with the steady state when told not to boot", () => {
    const script = new HostScript({ watchdogEvery: 30, boot: false });
    expect(script.next()).toEqual({ netFn: NETFN.APP, cmd: 0x31, data: [] });
  });
});

describe("the simulated host against the BMC, through the router", () => {
  it("walks the SDR, reads the FRU and settles into polling, every answer 00h", async () => {
    const router = new Router();
    const bmc = createBmc();
    for (const h of bmc.handlers) router.registry.register(h);
    const host = new SimulatedHost({ rate: Number.POSITIVE_INFINITY, limit: 400 });
    router.addBus(new BtBus("bt0", host));
    await host.open();
    await host.done();
    expect(host.stats).toMatchObject({ sent: 400, answered: 400, timedOut: 0, mismatched: 0 });
    expect(host.stats.byCompletionCode).toEqual({ "00": 400 });
    expect(host.script.sdr.complete).toBe(true);
    expect(host.script.sdr.records).toHaveLength(16);
    expect(host.script.fru.get(0)).toEqual(bmc.fru.get(0)!.data);
    expect(host.script.phase).toBe("steady");
    expect(bmc.sel.count).toBeGreaterThan(0);
  });

  it("reads what the flags say is waiting, as a driver does: Get Message until empty, the event buffer", () => {
    const script = new HostScript({ watchdogEvery: 1000, boot: false });
    const flagsAt = (flags: number) => {
      for (;;) {
        const r = script.next();
        if (r.cmd === 0x31) {
          script.answer(0, [flags]);
          return;
        }
        script.answer(0, [0]);
      }
    };
    flagsAt(0x03);
    // Two messages, then 80h: the queue is empty; then the event.
    expect(script.next()).toMatchObject({ netFn: NETFN.APP, cmd: 0x33 });
    script.answer(0, [0x00, 0x1c]);
    expect(script.next()).toMatchObject({ cmd: 0x33 });
    script.answer(0, [0x00, 0x1c]);
    expect(script.next()).toMatchObject({ cmd: 0x33 });
    script.answer(0x80);
    expect(script.next()).toMatchObject({ netFn: NETFN.APP, cmd: 0x35 });
    script.answer(0, new Array(16).fill(0));
    // Nothing flagged: polling goes on with no follow-up.
    flagsAt(0x00);
    expect(script.next().cmd).not.toBe(0x33);
  });
});
