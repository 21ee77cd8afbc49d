/**
 * Which IPMI channel a request came in on, and whether that is the host's system
 * interface (BT, KCS, SSIF, or the console injecting as the host).
 */
import { channelKindOf } from "../router/handler";
import type { HandlerContext } from "../router/types";
import type { ChannelProfile } from "./profile";

/** Channel medium type 04h, 802.3 LAN (table 6-3). */
const MEDIUM_LAN = 0x04;
/** Channel 0Fh is the system interface (table 6-1). */
const SYSTEM_INTERFACE_CHANNEL = 0x0f;

/** The channel number of the request's interface: the profile's LAN channel, IPMB 0, else 0Fh. */
export function channelOf(channels: readonly ChannelProfile[], ctx: HandlerContext<unknown>): number {
  switch (channelKindOf(ctx.busKind)) {
    case "lan":
      return channels.find((c) => c.medium === MEDIUM_LAN)?.number ?? 0x01;
    case "ipmb":
      return 0x00;
    case "system":
      return SYSTEM_INTERFACE_CHANNEL;
  }
}

/** True for the host's own interfaces (and the console injecting as the host). */
export function isSystemInterface(ctx: HandlerContext<unknown>): boolean {
  return channelKindOf(ctx.busKind) === "system";
}
