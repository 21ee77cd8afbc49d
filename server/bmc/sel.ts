/**
 * The System Event Log (IPMI 2.0 section 31): 16-byte records in log order, record
 * ids from 0001h to FFFEh, a reservation for partial reads, deletes and clears, and
 * the SEL clock (the BMC's clock plus the offset Set SEL Time set). It is also where
 * the BMC's own events go (`logEvent`: the watchdog's, Platform Event messages), while
 * System Event Logging is enabled (22.1).
 *
 * Every add, delete, clear, counter change and clock setting is emitted (`onChange`);
 * the persistence module writes them behind, in order, through the store.
 *
 * Reservations (31.4): a new Reserve SEL or a BMC reset cancels the current one.
 * Deleting and clearing do not (ipmitool deletes several entries, and polls the erase
 * status, under one reservation).
 */
import { CC_SEL_RECORD_TYPE_UNSUPPORTED } from "../ipmi/commands/storage";
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/ipmi-error";
import {
  EVM_REV,
  type EventMessage,
  type GeneratorId,
  packSelRecord,
  SEL_RECORD_LENGTH,
  SEL_RECORD_TYPE,
  type SelRecord,
  type SelRecordIn,
} from "../ipmi/records/sel";
import type { BmcClock } from "./clock";
import { Emitter } from "./emitter";
import { readPart } from "./record-read";
import { Reservation } from "./reservation";
import type { ResetKind } from "./reset";

export const SEL_VERSION = 0x51;
/** Table 32-1: every SEL record is 16 bytes, one allocation unit. */
export const SEL_RECORD_SIZE = SEL_RECORD_LENGTH;
export const SEL_FIRST = 0x0000;
export const SEL_LAST = 0xffff;
/** Timestamp the SEL reports for "never" (Get SEL Info's addition/erase times). */
export const NO_TIMESTAMP = 0xffffffff;
/** Record type of a system event record; C0h-DFh are timestamped OEM, E0h-FFh non-timestamped OEM. */
export const SYSTEM_EVENT_RECORD = SEL_RECORD_TYPE.SYSTEM_EVENT;

/** Get SEL Info byte 14 (31.2): Delete SEL, Reserve SEL and the allocation info are supported; no partial adds. */
const SEL_SUPPORT = { delete: true, partialAdd: false, reserve: true, allocationInfo: true } as const;

/** Get SEL Info (31.2), as its layout names the fields. */
export interface SelInfo {
  version: number;
  entries: number;
  freeSpace: number;
  lastAddition: number;
  lastErase: number;
  support: {
    overflow: boolean;
    delete: boolean;
    partialAdd: boolean;
    reserve: boolean;
    allocationInfo: boolean;
  };
}

/** Get SEL Allocation Info (31.3), as its layout names the fields. */
export interface SelAllocation {
  possibleUnits: number;
  unitSize: number;
  freeUnits: number;
  largestFreeBlock: number;
  maxRecordSize: number;
}

/** Event Message Revision of IPMI 1.5 and 2.0 event messages (29.3, table 32-1). */
/** Add SEL Entry completion code 80h: operation not supported for this record type (31.6). */
export { CC_SEL_RECORD_TYPE_UNSUPPORTED, EVM_REV };

export interface SelEntry {
  recordId: number;
  /** Order in the log (persisted; survives record-id wrap-around). */
  position: number;
  data: Uint8Array;
}

export interface SelMeta {
  nextRecordId: number;
  nextPosition: number;
  lastAddition: number;
  lastErase: number;
  overflow: boolean;
}

/** A change to the SEL, with the counters after it. */
export type SelChange =
  | { kind: "added"; entry: SelEntry; meta: SelMeta }
  | { kind: "deleted"; recordId: number; meta: SelMeta }
  | { kind: "cleared"; meta: SelMeta }
  /** Only the counters or flags changed (the overflow flag). */
  | { kind: "meta"; meta: SelMeta }
  /** Set SEL Time moved the SEL clock: SEL time is the BMC's clock plus this. */
  | { kind: "time"; offsetMs: number };

/** Whether events go to the SEL: BMC Global Enables bit 3 (22.1). */
export interface EventLogging {
  readonly systemEventLogging: boolean;
}

export interface SelOptions {
  capacity: number;
  clock: BmcClock;
  /** Where the System Event Logging enable lives (the controller). */
  logging: EventLogging;
  /** What was saved before a restart. */
  restored?: { entries: SelEntry[]; meta: SelMeta | null; offsetMs: number };
}

/** A system event record's fields after the record id, type and timestamp (table 32-1 bytes 8-16). */
export interface SystemEvent {
  generator: GeneratorId;
  event: EventMessage;
}

/** A record to add: as Add SEL Entry unpacked it, or as the BMC builds one. */
export type RecordToAdd = SelRecord | SelRecordIn;

/**
 * The record as the SEL keeps it (31.6): its record id, and for system event and OEM
 * timestamped records (02h, C0h-DFh) the SEL's timestamp; OEM non-timestamped records
 * (E0h-FFh) keep bytes 4-16 as given.
 */
function logged(r: RecordToAdd, recordId: number, time: number): SelRecordIn {
  const { recordType, body } = r;
  if (!("timestamp" in body)) return { recordId, recordType, body };
  if ("generator" in body) return { recordId, recordType, body: { ...body, timestamp: time } };
  return { recordId, recordType, body: { ...body, timestamp: time } };
}

export class Sel {
  readonly capacity: number;
  private entries: SelEntry[];
  private meta: SelMeta;
  private offsetMs: number;
  private readonly clock: BmcClock;
  private readonly logging: EventLogging;
  private readonly changes = new Emitter<SelChange>();
  /** Reserve SEL; only a new reservation or a BMC reset cancels it, not a delete or a clear. */
  readonly reservation = new Reservation();

  constructor(o: SelOptions) {
    const restored = o.restored;
    this.capacity = o.capacity;
    this.clock = o.clock;
    this.logging = o.logging;
    this.offsetMs = restored?.offsetMs ?? 0;
    this.entries = [...(restored?.entries ?? [])].sort((a, b) => a.position - b.position);
    const last = this.entries.at(-1);
    this.meta = restored?.meta ?? {
      nextRecordId: last ? nextId(last.recordId) : 1,
      nextPosition: last ? last.position + 1 : 1,
      lastAddition: NO_TIMESTAMP,
      lastErase: NO_TIMESTAMP,
      overflow: false,
    };
  }

  /** Called after each change. */
  onChange(listener: (change: SelChange) => void): () => void {
    return this.changes.on(listener);
  }

  /** SEL time (31.10): seconds since 1970 by the SEL clock. */
  time(): number {
    return this.timeAt(this.clock.now());
  }

  /** The SEL time at BMC clock time `ms`. */
  timeAt(ms: number): number {
    return Math.max(0, Math.floor((ms + this.offsetMs) / 1000)) >>> 0;
  }

  /** Set SEL Time (31.11): the SEL clock runs on from `seconds`. */
  setTime(seconds: number): void {
    this.offsetMs = seconds * 1000 - this.clock.now();
    this.changes.emit({ kind: "time", offsetMs: this.offsetMs });
  }

  /**
   * Logs an event the BMC received or generated (a Platform Event message, 29.3; the
   * watchdog's, 27.7) as a system event record, at BMC clock time `atMs` (default now).
   * Nothing is logged while System Event Logging is disabled; a full SEL loses the event
   * (its overflow flag says so). Returns the record id, or null when not logged.
   */
  logEvent(e: SystemEvent, atMs?: number): number | null {
    if (!this.logging.systemEventLogging) return null;
    try {
      return this.addSystemEvent(e, atMs === undefined ? undefined : this.timeAt(atMs));
    } catch (err) {
      if (err instanceof IpmiError && err.cc === CC.OUT_OF_SPACE) return null;
      throw err;
    }
  }

  /** A BMC reset (20.2, 20.3) cancels the reservation; the log itself is non-volatile. */
  reset(kind: ResetKind): void {
    if (kind !== "host") this.reservation.cancel();
  }

  get count(): number {
    return this.entries.length;
  }

  /** Get SEL Info (31.2). */
  get info(): SelInfo {
    const freeBytes = (this.capacity - this.entries.length) * SEL_RECORD_SIZE;
    return {
      version: SEL_VERSION,
      entries: this.entries.length,
      // A two-byte field: a SEL of more than 4095 free entries reports FFFFh.
      freeSpace: Math.min(0xffff, freeBytes),
      lastAddition: this.meta.lastAddition,
      lastErase: this.meta.lastErase,
      support: { ...SEL_SUPPORT, overflow: this.meta.overflow },
    };
  }

  /** Get SEL Allocation Info (31.3): one 16-byte allocation unit per entry; the free ones are contiguous. */
  get allocation(): SelAllocation {
    const free = this.capacity - this.entries.length;
    return {
      possibleUnits: this.capacity,
      unitSize: SEL_RECORD_SIZE,
      freeUnits: free,
      largestFreeBlock: free,
      maxRecordSize: 1,
    };
  }

  all(): readonly SelEntry[] {
    return this.entries;
  }

  /**
   * Add SEL Entry: the SEL assigns the record id and, for system event and timestamped
   * OEM records (02h, C0h-DFh), the timestamp. Returns the record id. Throws C4h when
   * full (and sets the overflow flag), 80h for a record type it does not take.
   */
  add(record: RecordToAdd, timestamp?: number): number {
    const type = record.recordType;
    if (type !== SYSTEM_EVENT_RECORD && type < SEL_RECORD_TYPE.OEM_TIMESTAMPED_MIN) {
      throw new IpmiError(CC_SEL_RECORD_TYPE_UNSUPPORTED, `record type ${type.toString(16)}h is reserved`);
    }
    if (this.entries.length >= this.capacity) {
      if (!this.meta.overflow) {
        this.meta.overflow = true;
        this.changes.emit({ kind: "meta", meta: { ...this.meta } });
      }
      throw new IpmiError(CC.OUT_OF_SPACE, `the SEL is full (${this.capacity} entries)`);
    }
    const recordId = this.takeRecordId();
    const now = (timestamp ?? this.time()) >>> 0;
    const data = packSelRecord(logged(record, recordId, now));
    const entry: SelEntry = { recordId, position: this.meta.nextPosition++, data };
    this.entries.push(entry);
    this.meta.lastAddition = now;
    this.changes.emit({ kind: "added", entry, meta: { ...this.meta } });
    return recordId;
  }

  /** A system event record built from its fields, added like Add SEL Entry would. */
  addSystemEvent(e: SystemEvent, timestamp?: number): number {
    return this.add(
      { recordId: 0, recordType: SYSTEM_EVENT_RECORD, body: { timestamp: 0, ...e } },
      timestamp,
    );
  }

  /** Get SEL Entry's record lookup: 0000h the first, FFFFh the last. Throws CBh. */
  find(recordId: number): { entry: SelEntry; next: number } {
    const index =
      recordId === SEL_FIRST
        ? 0
        : recordId === SEL_LAST
          ? this.entries.length - 1
          : this.entries.findIndex((e) => e.recordId === recordId);
    const entry = this.entries[index];
    if (index < 0 || !entry) {
      throw new IpmiError(
        CC.NOT_PRESENT,
        this.entries.length === 0 ? "the SEL is empty" : `no SEL entry ${recordId.toString(16)}h`,
      );
    }
    return { entry, next: this.entries[index + 1]?.recordId ?? SEL_LAST };
  }

  /**
   * Get SEL Entry. The reservation is only required for a partial read (offset other
   * than 0), but a non-zero one must be current. Throws IpmiError C5h, C9h or CBh.
   */
  read(req: { reservation: number; recordId: number; offset: number; count: number }) {
    this.reservation.check(req.reservation, req.offset !== 0);
    if (req.offset >= SEL_RECORD_SIZE) {
      throw new IpmiError(CC.PARAMETER_OUT_OF_RANGE, `offset ${req.offset} is past the 16-byte record`);
    }
    const { entry, next } = this.find(req.recordId);
    // A record is 16 bytes, however long a restored row is.
    return { next, data: readPart(entry.data.subarray(0, SEL_RECORD_SIZE), req.offset, req.count) };
  }

  /** Delete SEL Entry; returns the id deleted. Throws CBh. */
  delete(recordId: number): number {
    const { entry } = this.find(recordId);
    this.entries = this.entries.filter((e) => e !== entry);
    this.meta.overflow = false;
    this.meta.lastErase = this.time();
    this.changes.emit({ kind: "deleted", recordId: entry.recordId, meta: { ...this.meta } });
    return entry.recordId;
  }

  clear(): void {
    this.entries = [];
    this.meta.overflow = false;
    this.meta.lastErase = this.time();
    this.changes.emit({ kind: "cleared", meta: { ...this.meta } });
  }

  private takeRecordId(): number {
    let id = this.meta.nextRecordId;
    const used = new Set(this.entries.map((e) => e.recordId));
    while (used.has(id)) id = nextId(id);
    this.meta.nextRecordId = nextId(id);
    return id;
  }
}

/** Record ids run 0001h..FFFEh and wrap; 0000h and FFFFh mean first and last. */
function nextId(id: number): number {
  return id >= 0xfffe ? 1 : id + 1;
}
