/**
 * The BT bus family: a BtBus over the simulated host (HOST_TRANSPORT=sim) or the Linux
 * bt-bmc device (HOST_TRANSPORT=device). A QEMU guest's BT interface is a VM bus
 * (server/buses/vm/): QEMU has already taken the BT framing off.
 */
import type { Config } from "../../config";
import type { Logger } from "../../logger";
import { BtBus } from "./bt-bus";
import { BtDeviceTransport } from "./device-transport";
import { SimulatedHost } from "./sim-host";

export type BtBusConfig = Pick<Config, "BT_DEVICE" | "SIM_RATE">;

/** How long the host's Linux BT driver waits for an answer (BT_NORMAL_TIMEOUT, drivers/char/ipmi/ipmi_bt_sm.c). */
export const BT_DEVICE_HOST_TIMEOUT_MS = 5000;

export type CreatedBtBus =
  | { transport: "sim"; bus: BtBus; simHost: SimulatedHost }
  | { transport: "device"; bus: BtBus; device: BtDeviceTransport };

export function createBtBus(
  transport: "sim" | "device",
  config: BtBusConfig,
  options: { log?: Logger; simLimit?: number } = {},
): CreatedBtBus {
  if (transport === "sim") {
    const simHost = new SimulatedHost(
      options.simLimit === undefined
        ? { rate: config.SIM_RATE }
        : { rate: config.SIM_RATE, limit: options.simLimit },
    );
    return { transport, bus: new BtBus("bt0", simHost), simHost };
  }
  const device = new BtDeviceTransport({
    path: config.BT_DEVICE,
    hostTimeoutMs: BT_DEVICE_HOST_TIMEOUT_MS,
    ...(options.log ? { log: options.log } : {}),
  });
  return { transport, bus: new BtBus("bt0", device), device };
}
