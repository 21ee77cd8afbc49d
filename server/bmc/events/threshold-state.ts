/**
 * Threshold event state with hysteresis (IPMI 2.0 sections 36.3 and 36.4): pure, no I/O.
 *
 * Each of a sensor's six thresholds (mask bit order: 0 LNC, 1 LC, 2 LNR, 3 UNC, 4 UC,
 * 5 UNR) has one event that is asserted or not:
 *
 *   - an upper threshold's going-high event asserts when the reading reaches the threshold
 *     (reading >= threshold, as Get Sensor Reading's status bits say "at or above") and
 *     deasserts only once the reading is back below threshold − positive-going hysteresis;
 *   - a lower threshold's going-low event asserts at reading <= threshold and deasserts
 *     only once the reading is above threshold + negative-going hysteresis.
 *
 * Between the two edges (inside the hysteresis band) the state does not change, so a
 * reading that wobbles around a threshold gives one assertion, not one per wobble.
 * Readings, thresholds and hysteresis are raw counts; comparisons go through the sensor's
 * analog data format (signed formats compare as signed numbers).
 */
import { type AnalogFormat, rawToSigned } from "../../ipmi/spec/linear";

/** Positive- and negative-going threshold hysteresis, raw counts (SDR bytes 43-44). */
export interface Hysteresis {
  positive: number;
  negative: number;
}

export interface ThresholdTransition {
  /** Threshold index, mask bit order (0 LNC .. 5 UNR). */
  threshold: number;
  /** Event offset (table 42-2): 2i going low for a lower threshold, 2i+1 going high for an upper one. */
  offset: number;
  /** True: the event asserts; false: it deasserts. */
  asserted: boolean;
}

/** The event offset a threshold's event has: lower thresholds go low, upper ones go high. */
export function thresholdEventOffset(threshold: number): number {
  return threshold < 3 ? 2 * threshold : 2 * threshold + 1;
}

/**
 * The state after a reading: `asserted` has bit i set while threshold i's event is
 * asserted. Returns the new state and the transitions, in threshold order (so going
 * past several thresholds at once reports the milder one first). A threshold the sensor
 * does not have (null) is never asserted.
 */
export function nextThresholdState(
  asserted: number,
  raw: number,
  thresholds: readonly (number | null)[],
  hysteresis: Hysteresis,
  format: AnalogFormat,
): { asserted: number; transitions: ThresholdTransition[] } {
  const x = rawToSigned(raw, format);
  let next = asserted;
  const transitions: ThresholdTransition[] = [];
  for (let i = 0; i < 6; i++) {
    const bit = 1 << i;
    const was = (asserted & bit) !== 0;
    const t = thresholds[i];
    let now: boolean;
    if (t === null || t === undefined) now = false;
    else {
      const tv = rawToSigned(t, format);
      const upper = i >= 3;
      if (upper) now = was ? x >= tv - hysteresis.positive : x >= tv;
      else now = was ? x <= tv + hysteresis.negative : x <= tv;
    }
    if (now === was) continue;
    next = now ? next | bit : next & ~bit;
    // A threshold the sensor does not have cannot have asserted: nothing to report.
    if (t !== null && t !== undefined) {
      transitions.push({ threshold: i, offset: thresholdEventOffset(i), asserted: now });
    }
  }
  return { asserted: next, transitions };
}
