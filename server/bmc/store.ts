/**
 * Where the BMC's persistent state lives: the SEL, FRU writes, sensor thresholds set by
 * clients, and small settings (boot options, restore policy and power state, watchdog
 * configuration, SEL counters and clock offset).
 *
 * Handlers never wait for the database. The BMC keeps everything in memory and hands
 * each change to the store, which writes it behind, in order, on one promise chain;
 * `flush()` waits for what is queued, and the BMC's `stop()` flushes before the
 * runtime closes the database. A write that fails is logged and counted, and the ones
 * after it still run. Settings coalesce: only the newest value of a key is written.
 *
 * Two implementations: PrismaBmcStore (the product's SQLite database) and
 * MemoryBmcStore (unit tests; a second BMC on the same MemoryBmcStore sees what the
 * first left, like a restart on the same database).
 */
import type { Logger } from "../logger";
import { writeWithRetry } from "../persistence/busy-retry";
import type { Database } from "../persistence/database";
import type { SelEntry } from "./sel";
import type { ThresholdOverride } from "./sensors";

export const SETTING = {
  SEL: "sel",
  SEL_TIME: "sel-time",
  CHASSIS: "chassis",
  BOOT_OPTIONS: "boot-options",
  WATCHDOG: "watchdog",
  /** The IPMI users (users.ts), passwords sealed by the SecretBox. */
  IPMI_USERS: "ipmi-users",
  /** Non-volatile channel access (channels.ts). */
  IPMI_CHANNELS: "ipmi-channels",
  /** LAN configuration parameters (lan-config.ts). */
  IPMI_LAN: "ipmi-lan",
} as const;

export interface PersistedBmc {
  sel: SelEntry[];
  fru: Map<number, Uint8Array>;
  thresholds: ThresholdOverride[];
  /** Parsed JSON by key; values the BMC cannot use are ignored where they are read. */
  settings: Map<string, unknown>;
}

export interface BmcStore {
  load(): Promise<PersistedBmc>;
  addSelEntry(entry: SelEntry): void;
  deleteSelEntry(recordId: number): void;
  clearSel(): void;
  saveFru(deviceId: number, data: Uint8Array): void;
  saveThresholds(o: ThresholdOverride): void;
  saveSetting(key: string, value: unknown): void;
  /** Resolves when every change handed over so far is written (or failed). */
  flush(): Promise<void>;
  /** Writes that failed since the start. */
  readonly failures: number;
}

export function emptyPersisted(): PersistedBmc {
  return { sel: [], fru: new Map(), thresholds: [], settings: new Map() };
}

function copySel(e: SelEntry): SelEntry {
  return { recordId: e.recordId, position: e.position, data: Uint8Array.from(e.data) };
}

export class MemoryBmcStore implements BmcStore {
  readonly failures = 0;
  private readonly data: PersistedBmc = emptyPersisted();

  async load(): Promise<PersistedBmc> {
    return {
      sel: this.data.sel.map(copySel),
      fru: new Map([...this.data.fru].map(([k, v]) => [k, Uint8Array.from(v)])),
      thresholds: this.data.thresholds.map((t) => ({ ...t, values: [...t.values] })),
      settings: new Map([...this.data.settings].map(([k, v]) => [k, structuredClone(v)])),
    };
  }

  addSelEntry(entry: SelEntry): void {
    this.data.sel = this.data.sel.filter((e) => e.recordId !== entry.recordId);
    this.data.sel.push(copySel(entry));
  }

  deleteSelEntry(recordId: number): void {
    this.data.sel = this.data.sel.filter((e) => e.recordId !== recordId);
  }

  clearSel(): void {
    this.data.sel = [];
  }

  saveFru(deviceId: number, data: Uint8Array): void {
    this.data.fru.set(deviceId, Uint8Array.from(data));
  }

  saveThresholds(o: ThresholdOverride): void {
    this.data.thresholds = this.data.thresholds.filter((t) => t.lun !== o.lun || t.number !== o.number);
    this.data.thresholds.push({ ...o, values: [...o.values] });
  }

  saveSetting(key: string, value: unknown): void {
    this.data.settings.set(key, structuredClone(value));
  }

  async flush(): Promise<void> {}
}

const THRESHOLD_COLUMNS = ["lnc", "lc", "lnr", "unc", "uc", "unr"] as const;

export class PrismaBmcStore implements BmcStore {
  private tail: Promise<void> = Promise.resolve();
  private failed = 0;
  private readonly pendingSettings = new Map<string, string>();

  constructor(
    private readonly db: Database,
    private readonly log?: Logger,
  ) {}

  get failures(): number {
    return this.failed;
  }

  async load(): Promise<PersistedBmc> {
    await this.flush();
    const [sel, fru, thresholds, settings] = await Promise.all([
      this.db.selEntry.findMany({ orderBy: { position: "asc" } }),
      this.db.fruArea.findMany(),
      this.db.sensorThreshold.findMany(),
      this.db.bmcSetting.findMany(),
    ]);
    const out = emptyPersisted();
    out.sel = sel.map((r) => ({ recordId: r.recordId, position: r.position, data: Uint8Array.from(r.data) }));
    for (const r of fru) out.fru.set(r.deviceId, Uint8Array.from(r.data));
    out.thresholds = thresholds.map((r) => ({
      lun: r.lun,
      number: r.number,
      values: THRESHOLD_COLUMNS.map((c) => r[c]),
    }));
    for (const r of settings) {
      try {
        out.settings.set(r.key, JSON.parse(r.value));
      } catch {
        this.log?.warn(`bmc store: setting '${r.key}' is not valid JSON; ignored`);
      }
    }
    return out;
  }

  addSelEntry(entry: SelEntry): void {
    const row = { recordId: entry.recordId, position: entry.position, data: Uint8Array.from(entry.data) };
    this.enqueue(`add SEL entry ${entry.recordId}`, () =>
      this.db.selEntry.upsert({ where: { recordId: row.recordId }, create: row, update: row }),
    );
  }

  deleteSelEntry(recordId: number): void {
    this.enqueue(`delete SEL entry ${recordId}`, () => this.db.selEntry.deleteMany({ where: { recordId } }));
  }

  clearSel(): void {
    this.enqueue("clear the SEL", () => this.db.selEntry.deleteMany({}));
  }

  saveFru(deviceId: number, data: Uint8Array): void {
    const bytes = Uint8Array.from(data);
    this.enqueue(`save FRU ${deviceId}`, () =>
      this.db.fruArea.upsert({
        where: { deviceId },
        create: { deviceId, data: bytes },
        update: { data: bytes },
      }),
    );
  }

  saveThresholds(o: ThresholdOverride): void {
    const values = Object.fromEntries(THRESHOLD_COLUMNS.map((c, i) => [c, o.values[i] ?? null])) as Record<
      (typeof THRESHOLD_COLUMNS)[number],
      number | null
    >;
    this.enqueue(`save thresholds of sensor ${o.number}`, () =>
      this.db.sensorThreshold.upsert({
        where: { lun_number: { lun: o.lun, number: o.number } },
        create: { lun: o.lun, number: o.number, ...values },
        update: values,
      }),
    );
  }

  saveSetting(key: string, value: unknown): void {
    const queued = this.pendingSettings.has(key);
    this.pendingSettings.set(key, JSON.stringify(value));
    if (queued) return;
    this.enqueue(`save setting '${key}'`, () => {
      const json = this.pendingSettings.get(key);
      this.pendingSettings.delete(key);
      if (json === undefined) return Promise.resolve();
      return this.db.bmcSetting.upsert({
        where: { key },
        create: { key, value: json },
        update: { value: json },
      });
    });
  }

  flush(): Promise<void> {
    return this.tail;
  }

  private enqueue(what: string, op: () => Promise<unknown>): void {
    // A lock held by another process is waited out, in order with the router thread's other
    // writes; the first refusal is logged so a stuck lock is visible.
    const run = () => writeWithRetry(this.db, op, { what: `bmc store: ${what}`, log: this.log });
    this.tail = this.tail.then(run).then(
      () => undefined,
      (err: unknown) => {
        this.failed++;
        this.log?.error(`bmc store: ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
      },
    );
  }
}
