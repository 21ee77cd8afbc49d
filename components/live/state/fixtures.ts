/** Contract-shaped test data for the slice tests (imported by tests only). */
import type { AuditEntryDto, HeldRequestDto, RuleDto } from "../../../server/contract/control";
import type { LiveEvent, Snapshot } from "../../../server/contract/events";
import type { ExchangeDto } from "../../../server/contract/exchange";
import type { HandlerInfo } from "../../../server/contract/handlers";
import type { LiveAction } from "./actions";

export function exchange(id: number, overrides: Partial<ExchangeDto> = {}): ExchangeDto {
  return {
    id,
    busId: "bt0",
    busKind: "bt",
    origin: "host",
    seq: id & 0x3f,
    netFn: 0x06,
    lun: 0,
    cmd: 0x01,
    request: "",
    cc: 0,
    response: "20 01",
    handlerId: "app.get-device-id",
    status: "ok",
    receivedAt: 1_700_000_000_000 + id,
    answeredAt: 1_700_000_000_001 + id,
    latencyUs: 800,
    note: null,
    frame: null,
    responseFrame: null,
    relatedId: null,
    ruleId: null,
    payload: null,
    peer: null,
    user: null,
    privilege: null,
    sessionId: null,
    ...overrides,
  };
}

export function handler(id: string, enabled = true): HandlerInfo {
  return {
    id,
    netFn: 0x06,
    cmd: 0x01,
    group: null,
    key: "06:01",
    netFnName: "App",
    cmdName: "Get Device ID",
    description: null,
    priority: 0,
    privilege: "user",
    enabled,
    shadowedBy: null,
    active: enabled,
    requests: 0,
    errors: 0,
  };
}

export function rule(id: number, position: number, overrides: Partial<RuleDto> = {}): RuleDto {
  return {
    id,
    position,
    name: `rule ${id}`,
    enabled: true,
    match: { busId: null, netFn: 6, cmd: 1, dataPrefix: null, dataMask: null },
    action: { type: "hold" },
    hits: 0,
    ...overrides,
  };
}

export function held(id: number, overrides: Partial<HeldRequestDto> = {}): HeldRequestDto {
  return {
    id,
    busId: "bt0",
    seq: 3,
    netFn: 6,
    lun: 0,
    cmd: 1,
    request: "",
    ruleId: 1,
    heldAt: 10_000,
    deadline: 15_000,
    onExpiry: "handler",
    suggested: { cc: 0, data: "20 01", handlerId: "app.get-device-id" },
    suggestedNote: null,
    ...overrides,
  };
}

export function audit(id: number): AuditEntryDto {
  return {
    id,
    at: 1_700_000_000_000 + id,
    actor: "admin",
    action: "rule.create",
    target: String(id),
    detail: null,
  };
}

/** A snapshot of exchanges `ids` (newest last), one handler "a", bus bt0, no rules or holds. */
export function snapshot(ids: number[] = [], overrides: Partial<Snapshot> = {}): Snapshot {
  return {
    exchanges: ids.map((id) => exchange(id)),
    handlers: [handler("a")],
    buses: [
      {
        id: "bt0",
        kind: "bt",
        transport: "sim",
        address: null,
        state: "up",
        description: "simulated host",
        queued: 0,
      },
    ],
    rules: [],
    held: [],
    operator: { id: 1, username: "admin", role: "operator" },
    skipped: 0,
    serverStartedAt: 1000,
    ...overrides,
  };
}

export const snapshotAction = (s: Snapshot): LiveAction => ({ type: "snapshot", snapshot: s });

/** One `live` batch received at local time `at`. */
export const events = (list: LiveEvent[], at = 0): LiveAction => ({ type: "events", events: list, at });

export const exchangeEvents = (ids: number[]): LiveEvent[] =>
  ids.map((id) => ({ type: "exchange", exchange: exchange(id) }));

/** Runs `actions` through `reducer` from `state`. */
export function reduceAll<S>(
  reducer: (state: S, action: LiveAction) => S,
  state: S,
  ...actions: LiveAction[]
): S {
  return actions.reduce(reducer, state);
}
