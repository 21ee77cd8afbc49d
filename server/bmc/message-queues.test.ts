import { describe, expect, it } from "vitest";
import { Controller, controllerSetup, GLOBAL_ENABLES, MESSAGE_FLAGS } from "./controller";
import {
  EVENT_MESSAGE_BUFFER_SIZE,
  MessageQueues,
  RECEIVE_MESSAGE_QUEUE_MIN,
  RECEIVE_MESSAGE_QUEUE_SIZE,
  ReceiveMessageQueue,
} from "./message-queues";
import { defaultProfile } from "./profile";
import { manualClock, T0 } from "./test-harness";

const EVENT_A = Uint8Array.from({ length: 16 }, (_, i) => i);
const EVENT_B = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 | i);
const { EVENT_MESSAGE_BUFFER_FULL: FULL, RECEIVE_MESSAGE_AVAILABLE: AVAILABLE } = MESSAGE_FLAGS;

function setup(globalEnables = GLOBAL_ENABLES.EVENT_MESSAGE_BUFFER | GLOBAL_ENABLES.SYSTEM_EVENT_LOGGING) {
  const clock = manualClock(T0);
  const controller = new Controller(controllerSetup(defaultProfile(), { globalEnables }));
  const queues = new MessageQueues(controller, clock);
  const attention: boolean[] = [];
  controller.onAttention((p) => attention.push(p));
  const changes: string[] = [];
  queues.onChange((c) => changes.push(c.queue));
  return { clock, controller, queues, attention, changes };
}

describe("the event message buffer (6.13, 22.8)", () => {
  it("holds one event: the flag and SMS_ATN rise with it and fall when it is read", () => {
    const { controller, queues, attention, changes } = setup();
    expect(EVENT_MESSAGE_BUFFER_SIZE).toBe(1);
    expect(queues.events.offer(EVENT_A)).toBe(true);
    expect(controller.messageFlags & FULL).toBe(FULL);
    expect(attention).toEqual([false, true]);
    expect([...(queues.events.take()?.data ?? [])]).toEqual([...EVENT_A]);
    expect(controller.messageFlags & FULL).toBe(0);
    expect(attention).toEqual([false, true, false]);
    expect(queues.events.take()).toBeUndefined();
    expect(changes).toEqual(["events", "events"]);
  });

  it("keeps the unread event when full: the new one is refused and counted", () => {
    const { queues, attention } = setup();
    queues.events.offer(EVENT_A);
    expect(queues.events.offer(EVENT_B)).toBe(false);
    expect(queues.events.dropped).toBe(1);
    expect([...(queues.events.take()?.data ?? [])]).toEqual([...EVENT_A]);
    // One rise, one fall: the refused event did not touch the flag.
    expect(attention).toEqual([false, true, false]);
  });

  it("takes nothing while global enables bit 2 is off, and takes again once it is on", () => {
    const { controller, queues, attention } = setup(GLOBAL_ENABLES.SYSTEM_EVENT_LOGGING);
    expect(queues.events.offer(EVENT_A)).toBe(false);
    expect(controller.messageFlags).toBe(0);
    expect(attention).toEqual([false]);
    controller.setGlobalEnables(GLOBAL_ENABLES.EVENT_MESSAGE_BUFFER);
    expect(queues.events.offer(EVENT_A)).toBe(true);
  });

  it("refuses anything but 16 bytes", () => {
    expect(() => setup().queues.events.offer(new Uint8Array(15))).toThrow(RangeError);
  });

  it("keeps its own copy of the bytes", () => {
    const { queues } = setup();
    const bytes = Uint8Array.from(EVENT_A);
    queues.events.offer(bytes);
    bytes[0] = 0xee;
    expect(queues.events.take()?.data[0]).toBe(0x00);
  });
});

describe("the receive message queue (6.13, 22.6)", () => {
  const msg = (n: number) => ({ channel: 1, privilege: 4, data: Uint8Array.of(0x1c, 0x01, n) });

  it("is first in, first out; its flag stays up until the last message is read", () => {
    const { controller, queues, attention } = setup();
    expect(queues.messages.push(msg(1))).toBe(true);
    expect(queues.messages.push(msg(2))).toBe(true);
    expect(controller.messageFlags & AVAILABLE).toBe(AVAILABLE);
    expect(queues.messages.take()?.data[2]).toBe(1);
    expect(controller.messageFlags & AVAILABLE).toBe(AVAILABLE);
    expect(queues.messages.take()).toMatchObject({ channel: 1, privilege: 4 });
    expect(controller.messageFlags & AVAILABLE).toBe(0);
    expect(attention).toEqual([false, true, false]);
  });

  it("takes messages whatever the global enables (bit 0 only gates the interrupt)", () => {
    const { queues } = setup(0);
    expect(queues.messages.push(msg(1))).toBe(true);
  });

  it(`holds ${RECEIVE_MESSAGE_QUEUE_SIZE} messages, then push answers false`, () => {
    const { queues } = setup();
    for (let i = 0; i < RECEIVE_MESSAGE_QUEUE_SIZE; i++) expect(queues.messages.push(msg(i))).toBe(true);
    expect(queues.messages.push(msg(0xff))).toBe(false);
    expect(queues.messages.dropped).toBe(1);
    expect(queues.messages.take()?.data[2]).toBe(0);
    expect(queues.messages.push(msg(0xfe))).toBe(true);
  });

  it("keeps a message for one interface from another (takeFor, hasFor), and one for any interface for all", () => {
    const { controller, queues } = setup();
    queues.messages.push({ ...msg(1), forBus: "kcs0" });
    queues.messages.push(msg(2));
    expect([queues.messages.hasFor("bt0"), queues.messages.hasFor("kcs0")]).toEqual([true, true]);
    expect(queues.messages.takeFor("bt0")?.data[2]).toBe(2);
    expect(queues.messages.hasFor("bt0")).toBe(false);
    expect(queues.messages.takeFor("bt0")).toBeUndefined();
    // The flag stays up while the other interface's message waits.
    expect(controller.messageFlags & AVAILABLE).toBe(AVAILABLE);
    expect(queues.messages.takeFor("kcs0")).toMatchObject({ forBus: "kcs0" });
    expect(controller.messageFlags & AVAILABLE).toBe(0);
  });

  it("is never smaller than the spec's two entries", () => {
    const { controller, clock } = setup();
    expect(() => new ReceiveMessageQueue(controller, clock, () => {}, RECEIVE_MESSAGE_QUEUE_MIN - 1)).toThrow(
      RangeError,
    );
  });

  it("refuses what Get Message cannot carry", () => {
    const { queues } = setup();
    expect(() => queues.messages.push({ channel: 16, privilege: 4, data: new Uint8Array(1) })).toThrow(
      RangeError,
    );
    expect(() => queues.messages.push({ channel: 1, privilege: 4, data: new Uint8Array(255) })).toThrow(
      RangeError,
    );
  });
});

describe("Clear Message Flags and resets", () => {
  it("bit 0 empties the queue, bit 1 the buffer, each with its flag; the other stays", () => {
    const { controller, queues, attention } = setup();
    queues.events.offer(EVENT_A);
    queues.messages.push({ channel: 0, privilege: 4, data: Uint8Array.of(1) });
    queues.clearFlags(AVAILABLE);
    expect(queues.messages.size).toBe(0);
    expect(queues.events.size).toBe(1);
    expect(controller.messageFlags).toBe(FULL);
    expect(attention).toEqual([false, true]);
    queues.clearFlags(FULL);
    expect(queues.events.size).toBe(0);
    expect(controller.messageFlags).toBe(0);
    expect(attention).toEqual([false, true, false]);
  });

  it("a cold reset empties both; warm and host resets keep them", () => {
    const { queues } = setup();
    queues.events.offer(EVENT_A);
    queues.messages.push({ channel: 0, privilege: 4, data: Uint8Array.of(1) });
    queues.reset("warm");
    queues.reset("host");
    expect([queues.events.size, queues.messages.size]).toEqual([1, 1]);
    queues.reset("cold");
    expect([queues.events.size, queues.messages.size]).toEqual([0, 0]);
  });
});

describe("snapshot", () => {
  it("shows what waits for the host, with its bytes and when it came", () => {
    const { clock, queues } = setup();
    queues.events.offer(EVENT_A);
    clock.advance(1500);
    queues.messages.push({ channel: 2, privilege: 3, data: Uint8Array.of(0x18, 0x01) });
    expect(queues.snapshot()).toEqual({
      at: T0 + 1500,
      messageFlags: FULL | AVAILABLE,
      globalEnables: 0x0c,
      attention: true,
      eventMessageBuffer: {
        enabled: true,
        capacity: 1,
        entries: [{ data: [...EVENT_A], enqueuedAt: T0 }],
        dropped: 0,
      },
      receiveMessageQueue: {
        capacity: RECEIVE_MESSAGE_QUEUE_SIZE,
        entries: [{ channel: 2, privilege: 3, data: [0x18, 0x01], enqueuedAt: T0 + 1500, forBus: null }],
        dropped: 0,
      },
    });
  });
});
