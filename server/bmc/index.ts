/**
 * The BMC: its profile, state, watchdog, chassis, sensors, SDR repository, FRU devices
 * and SEL, and every handler it answers with. The runtime calls `openBmc()` (loads the
 * profile and the persisted state from the database) and registers `handlers`;
 * `createBmc()` builds one synchronously from what is already loaded (no database:
 * unit tests, the benchmark).
 *
 * Persistence: handlers change memory and hand changes to the store, which writes them
 * behind in order (store.ts); `stop()` flushes. What a restart keeps: SEL entries and
 * counters, FRU writes, thresholds clients set, boot options, power restore policy and
 * power state, watchdog configuration (not a running countdown), SEL clock offset, POH.
 * Process start is "AC applied": the restore policy decides the power state.
 */
import { z } from "zod";
import type { ChassisAction } from "../contract/host-control";
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/fields";
import type { Logger } from "../logger";
import type { Database } from "../persistence/database";
import type { HandlerSpec } from "../router/types";
import { BootOptions, createBootOptions, restoreBootOptions } from "./boot-options";
import { Chassis, RESTART_CAUSE } from "./chassis";
import { SENSOR_TYPE_WATCHDOG2 } from "./codes";
import type { BmcCore } from "./core";
import { buildFruImage, type FruDevice } from "./fru";
import { appHandlers } from "./handlers/app";
import { chassisHandlers } from "./handlers/chassis";
import { EVM_REV, sensorHandlers } from "./handlers/sensor";
import { storageHandlers } from "./handlers/storage";
import { type BmcProfile, defaultProfile, loadProfile } from "./profile";
import { buildSdrRecords, SdrRepository } from "./sdr";
import { Sel, type SelMeta } from "./sel";
import { type SensorModel, Sensors, sensorModel } from "./sensors";
import {
  type BmcState,
  type BmcStateOverrides,
  createBmcState,
  DEVICE_SUPPORT,
  GLOBAL_ENABLES,
  guidToWire,
  MISC_CHASSIS_STATE,
  validateBmcState,
} from "./state";
import {
  type BmcStore,
  emptyPersisted,
  MemoryBmcStore,
  type PersistedBmc,
  PrismaBmcStore,
  SETTING,
} from "./store";
import { TIMEOUT_ACTION, Watchdog, type WatchdogState, watchdogStateFromConfig } from "./watchdog";

export interface BmcOptions {
  /** The platform; default the shipped profile. */
  profile?: BmcProfile;
  /** A complete state to use as is; mutated by Set commands. Skips the restore policy. */
  state?: BmcState;
  /** Changes to the profile's state (tests). */
  overrides?: BmcStateOverrides;
  /** A watchdog state to continue from (tests); otherwise the persisted configuration. */
  watchdogState?: WatchdogState;
  /** Clock in ms; defaults to Date.now. */
  now?: () => number;
  /** Where changes go; default an in-memory store. */
  store?: BmcStore;
  /** What the store held at start (openBmc loads it). */
  persisted?: PersistedBmc;
  log?: Logger;
  /**
   * Run the watchdog on a real timer (setTimeout at its next deadline, unref'd). Default:
   * on with the real clock, off when `now` is given (tests move time and call tick()).
   */
  timers?: boolean;
}

export interface Bmc {
  readonly profile: BmcProfile;
  readonly state: BmcState;
  readonly watchdog: Watchdog;
  readonly handlers: HandlerSpec[];
  readonly sel: Sel;
  readonly sdr: SdrRepository;
  readonly sensors: Sensors;
  readonly fru: ReadonlyMap<number, FruDevice>;
  /** The simulated chassis: `onAction(listener)` reports every power/reset action. */
  readonly chassis: Chassis;
  readonly store: BmcStore;
  /** A bus saw the host reset: the watchdog stops as on any system reset, the power is on. */
  hostReset(): void;
  /** Waits until every change so far is in the store. */
  flush(): Promise<void>;
  /** Stops the watchdog timer and flushes the store; the BMC answers nothing useful after. */
  stop(): Promise<void>;
}

export type { ChassisAction };

// ---- persisted settings, checked on load --------------------------------------------

const chassisSetting = z.object({
  restorePolicy: z.enum(["always-off", "previous", "always-on"]),
  powerOn: z.boolean(),
  poweredOnMs: z.number().nonnegative(),
});

const selSetting = z.object({
  nextRecordId: z.number().int().min(1).max(0xfffe),
  nextPosition: z.number().int().min(1),
  lastAddition: z.number().int().min(0).max(0xffffffff),
  lastErase: z.number().int().min(0).max(0xffffffff),
  overflow: z.boolean(),
});

const selTimeSetting = z.object({ offsetMs: z.number() });

const watchdogSetting = z.object({
  initialized: z.boolean(),
  timerUse: z.number().int().min(0).max(5),
  dontLog: z.boolean(),
  timeoutAction: z.number().int().min(0).max(3),
  preTimeoutInterrupt: z.number().int().min(0).max(3),
  preTimeoutInterval: z.number().int().min(0).max(0xff),
  initialCountdown: z.number().int().min(0).max(0xffff),
});

function setting<T>(
  persisted: PersistedBmc,
  key: string,
  schema: z.ZodType<T>,
  log: Logger | undefined,
): T | undefined {
  if (!persisted.settings.has(key)) return undefined;
  const parsed = schema.safeParse(persisted.settings.get(key));
  if (parsed.success) return parsed.data;
  log?.warn(
    `bmc: saved setting '${key}' is not usable (${parsed.error.issues[0]?.message}); using the profile's`,
  );
  return undefined;
}

// ---- state from the profile ---------------------------------------------------------

/** Get Device ID byte 6 for what this BMC implements, unless the profile says otherwise. */
function deviceSupport(profile: BmcProfile): number {
  if (profile.device.additionalDeviceSupport !== undefined) return profile.device.additionalDeviceSupport;
  return (
    (profile.sensors.length > 0 ? DEVICE_SUPPORT.SENSOR : 0) |
    DEVICE_SUPPORT.SDR_REPOSITORY |
    DEVICE_SUPPORT.SEL |
    (profile.fru.length > 0 ? DEVICE_SUPPORT.FRU_INVENTORY : 0) |
    DEVICE_SUPPORT.CHASSIS
  );
}

function stateFromProfile(profile: BmcProfile, o: BmcStateOverrides = {}): BmcState {
  const d = profile.device;
  return createBmcState({
    ...o,
    device: {
      deviceId: d.deviceId,
      deviceRevision: d.deviceRevision,
      providesDeviceSdrs: d.providesDeviceSdrs,
      firmwareMajor: d.firmwareRevision.major,
      firmwareMinor: d.firmwareRevision.minor,
      ipmiVersion: d.ipmiVersion,
      additionalDeviceSupport: deviceSupport(profile),
      manufacturerId: d.manufacturerId,
      productId: d.productId,
      auxFirmwareRevision: d.auxFirmwareRevision ? [...d.auxFirmwareRevision] : null,
      ...o.device,
    },
    selfTest: { ...profile.selfTest, ...o.selfTest },
    deviceGuid: o.deviceGuid ?? guidToWire(profile.deviceGuid),
    systemGuid: o.systemGuid ?? guidToWire(profile.systemGuid),
    globalEnables: o.globalEnables ?? profile.globalEnables,
    btInterface: { ...profile.btInterface, ...o.btInterface },
    chassis: {
      restorePolicy: profile.chassis.restorePolicy,
      frontPanelButtons: profile.chassis.frontPanelButtons,
      // Chassis Identify is implemented: bit 6 of Get Chassis Status byte 3.
      miscState: MISC_CHASSIS_STATE.IDENTIFY_SUPPORTED,
      ...o.chassis,
    },
  });
}

// ---- the BMC ---------------------------------------------------------------------------

/** Offsets of the Watchdog 2 sensor (sensor type 23h, table 42-3). */
const WATCHDOG_EVENT = {
  EXPIRED: 0x00,
  HARD_RESET: 0x01,
  POWER_DOWN: 0x02,
  POWER_CYCLE: 0x03,
  INTERRUPT: 0x08,
} as const;
/** Event Data 1 bits 7:6 = 11b: Event Data 2 holds the sensor-specific extension (interrupt, timer use). */
const EVENT_DATA2_EXTENSION = 0xc0;
const SENSOR_SPECIFIC_ASSERTION = 0x6f;
/** What an expiry logs (the Watchdog 2 offset) and what it does to the chassis, by timeout action. */
const ON_EXPIRY: Readonly<Record<number, { event: number; action?: ChassisAction }>> = {
  [TIMEOUT_ACTION.NONE]: { event: WATCHDOG_EVENT.EXPIRED },
  [TIMEOUT_ACTION.HARD_RESET]: { event: WATCHDOG_EVENT.HARD_RESET, action: "hard-reset" },
  [TIMEOUT_ACTION.POWER_DOWN]: { event: WATCHDOG_EVENT.POWER_DOWN, action: "power-off" },
  [TIMEOUT_ACTION.POWER_CYCLE]: { event: WATCHDOG_EVENT.POWER_CYCLE, action: "power-cycle" },
};

export function createBmc(options: BmcOptions = {}): Bmc {
  const profile = options.profile ?? defaultProfile();
  const now = options.now ?? Date.now;
  const log = options.log;
  const store = options.store ?? new MemoryBmcStore();
  const persisted = options.persisted ?? emptyPersisted();

  let state: BmcState;
  if (options.state) {
    validateBmcState(options.state);
    state = options.state;
  } else {
    state = stateFromProfile(profile, options.overrides);
  }
  const savedChassis = setting(persisted, SETTING.CHASSIS, chassisSetting, log);
  if (savedChassis && !options.state && options.overrides?.chassis?.restorePolicy === undefined) {
    state.chassis.restorePolicy = savedChassis.restorePolicy;
  }

  // SEL clock: wall clock plus the offset Set SEL Time set.
  let selOffsetMs = setting(persisted, SETTING.SEL_TIME, selTimeSetting, log)?.offsetMs ?? 0;
  const selTimeAt = (ms: number) => Math.max(0, Math.floor((ms + selOffsetMs) / 1000)) >>> 0;
  const selTime = () => selTimeAt(now());

  const savedWatchdog = setting(persisted, SETTING.WATCHDOG, watchdogSetting, log);
  const watchdog = new Watchdog({
    now,
    state: options.watchdogState ?? (savedWatchdog ? watchdogStateFromConfig(savedWatchdog) : undefined),
  });

  const bootOptions = new BootOptions(
    restoreBootOptions(persisted.settings.get(SETTING.BOOT_OPTIONS)) ?? createBootOptions(),
    now,
    () => store.saveSetting(SETTING.BOOT_OPTIONS, bootOptions.state),
  );

  const saveChassis = () =>
    store.saveSetting(SETTING.CHASSIS, {
      restorePolicy: state.chassis.restorePolicy === "unknown" ? "always-off" : state.chassis.restorePolicy,
      powerOn: state.chassis.powerOn,
      poweredOnMs: chassis.totalPoweredOnMs(),
    });
  const chassis = new Chassis({
    state,
    now,
    watchdog,
    bootOptions,
    poh: { minutesPerCount: profile.chassis.pohMinutesPerCount, baseCounter: profile.chassis.pohCounter },
    poweredOnMs: savedChassis?.poweredOnMs ?? 0,
    changed: () => saveChassis(),
  });
  if (!options.state && options.overrides?.chassis?.powerOn === undefined) {
    chassis.applyRestorePolicy(savedChassis?.powerOn ?? profile.chassis.initialPower === "on");
    saveChassis();
  }

  const models: SensorModel[] = profile.sensors.map(sensorModel);
  const sensors = new Sensors(models, now, () => state.chassis.powerOn);
  sensors.applyOverrides(persisted.thresholds);

  const sdr = new SdrRepository(
    buildSdrRecords(profile, models, state.device.additionalDeviceSupport),
    selTime(),
  );

  const fru = new Map<number, FruDevice>();
  for (const f of profile.fru) {
    const built = buildFruImage(f);
    const saved = persisted.fru.get(f.id);
    if (saved && saved.length !== built.length) {
      log?.warn(
        `bmc: saved FRU ${f.id} has ${saved.length} bytes, the profile ${built.length}; using the profile's`,
      );
    }
    fru.set(f.id, { id: f.id, name: f.name, data: saved && saved.length === built.length ? saved : built });
  }

  const saveSelMeta = (meta: SelMeta) => store.saveSetting(SETTING.SEL, meta);
  const sel = new Sel(
    profile.sel.capacity,
    selTime,
    {
      added: (entry, meta) => {
        store.addSelEntry(entry);
        saveSelMeta(meta);
      },
      deleted: (recordId, meta) => {
        store.deleteSelEntry(recordId);
        saveSelMeta(meta);
      },
      cleared: (meta) => {
        store.clearSel();
        saveSelMeta(meta);
      },
      metaChanged: saveSelMeta,
    },
    { entries: persisted.sel, meta: setting(persisted, SETTING.SEL, selSetting, log) ?? null },
  );

  const core: BmcCore = {
    profile,
    state,
    watchdog,
    sel,
    sdr,
    sensors,
    fru,
    chassis,
    bootOptions,
    store,
    now,
    selTime,
    setSelTime(seconds) {
      selOffsetMs = seconds * 1000 - now();
      store.saveSetting(SETTING.SEL_TIME, { offsetMs: selOffsetMs });
    },
    logEvent(e, timestamp) {
      if (!(state.globalEnables & GLOBAL_ENABLES.SYSTEM_EVENT_LOGGING)) return null;
      try {
        return sel.addSystemEvent(e, timestamp);
      } catch (err) {
        // A full SEL: the event is lost and the overflow flag says so.
        if (err instanceof IpmiError && err.cc === CC.OUT_OF_SPACE) return null;
        throw err;
      }
    },
    thresholdsChanged(rt) {
      store.saveThresholds({ lun: rt.model.lun, number: rt.model.number, values: [...rt.clientSet] });
    },
    fruChanged(dev) {
      store.saveFru(dev.id, dev.data);
    },
    chassisChanged: () => saveChassis(),
    coldReset() {
      // 20.2: back to the power-up state; non-volatile data (SEL, SDR, FRU, settings) stays.
      sdr.reservation.cancel();
      sel.reservation.cancel();
      state.globalEnables = profile.globalEnables;
      state.messageFlags = 0;
      state.selfTest = { ...profile.selfTest };
      watchdog.systemReset();
      sensors.resetEventState();
      chassis.bmcReset();
      bootOptions.state.setInProgress = 0;
    },
    warmReset() {
      // 20.3: interfaces and state machines restart; the BMC's settings and the watchdog stay.
      sdr.reservation.cancel();
      sel.reservation.cancel();
      bootOptions.state.setInProgress = 0;
    },
  };

  // The watchdog's events and actions (27.7, table 42-3 sensor type 23h).
  const watchdogSensor = sensors.firstOfType(SENSOR_TYPE_WATCHDOG2)?.model;
  const watchdogEvent = (offset: number, at: number, use: number) => {
    if (watchdogSensor) sensors.setState(watchdogSensor.lun, watchdogSensor.number, offset, true);
    core.logEvent(
      {
        generatorId: profile.device.slaveAddress,
        generatorChannel: 0x00,
        evmRev: EVM_REV,
        sensorType: SENSOR_TYPE_WATCHDOG2,
        sensorNumber: watchdogSensor?.number ?? 0xff,
        eventDirType: SENSOR_SPECIFIC_ASSERTION,
        eventData: [EVENT_DATA2_EXTENSION | offset, (watchdog.state.preTimeoutInterrupt << 4) | use, 0xff],
      },
      selTimeAt(at),
    );
  };
  watchdog.onPreTimeout((e) => {
    if (!watchdog.state.dontLog) watchdogEvent(WATCHDOG_EVENT.INTERRUPT, e.at, watchdog.state.timerUse);
  });
  watchdog.onExpire((e) => {
    const onExpiry = ON_EXPIRY[e.timeoutAction];
    if (!e.dontLog && onExpiry) watchdogEvent(onExpiry.event, e.at, e.timerUse);
    const action = onExpiry?.action;
    if (action && (action !== "power-off" || chassis.powerOn))
      chassis.perform(action, RESTART_CAUSE.WATCHDOG, 0);
    log?.info(`bmc: watchdog expired (timer use ${e.timerUse}, action ${action ?? "none"})`);
  });

  // The countdown runs on its own in the server: tick at the next deadline.
  const timers = options.timers ?? options.now === undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (stopped || !timers) return;
    const deadline = watchdog.nextDeadline();
    if (deadline === null) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        watchdog.tick();
        schedule();
      },
      Math.max(0, deadline - now()),
    );
    timer.unref?.();
  };
  let savedWatchdogConfig = JSON.stringify(watchdog.config());
  watchdog.onChange(() => {
    // Pats change only the deadline; write the configuration when it changed.
    const config = watchdog.config();
    const json = JSON.stringify(config);
    if (json !== savedWatchdogConfig) {
      savedWatchdogConfig = json;
      store.saveSetting(SETTING.WATCHDOG, config);
    }
    schedule();
  });
  schedule();

  // Every command sees the watchdog up to the clock: with a manual clock (tests) an expiry
  // happens when anything is asked after its deadline, as it would have on the timer.
  const handlers = [
    ...appHandlers(core),
    ...chassisHandlers(core),
    ...sensorHandlers(core),
    ...storageHandlers(core),
  ].map(
    (spec): HandlerSpec => ({
      ...spec,
      handle: (ctx) => {
        watchdog.tick();
        return spec.handle(ctx);
      },
    }),
  );

  return {
    profile,
    state,
    watchdog,
    handlers,
    sel,
    sdr,
    sensors,
    fru,
    chassis,
    store,
    hostReset: () => chassis.hostReset(),
    flush: () => store.flush(),
    async stop() {
      stopped = true;
      schedule();
      // The power-on time counted so far, for the POH counter after a restart.
      saveChassis();
      await store.flush();
    },
  };
}

export interface OpenBmcOptions extends Omit<BmcOptions, "persisted" | "store"> {
  /** The product's database; without it (and without `store`) the BMC keeps nothing. */
  db?: Database;
  store?: BmcStore;
  /** A profile file (BMC_PROFILE); ignored when `profile` is given. Default: the shipped profile. */
  profilePath?: string;
}

/** Loads the profile and the persisted state, then creates the BMC. Throws ProfileError on a bad profile. */
export async function openBmc(options: OpenBmcOptions = {}): Promise<Bmc> {
  const profile = options.profile ?? (await loadProfile(options.profilePath));
  const store =
    options.store ?? (options.db ? new PrismaBmcStore(options.db, options.log) : new MemoryBmcStore());
  const persisted = await store.load();
  const bmc = createBmc({ ...options, profile, store, persisted });
  options.log?.info(
    `bmc: profile "${profile.name}": ${profile.sensors.length} sensors, ${profile.fru.length} FRU devices, ` +
      `SEL ${bmc.sel.count}/${profile.sel.capacity} entries, power ${bmc.chassis.powerOn ? "on" : "off"}`,
  );
  return bmc;
}

export type { BmcProfile } from "./profile";
export { defaultProfile, loadProfile, loadProfileFile, ProfileError, parseProfile } from "./profile";
export type { BmcState, BmcStateOverrides } from "./state";
export { createBmcState } from "./state";
export type { BmcStore, PersistedBmc } from "./store";
export { MemoryBmcStore, PrismaBmcStore } from "./store";
export type { WatchdogState } from "./watchdog";
export { Watchdog } from "./watchdog";
