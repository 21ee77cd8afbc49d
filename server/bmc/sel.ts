/**
 * The System Event Log (IPMI 2.0 section 31): 16-byte records in log order, record
 * ids from 0001h to FFFEh, a reservation for partial reads, deletes and clears, and
 * the SEL clock. Persisted through the BmcStore: each add, delete and clear is written
 * behind (in order) by the store.
 *
 * Reservations (31.4): a new Reserve SEL or a BMC reset cancels the current one.
 * Deleting and clearing do not (ipmitool deletes several entries, and polls the erase
 * status, under one reservation).
 */
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/fields";
import { le16, le32, Reservation, readPart } from "./core";

export const SEL_VERSION = 0x51;
export const SEL_RECORD_SIZE = 16;
export const SEL_FIRST = 0x0000;
export const SEL_LAST = 0xffff;
/** Timestamp the SEL reports for "never" (Get SEL Info's addition/erase times). */
export const NO_TIMESTAMP = 0xffffffff;
/** Record type of a system event record; C0h-DFh are timestamped OEM, E0h-FFh non-timestamped OEM. */
export const SYSTEM_EVENT_RECORD = 0x02;

/** Get SEL Info byte 14: delete, reserve and allocation info supported; bit 7 overflow. */
export const SEL_OPERATIONS = {
  GET_ALLOCATION_INFO: 0x01,
  RESERVE: 0x02,
  DELETE: 0x08,
  OVERFLOW: 0x80,
} as const;

/** Add SEL Entry completion code 80h: operation not supported for this record type. */
export const CC_SEL_RECORD_TYPE_UNSUPPORTED = 0x80;

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

export interface SelSink {
  added(entry: SelEntry, meta: SelMeta): void;
  deleted(recordId: number, meta: SelMeta): void;
  cleared(meta: SelMeta): void;
  /** Only the counters or flags changed (the overflow flag). */
  metaChanged(meta: SelMeta): void;
}

/** Fields of a system event record (table 32-1) after the record id, type and timestamp. */
export interface SystemEvent {
  /** Generator ID byte 1: [7:1] slave address or software id, [0] 1 = software. */
  generatorId: number;
  /** Generator ID byte 2: [7:4] channel, [1:0] LUN. */
  generatorChannel: number;
  evmRev: number;
  sensorType: number;
  sensorNumber: number;
  /** [7] 1 = deassertion, [6:0] event/reading type. */
  eventDirType: number;
  eventData: [number, number, number];
}

export class Sel {
  private entries: SelEntry[];
  private meta: SelMeta;
  /** Reserve SEL; only a new reservation or a BMC reset cancels it, not a delete or a clear. */
  readonly reservation = new Reservation();

  constructor(
    readonly capacity: number,
    /** SEL time in seconds (the SEL clock: wall clock plus Set SEL Time's offset). */
    private readonly clock: () => number,
    private readonly sink: SelSink | undefined,
    restored?: { entries: SelEntry[]; meta: SelMeta | null },
  ) {
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

  get count(): number {
    return this.entries.length;
  }

  get info() {
    return {
      ...this.meta,
      count: this.entries.length,
      freeBytes: (this.capacity - this.entries.length) * SEL_RECORD_SIZE,
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
  add(record: Uint8Array, timestamp?: number): number {
    const type = record[2]!;
    if (type !== SYSTEM_EVENT_RECORD && type < 0xc0) {
      throw new IpmiError(CC_SEL_RECORD_TYPE_UNSUPPORTED, `record type ${type.toString(16)}h is reserved`);
    }
    if (this.entries.length >= this.capacity) {
      if (!this.meta.overflow) {
        this.meta.overflow = true;
        this.sink?.metaChanged({ ...this.meta });
      }
      throw new IpmiError(CC.OUT_OF_SPACE, `the SEL is full (${this.capacity} entries)`);
    }
    const recordId = this.takeRecordId();
    const data = Uint8Array.from(record);
    data.set(le16(recordId), 0);
    const now = (timestamp ?? this.clock()) >>> 0;
    if (type < 0xe0) data.set(le32(now), 3);
    const entry: SelEntry = { recordId, position: this.meta.nextPosition++, data };
    this.entries.push(entry);
    this.meta.lastAddition = now;
    this.sink?.added(entry, { ...this.meta });
    return recordId;
  }

  /** A system event record built from its fields, added like Add SEL Entry would. */
  addSystemEvent(e: SystemEvent, timestamp?: number): number {
    const r = new Uint8Array(SEL_RECORD_SIZE);
    r[2] = SYSTEM_EVENT_RECORD;
    r[7] = e.generatorId;
    r[8] = e.generatorChannel;
    r[9] = e.evmRev;
    r[10] = e.sensorType;
    r[11] = e.sensorNumber;
    r[12] = e.eventDirType;
    r.set(e.eventData, 13);
    return this.add(r, timestamp);
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
    this.meta.lastErase = this.clock() >>> 0;
    this.sink?.deleted(entry.recordId, { ...this.meta });
    return entry.recordId;
  }

  clear(): void {
    this.entries = [];
    this.meta.overflow = false;
    this.meta.lastErase = this.clock() >>> 0;
    this.sink?.cleared({ ...this.meta });
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
