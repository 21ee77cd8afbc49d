/**
 * The BMC through the router on a real database: an SDR walk and a SEL add/get/
 * delete/clear cycle, then the same after a restart on the same database, and every
 * other piece of state a restart keeps.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CC } from "../ipmi/completion-codes";
import { NETFN } from "../ipmi/netfn";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { Router } from "../router/router";
import { TestBus } from "../router/test-bus";
import { type Bmc, createBmc, openBmc } from "./index";
import { MemoryBmcStore, PrismaBmcStore } from "./store";
import { call, find, manualClock, T0 } from "./test-harness";

const { APP, CHASSIS, SENSOR_EVENT, STORAGE } = NETFN;

let tdb: TestDatabase;
const clock = manualClock(T0);
const running: Bmc[] = [];

beforeEach(async () => {
  tdb = await createTestDatabase();
});

afterEach(async () => {
  for (const b of running.splice(0)) await b.stop();
  await tdb.cleanup();
});

/** Starts a BMC on the test database and a router in front of it, as the runtime does. */
async function start() {
  const bmc = await openBmc({ db: tdb.db, clock });
  running.push(bmc);
  const router = new Router();
  for (const h of bmc.handlers) router.registry.register(h);
  router.addBus(new TestBus("bt0", "bt"));
  const ask = async (netFn: number, cmd: number, data: readonly number[] = []) => {
    const x = await router.inject("bt0", { seq: null, netFn, lun: 0, cmd, data: Uint8Array.from(data) });
    return { cc: x.cc, data: [...(x.response ?? [])] };
  };
  return { bmc, ask };
}

async function restart(bmc: Bmc) {
  await bmc.stop();
  running.splice(running.indexOf(bmc), 1);
  clock.advance(10_000);
  return start();
}

type Ask = Awaited<ReturnType<typeof start>>["ask"];

/** ipmitool sdr: reserve, then each record's 5-byte header and the rest in 16-byte reads. */
async function walkSdr(ask: Ask): Promise<number[][]> {
  const res = await ask(STORAGE, 0x22);
  expect(res.cc).toBe(CC.OK);
  const [lo, hi] = res.data as [number, number];
  const records: number[][] = [];
  for (let id = 0x0000; id !== 0xffff; ) {
    const head = await ask(STORAGE, 0x23, [lo, hi, id & 0xff, id >> 8, 0, 5]);
    expect(head.cc).toBe(CC.OK);
    const record = head.data.slice(2);
    for (let offset = 5; offset < 5 + record[4]!; offset += 16) {
      const n = Math.min(16, 5 + record[4]! - offset);
      const part = await ask(STORAGE, 0x23, [lo, hi, record[0]!, record[1]!, offset, n]);
      expect(part.cc).toBe(CC.OK);
      record.push(...part.data.slice(2));
    }
    records.push(record);
    id = head.data[0]! | (head.data[1]! << 8);
  }
  return records;
}

/** ipmitool sel list: Get SEL Entry from 0000h until FFFFh. */
async function listSel(ask: Ask): Promise<number[][]> {
  const out: number[][] = [];
  for (let id = 0x0000; id !== 0xffff; ) {
    const a = await ask(STORAGE, 0x43, [0, 0, id & 0xff, id >> 8, 0, 0xff]);
    if (a.cc === CC.NOT_PRESENT) break;
    expect(a.cc).toBe(CC.OK);
    out.push(a.data.slice(2));
    id = a.data[0]! | (a.data[1]! << 8);
  }
  return out;
}

const event = (sensor: number) => [
  0,
  0,
  0x02,
  0,
  0,
  0,
  0,
  0x41,
  0x00,
  0x04,
  0x1f,
  sensor,
  0x6f,
  0x01,
  0xff,
  0xff,
];

describe("through the router, on the database", () => {
  it("walks the SDR repository, before and after a restart", async () => {
    const first = await start();
    const before = await walkSdr(first.ask);
    expect(before).toHaveLength(16);
    expect(before).toEqual(first.bmc.sdr.records.map((r) => [...r.bytes]));
    const second = await restart(first.bmc);
    expect(await walkSdr(second.ask)).toEqual(before);
  });

  it("adds, gets, deletes and clears SEL entries; a restart keeps the log and its counters", async () => {
    let { bmc, ask } = await start();
    for (const s of [1, 2, 3]) expect((await ask(STORAGE, 0x44, event(s))).data).toEqual([s, 0x00]);
    expect((await listSel(ask)).map((e) => e[11])).toEqual([1, 2, 3]);
    const [lo, hi] = (await ask(STORAGE, 0x42)).data as [number, number];
    expect(await ask(STORAGE, 0x46, [lo, hi, 0x02, 0x00])).toEqual({ cc: CC.OK, data: [0x02, 0x00] });
    const kept = await listSel(ask);
    expect(kept.map((e) => e[0])).toEqual([1, 3]);
    const info = (await ask(STORAGE, 0x40)).data;

    ({ bmc, ask } = await restart(bmc));
    expect(await listSel(ask)).toEqual(kept);
    expect((await ask(STORAGE, 0x40)).data).toEqual(info);
    // Record ids go on from where they were.
    expect((await ask(STORAGE, 0x44, event(4))).data).toEqual([0x04, 0x00]);
    expect((await listSel(ask)).map((e) => e[0])).toEqual([1, 3, 4]);
    // The reservation did not survive the restart.
    expect((await ask(STORAGE, 0x46, [lo, hi, 0x01, 0x00])).cc).toBe(CC.RESERVATION_INVALID);
    const [lo2, hi2] = (await ask(STORAGE, 0x42)).data as [number, number];
    expect((await ask(STORAGE, 0x47, [lo2, hi2, 0x43, 0x4c, 0x52, 0xaa])).data).toEqual([0x01]);
    const cleared = (await ask(STORAGE, 0x40)).data;
    expect(cleared.slice(1, 3)).toEqual([0x00, 0x00]);

    ({ bmc, ask } = await restart(bmc));
    expect(await listSel(ask)).toEqual([]);
    expect((await ask(STORAGE, 0x40)).data).toEqual(cleared);
    expect((await ask(STORAGE, 0x44, event(5))).data).toEqual([0x05, 0x00]);
    // Written behind: in the database once flushed.
    await bmc.flush();
    expect(await tdb.db.selEntry.count()).toBe(1);
  });

  it("keeps thresholds, FRU writes, boot options, restore policy, watchdog configuration, SEL time and POH", async () => {
    let { bmc, ask } = await start();
    await ask(SENSOR_EVENT, 0x26, [0x11, 0x08, 0, 0, 0, 0xc4, 0, 0]);
    await ask(STORAGE, 0x12, [0x00, 0xf0, 0x01, 0xde, 0xad]);
    await ask(CHASSIS, 0x08, [0x05, 0xc0, 0x14, 0x00, 0x00, 0x00]); // persistent, CD/DVD
    await ask(CHASSIS, 0x08, [0x03, 0x04]);
    await ask(CHASSIS, 0x06, [0x00]); // always off
    await ask(STORAGE, 0x49, [0x00, 0x10, 0x5e, 0x5f]);
    clock.advance(3 * 3_600_000);
    expect((await ask(CHASSIS, 0x0f)).data).toEqual([0x3c, 0x03, 0x00, 0x00, 0x00]);
    await ask(APP, 0x24, [0x03, 0x12, 0x05, 0x00, 0x2c, 0x01]); // OS load, SMI + power down, 5 s, 30.0 s
    await ask(APP, 0x22);
    clock.advance(3_000); // the restart comes with the countdown running

    ({ bmc, ask } = await restart(bmc));
    expect((await ask(SENSOR_EVENT, 0x27, [0x11])).data).toEqual([0x1b, 0xb0, 0xa7, 0x00, 0xc4, 0xcc, 0x00]);
    expect((await ask(STORAGE, 0x11, [0x00, 0xf0, 0x01, 0x02])).data).toEqual([0x02, 0xde, 0xad]);
    expect((await ask(CHASSIS, 0x09, [0x05, 0, 0])).data).toEqual([0x01, 0x05, 0xc0, 0x14, 0x00, 0x00, 0x00]);
    expect((await ask(CHASSIS, 0x09, [0x03, 0, 0])).data).toEqual([0x01, 0x03, 0x04]);
    // "Always off": the restart (AC applied) leaves the power off; restart cause unknown.
    expect((await ask(CHASSIS, 0x01)).data).toEqual([0x00, 0x00, 0x40]);
    expect((await ask(CHASSIS, 0x07)).data).toEqual([0x00, 0x00]);
    // The configuration is back, the countdown is not running.
    expect((await ask(APP, 0x25)).data).toEqual([0x03, 0x12, 0x05, 0x00, 0x2c, 0x01, 0x2c, 0x01]);
    expect((await ask(APP, 0x22)).cc).toBe(CC.OK);
    // SEL time runs on from what was set: 3 h 3 s before the stop, 10 s of restart (+2A3Dh).
    expect((await ask(STORAGE, 0x48)).data).toEqual([0x3d, 0x3a, 0x5e, 0x5f]);
    // Powered-on time: 3 h counted, none while off.
    expect((await ask(CHASSIS, 0x0f)).data).toEqual([0x3c, 0x03, 0x00, 0x00, 0x00]);
    await ask(APP, 0x24, [0x03, 0x00, 0x00, 0x00, 0x2c, 0x01]);

    await ask(CHASSIS, 0x06, [0x02]); // always on
    ({ bmc, ask } = await restart(bmc));
    expect((await ask(CHASSIS, 0x01)).data).toEqual([0x41, 0x00, 0x40]);
    expect((await ask(CHASSIS, 0x07)).data).toEqual([0x06, 0x00]);

    await ask(CHASSIS, 0x06, [0x01]); // previous
    await ask(CHASSIS, 0x02, [0x00]); // off
    ({ bmc, ask } = await restart(bmc));
    expect((await ask(CHASSIS, 0x01)).data[0]).toBe(0x20);
    await ask(CHASSIS, 0x02, [0x01]);
    ({ bmc, ask } = await restart(bmc));
    expect((await ask(CHASSIS, 0x01)).data[0]).toBe(0x21);
    expect((await ask(CHASSIS, 0x07)).data).toEqual([0x07, 0x00]);
  });

  it("reports a write that failed and goes on with the next", async () => {
    const errors: string[] = [];
    const log = { debug() {}, info() {}, warn() {}, error: (m: string) => errors.push(m) };
    const store = new PrismaBmcStore(tdb.db, log);
    await store.load();
    store.saveSetting("chassis", { x: 1 });
    store.addSelEntry({ recordId: 7, position: 1, data: new Uint8Array(16) });
    store.addSelEntry({ recordId: 8, position: 1, data: new Uint8Array(16) }); // same position: refused
    store.addSelEntry({ recordId: 9, position: 2, data: new Uint8Array(16) });
    await store.flush();
    expect(store.failures).toBe(1);
    expect(errors).toEqual([expect.stringMatching(/^bmc store: add SEL entry 8 failed/)]);
    expect((await store.load()).sel.map((e) => e.recordId)).toEqual([7, 9]);
    // An unusable saved setting is ignored with a warning, not fatal.
    const warnings: string[] = [];
    const bmc = await openBmc({
      db: tdb.db,
      clock,
      log: { ...log, warn: (m: string) => warnings.push(m) },
    });
    running.push(bmc);
    expect(warnings).toEqual([expect.stringMatching(/saved setting 'chassis' is not usable/)]);
  });
});

describe("without a database", () => {
  it("a MemoryBmcStore carries the state to a second BMC, as a restart on one database would", async () => {
    const store = new MemoryBmcStore();
    const first = await openBmc({ store, clock });
    const ask = (b: Bmc, id: string, bytes: number[] = []) => call(find(b.handlers, id), bytes);
    await ask(first, "storage.add-sel-entry", event(1));
    await ask(first, "sensor.set-sensor-threshold", [0x01, 0x08, 0, 0, 0, 0x46, 0, 0]);
    await first.stop();
    const second = await openBmc({ store, clock });
    expect((await ask(second, "storage.get-sel-info")).data.slice(1, 3)).toEqual([0x01, 0x00]);
    expect((await ask(second, "sensor.get-sensor-threshold", [0x01])).data[4]).toBe(0x46);
    // createBmc() alone keeps nothing between two BMCs.
    expect(createBmc({ clock }).sel.count).toBe(0);
  });
});
