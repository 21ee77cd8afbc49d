import { describe, expect, it } from "vitest";
import { GLOBAL_ENABLES, MESSAGE_FLAGS } from "../controller";
import { profileWith, T0_SECONDS_LE, testBmc } from "../test-harness";

const INLET = 0x03;
const SYSTEM_TEMP = 0x02;
const CPU_TEMP = 0x01;
/** Bytes 8-16 of a SEL record: generator, EvM rev, sensor type, number, dir/type, data 1-3. */
const body = (e: Uint8Array) => [...e.subarray(7)];

describe("the event engine on the default profile", () => {
  it("logs Inlet Temp's slow drift over UNC once each way per 30-minute wave", () => {
    const b = testBmc();
    expect(b.sel.count).toBe(0);
    b.clock.advance(721_000);
    expect(b.sel.count).toBe(0);
    b.clock.advance(1_000); // T0 + 722 s: the reading reaches 40 °C
    expect(body(b.sel.all()[0]!.data)).toEqual([0x20, 0x00, 0x04, 0x01, INLET, 0x01, 0x57, 40, 40]);
    b.clock.advance(456_000); // 1178 s: 38 °C, inside the band (40 − 2): still asserted
    expect(b.sel.count).toBe(1);
    b.clock.advance(1_000); // 1179 s: 37 °C, below the band
    expect(body(b.sel.all()[1]!.data)).toEqual([0x20, 0x00, 0x04, 0x01, INLET, 0x81, 0x57, 37, 40]);
    b.clock.advance(3 * 1_800_000);
    expect(b.sel.count).toBe(8); // one assertion and one deassertion per wave, no more
  });

  it("timestamps the SEL record with the SEL clock", () => {
    const b = testBmc();
    b.sensors.setThresholds(b.sensors.get(0, SYSTEM_TEMP)!, 0x08, [0, 0, 0, 10, 0, 0]);
    expect([...b.sel.all()[0]!.data.subarray(3, 7)]).toEqual([...T0_SECONDS_LE]);
  });
});

describe("re-evaluation after Set Sensor Threshold", () => {
  it("asserts at once when a threshold is set below the reading, and deasserts when it is set back", async () => {
    const b = testBmc();
    // System Temp reads 32 °C at T0; UNC 10 °C.
    expect((await b.ask("sensor.set-sensor-threshold", [SYSTEM_TEMP, 0x08, 0, 0, 0, 10, 0, 0])).cc).toBe(0);
    expect(b.sel.count).toBe(1);
    expect(body(b.sel.all()[0]!.data)).toEqual([0x20, 0x00, 0x04, 0x01, SYSTEM_TEMP, 0x01, 0x57, 32, 10]);
    // The scans after it do not repeat it.
    b.clock.advance(5_000);
    expect(b.sel.count).toBe(1);
    await b.ask("sensor.set-sensor-threshold", [SYSTEM_TEMP, 0x08, 0, 0, 0, 55, 0, 0]);
    expect(body(b.sel.all()[1]!.data)).toEqual([0x20, 0x00, 0x04, 0x01, SYSTEM_TEMP, 0x81, 0x57, 32, 55]);
  });

  it("a lower threshold set above the reading asserts going low", async () => {
    const b = testBmc();
    await b.ask("sensor.set-sensor-threshold", [SYSTEM_TEMP, 0x01, 40, 0, 0, 0, 0, 0]);
    expect(body(b.sel.all()[0]!.data).slice(5)).toEqual([0x01, 0x50, 32, 40]);
  });
});

describe("what the engine does not report", () => {
  it("an event the sensor's enables leave out, or any while its events are disabled", () => {
    const b = testBmc();
    const rt = b.sensors.get(0, SYSTEM_TEMP)!;
    rt.assertionEnables &= ~(1 << 7);
    b.sensors.setThresholds(rt, 0x08, [0, 0, 0, 10, 0, 0]);
    expect(b.sel.count).toBe(0);
    // The state still follows the reading: enabling later does not replay the old crossing.
    expect(b.eventEngine.assertedOf(rt)).toBe(1 << 3);
    rt.assertionEnables |= 1 << 7;
    b.clock.advance(3_000);
    expect(b.sel.count).toBe(0);
    rt.eventsEnabled = false;
    b.sensors.setThresholds(rt, 0x08, [0, 0, 0, 55, 0, 0]);
    expect(b.sel.count).toBe(0);
  });

  it("a sensor whose reading is unavailable (host off)", () => {
    const b = testBmc({ overrides: { chassis: { powerOn: false } } });
    b.sensors.setThresholds(b.sensors.get(0, CPU_TEMP)!, 0x08, [0, 0, 0, 10, 0, 0]);
    expect(b.sel.count).toBe(0);
  });

  it("nothing to the SEL while System Event Logging is off; the buffer still gets it when enabled", () => {
    const b = testBmc({ overrides: { globalEnables: GLOBAL_ENABLES.EVENT_MESSAGE_BUFFER } });
    b.sensors.setThresholds(b.sensors.get(0, SYSTEM_TEMP)!, 0x08, [0, 0, 0, 10, 0, 0]);
    expect(b.sel.count).toBe(0);
    expect(b.controller.messageFlags).toBe(MESSAGE_FLAGS.EVENT_MESSAGE_BUFFER_FULL);
    const event = b.queues.events.take()!.data;
    // Not logged: record id 0000h; type 02h; the event as it would have been logged.
    expect([...event.subarray(0, 3)]).toEqual([0x00, 0x00, 0x02]);
    expect(body(event)).toEqual([0x20, 0x00, 0x04, 0x01, SYSTEM_TEMP, 0x01, 0x57, 32, 10]);
  });

  it("nothing after stop(): the scan is off the clock", async () => {
    const b = testBmc();
    const pending = b.clock.pending();
    await b.stop();
    expect(b.clock.pending()).toBe(pending - 1);
  });
});

describe("a cold reset", () => {
  it("re-arms the sensors: what is still crossed is reported again", async () => {
    const b = testBmc();
    b.sensors.setThresholds(b.sensors.get(0, SYSTEM_TEMP)!, 0x08, [0, 0, 0, 10, 0, 0]);
    expect(b.sel.count).toBe(1);
    await b.ask("app.cold-reset");
    expect(b.sel.count).toBe(2);
    expect(body(b.sel.all()[1]!.data).slice(5)).toEqual([0x01, 0x57, 32, 10]);
  });
});

describe("profiles", () => {
  it("a profile's hysteresis widens the band", () => {
    const profile = profileWith((p) => {
      const s = p.sensors.find((x: { number: string }) => Number(x.number) === SYSTEM_TEMP);
      s.hysteresis = { positive: 5, negative: 0 };
    });
    const b = testBmc({ profile });
    const rt = b.sensors.get(0, SYSTEM_TEMP)!;
    b.sensors.setThresholds(rt, 0x08, [0, 0, 0, 32, 0, 0]); // reading 32: asserted
    b.sensors.setThresholds(rt, 0x08, [0, 0, 0, 36, 0, 0]); // 32 >= 36 − 5: still asserted
    expect(b.sel.count).toBe(1);
    b.sensors.setThresholds(rt, 0x08, [0, 0, 0, 38, 0, 0]); // 32 < 38 − 5: deasserted
    expect(b.sel.count).toBe(2);
  });
});
