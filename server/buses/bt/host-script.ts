/**
 * What a Linux host says to its BMC over BT, as a script the simulated host plays:
 * the ipmi_si driver's probing at load, a watchdog daemon arming the timer, then the
 * steady state (the driver's message-flag polling, watchdog pats, monitoring agents
 * reading chassis status and sensors, now and then an SEL entry). Pure data.
 */
import { NETFN } from "../../ipmi/netfn";

export interface ScriptedRequest {
  netFn: number;
  cmd: number;
  data: number[];
}

const APP = NETFN.APP;

export const BOOT_SEQUENCE: readonly ScriptedRequest[] = [
  { netFn: APP, cmd: 0x01, data: [] }, // Get Device ID
  { netFn: APP, cmd: 0x2f, data: [] }, // Get BMC Global Enables
  { netFn: APP, cmd: 0x2e, data: [0x0d] }, // Set BMC Global Enables: event buffer, receive-queue interrupt, SEL
  { netFn: APP, cmd: 0x31, data: [] }, // Get Message Flags
  { netFn: APP, cmd: 0x36, data: [] }, // Get BT Interface Capabilities
  { netFn: APP, cmd: 0x08, data: [] }, // Get Device GUID
  { netFn: APP, cmd: 0x04, data: [] }, // Get Self Test Results
  // Watchdog daemon: SMS/OS use, hard reset on expiry, 60.0 s
  { netFn: APP, cmd: 0x24, data: [0x44, 0x01, 0x00, 0x3e, 0x58, 0x02] },
  { netFn: APP, cmd: 0x22, data: [] }, // Reset Watchdog Timer (starts it)
];

const SENSORS = [0x01, 0x02, 0x03, 0x10, 0x11, 0x20, 0x30, 0x31];

/**
 * The steady-state request at step `n` (0, 1, 2, ...). Deterministic so runs can be
 * compared; the mix is what an idle server's host sends, dominated by flag polling.
 */
export function steadyRequest(n: number, watchdogEvery: number): ScriptedRequest {
  if (n % watchdogEvery === watchdogEvery - 1) return { netFn: APP, cmd: 0x22, data: [] };
  if (n % 97 === 50) return addSelEntry(n);
  switch (n % 5) {
    case 0:
    case 2:
      return { netFn: APP, cmd: 0x31, data: [] }; // Get Message Flags
    case 1:
    case 3:
      return { netFn: NETFN.SENSOR_EVENT, cmd: 0x2d, data: [SENSORS[n % SENSORS.length]!] }; // Get Sensor Reading
    default:
      return { netFn: NETFN.CHASSIS, cmd: 0x01, data: [] }; // Get Chassis Status
  }
}

/** Add SEL Entry: a system event record (OS boot-style event from the host's software). */
function addSelEntry(n: number): ScriptedRequest {
  const t = (1_700_000_000 + n) >>> 0;
  return {
    netFn: NETFN.STORAGE,
    cmd: 0x44,
    data: [
      0x00,
      0x00, // record id (BMC assigns)
      0x02, // system event record
      t & 0xff,
      (t >> 8) & 0xff,
      (t >> 16) & 0xff,
      (t >>> 24) & 0xff,
      0x41,
      0x00, // generator: system software id 20h, channel 0
      0x04, // EvM rev 2.0 (IPMI 1.5+)
      0x1f,
      0x01, // sensor type OS Boot, sensor number 1
      0x6f, // sensor-specific, assertion
      0x01,
      0xff,
      0xff, // C: boot completed
    ],
  };
}
