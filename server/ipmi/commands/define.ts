/**
 * What the command table says of one command: its key (netfn, [group body code], cmd),
 * the spec's name (IPMI 2.0 Appendix G, table G-1), the privilege it needs and the
 * channels it may arrive on, its own completion codes, and, for the commands this product
 * knows field by field, its request and response layouts. Handler ids and descriptions,
 * the dashboard's decoding, length checks, privilege checks and tests derive from it.
 */
import type { Codec } from "../layout/codec";
import { type Layout, layout } from "../layout/layout";
import { NETFN, requestNetFn } from "../netfn";

/**
 * Privilege a session needs for the command (table G-1; the spec's privilege levels,
 * section 6.8). "none": allowed without a session (the session set-up commands, Get
 * Channel Cipher Suites, PET Acknowledge).
 */
export type Privilege = "none" | "callback" | "user" | "operator" | "admin";

/** Privileges in increasing order: a session at one level may use every command at it or below. */
export const PRIVILEGE_ORDER: readonly Privilege[] = ["none", "callback", "user", "operator", "admin"];

/** Where a request came from: the host's system interface (BT, KCS, SSIF), the LAN, or IPMB. */
export type ChannelKind = "system" | "lan" | "ipmb";

export const ALL_CHANNELS: readonly ChannelKind[] = ["system", "lan", "ipmb"];

interface CommandBase {
  readonly netFn: number;
  readonly cmd: number;
  /** Group extension (2Ch) body code. */
  readonly group?: number;
  /** The spec's name, its quirks kept ("Get Channel Info Command"). */
  readonly name: string;
  readonly privilege: Privilege;
  /** Channel kinds it is allowed on; table G-1's "system interface only" commands list just "system". */
  readonly channels?: readonly ChannelKind[];
  /** The completion codes this command defines for itself (80h-BEh), with the spec's meaning. */
  readonly completionCodes?: Readonly<Record<number, string>>;
}

/** A command the table knows by name only: its bytes show as hex. */
export interface NamedCommandSpec extends CommandBase {
  readonly request?: undefined;
  readonly response?: undefined;
}

export interface LaidOutCommandSpec<Req, ReqIn, Res, ResIn> extends CommandBase {
  readonly request: Codec<Req, ReqIn>;
  readonly response: Codec<Res, ResIn>;
}

export interface Command {
  readonly netFn: number;
  readonly cmd: number;
  readonly group: number | undefined;
  readonly name: string;
  /** Stable id, derived from netfn and name: "app.get-device-id". Persisted handler switches use it. */
  readonly id: string;
  readonly privilege: Privilege;
  readonly channels: readonly ChannelKind[];
  readonly completionCodes: Readonly<Record<number, string>>;
  readonly request: Layout<unknown, never> | undefined;
  readonly response: Layout<unknown, never> | undefined;
}

export interface LaidOutCommand<Req = unknown, ReqIn = Req, Res = unknown, ResIn = Res> extends Command {
  readonly request: Layout<Req, ReqIn>;
  readonly response: Layout<Res, ResIn>;
}

const ID_PREFIX: Readonly<Record<number, string>> = {
  [NETFN.CHASSIS]: "chassis",
  [NETFN.BRIDGE]: "bridge",
  [NETFN.SENSOR_EVENT]: "sensor",
  [NETFN.APP]: "app",
  [NETFN.FIRMWARE]: "firmware",
  [NETFN.STORAGE]: "storage",
  [NETFN.TRANSPORT]: "transport",
  [NETFN.GROUP_EXTENSION]: "group",
};

/** "Get Channel Info Command" -> "get-channel-info": table G-1 appends "Command" to a few names. */
export function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/ command$/, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** The handler id of a command: netfn prefix (DCMI's body code as "dcmi") and the name's slug. */
export function commandId(netFn: number, name: string, group?: number): string {
  const rq = requestNetFn(netFn);
  const prefix = rq === NETFN.GROUP_EXTENSION && group === 0xdc ? "dcmi" : (ID_PREFIX[rq] ?? `netfn-${rq}`);
  return `${prefix}.${slug(name)}`;
}

function base(spec: CommandBase): Omit<Command, "request" | "response"> {
  return {
    netFn: requestNetFn(spec.netFn),
    cmd: spec.cmd,
    group: spec.group,
    name: spec.name,
    id: commandId(spec.netFn, spec.name, spec.group),
    privilege: spec.privilege,
    channels: spec.channels ?? ALL_CHANNELS,
    completionCodes: spec.completionCodes ?? {},
  };
}

/** A command with its request and response layouts. */
export function command<Req, ReqIn, Res, ResIn>(
  spec: LaidOutCommandSpec<Req, ReqIn, Res, ResIn>,
): LaidOutCommand<Req, ReqIn, Res, ResIn> {
  return { ...base(spec), request: layout(spec.request), response: layout(spec.response) };
}

/** A command known by name, privilege and channels only. */
export function named(spec: NamedCommandSpec): Command {
  return { ...base(spec), request: undefined, response: undefined };
}

export function isLaidOut(c: Command): c is LaidOutCommand {
  return c.request !== undefined && c.response !== undefined;
}

/** The typed request a command's handler receives. */
export type RequestOf<C> =
  C extends LaidOutCommand<infer Req, infer _ReqIn, infer _Res, infer _ResIn> ? Req : never;
/** The typed response a command's handler returns. */
export type ResponseOf<C> =
  C extends LaidOutCommand<infer _Req, infer _ReqIn, infer _Res, infer ResIn> ? ResIn : never;
