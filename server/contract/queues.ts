/**
 * What the BMC holds for the host's system software (server/bmc/message-queues.ts), as
 * GET /api/bmc/queues answers it: the event message buffer and the receive message queue
 * (IPMI 2.0 section 6.13), with the message flags and global enables that go with them.
 * Bytes are plain numbers, in the order the host will read them.
 */

/** An event waiting in the event message buffer: the 16 bytes Read Event Message Buffer returns (22.8). */
export interface QueuedEvent {
  /** 16 bytes in SEL record format (table 32-1). */
  data: number[];
  /** ms since the epoch (BMC clock) when it was put in the buffer. */
  enqueuedAt: number;
}

/** A message waiting in the receive message queue: what Get Message returns (22.6). */
export interface QueuedMessage {
  /** The channel it came from (Get Message byte 2 bits 3:0). */
  channel: number;
  /** The privilege level the BMC inferred for it (byte 2 bits 7:4). */
  privilege: number;
  /** The message bytes, as Get Message returns them after byte 2. */
  data: number[];
  enqueuedAt: number;
  /** The system interface it waits for (the one whose Send Message it answers); null: any. */
  forBus: string | null;
}

export interface QueueFigures<Entry> {
  capacity: number;
  /** Oldest first: the next one the host reads is entries[0]. */
  entries: Entry[];
  /** How many were refused because it was full (or, for the event buffer, disabled) since power-up. */
  dropped: number;
}

export interface QueuesSnapshot {
  /** ms since the epoch (BMC clock). */
  at: number;
  /** Get Message Flags byte (22.4). */
  messageFlags: number;
  /** Get BMC Global Enables byte (22.2). */
  globalEnables: number;
  /** Whether a message flag asks for the host's attention (SMS_ATN). */
  attention: boolean;
  eventMessageBuffer: QueueFigures<QueuedEvent> & {
    /** Global enables bit 2: the buffer takes new events. */
    enabled: boolean;
  };
  receiveMessageQueue: QueueFigures<QueuedMessage>;
}
