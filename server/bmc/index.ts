/**
 * The BMC: its state, its watchdog and every handler it answers with. The router's
 * wiring code calls createBmc() and registers `handlers`.
 */
import type { HandlerSpec } from "../router/types";
import { appHandlers } from "./handlers/app";
import { chassisHandlers } from "./handlers/chassis";
import { type BmcState, type BmcStateOverrides, createBmcState, validateBmcState } from "./state";
import { Watchdog, type WatchdogState } from "./watchdog";

export interface BmcOptions {
  /** A complete state to use as is (e.g. loaded from a profile); mutated by Set commands. */
  state?: BmcState;
  /** Changes to the defaults when `state` is not given. */
  overrides?: BmcStateOverrides;
  /** A saved watchdog state to continue from. */
  watchdogState?: WatchdogState;
  /** Clock in milliseconds for the watchdog; defaults to Date.now. */
  now?: () => number;
}

export interface Bmc {
  state: BmcState;
  watchdog: Watchdog;
  handlers: HandlerSpec[];
}

export function createBmc(options: BmcOptions = {}): Bmc {
  let state: BmcState;
  if (options.state) {
    validateBmcState(options.state);
    state = options.state;
  } else {
    state = createBmcState(options.overrides);
  }
  const watchdog = new Watchdog({ now: options.now, state: options.watchdogState });
  return {
    state,
    watchdog,
    handlers: [...appHandlers(state, watchdog), ...chassisHandlers(state)],
  };
}

export type { BmcState, BmcStateOverrides } from "./state";
export { createBmcState } from "./state";
export type { WatchdogState } from "./watchdog";
export { Watchdog } from "./watchdog";
