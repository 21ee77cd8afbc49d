/**
 * Field-by-field decoding of IPMI request and response data for the standard commands,
 * for the dashboard's detail pane. Pure: no I/O, never throws.
 *
 * Decoders are keyed by request netfn and command; the group extension (2Ch) and OEM
 * netfns have none.
 */
import { hexByte } from "../hex";
import { NETFN, requestNetFn } from "../netfn";
import { APP_DECODERS } from "./app";
import { CHASSIS_DECODERS } from "./chassis";
import { SENSOR_EVENT_DECODERS } from "./sensor-event";
import { STORAGE_DECODERS } from "./storage";
import type { CommandDecoders, DecodedField, DecoderTable } from "./types";

export type { DecodedField, Decoder, ResponseDecoder } from "./types";
export { EXTRA, PARTIAL, TRUNCATED } from "./types";

const TABLES: ReadonlyArray<readonly [netFn: number, table: DecoderTable]> = [
  [NETFN.CHASSIS, CHASSIS_DECODERS],
  [NETFN.SENSOR_EVENT, SENSOR_EVENT_DECODERS],
  [NETFN.APP, APP_DECODERS],
  [NETFN.STORAGE, STORAGE_DECODERS],
];

function key(netFn: number, cmd: number): number {
  return (requestNetFn(netFn) << 8) | (cmd & 0xff);
}

const REGISTRY: ReadonlyMap<number, CommandDecoders> = new Map(
  TABLES.flatMap(([netFn, table]) =>
    Object.entries(table).map(([cmd, decoders]) => [key(netFn, Number(cmd)), decoders] as const),
  ),
);

/** Runs a decoder; a bug in one shows as a field rather than breaking the page. */
function safely(run: () => DecodedField[]): DecodedField[] {
  try {
    return run();
  } catch (err) {
    return [{ name: "(decoder error)", value: err instanceof Error ? err.message : String(err) }];
  }
}

/** Whether any decoder is registered for the command (request or response netfn). */
export function hasDecoder(netFn: number, cmd: number): boolean {
  return REGISTRY.has(key(netFn, cmd));
}

/** The commands with decoders, as [request netfn, cmd] pairs, sorted. */
export function decodedCommands(): Array<[netFn: number, cmd: number]> {
  return [...REGISTRY.keys()].sort((a, b) => a - b).map((k) => [k >> 8, k & 0xff]);
}

/**
 * The request data's fields, or undefined when the command has no request decoder.
 * `netFn` may be the request or the response netfn.
 */
export function decodeRequest(netFn: number, cmd: number, data: Uint8Array): DecodedField[] | undefined {
  const decoder = REGISTRY.get(key(netFn, cmd))?.request;
  return decoder === undefined ? undefined : safely(() => decoder(data));
}

/**
 * The response data's fields (the bytes after the completion code), or undefined when
 * there is no decoder. For a completion code other than 00h the data is not decoded:
 * the result is the code's name when the command defines it (80h-BEh), else undefined.
 * `request`, when given, lets Get SDR / Get SEL Entry tell a partial read from a
 * truncated one.
 */
export function decodeResponse(
  netFn: number,
  cmd: number,
  cc: number,
  data: Uint8Array,
  request?: Uint8Array,
): DecodedField[] | undefined {
  const entry = REGISTRY.get(key(netFn, cmd));
  if (entry === undefined) return undefined;
  if (cc !== 0x00) {
    const name = entry.completionCodes?.[cc];
    return name === undefined ? undefined : [{ name: "Completion code", value: `${hexByte(cc)} ${name}` }];
  }
  const decoder = entry.response;
  return decoder === undefined ? undefined : safely(() => decoder(data, request));
}
