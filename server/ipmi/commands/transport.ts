/**
 * Transport (NetFn 0Ch), IPMI 2.0 sections 23-26: every command of table G-1, with the privilege it needs.
 * Privileges follow table G-1 (cross-checked against OpenIPMI's lanserv privilege table);
 * "none" marks commands allowed outside a session.
 */

import { NETFN } from "../netfn";
import { type Command, named } from "./define";

const NF = NETFN.TRANSPORT;

export const TRANSPORT_COMMANDS: readonly Command[] = [
  // LAN Device Commands
  named({ netFn: NF, cmd: 0x01, name: "Set LAN Configuration Parameters", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x02, name: "Get LAN Configuration Parameters", privilege: "operator" }),
  named({ netFn: NF, cmd: 0x03, name: "Suspend BMC ARPs", privilege: "operator" }),
  named({ netFn: NF, cmd: 0x04, name: "Get IP/UDP/RMCP Statistics", privilege: "user" }),
  // Serial/Modem Device Commands
  named({ netFn: NF, cmd: 0x10, name: "Set Serial/Modem Configuration", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x11, name: "Get Serial/Modem Configuration", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x12, name: "Set Serial/Modem Mux", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x13, name: "Get TAP Response Codes", privilege: "admin" }),
  named({
    netFn: NF,
    cmd: 0x14,
    name: "Set PPP UDP Proxy Transmit Data",
    privilege: "admin",
    channels: ["system"],
  }),
  named({
    netFn: NF,
    cmd: 0x15,
    name: "Get PPP UDP Proxy Transmit Data",
    privilege: "admin",
    channels: ["system"],
  }),
  named({
    netFn: NF,
    cmd: 0x16,
    name: "Send PPP UDP Proxy Packet",
    privilege: "admin",
    channels: ["system"],
  }),
  named({
    netFn: NF,
    cmd: 0x17,
    name: "Get PPP UDP Proxy Receive Data",
    privilege: "admin",
    channels: ["system"],
  }),
  named({ netFn: NF, cmd: 0x18, name: "Serial/Modem Connection Active", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x19, name: "Callback", privilege: "callback" }),
  named({ netFn: NF, cmd: 0x1a, name: "Set User Callback Options", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x1b, name: "Get User Callback Options", privilege: "user" }),
  named({ netFn: NF, cmd: 0x1c, name: "Set Serial Routing Mux", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x20, name: "SOL Activating", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x21, name: "Set SOL Configuration Parameters", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x22, name: "Get SOL Configuration Parameters", privilege: "user" }),
  // Command Forwarding Commands
  named({ netFn: NF, cmd: 0x30, name: "Forwarded Command", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x31, name: "Set Forwarded Commands", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x32, name: "Get Forwarded Commands", privilege: "user" }),
  named({ netFn: NF, cmd: 0x33, name: "Enable Forwarded Commands", privilege: "admin" }),
];
