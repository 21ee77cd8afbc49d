/**
 * How much of a record one read answers: Get SDR (33.12), Get SEL Entry (31.5) and Read
 * FRU Data (34.2) return part of a record or device per request.
 */

/**
 * Most record bytes one Get SDR, Get SEL Entry or Read FRU Data answers; more is CAh
 * ("cannot return number of requested data bytes"), and ipmitool then asks for less.
 * It keeps every response within a BT frame (251 data bytes) with room to spare.
 */
export const MAX_READ_BYTES = 240;

/** Get SDR / Get SEL Entry "bytes to read" value for the whole record. */
export const READ_ENTIRE_RECORD = 0xff;

/**
 * The bytes a Get SDR or Get SEL Entry asks for from `offset` (which the caller has
 * checked is inside the record): FFh reads to the end, a count past the end what there is.
 */
export function readPart(record: Uint8Array, offset: number, count: number): Uint8Array {
  return count === READ_ENTIRE_RECORD ? record.subarray(offset) : record.subarray(offset, offset + count);
}
