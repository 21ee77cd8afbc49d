/**
 * The BMC as a whole: its parts, the handlers built from it, and what concerns all the
 * parts at once — a reset asks each part to answer for itself, and stopping takes the
 * watchdog's deadline off the clock and flushes what is still to be written. Toward the
 * machine it manages it is a HostFacingBmc (server/contract/host-control.ts).
 *
 * Built by createBmc()/openBmc() (index.ts), which only wire: each part owns its state,
 * its rules and its change notifications.
 */
import type { ChassisAction, HostFacingBmc } from "../contract/host-control";
import type { HandlerSpec } from "../router/types";
import type { Channels } from "./channels";
import type { Chassis } from "./chassis";
import type { Controller } from "./controller";
import type { EventEngine } from "./events/event-engine";
import type { EventReceiver } from "./events/event-receiver";
import type { FruDevices } from "./fru";
import type { LanConfig } from "./lan-config";
import type { MessageQueues } from "./message-queues";
import type { Persistence } from "./persistence";
import type { BmcProfile } from "./profile";
import type { ResetKind } from "./reset";
import type { SdrRepository } from "./sdr";
import type { Sel } from "./sel";
import type { Sensors } from "./sensors";
import type { BmcStore } from "./store";
import type { IpmiUsers } from "./users";
import type { Watchdog } from "./watchdog";

export interface BmcParts {
  /** The platform it was built from: plain data (channels, capabilities, addresses). */
  profile: BmcProfile;
  controller: Controller;
  chassis: Chassis;
  watchdog: Watchdog;
  sensors: Sensors;
  sdr: SdrRepository;
  sel: Sel;
  fru: FruDevices;
  users: IpmiUsers;
  channels: Channels;
  lanConfig: LanConfig;
  store: BmcStore;
  persistence: Persistence;
  queues: MessageQueues;
  eventReceiver: EventReceiver;
  eventEngine: EventEngine;
}

export class Bmc implements HostFacingBmc {
  readonly profile: BmcProfile;
  /** The management controller: identity, self test, GUIDs, ACPI state, global enables, message flags. */
  readonly controller: Controller;
  /** Power, restore policy, restart cause, identify, POH, boot options; `onAction` reports every action. */
  readonly chassis: Chassis;
  readonly watchdog: Watchdog;
  readonly sensors: Sensors;
  readonly sdr: SdrRepository;
  readonly sel: Sel;
  readonly fru: FruDevices;
  /** The IPMI users (22.26-22.30), their passwords sealed in the store. */
  readonly users: IpmiUsers;
  /** Channels and the access settings of the session-based ones (22.22-22.24). */
  readonly channels: Channels;
  /** The LAN channel's configuration parameters and security settings (23.1). */
  readonly lanConfig: LanConfig;
  readonly store: BmcStore;
  /** The event message buffer and the receive message queue, for system software (6.13). */
  readonly queues: MessageQueues;
  /** Where events go: the SEL and the event message buffer (29). */
  readonly eventReceiver: EventReceiver;
  /** Threshold crossings of the sensors, turned into events. */
  readonly eventEngine: EventEngine;
  /** Every command the BMC answers, for the router. */
  readonly handlers: HandlerSpec[];
  private readonly persistence: Persistence;

  constructor(parts: BmcParts, handlers: (bmc: Bmc) => HandlerSpec[]) {
    this.profile = parts.profile;
    this.controller = parts.controller;
    this.chassis = parts.chassis;
    this.watchdog = parts.watchdog;
    this.sensors = parts.sensors;
    this.sdr = parts.sdr;
    this.sel = parts.sel;
    this.fru = parts.fru;
    this.users = parts.users;
    this.channels = parts.channels;
    this.lanConfig = parts.lanConfig;
    this.store = parts.store;
    this.persistence = parts.persistence;
    this.queues = parts.queues;
    this.eventReceiver = parts.eventReceiver;
    this.eventEngine = parts.eventEngine;
    this.handlers = handlers(this);
  }

  /**
   * Cold Reset (20.2), Warm Reset (20.3) or a reset of the host machine: every part
   * answers for itself what the reset does to it (reset.ts).
   */
  reset(kind: ResetKind): void {
    for (const part of [
      this.controller,
      this.sdr,
      this.sel,
      this.sensors,
      this.queues,
      this.eventEngine,
      this.chassis,
      this.watchdog,
      this.channels,
      this.lanConfig,
    ]) {
      part.reset(kind);
    }
  }

  /** A bus saw the host machine reset: the watchdog stops as on any system reset, the power is on. */
  hostReset(): void {
    this.reset("host");
  }

  /** Chassis Control and watchdog actions, after they took effect. */
  onChassisAction(listener: (action: ChassisAction) => void): () => void {
    return this.chassis.onAction(listener);
  }

  /** Whether a message flag asks for system software's attention (22.4): now, then on every change. */
  onAttention(listener: (pending: boolean) => void): () => void {
    return this.controller.onAttention(listener);
  }

  /** Waits until every change so far is in the store. */
  flush(): Promise<void> {
    return this.persistence.flush();
  }

  /** Stops the watchdog's timer and flushes the store; the BMC answers nothing useful after. */
  async stop(): Promise<void> {
    this.watchdog.close();
    this.eventEngine.close();
    await this.persistence.close();
  }
}
