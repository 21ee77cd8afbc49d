/**
 * A handler is a command-table entry plus its body (the phosphor-host-ipmid model): the
 * entry gives the id, key, privilege, channels and layouts; the body gets the unpacked
 * request and returns the typed response, which the entry's layout packs. An answer that
 * does not fit its layout throws LayoutError (the requester gets FFh and the log says
 * why), so wrong bytes are never sent.
 */

import type { ChannelKind, LaidOutCommand } from "../ipmi/commands/define";
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/ipmi-error";
import type { BusKind, HandlerContext, HandlerReply, HandlerSpec } from "./types";

/** The channel kind a bus's requests arrive on: the host's interfaces (and injection, which speaks as the host) are the system interface. */
export function channelKindOf(busKind: BusKind): ChannelKind {
  switch (busKind) {
    case "lan":
      return "lan";
    case "ipmb":
      return "ipmb";
    default:
      return "system";
  }
}

export interface HandlerBody<Req, Res> {
  handle(ctx: HandlerContext<Req>): Res | Promise<Res>;
  priority?: number;
  timeoutMs?: number;
}

function isPromise<T>(v: T | Promise<T>): v is Promise<T> {
  return typeof (v as { then?: unknown } | null)?.then === "function";
}

export function handlerFor<Req, ReqIn, Res, ResIn>(
  command: LaidOutCommand<Req, ReqIn, Res, ResIn>,
  body: HandlerBody<Req, ResIn>,
): HandlerSpec<Req> {
  const { channels, response } = command;
  const everywhere = channels.length === 3;
  const reply = (value: ResIn): HandlerReply => ({ data: response.pack(value) });
  return {
    id: command.id,
    netFn: command.netFn,
    cmd: command.cmd,
    ...(command.group === undefined ? {} : { group: command.group }),
    ...(body.priority === undefined ? {} : { priority: body.priority }),
    ...(body.timeoutMs === undefined ? {} : { timeoutMs: body.timeoutMs }),
    privilege: command.privilege,
    description: command.name,
    command,
    request: command.request,
    handle(ctx) {
      // Table G-1's "system interface only" commands: LAN and IPMB requests get D4h.
      if (!everywhere && !channels.includes(channelKindOf(ctx.busKind))) {
        throw new IpmiError(
          CC.INSUFFICIENT_PRIVILEGE,
          `${command.name} is only available on the ${channels.join(", ")} channel`,
        );
      }
      const out = body.handle(ctx);
      return isPromise(out) ? out.then(reply) : reply(out);
    },
  };
}
