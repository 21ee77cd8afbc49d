/**
 * What decoding makes of a command's request or response data: named fields, for the
 * dashboard's detail pane, the held-request editor and exports. Pure data; no React here.
 */

export interface DecodedField {
  /** The spec's name of the field ("Firmware revision", "Record ID"). */
  name: string;
  /** For people: "1.00", "Temperature (01h)", "2024-05-01T12:00:00Z". */
  value: string;
  /** Hex of the bytes the field came from ("01 00"); absent for bits of a byte and for notes. */
  raw?: string;
  /** Sub-fields: the bits of a flags byte, the fields of a record. */
  children?: DecodedField[];
}

/** The field names decoding uses for what did not fit the layout. */
export const TRUNCATED = "(truncated)";
export const EXTRA = "(extra)";
export const PARTIAL = "(partial read)";
