/**
 * IPMI command names per request network function, as IPMI 2.0 rev 1.1 Appendix G
 * ("Command Assignments", table G-1) names them, plus the DCMI 1.5 commands carried
 * in the group extension netfn (2Ch) under body code DCh.
 *
 * Names keep the spec's spelling, including its quirks ("Get Channel Info Command",
 * "Set Bridge ProxyAddress", the ICMB commands written as one word). Annotations in
 * the table's name column are dropped: "Platform Event (a.k.a. 'Event Message')" is
 * "Platform Event", "GetEventDestination (optional)" is "GetEventDestination".
 * "Broadcast 'Get Device ID'" shares 06h/01h with "Get Device ID" and is left out.
 */
import { hexByte } from "./hex";
import { NETFN, requestNetFn } from "./netfn";

type CommandTable = ReadonlyArray<readonly [cmd: number, name: string]>;

/** Group extension body code of DCMI (DCMI 1.5, section 6.1.1). */
export const DCMI_GROUP = 0xdc;

const BY_NETFN: Readonly<Record<number, CommandTable>> = {
  [NETFN.CHASSIS]: [
    // Chassis Device Commands
    [0x00, "Get Chassis Capabilities"],
    [0x01, "Get Chassis Status"],
    [0x02, "Chassis Control"],
    [0x03, "Chassis Reset"],
    [0x04, "Chassis Identify"],
    [0x05, "Set Chassis Capabilities"],
    [0x06, "Set Power Restore Policy"],
    [0x07, "Get System Restart Cause"],
    [0x08, "Set System Boot Options"],
    [0x09, "Get System Boot Options"],
    [0x0a, "Set Front Panel Button Enables"],
    [0x0b, "Set Power Cycle Interval"],
    [0x0f, "Get POH Counter"],
  ],
  [NETFN.BRIDGE]: [
    // Bridge Management Commands (ICMB)
    [0x00, "Get Bridge State"],
    [0x01, "Set Bridge State"],
    [0x02, "Get ICMB Address"],
    [0x03, "Set ICMB Address"],
    [0x04, "Set Bridge ProxyAddress"],
    [0x05, "Get Bridge Statistics"],
    [0x06, "Get ICMB Capabilities"],
    [0x08, "Clear Bridge Statistics"],
    [0x09, "Get Bridge Proxy Address"],
    [0x0a, "Get ICMB Connector Info"],
    [0x0b, "Get ICMB Connection ID"],
    [0x0c, "Send ICMB Connection ID"],
    // Discovery Commands (ICMB)
    [0x10, "PrepareForDiscovery"],
    [0x11, "GetAddresses"],
    [0x12, "SetDiscovered"],
    [0x13, "GetChassisDeviceId"],
    [0x14, "SetChassisDeviceId"],
    // Bridging Commands (ICMB)
    [0x20, "BridgeRequest"],
    [0x21, "BridgeMessage"],
    // Event Commands (ICMB)
    [0x30, "GetEventCount"],
    [0x31, "SetEventDestination"],
    [0x32, "SetEventReceptionState"],
    [0x33, "SendICMBEventMessage"],
    [0x34, "GetEventDestination"],
    [0x35, "GetEventReceptionState"],
    // Other Bridge Commands (C0h-FEh are OEM)
    [0xff, "Error Report"],
  ],
  [NETFN.SENSOR_EVENT]: [
    // Event Commands
    [0x00, "Set Event Receiver"],
    [0x01, "Get Event Receiver"],
    [0x02, "Platform Event"],
    // PEF and Alerting Commands
    [0x10, "Get PEF Capabilities"],
    [0x11, "Arm PEF Postpone Timer"],
    [0x12, "Set PEF Configuration Parameters"],
    [0x13, "Get PEF Configuration Parameters"],
    [0x14, "Set Last Processed Event ID"],
    [0x15, "Get Last Processed Event ID"],
    [0x16, "Alert Immediate"],
    [0x17, "PET Acknowledge"],
    // Sensor Device Commands
    [0x20, "Get Device SDR Info"],
    [0x21, "Get Device SDR"],
    [0x22, "Reserve Device SDR Repository"],
    [0x23, "Get Sensor Reading Factors"],
    [0x24, "Set Sensor Hysteresis"],
    [0x25, "Get Sensor Hysteresis"],
    [0x26, "Set Sensor Threshold"],
    [0x27, "Get Sensor Threshold"],
    [0x28, "Set Sensor Event Enable"],
    [0x29, "Get Sensor Event Enable"],
    [0x2a, "Re-arm Sensor Events"],
    [0x2b, "Get Sensor Event Status"],
    [0x2d, "Get Sensor Reading"],
    [0x2e, "Set Sensor Type"],
    [0x2f, "Get Sensor Type"],
    [0x30, "Set Sensor Reading And Event Status"],
  ],
  [NETFN.APP]: [
    // IPM Device "Global" Commands
    [0x01, "Get Device ID"],
    [0x02, "Cold Reset"],
    [0x03, "Warm Reset"],
    [0x04, "Get Self Test Results"],
    [0x05, "Manufacturing Test On"],
    [0x06, "Set ACPI Power State"],
    [0x07, "Get ACPI Power State"],
    [0x08, "Get Device GUID"],
    [0x09, "Get NetFn Support"],
    [0x0a, "Get Command Support"],
    [0x0b, "Get Command Sub-function Support"],
    [0x0c, "Get Configurable Commands"],
    [0x0d, "Get Configurable Command Sub-functions"],
    [0x60, "Set Command Enables"],
    [0x61, "Get Command Enables"],
    [0x62, "Set Command Sub-function Enables"],
    [0x63, "Get Command Sub-function Enables"],
    [0x64, "Get OEM NetFn IANA Support"],
    // BMC Watchdog Timer Commands
    [0x22, "Reset Watchdog Timer"],
    [0x24, "Set Watchdog Timer"],
    [0x25, "Get Watchdog Timer"],
    // BMC Device and Messaging Commands
    [0x2e, "Set BMC Global Enables"],
    [0x2f, "Get BMC Global Enables"],
    [0x30, "Clear Message Flags"],
    [0x31, "Get Message Flags"],
    [0x32, "Enable Message Channel Receive"],
    [0x33, "Get Message"],
    [0x34, "Send Message"],
    [0x35, "Read Event Message Buffer"],
    [0x36, "Get BT Interface Capabilities"],
    [0x37, "Get System GUID"],
    [0x58, "Set System Info Parameters"],
    [0x59, "Get System Info Parameters"],
    [0x38, "Get Channel Authentication Capabilities"],
    [0x39, "Get Session Challenge"],
    [0x3a, "Activate Session"],
    [0x3b, "Set Session Privilege Level"],
    [0x3c, "Close Session"],
    [0x3d, "Get Session Info"],
    [0x3f, "Get AuthCode"],
    [0x40, "Set Channel Access"],
    [0x41, "Get Channel Access"],
    [0x42, "Get Channel Info Command"],
    [0x43, "Set User Access Command"],
    [0x44, "Get User Access Command"],
    [0x45, "Set User Name"],
    [0x46, "Get User Name Command"],
    [0x47, "Set User Password Command"],
    [0x48, "Activate Payload"],
    [0x49, "Deactivate Payload"],
    [0x4a, "Get Payload Activation Status"],
    [0x4b, "Get Payload Instance Info"],
    [0x4c, "Set User Payload Access"],
    [0x4d, "Get User Payload Access"],
    [0x4e, "Get Channel Payload Support"],
    [0x4f, "Get Channel Payload Version"],
    [0x50, "Get Channel OEM Payload Info"],
    [0x52, "Master Write-Read"],
    [0x54, "Get Channel Cipher Suites"],
    [0x55, "Suspend/Resume Payload Encryption"],
    [0x56, "Set Channel Security Keys"],
    [0x57, "Get System Interface Capabilities"],
  ],
  // No standard firmware commands: the netfn's commands are vendor-defined.
  [NETFN.FIRMWARE]: [],
  [NETFN.STORAGE]: [
    // FRU Device Commands
    [0x10, "Get FRU Inventory Area Info"],
    [0x11, "Read FRU Data"],
    [0x12, "Write FRU Data"],
    // SDR Device Commands
    [0x20, "Get SDR Repository Info"],
    [0x21, "Get SDR Repository Allocation Info"],
    [0x22, "Reserve SDR Repository"],
    [0x23, "Get SDR"],
    [0x24, "Add SDR"],
    [0x25, "Partial Add SDR"],
    [0x26, "Delete SDR"],
    [0x27, "Clear SDR Repository"],
    [0x28, "Get SDR Repository Time"],
    [0x29, "Set SDR Repository Time"],
    [0x2a, "Enter SDR Repository Update Mode"],
    [0x2b, "Exit SDR Repository Update Mode"],
    [0x2c, "Run Initialization Agent"],
    // SEL Device Commands
    [0x40, "Get SEL Info"],
    [0x41, "Get SEL Allocation Info"],
    [0x42, "Reserve SEL"],
    [0x43, "Get SEL Entry"],
    [0x44, "Add SEL Entry"],
    [0x45, "Partial Add SEL Entry"],
    [0x46, "Delete SEL Entry"],
    [0x47, "Clear SEL"],
    [0x48, "Get SEL Time"],
    [0x49, "Set SEL Time"],
    [0x5a, "Get Auxiliary Log Status"],
    [0x5b, "Set Auxiliary Log Status"],
    [0x5c, "Get SEL Time UTC Offset"],
    [0x5d, "Set SEL Time UTC Offset"],
  ],
  [NETFN.TRANSPORT]: [
    // LAN Device Commands
    [0x01, "Set LAN Configuration Parameters"],
    [0x02, "Get LAN Configuration Parameters"],
    [0x03, "Suspend BMC ARPs"],
    [0x04, "Get IP/UDP/RMCP Statistics"],
    // Serial/Modem Device Commands
    [0x10, "Set Serial/Modem Configuration"],
    [0x11, "Get Serial/Modem Configuration"],
    [0x12, "Set Serial/Modem Mux"],
    [0x13, "Get TAP Response Codes"],
    [0x14, "Set PPP UDP Proxy Transmit Data"],
    [0x15, "Get PPP UDP Proxy Transmit Data"],
    [0x16, "Send PPP UDP Proxy Packet"],
    [0x17, "Get PPP UDP Proxy Receive Data"],
    [0x18, "Serial/Modem Connection Active"],
    [0x19, "Callback"],
    [0x1a, "Set User Callback Options"],
    [0x1b, "Get User Callback Options"],
    [0x1c, "Set Serial Routing Mux"],
    [0x20, "SOL Activating"],
    [0x21, "Set SOL Configuration Parameters"],
    [0x22, "Get SOL Configuration Parameters"],
    // Command Forwarding Commands
    [0x30, "Forwarded Command"],
    [0x31, "Set Forwarded Commands"],
    [0x32, "Get Forwarded Commands"],
    [0x33, "Enable Forwarded Commands"],
  ],
};

/** Group extension (netfn 2Ch) commands, keyed by body code (first request data byte). */
const BY_GROUP: Readonly<Record<number, CommandTable>> = {
  [DCMI_GROUP]: [
    [0x01, "Get DCMI Capabilities Info"],
    [0x02, "Get Power Reading"],
    [0x03, "Get Power Limit"],
    [0x04, "Set Power Limit"],
    [0x05, "Activate/Deactivate Power Limit"],
    [0x06, "Get Asset Tag"],
    [0x07, "Get DCMI Sensor Info"],
    [0x08, "Set Asset Tag"],
    [0x09, "Get Management Controller Identifier String"],
    [0x0a, "Set Management Controller Identifier String"],
    [0x0b, "Set Thermal Limit"],
    [0x0c, "Get Thermal Limit"],
    [0x10, "Get Temperature Reading"],
    [0x12, "Set DCMI Configuration Parameters"],
    [0x13, "Get DCMI Configuration Parameters"],
  ],
};

export interface CommandEntry {
  cmd: number;
  name: string;
}

export interface CommandRef {
  netFn: number;
  cmd: number;
  /** Body code, only for group extension (2Ch) commands. */
  group?: number;
}

interface Index {
  byCmd: ReadonlyMap<number, string>;
  sorted: ReadonlyArray<CommandEntry>;
}

function buildIndex(table: CommandTable): Index {
  const byCmd = new Map<number, string>(table);
  const sorted = Object.freeze(
    [...byCmd].sort(([a], [b]) => a - b).map(([cmd, name]) => Object.freeze({ cmd, name })),
  );
  return { byCmd, sorted };
}

const NETFN_INDEX: ReadonlyMap<number, Index> = new Map(
  Object.entries(BY_NETFN).map(([netFn, table]) => [Number(netFn), buildIndex(table)]),
);

const GROUP_INDEX: ReadonlyMap<number, Index> = new Map(
  Object.entries(BY_GROUP).map(([group, table]) => [Number(group), buildIndex(table)]),
);

const BY_NAME: ReadonlyMap<string, Readonly<CommandRef>> = (() => {
  const map = new Map<string, Readonly<CommandRef>>();
  for (const [netFn, index] of NETFN_INDEX) {
    for (const { cmd, name } of index.sorted) map.set(name.toLowerCase(), Object.freeze({ netFn, cmd }));
  }
  for (const [group, index] of GROUP_INDEX) {
    for (const { cmd, name } of index.sorted) {
      map.set(name.toLowerCase(), Object.freeze({ netFn: NETFN.GROUP_EXTENSION, cmd, group }));
    }
  }
  return map;
})();

const EMPTY: ReadonlyArray<CommandEntry> = Object.freeze([]);

function indexOf(netFn: number, group: number | undefined): Index | undefined {
  const rq = requestNetFn(netFn);
  if (rq === NETFN.GROUP_EXTENSION) return group === undefined ? undefined : GROUP_INDEX.get(group);
  return NETFN_INDEX.get(rq);
}

/**
 * The spec's name of a command. `netFn` may be the request or the response netfn;
 * `group` is the body code and only matters for the group extension netfn (2Ch).
 */
export function commandName(netFn: number, cmd: number, group?: number): string | undefined {
  return indexOf(netFn, group)?.byCmd.get(cmd);
}

/** The command's name, or "Cmd 5Ah" when it has none. */
export function commandLabel(netFn: number, cmd: number, group?: number): string {
  return commandName(netFn, cmd, group) ?? `Cmd ${hexByte(cmd)}`;
}

/** The named commands of a netfn (and, for 2Ch, of a body code), sorted by command number. */
export function commandsOf(netFn: number, group?: number): ReadonlyArray<CommandEntry> {
  return indexOf(netFn, group)?.sorted ?? EMPTY;
}

/** Looks a command up by its exact name, ignoring case. */
export function findCommand(name: string): Readonly<CommandRef> | undefined {
  return BY_NAME.get(name.toLowerCase());
}
