/**
 * Test helper: runs a handler the way the router does — unpack the request with its
 * layout, call handle(), turn a thrown IpmiError into its completion code.
 */
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/ipmi-error";
import type { BusKind, HandlerContext, HandlerSpec, Requester } from "../router/types";
import type { BmcClock } from "./clock";
import { type BmcOptions, createBmc } from "./index";
import { type BmcProfile, parseProfile } from "./profile";
import defaultProfileJson from "./profiles/default.json" with { type: "json" };

export interface Answer {
  cc: number;
  data: number[];
}

export async function call(
  spec: HandlerSpec,
  request: readonly number[] = [],
  busKind: BusKind = "bt",
  requester: Requester | null = null,
): Promise<Answer> {
  const data = Uint8Array.from(request);
  try {
    const unpacked = spec.request.unpack(data);
    const ctx: HandlerContext = {
      busId: `${busKind}0`,
      busKind,
      netFn: spec.netFn,
      lun: 0,
      cmd: spec.cmd,
      data,
      request: unpacked,
      requester,
      signal: new AbortController().signal,
    };
    const reply = await spec.handle(ctx);
    return { cc: reply.cc ?? CC.OK, data: [...(reply.data ?? [])] };
  } catch (err) {
    if (err instanceof IpmiError) return { cc: err.cc, data: [] };
    throw err;
  }
}

export function find(handlers: readonly HandlerSpec[], id: string): HandlerSpec {
  const spec = handlers.find((h) => h.id === id);
  if (!spec) throw new Error(`no handler ${id}`);
  return spec;
}

/** A clock the test moves by hand; what is scheduled on it runs when the test moves past it. */
export interface ManualClock extends BmcClock {
  /**
   * Moves the clock `ms` forward, running each callback that falls due on the way at its
   * own time, earliest first (those due at the same time in the order they were
   * scheduled), including callbacks they schedule within the step.
   */
  advance(ms: number): void;
  /** Callbacks scheduled and not yet run or cancelled. */
  pending(): number;
}

export function manualClock(start = 1_000_000): ManualClock {
  let t = start;
  let order = 0;
  const timers: { due: number; order: number; fn: () => void }[] = [];
  const nextDue = (until: number) => {
    let next: (typeof timers)[number] | undefined;
    for (const timer of timers) {
      if (timer.due > until) continue;
      if (!next || timer.due < next.due || (timer.due === next.due && timer.order < next.order)) next = timer;
    }
    return next;
  };
  return {
    now: () => t,
    at(ms, fn) {
      const timer = { due: ms, order: order++, fn };
      timers.push(timer);
      return () => {
        const i = timers.indexOf(timer);
        if (i >= 0) timers.splice(i, 1);
      };
    },
    advance(ms: number) {
      const target = t + ms;
      for (let timer = nextDue(target); timer; timer = nextDue(target)) {
        timers.splice(timers.indexOf(timer), 1);
        t = Math.max(t, timer.due);
        timer.fn();
      }
      t = target;
    },
    pending: () => timers.length,
  };
}

/**
 * 2027-01-15T08:00:00Z in ms: a whole number of periods of the default profile's
 * slow sensor waves (180 s, 600 s, 900 s), so their readings sit at their centre.
 */
export const T0 = 1_800_000_000_000;
/** T0 as a SEL timestamp, LS byte first. */
export const T0_SECONDS_LE = [0x00, 0xd2, 0x49, 0x6b] as const;

/** A BMC on a manual clock at T0 with `clock`, `h(id)` and `ask(id, bytes, busKind)` added. */
export function testBmc(options: Omit<BmcOptions, "clock"> = {}) {
  const clock = manualClock(T0);
  const bmc = createBmc({ clock, ...options });
  const h = (id: string) => find(bmc.handlers, id);
  return Object.assign(bmc, {
    clock,
    h,
    ask: (id: string, request: readonly number[] = [], busKind: BusKind = "bt") =>
      call(h(id), request, busKind),
  });
}

/** The shipped default profile's JSON, changed by `edit`, checked like a profile file. */
export function profileWith(edit: (json: ProfileJson) => void): BmcProfile {
  const json = structuredClone(defaultProfileJson) as unknown as ProfileJson;
  edit(json);
  return parseProfile(json, "test profile");
}

// biome-ignore lint/suspicious/noExplicitAny: test profiles are edited as loose JSON.
export type ProfileJson = Record<string, any>;
