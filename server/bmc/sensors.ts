/**
 * Sensors: what the profile says about each (turned into the raw numbers the SDR and
 * the sensor commands carry) and their state at run time. Readings are a pure
 * function of the clock (no timers): Get Sensor Reading at time t always gives the
 * same answer for the same profile.
 *
 * Threshold order everywhere here is the bit order of the threshold masks (IPMI 2.0
 * 35.8/35.9, Set/Get Sensor Threshold byte 1): 0 LNC, 1 LC, 2 LNR, 3 UNC, 4 UC, 5 UNR.
 *
 * Thresholds a client sets persist: each Set Sensor Threshold emits the sensor's
 * client-set values (`onThresholdsChange`), which the persistence module stores.
 */
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/ipmi-error";
import {
  clampToRaw,
  compareRaw,
  type LinearFactors,
  rawDomain,
  valueToRaw,
  valueToX,
} from "../ipmi/spec/linear";
import { EVENT_READING_TYPE_THRESHOLD } from "../ipmi/spec/tables";
import type { BmcClock } from "./clock";
import { Emitter } from "./emitter";
import { invalidField } from "./invalid-field";
import {
  type DiscreteSensorProfile,
  linearFactors,
  type SensorProfile,
  THRESHOLD_EVENT_NAMES,
  THRESHOLD_NAMES,
  type ThresholdName,
  type ThresholdSensorProfile,
} from "./profile";
import type { ResetKind } from "./reset";

interface ModelCommon {
  lun: number;
  number: number;
  name: string;
  sensorType: number;
  eventReadingType: number;
  requiresHostPower: boolean;
  /** 15-bit (discrete) or 12-bit (threshold) masks of the events the sensor supports. */
  assertionMask: number;
  deassertionMask: number;
}

export interface ThresholdModel extends ModelCommon {
  kind: "threshold";
  profile: ThresholdSensorProfile;
  factors: LinearFactors;
  /** Raw threshold bytes from the profile in mask bit order; null where the profile has none. */
  thresholds: (number | null)[];
  readableMask: number;
  settableMask: number;
}

export interface DiscreteModel extends ModelCommon {
  kind: "discrete";
  profile: DiscreteSensorProfile;
  /** States the sensor can report (SDR discrete reading mask). */
  statesMask: number;
  /** States asserted at start. */
  initialState: number;
}

export type SensorModel = ThresholdModel | DiscreteModel;

const bits = (offsets: readonly number[]) => offsets.reduce((m, o) => m | (1 << o), 0);

export function sensorModel(s: SensorProfile): SensorModel {
  const common = {
    lun: s.lun,
    number: s.number,
    name: s.name,
    sensorType: s.type,
    requiresHostPower: s.requiresHostPower,
  };
  if (s.kind === "discrete") {
    const statesMask = bits(s.states);
    return {
      ...common,
      kind: "discrete",
      profile: s,
      eventReadingType: s.eventReadingType,
      statesMask,
      initialState: bits(s.asserted),
      assertionMask: s.events.assertion ? bits(s.events.assertion) : statesMask,
      deassertionMask: s.events.deassertion ? bits(s.events.deassertion) : statesMask,
    };
  }
  const factors = linearFactors(s);
  const thresholds = THRESHOLD_NAMES.map((n) => {
    const v = s.thresholds[n];
    return v === undefined ? null : valueToRaw(v, factors);
  });
  const readableMask = thresholds.reduce<number>((m, t, i) => (t === null ? m : m | (1 << i)), 0);
  const settable: readonly ThresholdName[] =
    s.settable ?? THRESHOLD_NAMES.filter((n) => s.thresholds[n] !== undefined);
  const settableMask = bits(settable.map((n) => THRESHOLD_NAMES.indexOf(n)));
  // Default events: going low through each lower threshold, going high through each upper one.
  const defaults = THRESHOLD_NAMES.filter((n) => s.thresholds[n] !== undefined).map(
    (n) => `${n}-${n.startsWith("l") ? "low" : "high"}` as const,
  );
  const eventBits = (names: readonly string[]) =>
    bits(names.map((n) => THRESHOLD_EVENT_NAMES.indexOf(n as (typeof THRESHOLD_EVENT_NAMES)[number])));
  return {
    ...common,
    kind: "threshold",
    profile: s,
    eventReadingType: EVENT_READING_TYPE_THRESHOLD,
    factors,
    thresholds,
    readableMask,
    settableMask,
    assertionMask: eventBits(s.events.assertion ?? defaults),
    deassertionMask: eventBits(s.events.deassertion ?? defaults),
  };
}

/** The raw reading of a threshold sensor at clock time `nowMs`. */
export function rawReadingAt(model: ThresholdModel, nowMs: number): number {
  const s = model.profile;
  let value = s.reading;
  if (s.movement.kind === "sine") {
    const angle =
      (2 * Math.PI * (nowMs / 1000)) / s.movement.periodSeconds + (s.movement.phaseDegrees * Math.PI) / 180;
    value += s.movement.amplitude * Math.sin(angle);
  }
  return clampToRaw(valueToX(value, model.factors), model.factors.format);
}

/** Run-time state of one sensor: what Set commands change and cold reset restores. */
export interface SensorRuntime {
  model: SensorModel;
  eventsEnabled: boolean;
  scanningEnabled: boolean;
  assertionEnables: number;
  deassertionEnables: number;
  /** Current raw thresholds (threshold sensors), mask bit order; null: none. */
  thresholds: (number | null)[];
  /** Thresholds a client set, by index: persisted. */
  clientSet: (number | null)[];
  /** Asserted states (discrete sensors). */
  state: number;
}

export interface ThresholdOverride {
  lun: number;
  number: number;
  /** Raw values in mask bit order; null keeps the profile's. */
  values: (number | null)[];
}

/** What Get Sensor Reading (35.14) reports of a sensor. */
export interface SensorReading {
  /** The raw reading byte (threshold sensors; 0 for discrete ones). */
  raw: number;
  eventsEnabled: boolean;
  scanningEnabled: boolean;
  /** Reading/state unavailable: the sensor needs host power and the host is off. */
  unavailable: boolean;
  /** Threshold status bits 5:0 (threshold sensors) or asserted states 0..14 (discrete). */
  status: number;
}

/** Whether the host is powered: sensors that need it read "unavailable" while it is not. */
export interface HostPower {
  readonly powerOn: boolean;
}

export class Sensors {
  private readonly byKey = new Map<string, SensorRuntime>();
  private readonly thresholdChanges = new Emitter<ThresholdOverride>();
  readonly list: SensorRuntime[];

  constructor(
    readonly models: readonly SensorModel[],
    private readonly clock: BmcClock,
    private readonly host: HostPower,
    /** Thresholds clients set before a restart. */
    saved: readonly ThresholdOverride[] = [],
  ) {
    this.list = models.map((model) => {
      const rt: SensorRuntime = {
        model,
        eventsEnabled: true,
        scanningEnabled: true,
        assertionEnables: 0,
        deassertionEnables: 0,
        thresholds: model.kind === "threshold" ? [...model.thresholds] : [],
        clientSet: [null, null, null, null, null, null],
        state: model.kind === "discrete" ? model.initialState : 0,
      };
      this.byKey.set(key(model.lun, model.number), rt);
      return rt;
    });
    this.resetEventState();
    this.applySaved(saved);
  }

  get(lun: number, number: number): SensorRuntime | undefined {
    return this.byKey.get(key(lun, number));
  }

  /** Called with a sensor's client-set thresholds after each Set Sensor Threshold that changed some. */
  onThresholdsChange(listener: (o: ThresholdOverride) => void): () => void {
    return this.thresholdChanges.on(listener);
  }

  /**
   * Set Sensor Threshold (35.8): the thresholds `mask` selects take the raw `values`
   * (mask bit order). CDh for a discrete sensor, CCh for one that is not settable.
   */
  setThresholds(rt: SensorRuntime, mask: number, values: readonly number[]): void {
    const m = thresholdModel(rt);
    const notSettable = mask & ~m.settableMask;
    if (notSettable) invalidField(`thresholds ${notSettable.toString(2).padStart(6, "0")}b are not settable`);
    values.forEach((v, i) => {
      if (mask & (1 << i)) {
        rt.thresholds[i] = v;
        rt.clientSet[i] = v;
      }
    });
    if (mask) this.thresholdChanges.emit({ lun: m.lun, number: m.number, values: [...rt.clientSet] });
  }

  /** A cold reset (20.2) initializes the sensors again; client-set thresholds are non-volatile and stay. */
  reset(kind: ResetKind): void {
    if (kind === "cold") this.resetEventState();
  }

  /** Sensor initialization as the SDR's init bits say: events and scanning on, enables = event masks. */
  private resetEventState(): void {
    for (const rt of this.list) {
      rt.eventsEnabled = true;
      rt.scanningEnabled = true;
      rt.assertionEnables = rt.model.assertionMask;
      rt.deassertionEnables = rt.model.deassertionMask;
    }
  }

  /** Applies thresholds a client set before a restart; ignores sensors the profile no longer has. */
  private applySaved(saved: readonly ThresholdOverride[]): void {
    for (const o of saved) {
      const rt = this.get(o.lun, o.number);
      if (rt?.model.kind !== "threshold") continue;
      o.values.forEach((v, i) => {
        if (v !== null && i < 6 && (rt.model as ThresholdModel).settableMask & (1 << i)) {
          rt.thresholds[i] = v & 0xff;
          rt.clientSet[i] = v & 0xff;
        }
      });
    }
  }

  reading(rt: SensorRuntime): SensorReading {
    const m = rt.model;
    const unavailable = m.requiresHostPower && !this.host.powerOn;
    let raw = 0;
    let status = 0;
    if (m.kind === "discrete") status = unavailable ? 0 : rt.state & m.statesMask;
    else if (!unavailable) {
      raw = rawReadingAt(m, this.clock.now());
      status = thresholdStatus(raw, rt.thresholds, m.factors);
    }
    // One object of one shape: this runs for every Get Sensor Reading, the host's most frequent poll.
    return { raw, eventsEnabled: rt.eventsEnabled, scanningEnabled: rt.scanningEnabled, unavailable, status };
  }

  /** Asserts (or deasserts) a discrete state, e.g. the watchdog sensor's expiry offset. */
  setState(lun: number, number: number, offset: number, asserted: boolean): void {
    const rt = this.get(lun, number);
    if (rt?.model.kind !== "discrete") return;
    rt.state = asserted ? rt.state | (1 << offset) : rt.state & ~(1 << offset);
  }

  /** The first sensor of a type (e.g. 23h, the watchdog). */
  firstOfType(sensorType: number): SensorRuntime | undefined {
    return this.list.find((rt) => rt.model.sensorType === sensorType);
  }
}

/** The model of a threshold-based sensor; CDh ("illegal for the sensor") for a discrete one. */
export function thresholdModel(rt: SensorRuntime): ThresholdModel {
  if (rt.model.kind !== "threshold") {
    throw new IpmiError(
      CC.ILLEGAL_FOR_SENSOR_OR_RECORD,
      `sensor ${rt.model.number.toString(16)}h is not threshold-based`,
    );
  }
  return rt.model;
}

/**
 * Get Sensor Reading byte 3 bits 5:0: at or below LNC/LC/LNR, at or above UNC/UC/UNR,
 * for each threshold the sensor has.
 */
export function thresholdStatus(
  raw: number,
  thresholds: readonly (number | null)[],
  f: LinearFactors,
): number {
  let status = 0;
  thresholds.forEach((t, i) => {
    if (t === null) return;
    const cmp = compareRaw(raw, t, f.format);
    if (i < 3 ? cmp <= 0 : cmp >= 0) status |= 1 << i;
  });
  return status;
}

/** The raw range ends of a threshold sensor (SDR sensor minimum/maximum reading). */
export function rawRangeOf(model: ThresholdModel): { min: number; max: number } {
  const s = model.profile;
  const domain = rawDomain(model.factors.format);
  return {
    min: s.min === undefined ? domain.min & 0xff : (valueToRaw(s.min, model.factors) ?? 0),
    max: s.max === undefined ? domain.max & 0xff : (valueToRaw(s.max, model.factors) ?? 0xff),
  };
}

function key(lun: number, number: number): string {
  return `${lun}:${number}`;
}
