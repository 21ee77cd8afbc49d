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

export interface BusInfo {
  id: string;
  kind: string;
  description: string;
  queued: number;
}
