/**
 * The simulated chassis: power state, restart cause, identify, power-on hours, and
 * the actions Chassis Control and the watchdog take on it (IPMI 2.0 section 28).
 * Other parts (a QEMU transport) watch the actions through `onAction` and tell the
 * BMC about resets they see through `hostReset()`.
 *
 * Actions are instantaneous: a power cycle reports "power-cycle" and leaves the power
 * on; a soft-off (ACPI overtemperature shutdown) leaves it off as if the OS shut down.
 * Every power-down, reset or cycle is a system reset for the watchdog (it stops).
 */
import type { ChassisAction } from "../contract/host-control";
import type { BootOptions } from "./boot-options";
import { VALID_BIT_CLEARING } from "./boot-options";
import { type BmcState, LAST_POWER_EVENT, MISC_CHASSIS_STATE } from "./state";
import type { Watchdog } from "./watchdog";

/** Chassis Control request byte 1 bits 3:0 (28.3). */
export const CHASSIS_CONTROL: Readonly<Record<number, ChassisAction>> = {
  0: "power-off",
  1: "power-on",
  2: "power-cycle",
  3: "hard-reset",
  4: "diagnostic-interrupt",
  5: "soft-off",
};

/** Get System Restart Cause byte 1 (28.11). */
export const RESTART_CAUSE = {
  UNKNOWN: 0x0,
  CHASSIS_CONTROL: 0x1,
  RESET_BUTTON: 0x2,
  POWER_BUTTON: 0x3,
  WATCHDOG: 0x4,
  OEM: 0x5,
  ALWAYS_RESTORE: 0x6,
  RESTORE_PREVIOUS: 0x7,
  PEF_RESET: 0x8,
  PEF_POWER_CYCLE: 0x9,
  SOFT_RESET: 0xa,
  RTC_WAKEUP: 0xb,
} as const;

/** ACPI system power states the chassis sets on its own transitions (20.6). */
const ACPI = { S0_G0: 0x00, S5_G2: 0x05, OVERRIDE: 0x0a, D0: 0x00 } as const;

/** Identify with no interval byte lasts 15 s (28.5). */
export const DEFAULT_IDENTIFY_SECONDS = 15;

export interface ChassisOptions {
  state: BmcState;
  now: () => number;
  watchdog: Watchdog;
  bootOptions: BootOptions;
  /** Minutes per POH count and the counter at the first start. */
  poh: { minutesPerCount: number; baseCounter: number };
  /** Power-on milliseconds counted before this start (persisted). */
  poweredOnMs: number;
  /** Something persistent changed (power state, restore policy, POH). */
  changed: () => void;
}

export class Chassis {
  private readonly listeners = new Set<(action: ChassisAction) => void>();
  private readonly state: BmcState;
  private readonly now: () => number;
  private poweredOnMs: number;
  private poweredSince: number | null;
  /** Identify: off, on until a clock time, or on until told otherwise. */
  private identifyUntil: number | null = null;
  private identifyForever = false;
  /** The BMC reset or powered the host up itself; the next hostReset() is that one. */
  private expectingHostReset = false;

  constructor(private readonly o: ChassisOptions) {
    this.state = o.state;
    this.now = o.now;
    this.poweredOnMs = o.poweredOnMs;
    this.poweredSince = o.state.chassis.powerOn ? o.now() : null;
  }

  get powerOn(): boolean {
    return this.state.chassis.powerOn;
  }

  onAction(listener: (action: ChassisAction) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Performs an action: changes the power state, restart cause and ACPI state, stops
   * the watchdog where the system resets, and tells the listeners. The caller checks
   * that the action makes sense in the present state (Chassis Control answers D5h).
   */
  perform(action: ChassisAction, cause: number, channel: number): void {
    const c = this.state.chassis;
    switch (action) {
      case "power-on":
        if (c.powerOn) return;
        this.setPower(true);
        c.lastPowerEvent = cause === RESTART_CAUSE.CHASSIS_CONTROL ? LAST_POWER_EVENT.POWER_ON_VIA_IPMI : 0;
        this.restarted(cause, channel);
        break;
      case "power-off":
        if (!c.powerOn) return;
        this.setPower(false);
        this.state.acpi.system = ACPI.OVERRIDE;
        this.o.watchdog.systemReset();
        break;
      case "soft-off":
        this.setPower(false);
        this.state.acpi.system = ACPI.S5_G2;
        this.o.watchdog.systemReset();
        break;
      case "power-cycle":
        // Off and on again at once; the power came back by this command.
        this.setPower(true);
        c.lastPowerEvent = cause === RESTART_CAUSE.CHASSIS_CONTROL ? LAST_POWER_EVENT.POWER_ON_VIA_IPMI : 0;
        this.o.watchdog.systemReset();
        this.restarted(cause, channel);
        break;
      case "hard-reset":
        this.setPower(true);
        this.o.watchdog.systemReset();
        this.restarted(cause, channel);
        break;
      case "diagnostic-interrupt":
        break;
    }
    if (cause === RESTART_CAUSE.WATCHDOG && action !== "diagnostic-interrupt") {
      this.o.bootOptions.systemEvent(VALID_BIT_CLEARING.WATCHDOG);
    }
    this.o.changed();
    for (const l of this.listeners) {
      try {
        l(action);
      } catch {
        // A listener's failure must not undo the action or stop the others.
      }
    }
  }

  /**
   * A bus saw the host reset (the QEMU guest rebooted, a platform reset line). A real
   * BMC treats that as a system reset: the watchdog stops, the power is on. When the
   * BMC itself asked for the reset, the restart cause it recorded stays.
   */
  hostReset(): void {
    const c = this.state.chassis;
    if (!c.powerOn) this.setPower(true);
    this.o.watchdog.systemReset();
    if (this.expectingHostReset) {
      this.expectingHostReset = false;
    } else {
      c.restartCause = RESTART_CAUSE.SOFT_RESET;
      c.restartChannel = 0;
      this.o.bootOptions.systemEvent(VALID_BIT_CLEARING.RESET_BUTTON_OR_SOFT_RESET);
    }
    this.o.changed();
  }

  /** The power restore policy at "AC applied" (BMC start): sets the power and the restart cause. */
  applyRestorePolicy(previousPowerOn: boolean): void {
    const c = this.state.chassis;
    const on = c.restorePolicy === "always-on" || (c.restorePolicy === "previous" && previousPowerOn);
    if (on) {
      this.setPower(true);
      c.restartCause =
        c.restorePolicy === "always-on" ? RESTART_CAUSE.ALWAYS_RESTORE : RESTART_CAUSE.RESTORE_PREVIOUS;
    } else {
      this.setPower(false);
      c.restartCause = RESTART_CAUSE.UNKNOWN;
    }
    c.restartChannel = 0;
    this.state.acpi.system = on ? ACPI.S0_G0 : ACPI.S5_G2;
  }

  /** Chassis Identify: seconds (0 turns it off) or indefinitely. */
  identify(seconds: number, forever: boolean): void {
    this.identifyForever = forever;
    this.identifyUntil = forever || seconds === 0 ? null : this.now() + seconds * 1000;
    if (!forever && seconds === 0) {
      this.state.chassis.miscState &= ~(
        MISC_CHASSIS_STATE.IDENTIFY_TIMED_ON | MISC_CHASSIS_STATE.IDENTIFY_INDEFINITE_ON
      );
    }
  }

  /** Get Chassis Status byte 3 bits 5:4 from the identify state. */
  identifyBits(): number {
    if (this.identifyForever) return MISC_CHASSIS_STATE.IDENTIFY_INDEFINITE_ON;
    if (this.identifyUntil !== null && this.now() < this.identifyUntil)
      return MISC_CHASSIS_STATE.IDENTIFY_TIMED_ON;
    return 0;
  }

  /** Get POH Counter reading: counts of `minutesPerCount` powered-on minutes. */
  pohCounter(): number {
    const minutes = this.totalPoweredOnMs() / 60_000;
    return (this.o.poh.baseCounter + Math.floor(minutes / this.o.poh.minutesPerCount)) >>> 0;
  }

  totalPoweredOnMs(): number {
    return this.poweredOnMs + (this.poweredSince === null ? 0 : Math.max(0, this.now() - this.poweredSince));
  }

  /** BMC cold reset: identify goes off; power and restart cause are the host's and stay. */
  bmcReset(): void {
    this.identify(0, false);
  }

  private restarted(cause: number, channel: number): void {
    const c = this.state.chassis;
    c.restartCause = cause & 0x0f;
    c.restartChannel = channel;
    this.state.acpi.system = ACPI.S0_G0;
    this.state.acpi.device = ACPI.D0;
    this.expectingHostReset = true;
  }

  private setPower(on: boolean): void {
    const c = this.state.chassis;
    if (on === c.powerOn && (on ? this.poweredSince !== null : this.poweredSince === null)) return;
    if (on) this.poweredSince = this.now();
    else {
      this.poweredOnMs = this.totalPoweredOnMs();
      this.poweredSince = null;
    }
    c.powerOn = on;
  }
}
