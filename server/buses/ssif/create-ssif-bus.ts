/**
 * An SSIF bus on the BMC's ssif_bmc device (BUSES=ssif:device@/dev/ipmi-ssif-host). The
 * device has no SMS_ATN (SSIF has no status register): `device` offers no setAttention, and
 * the host finds pending messages by polling Get Message Flags.
 */
import type { Logger } from "../../logger";
import { SystemInterfaceBus } from "../device/si-bus";
import { decodeSsifRequest, encodeSsifResponse, SSIF_MAX_RESPONSE_DATA } from "./ssif-codec";
import { type SsifDeviceOpener, SsifDeviceTransport } from "./ssif-device";

export const SSIF_FRAMING = {
  kind: "ssif",
  label: "SSIF",
  maxResponseData: SSIF_MAX_RESPONSE_DATA,
  decode: decodeSsifRequest,
  encode: encodeSsifResponse,
} as const;

export interface CreatedSsifDeviceBus {
  bus: SystemInterfaceBus;
  device: SsifDeviceTransport;
}

export function createSsifDeviceBus(
  id: string,
  path: string,
  options: { log?: Logger; open?: SsifDeviceOpener } = {},
): CreatedSsifDeviceBus {
  const device = new SsifDeviceTransport({
    path,
    ...(options.log ? { log: options.log } : {}),
    ...(options.open ? { open: options.open } : {}),
  });
  return { bus: new SystemInterfaceBus(id, SSIF_FRAMING, device), device };
}
