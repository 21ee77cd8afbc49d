/**
 * Test helper: runs a handler the way the router does — unpack the request with its
 * layout, call handle(), turn a thrown IpmiError into its completion code.
 */
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/fields";
import type { BusKind, HandlerContext, HandlerSpec } from "../router/types";

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
