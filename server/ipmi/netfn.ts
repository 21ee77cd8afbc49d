/**
 * Network functions (IPMI 2.0 rev 1.1, table 5-1). A request netfn is even; its
 * response is the odd value one above it. 2Ch and 2Eh carry a body code (group
 * extension) or an IANA number (OEM/group) as the first data bytes, so the router
 * keys their handlers on that code as well.
 */
export const NETFN = {
  CHASSIS: 0x00,
  BRIDGE: 0x02,
  SENSOR_EVENT: 0x04,
  APP: 0x06,
  FIRMWARE: 0x08,
  STORAGE: 0x0a,
  TRANSPORT: 0x0c,
  GROUP_EXTENSION: 0x2c,
  OEM_GROUP: 0x2e,
} as const;

export const NETFN_MAX = 0x3f;

export function isRequestNetFn(netFn: number): boolean {
  return (netFn & 1) === 0;
}

export function requestNetFn(netFn: number): number {
  return netFn & 0x3e;
}

export function responseNetFn(netFn: number): number {
  return (netFn | 1) & 0x3f;
}

/** Which extra key a netfn's handlers are registered under. */
export type NetFnKeyKind = "none" | "group" | "iana";

export function netFnKeyKind(netFn: number): NetFnKeyKind {
  const rq = requestNetFn(netFn);
  if (rq === NETFN.GROUP_EXTENSION) return "group";
  if (rq === NETFN.OEM_GROUP) return "iana";
  return "none";
}

const NAMES: ReadonlyMap<number, string> = new Map([
  [NETFN.CHASSIS, "Chassis"],
  [NETFN.BRIDGE, "Bridge"],
  [NETFN.SENSOR_EVENT, "Sensor/Event"],
  [NETFN.APP, "App"],
  [NETFN.FIRMWARE, "Firmware"],
  [NETFN.STORAGE, "Storage"],
  [NETFN.TRANSPORT, "Transport"],
  [NETFN.GROUP_EXTENSION, "Group Extension"],
  [NETFN.OEM_GROUP, "OEM/Group"],
]);

/** The spec's name of a netfn (request or response), e.g. 07h -> "App". */
export function netFnName(netFn: number): string {
  const rq = requestNetFn(netFn);
  const known = NAMES.get(rq);
  if (known) return known;
  if (rq >= 0x30 && rq <= 0x3e) return "Controller-specific OEM/Group";
  return "Reserved";
}

/** Length of the extra key a request of this netfn must carry in its first data bytes. */
export function netFnKeyLength(netFn: number): number {
  const kind = netFnKeyKind(netFn);
  if (kind === "group") return 1;
  if (kind === "iana") return 3;
  return 0;
}
