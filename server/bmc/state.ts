/**
 * The BMC's in-memory state for the App and Chassis commands it answers. A plain,
 * JSON-friendly object with no I/O: createBmc fills it from the profile (profile.ts)
 * and the store, so everything here is numbers, booleans, strings and number arrays.
 *
 * Byte layouts are those of IPMI 2.0 rev 1.1 (Get Device ID 20.1, Get Self Test
 * Results 20.4, Get Device GUID 20.8, BMC Global Enables 22.1/22.2, Get Message
 * Flags 22.4, Get BT Interface Capabilities 22.10, Get Chassis Status 28.2).
 */

/** Power restore policy, Get Chassis Status byte 1 bits 6:5. */
export type RestorePolicy = "always-off" | "previous" | "always-on" | "unknown";

export const RESTORE_POLICY_CODE: Readonly<Record<RestorePolicy, number>> = {
  "always-off": 0b00,
  previous: 0b01,
  "always-on": 0b10,
  unknown: 0b11,
};

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

/** Get Chassis Status byte 1, bits 1..4 (bit 0 is power on, 6:5 the restore policy). */
export const POWER_FAULTS = {
  OVERLOAD: 0x02,
  INTERLOCK: 0x04,
  POWER_FAULT: 0x08,
  POWER_CONTROL_FAULT: 0x10,
} as const;

/** Get Chassis Status byte 2, "Last Power Event". */
export const LAST_POWER_EVENT = {
  AC_FAILED: 0x01,
  OVERLOAD: 0x02,
  INTERLOCK: 0x04,
  POWER_FAULT: 0x08,
  POWER_ON_VIA_IPMI: 0x10,
} as const;

/** Get Chassis Status byte 3, "Misc. Chassis State". Identify state is bits 5:4. */
export const MISC_CHASSIS_STATE = {
  INTRUSION_ACTIVE: 0x01,
  FRONT_PANEL_LOCKOUT: 0x02,
  DRIVE_FAULT: 0x04,
  COOLING_FAN_FAULT: 0x08,
  IDENTIFY_TIMED_ON: 0x10,
  IDENTIFY_INDEFINITE_ON: 0x20,
  IDENTIFY_SUPPORTED: 0x40,
} as const;

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

export interface ChassisState {
  powerOn: boolean;
  /** POWER_FAULTS bits of byte 1. */
  powerFaults: number;
  restorePolicy: RestorePolicy;
  /** LAST_POWER_EVENT bits, byte 2. */
  lastPowerEvent: number;
  /** MISC_CHASSIS_STATE bits, byte 3. */
  miscState: number;
  /** Optional byte 4 (front panel button capabilities and disable/enable status); null leaves it out. */
  frontPanelButtons: number | null;
  /** Get System Restart Cause byte 1 bits 3:0 (RESTART_CAUSE in chassis.ts). */
  restartCause: number;
  /** Get System Restart Cause byte 2: the channel of the command that caused the restart. */
  restartChannel: number;
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

export interface BmcState {
  device: DeviceIdentity;
  /** Get Self Test Results byte 1 (55h = no error) and byte 2. */
  selfTest: { result: number; detail: number };
  /** Get Device GUID: 16 bytes in the order they go on the wire (see guidToWire). */
  deviceGuid: number[];
  /** Get System GUID, same byte order. */
  systemGuid: number[];
  acpi: AcpiPowerState;
  /** GLOBAL_ENABLES bits. */
  globalEnables: number;
  /** MESSAGE_FLAGS bits the BMC holds (the watchdog adds its pre-timeout bit when it fires). */
  messageFlags: number;
  btInterface: BtInterfaceCapabilities;
  chassis: ChassisState;
}

/**
 * IANA enterprise number 32473 (7ED9h), which RFC 5612 sets aside for documentation
 * and examples. A real vendor's number would make ipmitool and FreeIPMI switch on
 * that vendor's OEM quirks.
 */
export const EXAMPLE_IANA = 32473;

/** Placeholder product id for the simulated board. */
export const EXAMPLE_PRODUCT_ID = 0x0001;

/** RFC 4122 text "8f3b2c1d-5e6f-4a7b-9c8d-0e1f2a3b4c5d", a fixed version-4 GUID for tests and defaults. */
export const EXAMPLE_GUID = "8f3b2c1d-5e6f-4a7b-9c8d-0e1f2a3b4c5d";

/** The default profile's system GUID. */
export const EXAMPLE_SYSTEM_GUID = "0e1f2a3b-4c5d-4e6f-8a7b-9c8d8f3b2c1d";

export function createBmcState(overrides: BmcStateOverrides = {}): BmcState {
  const state: BmcState = {
    device: {
      deviceId: 0x20,
      deviceRevision: 0x1,
      providesDeviceSdrs: false,
      updateInProgress: false,
      firmwareMajor: 1,
      firmwareMinor: 0,
      ipmiVersion: 0x02,
      // Only what this BMC answers today; later issues add SEL, SDR, FRU and sensors.
      additionalDeviceSupport: DEVICE_SUPPORT.CHASSIS,
      manufacturerId: EXAMPLE_IANA,
      productId: EXAMPLE_PRODUCT_ID,
      auxFirmwareRevision: [0x00, 0x00, 0x00, 0x00],
      ...overrides.device,
    },
    selfTest: { result: 0x55, detail: 0x00, ...overrides.selfTest },
    deviceGuid: overrides.deviceGuid ? [...overrides.deviceGuid] : guidToWire(EXAMPLE_GUID),
    systemGuid: overrides.systemGuid ? [...overrides.systemGuid] : guidToWire(EXAMPLE_SYSTEM_GUID),
    acpi: { system: 0x00, device: 0x00, ...overrides.acpi },
    globalEnables: overrides.globalEnables ?? GLOBAL_ENABLES.SYSTEM_EVENT_LOGGING,
    messageFlags: overrides.messageFlags ?? 0x00,
    btInterface: {
      // An ASPEED BT controller has 64-byte FIFOs; the length byte takes one of them.
      outstandingRequests: 1,
      inputBufferSize: 0x3f,
      outputBufferSize: 0x3f,
      requestToResponseSeconds: 5,
      retries: 1,
      ...overrides.btInterface,
    },
    chassis: {
      powerOn: true,
      powerFaults: 0x00,
      restorePolicy: "always-off",
      lastPowerEvent: 0x00,
      miscState: 0x00,
      frontPanelButtons: null,
      restartCause: 0x00,
      restartChannel: 0x00,
      ...overrides.chassis,
    },
  };
  validateBmcState(state);
  return state;
}

export interface BmcStateOverrides {
  device?: Partial<DeviceIdentity>;
  selfTest?: Partial<BmcState["selfTest"]>;
  deviceGuid?: readonly number[];
  systemGuid?: readonly number[];
  acpi?: Partial<AcpiPowerState>;
  globalEnables?: number;
  messageFlags?: number;
  btInterface?: Partial<BtInterfaceCapabilities>;
  chassis?: Partial<ChassisState>;
}

/** Throws RangeError on values the response bytes cannot carry. */
export function validateBmcState(state: BmcState): void {
  const d = state.device;
  checkRange("device.deviceId", d.deviceId, 0, 0xff);
  checkRange("device.deviceRevision", d.deviceRevision, 0, 0x0f);
  checkRange("device.firmwareMajor", d.firmwareMajor, 0, 0x7f);
  checkRange("device.firmwareMinor", d.firmwareMinor, 0, 99);
  checkRange("device.ipmiVersion", d.ipmiVersion, 0, 0xff);
  checkRange("device.additionalDeviceSupport", d.additionalDeviceSupport, 0, 0xff);
  checkRange("device.manufacturerId", d.manufacturerId, 0, 0xfffff);
  checkRange("device.productId", d.productId, 0, 0xffff);
  if (d.auxFirmwareRevision !== null) checkBytes("device.auxFirmwareRevision", d.auxFirmwareRevision, 4);
  checkRange("selfTest.result", state.selfTest.result, 0, 0xff);
  checkRange("selfTest.detail", state.selfTest.detail, 0, 0xff);
  checkBytes("deviceGuid", state.deviceGuid, 16);
  checkBytes("systemGuid", state.systemGuid, 16);
  checkRange("acpi.system", state.acpi.system, 0, 0x7f);
  checkRange("acpi.device", state.acpi.device, 0, 0x7f);
  checkRange("globalEnables", state.globalEnables, 0, 0xff);
  checkRange("messageFlags", state.messageFlags, 0, 0xff);
  for (const [key, value] of Object.entries(state.btInterface))
    checkRange(`btInterface.${key}`, value, 0, 0xff);
  const c = state.chassis;
  if (!(c.restorePolicy in RESTORE_POLICY_CODE))
    throw new RangeError(`chassis.restorePolicy: ${c.restorePolicy}`);
  checkMask("chassis.powerFaults", c.powerFaults, 0x1e);
  checkRange("chassis.lastPowerEvent", c.lastPowerEvent, 0, 0xff);
  checkRange("chassis.miscState", c.miscState, 0, 0xff);
  if (c.frontPanelButtons !== null) checkRange("chassis.frontPanelButtons", c.frontPanelButtons, 0, 0xff);
  checkRange("chassis.restartCause", c.restartCause, 0, 0x0f);
  checkRange("chassis.restartChannel", c.restartChannel, 0, 0xff);
}

/** Two decimal digits as one BCD byte: 12 -> 12h. */
export function toBcd(value: number): number {
  checkRange("BCD value", value, 0, 99);
  return ((Math.floor(value / 10) << 4) | (value % 10)) & 0xff;
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

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in ${min}..${max}, is ${value}`);
  }
}

function checkMask(name: string, value: number, allowed: number): void {
  if (!Number.isInteger(value) || value < 0 || (value & ~allowed) !== 0) {
    throw new RangeError(`${name} may set only bits ${allowed.toString(16)}h, is ${value}`);
  }
}

function checkBytes(name: string, value: readonly number[], length: number): void {
  if (value.length !== length) throw new RangeError(`${name} must have ${length} bytes, has ${value.length}`);
  value.forEach((b, i) => {
    checkRange(`${name}[${i}]`, b, 0, 0xff);
  });
}
