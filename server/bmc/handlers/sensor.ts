/**
 * Sensor/Event (NetFn 04h) handlers: Platform Event (29.3) and the sensor device
 * commands (section 35). Sensors are looked up by number on the request's LUN; a
 * number the profile has not got is CBh, a threshold command on a discrete sensor CDh.
 */
import { CC } from "../../ipmi/completion-codes";
import { IpmiError, optional, rest, struct, u8 } from "../../ipmi/fields";
import { NETFN } from "../../ipmi/netfn";
import { defineHandler, type HandlerContext, type HandlerSpec } from "../../router/types";
import { type BmcCore, channelOf, invalidField, isSystemInterface, le32 } from "../core";
import { readingFactorBytes } from "../sdr";
import type { SensorRuntime, ThresholdModel } from "../sensors";

export const SENSOR_CMD = {
  PLATFORM_EVENT: 0x02,
  GET_DEVICE_SDR_INFO: 0x20,
  GET_SENSOR_READING_FACTORS: 0x23,
  SET_SENSOR_THRESHOLD: 0x26,
  GET_SENSOR_THRESHOLD: 0x27,
  GET_SENSOR_EVENT_ENABLE: 0x29,
  GET_SENSOR_READING: 0x2d,
  GET_SENSOR_TYPE: 0x2f,
} as const;

/** Event Message Revision of IPMI 1.5 and 2.0 event messages. */
export const EVM_REV = 0x04;
/** Get Sensor Reading byte 3 bits 7:6 of a threshold sensor are reserved and returned as 1b. */
const THRESHOLD_STATUS_RESERVED = 0xc0;
/** Byte 4 bit 7 of a discrete sensor is reserved and returned as 1b. */
const DISCRETE_STATUS_RESERVED = 0x80;
/** Get Sensor Reading Factors "next reading" of a linear sensor: one set of factors for all readings. */
const NO_NEXT_READING = 0xff;

function sensorFor(core: BmcCore, ctx: HandlerContext<unknown>, number: number): SensorRuntime {
  const rt = core.sensors.get(ctx.lun, number);
  if (!rt) throw new IpmiError(CC.NOT_PRESENT, `no sensor ${number.toString(16)}h on LUN ${ctx.lun}`);
  return rt;
}

function thresholdSensor(rt: SensorRuntime): ThresholdModel {
  if (rt.model.kind !== "threshold") {
    throw new IpmiError(
      CC.ILLEGAL_FOR_SENSOR_OR_RECORD,
      `sensor ${rt.model.number.toString(16)}h is not threshold-based`,
    );
  }
  return rt.model;
}

export function sensorHandlers(core: BmcCore): HandlerSpec[] {
  return [
    defineHandler({
      id: "sensor.platform-event",
      netFn: NETFN.SENSOR_EVENT,
      cmd: SENSOR_CMD.PLATFORM_EVENT,
      privilege: "operator",
      description: "Platform Event",
      // Generator ID (system interface only), EvMRev, sensor type, number, dir/type, data 1, [data 2, [data 3]].
      request: struct({ bytes: rest(8) }),
      handle: (ctx) => {
        const b = ctx.request.bytes;
        const local = isSystemInterface(ctx);
        const min = local ? 6 : 5;
        if (b.length < min)
          throw new IpmiError(CC.REQUEST_LENGTH_INVALID, `a platform event takes at least ${min} bytes here`);
        if (b.length > min + 2) {
          throw new IpmiError(
            CC.REQUEST_FIELD_LENGTH_EXCEEDED,
            `a platform event takes at most ${min + 2} bytes here`,
          );
        }
        // Over IPMB/LAN the generator is the requester; its address is not known here: 81h (remote console software 40h).
        const generatorId = local ? b[0]! : 0x81;
        const f = local ? b.subarray(1) : b;
        if (f[0] !== EVM_REV)
          invalidField(`event message revision ${f[0]!.toString(16)}h: only 04h (IPMI 1.5/2.0) is taken`);
        core.logEvent({
          generatorId,
          generatorChannel: local ? 0x00 : (channelOf(core, ctx) << 4) | (ctx.lun & 0x03),
          evmRev: f[0]!,
          sensorType: f[1]!,
          sensorNumber: f[2]!,
          eventDirType: f[3]!,
          eventData: [f[4]!, f[5] ?? 0xff, f[6] ?? 0xff],
        });
        return {};
      },
    }),
    defineHandler({
      id: "sensor.get-device-sdr-info",
      netFn: NETFN.SENSOR_EVENT,
      cmd: SENSOR_CMD.GET_DEVICE_SDR_INFO,
      privilege: "user",
      description: "Get Device SDR Info",
      request: struct({ operation: optional(u8) }),
      handle: (ctx) => {
        const op = ctx.request.operation ?? 0;
        if (op & 0xfe) invalidField("operation bits 7:1 are reserved");
        const sdr = core.sdr;
        const count = op & 0x01 ? sdr.records.length : sdr.sensorCount(ctx.lun);
        // Static sensor population (bit 7 = 0); the change indicator is when the SDRs were built.
        return { data: [count & 0xff, sdr.sensorLuns(), ...le32(sdr.lastAddition)] };
      },
    }),
    defineHandler({
      id: "sensor.get-sensor-reading-factors",
      netFn: NETFN.SENSOR_EVENT,
      cmd: SENSOR_CMD.GET_SENSOR_READING_FACTORS,
      privilege: "user",
      description: "Get Sensor Reading Factors",
      request: struct({ sensor: u8, reading: u8 }),
      handle: (ctx) => {
        const m = thresholdSensor(sensorFor(core, ctx, ctx.request.sensor));
        return { data: [NO_NEXT_READING, ...readingFactorBytes(m)] };
      },
    }),
    defineHandler({
      id: "sensor.set-sensor-threshold",
      netFn: NETFN.SENSOR_EVENT,
      cmd: SENSOR_CMD.SET_SENSOR_THRESHOLD,
      privilege: "operator",
      description: "Set Sensor Threshold",
      request: struct({ sensor: u8, mask: u8, lnc: u8, lc: u8, lnr: u8, unc: u8, uc: u8, unr: u8 }),
      handle: (ctx) => {
        const r = ctx.request;
        const rt = sensorFor(core, ctx, r.sensor);
        const m = thresholdSensor(rt);
        if (r.mask & 0xc0) invalidField("threshold mask bits 7:6 are reserved");
        const notSettable = r.mask & ~m.settableMask;
        if (notSettable)
          invalidField(`thresholds ${notSettable.toString(2).padStart(6, "0")}b are not settable`);
        const values = [r.lnc, r.lc, r.lnr, r.unc, r.uc, r.unr];
        values.forEach((v, i) => {
          if (r.mask & (1 << i)) {
            rt.thresholds[i] = v;
            rt.clientSet[i] = v;
          }
        });
        if (r.mask) core.thresholdsChanged(rt);
        return {};
      },
    }),
    defineHandler({
      id: "sensor.get-sensor-threshold",
      netFn: NETFN.SENSOR_EVENT,
      cmd: SENSOR_CMD.GET_SENSOR_THRESHOLD,
      privilege: "user",
      description: "Get Sensor Threshold",
      request: struct({ sensor: u8 }),
      handle: (ctx) => {
        const rt = sensorFor(core, ctx, ctx.request.sensor);
        const m = thresholdSensor(rt);
        // Unreadable thresholds read 00h ("ignore on read").
        const values = rt.thresholds.map((t, i) => (m.readableMask & (1 << i) ? (t ?? 0) : 0));
        return { data: [m.readableMask, ...values] };
      },
    }),
    defineHandler({
      id: "sensor.get-sensor-event-enable",
      netFn: NETFN.SENSOR_EVENT,
      cmd: SENSOR_CMD.GET_SENSOR_EVENT_ENABLE,
      privilege: "user",
      description: "Get Sensor Event Enable",
      request: struct({ sensor: u8 }),
      handle: (ctx) => {
        const rt = sensorFor(core, ctx, ctx.request.sensor);
        return {
          data: [
            (rt.eventsEnabled ? 0x80 : 0) | (rt.scanningEnabled ? 0x40 : 0),
            rt.assertionEnables & 0xff,
            (rt.assertionEnables >> 8) & 0x7f,
            rt.deassertionEnables & 0xff,
            (rt.deassertionEnables >> 8) & 0x7f,
          ],
        };
      },
    }),
    defineHandler({
      id: "sensor.get-sensor-reading",
      netFn: NETFN.SENSOR_EVENT,
      cmd: SENSOR_CMD.GET_SENSOR_READING,
      privilege: "user",
      description: "Get Sensor Reading",
      request: struct({ sensor: u8 }),
      handle: (ctx) => {
        const rt = sensorFor(core, ctx, ctx.request.sensor);
        const r = core.sensors.reading(rt);
        if (rt.model.kind === "threshold") {
          return { data: [r.raw, r.flags, THRESHOLD_STATUS_RESERVED | r.status] };
        }
        return {
          data: [0x00, r.flags, r.status & 0xff, DISCRETE_STATUS_RESERVED | ((r.status >> 8) & 0x7f)],
        };
      },
    }),
    defineHandler({
      id: "sensor.get-sensor-type",
      netFn: NETFN.SENSOR_EVENT,
      cmd: SENSOR_CMD.GET_SENSOR_TYPE,
      privilege: "user",
      description: "Get Sensor Type",
      request: struct({ sensor: u8 }),
      handle: (ctx) => {
        const m = sensorFor(core, ctx, ctx.request.sensor).model;
        return { data: [m.sensorType, m.eventReadingType & 0x7f] };
      },
    }),
  ];
}
