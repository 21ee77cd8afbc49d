/**
 * A KCS bus on the BMC's kcs_bmc_cdev_ipmi device (BUSES=kcs:device@/dev/ipmi-kcs3). A
 * QEMU guest's KCS interface is a VM bus instead (server/buses/vm/).
 */
import type { Logger } from "../../logger";
import { SystemInterfaceBus } from "../device/si-bus";
import { decodeKcsRequest, encodeKcsResponse, KCS_MAX_RESPONSE_DATA } from "./kcs-codec";
import { type KcsDeviceOpener, KcsDeviceTransport } from "./kcs-device";

export const KCS_FRAMING = {
  kind: "kcs",
  label: "KCS",
  maxResponseData: KCS_MAX_RESPONSE_DATA,
  decode: decodeKcsRequest,
  encode: encodeKcsResponse,
} as const;

export interface CreatedKcsDeviceBus {
  bus: SystemInterfaceBus;
  device: KcsDeviceTransport;
}

export function createKcsDeviceBus(
  id: string,
  path: string,
  options: { log?: Logger; open?: KcsDeviceOpener } = {},
): CreatedKcsDeviceBus {
  const device = new KcsDeviceTransport({
    path,
    ...(options.log ? { log: options.log } : {}),
    ...(options.open ? { open: options.open } : {}),
  });
  return { bus: new SystemInterfaceBus(id, KCS_FRAMING, device), device };
}
