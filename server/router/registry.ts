/**
 * Handlers registered per (netfn, cmd), or per (netfn, body code / IANA, cmd) for the
 * group-extension and OEM netfns. Two handlers must never claim the same request without
 * knowing: a second registration for a key is refused with both named, unless it states a different priority, and the registry shows who
 * shadows whom.
 */
import type { HandlerInfo } from "../contract/handlers";
import { commandLabel } from "../ipmi/commands";
import { netFnKeyKind, netFnName, requestNetFn } from "../ipmi/netfn";
import type { HandlerSpec, Privilege } from "./types";

export class RegistrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RegistrationError";
  }
}

export interface Registration {
  readonly spec: HandlerSpec<unknown>;
  readonly key: string;
  readonly priority: number;
  enabled: boolean;
  requests: number;
  errors: number;
}

const hex = (n: number, width = 2) => n.toString(16).padStart(width, "0");

export function handlerKey(netFn: number, cmd: number, group?: number): string {
  const nf = requestNetFn(netFn);
  switch (netFnKeyKind(nf)) {
    case "group":
      return `${hex(nf)}:${hex(group ?? 0)}:${hex(cmd)}`;
    case "iana":
      return `${hex(nf)}:${hex(group ?? 0, 6)}:${hex(cmd)}`;
    default:
      return `${hex(nf)}:${hex(cmd)}`;
  }
}

type Listener = (info: HandlerInfo) => void;

export class HandlerRegistry {
  /** Per key, highest priority first. */
  private readonly byKey = new Map<string, Registration[]>();
  private readonly byId = new Map<string, Registration>();
  private readonly listeners = new Set<Listener>();
  /** Enabled switches known before their handler registers (loaded from the database). */
  private readonly presetEnabled = new Map<string, boolean>();

  register<Req>(spec: HandlerSpec<Req>): Registration {
    const generic = spec as HandlerSpec<unknown>;
    if (this.byId.has(spec.id))
      throw new RegistrationError(`a handler with id '${spec.id}' is already registered`);
    validateSpec(generic);
    const key = handlerKey(spec.netFn, spec.cmd, spec.group);
    const priority = spec.priority ?? 0;
    const list = this.byKey.get(key) ?? [];
    const clash = list.find((r) => r.priority === priority);
    if (clash) {
      throw new RegistrationError(
        `handler '${spec.id}' conflicts with '${clash.spec.id}' for ${describeKey(spec.netFn, spec.cmd, spec.group)} ` +
          `(key ${key}) at priority ${priority}; register it with another priority to override or to stand behind it`,
      );
    }
    const reg: Registration = {
      spec: generic,
      key,
      priority,
      enabled: this.presetEnabled.get(spec.id) ?? true,
      requests: 0,
      errors: 0,
    };
    list.push(reg);
    list.sort((a, b) => b.priority - a.priority);
    this.byKey.set(key, list);
    this.byId.set(spec.id, reg);
    for (const r of list) this.emit(r);
    return reg;
  }

  unregister(id: string): boolean {
    const reg = this.byId.get(id);
    if (!reg) return false;
    this.byId.delete(id);
    const list = (this.byKey.get(reg.key) ?? []).filter((r) => r !== reg);
    if (list.length === 0) this.byKey.delete(reg.key);
    else this.byKey.set(reg.key, list);
    for (const r of list) this.emit(r);
    return true;
  }

  /** Applies persisted switches: to handlers already registered and to those still to come. */
  presetEnabledStates(states: ReadonlyMap<string, boolean>): void {
    for (const [id, enabled] of states) {
      this.presetEnabled.set(id, enabled);
      const reg = this.byId.get(id);
      if (reg && reg.enabled !== enabled) this.setEnabled(id, enabled);
    }
  }

  setEnabled(id: string, enabled: boolean): Registration | undefined {
    const reg = this.byId.get(id);
    if (!reg) return undefined;
    reg.enabled = enabled;
    this.presetEnabled.set(id, enabled);
    for (const r of this.byKey.get(reg.key) ?? []) this.emit(r);
    return reg;
  }

  /** The handler requests for this key go to now: the first enabled one by priority. */
  resolve(key: string): Registration | undefined {
    const list = this.byKey.get(key);
    if (!list) return undefined;
    for (const reg of list) if (reg.enabled) return reg;
    return undefined;
  }

  /** Why a key has no active handler, for the log. */
  whyUnresolved(key: string): string {
    const list = this.byKey.get(key);
    if (!list || list.length === 0) return "no handler registered";
    return `handler${list.length > 1 ? "s" : ""} ${list.map((r) => `'${r.spec.id}'`).join(", ")} disabled`;
  }

  get(id: string): Registration | undefined {
    return this.byId.get(id);
  }

  info(reg: Registration): HandlerInfo {
    const list = this.byKey.get(reg.key) ?? [];
    const index = list.indexOf(reg);
    const above = index > 0 ? list.slice(0, index).find((r) => r.enabled) : undefined;
    const { spec } = reg;
    return {
      id: spec.id,
      netFn: requestNetFn(spec.netFn),
      cmd: spec.cmd,
      group: spec.group ?? null,
      key: reg.key,
      netFnName: netFnName(spec.netFn),
      cmdName: commandLabel(spec.netFn, spec.cmd, spec.group),
      description: spec.description ?? null,
      priority: reg.priority,
      privilege: spec.privilege ?? defaultPrivilege,
      enabled: reg.enabled,
      shadowedBy: above?.spec.id ?? null,
      active: reg.enabled && above === undefined,
      requests: reg.requests,
      errors: reg.errors,
    };
  }

  list(): HandlerInfo[] {
    return [...this.byId.values()]
      .sort((a, b) => (a.key === b.key ? b.priority - a.priority : a.key < b.key ? -1 : 1))
      .map((r) => this.info(r));
  }

  /** Told of every change that alters what a handler's info says (not of request counts). */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(reg: Registration): void {
    if (this.listeners.size === 0) return;
    const info = this.info(reg);
    for (const l of this.listeners) l(info);
  }
}

const defaultPrivilege: Privilege = "admin";

function validateSpec(spec: HandlerSpec<unknown>): void {
  const { id, netFn, cmd, group } = spec;
  if (!Number.isInteger(netFn) || netFn < 0 || netFn > 0x3f || (netFn & 1) !== 0) {
    throw new RegistrationError(`handler '${id}': netFn must be an even number 00h-3Eh, got ${netFn}`);
  }
  if (!Number.isInteger(cmd) || cmd < 0 || cmd > 0xff) {
    throw new RegistrationError(`handler '${id}': cmd must be 00h-FFh, got ${cmd}`);
  }
  const kind = netFnKeyKind(netFn);
  if (kind === "none" && group !== undefined) {
    throw new RegistrationError(`handler '${id}': netFn ${hex(netFn)}h takes no group/IANA key`);
  }
  const max = kind === "group" ? 0xff : 0xffffff;
  if (kind !== "none" && (group === undefined || !Number.isInteger(group) || group < 0 || group > max)) {
    throw new RegistrationError(
      `handler '${id}': netFn ${hex(netFn)}h needs a ${kind === "group" ? "body code" : "IANA number"}`,
    );
  }
}

function describeKey(netFn: number, cmd: number, group?: number): string {
  return `${netFnName(netFn)} ${commandLabel(netFn, cmd, group)}`;
}
