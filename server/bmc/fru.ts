/**
 * The FRU devices behind the BMC (IPMI 2.0 section 34): their images, built from the
 * profile (fru-image.ts) or as a client last wrote them, and the read and write rules of
 * Read FRU Data and Write FRU Data. A write emits the device's new image (`onChange`);
 * the persistence module stores it.
 */
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/ipmi-error";
import type { Logger } from "../logger";
import { Emitter } from "./emitter";
import { buildFruImage } from "./fru-image";
import type { FruProfile } from "./profile";

export interface FruDevice {
  readonly id: number;
  readonly name: string;
  readonly data: Uint8Array;
}

export class FruDevices {
  private readonly devices = new Map<number, FruDevice>();
  private readonly changes = new Emitter<FruDevice>();

  /**
   * `saved` holds images a client wrote before a restart; one whose size no longer
   * matches the profile's device is dropped (with a warning) for the profile's image.
   */
  constructor(profiles: readonly FruProfile[], saved: ReadonlyMap<number, Uint8Array>, log?: Logger) {
    for (const f of profiles) {
      const built = buildFruImage(f);
      const kept = saved.get(f.id);
      if (kept && kept.length !== built.length) {
        log?.warn(
          `bmc: saved FRU ${f.id} has ${kept.length} bytes, the profile ${built.length}; using the profile's`,
        );
      }
      const data = kept && kept.length === built.length ? Uint8Array.from(kept) : built;
      this.devices.set(f.id, { id: f.id, name: f.name, data });
    }
  }

  get(id: number): FruDevice | undefined {
    return this.devices.get(id);
  }

  /** The device `id`; CBh ("requested sensor, data, or record not present") when there is none. */
  device(id: number): FruDevice {
    const dev = this.devices.get(id);
    if (!dev) throw new IpmiError(CC.NOT_PRESENT, `no FRU device ${id}`);
    return dev;
  }

  /** Get FRU Inventory Area Info (34.1): the image's size; every device here is read by bytes. */
  areaInfo(id: number): { size: number; access: { byWords: boolean } } {
    return { size: this.device(id).data.length, access: { byWords: false } };
  }

  /** Called with the device after each write. */
  onChange(listener: (device: FruDevice) => void): () => void {
    return this.changes.on(listener);
  }

  /** Read FRU Data (34.2): offset past the end is C9h; a count past the end returns what there is. */
  read(id: number, offset: number, count: number, maxCount: number): Uint8Array {
    const dev = this.device(id);
    if (offset >= dev.data.length) {
      throw new IpmiError(
        CC.PARAMETER_OUT_OF_RANGE,
        `offset ${offset} is past FRU ${dev.id}'s ${dev.data.length} bytes`,
      );
    }
    if (count > maxCount)
      throw new IpmiError(CC.CANNOT_RETURN_BYTES, `${count} bytes do not fit one response`);
    return dev.data.slice(offset, Math.min(dev.data.length, offset + count));
  }

  /** Write FRU Data (34.3): the whole write must fit the area (C9h otherwise); returns the count written. */
  write(id: number, offset: number, bytes: Uint8Array): number {
    const dev = this.device(id);
    if (offset + bytes.length > dev.data.length) {
      throw new IpmiError(
        CC.PARAMETER_OUT_OF_RANGE,
        `${bytes.length} bytes at offset ${offset} run past FRU ${dev.id}'s ${dev.data.length} bytes`,
      );
    }
    dev.data.set(bytes, offset);
    this.changes.emit(dev);
    return bytes.length;
  }
}
