/**
 * Send Message (App 34h, IPMI 2.0 section 22.7) for bridging to IPMB, on the Bridge
 * (server/bmc/bridge.ts). Get Message and the receive message queue live with the message
 * queues (server/bmc/message-queues.ts); the bridge only pushes into that queue.
 *
 * Only the system interface bridges here: a tracked request from a LAN session would need
 * its answer sent back into that session, which the LAN bus does not do; it gets D5h.
 */
import { sendMessage } from "../../ipmi/commands/app";
import { CC } from "../../ipmi/completion-codes";
import { IpmiError } from "../../ipmi/ipmi-error";
import { channelKindOf, handlerFor } from "../../router/handler";
import type { HandlerSpec } from "../../router/types";
import { Bridge, type BridgeDeps } from "../bridge";

export function bridgeHandlers(deps: BridgeDeps, bridge = new Bridge(deps)): HandlerSpec[] {
  return [
    handlerFor(sendMessage, {
      handle: async (ctx) => {
        if (channelKindOf(ctx.busKind) !== "system")
          throw new IpmiError(CC.NOT_SUPPORTED_IN_STATE, "bridging is offered to the system interface only");
        const { channel, message } = ctx.request;
        const outcome = await bridge.sendMessage({
          from: ctx.busId,
          channel: channel.channel,
          tracking: channel.tracking,
          message,
        });
        if (outcome.cc !== CC.OK) throw new IpmiError(outcome.cc, outcome.note ?? undefined);
        return { response: new Uint8Array(0) };
      },
    }),
  ];
}
