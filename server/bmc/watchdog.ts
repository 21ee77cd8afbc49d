/**
 * The BMC watchdog timer, IPMI 2.0 rev 1.1 section 27: Reset (22h), Set (24h) and
 * Get (25h) Watchdog Timer. The countdown is not driven by a timer of its own: the
 * present count is computed from an injectable clock whenever someone looks, so
 * tests move time by hand and nothing sleeps.
 *
 * Expiry actions (hard reset, power down, power cycle) and the SEL events are the
 * BMC's (index.ts), through `onPreTimeout` and `onExpire`; the running server calls
 * `tick()` at `nextDeadline()` so expiry happens on time without anyone asking, and
 * `onChange` tells it (and the store) when the configuration or the deadline moved.
 *
 * A system reset or power-down stops the timer and clears the "don't log" flag, as
 * does an expiry; the timer use expiration flags stay until Set Watchdog Timer clears
 * them (27.7).
 */
import { IpmiError } from "../ipmi/fields";
import { invalidField } from "./core";

/** Timer Use, byte 1 bits 2:0. 0, 6 and 7 are reserved. */
export const TIMER_USE = {
  BIOS_FRB2: 1,
  BIOS_POST: 2,
  OS_LOAD: 3,
  SMS_OS: 4,
  OEM: 5,
} as const;

/** Timeout action, byte 2 bits 2:0. 4..7 are reserved. */
export const TIMEOUT_ACTION = {
  NONE: 0,
  HARD_RESET: 1,
  POWER_DOWN: 2,
  POWER_CYCLE: 3,
} as const;

/** Pre-timeout interrupt, byte 2 bits 6:4. 4..7 are reserved. */
export const PRE_TIMEOUT_INTERRUPT = {
  NONE: 0,
  SMI: 1,
  NMI: 2,
  MESSAGING: 3,
} as const;

/** Reset Watchdog Timer completion code 80h: "Attempt to start un-initialized watchdog". */
export const CC_WATCHDOG_UNINITIALIZED = 0x80;

const USE_DONT_LOG = 0x80;
const USE_DONT_STOP = 0x40;
/** Get Watchdog Timer byte 1 bit 6: the timer is running. */
const USE_RUNNING = 0x40;
const USE_RESERVED = 0x38;
const ACTIONS_RESERVED = 0x88;
/** Expiration flags byte: bits 1..5 are the uses, 0, 6 and 7 reserved. */
const EXPIRATION_FLAGS_RESERVED = 0xc1;
const MS_PER_COUNT = 100;

/** Everything the watchdog remembers; plain data so it can be persisted later. */
export interface WatchdogState {
  /** A Set Watchdog Timer was accepted; until then Reset answers 80h. */
  initialized: boolean;
  /** TIMER_USE value; 0 before the first Set. */
  timerUse: number;
  dontLog: boolean;
  timeoutAction: number;
  preTimeoutInterrupt: number;
  /** Seconds before expiry the pre-timeout interrupt fires. */
  preTimeoutInterval: number;
  /** Timer use expiration flags, bit n = use n expired (Get Watchdog Timer byte 4). */
  expirationFlags: number;
  /** 100 ms counts. */
  initialCountdown: number;
  running: boolean;
  /** Clock time (ms) the running countdown started from initialCountdown. */
  startedAt: number;
  /** Present countdown while stopped, 100 ms counts. */
  stoppedCountdown: number;
  /** The pre-timeout point of the current countdown was reached; Reset no longer restarts it. */
  preTimeoutReached: boolean;
  /** The pre-timeout interrupt fired (Get Message Flags bit 3) and neither Set nor Clear Message Flags cleared it. */
  preTimeoutFlag: boolean;
  /** The countdown reached zero since the timer was last started. */
  timedOut: boolean;
}

export function createWatchdogState(): WatchdogState {
  return {
    initialized: false,
    timerUse: 0,
    dontLog: false,
    timeoutAction: TIMEOUT_ACTION.NONE,
    preTimeoutInterrupt: PRE_TIMEOUT_INTERRUPT.NONE,
    preTimeoutInterval: 0,
    expirationFlags: 0,
    initialCountdown: 0,
    running: false,
    startedAt: 0,
    stoppedCountdown: 0,
    preTimeoutReached: false,
    preTimeoutFlag: false,
    timedOut: false,
  };
}

/** The Set Watchdog Timer request bytes, as the router unpacks them. */
export interface SetWatchdogRequest {
  /** Byte 1: [7] don't log, [6] don't stop, [5:3] reserved, [2:0] timer use. */
  timerUse: number;
  /** Byte 2: [7] reserved, [6:4] pre-timeout interrupt, [3] reserved, [2:0] timeout action. */
  timerActions: number;
  /** Byte 3: seconds. */
  preTimeoutInterval: number;
  /** Byte 4: 1b clears the matching timer use expiration flag. */
  expirationFlagsClear: number;
  /** Bytes 5..6, LS byte first: 100 ms counts. */
  initialCountdown: number;
}

/** The Get Watchdog Timer response fields (bytes 1..4 as sent, then two counts). */
export interface WatchdogReport {
  timerUse: number;
  timerActions: number;
  preTimeoutInterval: number;
  expirationFlags: number;
  initialCountdown: number;
  presentCountdown: number;
}

export interface WatchdogExpiry {
  timerUse: number;
  timeoutAction: number;
  dontLog: boolean;
  /** Clock time (ms) the countdown reached zero. */
  at: number;
}

export interface WatchdogPreTimeout {
  preTimeoutInterrupt: number;
  /** Clock time (ms) the pre-timeout point was reached. */
  at: number;
}

/** The part of the state that survives a BMC restart (persisted). */
export type WatchdogConfig = Pick<
  WatchdogState,
  | "initialized"
  | "timerUse"
  | "dontLog"
  | "timeoutAction"
  | "preTimeoutInterrupt"
  | "preTimeoutInterval"
  | "initialCountdown"
>;

/** A stopped watchdog with a saved configuration, as after a BMC restart. */
export function watchdogStateFromConfig(c: WatchdogConfig): WatchdogState {
  return { ...createWatchdogState(), ...c, stoppedCountdown: c.initialCountdown };
}

export interface WatchdogOptions {
  /** Milliseconds; defaults to Date.now. */
  now?: () => number;
  /** A saved state to continue from; the watchdog uses (and mutates) this object. */
  state?: WatchdogState;
}

export class Watchdog {
  readonly state: WatchdogState;
  private readonly now: () => number;
  private readonly expireListeners = new Set<(e: WatchdogExpiry) => void>();
  private readonly preTimeoutListeners = new Set<(e: WatchdogPreTimeout) => void>();
  private readonly changeListeners = new Set<() => void>();

  constructor(options: WatchdogOptions = {}) {
    this.now = options.now ?? Date.now;
    this.state = options.state ?? createWatchdogState();
  }

  /** Set Watchdog Timer. Throws IpmiError CCh on reserved or invalid fields; changes nothing then. */
  set(req: SetWatchdogRequest): void {
    this.tick();
    const use = req.timerUse & 0x07;
    const action = req.timerActions & 0x07;
    const interrupt = (req.timerActions >> 4) & 0x07;
    if (use < TIMER_USE.BIOS_FRB2 || use > TIMER_USE.OEM) invalidField(`timer use ${use} is reserved`);
    if (req.timerUse & USE_RESERVED) invalidField("timer use byte sets reserved bits 5:3");
    if (action > TIMEOUT_ACTION.POWER_CYCLE) invalidField(`timeout action ${action} is reserved`);
    if (interrupt > PRE_TIMEOUT_INTERRUPT.MESSAGING)
      invalidField(`pre-timeout interrupt ${interrupt} is reserved`);
    if (req.timerActions & ACTIONS_RESERVED) invalidField("timer actions byte sets reserved bits 7 or 3");
    if (req.expirationFlagsClear & EXPIRATION_FLAGS_RESERVED) {
      invalidField("expiration flags clear sets reserved bits 7, 6 or 0");
    }
    if (req.preTimeoutInterval * 10 > req.initialCountdown) {
      invalidField(
        `pre-timeout interval ${req.preTimeoutInterval} s exceeds the countdown of ${req.initialCountdown / 10} s`,
      );
    }

    const s = this.state;
    const keepRunning = s.running && (req.timerUse & USE_DONT_STOP) !== 0;
    s.initialized = true;
    s.timerUse = use;
    s.dontLog = (req.timerUse & USE_DONT_LOG) !== 0;
    s.timeoutAction = action;
    s.preTimeoutInterrupt = interrupt;
    s.preTimeoutInterval = req.preTimeoutInterval;
    s.expirationFlags &= ~req.expirationFlagsClear;
    s.initialCountdown = req.initialCountdown;
    // Set clears the pre-timeout flag whether or not it stops the timer.
    s.preTimeoutFlag = false;
    if (keepRunning) {
      // "Don't stop" on a running timer: the new countdown takes effect now and keeps counting.
      this.start();
    } else {
      s.running = false;
      s.stoppedCountdown = req.initialCountdown;
    }
    this.tick();
    this.changed();
  }

  /**
   * Reset Watchdog Timer: start or restart from the initial countdown. Throws IpmiError
   * 80h before the first Set. Once the pre-timeout interrupt has fired the timer is not
   * restarted (27.5: only Set can stop it then); the command still completes normally.
   */
  reset(): void {
    this.tick();
    const s = this.state;
    if (!s.initialized) {
      throw new IpmiError(CC_WATCHDOG_UNINITIALIZED, "Set Watchdog Timer has not initialized the watchdog");
    }
    if (s.running && s.preTimeoutReached) return;
    this.start();
    this.tick();
    this.changed();
  }

  /**
   * The system was reset or powered down: the timer stops where it is, the "don't log"
   * flag and the pre-timeout flag clear; configuration and expiration flags stay.
   */
  systemReset(): void {
    this.tick();
    const s = this.state;
    if (s.running) {
      s.stoppedCountdown = this.presentCountdown();
      s.running = false;
    }
    s.dontLog = false;
    s.preTimeoutFlag = false;
    s.preTimeoutReached = false;
    this.changed();
  }

  /** The persisted part of the state. */
  config(): WatchdogConfig {
    const s = this.state;
    return {
      initialized: s.initialized,
      timerUse: s.timerUse,
      dontLog: s.dontLog,
      timeoutAction: s.timeoutAction,
      preTimeoutInterrupt: s.preTimeoutInterrupt,
      preTimeoutInterval: s.preTimeoutInterval,
      initialCountdown: s.initialCountdown,
    };
  }

  /** Get Watchdog Timer. */
  report(): WatchdogReport {
    this.tick();
    const s = this.state;
    return {
      timerUse: s.timerUse | (s.running ? USE_RUNNING : 0) | (s.dontLog ? USE_DONT_LOG : 0),
      timerActions: (s.preTimeoutInterrupt << 4) | s.timeoutAction,
      preTimeoutInterval: s.preTimeoutInterval,
      expirationFlags: s.expirationFlags,
      initialCountdown: s.initialCountdown,
      presentCountdown: this.presentCountdown(),
    };
  }

  /** Present countdown in 100 ms counts, from the clock; never below 0. */
  presentCountdown(): number {
    const s = this.state;
    if (!s.running) return s.stoppedCountdown;
    return Math.max(0, Math.ceil(this.remainingMs() / MS_PER_COUNT));
  }

  /** True when the countdown reached zero since the timer was last started. */
  expired(): boolean {
    this.tick();
    return this.state.timedOut;
  }

  /** The pre-timeout flag Get Message Flags reports in bit 3. */
  preTimeoutFlag(): boolean {
    this.tick();
    return this.state.preTimeoutFlag;
  }

  /** Clear Message Flags (a later command) clears the pre-timeout flag through here. */
  clearPreTimeoutFlag(): void {
    this.tick();
    this.state.preTimeoutFlag = false;
    this.changed();
  }

  /** Clock time (ms) of the next pre-timeout or expiry, or null when the timer is stopped. */
  nextDeadline(): number | null {
    const s = this.state;
    if (!s.running) return null;
    const expiry = this.expiryAt();
    if (this.hasPreTimeout() && !s.preTimeoutReached) return expiry - s.preTimeoutInterval * 1000;
    return expiry;
  }

  /**
   * Brings the state up to the clock: raises the pre-timeout flag and, at zero, stops
   * the timer and sets the expiration flag of its timer use. Listeners run here. Returns
   * the expiry when this call saw it happen.
   */
  tick(): WatchdogExpiry | null {
    const s = this.state;
    if (!s.running) return null;
    const remaining = this.remainingMs();
    const expiryAt = this.expiryAt();
    if (this.hasPreTimeout() && !s.preTimeoutReached && remaining <= s.preTimeoutInterval * 1000) {
      s.preTimeoutReached = true;
      s.preTimeoutFlag = true;
      const event = {
        preTimeoutInterrupt: s.preTimeoutInterrupt,
        at: Math.max(s.startedAt, expiryAt - s.preTimeoutInterval * 1000),
      };
      for (const fn of this.preTimeoutListeners) fn(event);
      if (remaining > 0) this.changed();
    }
    if (remaining > 0) return null;
    s.running = false;
    s.stoppedCountdown = 0;
    s.timedOut = true;
    s.expirationFlags |= 1 << s.timerUse;
    const expiry: WatchdogExpiry = {
      timerUse: s.timerUse,
      timeoutAction: s.timeoutAction,
      dontLog: s.dontLog,
      at: expiryAt,
    };
    // 27.7: the "don't log" flag clears after every timeout (the expiry itself honoured it).
    s.dontLog = false;
    for (const fn of this.expireListeners) fn(expiry);
    this.changed();
    return expiry;
  }

  /** Called when the countdown reaches zero; the returned function unsubscribes. */
  onExpire(fn: (e: WatchdogExpiry) => void): () => void {
    this.expireListeners.add(fn);
    return () => this.expireListeners.delete(fn);
  }

  /** Called after anything that changes the configuration, the flags or the next deadline. */
  onChange(fn: () => void): () => void {
    this.changeListeners.add(fn);
    return () => this.changeListeners.delete(fn);
  }

  /** Called when the pre-timeout point is reached with an interrupt configured. */
  onPreTimeout(fn: (e: WatchdogPreTimeout) => void): () => void {
    this.preTimeoutListeners.add(fn);
    return () => this.preTimeoutListeners.delete(fn);
  }

  private changed(): void {
    for (const fn of this.changeListeners) fn();
  }

  private start(): void {
    const s = this.state;
    s.running = true;
    s.startedAt = this.now();
    s.timedOut = false;
    s.preTimeoutReached = false;
  }

  /** Clock time (ms) the running countdown reaches zero. */
  private expiryAt(): number {
    return this.state.startedAt + this.state.initialCountdown * MS_PER_COUNT;
  }

  private remainingMs(): number {
    const s = this.state;
    const elapsed = Math.max(0, this.now() - s.startedAt);
    return s.initialCountdown * MS_PER_COUNT - elapsed;
  }

  private hasPreTimeout(): boolean {
    return this.state.preTimeoutInterrupt !== PRE_TIMEOUT_INTERRUPT.NONE;
  }
}
