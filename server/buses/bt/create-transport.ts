/**
 * Builds the BT transport the config asks for (BT_TRANSPORT), so the runtime only
 * calls one function, and connects a VM's chassis and reset signals to the BMC.
 */
import type { Config } from "../../config";
import type { ChassisAction } from "../../contract/host-control";
import type { Logger } from "../../logger";
import { BtDeviceTransport } from "./device-transport";
import { QemuTransport } from "./qemu-transport";
import { SimulatedHost } from "./sim-host";
import type { BtTransport } from "./transport";

export type BtTransportConfig = Pick<
  Config,
  "BT_TRANSPORT" | "BT_DEVICE" | "QEMU_BMC" | "QEMU_MODE" | "QEMU_QMP" | "SIM_RATE" | "HANDLER_TIMEOUT_MS"
>;

export interface CreatedBtTransport {
  /** Undefined for BT_TRANSPORT=none. */
  transport: BtTransport | undefined;
  simHost?: SimulatedHost;
  device?: BtDeviceTransport;
  qemu?: QemuTransport;
}

/** How long the host waits for an answer: Linux's BT driver 5 s, QEMU's extern backend 4 s. */
export const HOST_TIMEOUT_MS = { device: 5000, qemu: 4000 } as const;

export function createBtTransport(
  config: BtTransportConfig,
  options: { log?: Logger; simLimit?: number } = {},
): CreatedBtTransport {
  const { log } = options;
  switch (config.BT_TRANSPORT) {
    case "sim": {
      const simHost = new SimulatedHost(
        options.simLimit === undefined
          ? { rate: config.SIM_RATE }
          : { rate: config.SIM_RATE, limit: options.simLimit },
      );
      return { transport: simHost, simHost };
    }
    case "device": {
      warnIfRouterOutwaitsHost(config, HOST_TIMEOUT_MS.device, log);
      const device = new BtDeviceTransport({
        path: config.BT_DEVICE,
        hostTimeoutMs: HOST_TIMEOUT_MS.device,
        ...(log ? { log } : {}),
      });
      return { transport: device, device };
    }
    case "qemu": {
      warnIfRouterOutwaitsHost(config, HOST_TIMEOUT_MS.qemu, log);
      const { host, port } = parseHostPort(config.QEMU_BMC);
      const qemu = new QemuTransport({
        host,
        port,
        mode: config.QEMU_MODE,
        hostTimeoutMs: HOST_TIMEOUT_MS.qemu,
        ...(config.QEMU_QMP ? { qmp: config.QEMU_QMP } : {}),
        ...(log ? { log } : {}),
      });
      return { transport: qemu, qemu };
    }
    case "none":
      return { transport: undefined };
  }
}

/** "127.0.0.1:9002" or "[::1]:9002" -> { host, port }. */
export function parseHostPort(value: string): { host: string; port: number } {
  const colon = value.lastIndexOf(":");
  if (colon <= 0) throw new Error(`'${value}' is not host:port`);
  let host = value.slice(0, colon);
  if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
  const port = Number(value.slice(colon + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`'${value}' has no valid port`);
  return { host, port };
}

/**
 * What the BMC offers the machine it manages, as far as it exists: the Chassis
 * Control actions it decides on, a reset of its host-facing state when the host
 * machine resets, and whether it holds a message for the host (receive message queue,
 * event message buffer, watchdog pre-timeout: the SMS_ATN bit). All optional: the
 * wiring uses what the BMC has.
 */
export interface HostControlledBmc {
  chassis?: { onAction?(listener: (action: ChassisAction) => void): () => void };
  hostReset?(): void;
  onAttention?(listener: (pending: boolean) => void): () => void;
}

/**
 * Connects the BMC to the host behind the transport: with QEMU, Chassis Control
 * actions go to the VM as VM commands and a VM reset reaches the BMC; with QEMU or the
 * bt-bmc device, the BMC's pending messages raise SMS_ATN. Returns what it wired (for
 * the log) and how to undo it.
 */
export function connectHostControl(
  bt: CreatedBtTransport,
  bmc: HostControlledBmc,
  log?: Pick<Logger, "info" | "warn">,
): { wired: string[]; dispose: () => void } {
  const wired: string[] = [];
  const undo: (() => void)[] = [];
  const qemu = bt.qemu;
  const onAction = bmc.chassis?.onAction;
  if (qemu && typeof onAction === "function") {
    undo.push(
      onAction.call(bmc.chassis, (action) => {
        const result = qemu.chassisControl(action);
        if (result.sent) log?.info(`chassis ${action}: sent ${result.command} to QEMU`);
        else log?.warn(`chassis ${action}: not sent to QEMU: ${result.reason}`);
      }),
    );
    wired.push("chassis actions -> VM commands");
  }
  if (qemu && typeof bmc.hostReset === "function") {
    undo.push(qemu.onHostReset(() => bmc.hostReset?.()));
    wired.push("VM reset -> BMC host reset");
  }
  const attention = qemu ?? bt.device;
  if (attention && typeof bmc.onAttention === "function") {
    undo.push(bmc.onAttention((pending) => attention.setAttention(pending)));
    wired.push("pending messages -> SMS_ATN");
  }
  return {
    wired,
    dispose: () => {
      for (const u of undo.splice(0)) u();
    },
  };
}

function warnIfRouterOutwaitsHost(config: BtTransportConfig, hostMs: number, log: Logger | undefined): void {
  if (config.HANDLER_TIMEOUT_MS >= hostMs) {
    log?.warn(
      `HANDLER_TIMEOUT_MS=${config.HANDLER_TIMEOUT_MS} is not below the host's ${hostMs} ms: ` +
        "a slow handler's host gets no C3h from us, it times out on its own",
    );
  }
}
