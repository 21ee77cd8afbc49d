/**
 * SOL's configuration handlers: Set / Get SOL Configuration Parameters (Transport 0Ch/21h,
 * 22h, IPMI 2.0 sections 26.2, 26.3) on sol-config.ts, and Get Channel Payload Support
 * (App 06h/4Eh, 24.8). SOL is carried on the LAN channel only: the SOL parameters of any
 * other channel answer CCh, and only the LAN channel lists the SOL payload. Activate /
 * Deactivate Payload and the payload status commands need the LAN session layer and are
 * registered with it.
 */
import { getChannelPayloadSupport } from "../../ipmi/commands/app";
import {
  getSolConfigurationParameters,
  SOL_PARAMETER_REVISION,
  setSolConfigurationParameters,
} from "../../ipmi/commands/transport";
import { handlerFor } from "../../router/handler";
import type { HandlerContext, HandlerSpec } from "../../router/types";
import type { Bmc } from "../bmc";
import { requestChannel, SYSTEM_INTERFACE_CHANNEL } from "../channels";
import { invalidField } from "../invalid-field";
import type { SolConfig } from "../sol-config";

/** 24.8 bytes 1-2: payload types 0-15, bit n = type n. */
const STANDARD_IPMI = 1 << 0x00;
const STANDARD_SOL = 1 << 0x01;
/** Bytes 3-4: session set-up payloads 10h-1Fh; this BMC speaks Open Session and RAKP 1-4 (10h-15h). */
const SESSION_SETUP_RMCP_PLUS = 0x3f;

export function solHandlers(bmc: Bmc, sol: SolConfig): HandlerSpec[] {
  const { profile } = bmc;

  const channelOf = (
    channel: { channel: number; reserved: number },
    ctx: HandlerContext<unknown>,
  ): number => {
    if (channel.reserved !== 0) invalidField("the channel byte's reserved bits are set");
    return requestChannel(channel.channel, ctx, profile.channels);
  };

  const solChannel = (channel: { channel: number; reserved: number }, ctx: HandlerContext<unknown>) => {
    const number = channelOf(channel, ctx);
    if (number !== sol.channel)
      invalidField(`SOL is not carried on channel ${number} (only on ${sol.channel})`);
  };

  return [
    handlerFor(setSolConfigurationParameters, {
      handle: (ctx) => {
        const { channel, parameter, data } = ctx.request;
        solChannel(channel, ctx);
        sol.set(parameter, data);
      },
    }),
    handlerFor(getSolConfigurationParameters, {
      handle: (ctx) => {
        const { channel, parameter } = ctx.request;
        solChannel(channel, ctx);
        if (channel.revisionOnly) {
          sol.requireSupported(parameter);
          return { revision: SOL_PARAMETER_REVISION, data: [] };
        }
        return { revision: SOL_PARAMETER_REVISION, data: sol.get(parameter) };
      },
    }),
    handlerFor(getChannelPayloadSupport, {
      handle: (ctx) => {
        const number = channelOf(ctx.request.channel, ctx);
        const known =
          number === SYSTEM_INTERFACE_CHANNEL || profile.channels.some((c) => c.number === number);
        if (!known) invalidField(`this BMC has no channel ${number}`);
        // IPMI messages on every channel; SOL and the RMCP+ session set-up only on the LAN channel.
        const lan = number === sol.channel;
        return {
          standard: STANDARD_IPMI | (lan ? STANDARD_SOL : 0),
          sessionSetup: lan ? SESSION_SETUP_RMCP_PLUS : 0,
          oem: 0,
          reserved: 0,
        };
      },
    }),
  ];
}
