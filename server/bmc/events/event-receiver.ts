/**
 * The BMC as event receiver (IPMI 2.0 section 29, 6.13): an event — from the BMC's own
 * sensors (the event engine) or from a Platform Event message (29.3) — goes to the SEL
 * while System Event Logging is enabled (global enables bit 3) and to the event message
 * buffer while that is enabled (bit 2), each on its own switch: the host can read events
 * through the buffer with the SEL off, and the SEL keeps them with the buffer off.
 *
 * The buffer gets the event as the 16 bytes of a SEL record (22.8): the record id the SEL
 * gave it (0000h when it was not logged), record type 02h, the SEL timestamp, then the
 * event message as logged.
 */
import { packSelRecord, SEL_RECORD_TYPE } from "../../ipmi/records/sel";
import type { EventMessageBuffer } from "../message-queues";
import type { Sel, SystemEvent } from "../sel";

/** Record id in the buffer's copy of an event the SEL did not log. */
const NOT_LOGGED = 0x0000;

export interface Delivery {
  /** The SEL record id, or null when not logged (logging disabled, SEL full). */
  recordId: number | null;
  /** Whether the event message buffer took it. */
  buffered: boolean;
}

export class EventReceiver {
  constructor(
    private readonly sel: Sel,
    private readonly buffer: EventMessageBuffer,
  ) {}

  /** Logs and buffers one event, at BMC clock time `atMs` (default now). */
  deliver(e: SystemEvent, atMs?: number): Delivery {
    const recordId = this.sel.logEvent(e, atMs);
    const timestamp = atMs === undefined ? this.sel.time() : this.sel.timeAt(atMs);
    const bytes = packSelRecord({
      recordId: recordId ?? NOT_LOGGED,
      recordType: SEL_RECORD_TYPE.SYSTEM_EVENT,
      body: { timestamp, generator: e.generator, event: e.event },
    });
    return { recordId, buffered: this.buffer.offer(bytes) };
  }
}
