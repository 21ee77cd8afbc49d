/**
 * What of the BMC survives a restart, in both directions: `readSaved` checks what the
 * store held at start, `persist` subscribes to the parts' changes and hands each to the
 * store, which writes it behind (store.ts). No part knows of the store and no handler
 * has to remember a save: a change a part emits is a change written.
 *
 * Kept: SEL entries and counters, the SEL clock offset, FRU writes, thresholds clients
 * set, boot options, power restore policy and power state, powered-on time (POH), the
 * watchdog configuration (not a running countdown), the IPMI users (passwords sealed),
 * the non-volatile channel access and the LAN parameters set. Those last three are read
 * back by their own classes (users.ts, channels.ts, lan-config.ts), the users' because
 * opening the passwords needs the key. docs/profile.md lists them for users.
 */
import { z } from "zod";
import type { Logger } from "../logger";
import { type BootOptionsState, restoreBootOptions } from "./boot-options";
import type { Channels } from "./channels";
import type { Chassis, ChassisSnapshot } from "./chassis";
import type { FruDevices } from "./fru";
import type { LanConfig } from "./lan-config";
import type { Sel, SelEntry, SelMeta } from "./sel";
import type { Sensors, ThresholdOverride } from "./sensors";
import { type BmcStore, type PersistedBmc, SETTING } from "./store";
import type { IpmiUsers } from "./users";
import type { Watchdog, WatchdogConfig } from "./watchdog";

// ---- what the store held, checked ------------------------------------------------------

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

/** What a restart continues from; each part is undefined/null where nothing usable was saved. */
export interface SavedBmc {
  chassis: ChassisSnapshot | undefined;
  sel: { entries: SelEntry[]; meta: SelMeta | null; offsetMs: number };
  watchdog: WatchdogConfig | undefined;
  bootOptions: BootOptionsState | null;
  thresholds: ThresholdOverride[];
  fru: ReadonlyMap<number, Uint8Array>;
}

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

/** Checks what the store held; an unusable setting is left out with a warning, never fatal. */
export function readSaved(persisted: PersistedBmc, log?: Logger): SavedBmc {
  return {
    chassis: setting(persisted, SETTING.CHASSIS, chassisSetting, log),
    sel: {
      entries: persisted.sel,
      meta: setting(persisted, SETTING.SEL, selSetting, log) ?? null,
      offsetMs: setting(persisted, SETTING.SEL_TIME, selTimeSetting, log)?.offsetMs ?? 0,
    },
    watchdog: setting(persisted, SETTING.WATCHDOG, watchdogSetting, log),
    bootOptions: restoreBootOptions(persisted.settings.get(SETTING.BOOT_OPTIONS)),
    thresholds: persisted.thresholds,
    fru: persisted.fru,
  };
}

// ---- writing the changes -----------------------------------------------------------------

/** The parts whose changes persist. */
export interface PersistentParts {
  chassis: Chassis;
  sel: Sel;
  sensors: Sensors;
  fru: FruDevices;
  watchdog: Watchdog;
  /** IPMI users, channel access and LAN configuration (read back by their own classes: users.ts, ...). */
  users: IpmiUsers;
  channels: Channels;
  lanConfig: LanConfig;
}

export interface Persistence {
  /** Resolves when every change so far is in the store. */
  flush(): Promise<void>;
  /** Saves what changes without an event (the powered-on time), stops listening, flushes. */
  close(): Promise<void>;
}

/** Subscribes the store to the parts' changes. */
export function persist(parts: PersistentParts, store: BmcStore): Persistence {
  const { chassis, sel, sensors, fru, watchdog, users, channels, lanConfig } = parts;
  // Saved at their first change (at the first start: the admin's password, bootstrapAdmin);
  // until then each start reads the profile's, so a start that died before the admin got
  // its password leaves no user without one behind.
  const saveUsers = () => store.saveSetting(SETTING.IPMI_USERS, users.persisted());
  const saveChassis = (snapshot: ChassisSnapshot) => store.saveSetting(SETTING.CHASSIS, snapshot);
  let savedWatchdog = JSON.stringify(watchdog.config());
  const unsubscribe = [
    chassis.onChange(saveChassis),
    chassis.bootOptions.onChange((state) => store.saveSetting(SETTING.BOOT_OPTIONS, state)),
    sel.onChange((change) => {
      switch (change.kind) {
        case "added":
          store.addSelEntry(change.entry);
          break;
        case "deleted":
          store.deleteSelEntry(change.recordId);
          break;
        case "cleared":
          store.clearSel();
          break;
        case "meta":
          break;
        case "time":
          store.saveSetting(SETTING.SEL_TIME, { offsetMs: change.offsetMs });
          return;
      }
      store.saveSetting(SETTING.SEL, change.meta);
    }),
    sensors.onThresholdsChange((o) => store.saveThresholds(o)),
    fru.onChange((device) => store.saveFru(device.id, device.data)),
    watchdog.onChange(() => {
      // Pats move only the deadline; write the configuration when it changed.
      const json = JSON.stringify(watchdog.config());
      if (json === savedWatchdog) return;
      savedWatchdog = json;
      store.saveSetting(SETTING.WATCHDOG, watchdog.config());
    }),
    users.onChange(saveUsers),
    channels.onChange(({ which }) => {
      if (which === "non-volatile") store.saveSetting(SETTING.IPMI_CHANNELS, channels.persisted());
    }),
    lanConfig.onChange(() => store.saveSetting(SETTING.IPMI_LAN, lanConfig.persisted())),
  ];
  return {
    flush: () => store.flush(),
    async close() {
      // The power-on time counted so far, for the POH counter after a restart.
      saveChassis(chassis.snapshot());
      for (const off of unsubscribe.splice(0)) off();
      await store.flush();
    },
  };
}
