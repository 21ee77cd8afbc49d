/**
 * What the BMC holds for system software on the host (IPMI 2.0 section 6.13, "BMC
 * message buffering"): the event message buffer, which Read Event Message Buffer (22.8)
 * empties, and the receive message queue, which Get Message (22.6) empties. Each keeps
 * its message flag in the controller (22.4) true exactly while it holds something, so the
 * controller's `onAttention` — the buses' SMS_ATN — follows them:
 *
 *   - Event Message Buffer Full (flag bit 1): the buffer holds an event. The buffer takes
 *     events only while Set BMC Global Enables bit 2 is set (22.1); the Linux ipmi_si driver
 *     sets it at load (`try_enable_event_buffer`) and reads the buffer until it answers 80h.
 *   - Receive Message Available (flag bit 0): the queue holds a message.
 *
 * Reading the last entry clears its flag; Clear Message Flags bits 0 and 1 (22.3) empty the
 * queue or the buffer along with the flag. A cold reset empties both.
 *
 * Volatile by design: nothing here is persisted. A restart of the process is a power-up
 * of the BMC, and a real BMC's buffers do not survive one either.
 */
import type { QueuedEvent, QueuedMessage, QueuesSnapshot } from "../contract/queues";
import type { BmcClock } from "./clock";
import { GLOBAL_ENABLES, MESSAGE_FLAGS } from "./controller";
import { Emitter } from "./emitter";
import type { ResetKind } from "./reset";

/**
 * 6.13: the event message buffer holds one event; its flag is named "full" because one
 * event fills it. A new event that finds it full is not put in it (the one the host has
 * not read yet stays; the new one is still in the SEL), as OpenIPMI's lanserv does
 * (mc_new_event: only `if (!mc->ev_in_q)`).
 */
export const EVENT_MESSAGE_BUFFER_SIZE = 1;
/** Read Event Message Buffer returns 16 bytes in SEL record format (22.8, table 32-1). */
export const EVENT_MESSAGE_LENGTH = 16;
/** 6.13 asks for a receive message queue of at least two entries. */
export const RECEIVE_MESSAGE_QUEUE_MIN = 2;
/**
 * This BMC's depth: more than the spec's two because the host's driver may have many
 * bridged requests outstanding at once (Linux ipmi_msghandler tracks up to 64,
 * IPMI_IPMB_NUM_SEQ), and each answer comes back through this queue; 64 entries cannot
 * lose the answer to a request the driver is still waiting for unless unsolicited traffic
 * fills the queue too. At most 254 bytes an entry, it costs nothing to keep.
 */
export const RECEIVE_MESSAGE_QUEUE_SIZE = 64;
/** Get Message's message data: at most 254 bytes after the channel byte (22.6). */
export const RECEIVE_MESSAGE_MAX_LENGTH = 254;

/** The part of the controller the queues need: the enables and the message flags. */
export interface MessageFlagsHost {
  readonly globalEnables: number;
  readonly messageFlags: number;
  readonly attentionPending: boolean;
  raiseMessageFlags(bits: number): void;
  clearMessageFlags(bits: number): void;
}

/** Which queue changed. */
export type QueuesChange = { queue: "events" | "messages" };

export interface StoredEvent {
  data: Uint8Array;
  enqueuedAt: number;
}

export interface StoredMessage {
  channel: number;
  privilege: number;
  data: Uint8Array;
  enqueuedAt: number;
  /** The system interface (bus id) it is for: the one whose Send Message it answers; absent: any. */
  forBus?: string;
}

/**
 * One FIFO with a capacity and the message flag that says it is not empty: what the event
 * message buffer and the receive message queue share. Entries come in only through the
 * queue's own checked method (offer, push).
 */
abstract class FlaggedFifo<T> {
  private entries: T[] = [];
  private droppedCount = 0;

  constructor(
    readonly capacity: number,
    private readonly flag: number,
    private readonly flags: MessageFlagsHost,
    private readonly changed: () => void,
  ) {}

  get size(): number {
    return this.entries.length;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  list(): readonly T[] {
    return this.entries;
  }

  protected add(entry: T): boolean {
    if (this.entries.length >= this.capacity) {
      this.droppedCount++;
      return false;
    }
    this.entries.push(entry);
    this.flags.raiseMessageFlags(this.flag);
    this.changed();
    return true;
  }

  protected refuse(): false {
    this.droppedCount++;
    return false;
  }

  /** The oldest entry, removed; the flag clears with the last one. */
  take(): T | undefined {
    return this.takeFirst(() => true);
  }

  /** The oldest entry that `match` accepts, removed; the flag clears with the last entry. */
  protected takeFirst(match: (entry: T) => boolean): T | undefined {
    const at = this.entries.findIndex(match);
    const entry = at < 0 ? undefined : this.entries.splice(at, 1)[0];
    if (this.entries.length === 0) this.flags.clearMessageFlags(this.flag);
    if (entry !== undefined) this.changed();
    return entry;
  }

  /** Empties it and clears its flag (Clear Message Flags, cold reset). */
  clear(): void {
    const had = this.entries.length > 0;
    this.entries = [];
    this.flags.clearMessageFlags(this.flag);
    if (had) this.changed();
  }
}

/** The event message buffer (6.13, 22.8). */
export class EventMessageBuffer extends FlaggedFifo<StoredEvent> {
  constructor(
    private readonly host: MessageFlagsHost,
    private readonly clock: BmcClock,
    changed: () => void,
  ) {
    super(EVENT_MESSAGE_BUFFER_SIZE, MESSAGE_FLAGS.EVENT_MESSAGE_BUFFER_FULL, host, changed);
  }

  /** Global enables bit 2 (22.1): the buffer takes events. */
  get enabled(): boolean {
    return (this.host.globalEnables & GLOBAL_ENABLES.EVENT_MESSAGE_BUFFER) !== 0;
  }

  /**
   * An event for the host: the 16 bytes Read Event Message Buffer will return. False when
   * the buffer is disabled or already full (the event is not kept). Throws RangeError for
   * anything but 16 bytes.
   */
  offer(event16: Uint8Array): boolean {
    if (event16.length !== EVENT_MESSAGE_LENGTH) {
      throw new RangeError(`an event message is ${EVENT_MESSAGE_LENGTH} bytes, not ${event16.length}`);
    }
    if (!this.enabled) return this.refuse();
    return this.add({ data: Uint8Array.from(event16), enqueuedAt: this.clock.now() });
  }
}

/** The receive message queue (6.13, 22.6): messages for system software, e.g. bridged answers. */
export class ReceiveMessageQueue extends FlaggedFifo<StoredMessage> {
  constructor(
    flags: MessageFlagsHost,
    private readonly clock: BmcClock,
    changed: () => void,
    capacity = RECEIVE_MESSAGE_QUEUE_SIZE,
  ) {
    if (capacity < RECEIVE_MESSAGE_QUEUE_MIN) {
      throw new RangeError(`the receive message queue needs at least ${RECEIVE_MESSAGE_QUEUE_MIN} entries`);
    }
    super(capacity, MESSAGE_FLAGS.RECEIVE_MESSAGE_AVAILABLE, flags, changed);
  }

  /**
   * A message for system software; false when the queue is full (the message is lost, as
   * on a real BMC). Throws RangeError for a channel or privilege that is not 4 bits, or a
   * message longer than Get Message can return (254 bytes).
   */
  push(entry: { channel: number; privilege: number; data: Uint8Array; forBus?: string }): boolean {
    const { channel, privilege, data, forBus } = entry;
    if (!Number.isInteger(channel) || channel < 0 || channel > 0x0f) {
      throw new RangeError(`channel ${channel} is not 0..15`);
    }
    if (!Number.isInteger(privilege) || privilege < 0 || privilege > 0x0f) {
      throw new RangeError(`privilege ${privilege} is not 0..15`);
    }
    if (data.length > RECEIVE_MESSAGE_MAX_LENGTH) {
      throw new RangeError(`a message of ${data.length} bytes is longer than Get Message returns`);
    }
    return this.add({
      channel,
      privilege,
      data: Uint8Array.from(data),
      enqueuedAt: this.clock.now(),
      ...(forBus === undefined ? {} : { forBus }),
    });
  }

  /**
   * Get Message on the interface `busId`: the oldest message for it (or for any). A host
   * with two system interfaces has a driver on each, and SMS_ATN reaches both; the answer
   * to a bridged request must reach the driver that sent it, which alone can match it.
   */
  takeFor(busId: string): StoredMessage | undefined {
    return this.takeFirst((m) => m.forBus === undefined || m.forBus === busId);
  }

  /** Whether Get Message on `busId` would find something (its view of "receive message available"). */
  hasFor(busId: string): boolean {
    return this.list().some((m) => m.forBus === undefined || m.forBus === busId);
  }
}

/** Both queues, their change notifications and the dashboard's view of them. */
export class MessageQueues {
  readonly events: EventMessageBuffer;
  readonly messages: ReceiveMessageQueue;
  private readonly changes = new Emitter<QueuesChange>();

  constructor(
    private readonly flags: MessageFlagsHost,
    private readonly clock: BmcClock,
    receiveCapacity = RECEIVE_MESSAGE_QUEUE_SIZE,
  ) {
    this.events = new EventMessageBuffer(flags, clock, () => this.emit("events"));
    this.messages = new ReceiveMessageQueue(flags, clock, () => this.emit("messages"), receiveCapacity);
  }

  /** Called after an entry was added, read or cleared. */
  onChange(listener: (change: QueuesChange) => void): () => void {
    return this.changes.on(listener);
  }

  /**
   * Clear Message Flags (22.3): bit 0 empties the receive message queue, bit 1 the event
   * message buffer, each with its flag; the other bits are the controller's flags only.
   */
  clearFlags(bits: number): void {
    if (bits & MESSAGE_FLAGS.RECEIVE_MESSAGE_AVAILABLE) this.messages.clear();
    if (bits & MESSAGE_FLAGS.EVENT_MESSAGE_BUFFER_FULL) this.events.clear();
    this.flags.clearMessageFlags(bits);
  }

  /** A cold reset (20.2) is a power-up: both start empty. A warm reset and a host reset keep them. */
  reset(kind: ResetKind): void {
    if (kind !== "cold") return;
    this.messages.clear();
    this.events.clear();
  }

  snapshot(): QueuesSnapshot {
    const events: QueuedEvent[] = this.events
      .list()
      .map((e) => ({ data: [...e.data], enqueuedAt: e.enqueuedAt }));
    const messages: QueuedMessage[] = this.messages.list().map((m) => ({
      channel: m.channel,
      privilege: m.privilege,
      data: [...m.data],
      enqueuedAt: m.enqueuedAt,
      forBus: m.forBus ?? null,
    }));
    return {
      at: this.clock.now(),
      messageFlags: this.flags.messageFlags,
      globalEnables: this.flags.globalEnables,
      attention: this.flags.attentionPending,
      eventMessageBuffer: {
        enabled: this.events.enabled,
        capacity: this.events.capacity,
        entries: events,
        dropped: this.events.dropped,
      },
      receiveMessageQueue: {
        capacity: this.messages.capacity,
        entries: messages,
        dropped: this.messages.dropped,
      },
    };
  }

  private emit(queue: QueuesChange["queue"]): void {
    try {
      this.changes.emit({ queue });
    } catch {
      // Listeners are observers (the dashboard); one that fails must not undo a change
      // that has happened, nor fail the host's command that made it.
    }
  }
}
