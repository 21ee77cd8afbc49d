/**
 * DCMI 1.5 commands, carried in the group extension netfn (2Ch) under body code DCh
 * (DCMI 1.5 section 6.1.1). Gets need User, Sets Administrator (DCMI 1.5 table 6-1
 * leaves privileges to IPMI's rules for the equivalent IPMI commands).
 */

import { NETFN } from "../netfn";
import { type Command, named } from "./define";

/** Group extension body code of DCMI (DCMI 1.5, section 6.1.1). */
export const DCMI_GROUP = 0xdc;

const NF = NETFN.GROUP_EXTENSION;

export const DCMI_COMMANDS: readonly Command[] = [
  named({ netFn: NF, group: DCMI_GROUP, cmd: 0x01, name: "Get DCMI Capabilities Info", privilege: "user" }),
  named({ netFn: NF, group: DCMI_GROUP, cmd: 0x02, name: "Get Power Reading", privilege: "user" }),
  named({ netFn: NF, group: DCMI_GROUP, cmd: 0x03, name: "Get Power Limit", privilege: "user" }),
  named({ netFn: NF, group: DCMI_GROUP, cmd: 0x04, name: "Set Power Limit", privilege: "admin" }),
  named({
    netFn: NF,
    group: DCMI_GROUP,
    cmd: 0x05,
    name: "Activate/Deactivate Power Limit",
    privilege: "admin",
  }),
  named({ netFn: NF, group: DCMI_GROUP, cmd: 0x06, name: "Get Asset Tag", privilege: "user" }),
  named({ netFn: NF, group: DCMI_GROUP, cmd: 0x07, name: "Get DCMI Sensor Info", privilege: "user" }),
  named({ netFn: NF, group: DCMI_GROUP, cmd: 0x08, name: "Set Asset Tag", privilege: "admin" }),
  named({
    netFn: NF,
    group: DCMI_GROUP,
    cmd: 0x09,
    name: "Get Management Controller Identifier String",
    privilege: "user",
  }),
  named({
    netFn: NF,
    group: DCMI_GROUP,
    cmd: 0x0a,
    name: "Set Management Controller Identifier String",
    privilege: "admin",
  }),
  named({ netFn: NF, group: DCMI_GROUP, cmd: 0x0b, name: "Set Thermal Limit", privilege: "admin" }),
  named({ netFn: NF, group: DCMI_GROUP, cmd: 0x0c, name: "Get Thermal Limit", privilege: "user" }),
  named({ netFn: NF, group: DCMI_GROUP, cmd: 0x10, name: "Get Temperature Reading", privilege: "user" }),
  named({
    netFn: NF,
    group: DCMI_GROUP,
    cmd: 0x12,
    name: "Set DCMI Configuration Parameters",
    privilege: "admin",
  }),
  named({
    netFn: NF,
    group: DCMI_GROUP,
    cmd: 0x13,
    name: "Get DCMI Configuration Parameters",
    privilege: "user",
  }),
];
