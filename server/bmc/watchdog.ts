/**
 * The BMC watchdog timer, IPMI 2.0 rev 1.1 section 27: Reset (22h), Set (24h) and Get
 * (25h) Watchdog Timer, and what the timer does when it runs out.
 *
 * The present count is computed from the clock whenever someone looks. The watchdog puts
 * its next deadline (the pre-timeout point, then the expiry) on the clock itself, so both
 * happen on time without anyone asking; on a manual clock (tests) they happen when the
 * test moves time past them.
 *
 * At the pre-timeout point (27.7) it raises the controller's pre-timeout message flag
 * (Get Message Flags bit 3, 22.4) and logs a Watchdog 2 "timer interrupt" event. At
 * expiry it sets the expiration flag of its timer use, logs the Watchdog 2 event of its
 * timeout action and asserts that offset of the Watchdog 2 sensor (table 42-3, sensor
 * type 23h), and performs the action on the chassis (hard reset, power down, power
 * cycle). "Don't log" suppresses the events, not the action.
 *
 * A system reset or power-down stops the timer and clears the "don't log" flag and the
 * pre-timeout flag, as does an expiry the "don't log" flag; the timer use expiration
 * flags stay until Set Watchdog Timer clears them (27.7). The watchdog hears of system
 * resets from the chassis's actions and from `reset("cold" | "host")`.
 */
import type { ChassisAction } from "../contract/host-control";
import type { getWatchdogTimer, setWatchdogTimer } from "../ipmi/commands/app";
import type { RequestOf, ResponseOf } from "../ipmi/commands/define";
import { IpmiError } from "../ipmi/ipmi-error";
import { EVENT_READING_TYPE_SENSOR_SPECIFIC, SENSOR_TYPE_WATCHDOG2 } from "../ipmi/spec/tables";
import type { Logger } from "../logger";
import type { Chassis } from "./chassis";
import { RESTART_CAUSE } from "./chassis";
import type { BmcClock } from "./clock";
import { type Controller, MESSAGE_FLAGS } from "./controller";
import { Emitter } from "./emitter";
import { invalidField } from "./invalid-field";
import type { ResetKind } from "./reset";
import { EVM_REV, type Sel } from "./sel";
import type { SensorModel, Sensors } from "./sensors";

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
    timedOut: false,
  };
}

/** The Set Watchdog Timer request bytes, as the router unpacks them. */
/** Set Watchdog Timer's fields as the command table lays them out (27.6). */
export type SetWatchdogRequest = RequestOf<typeof setWatchdogTimer>;

/** Get Watchdog Timer's fields as the command table lays them out (27.7). */
export type WatchdogReport = ResponseOf<typeof getWatchdogTimer>;

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

/** Offsets of the Watchdog 2 sensor (sensor type 23h, table 42-3). */
const WATCHDOG_EVENT = {
  EXPIRED: 0x00,
  HARD_RESET: 0x01,
  POWER_DOWN: 0x02,
  POWER_CYCLE: 0x03,
  INTERRUPT: 0x08,
} as const;
/** Event Data 1 bits 7:6 = 11b: Event Data 2 holds the sensor-specific extension (interrupt, timer use). */
const EVENT_DATA2_EXTENSION = 0xc0;
/** What an expiry logs (the Watchdog 2 offset) and what it does to the chassis, by timeout action. */
const ON_EXPIRY: Readonly<Record<number, { event: number; action?: ChassisAction }>> = {
  [TIMEOUT_ACTION.NONE]: { event: WATCHDOG_EVENT.EXPIRED },
  [TIMEOUT_ACTION.HARD_RESET]: { event: WATCHDOG_EVENT.HARD_RESET, action: "hard-reset" },
  [TIMEOUT_ACTION.POWER_DOWN]: { event: WATCHDOG_EVENT.POWER_DOWN, action: "power-off" },
  [TIMEOUT_ACTION.POWER_CYCLE]: { event: WATCHDOG_EVENT.POWER_CYCLE, action: "power-cycle" },
};
/** Chassis actions that reset or power down the system: each stops the timer (27.7). */
const SYSTEM_RESETS: ReadonlySet<ChassisAction> = new Set([
  "power-off",
  "soft-off",
  "power-cycle",
  "hard-reset",
]);

/** The rest of the BMC, as the watchdog's pre-timeout and expiry touch it. */
export interface WatchdogSurroundings {
  /** Holds the pre-timeout message flag. */
  controller: Controller;
  /** Where the Watchdog 2 events go. */
  sel: Sel;
  /** The Watchdog 2 sensor (the profile's first of type 23h, if any) shows the expiry. */
  sensors: Sensors;
  /** What the timeout action acts on; its system resets stop the timer. */
  chassis: Chassis;
  /** Generator ID of the events: the BMC's slave address. */
  generatorId: number;
  log?: Logger;
}

export interface WatchdogOptions {
  clock: BmcClock;
  /** A saved state to continue from; the watchdog uses (and mutates) this object. */
  state?: WatchdogState;
  /**
   * What the pre-timeout and the expiry act on. Without it (a watchdog on its own) only
   * the watchdog's own state changes and its listeners hear of it.
   */
  surroundings?: WatchdogSurroundings;
}

export class Watchdog {
  private readonly state: WatchdogState;
  private readonly clock: BmcClock;
  private readonly around: WatchdogSurroundings | undefined;
  private readonly sensor: SensorModel | undefined;
  private readonly expiries = new Emitter<WatchdogExpiry>();
  private readonly preTimeouts = new Emitter<WatchdogPreTimeout>();
  private readonly changes = new Emitter<void>();
  private cancelDeadline: (() => void) | undefined;
  private offChassis: (() => void) | undefined;
  private closed = false;

  constructor(options: WatchdogOptions) {
    this.clock = options.clock;
    this.state = options.state ?? createWatchdogState();
    this.around = options.surroundings;
    this.sensor = this.around?.sensors.firstOfType(SENSOR_TYPE_WATCHDOG2)?.model;
    this.offChassis = this.around?.chassis.onAction((action) => {
      if (SYSTEM_RESETS.has(action)) this.systemReset();
    });
    this.schedule();
  }

  /** Set Watchdog Timer. Throws IpmiError CCh on reserved or invalid fields; changes nothing then. */
  set(req: SetWatchdogRequest): void {
    this.catchUp();
    const { use, dontLog, dontStop } = req.timerUse;
    const { timeoutAction: action, preTimeoutInterrupt: interrupt } = req.timerActions;
    if (use < TIMER_USE.BIOS_FRB2 || use > TIMER_USE.OEM) invalidField(`timer use ${use} is reserved`);
    if (req.timerUse.reserved !== 0) invalidField("timer use byte sets reserved bits 5:3");
    if (action > TIMEOUT_ACTION.POWER_CYCLE) invalidField(`timeout action ${action} is reserved`);
    if (interrupt > PRE_TIMEOUT_INTERRUPT.MESSAGING)
      invalidField(`pre-timeout interrupt ${interrupt} is reserved`);
    if (req.timerActions.reserved3 !== 0 || req.timerActions.reserved7 !== 0) {
      invalidField("timer actions byte sets reserved bits 7 or 3");
    }
    if (req.expirationFlagsClear & EXPIRATION_FLAGS_RESERVED) {
      invalidField("expiration flags clear sets reserved bits 7, 6 or 0");
    }
    if (req.preTimeoutInterval * 10 > req.initialCountdown) {
      invalidField(
        `pre-timeout interval ${req.preTimeoutInterval} s exceeds the countdown of ${req.initialCountdown / 10} s`,
      );
    }

    const s = this.state;
    const keepRunning = s.running && dontStop;
    s.initialized = true;
    s.timerUse = use;
    s.dontLog = dontLog;
    s.timeoutAction = action;
    s.preTimeoutInterrupt = interrupt;
    s.preTimeoutInterval = req.preTimeoutInterval;
    s.expirationFlags &= ~req.expirationFlagsClear;
    s.initialCountdown = req.initialCountdown;
    // Set clears the pre-timeout flag whether or not it stops the timer (27.6).
    this.around?.controller.clearMessageFlags(MESSAGE_FLAGS.WATCHDOG_PRE_TIMEOUT);
    if (keepRunning) {
      // "Don't stop" on a running timer: the new countdown takes effect now and keeps counting.
      this.start();
    } else {
      s.running = false;
      s.stoppedCountdown = req.initialCountdown;
    }
    this.catchUp();
    this.changed();
  }

  /**
   * Reset Watchdog Timer: start or restart from the initial countdown. Throws IpmiError
   * 80h before the first Set. Once the pre-timeout interrupt has fired the timer is not
   * restarted (27.5: only Set can stop it then); the command still completes normally.
   */
  resetTimer(): void {
    this.catchUp();
    const s = this.state;
    if (!s.initialized) {
      throw new IpmiError(CC_WATCHDOG_UNINITIALIZED, "Set Watchdog Timer has not initialized the watchdog");
    }
    if (s.running && s.preTimeoutReached) return;
    this.start();
    this.catchUp();
    this.changed();
  }

  /**
   * A cold reset restarts the BMC and a host reset the system: either stops the timer
   * (a system reset). A warm reset leaves the watchdog running (20.3).
   */
  reset(kind: ResetKind): void {
    if (kind === "cold" || kind === "host") this.systemReset();
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
    this.catchUp();
    const s = this.state;
    return {
      timerUse: { use: s.timerUse, reserved: 0, dontLog: s.dontLog, running: s.running },
      timerActions: {
        preTimeoutInterrupt: s.preTimeoutInterrupt,
        timeoutAction: s.timeoutAction,
        reserved3: 0,
        reserved7: 0,
      },
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
    this.catchUp();
    return this.state.timedOut;
  }

  /** Clock time (ms) of the next pre-timeout or expiry, or null when the timer is stopped. */
  nextDeadline(): number | null {
    const s = this.state;
    if (!s.running) return null;
    const expiry = this.expiryAt();
    if (this.hasPreTimeout() && !s.preTimeoutReached) return expiry - s.preTimeoutInterval * 1000;
    return expiry;
  }

  /** Called when the countdown reaches zero, after the expiry acted; the returned function unsubscribes. */
  onExpire(fn: (e: WatchdogExpiry) => void): () => void {
    return this.expiries.on(fn);
  }

  /** Called after anything that changes the configuration, the flags or the next deadline. */
  onChange(fn: () => void): () => void {
    return this.changes.on(fn);
  }

  /** Called when the pre-timeout point is reached with an interrupt configured. */
  onPreTimeout(fn: (e: WatchdogPreTimeout) => void): () => void {
    return this.preTimeouts.on(fn);
  }

  /** Takes the deadline off the clock for good (the BMC stops); the state stays readable. */
  close(): void {
    this.closed = true;
    this.cancelDeadline?.();
    this.cancelDeadline = undefined;
    this.offChassis?.();
    this.offChassis = undefined;
  }

  /**
   * The system was reset or powered down: the timer stops where it is, the "don't log"
   * flag and the pre-timeout flag clear; configuration and expiration flags stay.
   */
  private systemReset(): void {
    this.catchUp();
    const s = this.state;
    if (s.running) {
      s.stoppedCountdown = this.presentCountdown();
      s.running = false;
    }
    s.dontLog = false;
    s.preTimeoutReached = false;
    this.around?.controller.clearMessageFlags(MESSAGE_FLAGS.WATCHDOG_PRE_TIMEOUT);
    this.changed();
  }

  /**
   * Brings the state up to the clock: at the pre-timeout point raises the flag and logs
   * the interrupt; at zero stops the timer, sets the expiration flag of its timer use and
   * acts. The deadline on the clock normally gets here first; the commands look too, so
   * a late timer never lets them answer from before the deadline.
   */
  private catchUp(): void {
    const s = this.state;
    if (!s.running) return;
    const remaining = this.remainingMs();
    const expiryAt = this.expiryAt();
    if (this.hasPreTimeout() && !s.preTimeoutReached && remaining <= s.preTimeoutInterval * 1000) {
      s.preTimeoutReached = true;
      const event = {
        preTimeoutInterrupt: s.preTimeoutInterrupt,
        at: Math.max(s.startedAt, expiryAt - s.preTimeoutInterval * 1000),
      };
      this.around?.controller.raiseMessageFlags(MESSAGE_FLAGS.WATCHDOG_PRE_TIMEOUT);
      if (!s.dontLog) this.logEvent(WATCHDOG_EVENT.INTERRUPT, event.at, s.timerUse);
      this.preTimeouts.emit(event);
      if (remaining > 0) this.changed();
    }
    if (remaining > 0) return;
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
    this.act(expiry);
    this.expiries.emit(expiry);
    this.changed();
  }

  /** The expiry's event and its timeout action on the chassis. */
  private act(e: WatchdogExpiry): void {
    const around = this.around;
    if (!around) return;
    const onExpiry = ON_EXPIRY[e.timeoutAction];
    if (!e.dontLog && onExpiry) this.logEvent(onExpiry.event, e.at, e.timerUse);
    const action = onExpiry?.action;
    // Power down of a chassis already off has nothing to do.
    if (action && (action !== "power-off" || around.chassis.powerOn))
      around.chassis.perform(action, RESTART_CAUSE.WATCHDOG, 0);
    around.log?.info(`bmc: watchdog expired (timer use ${e.timerUse}, action ${action ?? "none"})`);
  }

  /** A Watchdog 2 event at clock time `at`, and its offset asserted on the Watchdog 2 sensor. */
  private logEvent(offset: number, at: number, use: number): void {
    const around = this.around;
    if (!around) return;
    const sensor = this.sensor;
    if (sensor) around.sensors.setState(sensor.lun, sensor.number, offset, true);
    around.sel.logEvent(
      {
        generator: { id: around.generatorId, channel: 0, lun: 0, reserved: 0 },
        event: {
          evmRev: EVM_REV,
          sensorType: SENSOR_TYPE_WATCHDOG2,
          sensorNumber: sensor?.number ?? 0xff,
          dirType: { deassertion: false, eventType: EVENT_READING_TYPE_SENSOR_SPECIFIC },
          eventData: [EVENT_DATA2_EXTENSION | offset, (this.state.preTimeoutInterrupt << 4) | use, 0xff],
        },
      },
      at,
    );
  }

  private changed(): void {
    this.changes.emit();
    this.schedule();
  }

  /** Puts the next deadline on the clock (and takes the previous one off). */
  private schedule(): void {
    this.cancelDeadline?.();
    this.cancelDeadline = undefined;
    if (this.closed) return;
    const deadline = this.nextDeadline();
    if (deadline === null) return;
    this.cancelDeadline = this.clock.at(deadline, () => {
      this.cancelDeadline = undefined;
      this.catchUp();
      this.schedule();
    });
  }

  private start(): void {
    const s = this.state;
    s.running = true;
    s.startedAt = this.clock.now();
    s.timedOut = false;
    s.preTimeoutReached = false;
  }

  /** Clock time (ms) the running countdown reaches zero. */
  private expiryAt(): number {
    return this.state.startedAt + this.state.initialCountdown * MS_PER_COUNT;
  }

  private remainingMs(): number {
    const s = this.state;
    const elapsed = Math.max(0, this.clock.now() - s.startedAt);
    return s.initialCountdown * MS_PER_COUNT - elapsed;
  }

  private hasPreTimeout(): boolean {
    return this.state.preTimeoutInterrupt !== PRE_TIMEOUT_INTERRUPT.NONE;
  }
}
