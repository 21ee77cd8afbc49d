/**
 * Sensor/Event (NetFn 04h) handlers: Platform Event (29.3) and the sensor device commands
 * (section 35). The command table (server/ipmi/commands/sensor-event.ts) lays out every
 * request and response; these ask the sensors, the SDR repository and the SEL. Sensors are
 * looked up by number on the request's LUN: a number the profile has not got is CBh, a
 * threshold command on a discrete sensor CDh.
 */
import {
  DISCRETE_STATUS_RESERVED,
  getDeviceSdrInfo,
  getSensorEventEnable,
  getSensorReading,
  getSensorReadingFactors,
  getSensorThreshold,
  getSensorType,
  NO_NEXT_READING,
  platformEvent,
  platformEventRequest,
  setSensorThreshold,
  THRESHOLD_STATUS_RESERVED,
} from "../../ipmi/commands/sensor-event";
import { CC } from "../../ipmi/completion-codes";
import { IpmiError } from "../../ipmi/ipmi-error";
import { EVM_REV } from "../../ipmi/records/sel";
import { handlerFor } from "../../router/handler";
import type { HandlerContext, HandlerSpec } from "../../router/types";
import type { Bmc } from "../bmc";
import { invalidField } from "../invalid-field";
import { channelOf, isSystemInterface } from "../request-channel";
import { readingFactors } from "../sdr";
import { type SensorRuntime, thresholdModel } from "../sensors";

/** Get Device SDR Info byte 1 bit 0 (35.2): count all SDRs rather than this LUN's sensors. */
const COUNT_SDRS = 0x01;

/**
 * Platform Event over IPMB or LAN: the generator is the requester, whose address is not
 * known here; 81h stands for it (remote console software 40h, table 5-4).
 */
const REMOTE_GENERATOR_ID = 0x81;

/** Bit 15 of the event masks is reserved (35.11 bytes 3-6). */
const EVENT_MASK = 0x7fff;

function sensorFor(bmc: Bmc, ctx: HandlerContext<unknown>, number: number): SensorRuntime {
  const rt = bmc.sensors.get(ctx.lun, number);
  if (!rt) throw new IpmiError(CC.NOT_PRESENT, `no sensor ${number.toString(16)}h on LUN ${ctx.lun}`);
  return rt;
}

export function sensorHandlers(bmc: Bmc): HandlerSpec[] {
  const { sensors, sdr } = bmc;
  return [
    handlerFor(platformEvent, {
      handle: (ctx) => {
        // The generator ID byte is there only from the system interface: read the request as its channel lays it out.
        const local = isSystemInterface(ctx);
        const { generatorId, event } = platformEventRequest(ctx.data, local);
        if (event.evmRev !== EVM_REV) {
          invalidField(
            `event message revision ${event.evmRev.toString(16)}h: only 04h (IPMI 1.5/2.0) is taken`,
          );
        }
        // Event data 2 and 3 left out are logged as FFh (unspecified).
        const [d1, d2 = 0xff, d3 = 0xff] = event.eventData;
        // To the SEL with the requester's generator ID, and to the event message buffer (event-receiver.ts).
        bmc.eventReceiver.deliver({
          generator: {
            id: generatorId ?? REMOTE_GENERATOR_ID,
            channel: local ? 0 : channelOf(bmc.profile.channels, ctx),
            lun: local ? 0 : ctx.lun & 0x03,
            reserved: 0,
          },
          event: { ...event, eventData: [d1, d2, d3] },
        });
      },
    }),
    handlerFor(getDeviceSdrInfo, {
      handle: (ctx) => {
        const op = ctx.request.operation ?? 0;
        if (op & ~COUNT_SDRS) invalidField("operation bits 7:1 are reserved");
        return {
          count: (op & COUNT_SDRS ? sdr.records.length : sdr.sensorCount(ctx.lun)) & 0xff,
          // Static sensor population; the change indicator (sent all the same) is when the SDRs were built.
          flags: { dynamic: false, luns: sdr.sensorLuns() },
          changeIndicator: sdr.lastAddition,
        };
      },
    }),
    handlerFor(getSensorReadingFactors, {
      handle: (ctx) => {
        const m = thresholdModel(sensorFor(bmc, ctx, ctx.request.sensorNumber));
        return { next: NO_NEXT_READING, factors: readingFactors(m) };
      },
    }),
    handlerFor(setSensorThreshold, {
      handle: (ctx) => {
        const { sensorNumber, mask, lnc, lc, lnr, unc, uc, unr } = ctx.request;
        const rt = sensorFor(bmc, ctx, sensorNumber);
        thresholdModel(rt); // CDh for a discrete sensor comes before the mask's CCh
        if (mask & 0xc0) invalidField("threshold mask bits 7:6 are reserved");
        sensors.setThresholds(rt, mask, [lnc, lc, lnr, unc, uc, unr]);
      },
    }),
    handlerFor(getSensorThreshold, {
      handle: (ctx) => {
        const rt = sensorFor(bmc, ctx, ctx.request.sensorNumber);
        const { readableMask } = thresholdModel(rt);
        // Unreadable thresholds read 00h ("ignore on read").
        const [lnc, lc, lnr, unc, uc, unr] = rt.thresholds.map((t, i) =>
          readableMask & (1 << i) ? (t ?? 0) : 0,
        ) as [number, number, number, number, number, number];
        return { readableMask, lnc, lc, lnr, unc, uc, unr };
      },
    }),
    handlerFor(getSensorEventEnable, {
      handle: (ctx) => {
        const rt = sensorFor(bmc, ctx, ctx.request.sensorNumber);
        return {
          flags: { eventsEnabled: rt.eventsEnabled, scanningEnabled: rt.scanningEnabled },
          assertionMask: rt.assertionEnables & EVENT_MASK,
          deassertionMask: rt.deassertionEnables & EVENT_MASK,
        };
      },
    }),
    handlerFor(getSensorReading, {
      handle: (ctx) => {
        const rt = sensorFor(bmc, ctx, ctx.request.sensorNumber);
        const r = sensors.reading(rt);
        if (rt.model.kind === "threshold") {
          return {
            reading: r.raw,
            flags: r,
            status: THRESHOLD_STATUS_RESERVED | r.status,
            states: undefined,
          };
        }
        // Discrete: no reading byte; states 0-7 in byte 3, 8-14 in byte 4.
        return {
          reading: 0x00,
          flags: r,
          status: r.status & 0xff,
          states: DISCRETE_STATUS_RESERVED | ((r.status >> 8) & 0x7f),
        };
      },
    }),
    handlerFor(getSensorType, {
      handle: (ctx) => {
        const m = sensorFor(bmc, ctx, ctx.request.sensorNumber).model;
        return { sensorType: m.sensorType, eventReadingType: m.eventReadingType & 0x7f };
      },
    }),
  ];
}
