/**
 * The SDR repository: records built from the profile (IPMI 2.0 section 43) and the
 * reservation and partial-read rules of Reserve SDR Repository / Get SDR (33.11, 33.12).
 *
 * Records, in record-id order from 1: one Full Sensor Record (01h) per threshold
 * sensor and one Compact Sensor Record (02h) per discrete sensor in profile order,
 * one FRU Device Locator (11h) per FRU device, then the BMC's Management Controller
 * Device Locator (12h). The repository is read-only to clients (no Add/Delete SDR):
 * only a new reservation or a BMC reset cancels a reservation.
 */
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/fields";
import { le16, Reservation, readPart } from "./core";
import { ANALOG_FORMAT_CODE, valueToRaw } from "./linear";
import type { BmcProfile, FruProfile } from "./profile";
import { type DiscreteModel, rawRangeOf, type SensorModel, type ThresholdModel } from "./sensors";

export const SDR_VERSION = 0x51;
export const SDR_RECORD_TYPE = {
  FULL_SENSOR: 0x01,
  COMPACT_SENSOR: 0x02,
  FRU_DEVICE_LOCATOR: 0x11,
  MC_DEVICE_LOCATOR: 0x12,
} as const;
/** Record header: id (2), version, type, length. */
export const SDR_HEADER_LENGTH = 5;
/** Next Record ID of the last record. */
export const LAST_RECORD_ID = 0xffff;

/** Sensor initialization byte (table 43-1 byte 11) bits. */
const INIT = {
  SCANNING_ENABLED: 0x01,
  EVENTS_ENABLED: 0x02,
  INIT_THRESHOLDS: 0x10,
  INIT_EVENTS: 0x20,
  INIT_SCANNING: 0x40,
} as const;

/** Sensor capabilities byte (byte 12): auto re-arm, threshold access, event message control. */
const CAP_AUTO_REARM = 0x40;
const THRESHOLD_ACCESS = { NONE: 0b00, READABLE: 0b01, SETTABLE: 0b10 } as const;
const EVENT_CONTROL = { ENTIRE_SENSOR: 0b01, NONE: 0b11 } as const;
const HYSTERESIS_FIXED_UNREADABLE = 0b11;

/** Type/length byte of an 8-bit ASCII + Latin-1 ID string (43.15): 11b in bits 7:6, length in 4:0. */
export function idString(text: string): number[] {
  const bytes = [...Buffer.from(text, "latin1")].slice(0, 16);
  return [0xc0 | bytes.length, ...bytes];
}

function header(type: number, body: number[]): number[] {
  // Record id is filled in when the repository numbers the records.
  return [0x00, 0x00, SDR_VERSION, type, body.length, ...body];
}

function entityBytes(e: { id: number; instance: number; logical: boolean }): number[] {
  return [e.id, (e.logical ? 0x80 : 0) | (e.instance & 0x7f)];
}

/**
 * M, tolerance, B, accuracy, accuracy exponent, R and B exponents: full sensor record
 * bytes 25-30, and Get Sensor Reading Factors bytes 3-8 (35.5), which are the same.
 */
export function readingFactorBytes(m: ThresholdModel): number[] {
  const s = m.profile;
  const f = m.factors;
  const mBits = f.m & 0x3ff;
  const bBits = f.b & 0x3ff;
  return [
    mBits & 0xff,
    ((mBits >> 8) << 6) | (s.tolerance & 0x3f),
    bBits & 0xff,
    ((bBits >> 8) << 6) | (s.accuracy & 0x3f),
    (((s.accuracy >> 6) & 0x0f) << 4) | ((s.accuracyExp & 0x03) << 2),
    ((f.rExp & 0x0f) << 4) | (f.bExp & 0x0f),
  ];
}

export function fullSensorRecord(m: ThresholdModel, ownerId: number): number[] {
  const s = m.profile;
  const f = m.factors;
  const anyThreshold = m.readableMask !== 0;
  const init =
    INIT.INIT_SCANNING |
    INIT.INIT_EVENTS |
    (anyThreshold ? INIT.INIT_THRESHOLDS : 0) |
    INIT.EVENTS_ENABLED |
    INIT.SCANNING_ENABLED;
  const hysteresis = s.hysteresis.positive || s.hysteresis.negative ? HYSTERESIS_FIXED_UNREADABLE : 0;
  const access = m.settableMask
    ? THRESHOLD_ACCESS.SETTABLE
    : anyThreshold
      ? THRESHOLD_ACCESS.READABLE
      : THRESHOLD_ACCESS.NONE;
  const events = m.assertionMask | m.deassertionMask ? EVENT_CONTROL.ENTIRE_SENSOR : EVENT_CONTROL.NONE;
  const caps = CAP_AUTO_REARM | (hysteresis << 4) | (access << 2) | events;
  // Bits 14:12 of the event masks: which thresholds Get Sensor Reading compares against.
  const lowerCompared = (m.readableMask & 0x07) << 12;
  const upperCompared = ((m.readableMask >> 3) & 0x07) << 12;
  const assertion = m.assertionMask | lowerCompared;
  const deassertion = m.deassertionMask | upperCompared;
  const raw = (v: number | undefined) => (v === undefined ? 0 : (valueToRaw(v, f) ?? 0));
  const analogFlags =
    (s.nominal !== undefined ? 0x01 : 0) |
    (s.normalMax !== undefined ? 0x02 : 0) |
    (s.normalMin !== undefined ? 0x04 : 0);
  const range = rawRangeOf(m);
  const t = m.thresholds.map((v) => v ?? 0);
  const body = [
    ownerId & 0xfe,
    m.lun & 0x03,
    m.number,
    ...entityBytes(s.entity),
    init,
    caps,
    m.sensorType,
    m.eventReadingType,
    assertion & 0xff,
    (assertion >> 8) & 0xff,
    deassertion & 0xff,
    (deassertion >> 8) & 0xff,
    m.readableMask,
    m.settableMask,
    (ANALOG_FORMAT_CODE[f.format] << 6) | (s.percentage ? 0x01 : 0),
    s.unit,
    0x00, // modifier unit
    0x00, // linearization: linear
    ...readingFactorBytes(m),
    analogFlags,
    raw(s.nominal),
    raw(s.normalMax),
    raw(s.normalMin),
    range.max,
    range.min,
    t[5]!, // UNR
    t[4]!, // UC
    t[3]!, // UNC
    t[2]!, // LNR
    t[1]!, // LC
    t[0]!, // LNC
    s.hysteresis.positive,
    s.hysteresis.negative,
    0x00,
    0x00,
    0x00, // OEM
    ...idString(s.name),
  ];
  return header(SDR_RECORD_TYPE.FULL_SENSOR, body);
}

export function compactSensorRecord(m: DiscreteModel, ownerId: number): number[] {
  const s = m.profile;
  const init = INIT.INIT_SCANNING | INIT.INIT_EVENTS | INIT.EVENTS_ENABLED | INIT.SCANNING_ENABLED;
  const events = m.assertionMask | m.deassertionMask ? EVENT_CONTROL.ENTIRE_SENSOR : EVENT_CONTROL.NONE;
  const body = [
    ownerId & 0xfe,
    m.lun & 0x03,
    m.number,
    ...entityBytes(s.entity),
    init,
    CAP_AUTO_REARM | events,
    m.sensorType,
    m.eventReadingType,
    m.assertionMask & 0xff,
    (m.assertionMask >> 8) & 0x7f,
    m.deassertionMask & 0xff,
    (m.deassertionMask >> 8) & 0x7f,
    m.statesMask & 0xff,
    (m.statesMask >> 8) & 0x7f,
    0xc0, // units 1: no analog reading
    0x00,
    0x00,
    0x00, // record sharing: one sensor
    0x00,
    0x00, // hysteresis
    0x00,
    0x00,
    0x00,
    0x00,
    0x00, // OEM
    ...idString(s.name),
  ];
  return header(SDR_RECORD_TYPE.COMPACT_SENSOR, body);
}

/** A logical FRU device behind the BMC, read with Read FRU Data (43.8). */
export function fruLocatorRecord(f: FruProfile, ownerId: number): number[] {
  const body = [
    ownerId & 0xfe,
    f.id,
    0x80, // logical FRU device, LUN 0, private bus 0
    0x00, // channel 0
    0x00,
    0x10, // device type: FRU inventory device behind a management controller
    0x00,
    ...entityBytes(f.entity),
    0x00,
    ...idString(f.name),
  ];
  return header(SDR_RECORD_TYPE.FRU_DEVICE_LOCATOR, body);
}

/** The BMC itself (43.9); `capabilities` uses the Get Device ID byte 6 bit layout. */
export function mcLocatorRecord(profile: BmcProfile, capabilities: number): number[] {
  const d = profile.device;
  const body = [
    d.slaveAddress & 0xfe,
    0x00, // channel 0
    0x00, // no ACPI notifications; enable event message generation
    capabilities,
    0x00,
    0x00,
    0x00,
    ...entityBytes(d.entity),
    0x00,
    ...idString(d.name),
  ];
  return header(SDR_RECORD_TYPE.MC_DEVICE_LOCATOR, body);
}

export interface SdrRecord {
  id: number;
  bytes: Uint8Array;
}

export function buildSdrRecords(
  profile: BmcProfile,
  models: readonly SensorModel[],
  capabilities: number,
): SdrRecord[] {
  const owner = profile.device.slaveAddress;
  const raw: number[][] = [
    ...models.map((m) =>
      m.kind === "threshold" ? fullSensorRecord(m, owner) : compactSensorRecord(m, owner),
    ),
    ...profile.fru.map((f) => fruLocatorRecord(f, owner)),
    mcLocatorRecord(profile, capabilities),
  ];
  return raw.map((r, i) => {
    const id = i + 1;
    const bytes = Uint8Array.from(r);
    bytes.set(le16(id), 0);
    return { id, bytes };
  });
}

/** Allocation unit the repository reports (Get SDR Repository Allocation Info). */
export const SDR_ALLOCATION_UNIT = 16;

export class SdrRepository {
  /** Reserve SDR Repository; only a new reservation or a BMC reset cancels it. */
  readonly reservation = new Reservation();

  constructor(
    readonly records: readonly SdrRecord[],
    /** SEL-clock seconds when the records were "added" (BMC start). */
    readonly lastAddition: number,
  ) {}

  /**
   * Get SDR. A non-zero offset needs the current reservation; a non-zero reservation
   * that is not the current one is refused even at offset 0 (ipmitool reserves first
   * and retries on C5h). Throws IpmiError C5h, CBh, C9h or CAh.
   */
  read(req: { reservation: number; recordId: number; offset: number; count: number }, maxCount: number) {
    this.reservation.check(req.reservation, req.offset !== 0);
    const index = req.recordId === 0 ? 0 : this.records.findIndex((r) => r.id === req.recordId);
    const record = this.records[index];
    if (index < 0 || !record) throw new IpmiError(CC.NOT_PRESENT, `no SDR with record id ${req.recordId}`);
    if (req.offset >= record.bytes.length) {
      throw new IpmiError(
        CC.PARAMETER_OUT_OF_RANGE,
        `offset ${req.offset} is past the record's ${record.bytes.length} bytes`,
      );
    }
    const data = readPart(record.bytes, req.offset, req.count);
    if (data.length > maxCount)
      throw new IpmiError(CC.CANNOT_RETURN_BYTES, `${data.length} bytes do not fit one response`);
    const next = this.records[index + 1]?.id ?? LAST_RECORD_ID;
    return { next, data };
  }

  allocationUnits(): { total: number; largestRecord: number } {
    let total = 0;
    let largest = 0;
    for (const r of this.records) {
      const units = Math.ceil(r.bytes.length / SDR_ALLOCATION_UNIT);
      total += units;
      largest = Math.max(largest, units);
    }
    return { total, largestRecord: largest };
  }

  /** Sensor records (full and compact) whose owner LUN is `lun` (Get Device SDR Info). */
  sensorCount(lun: number): number {
    return this.records.filter((r) => sensorLun(r) === lun).length;
  }

  /** Bit n set: some sensor record has owner LUN n (Get Device SDR Info byte 2). */
  sensorLuns(): number {
    let luns = 0;
    for (const r of this.records) {
      const lun = sensorLun(r);
      if (lun !== undefined) luns |= 1 << lun;
    }
    return luns;
  }
}

/** The owner LUN of a full or compact sensor record; undefined for other records. */
function sensorLun(r: SdrRecord): number | undefined {
  const type = r.bytes[3];
  if (type !== SDR_RECORD_TYPE.FULL_SENSOR && type !== SDR_RECORD_TYPE.COMPACT_SENSOR) return undefined;
  return (r.bytes[6] ?? 0) & 0x03;
}
