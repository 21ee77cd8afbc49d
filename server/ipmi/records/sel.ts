/**
 * The event message fields (IPMI 2.0 section 29.7, table 29-6) and the 16-byte SEL record
 * (section 32, table 32-1) that carries them. One layout each, used to pack what the BMC
 * logs (Platform Event, the watchdog, Add SEL Entry) and to decode what the dashboard shows
 * (Get SEL Entry, Add SEL Entry, Platform Event).
 */
import { hexByte } from "../hex";
import {
  type Bytes,
  bit,
  bits,
  bytes,
  type Codec,
  dependent,
  type Earlier,
  flag,
  mapped,
  struct,
  u8,
  u16,
  u24,
  u32,
} from "../layout/codec";
import type { DecodedField } from "../layout/decoded";
import { type Described, h16, timestamp } from "../layout/format";
import { layout } from "../layout/layout";
import { channelLabel, requesterId } from "../spec/labels";
import {
  EVENT_READING_TYPE_THRESHOLD,
  eventOffsetName,
  eventReadingTypeLabel,
  ianaLabel,
  selRecordTypeLabel,
  sensorTypeLabel,
} from "../spec/tables";

// ---- event message fields (29.7, table 29-6) -------------------------------------------------

/** Event Message Revision of IPMI 1.5 and 2.0 event messages (29.3, table 32-1). */
export const EVM_REV = 0x04;

export function evmRevLabel(v: number): string {
  if (v === 0x04) return "04h (IPMI 1.5/2.0)";
  if (v === 0x03) return "03h (IPMI 1.0)";
  return hexByte(v);
}

/** Event data 1 bits 7:6 and 5:4 (table 29-6): what event data 2 and 3 hold. */
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

function eventData1(eventType: number, sensorType: number): (v: number) => Described {
  const [ed2Table, ed3Table] = usageTables(eventType);
  return (v) => {
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
  };
}

function eventData2(eventType: number, usage: number): (v: number) => Described {
  return (v) => {
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
  };
}

function eventData3(eventType: number, usage: number): (v: number) => string {
  return (v) =>
    eventType === EVENT_READING_TYPE_THRESHOLD && usage === 1
      ? `${hexByte(v)} (trigger threshold value)`
      : hexByte(v);
}

/**
 * A trailing field a request may leave out (Platform Event's event data 2 and 3): absent
 * when the data ended exactly before it; when it was already short, its bytes count as
 * missing too, so a cut-off event says how much of it is missing.
 */
function trailing<O, I>(codec: Codec<O, I>): Codec<O | undefined, I | undefined> {
  return {
    minLength: 0,
    maxLength: codec.maxLength,
    read(c, tree) {
      if (!c.short && c.remaining === 0) return undefined;
      return codec.read(c, tree);
    },
    write(w, v) {
      if (v !== undefined) codec.write(w, v);
    },
  };
}

const num = (v: unknown): number => (typeof v === "number" ? v : 0);

/** Event Dir / Event Type byte: bit 7 the direction, bits 6:0 the event/reading type (table 42-1). */
const eventDirType = bits(1, {
  deassertion: flag("Event direction", 7, (v) => (v ? "Deassertion" : "Assertion")),
  eventType: bit("Event type", 0, 6, eventReadingTypeLabel),
});

export interface EventDirType {
  /** Bit 7: 1 = deassertion event. */
  deassertion: boolean;
  /** Bits 6:0: event/reading type code (table 42-1). */
  eventType: number;
}

/**
 * Event data 1-3; how each reads depends on the event type and sensor type before them and
 * on event data 1's usage bits. With `optional23` (Platform Event, 29.3) data 2 and 3 may be
 * left out.
 */
function eventData(earlier: Earlier, optional23: boolean) {
  const dirType = earlier.dirType as EventDirType | undefined;
  const eventType = dirType?.eventType ?? 0;
  const sensorType = num(earlier.sensorType);
  const d2 = (e: Earlier) => u8("Event data 2", eventData2(eventType, num(e.d1) >> 6));
  const d3 = (e: Earlier) => u8("Event data 3", eventData3(eventType, (num(e.d1) >> 4) & 3));
  return struct({
    d1: u8("Event data 1", eventData1(eventType, sensorType)),
    d2: optional23
      ? dependent({ minLength: 0, maxLength: 1 }, (e) => trailing(d2(e)))
      : dependent({ minLength: 1, maxLength: 1 }, d2),
    d3: optional23
      ? dependent({ minLength: 0, maxLength: 1 }, (e) => trailing(d3(e)))
      : dependent({ minLength: 1, maxLength: 1 }, d3),
  });
}

/** The event message fields (table 29-6) as logged in a SEL record: event data 1-3 all present. */
export interface EventMessage {
  evmRev: number;
  sensorType: number;
  sensorNumber: number;
  dirType: EventDirType;
  eventData: [number, number, number];
}

/** Platform Event's event message (29.3): event data 2 and 3 may be left out. */
export interface PlatformEventMessage extends Omit<EventMessage, "eventData"> {
  eventData: [number] | [number, number] | [number, number, number];
}

const eventHead = {
  evmRev: u8("EvM revision", evmRevLabel),
  sensorType: u8("Sensor type", sensorTypeLabel),
  sensorNumber: u8("Sensor number"),
  dirType: eventDirType,
};

type Data = { d1: number; d2: number | undefined; d3: number | undefined };

/** EvMRev, sensor type, sensor number, event dir/type and event data 1-3 (SEL record bytes 11-16). */
export const eventMessage: Codec<EventMessage> = mapped(
  struct({
    ...eventHead,
    data: dependent({ minLength: 3, maxLength: 3 }, (e) => eventData(e, false)),
  }),
  ({ data, ...head }) => {
    const d = data as Data;
    return { ...head, eventData: [d.d1, d.d2 ?? 0, d.d3 ?? 0] as [number, number, number] };
  },
  ({ eventData: [d1, d2, d3], ...head }: EventMessage) => ({ ...head, data: { d1, d2, d3 } }),
);

/** The event message of a Platform Event request (29.3): event data 2 and 3 optional. */
export const platformEventMessage: Codec<PlatformEventMessage> = mapped(
  struct({
    ...eventHead,
    data: dependent({ minLength: 1, maxLength: 3 }, (e) => eventData(e, true)),
  }),
  ({ data, ...head }) => {
    const d = data as Data;
    const eventData: PlatformEventMessage["eventData"] =
      d.d2 === undefined ? [d.d1] : d.d3 === undefined ? [d.d1, d.d2] : [d.d1, d.d2, d.d3];
    return { ...head, eventData };
  },
  // The request's length says which event data bytes are there: data 3 only after data 2.
  ({ eventData: [d1, d2, d3], ...head }: PlatformEventMessage) => ({ ...head, data: { d1, d2, d3 } }),
);

// ---- the SEL record (section 32, table 32-1) -------------------------------------------------

export const SEL_RECORD_LENGTH = 16;

/** SEL record types (32.1). */
export const SEL_RECORD_TYPE = {
  SYSTEM_EVENT: 0x02,
  /** C0h-DFh: OEM timestamped. */
  OEM_TIMESTAMPED_MIN: 0xc0,
  /** E0h-FFh: OEM non-timestamped. */
  OEM_NON_TIMESTAMPED_MIN: 0xe0,
} as const;

function generatorDescribed(v: number): Described {
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

/**
 * Generator ID (table 32-1 bytes 8-9): byte 1 the slave address or software ID (bit 0: 1 =
 * software), byte 2 the channel (bits 7:4) and the IPMB LUN (bits 1:0; bits 3:2 reserved).
 */
export const generatorId = bits(
  2,
  {
    id: bit(undefined, 0, 7),
    lun: bit(undefined, 8, 9),
    reserved: bit(undefined, 10, 11),
    channel: bit(undefined, 12, 15),
  },
  { label: "Generator ID", format: generatorDescribed },
);

export interface GeneratorId {
  /** Slave address (bit 0 = 0) or system software ID (bit 0 = 1), as the 8-bit byte. */
  id: number;
  lun: number;
  /** Bits 3:2 of byte 2, reserved: 0. */
  reserved: number;
  channel: number;
}

/** Record type 02h (and the reserved types below C0h, read alike as ipmitool does): bytes 4-16. */
const systemEventBody = struct({
  timestamp: u32("Timestamp", timestamp),
  generator: generatorId,
  event: eventMessage,
});

/** C0h-DFh: bytes 4-16. */
const oemTimestampedBody = struct({
  timestamp: u32("Timestamp", timestamp),
  manufacturerId: u24("Manufacturer ID", ianaLabel),
  oem: bytes("OEM defined", 6),
});

/** E0h-FFh: bytes 4-16. */
const oemNonTimestampedBody = struct({ oem: bytes("OEM defined", 13) });

export interface SystemEventBody {
  timestamp: number;
  generator: GeneratorId;
  event: EventMessage;
}

export interface OemTimestampedBody {
  timestamp: number;
  manufacturerId: number;
  oem: Uint8Array;
}

export interface OemNonTimestampedBody {
  oem: Uint8Array;
}

export type SelRecordBody = SystemEventBody | OemTimestampedBody | OemNonTimestampedBody;

export interface SelRecord {
  recordId: number;
  recordType: number;
  /** Laid out by the record type: system event (02h, and reserved types), OEM timestamped (C0h-DFh), OEM (E0h-FFh). */
  body: SelRecordBody;
}

/** What a SEL record is packed from: OEM bytes may be a plain array. */
export type SelRecordIn =
  | { recordId: number; recordType: number; body: SystemEventBody }
  | { recordId: number; recordType: number; body: { timestamp: number; manufacturerId: number; oem: Bytes } }
  | { recordId: number; recordType: number; body: { oem: Bytes } };

function selBody(recordType: unknown): Codec<SelRecordBody, never> {
  const type = num(recordType);
  if (type >= SEL_RECORD_TYPE.OEM_NON_TIMESTAMPED_MIN)
    return oemNonTimestampedBody as Codec<SelRecordBody, never>;
  if (type >= SEL_RECORD_TYPE.OEM_TIMESTAMPED_MIN) return oemTimestampedBody as Codec<SelRecordBody, never>;
  return systemEventBody as Codec<SelRecordBody, never>;
}

/** The 16-byte SEL record (table 32-1): record id, record type, then the type's fields. */
export const selRecord: Codec<SelRecord, SelRecordIn> = struct({
  recordId: u16("Record ID", h16),
  recordType: u8("Record type", selRecordTypeLabel),
  body: dependent({ minLength: 13, maxLength: 13 }, (e) => selBody(e.recordType)),
}) as Codec<SelRecord, SelRecordIn>;

const selRecordLayout = layout(selRecord);

/** Packs a SEL record; throws LayoutError when a value does not fit. */
export function packSelRecord(record: SelRecordIn): Uint8Array {
  return selRecordLayout.pack(record);
}

/** Fields of a 16-byte SEL record (or of as much of one as `b` holds). */
export function decodeSelRecord(b: Uint8Array): DecodedField[] {
  return selRecordLayout.decode(b);
}
