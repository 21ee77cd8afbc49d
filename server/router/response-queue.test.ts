import { describe, expect, it } from "vitest";
import type { Exchange } from "../contract/exchange";
import { empty } from "../ipmi/layout/codec";
import { layout } from "../ipmi/layout/layout";
import { NETFN } from "../ipmi/netfn";
import { MAX_QUEUED_RESPONSES } from "./response-queue";
import { Router } from "./router";
import { TestBus } from "./test-bus";
import { defineHandler } from "./types";

const getDeviceId = defineHandler({
  id: "app.get-device-id",
  netFn: NETFN.APP,
  cmd: 0x01,
  request: layout(empty),
  handle: () => ({ data: [0x20] }),
});

describe("a host that never reads its responses", () => {
  it("bounds the queue, records each overflow, keeps the other buses served, and resumes when the host reads", () => {
    const router = new Router();
    router.registry.register(getDeviceId);
    const stuck = new TestBus("bt0", "bt");
    const other = new TestBus("ipmb0", "ipmb");
    router.addBus(stuck);
    router.addBus(other);
    const records: Exchange[] = [];
    router.onExchange((x) => records.push(x));

    stuck.busy = true; // the host stopped reading the response register
    const flood = MAX_QUEUED_RESPONSES + 100;
    for (let seq = 0; seq < flood; seq++) stuck.request({ seq, netFn: NETFN.APP, cmd: 0x01 });
    other.request({ seq: 7, netFn: NETFN.APP, cmd: 0x01 });

    const info = Object.fromEntries(router.busInfo().map((b) => [b.id, b]));
    expect(info.bt0!.queued).toBe(MAX_QUEUED_RESPONSES);
    expect(other.sent.map((r) => r.seq)).toEqual([7]);
    // Every request is recorded; the ones past the bound say why their answer never went out.
    const stuckRecords = records.filter((x) => x.busId === "bt0");
    expect(stuckRecords).toHaveLength(flood);
    const overflowed = stuckRecords.filter((x) => /response queue full/.test(x.note ?? ""));
    expect(overflowed).toHaveLength(100);
    expect(overflowed[0]!.note).toMatch(
      /bus failed to take the response: response queue full: 64 responses wait for bus bt0, whose host is not reading them; this one is dropped \(1 so far\)/,
    );
    expect(overflowed.at(-1)!.note).toMatch(/\(100 so far\)/);

    // The host reads again: what waited goes out in order, and new requests are answered.
    stuck.release();
    expect(stuck.sent.map((r) => r.seq)).toEqual(Array.from({ length: MAX_QUEUED_RESPONSES }, (_, i) => i));
    expect(router.busInfo().find((b) => b.id === "bt0")!.queued).toBe(0);
    stuck.request({ seq: 999, netFn: NETFN.APP, cmd: 0x01 });
    expect(stuck.sent.at(-1)!.seq).toBe(999);
    expect(records.at(-1)!.note ?? "").not.toMatch(/queue full/);
  });
});
