/**
 * Names for the numeric codes a profile may use instead of numbers: sensor types
 * (IPMI 2.0 table 42-3), base units (table 43-15), entity IDs (table 43-13), channel
 * medium and protocol types (tables 6-3, 6-2), privilege levels (section 6.8) and FRU
 * chassis types (SMBIOS, FRU spec 1.2). Checked against FreeIPMI's spec headers.
 */

export const SENSOR_TYPE_CODES = {
  temperature: 0x01,
  voltage: 0x02,
  current: 0x03,
  fan: 0x04,
  "physical-security": 0x05,
  "platform-security": 0x06,
  processor: 0x07,
  "power-supply": 0x08,
  "power-unit": 0x09,
  "cooling-device": 0x0a,
  "other-units": 0x0b,
  memory: 0x0c,
  "drive-slot": 0x0d,
  "system-firmware-progress": 0x0f,
  "event-logging-disabled": 0x10,
  "system-event": 0x12,
  "critical-interrupt": 0x13,
  "button-switch": 0x14,
  "chip-set": 0x19,
  "system-boot-initiated": 0x1d,
  "boot-error": 0x1e,
  "os-boot": 0x1f,
  "os-critical-stop": 0x20,
  "system-acpi-power-state": 0x22,
  watchdog2: 0x23,
  "entity-presence": 0x25,
  "management-subsystem-health": 0x28,
  battery: 0x29,
} as const;

/** Sensor type 23h: the watchdog's SEL events use it (IPMI 2.0 table 42-3). */
export const SENSOR_TYPE_WATCHDOG2 = SENSOR_TYPE_CODES.watchdog2;

export const UNIT_CODES = {
  unspecified: 0,
  "degrees-c": 1,
  "degrees-f": 2,
  "degrees-k": 3,
  volts: 4,
  amps: 5,
  watts: 6,
  joules: 7,
  va: 9,
  cfm: 17,
  rpm: 18,
  hz: 19,
  seconds: 22,
  minutes: 23,
  hours: 24,
  days: 25,
  bytes: 70,
  errors: 81,
} as const;

export const ENTITY_CODES = {
  unspecified: 0x00,
  other: 0x01,
  processor: 0x03,
  "disk-bay": 0x04,
  "system-management-module": 0x06,
  "system-board": 0x07,
  "memory-module": 0x08,
  "power-supply": 0x0a,
  "add-in-card": 0x0b,
  "front-panel-board": 0x0c,
  "power-unit": 0x13,
  "system-chassis": 0x17,
  "disk-drive-bay": 0x1a,
  fan: 0x1d,
  "memory-device": 0x20,
  "system-firmware": 0x22,
  "operating-system": 0x23,
  battery: 0x28,
  "management-controller-firmware": 0x2e,
  "air-inlet": 0x37,
} as const;

export const CHANNEL_MEDIUM_CODES = {
  ipmb: 0x01,
  "icmb-1.0": 0x02,
  "icmb-0.9": 0x03,
  "lan-802.3": 0x04,
  serial: 0x05,
  "other-lan": 0x06,
  "pci-smbus": 0x07,
  "smbus-1.x": 0x08,
  "smbus-2.0": 0x09,
  "usb-1.x": 0x0a,
  "usb-2.x": 0x0b,
  "system-interface": 0x0c,
} as const;

export const CHANNEL_PROTOCOL_CODES = {
  "ipmb-1.0": 0x01,
  "icmb-1.0": 0x02,
  "ipmi-smbus": 0x04,
  kcs: 0x05,
  smic: 0x06,
  "bt-1.0": 0x07,
  "bt-1.5": 0x08,
  tmode: 0x09,
} as const;

/** Channel session support, Get Channel Info byte 4 bits 7:6. */
export const SESSION_SUPPORT_CODES = {
  "session-less": 0,
  "single-session": 1,
  "multi-session": 2,
  "session-based": 3,
} as const;

/** Channel access mode, Get Channel Access byte 1 bits 2:0. */
export const ACCESS_MODE_CODES = {
  disabled: 0,
  "pre-boot": 1,
  "always-available": 2,
  shared: 3,
} as const;

/** Privilege levels (IPMI 2.0 section 6.8): channel privilege limit, user privilege. */
export const PRIVILEGE_LEVEL_CODES = {
  callback: 1,
  user: 2,
  operator: 3,
  administrator: 4,
  oem: 5,
} as const;

/** FRU chassis info area "chassis type" (SMBIOS 3.3.4 enumeration, FRU spec 1.2). */
export const CHASSIS_TYPE_CODES = {
  other: 0x01,
  unknown: 0x02,
  desktop: 0x03,
  tower: 0x07,
  "main-server": 0x11,
  "rack-mount": 0x17,
  "multi-system": 0x19,
  blade: 0x1c,
} as const;

/** IANA enterprise number of the IPMI forum (Intel, 7154 = 001BF2h), Get Channel Info bytes 5..7. */
export const IPMI_VENDOR_IANA = 7154;
