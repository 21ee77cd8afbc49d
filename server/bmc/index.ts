/**
 * Builds the BMC (bmc.ts) from a profile and what the store kept. The runtime calls
 * `openBmc()` (loads the profile and the persisted state from the database) and
 * registers `handlers`; `createBmc()` builds one synchronously from what is already
 * loaded (no database: unit tests, the benchmark).
 *
 * Only wiring: each part owns its state, its rules and its change notifications
 * (controller.ts, chassis.ts with boot-options.ts, watchdog.ts, sensors.ts, sel.ts,
 * sdr.ts, fru.ts); persistence.ts subscribes the store to their changes.
 * Process start is "AC applied": the restore policy decides the power state.
 */

import { LAN_PARAM } from "../ipmi/commands/transport";
import type { Logger } from "../logger";
import type { Database } from "../persistence/database";
import { Bmc } from "./bmc";
import { BootOptions } from "./boot-options";
import { Channels } from "./channels";
import { Chassis, type ChassisStatus, chassisStatusFromProfile } from "./chassis";
import { type BmcClock, realClock } from "./clock";
import { Controller, type ControllerOverrides, controllerSetup } from "./controller";
import { EventEngine } from "./events/event-engine";
import { EventReceiver } from "./events/event-receiver";
import { FruDevices } from "./fru";
import { appHandlers } from "./handlers/app";
import { chassisHandlers } from "./handlers/chassis";
import { sensorHandlers } from "./handlers/sensor";
import { solHandlers } from "./handlers/sol";
import { storageHandlers } from "./handlers/storage";
import { transportHandlers } from "./handlers/transport";
import { userHandlers } from "./handlers/users";
import { type LanAddress, LanConfig } from "./lan-config";
import { MessageQueues } from "./message-queues";
import { persist, readSaved } from "./persistence";
import { type BmcProfile, defaultProfile, loadProfile } from "./profile";
import { buildSdrRecords, SdrRepository } from "./sdr";
import { SecretBox } from "./secret-box";
import { Sel } from "./sel";
import { Sensors, sensorModel } from "./sensors";
import { SOL_SETTING, SolConfig } from "./sol-config";
import {
  type BmcStore,
  emptyPersisted,
  MemoryBmcStore,
  type PersistedBmc,
  PrismaBmcStore,
  SETTING,
} from "./store";
import { IpmiUsers } from "./users";
import { Watchdog, type WatchdogState, watchdogStateFromConfig } from "./watchdog";

/** Changes to the profile's starting values (tests). */
export interface BmcOverrides extends ControllerOverrides {
  /** A chassis status to start from; with `powerOn` given, the restore policy is not applied. */
  chassis?: Partial<ChassisStatus>;
}

export interface BmcOptions {
  /** The platform; default the shipped profile. */
  profile?: BmcProfile;
  overrides?: BmcOverrides;
  /** A watchdog state to continue from (tests); otherwise the persisted configuration. */
  watchdogState?: WatchdogState;
  /** What the BMC reads the time from and schedules on; default the real clock. */
  clock?: BmcClock;
  /** Where changes go; default an in-memory store. */
  store?: BmcStore;
  /** What the store held at start (openBmc loads it). */
  persisted?: PersistedBmc;
  /** Seals the IPMI passwords in the store; default a key in memory (what it sealed opens only in this process). */
  secrets?: SecretBox;
  /** Sessions active on a channel, for Get Channel Info (or later: `bmc.channels.countSessionsWith`). */
  activeSessions?: (channel: number) => number;
  /** Where the LAN bus listens, for the LAN parameters (or later: `bmc.lanConfig.takeAddressFrom`). */
  lanAddress?: () => LanAddress | null;
  log?: Logger;
}

export function createBmc(options: BmcOptions = {}): Bmc {
  const profile = options.profile ?? defaultProfile();
  const clock = options.clock ?? realClock();
  const store = options.store ?? new MemoryBmcStore();
  const log = options.log;
  const persisted = options.persisted ?? emptyPersisted();
  const saved = readSaved(persisted, log);
  const overrides = options.overrides ?? {};

  const controller = new Controller(controllerSetup(profile, overrides));
  const chassis = new Chassis({
    status: chassisStatusFromProfile(profile, {
      ...(saved.chassis ? { restorePolicy: saved.chassis.restorePolicy } : {}),
      ...overrides.chassis,
    }),
    clock,
    controller,
    bootOptions: new BootOptions(clock, saved.bootOptions),
    poh: { minutesPerCount: profile.chassis.pohMinutesPerCount, baseCounter: profile.chassis.pohCounter },
    poweredOnMs: saved.chassis?.poweredOnMs ?? 0,
  });
  const sensors = new Sensors(profile.sensors.map(sensorModel), clock, chassis, saved.thresholds);
  const sel = new Sel({ capacity: profile.sel.capacity, clock, logging: controller, restored: saved.sel });
  // Volatile: the queues and the event state start empty at every start (a power-up).
  const queues = new MessageQueues(controller, clock);
  const eventReceiver = new EventReceiver(sel, queues.events);
  const sdr = new SdrRepository(
    buildSdrRecords(profile, sensors.models, controller.identity.additionalDeviceSupport),
    sel.time(),
  );
  const fru = new FruDevices(profile.fru, saved.fru, log);
  const watchdog = new Watchdog({
    clock,
    state: options.watchdogState ?? (saved.watchdog ? watchdogStateFromConfig(saved.watchdog) : undefined),
    surroundings: { controller, sel, sensors, chassis, generatorId: profile.device.slaveAddress, log },
  });
  const users = new IpmiUsers({
    profile,
    saved: persisted.settings.get(SETTING.IPMI_USERS),
    secrets: options.secrets ?? SecretBox.ephemeral(),
    log,
  });
  const channels = new Channels({
    profile,
    saved: persisted.settings.get(SETTING.IPMI_CHANNELS),
    ...(options.activeSessions ? { activeSessions: options.activeSessions } : {}),
    log,
  });
  const lanConfig = new LanConfig({
    profile,
    saved: persisted.settings.get(SETTING.IPMI_LAN),
    ...(options.lanAddress ? { address: options.lanAddress } : {}),
    log,
  });
  const persistence = persist({ chassis, sel, sensors, fru, watchdog, users, channels, lanConfig }, store);
  // SOL's parameters (sol-config.ts) on the LAN channel and its port (what LAN parameter 8
  // reports, so it follows `lanConfig.takeAddressFrom`); saved on every change.
  const solConfig = new SolConfig({
    channel: lanConfig.channel,
    port: () => {
      const b = lanConfig.get(LAN_PARAM.PRIMARY_RMCP_PORT);
      return b[0]! | (b[1]! << 8) || undefined;
    },
    saved: persisted.settings.get(SOL_SETTING),
    log,
  });
  solConfig.onChange(() => store.saveSetting(SOL_SETTING, solConfig.persisted()));

  // AC applied: the restore policy decides the power (and is saved), unless a test set it.
  if (overrides.chassis?.powerOn === undefined) {
    chassis.applyRestorePolicy(saved.chassis?.powerOn ?? profile.chassis.initialPower === "on");
  }
  // After the persistence subscribed to the SEL and the power is decided: its first scan
  // logs what is already crossed at power-up.
  const eventEngine = new EventEngine({
    sensors,
    clock,
    receiver: eventReceiver,
    generatorId: profile.device.slaveAddress,
    ...(log ? { log } : {}),
  });

  return new Bmc(
    {
      profile,
      controller,
      chassis,
      watchdog,
      sensors,
      sdr,
      sel,
      fru,
      users,
      channels,
      lanConfig,
      store,
      persistence,
      queues,
      eventReceiver,
      eventEngine,
    },
    (bmc) => {
      SOL_CONFIGS.set(bmc, solConfig);
      return [
        ...appHandlers(bmc),
        ...chassisHandlers(bmc),
        ...sensorHandlers(bmc),
        ...storageHandlers(bmc),
        ...userHandlers(bmc),
        ...transportHandlers(bmc),
        ...solHandlers(bmc, solConfig),
      ];
    },
  );
}

/**
 * The SOL configuration of a BMC this module built (Activate Payload and the SOL session
 * need it). Kept beside the Bmc until `BmcParts` carries it.
 */
const SOL_CONFIGS = new WeakMap<Bmc, SolConfig>();

export function solConfigOf(bmc: Bmc): SolConfig {
  const sol = SOL_CONFIGS.get(bmc);
  if (!sol) throw new Error("this BMC was not built by createBmc: it has no SOL configuration");
  return sol;
}

export interface OpenBmcOptions extends Omit<BmcOptions, "persisted" | "store"> {
  /** The product's database; without it (and without `store`) the BMC keeps nothing. */
  db?: Database;
  store?: BmcStore;
  /** A profile file (BMC_PROFILE); ignored when `profile` is given. Default: the shipped profile. */
  profilePath?: string;
  /**
   * The key file of the IPMI passwords (`secretKeyPathFor(DATABASE_URL)`: ipmi-secrets.key
   * beside the database), created at the first start; ignored when `secrets` is given.
   * Without either, a key in memory.
   */
  secretKeyPath?: string;
}

/** Loads the profile and the persisted state, then creates the BMC. Throws ProfileError on a bad profile. */
export async function openBmc(options: OpenBmcOptions = {}): Promise<Bmc> {
  const profile = options.profile ?? (await loadProfile(options.profilePath));
  const store =
    options.store ?? (options.db ? new PrismaBmcStore(options.db, options.log) : new MemoryBmcStore());
  const persisted = await store.load();
  const secrets =
    options.secrets ??
    (options.secretKeyPath ? SecretBox.open(options.secretKeyPath, options.log) : SecretBox.ephemeral());
  const bmc = createBmc({ ...options, profile, store, persisted, secrets });
  options.log?.info(
    `bmc: profile "${profile.name}": ${profile.sensors.length} sensors, ${profile.fru.length} FRU devices, ` +
      `SEL ${bmc.sel.count}/${profile.sel.capacity} entries, power ${bmc.chassis.powerOn ? "on" : "off"}`,
  );
  return bmc;
}

export { Bmc } from "./bmc";
export type { BmcClock } from "./clock";
export { realClock } from "./clock";
export { lanSecurityWarnings } from "./lan-config";
export type { BmcProfile } from "./profile";
export { defaultProfile, loadProfile, loadProfileFile, ProfileError, parseProfile } from "./profile";
export type { ResetKind } from "./reset";
export { SecretBox, secretKeyPathFor } from "./secret-box";
export type { BmcStore, PersistedBmc } from "./store";
export { MemoryBmcStore, PrismaBmcStore } from "./store";
export type { AdminBootstrap } from "./users";
export { bootstrapAdmin } from "./users";
export type { WatchdogState } from "./watchdog";
export { Watchdog } from "./watchdog";
