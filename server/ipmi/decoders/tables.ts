/**
 * Code tables of IPMI 2.0 rev 1.1 the decoders name values from. Names keep the spec's
 * wording (checked against freeipmi's spec tables).
 */
import { hexByte } from "../hex";

type Table = ReadonlyMap<number, string>;

function table(entries: ReadonlyArray<readonly [number, string]>): Table {
  return new Map(entries);
}

function listed(names: readonly string[], first = 0): Table {
  return new Map(names.map((name, i) => [first + i, name]));
}

/** Sensor types, table 42-3. */
export const SENSOR_TYPES: Table = listed(
  [
    "Temperature",
    "Voltage",
    "Current",
    "Fan",
    "Physical Security (Chassis Intrusion)",
    "Platform Security Violation Attempt",
    "Processor",
    "Power Supply",
    "Power Unit",
    "Cooling Device",
    "Other Units-based Sensor",
    "Memory",
    "Drive Slot (Bay)",
    "POST Memory Resize",
    "System Firmware Progress",
    "Event Logging Disabled",
    "Watchdog 1",
    "System Event",
    "Critical Interrupt",
    "Button / Switch",
    "Module / Board",
    "Microcontroller / Coprocessor",
    "Add-in Card",
    "Chassis",
    "Chip Set",
    "Other FRU",
    "Cable / Interconnect",
    "Terminator",
    "System Boot / Restart Initiated",
    "Boot Error",
    "Base OS Boot / Installation Status",
    "OS Stop / Shutdown",
    "Slot / Connector",
    "System ACPI Power State",
    "Watchdog 2",
    "Platform Alert",
    "Entity Presence",
    "Monitor ASIC / IC",
    "LAN",
    "Management Subsystem Health",
    "Battery",
    "Session Audit",
    "Version Change",
    "FRU State",
  ],
  0x01,
);

/** "Temperature (01h)", "OEM (C3h)", "Reserved (00h)". */
export function sensorTypeLabel(code: number): string {
  const name = SENSOR_TYPES.get(code) ?? (code >= 0xc0 ? "OEM" : "Reserved");
  return `${name} (${hexByte(code)})`;
}

/** Entity IDs, table 43-13 (00h-37h, and the DCMI equivalents 40h-42h). */
export const ENTITY_IDS: Table = new Map([
  ...listed([
    "Unspecified",
    "Other",
    "Unknown",
    "Processor",
    "Disk or disk bay",
    "Peripheral bay",
    "System management module",
    "System board",
    "Memory module",
    "Processor module",
    "Power supply",
    "Add-in card",
    "Front panel board",
    "Back panel board",
    "Power system board",
    "Drive backplane",
    "System internal expansion board",
    "Other system board",
    "Processor board",
    "Power unit / power domain",
    "Power module / DC-to-DC converter",
    "Power management / power distribution board",
    "Chassis back panel board",
    "System chassis",
    "Sub-chassis",
    "Other chassis board",
    "Disk drive bay",
    "Peripheral bay",
    "Device bay",
    "Fan / cooling device",
    "Cooling unit / cooling domain",
    "Cable / interconnect",
    "Memory device",
    "System management software",
    "System firmware (e.g. BIOS / EFI)",
    "Operating system",
    "System bus",
    "Group",
    "Remote (out of band) management communication device",
    "External environment",
    "Battery",
    "Processing blade",
    "Connectivity switch",
    "Processor / memory module",
    "I/O module",
    "Processor / IO module",
    "Management controller firmware",
    "IPMI channel",
    "PCI bus",
    "PCI Express bus",
    "SCSI bus (parallel)",
    "SATA / SAS bus",
    "Processor / front-side bus",
    "Real time clock (RTC)",
    "Reserved",
    "Air inlet",
  ]),
  [0x40, "Air inlet"],
  [0x41, "Processor"],
  [0x42, "Baseboard (main system board)"],
]);

/** "System board (07h)"; ranges the spec reserves for chassis, board set or OEM use are named so. */
export function entityLabel(code: number): string {
  let name = ENTITY_IDS.get(code);
  if (name === undefined) {
    if (code >= 0x90 && code <= 0xaf) name = "Chassis-specific";
    else if (code >= 0xb0 && code <= 0xcf) name = "Board-set specific";
    else if (code >= 0xd0) name = "OEM system integrator defined";
    else name = "Reserved";
  }
  return `${name} (${hexByte(code)})`;
}

/** Sensor unit type codes, table 43-15. */
export const SENSOR_UNITS: Table = listed([
  "unspecified",
  "degrees C",
  "degrees F",
  "degrees K",
  "Volts",
  "Amps",
  "Watts",
  "Joules",
  "Coulombs",
  "VA",
  "Nits",
  "lumen",
  "lux",
  "Candela",
  "kPa",
  "PSI",
  "Newton",
  "CFM",
  "RPM",
  "Hz",
  "microsecond",
  "millisecond",
  "second",
  "minute",
  "hour",
  "day",
  "week",
  "mil",
  "inches",
  "feet",
  "cu in",
  "cu feet",
  "mm",
  "cm",
  "m",
  "cu cm",
  "cu m",
  "liters",
  "fluid ounce",
  "radians",
  "steradians",
  "revolutions",
  "cycles",
  "gravities",
  "ounce",
  "pound",
  "ft-lb",
  "oz-in",
  "gauss",
  "gilberts",
  "henry",
  "millihenry",
  "farad",
  "microfarad",
  "ohms",
  "siemens",
  "mole",
  "becquerel",
  "PPM",
  "reserved",
  "Decibels",
  "DbA",
  "DbC",
  "gray",
  "sievert",
  "color temp deg K",
  "bit",
  "kilobit",
  "megabit",
  "gigabit",
  "byte",
  "kilobyte",
  "megabyte",
  "gigabyte",
  "word",
  "dword",
  "qword",
  "line",
  "hit",
  "miss",
  "retry",
  "reset",
  "overrun / overflow",
  "underrun",
  "collision",
  "packets",
  "messages",
  "characters",
  "error",
  "correctable error",
  "uncorrectable error",
  "fatal error",
  "grams",
]);

export function unitLabel(code: number): string {
  return `${SENSOR_UNITS.get(code) ?? "Reserved"} (${hexByte(code)})`;
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

/** SDR record types (section 43). */
export const SDR_RECORD_TYPES: Table = table([
  [0x01, "Full Sensor Record"],
  [0x02, "Compact Sensor Record"],
  [0x03, "Event-Only Record"],
  [0x08, "Entity Association Record"],
  [0x09, "Device-relative Entity Association Record"],
  [0x0a, "Generic Device Locator Record"],
  [0x0b, "FRU Device Locator Record"],
  [0x0c, "Management Controller Device Locator Record"],
  [0x0d, "Management Controller Confirmation Record"],
  [0x0e, "BMC Message Channel Info Record"],
  [0xc0, "OEM Record"],
]);

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

/** Channel medium types (table 6-3). */
export const CHANNEL_MEDIUM_TYPES: Table = table([
  [0x01, "IPMB (I2C)"],
  [0x02, "ICMB v1.0"],
  [0x03, "ICMB v0.9"],
  [0x04, "802.3 LAN"],
  [0x05, "Asynch. Serial/Modem (RS-232)"],
  [0x06, "Other LAN"],
  [0x07, "PCI SMBus"],
  [0x08, "SMBus v1.0/1.1"],
  [0x09, "SMBus v2.0"],
  [0x0a, "USB 1.x"],
  [0x0b, "USB 2.x"],
  [0x0c, "System Interface (KCS, SMIC, or BT)"],
]);

/** Channel protocol types (table 6-2). */
export const CHANNEL_PROTOCOL_TYPES: Table = table([
  [0x01, "IPMB-1.0"],
  [0x02, "ICMB-1.0"],
  [0x04, "IPMI-SMBus"],
  [0x05, "KCS"],
  [0x06, "SMIC"],
  [0x07, "BT-10"],
  [0x08, "BT-15"],
  [0x09, "TMode"],
]);

/** Privilege levels (table 6-1 and section 22.23). */
export const PRIVILEGE_LEVELS: Table = table([
  [0x00, "Reserved"],
  [0x01, "Callback"],
  [0x02, "User"],
  [0x03, "Operator"],
  [0x04, "Administrator"],
  [0x05, "OEM Proprietary"],
  [0x0f, "No access"],
]);

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

/** "343 (Intel Corporation)", or the bare number. */
export function ianaLabel(id: number): string {
  const name = IANA_ENTERPRISES.get(id);
  return name === undefined ? String(id) : `${id} (${name})`;
}
