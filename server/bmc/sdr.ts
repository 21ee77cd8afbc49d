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
import { IpmiError } from "../ipmi/ipmi-error";
import {
  compactSensorRecord,
  EVENT_CONTROL,
  type Factors,
  FRU_DEVICE_TYPE_BEHIND_MC,
  fruLocatorRecord,
  fullSensorRecord,
  mcLocatorRecord,
  NO_UNITS,
  NOT_SHARED,
  packSdr,
  SDR_RECORD_TYPE,
  SDR_VERSION,
  SUPPORT,
} from "../ipmi/records/sdr";
import { analogFormatCode, LINEAR, valueToRaw } from "../ipmi/spec/linear";
import type { BmcProfile, FruProfile } from "./profile";
import { readPart } from "./record-read";
import { Reservation } from "./reservation";
import type { ResetKind } from "./reset";
import { type DiscreteModel, rawRangeOf, type SensorModel, type ThresholdModel } from "./sensors";

export { SDR_RECORD_TYPE, SDR_VERSION };

/** Next Record ID of the last record. */
export const LAST_RECORD_ID = 0xffff;

/**
 * M, B, the exponents, tolerance and accuracy of a threshold sensor: full sensor record
 * bytes 25-30, and Get Sensor Reading Factors bytes 3-8 (35.5), which are the same. The
 * sensor direction is left unspecified.
 */
export function readingFactors(m: ThresholdModel): Factors {
  const s = m.profile;
  const f = m.factors;
  return {
    m: f.m,
    b: f.b,
    bExp: f.bExp,
    rExp: f.rExp,
    tolerance: s.tolerance,
    accuracy: s.accuracy,
    accuracyExp: s.accuracyExp,
    direction: 0,
  };
}

/** The channel the BMC's records give for their owners and devices: the primary IPMB (0). */
const PRIMARY_IPMB = 0;

/** The sensor key of a full or compact record (table 43-1 bytes 6-8, 43-2): owner, LUN, number, entity. */
function sensorKey(m: SensorModel, ownerId: number) {
  return {
    ownerId: ownerId & 0xfe,
    ownerLun: { channel: PRIMARY_IPMB, lun: m.lun & 0x03 },
    sensorNumber: m.number,
    entity: m.profile.entity,
  };
}

function fullSensor(recordId: number, m: ThresholdModel, ownerId: number): Uint8Array {
  const s = m.profile;
  const f = m.factors;
  const anyThreshold = m.readableMask !== 0;
  // Bits 14:12 of the event masks: which thresholds Get Sensor Reading compares against.
  const lowerCompared = (m.readableMask & 0x07) << 12;
  const upperCompared = ((m.readableMask >> 3) & 0x07) << 12;
  const raw = (v: number | undefined) => (v === undefined ? 0 : (valueToRaw(v, f) ?? 0));
  const range = rawRangeOf(m);
  const t = m.thresholds.map((v) => v ?? 0);
  return packSdr(fullSensorRecord, {
    recordId,
    body: {
      ...sensorKey(m, ownerId),
      initialization: {
        settable: false,
        initScanning: true,
        initEvents: true,
        initThresholds: anyThreshold,
        initHysteresis: false,
        initSensorType: false,
        eventsEnabled: true,
        scanningEnabled: true,
      },
      capabilities: {
        ignoreIfAbsent: false,
        autoRearm: true,
        hysteresis: s.hysteresis.positive || s.hysteresis.negative ? SUPPORT.FIXED_UNREADABLE : SUPPORT.NONE,
        thresholdAccess: m.settableMask ? SUPPORT.SETTABLE : anyThreshold ? SUPPORT.READABLE : SUPPORT.NONE,
        eventControl: m.assertionMask | m.deassertionMask ? EVENT_CONTROL.ENTIRE_SENSOR : EVENT_CONTROL.NONE,
      },
      sensorType: m.sensorType,
      eventReadingType: m.eventReadingType,
      assertionMask: m.assertionMask | lowerCompared,
      deassertionMask: m.deassertionMask | upperCompared,
      readingMask: m.readableMask | (m.settableMask << 8),
      units: {
        analogFormat: analogFormatCode(f.format),
        rate: 0,
        modifierKind: 0,
        percentage: s.percentage,
        base: s.unit,
        modifier: 0,
      },
      linearization: LINEAR,
      factors: readingFactors(m),
      analogFlags: {
        nominalSpecified: s.nominal !== undefined,
        normalMaxSpecified: s.normalMax !== undefined,
        normalMinSpecified: s.normalMin !== undefined,
      },
      nominal: raw(s.nominal),
      normalMax: raw(s.normalMax),
      normalMin: raw(s.normalMin),
      sensorMax: range.max,
      sensorMin: range.min,
      unr: t[5]!,
      uc: t[4]!,
      unc: t[3]!,
      lnr: t[2]!,
      lc: t[1]!,
      lnc: t[0]!,
      positiveHysteresis: s.hysteresis.positive,
      negativeHysteresis: s.hysteresis.negative,
      oem: 0x00,
      idString: s.name,
    },
  });
}

function compactSensor(recordId: number, m: DiscreteModel, ownerId: number): Uint8Array {
  const s = m.profile;
  return packSdr(compactSensorRecord, {
    recordId,
    body: {
      ...sensorKey(m, ownerId),
      initialization: {
        initScanning: true,
        initEvents: true,
        initThresholds: false,
        initHysteresis: false,
        initSensorType: false,
        eventsEnabled: true,
        scanningEnabled: true,
      },
      capabilities: {
        ignoreIfAbsent: false,
        autoRearm: true,
        hysteresis: SUPPORT.NONE,
        thresholdAccess: SUPPORT.NONE,
        eventControl: m.assertionMask | m.deassertionMask ? EVENT_CONTROL.ENTIRE_SENSOR : EVENT_CONTROL.NONE,
      },
      sensorType: m.sensorType,
      eventReadingType: m.eventReadingType,
      // Bit 15 of each mask is reserved: states 0-14.
      assertionMask: m.assertionMask & 0x7fff,
      deassertionMask: m.deassertionMask & 0x7fff,
      readingMask: m.statesMask & 0x7fff,
      units: NO_UNITS,
      sharing: NOT_SHARED,
      positiveHysteresis: 0,
      negativeHysteresis: 0,
      oem: 0x00,
      idString: s.name,
    },
  });
}

/** A logical FRU device behind the BMC, read with Read FRU Data (43.8, table 43-7). */
function fruLocator(recordId: number, f: FruProfile, ownerId: number): Uint8Array {
  return packSdr(fruLocatorRecord, {
    recordId,
    body: {
      accessAddress: ownerId & 0xfe,
      fruDeviceId: f.id,
      access: { logical: true, lun: 0, privateBus: 0 },
      channel: { channel: PRIMARY_IPMB },
      deviceType: FRU_DEVICE_TYPE_BEHIND_MC,
      deviceTypeModifier: 0x00,
      entity: f.entity,
      oem: 0x00,
      idString: f.name,
    },
  });
}

/** The BMC itself (43.9, table 43-8); `capabilities` uses the Get Device ID byte 6 bit layout. */
function mcLocator(recordId: number, profile: BmcProfile, capabilities: number): Uint8Array {
  const d = profile.device;
  return packSdr(mcLocatorRecord, {
    recordId,
    body: {
      slaveAddress: d.slaveAddress & 0xfe,
      channel: { channel: PRIMARY_IPMB },
      // No ACPI power state notifications; global initialization 00b: enable event message generation.
      powerStateNotification: 0x00,
      capabilities,
      entity: d.entity,
      oem: 0x00,
      idString: d.name,
    },
  });
}

export interface SdrRecord {
  id: number;
  bytes: Uint8Array;
  /** Full and compact sensor records: the sensor owner's LUN (Get Device SDR Info counts by it). */
  sensorLun?: number;
}

export function buildSdrRecords(
  profile: BmcProfile,
  models: readonly SensorModel[],
  capabilities: number,
): SdrRecord[] {
  const owner = profile.device.slaveAddress;
  const records: Array<(id: number) => SdrRecord> = [
    ...models.map((m) =>
      m.kind === "threshold"
        ? (id: number) => ({ id, bytes: fullSensor(id, m, owner), sensorLun: m.lun })
        : (id: number) => ({ id, bytes: compactSensor(id, m, owner), sensorLun: m.lun }),
    ),
    ...profile.fru.map((f) => (id: number) => ({ id, bytes: fruLocator(id, f, owner) })),
    (id: number) => ({ id, bytes: mcLocator(id, profile, capabilities) }),
  ];
  // Record ids count from 1 in this order.
  return records.map((build, i) => build(i + 1));
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

  /** A BMC reset (20.2, 20.3) cancels the reservation; the records are built from the profile and stay. */
  reset(kind: ResetKind): void {
    if (kind !== "host") this.reservation.cancel();
  }

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
    return this.records.filter((r) => r.sensorLun === lun).length;
  }

  /** Bit n set: some sensor record has owner LUN n (Get Device SDR Info byte 2). */
  sensorLuns(): number {
    let luns = 0;
    for (const r of this.records) if (r.sensorLun !== undefined) luns |= 1 << r.sensorLun;
    return luns;
  }
}
