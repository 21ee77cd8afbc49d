/**
 * Bridge (NetFn 02h), the ICMB Bridge specification: every command of table G-1, with the privilege it needs.
 * Privileges follow table G-1 (cross-checked against OpenIPMI's lanserv privilege table);
 * "none" marks commands allowed outside a session.
 */

import { NETFN } from "../netfn";
import { type Command, named } from "./define";

const NF = NETFN.BRIDGE;

export const BRIDGE_COMMANDS: readonly Command[] = [
  // Bridge Management Commands (ICMB)
  named({ netFn: NF, cmd: 0x00, name: "Get Bridge State", privilege: "user" }),
  named({ netFn: NF, cmd: 0x01, name: "Set Bridge State", privilege: "operator" }),
  named({ netFn: NF, cmd: 0x02, name: "Get ICMB Address", privilege: "user" }),
  named({ netFn: NF, cmd: 0x03, name: "Set ICMB Address", privilege: "operator" }),
  named({ netFn: NF, cmd: 0x04, name: "Set Bridge ProxyAddress", privilege: "operator" }),
  named({ netFn: NF, cmd: 0x05, name: "Get Bridge Statistics", privilege: "user" }),
  named({ netFn: NF, cmd: 0x06, name: "Get ICMB Capabilities", privilege: "user" }),
  named({ netFn: NF, cmd: 0x08, name: "Clear Bridge Statistics", privilege: "operator" }),
  named({ netFn: NF, cmd: 0x09, name: "Get Bridge Proxy Address", privilege: "user" }),
  named({ netFn: NF, cmd: 0x0a, name: "Get ICMB Connector Info", privilege: "user" }),
  named({ netFn: NF, cmd: 0x0b, name: "Get ICMB Connection ID", privilege: "user" }),
  named({ netFn: NF, cmd: 0x0c, name: "Send ICMB Connection ID", privilege: "user" }),
  // Discovery Commands (ICMB)
  named({ netFn: NF, cmd: 0x10, name: "PrepareForDiscovery", privilege: "operator" }),
  named({ netFn: NF, cmd: 0x11, name: "GetAddresses", privilege: "user" }),
  named({ netFn: NF, cmd: 0x12, name: "SetDiscovered", privilege: "operator" }),
  named({ netFn: NF, cmd: 0x13, name: "GetChassisDeviceId", privilege: "user" }),
  named({ netFn: NF, cmd: 0x14, name: "SetChassisDeviceId", privilege: "operator" }),
  // Bridging Commands (ICMB)
  named({ netFn: NF, cmd: 0x20, name: "BridgeRequest", privilege: "operator" }),
  named({ netFn: NF, cmd: 0x21, name: "BridgeMessage", privilege: "operator" }),
  // Event Commands (ICMB)
  named({ netFn: NF, cmd: 0x30, name: "GetEventCount", privilege: "user" }),
  named({ netFn: NF, cmd: 0x31, name: "SetEventDestination", privilege: "operator" }),
  named({ netFn: NF, cmd: 0x32, name: "SetEventReceptionState", privilege: "operator" }),
  named({ netFn: NF, cmd: 0x33, name: "SendICMBEventMessage", privilege: "operator" }),
  named({ netFn: NF, cmd: 0x34, name: "GetEventDestination", privilege: "user" }),
  named({ netFn: NF, cmd: 0x35, name: "GetEventReceptionState", privilege: "user" }),
  // Other Bridge Commands (C0h-FEh are OEM)
  named({ netFn: NF, cmd: 0xff, name: "Error Report", privilege: "admin" }),
];
