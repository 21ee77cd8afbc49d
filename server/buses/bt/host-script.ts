/**
 * What a Linux host says to its BMC over BT, as a script the simulated host plays:
 * the ipmi_si driver's probing at load and a watchdog daemon arming the timer
 * (BOOT_SEQUENCE); then what `ipmitool sdr` and `ipmitool fru` do at boot: walk the
 * SDR repository (Reserve SDR Repository, then per record Get SDR of the 5-byte header
 * and the rest in partial reads, re-reserving on C5h) and read each FRU device (Get FRU
 * Inventory Area Info, the common header, then each area in chunks); then the steady
 * state (the driver's message-flag polling, watchdog pats, monitoring agents reading
 * chassis status and the sensors the walk found, now and then an SEL entry).
 *
 * The discovery steps depend on the answers (next record id, reservation, lengths), so
 * the script is a small state machine: HostScript.next() gives the next request and
 * answer() hands it the response (or null when the host gave up waiting). It is a
 * generator underneath, so each phase reads top to bottom. A phase whose answers make
 * no sense (an error, a short response) ends and the script goes on with the next.
 */
import { NETFN } from "../../ipmi/netfn";

export interface ScriptedRequest {
  netFn: number;
  cmd: number;
  data: number[];
}

export interface ScriptAnswer {
  /** null: no answer came (the host timed out). */
  cc: number | null;
  data: Uint8Array;
}

const APP = NETFN.APP;
const STORAGE = NETFN.STORAGE;

export const BOOT_SEQUENCE: readonly ScriptedRequest[] = [
  { netFn: APP, cmd: 0x01, data: [] }, // Get Device ID
  { netFn: APP, cmd: 0x2f, data: [] }, // Get BMC Global Enables
  { netFn: APP, cmd: 0x2e, data: [0x0d] }, // Set BMC Global Enables: event buffer, receive-queue interrupt, SEL
  { netFn: APP, cmd: 0x31, data: [] }, // Get Message Flags
  { netFn: APP, cmd: 0x36, data: [] }, // Get BT Interface Capabilities
  { netFn: APP, cmd: 0x08, data: [] }, // Get Device GUID
  { netFn: APP, cmd: 0x04, data: [] }, // Get Self Test Results
  // Watchdog daemon: SMS/OS use, hard reset on expiry, 60.0 s
  { netFn: APP, cmd: 0x24, data: [0x44, 0x01, 0x00, 0x3e, 0x58, 0x02] },
  { netFn: APP, cmd: 0x22, data: [] }, // Reset Watchdog Timer (starts it)
];

/**
 * Sensors polled when the SDR walk found none (the BMC answered nothing useful): the
 * shipped default profile's temperatures, voltages, fan, watchdog and intrusion sensors.
 */
export const DEFAULT_SENSORS: readonly number[] = [0x01, 0x02, 0x03, 0x10, 0x11, 0x20, 0x30, 0x31];

/**
 * The steady-state request at step `n` (0, 1, 2, ...). Deterministic so runs can be
 * compared; the mix is what an idle server's host sends, dominated by flag polling.
 */
export function steadyRequest(
  n: number,
  watchdogEvery: number,
  sensors: readonly number[] = DEFAULT_SENSORS,
): ScriptedRequest {
  if (n % watchdogEvery === watchdogEvery - 1) return { netFn: APP, cmd: 0x22, data: [] };
  if (n % 97 === 50) return addSelEntry(n);
  // Management agents (ipmitool mc info, the kernel re-reading the BMC's identity) ask now and then.
  if (n % 40 === 20) return { netFn: APP, cmd: 0x01, data: [] }; // Get Device ID
  switch (n % 5) {
    case 0:
    case 2:
      return { netFn: APP, cmd: 0x31, data: [] }; // Get Message Flags
    case 1:
    case 3: {
      const list = sensors.length > 0 ? sensors : DEFAULT_SENSORS;
      return { netFn: NETFN.SENSOR_EVENT, cmd: 0x2d, data: [list[n % list.length]!] }; // Get Sensor Reading
    }
    default:
      return { netFn: NETFN.CHASSIS, cmd: 0x01, data: [] }; // Get Chassis Status
  }
}

/** Add SEL Entry: a system event record (OS boot-style event from the host's software). */
function addSelEntry(n: number): ScriptedRequest {
  const t = (1_700_000_000 + n) >>> 0;
  return {
    netFn: STORAGE,
    cmd: 0x44,
    data: [
      0x00,
      0x00, // record id (BMC assigns)
      0x02, // system event record
      t & 0xff,
      (t >> 8) & 0xff,
      (t >> 16) & 0xff,
      (t >>> 24) & 0xff,
      0x41,
      0x00, // generator: system software id 20h, channel 0
      0x04, // EvM rev 2.0 (IPMI 1.5+)
      0x1f,
      0x01, // sensor type OS Boot, sensor number 1
      0x6f, // sensor-specific, assertion
      0x01,
      0xff,
      0xff, // C: boot completed
    ],
  };
}

// ---- discovery ----------------------------------------------------------------------

const CC_OK = 0x00;
const CC_RESERVATION_CANCELED = 0xc5;
/** Get SDR: the 5-byte record header (id, version, type, length). */
const SDR_HEADER = 5;
const SDR_LAST = 0xffff;
const SDR_RECORD_FULL = 0x01;
const SDR_RECORD_COMPACT = 0x02;
const SDR_RECORD_FRU_LOCATOR = 0x11;
/** Give up on a walk that re-reserves this often, or has this many records (a looping BMC). */
const MAX_RESERVATION_RETRIES = 5;
const MAX_RECORDS = 1024;
/** Read at most this much of one FRU device. */
const MAX_FRU_BYTES = 4096;

const req = (netFn: number, cmd: number, data: number[] = []): ScriptedRequest => ({ netFn, cmd, data });
const le16 = (d: Uint8Array, at: number) => d[at]! | (d[at + 1]! << 8);
const ok = (a: ScriptAnswer, minLength: number) => a.cc === CC_OK && a.data.length >= minLength;

type Step<T> = Generator<ScriptedRequest, T, ScriptAnswer>;

function* reserveSdr(): Step<number | null> {
  const a = yield req(STORAGE, 0x22); // Reserve SDR Repository
  return ok(a, 2) ? le16(a.data, 0) : null;
}

/** Get SDR with a reservation, re-reserving on C5h; null when the BMC will not answer it. */
function* getSdr(
  walk: { reservation: number },
  recordId: number,
  offset: number,
  count: number,
): Step<ScriptAnswer | null> {
  for (let retry = 0; retry <= MAX_RESERVATION_RETRIES; retry++) {
    const a = yield req(STORAGE, 0x23, [
      walk.reservation & 0xff,
      walk.reservation >> 8,
      recordId & 0xff,
      recordId >> 8,
      offset,
      count,
    ]);
    if (a.cc !== CC_RESERVATION_CANCELED) return ok(a, 2 + count) ? a : null;
    const r = yield* reserveSdr();
    if (r === null) return null;
    walk.reservation = r;
  }
  return null;
}

export interface SdrWalk {
  /** Whole records as the BMC holds them (header included). */
  records: Uint8Array[];
  complete: boolean;
}

function* walkSdr(chunk: number): Step<SdrWalk> {
  const records: Uint8Array[] = [];
  const info = yield req(STORAGE, 0x20); // Get SDR Repository Info
  if (!ok(info, 14)) return { records, complete: false };
  const reservation = yield* reserveSdr();
  if (reservation === null) return { records, complete: false };
  const walk = { reservation };
  let id = 0x0000;
  while (id !== SDR_LAST && records.length < MAX_RECORDS) {
    const head = yield* getSdr(walk, id, 0, SDR_HEADER);
    if (!head) return { records, complete: false };
    const next = le16(head.data, 0);
    const header = head.data.slice(2, 2 + SDR_HEADER);
    const actualId = le16(header, 0);
    const total = SDR_HEADER + header[4]!;
    const record = new Uint8Array(total);
    record.set(header, 0);
    for (let offset = SDR_HEADER; offset < total; ) {
      const n = Math.min(chunk, total - offset);
      const part = yield* getSdr(walk, actualId, offset, n);
      if (!part) return { records, complete: false };
      record.set(part.data.subarray(2, 2 + n), offset);
      offset += n;
    }
    records.push(record);
    id = next;
  }
  return { records, complete: id === SDR_LAST };
}

function* readFruBytes(
  device: number,
  offset: number,
  length: number,
  chunk: number,
  into: Uint8Array,
): Step<boolean> {
  for (let at = offset; at < offset + length; ) {
    const n = Math.min(chunk, offset + length - at);
    const a = yield req(STORAGE, 0x11, [device, at & 0xff, at >> 8, n]); // Read FRU Data
    if (!ok(a, 1) || a.data[0] === 0 || a.data.length < 1 + a.data[0]!) return false;
    const got = a.data[0]!;
    into.set(a.data.subarray(1, 1 + got), at);
    at += got;
  }
  return true;
}

/** Reads the common header and the areas it points to, as `ipmitool fru print` does. */
function* readFruDevice(device: number, chunk: number): Step<Uint8Array | null> {
  const info = yield req(STORAGE, 0x10, [device]); // Get FRU Inventory Area Info
  if (!ok(info, 3)) return null;
  const size = Math.min(le16(info.data, 0), MAX_FRU_BYTES);
  if (size < 8) return null;
  const image = new Uint8Array(size);
  if (!(yield* readFruBytes(device, 0, 8, chunk, image))) return null;
  // Chassis, board and product info areas: offsets in 8-byte units, byte 1 of each is its length.
  for (const slot of [2, 3, 4]) {
    const start = image[slot]! * 8;
    if (start === 0 || start + 2 > size) continue;
    if (!(yield* readFruBytes(device, start, 2, chunk, image))) return null;
    const length = Math.min(image[start + 1]! * 8, size - start);
    if (length > 2 && !(yield* readFruBytes(device, start + 2, length - 2, chunk, image))) return null;
  }
  return image;
}

// ---- the script -----------------------------------------------------------------------

export interface HostScriptOptions {
  /** In steady state, one watchdog pat every this many requests. */
  watchdogEvery: number;
  /** Play the boot sequence and the SDR/FRU discovery first (default true). */
  boot?: boolean;
  /** Bytes per partial Get SDR after the header (default 16). */
  sdrChunk?: number;
  /** Bytes per Read FRU Data (default 32). */
  fruChunk?: number;
}

const NO_ANSWER: ScriptAnswer = { cc: null, data: new Uint8Array() };

/** Get Message calls after one Get Message Flags at most, so polling goes on even if the queue never empties. */
const RECEIVE_DRAIN_MAX = 8;

/**
 * What a host driver does with the flags it polled (Linux ipmi_si's handle_flags): a
 * message in the receive queue is read with Get Message until the queue answers 80h
 * (empty), a full event message buffer with Read Event Message Buffer (IPMI 2.0 22.4).
 */
function* readFlagged(flags: ScriptAnswer): Step<void> {
  if (flags.cc !== 0 || flags.data.length < 1) return;
  const f = flags.data[0]!;
  if (f & 0x01) {
    for (let i = 0; i < RECEIVE_DRAIN_MAX; i++) {
      const got = yield { netFn: APP, cmd: 0x33, data: [] }; // Get Message
      if (got.cc !== 0) break;
    }
  }
  if (f & 0x02) yield { netFn: APP, cmd: 0x35, data: [] }; // Read Event Message Buffer
}

export class HostScript {
  /** What the SDR walk read; `complete` once it reached the last record. */
  sdr: SdrWalk = { records: [], complete: false };
  /** FRU images read, by FRU device id (areas filled in, the rest 00h). */
  readonly fru = new Map<number, Uint8Array>();
  /** Sensors the steady state polls: from the SDR, or DEFAULT_SENSORS. */
  sensors: readonly number[] = DEFAULT_SENSORS;
  /** Which phase the script is in. */
  phase: "boot" | "sdr" | "fru" | "steady" = "boot";
  private readonly steps: Step<void>;
  private started = false;
  private pending: ScriptAnswer | undefined;

  constructor(private readonly options: HostScriptOptions) {
    this.steps = this.play();
  }

  /** The next request to send. The answer to the previous one (if any) goes to answer() first. */
  next(): ScriptedRequest {
    const r = this.started ? this.steps.next(this.pending ?? NO_ANSWER) : this.steps.next();
    this.started = true;
    this.pending = undefined;
    if (r.done) throw new Error("the host script ended"); // never: the steady state has no end
    return r.value;
  }

  /** The response to the request next() gave last: completion code and data; cc null when none came. */
  answer(cc: number | null, data: Uint8Array | readonly number[] = []): void {
    this.pending = { cc, data: Uint8Array.from(data) };
  }

  private *play(): Step<void> {
    const o = this.options;
    if (o.boot ?? true) {
      for (const r of BOOT_SEQUENCE) yield r;
      this.phase = "sdr";
      this.sdr = yield* walkSdr(o.sdrChunk ?? 16);
      const sensors: number[] = [];
      const fruIds = [0];
      for (const r of this.sdr.records) {
        const type = r[3];
        if ((type === SDR_RECORD_FULL || type === SDR_RECORD_COMPACT) && (r[6]! & 0x03) === 0)
          sensors.push(r[7]!);
        // A logical FRU device (byte 8 bit 7) behind a controller: its FRU device id.
        if (type === SDR_RECORD_FRU_LOCATOR && r[7]! & 0x80 && !fruIds.includes(r[6]!)) fruIds.push(r[6]!);
      }
      if (sensors.length > 0) this.sensors = sensors;
      this.phase = "fru";
      for (const id of fruIds) {
        const image = yield* readFruDevice(id, o.fruChunk ?? 32);
        if (image) this.fru.set(id, image);
        else if (id === 0) break; // the BMC has no FRU: stop asking
      }
    }
    this.phase = "steady";
    for (let n = 0; ; n++) {
      const request = steadyRequest(n, o.watchdogEvery, this.sensors);
      const answer = yield request;
      if (request.netFn === APP && request.cmd === 0x31) yield* readFlagged(answer);
    }
  }
}
