/**
 * Sensor Data Records (IPMI 2.0 section 43): one layout per record type, used both to pack
 * the records the BMC builds from its profile (server/bmc/sdr.ts) and to decode the records
 * a Get SDR / Get Device SDR response carries for the dashboard.
 *
 * Laid out: full sensor (01h, table 43-1), compact sensor (02h, 43-2), event-only (03h,
 * 43-3), FRU device locator (11h, 43-7) and management controller device locator (12h,
 * 43-8). Other types show their body as bytes.
 */
import { hexByte, toHex } from "../hex";
import {
  type Bytes,
  bit,
  bits,
  bytes,
  type Codec,
  dependent,
  type Earlier,
  flag,
  LayoutError,
  mapped,
  SHORT,
  struct,
  u8,
  u16,
} from "../layout/codec";
import { type Cursor, Writer } from "../layout/cursor";
import { type DecodedField, TRUNCATED } from "../layout/decoded";
import {
  type BitName,
  type Described,
  field,
  flags,
  formatNumber,
  h8,
  h16,
  signed,
  version,
  yesNo,
} from "../layout/format";
import { layout } from "../layout/layout";
import { byteCount, channelLabel, requesterId } from "../spec/labels";
import { convertReading, LINEARIZATIONS, type ReadingFactors } from "../spec/linear";
import {
  DEVICE_SUPPORT_BITS,
  EVENT_READING_TYPE_THRESHOLD,
  entityLabel,
  eventReadingTypeLabel,
  SDR_RECORD_TYPES,
  SENSOR_UNITS,
  sensorTypeLabel,
  unitLabel,
} from "../spec/tables";

/** Record header: id (2), SDR version, record type, record length (section 43, bytes 1-5). */
export const SDR_HEADER_LENGTH = 5;

/** SDR version 1.5 (51h), IPMI 1.5 and 2.0 (43, byte 3). */
export const SDR_VERSION = 0x51;

/** Record types this module lays out (byte 4). */
export const SDR_RECORD_TYPE = {
  FULL_SENSOR: 0x01,
  COMPACT_SENSOR: 0x02,
  EVENT_ONLY: 0x03,
  FRU_DEVICE_LOCATOR: 0x11,
  MC_DEVICE_LOCATOR: 0x12,
} as const;

/** Most bytes an ID string takes (43.15: full, compact, event-only and locator records end in up to 16). */
export const ID_STRING_MAX = 16;

// ---- small fields -------------------------------------------------------------------------------

/** Reserved bytes ahead of a field: read and not shown, written as 00h. */
function afterReserved<O, I>(n: number, codec: Codec<O, I>): Codec<O, I> {
  return {
    minLength: n + codec.minLength,
    maxLength: n + codec.maxLength,
    read(c, tree) {
      const skipped = c.take(n);
      const v = codec.read(c, tree);
      return skipped === SHORT ? SHORT : v;
    },
    write(w, v) {
      for (let i = 0; i < n; i++) w.byte(0);
      codec.write(w, v);
    },
  };
}

function entityInstance(v: number): string {
  const n = v & 0x7f;
  const kind = v & 0x80 ? "logical container" : "physical";
  const relative = n >= 0x60 ? ", device-relative" : "";
  return `${n} (${kind}${relative})`;
}

/** An entity (table 43-13) and its instance, as the BMC profile describes one. */
export interface Entity {
  id: number;
  /** 0-7Fh; 60h-7Fh are device-relative. */
  instance: number;
  /** Instance byte bit 7: a logical container entity rather than a physical one. */
  logical: boolean;
}

/** Entity ID and entity instance bytes. */
function entity(idLabel = "Entity ID", instanceLabel = "Entity instance"): Codec<Entity> {
  return mapped(
    struct({
      id: u8(idLabel, entityLabel),
      instance: bits(
        1,
        { instance: bit(undefined, 0, 6), logical: flag(undefined, 7) },
        { label: instanceLabel, format: entityInstance },
      ),
    }),
    (v) => ({ id: v.id, instance: v.instance.instance, logical: v.instance.logical }),
    (e: Entity) => ({ id: e.id, instance: { instance: e.instance, logical: e.logical } }),
  );
}

/** ID string type/length byte (43.15): bits 7:6 the type, 4:0 the length. */
const ID_STRING_TYPES = ["Unicode", "BCD plus", "6-bit ASCII, packed", "8-bit ASCII + Latin 1"];
/** 43.15 type 11b: 8-bit ASCII + Latin 1, the coding the BMC writes. */
export const ID_STRING_LATIN1 = 0b11;

const BCD_PLUS = "0123456789 -.???";

/** The text of an ID string, as its type/length byte says it is coded. */
export function idString(typeLength: number, b: Uint8Array): string {
  const type = typeLength >> 6;
  if (type === 3) {
    let out = "";
    for (const c of b) {
      if (c === 0) break;
      out += c >= 0x20 && (c < 0x7f || c >= 0xa0) ? String.fromCharCode(c) : ".";
    }
    return out;
  }
  if (type === 2) {
    let out = "";
    const chars = Math.floor((b.length * 8) / 6);
    for (let i = 0; i < chars; i++) {
      const bit = i * 6;
      const byte = bit >> 3;
      const shift = bit & 7;
      const word = b[byte]! | ((b[byte + 1] ?? 0) << 8);
      out += String.fromCharCode(0x20 + ((word >> shift) & 0x3f));
    }
    return out.trimEnd();
  }
  if (type === 1) {
    let out = "";
    for (const c of b) out += BCD_PLUS[c >> 4]! + BCD_PLUS[c & 0x0f]!;
    return out;
  }
  return toHex(b);
}

/** An ID string as read: its coding, its bytes and their text. */
export interface IdString {
  /** Type/length bits 7:6 (43.15). */
  type: number;
  bytes: Uint8Array;
  text: string;
}

/** Text (written as 8-bit ASCII + Latin 1), or a coding and its bytes. */
export type IdStringIn = string | { type: number; bytes: Bytes };

/**
 * The type/length byte and the string (43.15). Read: up to 31 bytes, as the length bits
 * allow; written: at most 16, as the records have room for.
 */
function idStringField(name: string): Codec<IdString, IdStringIn> {
  return {
    minLength: 1,
    maxLength: 1 + 0x1f,
    read(c, tree) {
      const tl = c.take(1);
      if (tl === SHORT) return SHORT;
      const v = tl[0]!;
      const length = v & 0x1f;
      tree?.push(field(`${name} type/length`, `${ID_STRING_TYPES[v >> 6]}, ${length} bytes`, toHex(tl)));
      if (length === 0) return { type: v >> 6, bytes: new Uint8Array(), text: "" };
      const b = c.take(length);
      if (b === SHORT) return SHORT;
      const text = idString(v, b);
      tree?.push(field(name, text, toHex(b)));
      return { type: v >> 6, bytes: b.slice(), text };
    },
    write(w, s) {
      const coded = typeof s === "string" ? { type: ID_STRING_LATIN1, bytes: latin1(name, s) } : s;
      if (coded.bytes.length > ID_STRING_MAX) {
        throw new LayoutError(`${name}: ${coded.bytes.length} bytes, at most ${ID_STRING_MAX}`);
      }
      if (!Number.isInteger(coded.type) || coded.type < 0 || coded.type > 3) {
        throw new LayoutError(`${name}: type ${coded.type} does not fit 2 bits`);
      }
      w.byte((coded.type << 6) | coded.bytes.length);
      bytes(name, coded.bytes.length).write(w, coded.bytes);
    },
  };
}

function latin1(name: string, s: string): number[] {
  return Array.from(s, (ch) => {
    const code = ch.charCodeAt(0);
    if (code > 0xff) throw new LayoutError(`${name}: "${ch}" is not Latin 1`);
    return code;
  });
}

// ---- the sensor record key and the fields sensor records share -------------------------------------

/** Sensor owner ID (byte 6): bits 7:1 the slave address or software ID, bit 0 which (1 = software). */
const ownerId = u8("Sensor owner ID", requesterId);

function ownerLunDescribed(v: number): Described {
  return {
    value: hexByte(v),
    children: [
      { name: "Channel", value: channelLabel(v >> 4) },
      { name: "LUN", value: String(v & 3) },
    ],
  };
}

/** Sensor owner LUN (byte 7): channel in bits 7:4, the owner's LUN in 1:0 (3:2 reserved). */
const ownerLun = bits(
  1,
  { channel: bit(undefined, 4, 7), lun: bit(undefined, 0, 1) },
  { label: "Sensor owner LUN", format: ownerLunDescribed },
);

/** Record key and the body bytes full, compact and event-only records share (bytes 6-10). */
const sensorKey = {
  ownerId,
  ownerLun,
  sensorNumber: u8("Sensor number", h8),
  entity: entity(),
};

const initGroups = {
  initScanning: flag("Init scanning", 6),
  initEvents: flag("Init events", 5),
  initThresholds: flag("Init thresholds", 4),
  initHysteresis: flag("Init hysteresis", 3),
  initSensorType: flag("Init sensor type", 2),
  eventsEnabled: flag("Event generation enabled", 1),
  scanningEnabled: flag("Sensor scanning enabled", 0),
};

/** Sensor initialization (byte 11); bit 7 "settable sensor" in full records only (reserved in compact). */
const fullInitialization = bits(
  1,
  { settable: flag("Settable sensor", 7), ...initGroups },
  { label: "Sensor initialization" },
);
const compactInitialization = bits(1, initGroups, { label: "Sensor initialization" });

const SUPPORT_LEVELS = ["none", "readable", "readable and settable", "fixed, unreadable"];
const EVENT_MESSAGE_CONTROL = [
  "per threshold/discrete-state event enable/disable control",
  "entire sensor only",
  "global disable only",
  "no events from sensor",
];

/** Hysteresis and threshold access support (byte 12 bits 5:4, 3:2). */
export const SUPPORT = { NONE: 0b00, READABLE: 0b01, SETTABLE: 0b10, FIXED_UNREADABLE: 0b11 } as const;
/** Event message control (byte 12 bits 1:0). */
export const EVENT_CONTROL = { PER_EVENT: 0b00, ENTIRE_SENSOR: 0b01, GLOBAL_ONLY: 0b10, NONE: 0b11 } as const;

/** Sensor capabilities (byte 12). */
const capabilities = bits(
  1,
  {
    ignoreIfAbsent: flag("Ignore sensor if entity absent", 7),
    autoRearm: flag("Auto re-arm", 6),
    hysteresis: bit("Hysteresis support", 4, 5, (v) => SUPPORT_LEVELS[v]!),
    thresholdAccess: bit("Threshold access support", 2, 3, (v) => SUPPORT_LEVELS[v]!),
    eventControl: bit("Event message control", 0, 1, (v) => EVENT_MESSAGE_CONTROL[v]!),
  },
  { label: "Sensor capabilities" },
);

const THRESHOLD_BITS: ReadonlyArray<readonly [bit: number, short: string]> = [
  [0, "LNC"],
  [1, "LC"],
  [2, "LNR"],
  [3, "UNC"],
  [4, "UC"],
  [5, "UNR"],
];

/** "LNC, LC, UNC" for the threshold bits 5:0 of `v`; "none" when none is set. */
export function thresholdList(v: number): string {
  const set = THRESHOLD_BITS.filter(([bit]) => (v >> bit) & 1).map(([, s]) => s);
  return set.length === 0 ? "none" : set.join(", ");
}

const isThreshold = (e: Earlier) => e.eventReadingType === EVENT_READING_TYPE_THRESHOLD;

/**
 * Masks of bytes 15-20: for a threshold sensor the assertion/deassertion masks carry the
 * thresholds Get Sensor Reading compares in bits 14:12, and the third mask is the readable
 * (byte 19) and settable (byte 20) thresholds; for a discrete one it is the reading mask.
 */
const masks = {
  assertionMask: dependent({ minLength: 2, maxLength: 2 }, (e) =>
    u16(isThreshold(e) ? "Assertion event mask / lower threshold reading mask" : "Assertion event mask", h16),
  ),
  deassertionMask: dependent({ minLength: 2, maxLength: 2 }, (e) =>
    u16(
      isThreshold(e) ? "Deassertion event mask / upper threshold reading mask" : "Deassertion event mask",
      h16,
    ),
  ),
  readingMask: dependent({ minLength: 2, maxLength: 2 }, (e) =>
    isThreshold(e)
      ? u16("Settable / readable threshold mask", (v) => ({
          value: h16(v),
          children: [
            { name: "Readable thresholds", value: thresholdList(v & 0xff) },
            { name: "Settable thresholds", value: thresholdList(v >> 8) },
          ],
        }))
      : u16("Discrete reading mask", h16),
  ),
};

// ---- units (bytes 21-23) ------------------------------------------------------------------------

const ANALOG_FORMATS = [
  "unsigned",
  "1's complement (signed)",
  "2's complement (signed)",
  "no analog reading",
];
const RATE_UNITS = ["none", "per µs", "per ms", "per s", "per minute", "per hour", "per day", "reserved"];
const MODIFIER_UNIT_KINDS = ["none", "base unit / modifier unit", "base unit × modifier unit", "reserved"];

/** Sensor units 1-3 (bytes 21-23 of full and compact records). */
export interface Units {
  /** Bits 7:6 of units 1: analog data format (spec/linear.ts ANALOG_DATA_FORMATS). */
  analogFormat: number;
  /** Bits 5:3: rate unit. */
  rate: number;
  /** Bits 2:1: how the modifier unit combines with the base unit. */
  modifierKind: number;
  /** Bit 0. */
  percentage: boolean;
  /** Table 43-15. */
  base: number;
  modifier: number;
}

/** "degrees C", "% Volts per s", "Watts / hour". */
function unitText(u: Units): string {
  if (u.base === 0 && !u.percentage) return "";
  let text = u.base === 0 ? "" : (SENSOR_UNITS.get(u.base) ?? `unit ${hexByte(u.base)}`);
  if (u.modifierKind === 1) text += ` / ${SENSOR_UNITS.get(u.modifier) ?? hexByte(u.modifier)}`;
  if (u.modifierKind === 2) text += ` × ${SENSOR_UNITS.get(u.modifier) ?? hexByte(u.modifier)}`;
  if (u.rate !== 0) text += ` ${RATE_UNITS[u.rate]}`;
  return u.percentage ? `% ${text}`.trim() : text;
}

/** Sensor units 1 as written (bits 7:6, 5:3, 2:1, 0). */
const unitsOne = bits(1, {
  analogFormat: bit("Analog data format", 6, 7),
  rate: bit("Rate unit", 3, 5),
  modifierKind: bit("Modifier unit", 1, 2),
  percentage: flag("Percentage", 0),
});
const unitByte = u8("Unit");

/**
 * The three unit bytes, then "Units" in words. Read a byte at a time, so a record cut
 * short in them still shows the bytes it has.
 */
const units: Codec<Units> = {
  minLength: 3,
  maxLength: 3,
  read(c, tree) {
    const one = (name: string, format: (v: number) => Described) => {
      const b = c.take(1);
      if (b === SHORT) return undefined;
      tree?.push(field(name, format(b[0]!), toHex(b)));
      return b[0]!;
    };
    const u1 = one("Sensor units 1", (v) => ({
      value: hexByte(v),
      children: [
        { name: "Analog data format", value: ANALOG_FORMATS[v >> 6]! },
        { name: "Rate unit", value: RATE_UNITS[(v >> 3) & 7]! },
        { name: "Modifier unit", value: MODIFIER_UNIT_KINDS[(v >> 1) & 3]! },
        { name: "Percentage", value: yesNo(v & 1) },
      ],
    }));
    const base = one("Base unit", unitLabel);
    const modifier = one("Modifier unit", unitLabel);
    if (u1 === undefined || base === undefined || modifier === undefined) return SHORT;
    const u: Units = {
      analogFormat: u1 >> 6,
      rate: (u1 >> 3) & 7,
      modifierKind: (u1 >> 1) & 3,
      percentage: (u1 & 1) === 1,
      base,
      modifier,
    };
    tree?.push({ name: "Units", value: unitText(u) || "none" });
    return u;
  },
  write(w, u) {
    unitsOne.write(w, u);
    unitByte.write(w, u.base);
    unitByte.write(w, u.modifier);
  },
};

/** Units of a sensor without a numeric reading (discrete sensors): "no analog reading", no unit. */
export const NO_UNITS: Units = {
  analogFormat: 0b11,
  rate: 0,
  modifierKind: 0,
  percentage: false,
  base: 0,
  modifier: 0,
};

// ---- reading factors (bytes 24-30) -------------------------------------------------------------

const SENSOR_DIRECTIONS = ["unspecified", "input", "output", "reserved"];

/** M, B, their tolerance and accuracy, the exponents; in full records also the sensor direction. */
export interface Factors extends ReadingFactors {
  /** 6 bits, in +/- ½ raw counts. */
  tolerance: number;
  /** 10 bits, in 1/100 percent scaled up by 10^accuracyExp. */
  accuracy: number;
  /** 2 bits. */
  accuracyExp: number;
  /** Full sensor records only (byte 29 bits 1:0); reserved in Get Sensor Reading Factors. */
  direction: number;
}

function fitsSigned(name: string, v: number, width: number): number {
  const lo = -(2 ** (width - 1));
  const hi = 2 ** (width - 1) - 1;
  if (!Number.isInteger(v) || v < lo || v > hi) {
    throw new LayoutError(`${name}: ${v} does not fit ${width}-bit two's complement`);
  }
  return v & (2 ** width - 1);
}

function fitsUnsigned(name: string, v: number, width: number): number {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** width) {
    throw new LayoutError(`${name}: ${v} does not fit ${width} bits`);
  }
  return v;
}

/**
 * M, tolerance, B, accuracy, exponents: 6 bytes laid out alike in full sensor records
 * (bytes 25-30) and the Get Sensor Reading Factors response (bytes 3-8, section 35.5); in
 * the record, bits 1:0 of the fifth byte are the sensor direction. Fields share bytes, so
 * each shows the hex of the bytes it comes from.
 */
export function readingFactors(withDirection: boolean): Codec<Factors> {
  return {
    minLength: 6,
    maxLength: 6,
    read(c, tree) {
      const b = c.take(6);
      if (b === SHORT) return SHORT;
      const [mLs, mMsTol, bLs, bMsAcc, accMsExp, exps] = Array.from(b) as [
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      const m = signed(mLs | ((mMsTol >> 6) << 8), 10);
      const tolerance = mMsTol & 0x3f;
      const bValue = signed(bLs | ((bMsAcc >> 6) << 8), 10);
      const accuracy = (bMsAcc & 0x3f) | ((accMsExp >> 4) << 6);
      const accuracyExp = (accMsExp >> 2) & 3;
      const rExp = signed(exps >> 4, 4);
      const bExp = signed(exps & 0x0f, 4);
      const direction = withDirection ? accMsExp & 3 : 0;
      if (tree) {
        const hex = (...i: number[]) => toHex(i.map((k) => b[k]!));
        tree.push({ name: "M", value: String(m), raw: hex(0, 1) });
        tree.push({ name: "Tolerance", value: `±${formatNumber(tolerance / 2)} raw counts`, raw: hex(1) });
        tree.push({ name: "B", value: String(bValue), raw: hex(2, 3) });
        tree.push({
          name: "Accuracy",
          value: `${formatNumber((accuracy * 10 ** accuracyExp) / 100)} %`,
          raw: hex(3, 4),
        });
        tree.push({ name: "Accuracy exponent", value: String(accuracyExp), raw: hex(4) });
        if (withDirection)
          tree.push({ name: "Sensor direction", value: SENSOR_DIRECTIONS[direction]!, raw: hex(4) });
        tree.push({ name: "R exponent", value: String(rExp), raw: hex(5) });
        tree.push({ name: "B exponent", value: String(bExp), raw: hex(5) });
      }
      return { m, tolerance, b: bValue, accuracy, accuracyExp, direction, rExp, bExp };
    },
    write(w, f) {
      const m = fitsSigned("M", f.m, 10);
      const b = fitsSigned("B", f.b, 10);
      const tolerance = fitsUnsigned("Tolerance", f.tolerance, 6);
      const accuracy = fitsUnsigned("Accuracy", f.accuracy, 10);
      const accuracyExp = fitsUnsigned("Accuracy exponent", f.accuracyExp, 2);
      const direction = fitsUnsigned("Sensor direction", withDirection ? f.direction : 0, 2);
      const rExp = fitsSigned("R exponent", f.rExp, 4);
      const bExp = fitsSigned("B exponent", f.bExp, 4);
      w.byte(m & 0xff);
      w.byte(((m >> 8) << 6) | tolerance);
      w.byte(b & 0xff);
      w.byte(((b >> 8) << 6) | (accuracy & 0x3f));
      w.byte(((accuracy >> 6) << 4) | (accuracyExp << 2) | direction);
      w.byte((rExp << 4) | bExp);
    },
  };
}

// ---- full sensor record (table 43-1) -------------------------------------------------------------

/** How a raw byte of this record reads: "28h = 40 degrees C" when it converts, else the hex. */
function converter(e: Earlier): (raw: number) => string {
  const u = e.units as Units | undefined;
  const linearization = e.linearization as number | undefined;
  const f = e.factors as Factors | undefined;
  if (u === undefined || linearization === undefined || f === undefined) return h8;
  const text = unitText(u);
  return (raw) => {
    const y = convertReading(raw, f, u.analogFormat, linearization);
    return y === undefined ? h8(raw) : `${h8(raw)} = ${formatNumber(y)}${text ? ` ${text}` : ""}`;
  };
}

/** A reading byte (nominal, normal range, sensor range, thresholds) shown converted. */
const reading = (label: string) => dependent({ minLength: 1, maxLength: 1 }, (e) => u8(label, converter(e)));

const fullSensorBody = struct({
  ...sensorKey,
  initialization: fullInitialization,
  capabilities,
  sensorType: u8("Sensor type", sensorTypeLabel),
  eventReadingType: u8("Event/reading type", eventReadingTypeLabel),
  ...masks,
  units,
  linearization: u8("Linearization", (v) => LINEARIZATIONS.label(v & 0x7f)),
  factors: readingFactors(true),
  analogFlags: bits(
    1,
    {
      nominalSpecified: flag("Nominal reading specified", 0),
      normalMaxSpecified: flag("Normal max specified", 1),
      normalMinSpecified: flag("Normal min specified", 2),
    },
    { label: "Analog characteristic flags" },
  ),
  nominal: reading("Nominal reading"),
  normalMax: reading("Normal maximum"),
  normalMin: reading("Normal minimum"),
  sensorMax: reading("Sensor maximum reading"),
  sensorMin: reading("Sensor minimum reading"),
  unr: reading("Upper non-recoverable threshold"),
  uc: reading("Upper critical threshold"),
  unc: reading("Upper non-critical threshold"),
  lnr: reading("Lower non-recoverable threshold"),
  lc: reading("Lower critical threshold"),
  lnc: reading("Lower non-critical threshold"),
  positiveHysteresis: u8("Positive-going threshold hysteresis", h8),
  negativeHysteresis: u8("Negative-going threshold hysteresis", h8),
  // Bytes 45-46 reserved.
  oem: afterReserved(2, u8("OEM", h8)),
  idString: idStringField("ID string"),
});

// ---- compact sensor and event-only records (tables 43-2, 43-3) ----------------------------------------

const MODIFIER_TYPES = ["numeric", "alpha", "reserved", "reserved"];

/** Sensor record sharing (compact bytes 24-25, event-only bytes 13-14). */
const sharing = bits(2, {
  direction: bit("Sensor direction", 6, 7, (v) => SENSOR_DIRECTIONS[v]!),
  shareCount: bit("Share count", 0, 3),
  modifierType: bit("ID string instance modifier type", 4, 5, (v) => MODIFIER_TYPES[v]!),
  modifierOffset: bit("ID string instance modifier offset", 8, 14),
  entityInstanceShared: flag("Entity instance same for shared records", 15),
});

/** One sensor, no sharing. */
export const NOT_SHARED = {
  direction: 0,
  shareCount: 0,
  modifierType: 0,
  modifierOffset: 0,
  entityInstanceShared: false,
} as const;

const compactSensorBody = struct({
  ...sensorKey,
  initialization: compactInitialization,
  capabilities,
  sensorType: u8("Sensor type", sensorTypeLabel),
  eventReadingType: u8("Event/reading type", eventReadingTypeLabel),
  ...masks,
  units,
  sharing,
  positiveHysteresis: u8("Positive-going threshold hysteresis", h8),
  negativeHysteresis: u8("Negative-going threshold hysteresis", h8),
  // Bytes 29-31 reserved.
  oem: afterReserved(3, u8("OEM", h8)),
  idString: idStringField("ID string"),
});

const eventOnlyBody = struct({
  ...sensorKey,
  sensorType: u8("Sensor type", sensorTypeLabel),
  eventReadingType: u8("Event/reading type", eventReadingTypeLabel),
  sharing,
  // Byte 15 reserved.
  oem: afterReserved(1, u8("OEM", h8)),
  idString: idStringField("ID string"),
});

// ---- device locator records (tables 43-7, 43-8) --------------------------------------------------------

/** An 8-bit slave address whose bit 0 is reserved. */
const slaveAddress = (label: string) => u8(label, (v) => hexByte(v & 0xfe));

/** FRU device type "FRU inventory device behind management controller" (table 43-12, with modifier 00h). */
export const FRU_DEVICE_TYPE_BEHIND_MC = 0x10;

const fruLocatorBody = struct({
  accessAddress: slaveAddress("Device access address"),
  fruDeviceId: u8("FRU device ID / slave address", h8),
  access: bits(1, {
    logical: flag("Logical FRU device", 7),
    lun: bit("Access LUN", 3, 4),
    privateBus: bit("Private bus ID", 0, 2),
  }),
  channel: bits(1, { channel: bit("Channel number", 4, 7, channelLabel) }),
  // Byte 10 reserved.
  deviceType: afterReserved(1, u8("Device type", h8)),
  deviceTypeModifier: u8("Device type modifier", h8),
  entity: entity("FRU entity ID", "FRU entity instance"),
  oem: u8("OEM", h8),
  idString: idStringField("Device ID string"),
});

const DEVICE_SUPPORT: readonly BitName[] = DEVICE_SUPPORT_BITS;

const mcLocatorBody = struct({
  slaveAddress: slaveAddress("Device slave address"),
  channel: bits(1, { channel: bit("Channel number", 0, 3, channelLabel) }),
  powerStateNotification: u8("Power state notification / global initialization", h8),
  capabilities: u8("Device capabilities", flags(DEVICE_SUPPORT)),
  // Bytes 10-12 reserved.
  entity: afterReserved(3, entity()),
  oem: u8("OEM", h8),
  idString: idStringField("Device ID string"),
});

// ---- whole records ---------------------------------------------------------------------------------

/** A record's body as its layout reads it, and what packs it. */
export type FullSensorRecord = typeof fullSensorBody extends Codec<infer O, unknown> ? O : never;
export type FullSensorRecordIn = typeof fullSensorBody extends Codec<unknown, infer I> ? I : never;
export type CompactSensorRecord = typeof compactSensorBody extends Codec<infer O, unknown> ? O : never;
export type CompactSensorRecordIn = typeof compactSensorBody extends Codec<unknown, infer I> ? I : never;
export type EventOnlyRecord = typeof eventOnlyBody extends Codec<infer O, unknown> ? O : never;
export type EventOnlyRecordIn = typeof eventOnlyBody extends Codec<unknown, infer I> ? I : never;
export type FruLocatorRecord = typeof fruLocatorBody extends Codec<infer O, unknown> ? O : never;
export type FruLocatorRecordIn = typeof fruLocatorBody extends Codec<unknown, infer I> ? I : never;
export type McLocatorRecord = typeof mcLocatorBody extends Codec<infer O, unknown> ? O : never;
export type McLocatorRecordIn = typeof mcLocatorBody extends Codec<unknown, infer I> ? I : never;

/** The body layout of each record type laid out here. */
const BODIES: ReadonlyMap<number, Codec<unknown, never>> = new Map<number, Codec<unknown, never>>([
  [SDR_RECORD_TYPE.FULL_SENSOR, fullSensorBody],
  [SDR_RECORD_TYPE.COMPACT_SENSOR, compactSensorBody],
  [SDR_RECORD_TYPE.EVENT_ONLY, eventOnlyBody],
  [SDR_RECORD_TYPE.FRU_DEVICE_LOCATOR, fruLocatorBody],
  [SDR_RECORD_TYPE.MC_DEVICE_LOCATOR, mcLocatorBody],
]);

/** The record header (bytes 1-5). */
const header = struct({
  recordId: u16("Record ID", h16),
  version: u8("SDR version", (v) => `${version(v)} (${hexByte(v)})`),
  recordType: u8("Record type", (v) => SDR_RECORD_TYPES.label(v)),
  recordLength: u8("Record length", byteCount),
});

export interface SdrHeader {
  recordId: number;
  /** 51h: SDR 1.5. */
  version: number;
  recordType: number;
  /** Bytes after the header. */
  recordLength: number;
}

/** A record as read: its header and its body as the type lays it out (the bytes of a type laid out nowhere). */
export interface SdrRecord extends SdrHeader {
  body: unknown;
}

/**
 * Any SDR record: the header, then the body as its type lays it out. Read only: the BMC
 * packs records with the typed codecs below, which fill in the type and the length.
 */
export const sdrRecord: Codec<SdrRecord, never> = {
  minLength: SDR_HEADER_LENGTH,
  maxLength: SDR_HEADER_LENGTH + 0xff,
  read(c: Cursor, tree) {
    const h = header.read(c, tree);
    if (h === SHORT) return SHORT;
    const laidOut = BODIES.get(h.recordType);
    if (laidOut === undefined && h.recordLength === 0) return { ...h, body: new Uint8Array() };
    // A type laid out nowhere here shows its body as bytes.
    const body = (laidOut ?? bytes("Record body", h.recordLength)).read(c, tree);
    return body === SHORT ? SHORT : { ...h, body };
  },
  write() {
    throw new LayoutError("an SDR record is packed by its type's codec");
  },
};

/** What packs a record of one type: its id and body; the version defaults to 51h, the length is counted. */
export interface SdrRecordIn<B> {
  recordId: number;
  version?: number;
  body: B;
}

/** A record of one type: the header with that type and the body's length, then the body. */
function typedRecord<O, I>(type: number, body: Codec<O, I>): Codec<SdrHeader & { body: O }, SdrRecordIn<I>> {
  return {
    minLength: SDR_HEADER_LENGTH + body.minLength,
    maxLength: SDR_HEADER_LENGTH + body.maxLength,
    read(c, tree) {
      const h = header.read(c, tree);
      const b = body.read(c, tree);
      return h === SHORT || b === SHORT ? SHORT : { ...h, body: b };
    },
    write(w, v) {
      const bw = new Writer();
      body.write(bw, v.body);
      const b = bw.finish();
      if (b.length > 0xff)
        throw new LayoutError(`record body of ${b.length} bytes does not fit its length byte`);
      header.write(w, {
        recordId: v.recordId,
        version: v.version ?? SDR_VERSION,
        recordType: type,
        recordLength: b.length,
      });
      w.bytes(b);
    },
  };
}

export const fullSensorRecord = typedRecord(SDR_RECORD_TYPE.FULL_SENSOR, fullSensorBody);
export const compactSensorRecord = typedRecord(SDR_RECORD_TYPE.COMPACT_SENSOR, compactSensorBody);
export const eventOnlyRecord = typedRecord(SDR_RECORD_TYPE.EVENT_ONLY, eventOnlyBody);
export const fruLocatorRecord = typedRecord(SDR_RECORD_TYPE.FRU_DEVICE_LOCATOR, fruLocatorBody);
export const mcLocatorRecord = typedRecord(SDR_RECORD_TYPE.MC_DEVICE_LOCATOR, mcLocatorBody);

/** Packs a record with its type's codec; throws LayoutError when a value does not fit. */
export function packSdr<I>(codec: Codec<unknown, SdrRecordIn<I>>, record: SdrRecordIn<I>): Uint8Array {
  const w = new Writer();
  codec.write(w, record);
  return w.finish();
}

const sdrRecordLayout = layout(sdrRecord);

/** The fields of an SDR record: the header (bytes 1-5), then the body as its type lays it out. */
export function decodeSdrRecord(b: Uint8Array): DecodedField[] {
  const fields = sdrRecordLayout.decode(b);
  if (b.length < SDR_HEADER_LENGTH) return fields;
  // A layout cut short stops counting at its first missing byte; the header says how many the record has.
  const lacking = SDR_HEADER_LENGTH + b[4]! - b.length;
  return fields.map((f) => {
    if (f.name !== TRUNCATED || lacking <= 0) return f;
    const missing = Math.max(lacking, Number.parseInt(f.value, 10) || 0);
    return { name: TRUNCATED, value: `${missing} ${missing === 1 ? "byte" : "bytes"} missing` };
  });
}
