/**
 * Code tables of IPMI 2.0 rev 1.1, each written once: the decoders name values from them
 * and the BMC profile takes their keys in place of numbers (docs/profile.md). Names keep
 * the spec's wording (checked against freeipmi's spec tables).
 */
import { hexByte } from "../hex";
import type { BitName } from "../layout/format";
import { codeTable } from "./code-table";

export type { CodeTable } from "./code-table";

type Table = ReadonlyMap<number, string>;

function table(entries: ReadonlyArray<readonly [number, string]>): Table {
  return new Map(entries);
}

function listed(names: readonly string[], first = 0): Table {
  return new Map(names.map((name, i) => [first + i, name]));
}

/**
 * Sensor types, table 42-3, with the names a profile may use for them. 00h is reserved,
 * C0h-FFh OEM.
 */
export const SENSOR_TYPES = codeTable(
  [
    [0x01, "Temperature", "temperature"],
    [0x02, "Voltage", "voltage"],
    [0x03, "Current", "current"],
    [0x04, "Fan", "fan"],
    [0x05, "Physical Security (Chassis Intrusion)", "physical-security"],
    [0x06, "Platform Security Violation Attempt", "platform-security"],
    [0x07, "Processor", "processor"],
    [0x08, "Power Supply", "power-supply"],
    [0x09, "Power Unit", "power-unit"],
    [0x0a, "Cooling Device", "cooling-device"],
    [0x0b, "Other Units-based Sensor", "other-units"],
    [0x0c, "Memory", "memory"],
    [0x0d, "Drive Slot (Bay)", "drive-slot"],
    [0x0e, "POST Memory Resize"],
    [0x0f, "System Firmware Progress", "system-firmware-progress"],
    [0x10, "Event Logging Disabled", "event-logging-disabled"],
    [0x11, "Watchdog 1"],
    [0x12, "System Event", "system-event"],
    [0x13, "Critical Interrupt", "critical-interrupt"],
    [0x14, "Button / Switch", "button-switch"],
    [0x15, "Module / Board"],
    [0x16, "Microcontroller / Coprocessor"],
    [0x17, "Add-in Card"],
    [0x18, "Chassis"],
    [0x19, "Chip Set", "chip-set"],
    [0x1a, "Other FRU"],
    [0x1b, "Cable / Interconnect"],
    [0x1c, "Terminator"],
    [0x1d, "System Boot / Restart Initiated", "system-boot-initiated"],
    [0x1e, "Boot Error", "boot-error"],
    [0x1f, "Base OS Boot / Installation Status", "os-boot"],
    [0x20, "OS Stop / Shutdown", "os-critical-stop"],
    [0x21, "Slot / Connector"],
    [0x22, "System ACPI Power State", "system-acpi-power-state"],
    [0x23, "Watchdog 2", "watchdog2"],
    [0x24, "Platform Alert"],
    [0x25, "Entity Presence", "entity-presence"],
    [0x26, "Monitor ASIC / IC"],
    [0x27, "LAN"],
    [0x28, "Management Subsystem Health", "management-subsystem-health"],
    [0x29, "Battery", "battery"],
    [0x2a, "Session Audit"],
    [0x2b, "Version Change"],
    [0x2c, "FRU State"],
  ] as const,
  (code) => (code >= 0xc0 ? "OEM" : "Reserved"),
);

/** Sensor type 23h: the watchdog's SEL events use it (table 42-3). */
export const SENSOR_TYPE_WATCHDOG2 = SENSOR_TYPES.codes.watchdog2;

/** "Temperature (01h)", "OEM (C3h)", "Reserved (00h)". */
export function sensorTypeLabel(code: number): string {
  return SENSOR_TYPES.label(code);
}

/**
 * Entity IDs, table 43-13 (00h-37h, and the DCMI equivalents 40h-42h), with the names a
 * profile may use. 36h is reserved; ranges the spec sets aside for chassis, board set or OEM
 * use are named so.
 */
export const ENTITY_IDS = codeTable(
  [
    [0x00, "Unspecified", "unspecified"],
    [0x01, "Other", "other"],
    [0x02, "Unknown"],
    [0x03, "Processor", "processor"],
    [0x04, "Disk or disk bay", "disk-bay"],
    [0x05, "Peripheral bay"],
    [0x06, "System management module", "system-management-module"],
    [0x07, "System board", "system-board"],
    [0x08, "Memory module", "memory-module"],
    [0x09, "Processor module"],
    [0x0a, "Power supply", "power-supply"],
    [0x0b, "Add-in card", "add-in-card"],
    [0x0c, "Front panel board", "front-panel-board"],
    [0x0d, "Back panel board"],
    [0x0e, "Power system board"],
    [0x0f, "Drive backplane"],
    [0x10, "System internal expansion board"],
    [0x11, "Other system board"],
    [0x12, "Processor board"],
    [0x13, "Power unit / power domain", "power-unit"],
    [0x14, "Power module / DC-to-DC converter"],
    [0x15, "Power management / power distribution board"],
    [0x16, "Chassis back panel board"],
    [0x17, "System chassis", "system-chassis"],
    [0x18, "Sub-chassis"],
    [0x19, "Other chassis board"],
    [0x1a, "Disk drive bay", "disk-drive-bay"],
    [0x1b, "Peripheral bay"],
    [0x1c, "Device bay"],
    [0x1d, "Fan / cooling device", "fan"],
    [0x1e, "Cooling unit / cooling domain"],
    [0x1f, "Cable / interconnect"],
    [0x20, "Memory device", "memory-device"],
    [0x21, "System management software"],
    [0x22, "System firmware (e.g. BIOS / EFI)", "system-firmware"],
    [0x23, "Operating system", "operating-system"],
    [0x24, "System bus"],
    [0x25, "Group"],
    [0x26, "Remote (out of band) management communication device"],
    [0x27, "External environment"],
    [0x28, "Battery", "battery"],
    [0x29, "Processing blade"],
    [0x2a, "Connectivity switch"],
    [0x2b, "Processor / memory module"],
    [0x2c, "I/O module"],
    [0x2d, "Processor / IO module"],
    [0x2e, "Management controller firmware", "management-controller-firmware"],
    [0x2f, "IPMI channel"],
    [0x30, "PCI bus"],
    [0x31, "PCI Express bus"],
    [0x32, "SCSI bus (parallel)"],
    [0x33, "SATA / SAS bus"],
    [0x34, "Processor / front-side bus"],
    [0x35, "Real time clock (RTC)"],
    [0x37, "Air inlet", "air-inlet"],
    [0x40, "Air inlet"],
    [0x41, "Processor"],
    [0x42, "Baseboard (main system board)"],
  ] as const,
  (code) => {
    if (code >= 0x90 && code <= 0xaf) return "Chassis-specific";
    if (code >= 0xb0 && code <= 0xcf) return "Board-set specific";
    if (code >= 0xd0) return "OEM system integrator defined";
    return "Reserved";
  },
);

/** "System board (07h)"; ranges the spec reserves for chassis, board set or OEM use are named so. */
export function entityLabel(code: number): string {
  return ENTITY_IDS.label(code);
}

/**
 * Sensor unit type codes, table 43-15, with the names a profile may use. ("errors" is
 * 58h, "error"; 51h is "reset".)
 */
export const SENSOR_UNITS = codeTable([
  [0x00, "unspecified", "unspecified"],
  [0x01, "degrees C", "degrees-c"],
  [0x02, "degrees F", "degrees-f"],
  [0x03, "degrees K", "degrees-k"],
  [0x04, "Volts", "volts"],
  [0x05, "Amps", "amps"],
  [0x06, "Watts", "watts"],
  [0x07, "Joules", "joules"],
  [0x08, "Coulombs"],
  [0x09, "VA", "va"],
  [0x0a, "Nits"],
  [0x0b, "lumen"],
  [0x0c, "lux"],
  [0x0d, "Candela"],
  [0x0e, "kPa"],
  [0x0f, "PSI"],
  [0x10, "Newton"],
  [0x11, "CFM", "cfm"],
  [0x12, "RPM", "rpm"],
  [0x13, "Hz", "hz"],
  [0x14, "microsecond"],
  [0x15, "millisecond"],
  [0x16, "second", "seconds"],
  [0x17, "minute", "minutes"],
  [0x18, "hour", "hours"],
  [0x19, "day", "days"],
  [0x1a, "week"],
  [0x1b, "mil"],
  [0x1c, "inches"],
  [0x1d, "feet"],
  [0x1e, "cu in"],
  [0x1f, "cu feet"],
  [0x20, "mm"],
  [0x21, "cm"],
  [0x22, "m"],
  [0x23, "cu cm"],
  [0x24, "cu m"],
  [0x25, "liters"],
  [0x26, "fluid ounce"],
  [0x27, "radians"],
  [0x28, "steradians"],
  [0x29, "revolutions"],
  [0x2a, "cycles"],
  [0x2b, "gravities"],
  [0x2c, "ounce"],
  [0x2d, "pound"],
  [0x2e, "ft-lb"],
  [0x2f, "oz-in"],
  [0x30, "gauss"],
  [0x31, "gilberts"],
  [0x32, "henry"],
  [0x33, "millihenry"],
  [0x34, "farad"],
  [0x35, "microfarad"],
  [0x36, "ohms"],
  [0x37, "siemens"],
  [0x38, "mole"],
  [0x39, "becquerel"],
  [0x3a, "PPM"],
  [0x3b, "reserved"],
  [0x3c, "Decibels"],
  [0x3d, "DbA"],
  [0x3e, "DbC"],
  [0x3f, "gray"],
  [0x40, "sievert"],
  [0x41, "color temp deg K"],
  [0x42, "bit"],
  [0x43, "kilobit"],
  [0x44, "megabit"],
  [0x45, "gigabit"],
  [0x46, "byte", "bytes"],
  [0x47, "kilobyte"],
  [0x48, "megabyte"],
  [0x49, "gigabyte"],
  [0x4a, "word"],
  [0x4b, "dword"],
  [0x4c, "qword"],
  [0x4d, "line"],
  [0x4e, "hit"],
  [0x4f, "miss"],
  [0x50, "retry"],
  [0x51, "reset"],
  [0x52, "overrun / overflow"],
  [0x53, "underrun"],
  [0x54, "collision"],
  [0x55, "packets"],
  [0x56, "messages"],
  [0x57, "characters"],
  [0x58, "error", "errors"],
  [0x59, "correctable error"],
  [0x5a, "uncorrectable error"],
  [0x5b, "fatal error"],
  [0x5c, "grams"],
] as const);

export function unitLabel(code: number): string {
  return SENSOR_UNITS.label(code);
}

/** Event/reading type codes, table 42-1. */
export const EVENT_READING_TYPES: Table = table([
  [0x00, "Unspecified"],
  [0x01, "Threshold"],
  [0x02, "Generic discrete: DMI-based usage state"],
  [0x03, "Generic discrete: state"],
  [0x04, "Generic discrete: predictive failure"],
  [0x05, "Generic discrete: limit"],
  [0x06, "Generic discrete: performance"],
  [0x07, "Generic discrete: severity"],
  [0x08, "Generic discrete: device presence"],
  [0x09, "Generic discrete: device enabled"],
  [0x0a, "Generic discrete: availability state"],
  [0x0b, "Generic discrete: redundancy"],
  [0x0c, "Generic discrete: ACPI device power state"],
  [0x6f, "Sensor-specific"],
]);

export const EVENT_READING_TYPE_THRESHOLD = 0x01;
export const EVENT_READING_TYPE_SENSOR_SPECIFIC = 0x6f;

export function eventReadingTypeLabel(code: number): string {
  const name = EVENT_READING_TYPES.get(code) ?? (code >= 0x70 && code <= 0x7f ? "OEM" : "Reserved");
  return `${name} (${hexByte(code)})`;
}

/** Threshold event offsets (table 42-2, event/reading type 01h). */
export const THRESHOLD_OFFSETS: Table = listed([
  "Lower Non-critical - going low",
  "Lower Non-critical - going high",
  "Lower Critical - going low",
  "Lower Critical - going high",
  "Lower Non-recoverable - going low",
  "Lower Non-recoverable - going high",
  "Upper Non-critical - going low",
  "Upper Non-critical - going high",
  "Upper Critical - going low",
  "Upper Critical - going high",
  "Upper Non-recoverable - going low",
  "Upper Non-recoverable - going high",
]);

/** Offsets of the generic discrete event/reading types (table 42-2) the BMC's sensors use. */
export const GENERIC_OFFSETS: ReadonlyMap<number, Table> = new Map([
  [0x03, listed(["State Deasserted", "State Asserted"])],
  [0x04, listed(["Predictive Failure deasserted", "Predictive Failure asserted"])],
  [0x05, listed(["Limit Not Exceeded", "Limit Exceeded"])],
  [0x06, listed(["Performance Met", "Performance Lags"])],
  [
    0x07,
    listed([
      "transition to OK",
      "transition to Non-Critical from OK",
      "transition to Critical from less severe",
      "transition to Non-recoverable from less severe",
      "transition to Non-Critical from more severe",
      "transition to Critical from Non-recoverable",
      "transition to Non-recoverable",
      "Monitor",
      "Informational",
    ]),
  ],
  [0x08, listed(["Device Removed / Device Absent", "Device Inserted / Device Present"])],
  [0x09, listed(["Device Disabled", "Device Enabled"])],
]);

/** Sensor-specific offsets (table 42-3) of the sensor types the BMC itself logs events for. */
export const SENSOR_SPECIFIC_OFFSETS: ReadonlyMap<number, Table> = new Map([
  [
    0x09,
    listed([
      "Power Off / Power Down",
      "Power Cycle",
      "240VA Power Down",
      "Interlock Power Down",
      "AC lost / Power input lost",
      "Soft Power Control Failure",
      "Power Unit Failure detected",
      "Predictive Failure",
    ]),
  ],
  [
    0x10,
    listed([
      "Correctable Memory Error Logging Disabled",
      "Event 'Type' Logging Disabled",
      "Log Area Reset/Cleared",
      "All Event Logging Disabled",
      "SEL Full",
      "SEL Almost Full",
      "Correctable Machine Check Error Logging Disabled",
    ]),
  ],
  [
    0x12,
    listed([
      "System Reconfigured",
      "OEM System Boot Event",
      "Undetermined system hardware failure",
      "Entry added to Auxiliary Log",
      "PEF Action",
      "Timestamp Clock Synch",
    ]),
  ],
  [
    0x1d,
    listed([
      "Initiated by power up",
      "Initiated by hard reset",
      "Initiated by warm reset",
      "User requested PXE boot",
      "Automatic boot to diagnostic",
      "OS / run-time software initiated hard reset",
      "OS / run-time software initiated warm reset",
      "System Restart",
    ]),
  ],
  [
    0x23,
    table([
      [0x00, "Timer expired, status only (no action, no interrupt)"],
      [0x01, "Hard Reset"],
      [0x02, "Power Down"],
      [0x03, "Power Cycle"],
      [0x08, "Timer interrupt"],
    ]),
  ],
]);

/** The name of an event offset, given the event/reading type and sensor type; undefined if not tabled. */
export function eventOffsetName(eventType: number, sensorType: number, offset: number): string | undefined {
  if (eventType === EVENT_READING_TYPE_THRESHOLD) return THRESHOLD_OFFSETS.get(offset);
  if (eventType === EVENT_READING_TYPE_SENSOR_SPECIFIC)
    return SENSOR_SPECIFIC_OFFSETS.get(sensorType)?.get(offset);
  return GENERIC_OFFSETS.get(eventType)?.get(offset);
}

/** Watchdog timer use (section 27.6, Set Watchdog Timer byte 1 bits 2:0). */
export const TIMER_USES: Table = table([
  [0x1, "BIOS FRB2"],
  [0x2, "BIOS/POST"],
  [0x3, "OS Load"],
  [0x4, "SMS/OS"],
  [0x5, "OEM"],
]);

/** SDR record types: byte 4 of every record's header (section 43; freeipmi's record-format codes agree). */
export const SDR_RECORD_TYPES = codeTable(
  [
    [0x01, "Full Sensor Record"],
    [0x02, "Compact Sensor Record"],
    [0x03, "Event-Only Record"],
    [0x08, "Entity Association Record"],
    [0x09, "Device-relative Entity Association Record"],
    [0x10, "Generic Device Locator Record"],
    [0x11, "FRU Device Locator Record"],
    [0x12, "Management Controller Device Locator Record"],
    [0x13, "Management Controller Confirmation Record"],
    [0x14, "BMC Message Channel Info Record"],
    [0xc0, "OEM Record"],
  ] as const,
  (code) => (code >= 0xc0 ? "OEM Record" : "Reserved"),
);

/** SEL record types (section 32.1): 02h system event, C0h-DFh OEM timestamped, E0h-FFh OEM non-timestamped. */
export function selRecordTypeLabel(code: number): string {
  let name = "Reserved";
  if (code === 0x02) name = "System event record";
  else if (code >= 0xc0 && code <= 0xdf) name = "OEM timestamped";
  else if (code >= 0xe0) name = "OEM non-timestamped";
  return `${name} (${hexByte(code)})`;
}

/** ACPI system power states (section 20.6). */
export const ACPI_SYSTEM_POWER_STATES: Table = table([
  [0x00, "S0/G0 (working)"],
  [0x01, "S1"],
  [0x02, "S2"],
  [0x03, "S3 (suspend-to-RAM)"],
  [0x04, "S4 (suspend-to-disk)"],
  [0x05, "S5/G2 (soft off)"],
  [0x06, "S4/S5 (soft off, S4 or S5 not known)"],
  [0x07, "G3 (mechanical off)"],
  [0x08, "Sleeping (S1, S2 or S3)"],
  [0x09, "G1 sleeping (S1-S4)"],
  [0x0a, "S5 entered by override"],
  [0x20, "Legacy On"],
  [0x21, "Legacy Off"],
  [0x2a, "Unknown"],
  [0x7f, "No change"],
]);

/** ACPI device power states (section 20.6). */
export const ACPI_DEVICE_POWER_STATES: Table = table([
  [0x00, "D0"],
  [0x01, "D1"],
  [0x02, "D2"],
  [0x03, "D3"],
  [0x2a, "Unknown"],
  [0x7f, "No change"],
]);

/** Channel medium types (table 6-3), with the names a profile may use. 60h-7Fh are OEM. */
export const CHANNEL_MEDIUM_TYPES = codeTable(
  [
    [0x01, "IPMB (I2C)", "ipmb"],
    [0x02, "ICMB v1.0", "icmb-1.0"],
    [0x03, "ICMB v0.9", "icmb-0.9"],
    [0x04, "802.3 LAN", "lan-802.3"],
    [0x05, "Asynch. Serial/Modem (RS-232)", "serial"],
    [0x06, "Other LAN", "other-lan"],
    [0x07, "PCI SMBus", "pci-smbus"],
    [0x08, "SMBus v1.0/1.1", "smbus-1.x"],
    [0x09, "SMBus v2.0", "smbus-2.0"],
    [0x0a, "USB 1.x", "usb-1.x"],
    [0x0b, "USB 2.x", "usb-2.x"],
    [0x0c, "System Interface (KCS, SMIC, or BT)", "system-interface"],
  ] as const,
  (code) => (code >= 0x60 ? "OEM" : "Reserved"),
);

/** Channel protocol types (table 6-2), with the names a profile may use. 1Ch-1Fh are OEM. */
export const CHANNEL_PROTOCOL_TYPES = codeTable(
  [
    [0x01, "IPMB-1.0", "ipmb-1.0"],
    [0x02, "ICMB-1.0", "icmb-1.0"],
    [0x04, "IPMI-SMBus", "ipmi-smbus"],
    [0x05, "KCS", "kcs"],
    [0x06, "SMIC", "smic"],
    [0x07, "BT-10", "bt-1.0"],
    [0x08, "BT-15", "bt-1.5"],
    [0x09, "TMode", "tmode"],
  ] as const,
  (code) => (code >= 0x1c ? "OEM" : "Reserved"),
);

/** Channel session support, Get Channel Info byte 4 bits 7:6 (section 22.24). */
export const SESSION_SUPPORT = codeTable([
  [0, "session-less", "session-less"],
  [1, "single-session", "single-session"],
  [2, "multi-session", "multi-session"],
  [3, "session-based", "session-based"],
] as const);

/** Channel access mode, Set/Get Channel Access byte 2 / byte 1 bits 2:0 (section 22.22). */
export const ACCESS_MODES = codeTable([
  [0, "Disabled", "disabled"],
  [1, "Pre-boot only", "pre-boot"],
  [2, "Always available", "always-available"],
  [3, "Shared", "shared"],
] as const);

/** Privilege levels (table 6-1 and section 22.23), with the names a profile may use. */
export const PRIVILEGE_LEVELS = codeTable([
  [0x00, "Reserved"],
  [0x01, "Callback", "callback"],
  [0x02, "User", "user"],
  [0x03, "Operator", "operator"],
  [0x04, "Administrator", "administrator"],
  [0x05, "OEM Proprietary", "oem"],
  [0x0f, "No access"],
] as const);

/**
 * FRU chassis info area "chassis type" (FRU spec 1.2 section 10 refers to the SMBIOS
 * system enclosure types, SMBIOS 3.x table 17), with the names a profile may use.
 */
export const CHASSIS_TYPES = codeTable([
  [0x01, "Other", "other"],
  [0x02, "Unknown", "unknown"],
  [0x03, "Desktop", "desktop"],
  [0x04, "Low Profile Desktop"],
  [0x05, "Pizza Box"],
  [0x06, "Mini Tower"],
  [0x07, "Tower", "tower"],
  [0x08, "Portable"],
  [0x09, "Laptop"],
  [0x0a, "Notebook"],
  [0x0b, "Hand Held"],
  [0x0c, "Docking Station"],
  [0x0d, "All in One"],
  [0x0e, "Sub Notebook"],
  [0x0f, "Space-saving"],
  [0x10, "Lunch Box"],
  [0x11, "Main Server Chassis", "main-server"],
  [0x12, "Expansion Chassis"],
  [0x13, "SubChassis"],
  [0x14, "Bus Expansion Chassis"],
  [0x15, "Peripheral Chassis"],
  [0x16, "RAID Chassis"],
  [0x17, "Rack Mount Chassis", "rack-mount"],
  [0x18, "Sealed-case PC"],
  [0x19, "Multi-system chassis", "multi-system"],
  [0x1a, "Compact PCI"],
  [0x1b, "Advanced TCA"],
  [0x1c, "Blade", "blade"],
  [0x1d, "Blade Enclosure"],
  [0x1e, "Tablet"],
  [0x1f, "Convertible"],
  [0x20, "Detachable"],
  [0x21, "IoT Gateway"],
  [0x22, "Embedded PC"],
  [0x23, "Mini PC"],
  [0x24, "Stick PC"],
] as const);

/** A few IANA enterprise numbers seen in Get Device ID (names as IANA registers them). */
export const IANA_ENTERPRISES: Table = table([
  [2, "IBM"],
  [11, "Hewlett-Packard"],
  [343, "Intel Corporation"],
  [674, "Dell Inc."],
  [2011, "HUAWEI Technology Co.,Ltd"],
  [3704, "Advanced Micro Devices, Inc"],
  [4128, "ARM Ltd."],
  [5771, "Cisco Systems, Inc."],
  [6569, "INVENTEC CORPORATION"],
  [7154, "Intelligent Platform Management Interface forum"],
  [7244, "Quanta Computer Inc."],
  [10368, "Fujitsu Technology Solutions GmbH"],
  [10876, "Super Micro Computer Inc."],
  [11129, "Google, Inc."],
  [15370, "GIGA-BYTE TECHNOLOGY CO., LTD"],
  [19046, "Lenovo Enterprise Business Group"],
  [20974, "American Megatrends, Inc"],
  [40981, "Facebook, Inc."],
  [47196, "Hewlett Packard Enterprise"],
  [49622, "ASRock Rack Incorporation"],
  [49871, "OpenBMC Project"],
  [52538, "Ampere Computing"],
]);

/** IANA enterprise number of the IPMI forum (7154 = 001BF2h): Get Channel Info bytes 5-7 of IPMI channels (22.24). */
export const IANA_IPMI_FORUM = 7154;

/** "343 (Intel Corporation)", or the bare number. */
export function ianaLabel(id: number): string {
  const name = IANA_ENTERPRISES.get(id);
  return name === undefined ? String(id) : `${id} (${name})`;
}

/** Additional Device Support bits, Get Device ID byte 6 (section 20.1) and the MC Device Locator record (table 43-8). */
export const DEVICE_SUPPORT_BITS: readonly BitName[] = [
  [7, "Chassis device"],
  [6, "Bridge"],
  [5, "IPMB event generator"],
  [4, "IPMB event receiver"],
  [3, "FRU inventory device"],
  [2, "SEL device"],
  [1, "SDR repository device"],
  [0, "Sensor device"],
];
