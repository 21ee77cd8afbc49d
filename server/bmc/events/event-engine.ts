/**
 * The event engine: turns threshold crossings of the BMC's own sensors into events
 * (IPMI 2.0 sections 29.7 and 36). It scans every threshold sensor once a second on the
 * BMC's clock (the simulated readings are a function of time, sensors.ts) and at once
 * after a Set Sensor Threshold changed a sensor's thresholds, so an operator who sets a
 * threshold below the reading sees the event immediately.
 *
 * Each crossing (threshold-state.ts: hysteresis) that the sensor's event enables allow —
 * scanning and event messages enabled (35.11 byte 2 bits 7:6), the offset's bit in the
 * assertion or deassertion enables — becomes a threshold event message (table 29-6):
 * generator the BMC's slave address on LUN 0, event type 01h (threshold), event data 1
 * 50h | offset (data 2 is the trigger reading, data 3 the trigger threshold), and goes to
 * the event receiver (SEL and event message buffer, event-receiver.ts).
 *
 * A sensor whose reading is unavailable (it needs host power and the host is off) is not
 * evaluated: its events keep the state they had until it reads again. Disabled events
 * still track the state, so enabling them later does not replay an old crossing.
 * The state is volatile: a cold reset (20.2) re-arms every sensor, and the next scan
 * reports again what is still crossed, as at power-up.
 */
import { EVM_REV, type EventMessage } from "../../ipmi/records/sel";
import { EVENT_READING_TYPE_THRESHOLD } from "../../ipmi/spec/tables";
import type { Logger } from "../../logger";
import type { BmcClock } from "../clock";
import type { ResetKind } from "../reset";
import type { SensorRuntime, Sensors, ThresholdModel } from "../sensors";
import type { EventReceiver } from "./event-receiver";
import { nextThresholdState, type ThresholdTransition } from "./threshold-state";

/** How often the sensors are scanned: about what a real BMC's sensor scan takes. */
export const SCAN_INTERVAL_MS = 1000;
/** Event data 1 bits 7:6 = 01b (data 2: trigger reading), 5:4 = 01b (data 3: trigger threshold), table 29-6. */
const THRESHOLD_EVENT_DATA1 = 0x50;

export interface EventEngineOptions {
  sensors: Sensors;
  clock: BmcClock;
  receiver: EventReceiver;
  /** Generator ID of the events: the BMC's slave address (20h). */
  generatorId: number;
  scanIntervalMs?: number;
  log?: Logger;
}

/** One event the engine generated, as its listeners hear of it. */
export interface SensorEvent {
  lun: number;
  sensorNumber: number;
  transition: ThresholdTransition;
  raw: number;
  recordId: number | null;
  buffered: boolean;
}

export class EventEngine {
  private readonly asserted = new Map<SensorRuntime, number>();
  private readonly sensors: Sensors;
  private readonly clock: BmcClock;
  private readonly receiver: EventReceiver;
  private readonly generatorId: number;
  private readonly intervalMs: number;
  private readonly log: Logger | undefined;
  private cancelTimer: (() => void) | undefined;
  private readonly offThresholds: () => void;
  private readonly listeners = new Set<(e: SensorEvent) => void>();
  private closed = false;

  /** Scans once at once (the power-up state), then every `scanIntervalMs`. */
  constructor(o: EventEngineOptions) {
    this.sensors = o.sensors;
    this.clock = o.clock;
    this.receiver = o.receiver;
    this.generatorId = o.generatorId;
    this.intervalMs = o.scanIntervalMs ?? SCAN_INTERVAL_MS;
    this.log = o.log;
    this.offThresholds = o.sensors.onThresholdsChange(({ lun, number }) => {
      const rt = this.sensors.get(lun, number);
      if (rt) this.evaluate(rt);
    });
    this.scan();
    this.arm();
  }

  /** Called after each event the engine generated. */
  onEvent(listener: (e: SensorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Threshold events asserted on a sensor: bit i for threshold i (mask bit order). */
  assertedOf(rt: SensorRuntime): number {
    return this.asserted.get(rt) ?? 0;
  }

  /** Evaluates every threshold sensor now. */
  scan(): void {
    for (const rt of this.sensors.list) if (rt.model.kind === "threshold") this.evaluate(rt);
  }

  /** Evaluates one sensor's reading against its thresholds now. */
  evaluate(rt: SensorRuntime): void {
    const model = rt.model;
    if (model.kind !== "threshold" || !rt.scanningEnabled) return;
    const reading = this.sensors.reading(rt);
    if (reading.unavailable) return;
    const before = this.asserted.get(rt) ?? 0;
    const { asserted, transitions } = nextThresholdState(
      before,
      reading.raw,
      rt.thresholds,
      model.profile.hysteresis,
      model.factors.format,
    );
    this.asserted.set(rt, asserted);
    for (const t of transitions) {
      if (!this.enabled(rt, t)) continue;
      this.emit(rt, model, t, reading.raw);
    }
  }

  /** A cold reset re-arms the sensors: every event starts deasserted and the scan reports again. */
  reset(kind: ResetKind): void {
    if (kind !== "cold") return;
    this.asserted.clear();
    this.scan();
  }

  /** Stops the scan and the threshold subscription. */
  close(): void {
    this.closed = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.offThresholds();
  }

  private enabled(rt: SensorRuntime, t: ThresholdTransition): boolean {
    if (!rt.eventsEnabled) return false;
    const mask = t.asserted ? rt.assertionEnables : rt.deassertionEnables;
    return (mask & (1 << t.offset)) !== 0;
  }

  private emit(rt: SensorRuntime, model: ThresholdModel, t: ThresholdTransition, raw: number): void {
    const event: EventMessage = {
      evmRev: EVM_REV,
      sensorType: model.sensorType,
      sensorNumber: model.number,
      dirType: { deassertion: !t.asserted, eventType: EVENT_READING_TYPE_THRESHOLD },
      eventData: [THRESHOLD_EVENT_DATA1 | t.offset, raw & 0xff, (rt.thresholds[t.threshold] ?? 0xff) & 0xff],
    };
    const { recordId, buffered } = this.receiver.deliver({
      generator: { id: this.generatorId, channel: 0, lun: model.lun, reserved: 0 },
      event,
    });
    this.log?.info(
      `bmc: sensor ${model.name} (${model.number.toString(16)}h) event offset ${t.offset} ` +
        `${t.asserted ? "asserted" : "deasserted"} at raw ${raw}`,
    );
    const e: SensorEvent = {
      lun: model.lun,
      sensorNumber: model.number,
      transition: t,
      raw,
      recordId,
      buffered,
    };
    for (const listener of [...this.listeners]) {
      try {
        listener(e);
      } catch {
        // Observers only: the event has been logged and buffered.
      }
    }
  }

  private arm(): void {
    if (this.closed) return;
    this.cancelTimer = this.clock.at(this.clock.now() + this.intervalMs, () => {
      this.cancelTimer = undefined;
      this.scan();
      this.arm();
    });
  }
}
