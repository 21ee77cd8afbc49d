/**
 * Sensor/Event (NetFn 04h): IPMI 2.0 sections 29 (event commands), 30 (PEF and alerting)
 * and 35 (sensor device commands). Every command of table G-1 with the privilege it needs;
 * request and response layouts for the commands this product answers or decodes.
 * Privileges follow table G-1 (cross-checked against OpenIPMI's lanserv privilege table);
 * "none" marks commands allowed outside a session.
 */
import { hexByte, toHex } from "../hex";
import {
  bit,
  bits,
  type Codec,
  dependent,
  type Earlier,
  empty,
  flag,
  optional,
  SHORT,
  struct,
  u8,
  u16,
  u32,
} from "../layout/codec";
import { type BitName, bitFields, dec, field, h8, h16, timestamp, yesNo } from "../layout/format";
import { layout } from "../layout/layout";
import { NETFN } from "../netfn";
import { readingFactors, thresholdList } from "../records/sdr";
import { type PlatformEventMessage, platformEventMessage } from "../records/sel";
import { requesterId } from "../spec/labels";
import { eventReadingTypeLabel, sensorTypeLabel } from "../spec/tables";
import { type Command, command, named } from "./define";
import { getRecordRequest, getSdrResponse, reservationResponse } from "./storage";

const NF = NETFN.SENSOR_EVENT;

/** Get Device SDR 80h (35.4): the record changed since the requester read it from offset 00h. */
export const CC_RECORD_CHANGED = 0x80;

const sensorNumber = u8("Sensor number", h8);

const enabled = (v: boolean) => (v ? "enabled" : "disabled");
const eventMessages = (v: boolean) => (v ? "enabled" : "all disabled");

// ---- event commands (section 29) ---------------------------------------------------------------

/** Set / Get Event Receiver (29.1, 29.2): FFh as the address disables event message generation. */
const eventReceiver = struct({
  address: u8("Event receiver slave address", (v) =>
    v === 0xff ? "FFh (event message generation disabled)" : hexByte(v),
  ),
  // Bits 7:2 reserved; shown as the LUN alone, kept whole so no bit is dropped.
  lun: u8("Event receiver LUN", (v) => String(v & 3)),
});

export const setEventReceiver = command({
  netFn: NF,
  cmd: 0x00,
  name: "Set Event Receiver",
  privilege: "admin",
  request: eventReceiver,
  response: empty,
});

export const getEventReceiver = command({
  netFn: NF,
  cmd: 0x01,
  name: "Get Event Receiver",
  privilege: "user",
  request: empty,
  response: eventReceiver,
});

/** A Platform Event request from the system interface: the generator ID, then the event message (29.3). */
const platformEventFromSystem = struct({
  generatorId: u8("Generator ID", requesterId),
  event: platformEventMessage,
});

/** Over IPMB and LAN the requester is the generator: the request starts at EvMRev (29.3). */
const platformEventFromIpmb = struct({ event: platformEventMessage });

/** The Platform Event request as a handler has it: the generator ID only from the system interface. */
export interface PlatformEventRequest {
  generatorId?: number;
  event: PlatformEventMessage;
}

/**
 * Lengths read as the IPMB/LAN form when the channel is not known: 7 bytes, all the event
 * data (as freeipmi reads it), and 5, too short for the system interface's form.
 */
const IPMB_LENGTHS: ReadonlySet<number> = new Set([5, 7]);

/**
 * The request as the dashboard (and the router's length check) reads it, not knowing the
 * channel: 5 and 7 bytes are taken for the IPMB form, any other length for the system
 * interface's. The handler, which knows the channel, reads it with `platformEventRequest`.
 */
const platformEventAnyChannel: Codec<PlatformEventRequest> = {
  minLength: platformEventFromIpmb.minLength,
  maxLength: platformEventFromSystem.maxLength,
  read(c, tree) {
    if (IPMB_LENGTHS.has(c.remaining)) {
      tree?.push({ name: "Generator ID", value: "not in the request (IPMB: the requester's address)" });
      return platformEventFromIpmb.read(c, tree);
    }
    return platformEventFromSystem.read(c, tree);
  },
  write(w, v) {
    if (v.generatorId === undefined) platformEventFromIpmb.write(w, v);
    else platformEventFromSystem.write(w, { generatorId: v.generatorId, event: v.event });
  },
};

const PLATFORM_EVENT_LAYOUTS = {
  system: layout(platformEventFromSystem),
  ipmb: layout(platformEventFromIpmb),
} as const;

/**
 * A Platform Event request read as its channel lays it out; throws C7h/C8h for a length the
 * channel's form does not take (system interface 6-8 bytes, IPMB/LAN 5-7).
 */
export function platformEventRequest(data: Uint8Array, fromSystemInterface: boolean): PlatformEventRequest {
  return fromSystemInterface
    ? PLATFORM_EVENT_LAYOUTS.system.unpack(data)
    : PLATFORM_EVENT_LAYOUTS.ipmb.unpack(data);
}

export const platformEvent = command({
  netFn: NF,
  cmd: 0x02,
  name: "Platform Event",
  privilege: "operator",
  request: platformEventAnyChannel,
  response: empty,
});

// ---- sensor device commands (section 35) ------------------------------------------------------

const LUNS = [0, 1, 2, 3];

const countByte = u8("Count", dec);

/** Get Device SDR Info response byte 2: what it counts depends on the request's operation bit (35.2). */
const sdrInfoCount: Codec<number> = {
  minLength: 1,
  maxLength: 1,
  read(c, tree) {
    const b = c.take(1);
    if (b === SHORT) return SHORT;
    const op = c.context.request?.[0];
    tree?.push(field(op !== undefined && op & 1 ? "SDR count" : "Sensor count", dec(b[0]!), toHex(b)));
    return b[0]!;
  },
  write: (w, v) => countByte.write(w, v),
};

export const getDeviceSdrInfo = command({
  netFn: NF,
  cmd: 0x20,
  name: "Get Device SDR Info",
  privilege: "user",
  // Byte 1 is optional: bit 0 1b = count SDRs, 0b = count this LUN's sensors; bits 7:1 reserved.
  request: struct({
    operation: optional(u8("Operation", (v) => (v & 1 ? "Get SDR count" : "Get sensor count"))),
  }),
  response: struct({
    count: sdrInfoCount,
    flags: bits(
      1,
      {
        dynamic: flag("Sensor population", 7, (v) => (v ? "dynamic" : "static")),
        luns: bit("LUNs with sensors", 0, 3, (v) => LUNS.filter((l) => (v >> l) & 1).join(", ") || "none"),
      },
      { label: "Flags" },
    ),
    // Bytes 3-6: the spec leaves them out for a static population; a BMC may send them anyway.
    changeIndicator: optional(u32("Sensor population change indicator", timestamp)),
  }),
});

export const getDeviceSdr = command({
  netFn: NF,
  cmd: 0x21,
  name: "Get Device SDR",
  privilege: "user",
  completionCodes: { [CC_RECORD_CHANGED]: "Record changed" },
  // 35.4: laid out as Get SDR (33.12).
  request: getRecordRequest,
  response: getSdrResponse,
});

export const reserveDeviceSdrRepository = command({
  netFn: NF,
  cmd: 0x22,
  name: "Reserve Device SDR Repository",
  privilege: "user",
  request: empty,
  response: reservationResponse,
});

/** Get Sensor Reading Factors "next reading" of a linear sensor: one set of factors for all readings (35.5). */
export const NO_NEXT_READING = 0xff;

export const getSensorReadingFactors = command({
  netFn: NF,
  cmd: 0x23,
  name: "Get Sensor Reading Factors",
  privilege: "user",
  request: struct({ sensorNumber, reading: u8("Reading byte", h8) }),
  response: struct({ next: u8("Next reading", h8), factors: readingFactors(false) }),
});

/** Set / Get Sensor Hysteresis byte 2 (35.6, 35.7): reserved, FFh. */
const hysteresisMask = u8("Hysteresis mask", (v) => (v === 0xff ? "FFh" : `${hexByte(v)} (reserved: FFh)`));
const hysteresis = {
  positive: u8("Positive-going threshold hysteresis", h8),
  negative: u8("Negative-going threshold hysteresis", h8),
};

export const setSensorHysteresis = command({
  netFn: NF,
  cmd: 0x24,
  name: "Set Sensor Hysteresis",
  privilege: "operator",
  request: struct({ sensorNumber, mask: hysteresisMask, ...hysteresis }),
  response: empty,
});

export const getSensorHysteresis = command({
  netFn: NF,
  cmd: 0x25,
  name: "Get Sensor Hysteresis",
  privilege: "user",
  request: struct({ sensorNumber, mask: hysteresisMask }),
  response: struct(hysteresis),
});

/** Threshold mask bits (35.8 byte 2, 35.9 byte 1), most significant first. */
const THRESHOLDS: readonly BitName[] = [
  [5, "Upper non-recoverable"],
  [4, "Upper critical"],
  [3, "Upper non-critical"],
  [2, "Lower non-recoverable"],
  [1, "Lower critical"],
  [0, "Lower non-critical"],
];

/** A threshold mask byte: bits 5:0 LNC, LC, LNR, UNC, UC, UNR; bits 7:6 reserved. */
const thresholdMask = (label: string) =>
  u8(label, (v) => ({
    value: `${hexByte(v)} (${thresholdList(v & 0x3f)})`,
    children: bitFields(v, THRESHOLDS),
  }));

/** A threshold value; marked when the mask before it leaves it out. */
function thresholdValue(label: string, maskBit: number, maskKey: string, unused: string) {
  return dependent({ minLength: 1, maxLength: 1 }, (e: Earlier) => {
    const mask = e[maskKey];
    return u8(label, (v) =>
      typeof mask !== "number" || (mask >> maskBit) & 1 ? hexByte(v) : `${hexByte(v)} (${unused})`,
    );
  });
}

/** The six threshold values in the order both commands send them (35.8 bytes 3-8, 35.9 bytes 2-7). */
function thresholdValues(maskKey: string, unused: string) {
  return {
    lnc: thresholdValue("Lower non-critical", 0, maskKey, unused),
    lc: thresholdValue("Lower critical", 1, maskKey, unused),
    lnr: thresholdValue("Lower non-recoverable", 2, maskKey, unused),
    unc: thresholdValue("Upper non-critical", 3, maskKey, unused),
    uc: thresholdValue("Upper critical", 4, maskKey, unused),
    unr: thresholdValue("Upper non-recoverable", 5, maskKey, unused),
  };
}

/** Threshold values in mask bit order: LNC, LC, LNR, UNC, UC, UNR. */
export interface ThresholdValues {
  lnc: number;
  lc: number;
  lnr: number;
  unc: number;
  uc: number;
  unr: number;
}

export const setSensorThreshold = command({
  netFn: NF,
  cmd: 0x26,
  name: "Set Sensor Threshold",
  privilege: "operator",
  request: struct({ sensorNumber, mask: thresholdMask("Set mask"), ...thresholdValues("mask", "not set") }),
  response: empty,
});

export const getSensorThreshold = command({
  netFn: NF,
  cmd: 0x27,
  name: "Get Sensor Threshold",
  privilege: "user",
  request: struct({ sensorNumber }),
  response: struct({
    readableMask: thresholdMask("Readable mask"),
    ...thresholdValues("readableMask", "not readable"),
  }),
});

const EVENT_ENABLE_ACTIONS = [
  "do not change individual enables",
  "enable selected event messages",
  "disable selected event messages",
  "reserved",
];

/** Event enable / status masks, one optional byte each (35.10-35.13 bytes 3-6). */
const eventMaskBytes = (what: string) => ({
  assertionLow: optional(u8(`${what} assertion events 7:0`, h8)),
  assertionHigh: optional(u8(`${what} assertion events 14:8`, h8)),
  deassertionLow: optional(u8(`${what} deassertion events 7:0`, h8)),
  deassertionHigh: optional(u8(`${what} deassertion events 14:8`, h8)),
});

export const setSensorEventEnable = command({
  netFn: NF,
  cmd: 0x28,
  name: "Set Sensor Event Enable",
  privilege: "operator",
  request: struct({
    sensorNumber,
    flags: bits(1, {
      eventsEnabled: flag("Event messages", 7, eventMessages),
      scanningEnabled: flag("Sensor scanning", 6, enabled),
      action: bit("Event enable action", 4, 5, (v) => EVENT_ENABLE_ACTIONS[v]!),
      reserved: bit(undefined, 0, 3),
    }),
    ...eventMaskBytes("Selected"),
  }),
  response: empty,
});

/** Event messages and scanning (35.11, 35.13, 35.14 byte 2 bits 7:6). */
const sensorFlags = {
  eventsEnabled: flag("Event messages", 7, eventMessages),
  scanningEnabled: flag("Sensor scanning", 6, enabled),
};

export const getSensorEventEnable = command({
  netFn: NF,
  cmd: 0x29,
  name: "Get Sensor Event Enable",
  privilege: "user",
  request: struct({ sensorNumber }),
  response: struct({
    flags: bits(1, sensorFlags),
    // Bytes 3-6; bit 15 of each mask is reserved.
    assertionMask: optional(u16("Assertion event mask", h16)),
    deassertionMask: optional(u16("Deassertion event mask", h16)),
  }),
});

export const rearmSensorEvents = command({
  netFn: NF,
  cmd: 0x2a,
  name: "Re-arm Sensor Events",
  privilege: "operator",
  request: struct({
    sensorNumber,
    flags: bits(1, {
      selectedOnly: flag("Re-arm", 7, (v) => (v ? "selected events only" : "all event status")),
      reserved: bit(undefined, 0, 6),
    }),
    ...eventMaskBytes("Re-arm"),
  }),
  response: empty,
});

export const getSensorEventStatus = command({
  netFn: NF,
  cmd: 0x2b,
  name: "Get Sensor Event Status",
  privilege: "user",
  request: struct({ sensorNumber }),
  response: struct({
    flags: bits(1, { ...sensorFlags, unavailable: flag("Reading unavailable", 5) }),
    assertionLow: optional(u8("Assertion events 7:0", h8)),
    assertionHigh: optional(u8("Assertion events 14:8", h8)),
    deassertionLow: optional(u8("Deassertion events 7:0", h8)),
    deassertionHigh: optional(u8("Deassertion events 14:8", h8)),
  }),
});

/** Get Sensor Reading byte 3 of a threshold sensor (35.14): the thresholds the reading is at or past. */
const COMPARISON: readonly BitName[] = [
  [5, "At or above upper non-recoverable"],
  [4, "At or above upper critical"],
  [3, "At or above upper non-critical"],
  [2, "At or below lower non-recoverable"],
  [1, "At or below lower critical"],
  [0, "At or below lower non-critical"],
];

/** Get Sensor Reading byte 3 bits 7:6 of a threshold sensor are reserved and returned as 1b (35.14). */
export const THRESHOLD_STATUS_RESERVED = 0xc0;
/** Byte 4 bit 7 of a discrete sensor is reserved and returned as 1b. */
export const DISCRETE_STATUS_RESERVED = 0x80;

export const getSensorReading = command({
  netFn: NF,
  cmd: 0x2d,
  name: "Get Sensor Reading",
  privilege: "user",
  request: struct({ sensorNumber }),
  response: struct({
    reading: u8("Sensor reading", (v) => `${hexByte(v)} (raw ${v})`),
    flags: bits(1, { ...sensorFlags, unavailable: flag("Reading unavailable", 5, yesNo) }),
    // Threshold sensors: the comparison status; discrete sensors: states 0-7.
    status: u8("Threshold status", (v) => {
      const crossed = COMPARISON.filter(([b]) => (v >> b) & 1).map(([, name]) => name);
      return {
        value: crossed.length === 0 ? "none crossed" : crossed.join(", "),
        children: [
          ...bitFields(v, COMPARISON),
          { name: "As discrete states 0-7 (discrete sensors)", value: hexByte(v) },
        ],
      };
    }),
    // Discrete sensors: states 8-14 (bit 7 reserved).
    states: optional(u8("Discrete states 8-14", (v) => hexByte(v & 0x7f))),
  }),
});

/** Sensor type and event/reading type code (35.15, 35.16; bit 7 of the latter reserved). */
const sensorTypeFields = {
  sensorType: u8("Sensor type", sensorTypeLabel),
  eventReadingType: u8("Event/reading type", (v) => eventReadingTypeLabel(v & 0x7f)),
};

export const setSensorType = command({
  netFn: NF,
  cmd: 0x2e,
  name: "Set Sensor Type",
  privilege: "operator",
  request: struct({ sensorNumber, ...sensorTypeFields }),
  response: empty,
});

export const getSensorType = command({
  netFn: NF,
  cmd: 0x2f,
  name: "Get Sensor Type",
  privilege: "user",
  request: struct({ sensorNumber }),
  response: struct(sensorTypeFields),
});

// ---- the netfn's table ---------------------------------------------------------------------------

export const SENSOR_EVENT_COMMANDS: readonly Command[] = [
  // Event Commands
  setEventReceiver,
  getEventReceiver,
  platformEvent,
  // PEF and Alerting Commands
  named({ netFn: NF, cmd: 0x10, name: "Get PEF Capabilities", privilege: "user" }),
  named({ netFn: NF, cmd: 0x11, name: "Arm PEF Postpone Timer", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x12, name: "Set PEF Configuration Parameters", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x13, name: "Get PEF Configuration Parameters", privilege: "operator" }),
  named({ netFn: NF, cmd: 0x14, name: "Set Last Processed Event ID", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x15, name: "Get Last Processed Event ID", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x16, name: "Alert Immediate", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x17, name: "PET Acknowledge", privilege: "none" }),
  // Sensor Device Commands
  getDeviceSdrInfo,
  getDeviceSdr,
  reserveDeviceSdrRepository,
  getSensorReadingFactors,
  setSensorHysteresis,
  getSensorHysteresis,
  setSensorThreshold,
  getSensorThreshold,
  setSensorEventEnable,
  getSensorEventEnable,
  rearmSensorEvents,
  getSensorEventStatus,
  getSensorReading,
  setSensorType,
  getSensorType,
  named({ netFn: NF, cmd: 0x30, name: "Set Sensor Reading And Event Status", privilege: "admin" }),
];
