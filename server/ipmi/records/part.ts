/**
 * The record part of a Get SEL Entry (31.5) / Get SDR (33.12) / Get Device SDR (35.4)
 * response: which part of a record it holds depends on the request, so the dashboard shows
 * it as a whole record, the beginning of one (a partial read), or bytes from inside one.
 */
import { toHex } from "../hex";
import { type DecodedField, PARTIAL, TRUNCATED } from "../layout/decoded";
import { field } from "../layout/format";
import { decodeSdrRecord, SDR_HEADER_LENGTH } from "./sdr";
import { decodeSelRecord, SEL_RECORD_LENGTH } from "./sel";

/** The record field of a Get SEL Entry / Get SDR response, with a one-line summary. */
function recordField(name: string, b: Uint8Array, children: DecodedField[], summary: string): DecodedField {
  return field(name, { value: summary, children }, toHex(b));
}

function fieldValue(fields: DecodedField[], name: string): string | undefined {
  return fields.find((f) => f.name === name)?.value;
}

/** A record read in part: the missing bytes were not asked for, so they are not "truncated". */
function markPartial(fields: DecodedField[], read: number, total: number | undefined): DecodedField[] {
  return fields.map((f) =>
    f.name === TRUNCATED
      ? {
          name: PARTIAL,
          value: total === undefined ? `${read} bytes read` : `${read} of ${total} bytes read`,
        }
      : f,
  );
}

/**
 * The record part of a Get SEL Entry / Get SDR response. `offset` and `toRead` come from
 * the request when it is known: a read from a non-zero offset is shown as bytes, and a
 * read of fewer bytes than the record has is a partial read, not a truncated one.
 */
export function recordPart(
  kind: "SEL" | "SDR",
  b: Uint8Array,
  offset: number,
  toRead: number,
): DecodedField | undefined {
  if (b.length === 0) return undefined;
  if (offset > 0) {
    return {
      name: "Record data",
      value: `bytes ${offset}-${offset + b.length - 1} of the record`,
      raw: toHex(b),
    };
  }
  if (kind === "SEL") {
    let fields = decodeSelRecord(b);
    if (toRead !== 0xff && b.length === toRead && toRead < SEL_RECORD_LENGTH) {
      fields = markPartial(fields, b.length, SEL_RECORD_LENGTH);
    }
    const type = fieldValue(fields, "Record type");
    const sensor = fieldValue(fields, "Sensor type");
    return recordField("Record", b, fields, [type, sensor].filter(Boolean).join(", ") || "SEL record");
  }
  let fields = decodeSdrRecord(b);
  // Byte 5 of the header is the number of bytes after it.
  const total = b.length >= SDR_HEADER_LENGTH ? SDR_HEADER_LENGTH + b[4]! : undefined;
  if (toRead !== 0xff && b.length === toRead && (total === undefined || toRead < total)) {
    fields = markPartial(fields, b.length, total);
  }
  const type = fieldValue(fields, "Record type");
  const id = fieldValue(fields, "ID string");
  return recordField(
    "Record",
    b,
    fields,
    [type, id === undefined ? undefined : `"${id}"`].filter(Boolean).join(", ") || "SDR record",
  );
}
