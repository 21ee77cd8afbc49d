/** The VM bus family: a QEMU guest behind ipmi-bmc-extern (HOST_TRANSPORT=qemu). */
import type { Config } from "../../config";
import type { Logger } from "../../logger";
import { VmBus } from "./vm-bus";

export type VmBusConfig = Pick<Config, "QEMU_INTERFACE" | "QEMU_BMC" | "QEMU_MODE" | "QEMU_QMP">;

export function createVmBus(config: VmBusConfig, options: { log?: Logger } = {}): VmBus {
  const { host, port } = parseHostPort(config.QEMU_BMC);
  return new VmBus({
    interface: config.QEMU_INTERFACE,
    host,
    port,
    mode: config.QEMU_MODE,
    ...(config.QEMU_QMP ? { qmp: config.QEMU_QMP } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
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
