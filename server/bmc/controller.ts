/**
 * The management controller itself, as the App commands see it: its identity (Get
 * Device ID, 20.1), self test results (20.4), GUIDs (20.8, 22.14), the ACPI power state
 * system software set (20.6/20.7), the BMC Global Enables (22.1/22.2), the message flags
 * (22.3/22.4) and the BT interface capabilities (22.10).
 *
 * The message flags are the controller's: other parts raise theirs (the watchdog its
 * pre-timeout flag, 27.7; message-queues.ts the receive-message-available and event
 * message buffer full flags, while their queue holds something) and Clear Message Flags
 * clears them. Whether any of them asks
 * for the host's attention (the SMS_ATN bit of the system interface) is emitted on every
 * change (`onAttention`). Nothing here is persisted: a restart is a power-up.
 */

import { Emitter } from "./emitter";
import type { BmcProfile } from "./profile";
import { checkBytes, checkRange } from "./range-check";
import type { ResetKind } from "./reset";

/** Additional Device Support bits, Get Device ID byte 6. */
export const DEVICE_SUPPORT = {
  SENSOR: 0x01,
  SDR_REPOSITORY: 0x02,
  SEL: 0x04,
  FRU_INVENTORY: 0x08,
  IPMB_EVENT_RECEIVER: 0x10,
  IPMB_EVENT_GENERATOR: 0x20,
  BRIDGE: 0x40,
  CHASSIS: 0x80,
} as const;

/** BMC Global Enables bits (Set/Get BMC Global Enables, 22.1/22.2). Bit 4 is reserved. */
export const GLOBAL_ENABLES = {
  RECEIVE_MESSAGE_QUEUE_INTERRUPT: 0x01,
  EVENT_MESSAGE_BUFFER_FULL_INTERRUPT: 0x02,
  EVENT_MESSAGE_BUFFER: 0x04,
  SYSTEM_EVENT_LOGGING: 0x08,
  RESERVED: 0x10,
  OEM0: 0x20,
  OEM1: 0x40,
  OEM2: 0x80,
} as const;

/** Get Message Flags bits (22.4). Bits 2 and 4 are reserved. */
export const MESSAGE_FLAGS = {
  RECEIVE_MESSAGE_AVAILABLE: 0x01,
  EVENT_MESSAGE_BUFFER_FULL: 0x02,
  WATCHDOG_PRE_TIMEOUT: 0x08,
  OEM0: 0x20,
  OEM1: 0x40,
  OEM2: 0x80,
} as const;

/**
 * The flags that mean "the BMC holds something for system software": a message in the
 * receive queue, a full event message buffer, a watchdog pre-timeout (22.4). The OEM
 * flags are the OEM's business and do not raise SMS_ATN here.
 */
const ATTENTION_FLAGS =
  MESSAGE_FLAGS.RECEIVE_MESSAGE_AVAILABLE |
  MESSAGE_FLAGS.EVENT_MESSAGE_BUFFER_FULL |
  MESSAGE_FLAGS.WATCHDOG_PRE_TIMEOUT;

export interface DeviceIdentity {
  /** Device ID, byte 1. */
  deviceId: number;
  /** Device revision, byte 2 bits 3:0. */
  deviceRevision: number;
  /** Byte 2 bit 7: the device provides Device SDRs. */
  providesDeviceSdrs: boolean;
  /** Byte 3 bit 7: firmware, SDR update or self-initialisation in progress ("device available" = 1). */
  updateInProgress: boolean;
  /** Byte 3 bits 6:0, binary. */
  firmwareMajor: number;
  /** Byte 4, as a decimal 0..99; sent BCD-encoded (12 -> 12h). */
  firmwareMinor: number;
  /** Byte 5 as sent: BCD, bits 3:0 the major digit, 7:4 the minor. 2.0 is 02h (51h is 1.5). */
  ipmiVersion: number;
  /** Byte 6, DEVICE_SUPPORT bits. */
  additionalDeviceSupport: number;
  /** Bytes 7..9: IANA enterprise number, 20 bits, LS byte first. */
  manufacturerId: number;
  /** Bytes 10..11, LS byte first. */
  productId: number;
  /** Bytes 12..15, sent as stored; null leaves the optional field out. */
  auxFirmwareRevision: number[] | null;
}

/** Get Self Test Results byte 1 (55h = no error) and byte 2 (20.4). */
export interface SelfTestResults {
  result: number;
  detail: number;
}

/** Set/Get ACPI Power State (20.6, 20.7): what system software last set. */
export interface AcpiPowerState {
  /** System power state enumeration, 00h (S0/G0) .. 0Ah, 20h, 21h, 2Ah. */
  system: number;
  /** Device power state enumeration, 00h (D0) .. 03h, 2Ah. */
  device: number;
}

export interface BtInterfaceCapabilities {
  outstandingRequests: number;
  /** Request and response buffer sizes in bytes, not counting the BT length byte (22.10 note). */
  inputBufferSize: number;
  outputBufferSize: number;
  /** BMC request-to-response time, seconds. */
  requestToResponseSeconds: number;
  retries: number;
}

/** The controller at power-up: what it starts with and what a cold reset returns to. */
export interface ControllerSetup {
  identity: DeviceIdentity;
  selfTest: SelfTestResults;
  /** Get Device GUID: 16 bytes in the order they go on the wire (see guidToWire). */
  deviceGuid: number[];
  /** Get System GUID, same byte order. */
  systemGuid: number[];
  acpi: AcpiPowerState;
  /** GLOBAL_ENABLES bits. */
  globalEnables: number;
  /** MESSAGE_FLAGS bits. */
  messageFlags: number;
  btInterface: BtInterfaceCapabilities;
}

/** Changes to the profile's power-up values (tests). */
export interface ControllerOverrides {
  device?: Partial<DeviceIdentity>;
  selfTest?: Partial<SelfTestResults>;
  deviceGuid?: readonly number[];
  systemGuid?: readonly number[];
  acpi?: Partial<AcpiPowerState>;
  globalEnables?: number;
  messageFlags?: number;
  btInterface?: Partial<BtInterfaceCapabilities>;
}

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

/** The controller's power-up values from the profile, with the overrides applied. */
export function controllerSetup(profile: BmcProfile, o: ControllerOverrides = {}): ControllerSetup {
  const d = profile.device;
  return {
    identity: {
      deviceId: d.deviceId,
      deviceRevision: d.deviceRevision,
      providesDeviceSdrs: d.providesDeviceSdrs,
      updateInProgress: false,
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
    deviceGuid: [...(o.deviceGuid ?? guidToWire(profile.deviceGuid))],
    systemGuid: [...(o.systemGuid ?? guidToWire(profile.systemGuid))],
    acpi: { system: 0x00, device: 0x00, ...o.acpi },
    globalEnables: o.globalEnables ?? profile.globalEnables,
    messageFlags: o.messageFlags ?? 0x00,
    btInterface: { ...profile.btInterface, ...o.btInterface },
  };
}

export class Controller {
  readonly identity: Readonly<DeviceIdentity>;
  readonly deviceGuid: readonly number[];
  readonly systemGuid: readonly number[];
  readonly btInterface: Readonly<BtInterfaceCapabilities>;
  private selfTestResults: SelfTestResults;
  private readonly acpiState: AcpiPowerState;
  private enables: number;
  private flags: number;
  private pending: boolean;
  private readonly attention = new Emitter<boolean>();

  /** Throws RangeError on values the response bytes cannot carry. */
  constructor(private readonly powerUp: ControllerSetup) {
    validate(powerUp);
    this.identity = { ...powerUp.identity };
    this.deviceGuid = [...powerUp.deviceGuid];
    this.systemGuid = [...powerUp.systemGuid];
    this.btInterface = { ...powerUp.btInterface };
    this.selfTestResults = { ...powerUp.selfTest };
    this.acpiState = { ...powerUp.acpi };
    this.enables = powerUp.globalEnables;
    this.flags = powerUp.messageFlags;
    this.pending = (this.flags & ATTENTION_FLAGS) !== 0;
  }

  get selfTest(): Readonly<SelfTestResults> {
    return this.selfTestResults;
  }

  get acpi(): Readonly<AcpiPowerState> {
    return this.acpiState;
  }

  /**
   * Set ACPI Power State (20.6), and the chassis's own power transitions: the states
   * given change, the others stay. The caller has checked the values.
   */
  setAcpiPowerState(change: Partial<AcpiPowerState>): void {
    if (change.system !== undefined) this.acpiState.system = change.system;
    if (change.device !== undefined) this.acpiState.device = change.device;
  }

  /** GLOBAL_ENABLES bits. */
  get globalEnables(): number {
    return this.enables;
  }

  /** Set BMC Global Enables (22.1); the caller has refused the reserved bit. */
  setGlobalEnables(enables: number): void {
    this.enables = enables & 0xff;
  }

  /** Global enables bit 3: events go to the SEL (22.1). */
  get systemEventLogging(): boolean {
    return (this.enables & GLOBAL_ENABLES.SYSTEM_EVENT_LOGGING) !== 0;
  }

  /** Get Message Flags byte (22.4): MESSAGE_FLAGS bits. */
  get messageFlags(): number {
    return this.flags;
  }

  /** A part has something for system software (e.g. the watchdog's pre-timeout, 27.7). */
  raiseMessageFlags(bits: number): void {
    this.setFlags(this.flags | bits);
  }

  /** Clear Message Flags (22.3), and the parts' own clearing (Set Watchdog Timer clears the pre-timeout flag). */
  clearMessageFlags(bits: number): void {
    this.setFlags(this.flags & ~bits);
  }

  /** True while a flag asks for the host's attention (SMS_ATN). */
  get attentionPending(): boolean {
    return this.pending;
  }

  /** Called with the current value at once, then whenever it changes. */
  onAttention(listener: (pending: boolean) => void): () => void {
    const off = this.attention.on(listener);
    listener(this.pending);
    return off;
  }

  reset(kind: ResetKind): void {
    // 20.2: a cold reset is a power-up: the enables, the flags and the self test start over.
    if (kind !== "cold") return;
    this.enables = this.powerUp.globalEnables;
    this.selfTestResults = { ...this.powerUp.selfTest };
    this.setFlags(0);
  }

  private setFlags(flags: number): void {
    this.flags = flags & 0xff;
    const pending = (this.flags & ATTENTION_FLAGS) !== 0;
    if (pending === this.pending) return;
    this.pending = pending;
    try {
      this.attention.emit(pending);
    } catch {
      // The listeners are buses (SMS_ATN); one that fails must not undo the flag change,
      // which has happened, nor break the command or the watchdog deadline that made it.
    }
  }
}

/**
 * RFC 4122 text to the 16 bytes Get Device GUID sends. IPMI (section 20.8 with the
 * Wired for Management layout) sends the GUID least significant byte first: node,
 * clock sequence, time high, time mid, time low — the text's bytes reversed.
 */
export function guidToWire(text: string): number[] {
  const hex = text.replace(/-/g, "");
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new RangeError(`not a GUID: ${text}`);
  const bytes: number[] = [];
  for (let i = 0; i < 16; i++) bytes.push(Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16));
  return bytes.reverse();
}

/** Throws RangeError on values the response bytes cannot carry. */
function validate(s: ControllerSetup): void {
  const d = s.identity;
  checkRange("device.deviceId", d.deviceId, 0, 0xff);
  checkRange("device.deviceRevision", d.deviceRevision, 0, 0x0f);
  checkRange("device.firmwareMajor", d.firmwareMajor, 0, 0x7f);
  checkRange("device.firmwareMinor", d.firmwareMinor, 0, 99);
  checkRange("device.ipmiVersion", d.ipmiVersion, 0, 0xff);
  checkRange("device.additionalDeviceSupport", d.additionalDeviceSupport, 0, 0xff);
  checkRange("device.manufacturerId", d.manufacturerId, 0, 0xfffff);
  checkRange("device.productId", d.productId, 0, 0xffff);
  if (d.auxFirmwareRevision !== null) checkBytes("device.auxFirmwareRevision", d.auxFirmwareRevision, 4);
  checkRange("selfTest.result", s.selfTest.result, 0, 0xff);
  checkRange("selfTest.detail", s.selfTest.detail, 0, 0xff);
  checkBytes("deviceGuid", s.deviceGuid, 16);
  checkBytes("systemGuid", s.systemGuid, 16);
  checkRange("acpi.system", s.acpi.system, 0, 0x7f);
  checkRange("acpi.device", s.acpi.device, 0, 0x7f);
  checkRange("globalEnables", s.globalEnables, 0, 0xff);
  checkRange("messageFlags", s.messageFlags, 0, 0xff);
  for (const [key, value] of Object.entries(s.btInterface)) checkRange(`btInterface.${key}`, value, 0, 0xff);
}
