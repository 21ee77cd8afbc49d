/**
 * Storage (NetFn 0Ah) command decoders: IPMI 2.0 rev 1.1 sections 34 (FRU inventory),
 * 33 (SDR repository) and 31 (SEL).
 */
import { hexByte } from "../hex";
import {
  ascii,
  type BitName,
  bitFields,
  type Described,
  dec,
  flags,
  h8,
  h16,
  hexText,
  noData,
  Reader,
  timestamp,
  version,
} from "./reader";
import {
  byteCount,
  bytesToRead,
  decodeSelRecord,
  nextRecordId,
  recordPart,
  requestedRecordId,
  reservationId,
} from "./records";
import type { CommandDecoders, DecodedField, DecoderTable } from "./types";

// FRU inventory (34.1-34.3) ------------------------------------------------------------

function fruDeviceId(r: Reader): void {
  r.u8("FRU device ID", h8);
}

function fruData(b: Uint8Array): Described {
  return b.length === 0 ? "none" : `${hexText(b)} "${ascii(b)}"`;
}

function getFruInventoryAreaInfoRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  fruDeviceId(r);
  return r.finish();
}

function getFruInventoryAreaInfoResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u16("FRU inventory area size", byteCount);
  r.u8("Access", (v) => (v & 1 ? "by words" : "by bytes"));
  return r.finish();
}

function readFruDataRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  fruDeviceId(r);
  r.u16("Offset", (v) => `${h16(v)} (${v})`);
  r.u8("Count to read", byteCount);
  return r.finish();
}

function readFruDataResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  const count = r.u8("Count returned", byteCount);
  if (count !== undefined) r.bytes("Data", count, fruData);
  return r.finish();
}

function writeFruDataRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  fruDeviceId(r);
  r.u16("Offset", (v) => `${h16(v)} (${v})`);
  r.bytes("Data", r.remaining, (b) => ({ value: `${byteCount(b.length)}: ${fruData(b)}` }));
  return r.finish();
}

function writeFruDataResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u8("Count written", byteCount);
  return r.finish();
}

// SDR repository (33.9-33.12) and SEL (31.2-31.11) info --------------------------------

function freeSpace(v: number): string {
  return v === 0xffff ? "FFFFh (unspecified)" : byteCount(v);
}

const SDR_SUPPORT: readonly BitName[] = [
  [7, "Overflow"],
  [3, "Delete SDR supported"],
  [2, "Partial Add SDR supported"],
  [1, "Reserve SDR Repository supported"],
  [0, "Get SDR Repository Allocation Information supported"],
];

const UPDATE_MODES = ["unspecified", "non-modal", "modal", "modal and non-modal"];

const SEL_SUPPORT: readonly BitName[] = [
  [7, "Overflow"],
  [3, "Delete SEL supported"],
  [2, "Partial Add SEL Entry supported"],
  [1, "Reserve SEL supported"],
  [0, "Get SEL Allocation Information supported"],
];

function getSdrRepositoryInfoResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u8("SDR version", (v) => `${version(v)} (${hexByte(v)})`);
  r.u16("Record count", dec);
  r.u16("Free space", freeSpace);
  r.u32("Most recent addition", timestamp);
  r.u32("Most recent erase", timestamp);
  r.u8("Operation support", (v) => ({
    value: hexByte(v),
    children: [
      ...bitFields(v, SDR_SUPPORT),
      { name: "SDR repository update", value: UPDATE_MODES[(v >> 5) & 3]! },
    ],
  }));
  return r.finish();
}

function getSelInfoResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u8("SEL version", (v) => `${version(v)} (${hexByte(v)})`);
  r.u16("Entries", dec);
  r.u16("Free space", freeSpace);
  r.u32("Most recent addition", timestamp);
  r.u32("Most recent erase", timestamp);
  r.u8("Operation support", flags(SEL_SUPPORT));
  return r.finish();
}

function allocationInfoResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u16("Possible allocation units", dec);
  r.u16("Allocation unit size", (v) => (v === 0 ? "0000h (unspecified)" : byteCount(v)));
  r.u16("Free allocation units", dec);
  r.u16("Largest free block", (v) => `${v} allocation units`);
  r.u8("Maximum record size", (v) => `${v} allocation units`);
  return r.finish();
}

function reserveResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u16("Reservation ID", h16);
  return r.finish();
}

/** Reserve SDR Repository, Reserve Device SDR Repository, Reserve SEL. */
export const RESERVE: CommandDecoders = { request: noData, response: reserveResponse };

// Get SDR (33.12), Get SEL Entry (31.5) ------------------------------------------------

function getRecordRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u16("Reservation ID", reservationId);
  r.u16("Record ID", requestedRecordId);
  r.u8("Offset into record", dec);
  r.u8("Bytes to read", bytesToRead);
  return r.finish();
}

function getRecordResponse(kind: "SEL" | "SDR") {
  return (data: Uint8Array, request?: Uint8Array): DecodedField[] => {
    const r = new Reader(data);
    r.u16("Next record ID", nextRecordId);
    const rest = r.rest();
    const part = recordPart(kind, rest, request?.[4] ?? 0, request?.[5] ?? 0xff);
    if (part !== undefined) r.add(part);
    return r.finish();
  };
}

/** Get SDR, and Get Device SDR (Sensor/Event 21h), which has the same layout. */
export const GET_SDR: CommandDecoders = { request: getRecordRequest, response: getRecordResponse("SDR") };

// SEL entries (31.6-31.9) ---------------------------------------------------------------

function recordIdResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u16("Record ID", h16);
  return r.finish();
}

function deleteSelEntryRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u16("Reservation ID", reservationId);
  r.u16("Record ID", requestedRecordId);
  return r.finish();
}

const CLR = [0x43, 0x4c, 0x52];

function clearSelRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u16("Reservation ID", reservationId);
  r.bytes("Confirmation", 3, (b) =>
    b.every((c, i) => c === CLR[i]) ? "'CLR'" : `${hexText(b)} (not 'CLR': 43 4c 52)`,
  );
  r.u8("Action", (v) => {
    if (v === 0xaa) return "AAh (initiate erase)";
    if (v === 0x00) return "00h (get erasure status)";
    return `${hexByte(v)} (reserved)`;
  });
  return r.finish();
}

function clearSelResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u8("Erasure progress", (v) => {
    const p = v & 0x0f;
    if (p === 0) return "Erasure in progress";
    if (p === 1) return "Erase completed";
    return `Reserved (${hexByte(p)})`;
  });
  return r.finish();
}

// Time (33.13, 33.14, 31.10, 31.11) and UTC offset (31.11a, 31.11b) -------------------

function time(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u32("Time", timestamp);
  return r.finish();
}

function utcOffset(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u16("UTC offset", (v) => {
    if (v === 0x07ff) return "07FFh (unspecified)";
    const minutes = v & 0x8000 ? v - 0x10000 : v;
    return `${minutes} minutes`;
  });
  return r.finish();
}

const FRU_BUSY = "FRU device busy";
const SEL_ERASE_IN_PROGRESS = "Cannot execute command, SEL erase in progress";

export const STORAGE_DECODERS: DecoderTable = {
  16: { request: getFruInventoryAreaInfoRequest, response: getFruInventoryAreaInfoResponse },
  17: {
    request: readFruDataRequest,
    response: readFruDataResponse,
    completionCodes: { 129: FRU_BUSY },
  },
  18: {
    request: writeFruDataRequest,
    response: writeFruDataResponse,
    completionCodes: { 128: "Write-protected offset", 129: FRU_BUSY },
  },
  32: { request: noData, response: getSdrRepositoryInfoResponse },
  33: { request: noData, response: allocationInfoResponse },
  34: RESERVE,
  35: GET_SDR,
  40: { request: noData, response: time },
  41: { request: time, response: noData },
  64: { request: noData, response: getSelInfoResponse },
  65: { request: noData, response: allocationInfoResponse },
  66: RESERVE,
  67: {
    request: getRecordRequest,
    response: getRecordResponse("SEL"),
    completionCodes: { 129: SEL_ERASE_IN_PROGRESS },
  },
  68: {
    request: (data) => decodeSelRecord(data),
    response: recordIdResponse,
    completionCodes: { 128: "Operation not supported for this Record Type", 129: SEL_ERASE_IN_PROGRESS },
  },
  70: {
    request: deleteSelEntryRequest,
    response: recordIdResponse,
    completionCodes: { 128: "Operation not supported for this Record Type", 129: SEL_ERASE_IN_PROGRESS },
  },
  71: { request: clearSelRequest, response: clearSelResponse },
  72: { request: noData, response: time },
  73: { request: time, response: noData },
  92: { request: noData, response: utcOffset },
  93: { request: utcOffset, response: noData },
};
