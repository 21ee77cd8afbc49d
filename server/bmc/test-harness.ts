/**
 * Test helper: runs a handler the way the router does — unpack the request with its
 * layout, call handle(), turn a thrown IpmiError into its completion code.
 */
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/fields";
import type { BusKind, HandlerContext, HandlerSpec } from "../router/types";
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

/** A clock the test moves by hand. */
export function manualClock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

/**
 * 2027-01-15T08:00:00Z in ms: a whole number of periods of the default profile's
 * slow sensor waves (180 s, 600 s, 900 s), so their readings sit at their centre.
 */
export const T0 = 1_800_000_000_000;
/** T0 as a SEL timestamp, LS byte first. */
export const T0_SECONDS_LE = [0x00, 0xd2, 0x49, 0x6b] as const;

/** A BMC on a manual clock at T0 with `h(id)` and `ask(id, bytes, busKind)` shortcuts. */
export function testBmc(options: BmcOptions = {}) {
  const clock = manualClock(T0);
  const bmc = createBmc({ now: clock.now, ...options });
  const h = (id: string) => find(bmc.handlers, id);
  return {
    ...bmc,
    bmc,
    clock,
    h,
    ask: (id: string, request: readonly number[] = [], busKind: BusKind = "bt") =>
      call(h(id), request, busKind),
  };
}

/** The shipped default profile's JSON, changed by `edit`, checked like a profile file. */
export function profileWith(edit: (json: ProfileJson) => void): BmcProfile {
  const json = structuredClone(defaultProfileJson) as unknown as ProfileJson;
  edit(json);
  return parseProfile(json, "test profile");
}

// biome-ignore lint/suspicious/noExplicitAny: test profiles are edited as loose JSON.
export type ProfileJson = Record<string, any>;
