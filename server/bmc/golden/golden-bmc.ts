/**
 * The golden replay's view of the BMC: built from the default profile on a manual clock at
 * T0, asked by (netfn, cmd) the way the router would dispatch. The only part of the replay
 * that follows the BMC's API; the sequence and the file do not.
 */
import type { BusKind } from "../../router/types";
import { type Answer, call, testBmc } from "../test-harness";

export type GoldenBmc = ReturnType<typeof goldenBmc>;

export interface GoldenKey {
  netFn: number;
  cmd: number;
  minLength: number;
  maxLength: number;
  /** A request of the layout's minimum length, all zero. */
  sample: number[];
}

export function goldenBmc() {
  const t = testBmc();
  const keys = (): GoldenKey[] =>
    t.handlers
      .map((h) => ({
        netFn: h.netFn,
        cmd: h.cmd,
        minLength: h.request.minLength,
        maxLength: h.request.maxLength,
        sample: new Array<number>(h.request.minLength).fill(0),
      }))
      .sort((a, b) => a.netFn - b.netFn || a.cmd - b.cmd);
  return Object.assign(t, { keys });
}

export function askByKey(
  bmc: GoldenBmc,
  netFn: number,
  cmd: number,
  data: Uint8Array,
  bus: BusKind,
): Promise<Answer> {
  const spec = bmc.handlers.find((h) => h.netFn === netFn && h.cmd === cmd);
  if (!spec) return Promise.resolve({ cc: 0xc1, data: [] });
  return call(spec, [...data], bus);
}
