/**
 * Sensor/Event (NetFn 04h) command decoders: IPMI 2.0 rev 1.1 sections 29 (event
 * commands) and 35 (sensor device commands).
 */
import { hexByte } from "../hex";
import { type BitName, bitFields, dec, h8, h16, noData, Reader, timestamp, yesNo } from "./reader";
import { readEventFields, readFactors, requesterId, thresholdList } from "./records";
import { GET_SDR, RESERVE } from "./storage";
import { eventReadingTypeLabel, sensorTypeLabel } from "./tables";
import type { DecodedField, DecoderTable } from "./types";

function sensorNumberOnly(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u8("Sensor number", h8);
  return r.finish();
}

// Event receiver (29.1, 29.2), Platform Event (29.3) -----------------------------------

function readEventReceiver(r: Reader): void {
  r.u8("Event receiver slave address", (v) =>
    v === 0xff ? "FFh (event message generation disabled)" : hexByte(v),
  );
  r.u8("Event receiver LUN", (v) => String(v & 3));
}

function eventReceiver(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  readEventReceiver(r);
  return r.finish();
}

/**
 * Platform Event (Event Message): from the system interface the first byte is the
 * Generator ID; over IPMB the requester's address is the generator and the request
 * starts at EvMRev, 7 bytes in all (as freeipmi reads it).
 */
function platformEventRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  if (data.length === 7) {
    r.add({ name: "Generator ID", value: "not in the request (IPMB: the requester's address)" });
  } else {
    r.u8("Generator ID", requesterId);
  }
  readEventFields(r);
  return r.finish();
}

// Get Device SDR Info (35.2) ----------------------------------------------------------

function getDeviceSdrInfoRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.optional(() => r.u8("Operation", (v) => (v & 1 ? "Get SDR count" : "Get sensor count")));
  return r.finish();
}

function getDeviceSdrInfoResponse(data: Uint8Array, request?: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  const countName =
    request?.[0] === undefined ? "Sensor count" : request[0] & 1 ? "SDR count" : "Sensor count";
  r.u8(countName, dec);
  const fl = r.u8("Flags", (v) => ({
    value: hexByte(v),
    children: [
      { name: "Sensor population", value: v & 0x80 ? "dynamic" : "static" },
      { name: "LUNs with sensors", value: [0, 1, 2, 3].filter((l) => (v >> l) & 1).join(", ") || "none" },
    ],
  }));
  if (fl !== undefined && fl & 0x80) r.u32("Sensor population change indicator", timestamp);
  return r.finish();
}

// Get Sensor Reading Factors (35.5) ----------------------------------------------------

function getSensorReadingFactorsRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u8("Sensor number", h8);
  r.u8("Reading byte", h8);
  return r.finish();
}

function getSensorReadingFactorsResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u8("Next reading", h8);
  readFactors(r, false);
  return r.finish();
}

// Sensor thresholds (35.8, 35.9) -------------------------------------------------------

const THRESHOLDS: readonly BitName[] = [
  [5, "Upper non-recoverable"],
  [4, "Upper critical"],
  [3, "Upper non-critical"],
  [2, "Lower non-recoverable"],
  [1, "Lower critical"],
  [0, "Lower non-critical"],
];

/** Threshold values in the order the commands send them, with their mask bit. */
const THRESHOLD_ORDER: ReadonlyArray<readonly [bit: number, name: string]> = [
  [0, "Lower non-critical"],
  [1, "Lower critical"],
  [2, "Lower non-recoverable"],
  [3, "Upper non-critical"],
  [4, "Upper critical"],
  [5, "Upper non-recoverable"],
];

function readThresholdValues(r: Reader, mask: number | undefined, unused: string): void {
  for (const [bit, name] of THRESHOLD_ORDER) {
    r.u8(name, (v) => (mask === undefined || (mask >> bit) & 1 ? hexByte(v) : `${hexByte(v)} (${unused})`));
  }
}

function maskField(v: number) {
  return { value: `${hexByte(v)} (${thresholdList(v & 0x3f)})`, children: bitFields(v, THRESHOLDS) };
}

function setSensorThresholdRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u8("Sensor number", h8);
  const mask = r.u8("Set mask", maskField);
  readThresholdValues(r, mask, "not set");
  return r.finish();
}

function getSensorThresholdResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  const mask = r.u8("Readable mask", maskField);
  readThresholdValues(r, mask, "not readable");
  return r.finish();
}

// Get Sensor Event Enable (35.11) ------------------------------------------------------

function getSensorEventEnableResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.multi(1, (v) => [
    ["Event messages", v & 0x80 ? "enabled" : "all disabled"],
    ["Sensor scanning", v & 0x40 ? "enabled" : "disabled"],
  ]);
  r.optional(() => r.u16("Assertion event mask", h16));
  r.optional(() => r.u16("Deassertion event mask", h16));
  return r.finish();
}

// Get Sensor Reading (35.14) ------------------------------------------------------------

const COMPARISON: readonly BitName[] = [
  [5, "At or above upper non-recoverable"],
  [4, "At or above upper critical"],
  [3, "At or above upper non-critical"],
  [2, "At or below lower non-recoverable"],
  [1, "At or below lower critical"],
  [0, "At or below lower non-critical"],
];

function getSensorReadingResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u8("Sensor reading", (v) => `${hexByte(v)} (raw ${v})`);
  r.multi(1, (v) => [
    ["Event messages", v & 0x80 ? "enabled" : "all disabled"],
    ["Sensor scanning", v & 0x40 ? "enabled" : "disabled"],
    ["Reading unavailable", yesNo(v & 0x20)],
  ]);
  r.u8("Threshold status", (v) => {
    const crossed = COMPARISON.filter(([bit]) => (v >> bit) & 1).map(([, name]) => name);
    return {
      value: crossed.length === 0 ? "none crossed" : crossed.join(", "),
      children: [
        ...bitFields(v, COMPARISON),
        { name: "As discrete states 0-7 (discrete sensors)", value: hexByte(v) },
      ],
    };
  });
  r.optional(() => r.u8("Discrete states 8-14", (v) => hexByte(v & 0x7f)));
  return r.finish();
}

// Sensor type (35.15, 35.16) ------------------------------------------------------------

function readSensorType(r: Reader): void {
  r.u8("Sensor type", sensorTypeLabel);
  r.u8("Event/reading type", (v) => eventReadingTypeLabel(v & 0x7f));
}

function setSensorTypeRequest(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  r.u8("Sensor number", h8);
  readSensorType(r);
  return r.finish();
}

function getSensorTypeResponse(data: Uint8Array): DecodedField[] {
  const r = new Reader(data);
  readSensorType(r);
  return r.finish();
}

export const SENSOR_EVENT_DECODERS: DecoderTable = {
  0: { request: eventReceiver, response: noData },
  1: { request: noData, response: eventReceiver },
  2: { request: platformEventRequest, response: noData },
  32: { request: getDeviceSdrInfoRequest, response: getDeviceSdrInfoResponse },
  33: GET_SDR,
  34: RESERVE,
  35: { request: getSensorReadingFactorsRequest, response: getSensorReadingFactorsResponse },
  38: { request: setSensorThresholdRequest, response: noData },
  39: { request: sensorNumberOnly, response: getSensorThresholdResponse },
  41: { request: sensorNumberOnly, response: getSensorEventEnableResponse },
  45: { request: sensorNumberOnly, response: getSensorReadingResponse },
  46: { request: setSensorTypeRequest, response: noData },
  47: { request: sensorNumberOnly, response: getSensorTypeResponse },
};
