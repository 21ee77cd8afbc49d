/**
 * What a decoder makes of a command's request or response data: named fields, for
 * the dashboard's detail pane. Pure data; no React here.
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

/**
 * Decodes request or response data (the bytes after cmd, or after the completion code).
 * Never throws: too few bytes give the fields it could read plus a "(truncated)" field
 * ("N bytes missing"); bytes past the layout give an "(extra)" field with their hex.
 */
export type Decoder = (data: Uint8Array) => DecodedField[];

/**
 * A response decoder may look at the request as well: Get SDR and Get SEL Entry read a
 * record in parts, and only the request says which part a response carries.
 */
export type ResponseDecoder = (data: Uint8Array, request?: Uint8Array) => DecodedField[];

/** The decoders of one command, with its command-specific completion codes (80h-BEh). */
export interface CommandDecoders {
  request?: Decoder;
  response?: ResponseDecoder;
  /** Names of the completion codes this command defines for itself. */
  completionCodes?: Readonly<Record<number, string>>;
}

/** A netfn's decoders, keyed by command number. */
export type DecoderTable = Readonly<Record<number, CommandDecoders>>;

/** The field names the decoders use for what did not fit their layout. */
export const TRUNCATED = "(truncated)";
export const EXTRA = "(extra)";
export const PARTIAL = "(partial read)";
