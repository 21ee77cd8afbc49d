/**
 * Builds the buses the configuration lists (bus-list.ts) and connects the BMC to the
 * host behind them: every link each bus can carry of the BMC's chassis actions, the
 * host's resets and the BMC's pending messages (SMS_ATN).
 */
import type { LanLogin } from "../bmc/sessions/lan-login";
import type { Config } from "../config";
import type { HostFacingBmc } from "../contract/host-control";
import type { Logger } from "../logger";
import type { BusMeta } from "../router/router";
import type { Bus } from "../router/types";
import { BtBus } from "./bt/bt-bus";
import { BtDeviceTransport } from "./bt/device-transport";
import { SimulatedHost } from "./bt/sim-host";
import type { BusSpec } from "./bus-list";
import { IpmbBus } from "./ipmb/ipmb-bus";
import { IpmbDeviceTransport } from "./ipmb/ipmb-device";
import { SIM_SATELLITE_ADDRESS, SimIpmbTransport, SimSatellite } from "./ipmb/sim-satellite";
import { createKcsDeviceBus } from "./kcs/create-kcs-bus";
import { LanBus } from "./lan/lan-bus";
import { createSsifDeviceBus } from "./ssif/create-ssif-bus";
import { VmBus } from "./vm/vm-bus";

/** How long the host's Linux BT driver waits for an answer (BT_NORMAL_TIMEOUT, drivers/char/ipmi/ipmi_bt_sm.c). */
export const BT_DEVICE_HOST_TIMEOUT_MS = 5000;

export interface CreatedBus {
  spec: BusSpec;
  bus: Bus;
  /** For the router's BusInfo: how the bus is carried. */
  meta: BusMeta;
  /** Tells the host the BMC holds a message for it (SMS_ATN), where the interface has a way to. */
  attention?: (pending: boolean) => void;
  /** A QEMU guest's bus: it also carries chassis actions and VM resets. */
  vm?: VmBus;
  /** The simulated BT host, which tests and the benchmark drive. */
  simHost?: SimulatedHost;
  /** An IPMB bus: the BMC bridges the host's Send Message to the controllers on it. */
  ipmb?: IpmbBus;
}

export type BusFactoryConfig = Pick<
  Config,
  "buses" | "SIM_RATE" | "QEMU_MODE" | "QEMU_QMP" | "HANDLER_TIMEOUT_MS"
>;

export interface BusFactoryOptions {
  log?: Logger;
  /** For the simulated host: stop after this many requests. */
  simLimit?: number;
  /** The LAN buses' sessions (server/bmc/sessions); needed when the list has a LAN bus. */
  lanLogin?: LanLogin;
  /** Where the LAN buses hand SOL packets (server/bmc/sol/sol-payloads.ts). */
  solPackets?: { fromConsole(sessionId: number, payload: Uint8Array): void };
}

export function createBuses(config: BusFactoryConfig, options: BusFactoryOptions = {}): CreatedBus[] {
  // A QMP socket belongs to one VM: only the first QEMU bus watches it, so a guest with
  // two interfaces (bt+kcs) does not report each reset twice.
  const firstQemu = config.buses.find((s) => s.transport === "qemu");
  const created = config.buses.map((spec) =>
    createBus(spec, config, options, spec === firstQemu ? config.QEMU_QMP : undefined),
  );
  for (const c of created) {
    // The simulated host is ours: it waits as long as it is told.
    const hostMs = c.simHost ? undefined : c.bus.hostTimeoutMs;
    if (hostMs !== undefined && config.HANDLER_TIMEOUT_MS >= hostMs) {
      options.log?.warn(
        `HANDLER_TIMEOUT_MS=${config.HANDLER_TIMEOUT_MS} is not below ${c.bus.id}'s host's ${hostMs} ms: ` +
          "a slow handler's host gets no C3h from us, it times out on its own",
      );
    }
  }
  return created;
}

function createBus(
  spec: BusSpec,
  config: BusFactoryConfig,
  options: BusFactoryOptions,
  qmp: string | undefined,
): CreatedBus {
  const meta = (address: string | null): BusMeta => ({ transport: spec.transport, address });
  const log = options.log;
  switch (spec.transport) {
    case "sim": {
      if (spec.kind === "bt") {
        const simHost = new SimulatedHost(
          options.simLimit === undefined
            ? { rate: config.SIM_RATE }
            : { rate: config.SIM_RATE, limit: options.simLimit },
        );
        return { spec, bus: new BtBus(spec.id, simHost), meta: meta(null), simHost };
      }
      const ipmb = new IpmbBus(spec.id, new SimIpmbTransport(new SimSatellite(SIM_SATELLITE_ADDRESS)), {
        channel: ipmbChannel(spec.id),
      });
      return { spec, bus: ipmb, meta: meta(null), ipmb };
    }
    case "device": {
      if (spec.kind === "bt") {
        const device = new BtDeviceTransport({
          path: spec.path,
          hostTimeoutMs: BT_DEVICE_HOST_TIMEOUT_MS,
          ...(log ? { log } : {}),
        });
        return {
          spec,
          bus: new BtBus(spec.id, device),
          meta: meta(spec.path),
          attention: (pending) => device.setAttention(pending),
        };
      }
      if (spec.kind === "kcs") {
        const { bus, device } = createKcsDeviceBus(spec.id, spec.path, log ? { log } : {});
        return { spec, bus, meta: meta(spec.path), attention: (pending) => device.setAttention(pending) };
      }
      if (spec.kind === "ssif") {
        // ssif_bmc has no attention line: the host polls Get Message Flags.
        const { bus } = createSsifDeviceBus(spec.id, spec.path, log ? { log } : {});
        return { spec, bus, meta: meta(spec.path) };
      }
      const ipmb = new IpmbBus(
        spec.id,
        new IpmbDeviceTransport({ path: spec.path, ...(log ? { log } : {}) }),
        {
          channel: ipmbChannel(spec.id),
        },
      );
      return { spec, bus: ipmb, meta: meta(spec.path), ipmb };
    }
    case "qemu": {
      const vm = new VmBus({
        id: spec.id,
        interface: spec.kind,
        host: spec.host,
        port: spec.port,
        mode: config.QEMU_MODE,
        ...(qmp ? { qmp } : {}),
        ...(log ? { log } : {}),
      });
      return {
        spec,
        bus: vm,
        meta: meta(`${spec.host.includes(":") ? `[${spec.host}]` : spec.host}:${spec.port}`),
        attention: (pending) => vm.setAttention(pending),
        vm,
      };
    }
    case "udp": {
      if (!options.lanLogin) throw new Error(`${spec.id}: a LAN bus needs the BMC's sessions (lanLogin)`);
      const lan = new LanBus({
        id: spec.id,
        host: spec.host,
        port: spec.port,
        login: options.lanLogin,
        ...(options.solPackets ? { sol: options.solPackets } : {}),
        ...(log ? { log } : {}),
      });
      return { spec, bus: lan, meta: meta(`${spec.host}:${spec.port}`) };
    }
  }
}

/**
 * The channel number of an IPMB bus: the first (ipmb0) is the primary IPMB, channel 0
 * (IPMI 2.0 section 6.3, table 6-1); further ones take 6, 7, ... (implementation-specific
 * numbers the default profile leaves free: Send Message reaches them, though Get Channel
 * Info knows only the profile's channels).
 */
function ipmbChannel(id: string): number {
  const n = Number(id.slice("ipmb".length));
  return n === 0 ? 0 : 5 + n;
}

/**
 * Connects the BMC to the host behind the buses, every link each can carry: the BMC's
 * pending messages raise SMS_ATN on every system interface that has a way to (the host
 * may use any of them: a guest with BT and KCS has two drivers); chassis actions go to
 * the VM, and a VM reset reaches the BMC, through the first QEMU bus (one VM; a second
 * QEMU bus is normally the same guest's other interface). Returns what it wired (for
 * the log) and how to undo it.
 */
export function connectHostControl(
  created: readonly CreatedBus[],
  bmc: HostFacingBmc,
  log?: Pick<Logger, "info" | "warn">,
): { wired: string[]; dispose: () => void } {
  const wired: string[] = [];
  const undo: (() => void)[] = [];
  const vm = created.find((c) => c.vm)?.vm;
  if (vm) {
    undo.push(
      bmc.onChassisAction((action) => {
        const result = vm.chassisControl(action);
        if (result.sent) log?.info(`chassis ${action}: sent ${result.command} to QEMU`);
        else log?.warn(`chassis ${action}: not sent to QEMU: ${result.reason}`);
      }),
    );
    wired.push(`chassis actions -> VM commands (${vm.id})`);
    undo.push(vm.onHostReset(() => bmc.hostReset()));
    wired.push(`VM reset -> BMC host reset (${vm.id})`);
  }
  const raisers = created.filter((c) => c.attention);
  if (raisers.length > 0) {
    undo.push(
      bmc.onAttention((pending) => {
        for (const c of raisers) c.attention?.(pending);
      }),
    );
    wired.push(`pending messages -> SMS_ATN (${raisers.map((c) => c.bus.id).join(", ")})`);
  }
  return {
    wired,
    dispose: () => {
      for (const u of undo.splice(0)) u();
    },
  };
}
