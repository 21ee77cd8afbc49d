/**
 * Transport (NetFn 0Ch) handlers: Set / Get LAN Configuration Parameters (IPMI 2.0
 * sections 23.1, 23.2), laid out in `server/ipmi/commands/transport.ts`, on the LAN
 * configuration (lan-config.ts). A channel other than the LAN channel answers CCh.
 */
import {
  getLanConfigurationParameters,
  LAN_PARAMETER_REVISION,
  setLanConfigurationParameters,
} from "../../ipmi/commands/transport";
import { handlerFor } from "../../router/handler";
import type { HandlerContext, HandlerSpec } from "../../router/types";
import type { Bmc } from "../bmc";
import { requestChannel } from "../channels";
import { invalidField } from "../invalid-field";

export function transportHandlers(bmc: Bmc): HandlerSpec[] {
  const { lanConfig, profile } = bmc;

  const lanChannel = (channel: { channel: number; reserved: number }, ctx: HandlerContext<unknown>) => {
    if (channel.reserved !== 0) invalidField("the channel byte's reserved bits are set");
    const number = requestChannel(channel.channel, ctx, profile.channels);
    if (number !== lanConfig.channel)
      invalidField(`channel ${number} is not the LAN channel (${lanConfig.channel})`);
  };

  return [
    handlerFor(setLanConfigurationParameters, {
      handle: (ctx) => {
        const { channel, parameter, data } = ctx.request;
        lanChannel(channel, ctx);
        lanConfig.set(parameter, data);
      },
    }),
    handlerFor(getLanConfigurationParameters, {
      handle: (ctx) => {
        const { channel, parameter } = ctx.request;
        lanChannel(channel, ctx);
        if (channel.revisionOnly) {
          lanConfig.requireSupported(parameter);
          return { revision: LAN_PARAMETER_REVISION, data: [] };
        }
        return { revision: LAN_PARAMETER_REVISION, data: lanConfig.get(parameter) };
      },
    }),
  ];
}
