/**
 * The simulated chassis (IPMI 2.0 section 28): power state, power restore policy,
 * restart cause, identify, power-on hours, the system boot options, and the actions
 * Chassis Control and the watchdog take on it.
 *
 * Actions are instantaneous: a power cycle reports "power-cycle" and leaves the power
 * on; a soft-off (ACPI overtemperature shutdown) leaves it off as if the OS shut down.
 * Every action performed is emitted (`onAction`): a bus that reaches the machine's power
 * carries it out, and the watchdog stops on the ones that reset or power down the system.
 * What persists (restore policy, power state, powered-on time) is emitted on each change
 * (`onChange`); the boot options emit their own.
 */
import type { ChassisAction } from "../contract/host-control";
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/ipmi-error";
import type { BootOptions } from "./boot-options";
import { VALID_BIT_CLEARING } from "./boot-options";
import type { BmcClock } from "./clock";
import type { Controller } from "./controller";
import { Emitter } from "./emitter";
import type { BmcProfile } from "./profile";
import { checkMask, checkRange } from "./range-check";
import type { ResetKind } from "./reset";

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

/** Power restore policy, Get Chassis Status byte 1 bits 6:5. */
export type RestorePolicy = "always-off" | "previous" | "always-on" | "unknown";

export const RESTORE_POLICY_CODE: Readonly<Record<RestorePolicy, number>> = {
  "always-off": 0b00,
  previous: 0b01,
  "always-on": 0b10,
  unknown: 0b11,
};

/** Get Chassis Status byte 1, bits 1..4 (bit 0 is power on, 6:5 the restore policy). */
export const POWER_FAULTS = {
  OVERLOAD: 0x02,
  INTERLOCK: 0x04,
  POWER_FAULT: 0x08,
  POWER_CONTROL_FAULT: 0x10,
} as const;

/** Get Chassis Status byte 2, "Last Power Event". */
export const LAST_POWER_EVENT = {
  AC_FAILED: 0x01,
  OVERLOAD: 0x02,
  INTERLOCK: 0x04,
  POWER_FAULT: 0x08,
  POWER_ON_VIA_IPMI: 0x10,
} as const;

/** Get Chassis Status byte 3, "Misc. Chassis State". Identify state is bits 5:4. */
export const MISC_CHASSIS_STATE = {
  INTRUSION_ACTIVE: 0x01,
  FRONT_PANEL_LOCKOUT: 0x02,
  DRIVE_FAULT: 0x04,
  COOLING_FAN_FAULT: 0x08,
  IDENTIFY_TIMED_ON: 0x10,
  IDENTIFY_INDEFINITE_ON: 0x20,
  IDENTIFY_SUPPORTED: 0x40,
} as const;

/** ACPI system power states the chassis sets on its own transitions (20.6). */
const ACPI = { S0_G0: 0x00, S5_G2: 0x05, OVERRIDE: 0x0a, D0: 0x00 } as const;

/** Identify with no interval byte lasts 15 s (28.5). */
export const DEFAULT_IDENTIFY_SECONDS = 15;

/** What Get Chassis Status (28.2) and Get System Restart Cause (28.11) report. */
export interface ChassisStatus {
  powerOn: boolean;
  /** POWER_FAULTS bits of byte 1. */
  powerFaults: number;
  restorePolicy: RestorePolicy;
  /** LAST_POWER_EVENT bits, byte 2. */
  lastPowerEvent: number;
  /** MISC_CHASSIS_STATE bits, byte 3 (without the identify state, which the chassis keeps). */
  miscState: number;
  /** Optional byte 4 (front panel button capabilities and disable/enable status); null leaves it out. */
  frontPanelButtons: number | null;
  /** Get System Restart Cause byte 1 bits 3:0 (RESTART_CAUSE). */
  restartCause: number;
  /** Get System Restart Cause byte 2: the channel of the command that caused the restart. */
  restartChannel: number;
}

/** The chassis's starting status from the profile, with `overrides` (the saved policy, tests) applied. */
export function chassisStatusFromProfile(
  profile: BmcProfile,
  overrides: Partial<ChassisStatus> = {},
): ChassisStatus {
  return {
    powerOn: true,
    powerFaults: 0x00,
    restorePolicy: profile.chassis.restorePolicy,
    lastPowerEvent: 0x00,
    // Chassis Identify is implemented: bit 6 of Get Chassis Status byte 3.
    miscState: MISC_CHASSIS_STATE.IDENTIFY_SUPPORTED,
    frontPanelButtons: profile.chassis.frontPanelButtons,
    restartCause: 0x00,
    restartChannel: 0x00,
    ...overrides,
  };
}

/** What persists of the chassis, emitted on each change. */
export interface ChassisSnapshot {
  restorePolicy: RestorePolicy;
  powerOn: boolean;
  /** Powered-on time counted so far, for the POH counter after a restart. */
  poweredOnMs: number;
}

export interface ChassisOptions {
  status: ChassisStatus;
  clock: BmcClock;
  /** Where the ACPI power state the chassis's transitions set lives. */
  controller: Controller;
  bootOptions: BootOptions;
  /** Minutes per POH count and the counter at the first start. */
  poh: { minutesPerCount: number; baseCounter: number };
  /** Power-on milliseconds counted before this start (persisted). */
  poweredOnMs: number;
}

export class Chassis {
  readonly bootOptions: BootOptions;
  private readonly s: ChassisStatus;
  private readonly clock: BmcClock;
  private readonly controller: Controller;
  private readonly actions = new Emitter<ChassisAction>();
  private readonly changes = new Emitter<ChassisSnapshot>();
  private poweredOnMs: number;
  private poweredSince: number | null;
  /** Identify: off, on until a clock time, or on until told otherwise. */
  private identifyUntil: number | null = null;
  private identifyForever = false;
  /** The BMC reset or powered the host up itself; the next host reset is that one. */
  private expectingHostReset = false;

  /** Throws RangeError on a status the response bytes cannot carry. */
  constructor(private readonly o: ChassisOptions) {
    validate(o.status);
    this.s = { ...o.status };
    this.clock = o.clock;
    this.controller = o.controller;
    this.bootOptions = o.bootOptions;
    this.poweredOnMs = o.poweredOnMs;
    this.poweredSince = this.s.powerOn ? o.clock.now() : null;
  }

  get status(): Readonly<ChassisStatus> {
    return this.s;
  }

  get powerOn(): boolean {
    return this.s.powerOn;
  }

  /** What persists, now. */
  snapshot(): ChassisSnapshot {
    return {
      // "unknown" is only ever a test's starting value; a restart then restores nothing.
      restorePolicy: this.s.restorePolicy === "unknown" ? "always-off" : this.s.restorePolicy,
      powerOn: this.s.powerOn,
      poweredOnMs: this.totalPoweredOnMs(),
    };
  }

  /** Every action performed, after it took effect. */
  onAction(listener: (action: ChassisAction) => void): () => void {
    return this.actions.on(listener);
  }

  /** The restore policy, the power state or the restart cause changed. */
  onChange(listener: (snapshot: ChassisSnapshot) => void): () => void {
    return this.changes.on(listener);
  }

  /**
   * Chassis Control (28.3) from `channel`: an action that needs the system powered on is
   * D5h while it is off; any Chassis Control restarts the boot flags' 60 s countdown.
   */
  control(action: ChassisAction, channel: number): void {
    const needsPower =
      action === "power-cycle" ||
      action === "hard-reset" ||
      action === "diagnostic-interrupt" ||
      action === "soft-off";
    if (needsPower && !this.s.powerOn) {
      throw new IpmiError(CC.NOT_SUPPORTED_IN_STATE, `${action} needs the system powered on`);
    }
    this.bootOptions.chassisControl();
    this.perform(action, RESTART_CAUSE.CHASSIS_CONTROL, channel);
  }

  /**
   * Performs an action: changes the power state, restart cause and ACPI state, and tells
   * the listeners. Powering on an on chassis or off an off one does nothing. The caller
   * checks that the action makes sense in the present state (control() answers D5h).
   */
  perform(action: ChassisAction, cause: number, channel: number): void {
    const c = this.s;
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
        this.controller.setAcpiPowerState({ system: ACPI.OVERRIDE });
        break;
      case "soft-off":
        this.setPower(false);
        this.controller.setAcpiPowerState({ system: ACPI.S5_G2 });
        break;
      case "power-cycle":
        // Off and on again at once; the power came back by this command.
        this.setPower(true);
        c.lastPowerEvent = cause === RESTART_CAUSE.CHASSIS_CONTROL ? LAST_POWER_EVENT.POWER_ON_VIA_IPMI : 0;
        this.restarted(cause, channel);
        break;
      case "hard-reset":
        this.setPower(true);
        this.restarted(cause, channel);
        break;
      case "diagnostic-interrupt":
        break;
    }
    if (cause === RESTART_CAUSE.WATCHDOG && action !== "diagnostic-interrupt") {
      this.bootOptions.systemEvent(VALID_BIT_CLEARING.WATCHDOG);
    }
    this.changed();
    try {
      this.actions.emit(action);
    } catch {
      // A listener's failure (a bus that cannot reach the machine) must not undo the
      // action, which has happened, nor turn the command's answer into an error.
    }
  }

  /** Set Power Restore Policy (28.8). */
  setRestorePolicy(policy: RestorePolicy): void {
    this.s.restorePolicy = policy;
    this.changed();
  }

  /** The power restore policy at "AC applied" (BMC start): sets the power and the restart cause. */
  applyRestorePolicy(previousPowerOn: boolean): void {
    const c = this.s;
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
    this.controller.setAcpiPowerState({ system: on ? ACPI.S0_G0 : ACPI.S5_G2 });
    this.changed();
  }

  /** Chassis Identify: seconds (0 turns it off) or indefinitely. */
  identify(seconds: number, forever: boolean): void {
    this.identifyForever = forever;
    this.identifyUntil = forever || seconds === 0 ? null : this.clock.now() + seconds * 1000;
    if (!forever && seconds === 0) {
      this.s.miscState &= ~(MISC_CHASSIS_STATE.IDENTIFY_TIMED_ON | MISC_CHASSIS_STATE.IDENTIFY_INDEFINITE_ON);
    }
  }

  /** Get Chassis Status byte 3 bits 5:4 from the identify state. */
  identifyBits(): number {
    if (this.identifyForever) return MISC_CHASSIS_STATE.IDENTIFY_INDEFINITE_ON;
    if (this.identifyUntil !== null && this.clock.now() < this.identifyUntil)
      return MISC_CHASSIS_STATE.IDENTIFY_TIMED_ON;
    return 0;
  }

  /** Get POH Counter reading: counts of `minutesPerCount` powered-on minutes. */
  pohCounter(): number {
    const minutes = this.totalPoweredOnMs() / 60_000;
    return (this.o.poh.baseCounter + Math.floor(minutes / this.o.poh.minutesPerCount)) >>> 0;
  }

  totalPoweredOnMs(): number {
    return (
      this.poweredOnMs + (this.poweredSince === null ? 0 : Math.max(0, this.clock.now() - this.poweredSince))
    );
  }

  /**
   * Cold reset (20.2): identify goes off; power and restart cause are the host's and
   * stay. Both BMC resets abandon a boot options set in progress.
   *
   * Host reset: the machine reset (the QEMU guest rebooted, a platform reset line), a
   * system reset: the power is on. When the BMC itself asked for the reset, the restart
   * cause it recorded stays; otherwise it is a soft reset (28.11), which clears the boot
   * flags' valid bit unless parameter 3 says not to (28.13).
   */
  reset(kind: ResetKind): void {
    this.bootOptions.reset(kind);
    if (kind === "cold") this.identify(0, false);
    if (kind !== "host") return;
    const c = this.s;
    if (!c.powerOn) this.setPower(true);
    if (this.expectingHostReset) {
      this.expectingHostReset = false;
    } else {
      c.restartCause = RESTART_CAUSE.SOFT_RESET;
      c.restartChannel = 0;
      this.bootOptions.systemEvent(VALID_BIT_CLEARING.RESET_BUTTON_OR_SOFT_RESET);
    }
    this.changed();
  }

  private changed(): void {
    this.changes.emit(this.snapshot());
  }

  private restarted(cause: number, channel: number): void {
    const c = this.s;
    c.restartCause = cause & 0x0f;
    c.restartChannel = channel;
    this.controller.setAcpiPowerState({ system: ACPI.S0_G0, device: ACPI.D0 });
    this.expectingHostReset = true;
  }

  private setPower(on: boolean): void {
    const c = this.s;
    if (on === c.powerOn && (on ? this.poweredSince !== null : this.poweredSince === null)) return;
    if (on) this.poweredSince = this.clock.now();
    else {
      this.poweredOnMs = this.totalPoweredOnMs();
      this.poweredSince = null;
    }
    c.powerOn = on;
  }
}

/** Throws RangeError on values the response bytes cannot carry. */
function validate(c: ChassisStatus): void {
  if (!(c.restorePolicy in RESTORE_POLICY_CODE))
    throw new RangeError(`chassis.restorePolicy: ${c.restorePolicy}`);
  checkMask("chassis.powerFaults", c.powerFaults, 0x1e);
  checkRange("chassis.lastPowerEvent", c.lastPowerEvent, 0, 0xff);
  checkRange("chassis.miscState", c.miscState, 0, 0xff);
  if (c.frontPanelButtons !== null) checkRange("chassis.frontPanelButtons", c.frontPanelButtons, 0, 0xff);
  checkRange("chassis.restartCause", c.restartCause, 0, 0x0f);
  checkRange("chassis.restartChannel", c.restartChannel, 0, 0xff);
}
