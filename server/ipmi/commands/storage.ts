/**
 * Storage (NetFn 0Ah), IPMI 2.0 sections 31 (SEL), 33 (SDR repository) and 34 (FRU
 * inventory): every command of table G-1 with its privilege; request and response layouts
 * for the commands this product answers or decodes.
 * Privileges follow table G-1 (cross-checked against OpenIPMI's lanserv privilege table);
 * "none" marks commands allowed outside a session.
 */
import { hexByte, toHex } from "../hex";
import {
  type Bytes,
  bit,
  bits,
  bytes,
  type Codec,
  Cursor,
  empty,
  flag,
  LayoutError,
  mapped,
  rest,
  SHORT,
  struct,
  type Tree,
  u8,
  u16,
  u32,
} from "../layout/codec";
import { ascii, dec, field, h8, h16, hexText, timestamp, version } from "../layout/format";
import { NETFN } from "../netfn";
import { FRU_AREA_UNIT, FRU_COMMON_HEADER_LENGTH, fruCommonHeader, infoAreaField } from "../records/fru";
import { recordPart } from "../records/part";
import { selRecord } from "../records/sel";
import { byteCount, bytesToRead, nextRecordId, requestedRecordId, reservationId } from "../spec/labels";
import { type Command, command, named } from "./define";

const NF = NETFN.STORAGE;

/** Most data bytes after a response's completion code (and a request's) a layout here takes. */
const MAX_DATA = 255;

// ---- command-specific completion codes (sections 31, 34) -----------------------------------------

/** Read / Write FRU Data 81h (34.2, 34.3). */
export const CC_FRU_DEVICE_BUSY = 0x81;
/** Write FRU Data 80h (34.3). */
export const CC_WRITE_PROTECTED_OFFSET = 0x80;
/** Add / Delete SEL Entry 80h (31.6, 31.8). */
export const CC_SEL_RECORD_TYPE_UNSUPPORTED = 0x80;
/** Reserve SEL, Get / Add / Partial Add / Delete SEL Entry 81h (31.4-31.8). */
export const CC_SEL_ERASE_IN_PROGRESS = 0x81;
/** Partial Add SEL Entry 80h (31.7). */
export const CC_SEL_RECORD_LENGTH_MISMATCH = 0x80;

const FRU_BUSY = "FRU device busy";
const SEL_ERASE_IN_PROGRESS = "Cannot execute command, SEL erase in progress";
const RECORD_TYPE_UNSUPPORTED = "Operation not supported for this Record Type";

// ---- shared fields ------------------------------------------------------------------------------

/** Reserve SDR Repository, Reserve SEL, and Reserve Device SDR Repository (Sensor/Event 22h). */
export const reservationResponse = struct({ reservation: u16("Reservation ID", h16) });

/** Get SDR and Get SEL Entry, and Get Device SDR (Sensor/Event 21h): which part of which record. */
export const getRecordRequest = struct({
  reservation: u16("Reservation ID", reservationId),
  recordId: u16("Record ID", requestedRecordId),
  offset: u8("Offset into record", dec),
  count: u8("Bytes to read", bytesToRead),
});

/** Where the request a response answers has its offset into the record (byte 5) and bytes to read (byte 6). */
const REQUEST_OFFSET = 4;
const REQUEST_COUNT = 5;

/**
 * The record data of a Get SDR / Get SEL Entry response (33.12, 31.5): the bytes the request
 * asked for. How they read depends on the request: from offset 0 they are a record (or its
 * beginning, a partial read when fewer were asked for), from elsewhere bytes of one.
 */
function recordData(kind: "SDR" | "SEL"): Codec<Uint8Array, Bytes> {
  const raw = rest("Record data", MAX_DATA - 2);
  return {
    minLength: 0,
    maxLength: raw.maxLength,
    read(c, tree) {
      const b = c.rest(raw.maxLength);
      if (tree) {
        const request = c.context.request;
        const part = recordPart(kind, b, request?.[REQUEST_OFFSET] ?? 0, request?.[REQUEST_COUNT] ?? 0xff);
        if (part !== undefined) tree.push(part);
      }
      return b.slice();
    },
    write: (w, b) => raw.write(w, b),
  };
}

/** Get SDR, and Get Device SDR (Sensor/Event 21h), which has the same layout. */
export const getSdrResponse = struct({
  next: u16("Next record ID", nextRecordId),
  data: recordData("SDR"),
});

/** "FFFFh (unspecified)" or a byte count: Get SDR Repository Info / Get SEL Info free space. */
function freeSpace(v: number): string {
  return v === 0xffff ? "FFFFh (unspecified)" : byteCount(v);
}

const allocationUnits = (v: number) => `${v} allocation units`;

/** Get SDR Repository Allocation Info (33.10) and Get SEL Allocation Info (31.3) answer alike. */
const allocationInfo = struct({
  possibleUnits: u16("Possible allocation units", dec),
  unitSize: u16("Allocation unit size", (v) => (v === 0 ? "0000h (unspecified)" : byteCount(v))),
  freeUnits: u16("Free allocation units", dec),
  largestFreeBlock: u16("Largest free block", allocationUnits),
  maxRecordSize: u8("Maximum record size", allocationUnits),
});

const versionByte = (label: string) => u8(label, (v) => `${version(v)} (${hexByte(v)})`);

/** A time in seconds since 1970 (SEL and SDR repository time, 31.10, 33.13). */
const time = struct({ time: u32("Time", timestamp) });

/**
 * Clear SEL (31.9) asks for 'C' 'L' 'R' before the action, so a stray request cannot
 * erase; read as text ("CLR") so a handler compares one value.
 */
const confirmation = mapped(
  bytes("Confirmation", 3, (b) =>
    b[0] === 0x43 && b[1] === 0x4c && b[2] === 0x52 ? "'CLR'" : `${hexText(b)} (not 'CLR': 43 4c 52)`,
  ),
  (b) => String.fromCharCode(...b),
  (s: string) => Array.from(s, (ch) => ch.charCodeAt(0)),
);

/** Clear SEL byte 6 (31.9). */
export const CLEAR_ACTION = { GET_STATUS: 0x00, INITIATE: 0xaa } as const;

/** Clear SEL response bits 3:0 (31.9). */
export const ERASURE = { IN_PROGRESS: 0x0, COMPLETED: 0x1 } as const;

const erasureProgress = mapped(
  bits(1, {
    progress: bit("Erasure progress", 0, 3, (p) => {
      if (p === ERASURE.IN_PROGRESS) return "Erasure in progress";
      if (p === ERASURE.COMPLETED) return "Erase completed";
      return `Reserved (${hexByte(p)})`;
    }),
  }),
  (v) => v.progress,
  (p: number) => ({ progress: p }),
);

// ---- FRU inventory (section 34) -----------------------------------------------------------------

const fruDeviceId = u8("FRU device ID", h8);
const fruOffset = u16("Offset", (v) => `${h16(v)} (${v})`);

/** FRU data as hex and as text: most of an image is type/length-coded text. */
function fruData(b: Uint8Array): string {
  return b.length === 0 ? "none" : `${hexText(b)} "${ascii(b)}"`;
}

/**
 * The common header's fields when a Read FRU Data read the start of the image (its request
 * asked from offset 0), as `ipmitool fru` does first.
 */
function commonHeaderIn(b: Uint8Array, request: Uint8Array | undefined): Tree | undefined {
  if (requestedOffset(request) !== 0) return undefined;
  if (b.length < FRU_COMMON_HEADER_LENGTH) return undefined;
  const tree: Tree = [];
  fruCommonHeader.read(new Cursor(b.subarray(0, FRU_COMMON_HEADER_LENGTH)), tree);
  return tree;
}

/** The offset a Read FRU Data request (34.2) asked from: bytes 2-3, LS byte first. */
function requestedOffset(request: Uint8Array | undefined): number | undefined {
  return request === undefined || request.length < 3 ? undefined : request[1]! | (request[2]! << 8);
}

/**
 * An info area's fields when a Read FRU Data read one whole, from its start. Only the
 * common header says where areas are, so the area is known by its own bytes (records/fru.ts
 * `infoAreaKind`), and only from an offset where an area can start: a multiple of 8 bytes
 * past the header (FRU spec section 8). Anything else stays bytes.
 */
function infoAreaIn(b: Uint8Array, request: Uint8Array | undefined): Tree | undefined {
  const offset = requestedOffset(request);
  if (offset === undefined || offset < FRU_COMMON_HEADER_LENGTH || offset % FRU_AREA_UNIT !== 0)
    return undefined;
  const area = infoAreaField(b);
  if (area === undefined) return undefined;
  const tree: Tree = [area];
  const after = b.subarray(b[1]! * FRU_AREA_UNIT);
  if (after.length > 0) tree.push(field("After the area", fruData(after), toHex(after)));
  return tree;
}

/** Read FRU Data response (34.2): a count, then that many bytes. */
const countedFruData: Codec<Uint8Array, Bytes> = (() => {
  const raw = rest("Data", MAX_DATA - 1);
  return {
    minLength: 1,
    maxLength: 1 + raw.maxLength,
    read(c, tree) {
      const n = c.take(1);
      if (n === SHORT) return SHORT;
      tree?.push(field("Count returned", byteCount(n[0]!), toHex(n)));
      const b = c.take(n[0]!);
      if (b === SHORT) return SHORT;
      tree?.push(
        field(
          "Data",
          {
            value: fruData(b),
            children: commonHeaderIn(b, c.context.request) ?? infoAreaIn(b, c.context.request),
          },
          toHex(b),
        ),
      );
      return b.slice();
    },
    write(w, b) {
      if (b.length > raw.maxLength)
        throw new LayoutError(`Data: ${b.length} bytes, at most ${raw.maxLength}`);
      w.byte(b.length);
      raw.write(w, b);
    },
  };
})();

/** Write FRU Data's data (34.3): at least one byte, to the end of the request. */
const fruWriteData: Codec<Uint8Array, Bytes> = (() => {
  const raw = rest("Data", MAX_DATA - 3, (b) => `${byteCount(b.length)}: ${fruData(b)}`);
  return {
    minLength: 1,
    maxLength: raw.maxLength,
    read(c, tree) {
      // No data at all is a request too short (C7h), not an empty write.
      if (!c.short && c.remaining === 0) {
        c.take(1);
        return SHORT;
      }
      return raw.read(c, tree);
    },
    write(w, b) {
      if (b.length === 0) throw new LayoutError("Data: Write FRU Data writes at least one byte");
      raw.write(w, b);
    },
  };
})();

export const getFruInventoryAreaInfo = command({
  netFn: NF,
  cmd: 0x10,
  name: "Get FRU Inventory Area Info",
  privilege: "user",
  request: struct({ device: fruDeviceId }),
  response: struct({
    size: u16("FRU inventory area size", byteCount),
    access: bits(1, { byWords: flag("Access", 0, (w) => (w ? "by words" : "by bytes")) }),
  }),
});

export const readFruData = command({
  netFn: NF,
  cmd: 0x11,
  name: "Read FRU Data",
  privilege: "user",
  completionCodes: { [CC_FRU_DEVICE_BUSY]: FRU_BUSY },
  request: struct({ device: fruDeviceId, offset: fruOffset, count: u8("Count to read", byteCount) }),
  response: struct({ data: countedFruData }),
});

export const writeFruData = command({
  netFn: NF,
  cmd: 0x12,
  name: "Write FRU Data",
  privilege: "operator",
  completionCodes: { [CC_WRITE_PROTECTED_OFFSET]: "Write-protected offset", [CC_FRU_DEVICE_BUSY]: FRU_BUSY },
  request: struct({ device: fruDeviceId, offset: fruOffset, data: fruWriteData }),
  response: struct({ count: u8("Count written", byteCount) }),
});

// ---- SDR repository (section 33) ----------------------------------------------------------------

const UPDATE_MODES = ["unspecified", "non-modal", "modal", "modal and non-modal"];

export const getSdrRepositoryInfo = command({
  netFn: NF,
  cmd: 0x20,
  name: "Get SDR Repository Info",
  privilege: "user",
  request: empty,
  response: struct({
    version: versionByte("SDR version"),
    recordCount: u16("Record count", dec),
    freeSpace: u16("Free space", freeSpace),
    lastAddition: u32("Most recent addition", timestamp),
    lastErase: u32("Most recent erase", timestamp),
    support: bits(
      1,
      {
        overflow: flag("Overflow", 7),
        delete: flag("Delete SDR supported", 3),
        partialAdd: flag("Partial Add SDR supported", 2),
        reserve: flag("Reserve SDR Repository supported", 1),
        allocationInfo: flag("Get SDR Repository Allocation Information supported", 0),
        update: bit("SDR repository update", 5, 6, (m) => UPDATE_MODES[m]!),
      },
      { label: "Operation support" },
    ),
  }),
});

export const getSdrRepositoryAllocationInfo = command({
  netFn: NF,
  cmd: 0x21,
  name: "Get SDR Repository Allocation Info",
  privilege: "user",
  request: empty,
  response: allocationInfo,
});

export const reserveSdrRepository = command({
  netFn: NF,
  cmd: 0x22,
  name: "Reserve SDR Repository",
  privilege: "user",
  request: empty,
  response: reservationResponse,
});

export const getSdr = command({
  netFn: NF,
  cmd: 0x23,
  name: "Get SDR",
  privilege: "user",
  request: getRecordRequest,
  response: getSdrResponse,
});

export const getSdrRepositoryTime = command({
  netFn: NF,
  cmd: 0x28,
  name: "Get SDR Repository Time",
  privilege: "user",
  request: empty,
  response: time,
});

export const setSdrRepositoryTime = command({
  netFn: NF,
  cmd: 0x29,
  name: "Set SDR Repository Time",
  privilege: "operator",
  request: time,
  response: empty,
});

// ---- SEL (section 31) ---------------------------------------------------------------------------

export const getSelInfo = command({
  netFn: NF,
  cmd: 0x40,
  name: "Get SEL Info",
  privilege: "user",
  request: empty,
  response: struct({
    version: versionByte("SEL version"),
    entries: u16("Entries", dec),
    freeSpace: u16("Free space", freeSpace),
    lastAddition: u32("Most recent addition", timestamp),
    lastErase: u32("Most recent erase", timestamp),
    support: bits(
      1,
      {
        overflow: flag("Overflow", 7),
        delete: flag("Delete SEL supported", 3),
        partialAdd: flag("Partial Add SEL Entry supported", 2),
        reserve: flag("Reserve SEL supported", 1),
        allocationInfo: flag("Get SEL Allocation Information supported", 0),
      },
      { label: "Operation support" },
    ),
  }),
});

export const getSelAllocationInfo = command({
  netFn: NF,
  cmd: 0x41,
  name: "Get SEL Allocation Info",
  privilege: "user",
  request: empty,
  response: allocationInfo,
});

export const reserveSel = command({
  netFn: NF,
  cmd: 0x42,
  name: "Reserve SEL",
  privilege: "user",
  completionCodes: { [CC_SEL_ERASE_IN_PROGRESS]: SEL_ERASE_IN_PROGRESS },
  request: empty,
  response: reservationResponse,
});

export const getSelEntry = command({
  netFn: NF,
  cmd: 0x43,
  name: "Get SEL Entry",
  privilege: "user",
  completionCodes: { [CC_SEL_ERASE_IN_PROGRESS]: SEL_ERASE_IN_PROGRESS },
  request: getRecordRequest,
  response: struct({ next: u16("Next record ID", nextRecordId), data: recordData("SEL") }),
});

const recordIdResponse = struct({ recordId: u16("Record ID", h16) });

export const addSelEntry = command({
  netFn: NF,
  cmd: 0x44,
  name: "Add SEL Entry",
  privilege: "operator",
  completionCodes: {
    [CC_SEL_RECORD_TYPE_UNSUPPORTED]: RECORD_TYPE_UNSUPPORTED,
    [CC_SEL_ERASE_IN_PROGRESS]: SEL_ERASE_IN_PROGRESS,
  },
  // 31.6: the record as table 32-1 lays it out; the SEL assigns the id (and the timestamp).
  request: selRecord,
  response: recordIdResponse,
});

export const deleteSelEntry = command({
  netFn: NF,
  cmd: 0x46,
  name: "Delete SEL Entry",
  privilege: "operator",
  completionCodes: {
    [CC_SEL_RECORD_TYPE_UNSUPPORTED]: RECORD_TYPE_UNSUPPORTED,
    [CC_SEL_ERASE_IN_PROGRESS]: SEL_ERASE_IN_PROGRESS,
  },
  request: struct({
    reservation: u16("Reservation ID", reservationId),
    recordId: u16("Record ID", requestedRecordId),
  }),
  response: recordIdResponse,
});

export const clearSel = command({
  netFn: NF,
  cmd: 0x47,
  name: "Clear SEL",
  privilege: "operator",
  request: struct({
    reservation: u16("Reservation ID", reservationId),
    confirmation,
    action: u8("Action", (v) => {
      if (v === CLEAR_ACTION.INITIATE) return "AAh (initiate erase)";
      if (v === CLEAR_ACTION.GET_STATUS) return "00h (get erasure status)";
      return `${hexByte(v)} (reserved)`;
    }),
  }),
  response: struct({ progress: erasureProgress }),
});

export const getSelTime = command({
  netFn: NF,
  cmd: 0x48,
  name: "Get SEL Time",
  privilege: "user",
  request: empty,
  response: time,
});

export const setSelTime = command({
  netFn: NF,
  cmd: 0x49,
  name: "Set SEL Time",
  privilege: "operator",
  request: time,
  response: empty,
});

/** 31.11a: minutes from UTC, a signed 16-bit count; 07FFh means unspecified. */
const utcOffset = struct({
  offset: u16("UTC offset", (v) => {
    if (v === 0x07ff) return "07FFh (unspecified)";
    const minutes = v & 0x8000 ? v - 0x10000 : v;
    return `${minutes} minutes`;
  }),
});

export const getSelTimeUtcOffset = command({
  netFn: NF,
  cmd: 0x5c,
  name: "Get SEL Time UTC Offset",
  privilege: "user",
  request: empty,
  response: utcOffset,
});

export const setSelTimeUtcOffset = command({
  netFn: NF,
  cmd: 0x5d,
  name: "Set SEL Time UTC Offset",
  privilege: "admin",
  request: utcOffset,
  response: empty,
});

// ---- the netfn's table ---------------------------------------------------------------------------

export const STORAGE_COMMANDS: readonly Command[] = [
  // FRU Device Commands
  getFruInventoryAreaInfo,
  readFruData,
  writeFruData,
  // SDR Device Commands
  getSdrRepositoryInfo,
  getSdrRepositoryAllocationInfo,
  reserveSdrRepository,
  getSdr,
  named({ netFn: NF, cmd: 0x24, name: "Add SDR", privilege: "operator" }),
  named({ netFn: NF, cmd: 0x25, name: "Partial Add SDR", privilege: "operator" }),
  named({ netFn: NF, cmd: 0x26, name: "Delete SDR", privilege: "operator" }),
  named({ netFn: NF, cmd: 0x27, name: "Clear SDR Repository", privilege: "operator" }),
  getSdrRepositoryTime,
  setSdrRepositoryTime,
  named({ netFn: NF, cmd: 0x2a, name: "Enter SDR Repository Update Mode", privilege: "operator" }),
  named({ netFn: NF, cmd: 0x2b, name: "Exit SDR Repository Update Mode", privilege: "operator" }),
  named({ netFn: NF, cmd: 0x2c, name: "Run Initialization Agent", privilege: "operator" }),
  // SEL Device Commands
  getSelInfo,
  getSelAllocationInfo,
  reserveSel,
  getSelEntry,
  addSelEntry,
  named({
    netFn: NF,
    cmd: 0x45,
    name: "Partial Add SEL Entry",
    privilege: "operator",
    completionCodes: {
      [CC_SEL_RECORD_LENGTH_MISMATCH]:
        "Record rejected due to mismatch between record length in header data and number of bytes written",
      [CC_SEL_ERASE_IN_PROGRESS]: SEL_ERASE_IN_PROGRESS,
    },
  }),
  deleteSelEntry,
  clearSel,
  getSelTime,
  setSelTime,
  named({ netFn: NF, cmd: 0x5a, name: "Get Auxiliary Log Status", privilege: "user" }),
  named({ netFn: NF, cmd: 0x5b, name: "Set Auxiliary Log Status", privilege: "operator" }),
  getSelTimeUtcOffset,
  setSelTimeUtcOffset,
];
