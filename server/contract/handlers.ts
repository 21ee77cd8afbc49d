/** What the registry tells the world about a handler. */
import type { Privilege } from "../router/types";

export interface HandlerInfo {
  id: string;
  netFn: number;
  cmd: number;
  group: number | null;
  /** "06:01" or "2c:dc:01": how the registry keys it. */
  key: string;
  netFnName: string;
  cmdName: string;
  description: string | null;
  priority: number;
  privilege: Privilege;
  enabled: boolean;
  /** The handler that wins over this one for the same key, if any. */
  shadowedBy: string | null;
  /** True when this handler is the one requests for its key go to now. */
  active: boolean;
  requests: number;
  errors: number;
}

/**
 * Whether a bus carries traffic: "up" (open, listening, a VM connected), "waiting" (ready,
 * but its other end is not there yet: no VM connected), "down" (not started, stopped or failed).
 */
export type BusState = "up" | "waiting" | "down";

export interface BusInfo {
  id: string;
  /** The interface: bt, kcs, ssif, ipmb, lan (or inject for tests). */
  kind: string;
  /** What carries it: sim, device, qemu, udp; "" where the bus was added without one (tests). */
  transport: string;
  /** The device path or host:port it uses; null for simulated ones. */
  address: string | null;
  state: BusState;
  description: string;
  queued: number;
}
