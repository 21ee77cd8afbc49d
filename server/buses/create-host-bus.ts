/**
 * The host side of the BMC, as HOST_TRANSPORT asks for it: a BT bus over the simulated
 * host or the bt-bmc device (server/buses/bt/), a VM bus to a QEMU guest with the
 * interface QEMU_INTERFACE names (server/buses/vm/), or nothing. And the wiring between
 * that host and the BMC: what the bus can carry of the BMC's chassis actions, the host's
 * resets and the BMC's pending messages.
 */
import type { Config } from "../config";
import type { HostFacingBmc } from "../contract/host-control";
import type { Logger } from "../logger";
import { type CreatedBtBus, createBtBus } from "./bt/create-bt-bus";
import { createVmBus } from "./vm/create-vm-bus";
import type { VmBus } from "./vm/vm-bus";

export type HostBusConfig = Pick<
  Config,
  | "HOST_TRANSPORT"
  | "QEMU_INTERFACE"
  | "BT_DEVICE"
  | "QEMU_BMC"
  | "QEMU_MODE"
  | "QEMU_QMP"
  | "SIM_RATE"
  | "HANDLER_TIMEOUT_MS"
>;

export type HostBus =
  | CreatedBtBus
  | { transport: "qemu"; bus: VmBus }
  | { transport: "none"; bus: undefined };

export function createHostBus(
  config: HostBusConfig,
  options: { log?: Logger; simLimit?: number } = {},
): HostBus {
  if (config.HOST_TRANSPORT !== "qemu" && config.QEMU_INTERFACE !== "bt") {
    // Set for a QEMU guest, most likely with HOST_TRANSPORT forgotten.
    options.log?.warn(
      `QEMU_INTERFACE=${config.QEMU_INTERFACE} is ignored: HOST_TRANSPORT is ${config.HOST_TRANSPORT}, not qemu`,
    );
  }
  let host: HostBus;
  switch (config.HOST_TRANSPORT) {
    case "sim":
    case "device":
      host = createBtBus(config.HOST_TRANSPORT, config, options);
      break;
    case "qemu":
      host = { transport: "qemu", bus: createVmBus(config, options) };
      break;
    case "none":
      return { transport: "none", bus: undefined };
  }
  // The simulated host is ours: it waits as long as it is told.
  const hostMs = host.transport === "sim" ? undefined : host.bus.hostTimeoutMs;
  if (hostMs !== undefined) warnIfRouterOutwaitsHost(config, hostMs, options.log);
  return host;
}

/**
 * Connects the BMC to the host behind the bus, every link the bus can carry: with QEMU,
 * Chassis Control actions go to the VM as VM commands, a VM reset reaches the BMC and
 * the BMC's pending messages raise SMS_ATN; with the bt-bmc device, SMS_ATN only (the
 * device has no power control and does not report host resets). The simulated host
 * has none of these. Returns what it wired (for the log) and how to undo it.
 */
export function connectHostControl(
  host: HostBus,
  bmc: HostFacingBmc,
  log?: Pick<Logger, "info" | "warn">,
): { wired: string[]; dispose: () => void } {
  const wired: string[] = [];
  const undo: (() => void)[] = [];
  switch (host.transport) {
    case "qemu": {
      const vm = host.bus;
      undo.push(
        bmc.onChassisAction((action) => {
          const result = vm.chassisControl(action);
          if (result.sent) log?.info(`chassis ${action}: sent ${result.command} to QEMU`);
          else log?.warn(`chassis ${action}: not sent to QEMU: ${result.reason}`);
        }),
      );
      wired.push("chassis actions -> VM commands");
      undo.push(vm.onHostReset(() => bmc.hostReset()));
      wired.push("VM reset -> BMC host reset");
      undo.push(bmc.onAttention((pending) => vm.setAttention(pending)));
      wired.push("pending messages -> SMS_ATN");
      break;
    }
    case "device": {
      const device = host.device;
      undo.push(bmc.onAttention((pending) => device.setAttention(pending)));
      wired.push("pending messages -> SMS_ATN");
      break;
    }
    case "sim":
    case "none":
      break;
  }
  return {
    wired,
    dispose: () => {
      for (const u of undo.splice(0)) u();
    },
  };
}

function warnIfRouterOutwaitsHost(config: HostBusConfig, hostMs: number, log: Logger | undefined): void {
  if (config.HANDLER_TIMEOUT_MS >= hostMs) {
    log?.warn(
      `HANDLER_TIMEOUT_MS=${config.HANDLER_TIMEOUT_MS} is not below the host's ${hostMs} ms: ` +
        "a slow handler's host gets no C3h from us, it times out on its own",
    );
  }
}
