/**
 * Layouts several commands share: the event message fields (Platform Event, SEL system
 * event records), the 16-byte SEL record (Get SEL Entry, Add SEL Entry), SDR records
 * (Get SDR, Get Device SDR), sensor reading factors (Get Sensor Reading Factors, full
 * sensor records) and the threshold bits.
 */
import { hexByte, toHex } from "../hex";
import {
  type BitName,
  bitsOf,
  type Described,
  field,
  flags,
  formatNumber,
  h8,
  h16,
  named,
  Reader,
  signed,
  timestamp,
  version,
  yesNo,
} from "./reader";
import {
  EVENT_READING_TYPE_THRESHOLD,
  entityLabel,
  eventOffsetName,
  eventReadingTypeLabel,
  ianaLabel,
  SDR_RECORD_TYPES,
  SENSOR_UNITS,
  selRecordTypeLabel,
  sensorTypeLabel,
  unitLabel,
} from "./tables";
import { type DecodedField, PARTIAL, TRUNCATED } from "./types";

// ---------------------------------------------------------------------------------------
// Shared small fields

/** Record IDs: FFFFh as "next" means there is none (Get SDR / Get SEL Entry). */
export function nextRecordId(v: number): string {
  return v === 0xffff ? "FFFFh (last record)" : h16(v);
}

export function reservationId(v: number): string {
  return v === 0 ? "0000h (none)" : h16(v);
}

/** Requested record id: 0000h is the first record, FFFFh the last. */
export function requestedRecordId(v: number): string {
  if (v === 0x0000) return "0000h (first)";
  if (v === 0xffff) return "FFFFh (last)";
  return h16(v);
}

export function bytesToRead(v: number): string {
  return v === 0xff ? "FFh (entire record)" : `${v} bytes`;
}

export function byteCount(v: number): string {
  return `${v} ${v === 1 ? "byte" : "bytes"}`;
}

/** An 8-bit slave address or system software ID (IPMI 2.0 section 5.5, table 5-4). */
export function requesterId(v: number): string {
  if ((v & 1) === 0) return `IPMB slave address ${hexByte(v)}`;
  let kind = "Reserved";
  if (v <= 0x1f) kind = "BIOS";
  else if (v <= 0x3f) kind = "SMI Handler";
  else if (v <= 0x5f) kind = "System Management Software";
  else if (v <= 0x7f) kind = "OEM";
  else if (v <= 0x8d) kind = "Remote Console software";
  else if (v === 0x8f) kind = "Terminal Mode Remote Console software";
  return `System software ID ${hexByte(v)} (${kind})`;
}

/** Channel numbers (section 6.3). */
export function channelLabel(n: number): string {
  if (n === 0x0) return "0 (Primary IPMB)";
  if (n === 0xe) return "Eh (present interface)";
  if (n === 0xf) return "Fh (system interface)";
  if (n <= 0xb) return `${n}`;
  return `${n.toString(16).toUpperCase()}h (reserved)`;
}

// ---------------------------------------------------------------------------------------
// Event message fields (section 29.7, table 29-6; SEL record bytes 11-16)

const ED2_USAGE_THRESHOLD = [
  "unspecified",
  "trigger reading",
  "OEM code",
  "sensor-specific event extension code",
];
const ED3_USAGE_THRESHOLD = [
  "unspecified",
  "trigger threshold value",
  "OEM code",
  "sensor-specific event extension code",
];
const ED2_USAGE_DISCRETE = [
  "unspecified",
  "previous state and/or severity",
  "OEM code",
  "sensor-specific event extension code",
];
const ED3_USAGE_DISCRETE = ["unspecified", "reserved", "OEM code", "sensor-specific event extension code"];
const ED2_USAGE_OEM = ["unspecified", "previous state and/or severity", "OEM code", "reserved"];
const ED3_USAGE_OEM = ["unspecified", "reserved", "OEM code", "reserved"];

function usageTables(eventType: number): [ed2: string[], ed3: string[]] {
  if (eventType === EVENT_READING_TYPE_THRESHOLD) return [ED2_USAGE_THRESHOLD, ED3_USAGE_THRESHOLD];
  if (eventType >= 0x70 && eventType <= 0x7f) return [ED2_USAGE_OEM, ED3_USAGE_OEM];
  return [ED2_USAGE_DISCRETE, ED3_USAGE_DISCRETE];
}

export function evmRevLabel(v: number): string {
  if (v === 0x04) return "04h (IPMI 1.5/2.0)";
  if (v === 0x03) return "03h (IPMI 1.0)";
  return hexByte(v);
}

/**
 * EvMRev, sensor type, sensor number, event dir/type and event data 1-3, read from `r`.
 * Event data 2 and 3 may be left out (Platform Event Message) when `optionalData23`.
 */
export function readEventFields(r: Reader, optionalData23 = false): void {
  r.u8("EvM revision", evmRevLabel);
  const sensorType = r.u8("Sensor type", sensorTypeLabel) ?? 0;
  r.u8("Sensor number", h8);
  const dirType =
    r.multi(1, (v) => [
      ["Event direction", v & 0x80 ? "Deassertion" : "Assertion"],
      ["Event type", eventReadingTypeLabel(v & 0x7f)],
    ]) ?? 0;
  const eventType = dirType & 0x7f;
  const [ed2Table, ed3Table] = usageTables(eventType);
  const ed1 = r.u8("Event data 1", (v) => {
    const offset = v & 0x0f;
    const name = eventOffsetName(eventType, sensorType, offset);
    return {
      value: hexByte(v),
      children: [
        { name: "Event data 2 usage", value: ed2Table[v >> 6]! },
        { name: "Event data 3 usage", value: ed3Table[(v >> 4) & 3]! },
        { name: "Offset", value: name === undefined ? hexByte(offset) : `${name} (${hexByte(offset)})` },
      ],
    };
  });
  const ed2Usage = ed1 === undefined ? 0 : ed1 >> 6;
  const ed3Usage = ed1 === undefined ? 0 : (ed1 >> 4) & 3;
  const readData23 = () => {
    r.u8("Event data 2", (v) => eventData2(v, eventType, ed2Usage));
    r.u8("Event data 3", (v) => {
      if (eventType === EVENT_READING_TYPE_THRESHOLD && ed3Usage === 1)
        return `${hexByte(v)} (trigger threshold value)`;
      return hexByte(v);
    });
  };
  if (optionalData23) r.optional(readData23);
  else readData23();
}

function eventData2(v: number, eventType: number, usage: number): Described {
  if (eventType === EVENT_READING_TYPE_THRESHOLD && usage === 1) return `${hexByte(v)} (trigger reading)`;
  if (eventType !== EVENT_READING_TYPE_THRESHOLD && usage === 1) {
    const severity = v >> 4;
    const previous = v & 0x0f;
    return {
      value: hexByte(v),
      children: [
        { name: "Severity offset", value: severity === 0xf ? "unspecified" : hexByte(severity) },
        { name: "Previous state offset", value: previous === 0xf ? "unspecified" : hexByte(previous) },
      ],
    };
  }
  return hexByte(v);
}

// ---------------------------------------------------------------------------------------
// SEL records (section 32, table 32-1)

export const SEL_RECORD_LENGTH = 16;

function generatorId(v: number): Described {
  const id = v & 0xff;
  const hi = v >> 8;
  const isSoftware = (id & 1) === 1;
  return {
    value: h16(v),
    children: [
      { name: "ID", value: requesterId(id) },
      { name: "Channel", value: channelLabel(hi >> 4) },
      { name: "LUN", value: isSoftware ? "n/a" : String(hi & 3) },
    ],
  };
}

/** Fields of a 16-byte SEL record. */
export function decodeSelRecord(b: Uint8Array): DecodedField[] {
  const r = new Reader(b);
  r.u16("Record ID", h16);
  const type = r.u8("Record type", selRecordTypeLabel);
  if (type === undefined) {
    r.take(SEL_RECORD_LENGTH - 3);
  } else if (type >= 0xe0) {
    r.bytes("OEM defined", 13);
  } else if (type >= 0xc0) {
    r.u32("Timestamp", timestamp);
    r.u24("Manufacturer ID", ianaLabel);
    r.bytes("OEM defined", 6);
  } else {
    // 02h; the reserved types below C0h are read as system event records too, as ipmitool does.
    r.u32("Timestamp", timestamp);
    r.u16("Generator ID", generatorId);
    readEventFields(r);
  }
  return r.finish();
}

/** The record field of a Get SEL Entry / Get SDR response, with a one-line summary. */
function recordField(name: string, b: Uint8Array, children: DecodedField[], summary: string): DecodedField {
  return field(name, { value: summary, children }, toHex(b));
}

function fieldValue(fields: DecodedField[], name: string): string | undefined {
  return fields.find((f) => f.name === name)?.value;
}

/** A record read in part: the missing bytes were not asked for, so they are not "truncated". */
function markPartial(fields: DecodedField[], read: number, total: number | undefined): DecodedField[] {
  return fields.map((f) =>
    f.name === TRUNCATED
      ? {
          name: PARTIAL,
          value: total === undefined ? `${read} bytes read` : `${read} of ${total} bytes read`,
        }
      : f,
  );
}

/**
 * The record part of a Get SEL Entry / Get SDR response. `offset` and `toRead` come from
 * the request when it is known: a read from a non-zero offset is shown as bytes, and a
 * read of fewer bytes than the record has is a partial read, not a truncated one.
 */
export function recordPart(
  kind: "SEL" | "SDR",
  b: Uint8Array,
  offset: number,
  toRead: number,
): DecodedField | undefined {
  if (b.length === 0) return undefined;
  if (offset > 0) {
    return {
      name: "Record data",
      value: `bytes ${offset}-${offset + b.length - 1} of the record`,
      raw: toHex(b),
    };
  }
  if (kind === "SEL") {
    let fields = decodeSelRecord(b);
    if (toRead !== 0xff && b.length === toRead && toRead < SEL_RECORD_LENGTH) {
      fields = markPartial(fields, b.length, SEL_RECORD_LENGTH);
    }
    const type = fieldValue(fields, "Record type");
    const sensor = fieldValue(fields, "Sensor type");
    return recordField("Record", b, fields, [type, sensor].filter(Boolean).join(", ") || "SEL record");
  }
  let fields = decodeSdrRecord(b);
  const total = b.length >= 5 ? 5 + b[4]! : undefined;
  if (toRead !== 0xff && b.length === toRead && (total === undefined || toRead < total)) {
    fields = markPartial(fields, b.length, total);
  }
  const type = fieldValue(fields, "Record type");
  const id = fieldValue(fields, "ID string");
  return recordField(
    "Record",
    b,
    fields,
    [type, id === undefined ? undefined : `"${id}"`].filter(Boolean).join(", ") || "SDR record",
  );
}

// ---------------------------------------------------------------------------------------
// SDR records (section 43)

/** Sensor owner ID / device slave address byte: bits 7:1 the ID, bit 0 its kind. */
function ownerId(v: number): string {
  return requesterId(v);
}

function ownerLun(v: number): Described {
  return {
    value: hexByte(v),
    children: [
      { name: "Channel", value: channelLabel(v >> 4) },
      { name: "LUN", value: String(v & 3) },
    ],
  };
}

function entityInstance(v: number): string {
  const n = v & 0x7f;
  const kind = v & 0x80 ? "logical container" : "physical";
  const relative = n >= 0x60 ? ", device-relative" : "";
  return `${n} (${kind}${relative})`;
}

const SENSOR_INITIALIZATION: readonly BitName[] = [
  [6, "Init scanning"],
  [5, "Init events"],
  [4, "Init thresholds"],
  [3, "Init hysteresis"],
  [2, "Init sensor type"],
  [1, "Event generation enabled"],
  [0, "Sensor scanning enabled"],
];

const FULL_SENSOR_INITIALIZATION: readonly BitName[] = [[7, "Settable sensor"], ...SENSOR_INITIALIZATION];

const SUPPORT_LEVELS = ["none", "readable", "readable and settable", "fixed, unreadable"];
const EVENT_MESSAGE_CONTROL = [
  "per threshold/discrete-state event enable/disable control",
  "entire sensor only",
  "global disable only",
  "no events from sensor",
];

function sensorCapabilities(v: number): Described {
  return {
    value: hexByte(v),
    children: [
      { name: "Ignore sensor if entity absent", value: yesNo(v & 0x80) },
      { name: "Auto re-arm", value: yesNo(v & 0x40) },
      { name: "Hysteresis support", value: SUPPORT_LEVELS[bitsOf(v, 5, 4)]! },
      { name: "Threshold access support", value: SUPPORT_LEVELS[bitsOf(v, 3, 2)]! },
      { name: "Event message control", value: EVENT_MESSAGE_CONTROL[v & 3]! },
    ],
  };
}

const ANALOG_FORMATS = [
  "unsigned",
  "1's complement (signed)",
  "2's complement (signed)",
  "no analog reading",
];
const RATE_UNITS = ["none", "per µs", "per ms", "per s", "per minute", "per hour", "per day", "reserved"];
const MODIFIER_UNIT_KINDS = ["none", "base unit / modifier unit", "base unit × modifier unit", "reserved"];

interface Units {
  analogFormat: number;
  rate: number;
  modifierKind: number;
  percentage: boolean;
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

/** Sensor units 1-3 (bytes 21-23 of full and compact records). */
function readUnits(r: Reader): Units | undefined {
  const u1 = r.u8("Sensor units 1", (v) => ({
    value: hexByte(v),
    children: [
      { name: "Analog data format", value: ANALOG_FORMATS[v >> 6]! },
      { name: "Rate unit", value: RATE_UNITS[bitsOf(v, 5, 3)]! },
      { name: "Modifier unit", value: MODIFIER_UNIT_KINDS[bitsOf(v, 2, 1)]! },
      { name: "Percentage", value: yesNo(v & 1) },
    ],
  }));
  const base = r.u8("Base unit", unitLabel);
  const modifier = r.u8("Modifier unit", unitLabel);
  if (u1 === undefined || base === undefined || modifier === undefined) return undefined;
  const units: Units = {
    analogFormat: u1 >> 6,
    rate: bitsOf(u1, 5, 3),
    modifierKind: bitsOf(u1, 2, 1),
    percentage: (u1 & 1) === 1,
    base,
    modifier,
  };
  r.add({ name: "Units", value: unitText(units) || "none" });
  return units;
}

export interface Factors {
  m: number;
  b: number;
  bExp: number;
  rExp: number;
}

const SENSOR_DIRECTIONS = ["unspecified", "input", "output", "reserved"];

/**
 * M, tolerance, B, accuracy, exponents: 6 bytes laid out alike in full sensor records
 * (bytes 25-30) and the Get Sensor Reading Factors response (bytes 2-7); in the record,
 * bits 1:0 of the fifth byte are the sensor direction.
 */
export function readFactors(r: Reader, withDirection: boolean): Factors | undefined {
  const b = r.take(6);
  if (b === undefined) return undefined;
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
  const accExp = bitsOf(accMsExp, 3, 2);
  const rExp = signed(exps >> 4, 4);
  const bExp = signed(exps & 0x0f, 4);
  const hex = (...i: number[]) => toHex(i.map((k) => b[k]!));
  r.add({ name: "M", value: String(m), raw: hex(0, 1) });
  r.add({ name: "Tolerance", value: `±${formatNumber(tolerance / 2)} raw counts`, raw: hex(1) });
  r.add({ name: "B", value: String(bValue), raw: hex(2, 3) });
  r.add({ name: "Accuracy", value: `${formatNumber((accuracy * 10 ** accExp) / 100)} %`, raw: hex(3, 4) });
  r.add({ name: "Accuracy exponent", value: String(accExp), raw: hex(4) });
  if (withDirection)
    r.add({ name: "Sensor direction", value: SENSOR_DIRECTIONS[accMsExp & 3]!, raw: hex(4) });
  r.add({ name: "R exponent", value: String(rExp), raw: hex(5) });
  r.add({ name: "B exponent", value: String(bExp), raw: hex(5) });
  return { m, b: bValue, bExp, rExp };
}

const LINEARIZATIONS: ReadonlyMap<number, string> = new Map([
  [0x00, "linear"],
  [0x01, "ln"],
  [0x02, "log10"],
  [0x03, "log2"],
  [0x04, "e"],
  [0x05, "exp10"],
  [0x06, "exp2"],
  [0x07, "1/x"],
  [0x08, "sqr(x)"],
  [0x09, "cube(x)"],
  [0x0a, "sqrt(x)"],
  [0x0b, "cube-1(x)"],
]);

const LINEAR_FUNCTIONS: ReadonlyArray<(x: number) => number> = [
  (x) => x,
  Math.log,
  Math.log10,
  Math.log2,
  Math.exp,
  (x) => 10 ** x,
  (x) => 2 ** x,
  (x) => 1 / x,
  (x) => x * x,
  (x) => x * x * x,
  Math.sqrt,
  Math.cbrt,
];

function linearizationLabel(v: number): string {
  const code = v & 0x7f;
  const name = LINEARIZATIONS.get(code) ?? (code >= 0x70 ? "non-linear (OEM)" : "reserved");
  return named(code, name);
}

/** y = L[(M·x + B·10^Bexp)·10^Rexp] (section 36.3), or undefined when it cannot be computed. */
export function convertReading(
  raw: number,
  f: Factors,
  analogFormat: number,
  linearization: number,
): number | undefined {
  const fn = LINEAR_FUNCTIONS[linearization & 0x7f];
  if (fn === undefined || analogFormat === 3) return undefined;
  let x = raw;
  if (analogFormat === 1) x = raw & 0x80 ? raw - 0xff : raw;
  if (analogFormat === 2) x = signed(raw, 8);
  const y = fn((f.m * x + f.b * 10 ** f.bExp) * 10 ** f.rExp);
  return Number.isFinite(y) ? y : undefined;
}

type Converter = (raw: number) => string;

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

/** ID string type/length byte (sections 43.15): bits 7:6 the type, 4:0 the length. */
const ID_STRING_TYPES = ["Unicode", "BCD plus", "6-bit ASCII, packed", "8-bit ASCII + Latin 1"];

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

function readIdString(r: Reader, name = "ID string"): void {
  const tl = r.u8(`${name} type/length`, (v) => `${ID_STRING_TYPES[v >> 6]}, ${v & 0x1f} bytes`);
  if (tl === undefined) return;
  const length = tl & 0x1f;
  if (length > 0) r.bytes(name, length, (b) => idString(tl, b));
}

function sdrRecordTypeLabel(code: number): string {
  return named(code, SDR_RECORD_TYPES.get(code) ?? (code >= 0xc0 ? "OEM Record" : undefined));
}

/** Record key and the body bytes full, compact and event-only records share (bytes 6-10). */
function readSensorKey(r: Reader): void {
  r.u8("Sensor owner ID", ownerId);
  r.u8("Sensor owner LUN", ownerLun);
  r.u8("Sensor number", h8);
  r.u8("Entity ID", entityLabel);
  r.u8("Entity instance", entityInstance);
}

/** Masks of bytes 15-20: their names depend on whether the sensor is threshold-based. */
function readMasks(r: Reader, threshold: boolean): void {
  if (threshold) {
    r.u16("Assertion event mask / lower threshold reading mask", h16);
    r.u16("Deassertion event mask / upper threshold reading mask", h16);
    r.u16("Settable / readable threshold mask", (v) => ({
      value: h16(v),
      children: [
        { name: "Readable thresholds", value: thresholdList(v & 0xff) },
        { name: "Settable thresholds", value: thresholdList(v >> 8) },
      ],
    }));
  } else {
    r.u16("Assertion event mask", h16);
    r.u16("Deassertion event mask", h16);
    r.u16("Discrete reading mask", h16);
  }
}

function readSharing(r: Reader): void {
  r.multi(2, (v) => [
    ["Sensor direction", SENSOR_DIRECTIONS[bitsOf(v, 7, 6)]!],
    ["Share count", String(v & 0x0f)],
    [
      "ID string instance modifier type",
      bitsOf(v, 5, 4) === 0 ? "numeric" : bitsOf(v, 5, 4) === 1 ? "alpha" : "reserved",
    ],
    ["ID string instance modifier offset", String((v >> 8) & 0x7f)],
    ["Entity instance same for shared records", yesNo(v & 0x8000)],
  ]);
}

function readFullSensor(r: Reader): void {
  readSensorKey(r);
  r.u8("Sensor initialization", flags(FULL_SENSOR_INITIALIZATION));
  r.u8("Sensor capabilities", sensorCapabilities);
  r.u8("Sensor type", sensorTypeLabel);
  const eventType = r.u8("Event/reading type", eventReadingTypeLabel);
  const threshold = eventType === EVENT_READING_TYPE_THRESHOLD;
  readMasks(r, threshold);
  const units = readUnits(r);
  const linearization = r.u8("Linearization", linearizationLabel);
  const factors = readFactors(r, true);
  let convert: Converter = h8;
  if (units !== undefined && linearization !== undefined && factors !== undefined) {
    const text = unitText(units);
    convert = (raw) => {
      const y = convertReading(raw, factors, units.analogFormat, linearization);
      return y === undefined ? h8(raw) : `${h8(raw)} = ${formatNumber(y)}${text ? ` ${text}` : ""}`;
    };
  }
  r.u8("Analog characteristic flags", (v) => ({
    value: hexByte(v),
    children: [
      { name: "Nominal reading specified", value: yesNo(v & 1) },
      { name: "Normal max specified", value: yesNo(v & 2) },
      { name: "Normal min specified", value: yesNo(v & 4) },
    ],
  }));
  r.u8("Nominal reading", convert);
  r.u8("Normal maximum", convert);
  r.u8("Normal minimum", convert);
  r.u8("Sensor maximum reading", convert);
  r.u8("Sensor minimum reading", convert);
  r.u8("Upper non-recoverable threshold", convert);
  r.u8("Upper critical threshold", convert);
  r.u8("Upper non-critical threshold", convert);
  r.u8("Lower non-recoverable threshold", convert);
  r.u8("Lower critical threshold", convert);
  r.u8("Lower non-critical threshold", convert);
  r.u8("Positive-going threshold hysteresis", h8);
  r.u8("Negative-going threshold hysteresis", h8);
  r.take(2); // reserved
  r.u8("OEM", h8);
  readIdString(r);
}

function readCompactSensor(r: Reader): void {
  readSensorKey(r);
  r.u8("Sensor initialization", flags(SENSOR_INITIALIZATION));
  r.u8("Sensor capabilities", sensorCapabilities);
  r.u8("Sensor type", sensorTypeLabel);
  const eventType = r.u8("Event/reading type", eventReadingTypeLabel);
  readMasks(r, eventType === EVENT_READING_TYPE_THRESHOLD);
  readUnits(r);
  readSharing(r);
  r.u8("Positive-going threshold hysteresis", h8);
  r.u8("Negative-going threshold hysteresis", h8);
  r.take(3); // reserved
  r.u8("OEM", h8);
  readIdString(r);
}

function readEventOnly(r: Reader): void {
  readSensorKey(r);
  r.u8("Sensor type", sensorTypeLabel);
  r.u8("Event/reading type", eventReadingTypeLabel);
  readSharing(r);
  r.take(1); // reserved
  r.u8("OEM", h8);
  readIdString(r);
}

function readFruLocator(r: Reader): void {
  r.u8("Device access address", (v) => hexByte(v & 0xfe));
  r.u8("FRU device ID / slave address", h8);
  r.multi(1, (v) => [
    ["Logical FRU device", yesNo(v & 0x80)],
    ["Access LUN", String(bitsOf(v, 4, 3))],
    ["Private bus ID", String(v & 7)],
  ]);
  r.u8("Channel number", (v) => channelLabel(v >> 4));
  r.take(1); // reserved
  r.u8("Device type", h8);
  r.u8("Device type modifier", h8);
  r.u8("FRU entity ID", entityLabel);
  r.u8("FRU entity instance", entityInstance);
  r.u8("OEM", h8);
  readIdString(r, "Device ID string");
}

/** Device capabilities / additional device support bits (Get Device ID byte 6, MC locator byte 9). */
export const DEVICE_SUPPORT: readonly BitName[] = [
  [7, "Chassis device"],
  [6, "Bridge"],
  [5, "IPMB event generator"],
  [4, "IPMB event receiver"],
  [3, "FRU inventory device"],
  [2, "SEL device"],
  [1, "SDR repository device"],
  [0, "Sensor device"],
];

function readMcLocator(r: Reader): void {
  r.u8("Device slave address", (v) => hexByte(v & 0xfe));
  r.u8("Channel number", (v) => channelLabel(v & 0x0f));
  r.u8("Power state notification / global initialization", h8);
  r.u8("Device capabilities", flags(DEVICE_SUPPORT));
  r.take(3); // reserved
  r.u8("Entity ID", entityLabel);
  r.u8("Entity instance", entityInstance);
  r.u8("OEM", h8);
  readIdString(r, "Device ID string");
}

const RECORD_BODIES: ReadonlyMap<number, (r: Reader) => void> = new Map([
  [0x01, readFullSensor],
  [0x02, readCompactSensor],
  [0x03, readEventOnly],
  [0x0b, readFruLocator],
  [0x0c, readMcLocator],
]);

/** The fields of an SDR record: the header (bytes 1-5), then the body as its type lays it out. */
export function decodeSdrRecord(b: Uint8Array): DecodedField[] {
  const r = new Reader(b);
  r.u16("Record ID", h16);
  r.u8("SDR version", (v) => `${version(v)} (${hexByte(v)})`);
  const type = r.u8("Record type", sdrRecordTypeLabel);
  const length = r.u8("Record length", byteCount);
  if (type === undefined || length === undefined) return r.finish();
  const body = RECORD_BODIES.get(type);
  if (body === undefined) {
    if (length > 0) r.bytes("Record body", length);
  } else {
    body(r);
  }
  // A layout cut short stops at the first missing byte; the header says how many the record has.
  const lacking = 5 + length - b.length;
  return r.finish().map((f) => {
    if (f.name !== TRUNCATED || lacking <= 0) return f;
    const missing = Math.max(lacking, Number.parseInt(f.value, 10) || 0);
    return { name: TRUNCATED, value: `${missing} ${missing === 1 ? "byte" : "bytes"} missing` };
  });
}
