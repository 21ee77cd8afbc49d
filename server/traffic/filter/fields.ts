/**
 * The fields a filter can name: what each is called, which Exchange property and table
 * column it reads, its type, which operators it takes, and how a written value becomes
 * a value of that type (numbers with units, netfn and command names, times, hex bytes).
 */
import {
  EXCHANGE_STATUSES,
  type Exchange,
  type RemoteExchange,
  SESSION_PAYLOAD_NAMES,
} from "../../contract/exchange";
import { COMMANDS, PRIVILEGE_ORDER } from "../../ipmi/commands";
import { NETFN, netFnName } from "../../ipmi/netfn";
import type { BusKind } from "../../router/types";
import { FilterSyntaxError, type Token } from "./lexer";

export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=" | "contains" | "startswith";

/**
 * number: integers (decimal or 0x hex); time: ms since the epoch or an ISO 8601 date;
 * latency: a number with unit us/ms/s (bare = µs); netfn: a number or a netfn name;
 * cmd: a number or a command name; string: text; text: text searched with contains only;
 * bytes: hex bytes.
 */
export type FieldType = "number" | "time" | "latency" | "netfn" | "cmd" | "string" | "text" | "bytes";

export type FieldValue = number | string | Uint8Array | null;

export interface FieldDef {
  /** The canonical name, as the AST and the docs spell it. */
  readonly name: string;
  readonly type: FieldType;
  /** The Exchange table's column (a constant, never user input). */
  readonly column: string;
  readonly nullable: boolean;
  readonly get: (x: Exchange) => FieldValue;
  /** The values an enumerated string field can hold; == and != check against them. */
  readonly values?: readonly string[];
  /**
   * Not a column: every row of the local log has one value (the node's name), so the SQL
   * compiler folds a comparison with it into a constant.
   */
  readonly constant?: () => string;
}

/**
 * This node's name (NODE_NAME), for the `node` field: the local log's rows and live
 * exchanges without a `node` of their own are this node's. Set once at start (main.ts).
 */
let localNodeName = "local";

export function setLocalNodeName(name: string): void {
  localNodeName = name;
}

export function getLocalNodeName(): string {
  return localNodeName;
}

const BUS_KINDS = ["bt", "kcs", "ssif", "lan", "ipmb", "inject"] as const satisfies readonly BusKind[];

const FIELD_LIST: readonly FieldDef[] = [
  { name: "id", type: "number", column: "id", nullable: false, get: (x) => x.id },
  { name: "time", type: "time", column: "receivedAt", nullable: false, get: (x) => x.receivedAt },
  { name: "bus", type: "string", column: "busId", nullable: false, get: (x) => x.busId },
  {
    name: "kind",
    type: "string",
    column: "busKind",
    nullable: false,
    get: (x) => x.busKind,
    values: BUS_KINDS,
  },
  {
    name: "origin",
    type: "string",
    column: "origin",
    nullable: false,
    get: (x) => x.origin,
    values: ["host", "injected", "replay", "bridged"],
  },
  { name: "netfn", type: "netfn", column: "netFn", nullable: true, get: (x) => x.netFn },
  { name: "cmd", type: "cmd", column: "cmd", nullable: true, get: (x) => x.cmd },
  { name: "cc", type: "number", column: "cc", nullable: true, get: (x) => x.cc },
  { name: "seq", type: "number", column: "seq", nullable: true, get: (x) => x.seq },
  { name: "lun", type: "number", column: "lun", nullable: true, get: (x) => x.lun },
  { name: "latency", type: "latency", column: "latencyUs", nullable: true, get: (x) => x.latencyUs },
  {
    name: "status",
    type: "string",
    column: "status",
    nullable: false,
    get: (x) => x.status,
    values: EXCHANGE_STATUSES,
  },
  { name: "handler", type: "string", column: "handlerId", nullable: true, get: (x) => x.handlerId },
  { name: "rule", type: "number", column: "ruleId", nullable: true, get: (x) => x.ruleId },
  { name: "related", type: "number", column: "relatedId", nullable: true, get: (x) => x.relatedId },
  { name: "user", type: "string", column: "user", nullable: true, get: (x) => x.user },
  { name: "address", type: "string", column: "peer", nullable: true, get: (x) => x.peer },
  {
    name: "privilege",
    type: "string",
    column: "privilege",
    nullable: true,
    get: (x) => x.privilege,
    values: PRIVILEGE_ORDER,
  },
  { name: "session", type: "number", column: "sessionId", nullable: true, get: (x) => x.sessionId },
  {
    name: "payload",
    type: "string",
    column: "payload",
    nullable: true,
    get: (x) => x.payload,
    values: Object.keys(SESSION_PAYLOAD_NAMES),
  },
  { name: "note", type: "text", column: "note", nullable: true, get: (x) => x.note },
  { name: "data", type: "bytes", column: "request", nullable: false, get: (x) => x.request },
  { name: "response", type: "bytes", column: "response", nullable: true, get: (x) => x.response },
  { name: "frame", type: "bytes", column: "frame", nullable: true, get: (x) => x.frame },
  {
    name: "node",
    type: "string",
    column: "node",
    nullable: false,
    // Another node's records carry their name (RemoteExchange); the local log's are this node's.
    get: (x: RemoteExchange) => x.node ?? localNodeName,
    constant: () => localNodeName,
  },
];

export const FIELDS: ReadonlyMap<string, FieldDef> = new Map(FIELD_LIST.map((f) => [f.name, f]));

const ALIASES: Readonly<Record<string, string>> = { request: "data", peer: "address" };

/** The field a name (any case, or an alias such as `request`, `peer`) stands for. */
export function fieldNamed(name: string): FieldDef | undefined {
  const lower = name.toLowerCase();
  return FIELDS.get(ALIASES[lower] ?? lower);
}

export const FIELD_NAMES: readonly string[] = [...FIELD_LIST.map((f) => f.name), ...Object.keys(ALIASES)];

const ORDERED: readonly CompareOp[] = ["==", "!=", "<", "<=", ">", ">="];

/** The operators a field type takes. */
export const OPERATORS: Readonly<Record<FieldType, readonly CompareOp[]>> = {
  number: ORDERED,
  time: ORDERED,
  latency: ORDERED,
  netfn: ORDERED,
  cmd: ORDERED,
  string: ["==", "!=", "contains", "startswith"],
  text: ["contains", "startswith"],
  bytes: ["==", "!=", "contains", "startswith"],
};

export const TYPE_NAMES: Readonly<Record<FieldType, string>> = {
  number: "a number",
  time: "a time",
  latency: "a duration",
  netfn: "a netfn",
  cmd: "a command",
  string: "text",
  text: "text",
  bytes: "bytes",
};

/** A command a name stands for; `group` (netfn 2Ch) is the request's first data byte. */
export interface CommandPair {
  netFn: number;
  cmd: number;
  group?: number;
}

/** A resolved comparison value. */
export type FilterValue =
  | { kind: "number"; value: number }
  | { kind: "string"; value: string }
  | { kind: "bytes"; value: Uint8Array }
  | { kind: "null" }
  | { kind: "commands"; name: string; commands: CommandPair[] };

/** Lower case, letters and digits only: "Sensor/Event", "SENSOR_EVENT" and "sensor event" are one name. */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, "");
}

const NETFN_BY_NAME: ReadonlyMap<string, number> = (() => {
  const map = new Map<string, number>();
  for (const [key, value] of Object.entries(NETFN)) {
    map.set(normalize(key), value);
    map.set(normalize(netFnName(value)), value);
  }
  return map;
})();

const COMMANDS_BY_NAME: ReadonlyMap<string, CommandPair[]> = (() => {
  const map = new Map<string, CommandPair[]>();
  for (const c of COMMANDS) {
    const key = normalize(c.name);
    const list = map.get(key) ?? [];
    list.push(
      c.group === undefined ? { netFn: c.netFn, cmd: c.cmd } : { netFn: c.netFn, cmd: c.cmd, group: c.group },
    );
    map.set(key, list);
  }
  return map;
})();

/** The commands of the table with this name (ignoring case, spaces and punctuation). */
export function commandsNamed(name: string): CommandPair[] | undefined {
  return COMMANDS_BY_NAME.get(normalize(name));
}

/** A decimal or 0x hex integer, or undefined when the text is not one. */
export function parseInteger(text: string): number | undefined {
  if (/^0x[0-9a-f]+$/i.test(text)) return Number.parseInt(text.slice(2), 16);
  if (/^[0-9]+$/.test(text)) return Number.parseInt(text, 10);
  return undefined;
}

function integer(token: Token): number {
  const n = parseInteger(token.text);
  if (token.kind !== "word" || n === undefined) {
    throw new FilterSyntaxError(`expected a number (decimal or 0x hex), got '${token.text}'`, token.position);
  }
  if (!Number.isSafeInteger(n))
    throw new FilterSyntaxError(`number too large: ${token.text}`, token.position);
  return n;
}

const UNIT_US: Readonly<Record<string, number>> = { us: 1, ms: 1000, s: 1_000_000 };
export const LATENCY_UNITS = Object.keys(UNIT_US);

/** A duration in µs: "2ms", "1.5s", "250us", "0x10" (bare = µs); `unit` is a separate unit word, if any. */
function latency(token: Token, unit: Token | undefined): number {
  const m = token.kind === "word" ? /^([0-9]+(?:\.[0-9]+)?|0x[0-9a-f]+)([a-z]*)$/i.exec(token.text) : null;
  if (!m) {
    throw new FilterSyntaxError(
      `expected a duration such as 500us, 2ms or 1.5s, got '${token.text}'`,
      token.position,
    );
  }
  const written = (m[2] ?? "").toLowerCase();
  const unitText = written === "" ? (unit?.text.toLowerCase() ?? "us") : written;
  const factor = UNIT_US[unitText];
  if (factor === undefined) {
    throw new FilterSyntaxError(
      `unknown unit '${unitText}' (use us, ms or s)`,
      unit?.position ?? token.position,
    );
  }
  const n = /^0x/i.test(m[1]!) ? Number.parseInt(m[1]!.slice(2), 16) : Number(m[1]);
  const us = n * factor;
  if (!Number.isFinite(us) || us > Number.MAX_SAFE_INTEGER) {
    throw new FilterSyntaxError(`duration too large: ${token.text}`, token.position);
  }
  return us;
}

/** ms since the epoch (a number) or an ISO 8601 date; a date with a time needs its zone. */
function time(token: Token): number {
  if (token.kind === "word" && /^[0-9]+(\.[0-9]+)?$/.test(token.text)) return Number(token.text);
  const text = token.text;
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/i;
  const ms = iso.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    const hint = /^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(text) ? " (give the time zone: Z or +hh:mm)" : "";
    throw new FilterSyntaxError(
      `expected a time: an ISO 8601 date such as "2026-12-02T10:00:00Z" or ms since the epoch, got '${text}'${hint}`,
      token.position,
    );
  }
  return ms;
}

/** One word of hex bytes: "2001", "0x20", "0x1". */
function hexWord(text: string, position: number): number[] {
  const prefixed = /^0x/i.test(text);
  let digits = prefixed ? text.slice(2) : text;
  if (digits === "" || !/^[0-9a-f]+$/i.test(digits))
    throw new FilterSyntaxError(`bad hex '${text}'`, position);
  if (digits.length % 2 === 1) {
    if (prefixed && digits.length === 1) digits = `0${digits}`;
    else throw new FilterSyntaxError(`bad hex '${text}': odd number of digits`, position);
  }
  const out: number[] = [];
  for (let i = 0; i < digits.length; i += 2) out.push(Number.parseInt(digits.slice(i, i + 2), 16));
  return out;
}

/** Whether a word can be (part of) hex bytes. */
export function looksLikeHex(text: string): boolean {
  return /^(0x)?[0-9a-f]+$/i.test(text);
}

/** Hex bytes from the words after the operator, or from one quoted string ("20 01"). */
export function bytesValue(tokens: readonly Token[]): Uint8Array {
  const out: number[] = [];
  for (const token of tokens) {
    if (token.kind === "string") {
      const re = /\S+/g;
      for (let m = re.exec(token.text); m !== null; m = re.exec(token.text)) {
        out.push(...hexWord(m[0], token.position + 1 + m.index));
      }
    } else {
      out.push(...hexWord(token.text, token.position));
    }
  }
  return Uint8Array.from(out);
}

/** The value a token stands for, compared with a field of this type (bytes: see bytesValue). */
export function scalarValue(field: FieldDef, op: CompareOp, token: Token, unit?: Token): FilterValue {
  switch (field.type) {
    case "number":
      return { kind: "number", value: integer(token) };
    case "time":
      return { kind: "number", value: time(token) };
    case "latency":
      return { kind: "number", value: latency(token, unit) };
    case "netfn": {
      if (token.kind === "word" && parseInteger(token.text) !== undefined) {
        return { kind: "number", value: integer(token) };
      }
      const n = NETFN_BY_NAME.get(normalize(token.text));
      if (n === undefined) {
        throw new FilterSyntaxError(
          `unknown netfn name '${token.text}' (use a number or one of ${[...new Set(Object.values(NETFN).map(netFnName))].join(", ")})`,
          token.position,
        );
      }
      return { kind: "number", value: n };
    }
    case "cmd": {
      if (token.kind === "word" && parseInteger(token.text) !== undefined) {
        return { kind: "number", value: integer(token) };
      }
      const commands = commandsNamed(token.text);
      if (commands === undefined)
        throw new FilterSyntaxError(`unknown command name '${token.text}'`, token.position);
      if (op !== "==" && op !== "!=") {
        throw new FilterSyntaxError(`a command name compares with == or != only, not ${op}`, token.position);
      }
      return { kind: "commands", name: token.text, commands };
    }
    case "string":
    case "text": {
      const values = field.values;
      if (values !== undefined && (op === "==" || op === "!=") && !values.includes(token.text)) {
        throw new FilterSyntaxError(
          `unknown ${field.name} '${token.text}' (one of ${values.join(", ")})`,
          token.position,
        );
      }
      return { kind: "string", value: token.text };
    }
    case "bytes":
      return { kind: "bytes", value: bytesValue([token]) };
  }
}
