/**
 * The command table: the one place that knows a command. Every (netfn, [group], cmd) of
 * IPMI 2.0 table G-1 and DCMI 1.5 with its name, privilege and channels, and, for the
 * commands this product answers or decodes, its request and response layouts.
 * Names, handler ids, the dashboard's field tree and privilege checks derive from here.
 */
import { hexByte } from "../hex";
import type { DecodedField } from "../layout/decoded";
import { NETFN, requestNetFn } from "../netfn";
import { APP_COMMANDS } from "./app";
import { BRIDGE_COMMANDS } from "./bridge";
import { CHASSIS_COMMANDS } from "./chassis";
import { DCMI_COMMANDS, DCMI_GROUP } from "./dcmi";
import type { Command } from "./define";
import { SENSOR_EVENT_COMMANDS } from "./sensor-event";
import { STORAGE_COMMANDS } from "./storage";
import { TRANSPORT_COMMANDS } from "./transport";

export type { DecodedField } from "../layout/decoded";
export { EXTRA, PARTIAL, TRUNCATED } from "../layout/decoded";
export type {
  ChannelKind,
  Command,
  LaidOutCommand,
  Privilege,
} from "./define";
export { ALL_CHANNELS, commandId, isLaidOut, PRIVILEGE_ORDER } from "./define";
export { DCMI_GROUP };

/** Every command of the table, in netfn then command order. */
export const COMMANDS: readonly Command[] = [
  ...CHASSIS_COMMANDS,
  ...BRIDGE_COMMANDS,
  ...SENSOR_EVENT_COMMANDS,
  ...APP_COMMANDS,
  ...STORAGE_COMMANDS,
  ...TRANSPORT_COMMANDS,
  ...DCMI_COMMANDS,
];

/** Key of a command: request netfn, group body code (2Ch only) and cmd. */
function key(netFn: number, cmd: number, group: number | undefined): number {
  const rq = requestNetFn(netFn);
  return rq === NETFN.GROUP_EXTENSION ? (rq << 16) | ((group ?? 0x100) << 8) | cmd : (rq << 16) | cmd;
}

const BY_KEY: ReadonlyMap<number, Command> = (() => {
  const map = new Map<number, Command>();
  for (const c of COMMANDS) {
    const k = key(c.netFn, c.cmd, c.group);
    const twin = map.get(k);
    if (twin) throw new Error(`command table: ${c.name} and ${twin.name} share one key`);
    map.set(k, c);
  }
  return map;
})();

const BY_NAME: ReadonlyMap<string, Command> = new Map(COMMANDS.map((c) => [c.name.toLowerCase(), c]));
const BY_ID: ReadonlyMap<string, Command> = new Map(COMMANDS.map((c) => [c.id, c]));

/** The table's entry for a command; `netFn` may be the request or the response netfn. */
export function commandAt(netFn: number, cmd: number, group?: number): Command | undefined {
  return BY_KEY.get(key(netFn, cmd, group));
}

export function commandById(id: string): Command | undefined {
  return BY_ID.get(id);
}

/** The spec's name of a command. `group` is the body code and only matters for netfn 2Ch. */
export function commandName(netFn: number, cmd: number, group?: number): string | undefined {
  return commandAt(netFn, cmd, group)?.name;
}

/** The command's name, or "Cmd 5Ah" when it has none. */
export function commandLabel(netFn: number, cmd: number, group?: number): string {
  return commandName(netFn, cmd, group) ?? `Cmd ${hexByte(cmd)}`;
}

export interface CommandEntry {
  cmd: number;
  name: string;
}

export interface CommandRef {
  netFn: number;
  cmd: number;
  /** Body code, only for group extension (2Ch) commands. */
  group?: number;
}

const LISTS: ReadonlyMap<number, ReadonlyArray<CommandEntry>> = (() => {
  const lists = new Map<number, CommandEntry[]>();
  for (const c of COMMANDS) {
    const k = key(c.netFn, 0, c.group);
    const list = lists.get(k) ?? [];
    list.push(Object.freeze({ cmd: c.cmd, name: c.name }));
    lists.set(k, list);
  }
  return new Map([...lists].map(([k, list]) => [k, Object.freeze(list.sort((a, b) => a.cmd - b.cmd))]));
})();

const NONE: ReadonlyArray<CommandEntry> = Object.freeze([]);

/** The named commands of a netfn (and, for 2Ch, of a body code), sorted by command number. */
export function commandsOf(netFn: number, group?: number): ReadonlyArray<CommandEntry> {
  if (requestNetFn(netFn) === NETFN.GROUP_EXTENSION && group === undefined) return NONE;
  return LISTS.get(key(netFn, 0, group)) ?? NONE;
}

/** Looks a command up by its exact name, ignoring case. */
export function findCommand(name: string): Readonly<CommandRef> | undefined {
  const c = BY_NAME.get(name.toLowerCase());
  if (!c) return undefined;
  return c.group === undefined
    ? { netFn: c.netFn, cmd: c.cmd }
    : { netFn: c.netFn, cmd: c.cmd, group: c.group };
}

/** Whether the table has a layout for the command (request or response netfn). */
export function hasDecoder(netFn: number, cmd: number, group?: number): boolean {
  const c = commandAt(netFn, cmd, group);
  return c?.request !== undefined || c?.response !== undefined;
}

/** The commands with layouts, as [request netfn, cmd] pairs, sorted. */
export function decodedCommands(): Array<[netFn: number, cmd: number]> {
  return COMMANDS.filter((c) => hasDecoder(c.netFn, c.cmd, c.group) && c.group === undefined)
    .map((c): [number, number] => [c.netFn, c.cmd])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}

/**
 * The request data's fields, or undefined when the table has no layout for the command.
 * For 2Ch, `data` starts after the body code.
 */
export function decodeRequest(
  netFn: number,
  cmd: number,
  data: Uint8Array,
  group?: number,
): DecodedField[] | undefined {
  return commandAt(netFn, cmd, group)?.request?.decode(data);
}

/**
 * The response data's fields (the bytes after the completion code), or undefined when
 * there is no layout. For a completion code other than 00h the data is not decoded: the
 * result is the code's name when the command defines it (80h-BEh), else undefined.
 * `request`, when given, lets Get SDR / Get SEL Entry tell a partial read from a truncated one.
 */
export function decodeResponse(
  netFn: number,
  cmd: number,
  cc: number,
  data: Uint8Array,
  request?: Uint8Array,
  group?: number,
): DecodedField[] | undefined {
  const c = commandAt(netFn, cmd, group);
  if (c === undefined) return undefined;
  if (cc !== 0x00) {
    const name = c.completionCodes[cc];
    return name === undefined ? undefined : [{ name: "Completion code", value: `${hexByte(cc)} ${name}` }];
  }
  return c.response?.decode(data, request === undefined ? {} : { request });
}
