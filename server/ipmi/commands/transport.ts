/**
 * Transport (NetFn 0Ch), IPMI 2.0 sections 23-26: every command of table G-1, with the privilege it needs.
 * Privileges follow table G-1 (cross-checked against OpenIPMI's lanserv privilege table);
 * "none" marks commands allowed outside a session.
 */

import { hexByte, toHex } from "../hex";
import { cipherSuite, cipherSuiteLabel } from "../lan/cipher-suites";
import {
  type Bytes,
  bit,
  bits,
  type Codec,
  Cursor,
  dependent,
  type Earlier,
  empty,
  flag,
  rest,
  SHORT,
  struct,
  type Tree,
  u8,
  u16,
} from "../layout/codec";
import { type BitName, dec, field, flags, hexText, lookup, seconds } from "../layout/format";
import { NETFN } from "../netfn";
import { channelLabel } from "../spec/labels";
import { PRIVILEGE_LEVELS } from "../spec/tables";
import { type Command, command, named } from "./define";

const NF = NETFN.TRANSPORT;

// ---- LAN configuration parameters (section 23.1, table 23-4) --------------------------------------

/** LAN configuration parameter selectors (table 23-4). */
export const LAN_PARAM = {
  SET_IN_PROGRESS: 0,
  AUTH_TYPE_SUPPORT: 1,
  AUTH_TYPE_ENABLES: 2,
  IP_ADDRESS: 3,
  IP_ADDRESS_SOURCE: 4,
  MAC_ADDRESS: 5,
  SUBNET_MASK: 6,
  IPV4_HEADER: 7,
  PRIMARY_RMCP_PORT: 8,
  SECONDARY_RMCP_PORT: 9,
  ARP_CONTROL: 10,
  GRATUITOUS_ARP_INTERVAL: 11,
  DEFAULT_GATEWAY: 12,
  DEFAULT_GATEWAY_MAC: 13,
  BACKUP_GATEWAY: 14,
  BACKUP_GATEWAY_MAC: 15,
  COMMUNITY_STRING: 16,
  DESTINATION_COUNT: 17,
  DESTINATION_TYPE: 18,
  DESTINATION_ADDRESSES: 19,
  VLAN_ID: 20,
  VLAN_PRIORITY: 21,
  CIPHER_SUITE_ENTRY_SUPPORT: 22,
  CIPHER_SUITE_ENTRIES: 23,
  CIPHER_SUITE_PRIVILEGES: 24,
  DESTINATION_VLAN_TAGS: 25,
  BAD_PASSWORD_THRESHOLD: 26,
} as const;

const LAN_PARAMETERS: ReadonlyMap<number, string> = new Map([
  [LAN_PARAM.SET_IN_PROGRESS, "Set In Progress"],
  [LAN_PARAM.AUTH_TYPE_SUPPORT, "Authentication Type Support"],
  [LAN_PARAM.AUTH_TYPE_ENABLES, "Authentication Type Enables"],
  [LAN_PARAM.IP_ADDRESS, "IP Address"],
  [LAN_PARAM.IP_ADDRESS_SOURCE, "IP Address Source"],
  [LAN_PARAM.MAC_ADDRESS, "MAC Address"],
  [LAN_PARAM.SUBNET_MASK, "Subnet Mask"],
  [LAN_PARAM.IPV4_HEADER, "IPv4 Header Parameters"],
  [LAN_PARAM.PRIMARY_RMCP_PORT, "Primary RMCP Port Number"],
  [LAN_PARAM.SECONDARY_RMCP_PORT, "Secondary RMCP Port Number"],
  [LAN_PARAM.ARP_CONTROL, "BMC-generated ARP control"],
  [LAN_PARAM.GRATUITOUS_ARP_INTERVAL, "Gratuitous ARP interval"],
  [LAN_PARAM.DEFAULT_GATEWAY, "Default Gateway Address"],
  [LAN_PARAM.DEFAULT_GATEWAY_MAC, "Default Gateway MAC Address"],
  [LAN_PARAM.BACKUP_GATEWAY, "Backup Gateway Address"],
  [LAN_PARAM.BACKUP_GATEWAY_MAC, "Backup Gateway MAC Address"],
  [LAN_PARAM.COMMUNITY_STRING, "Community String"],
  [LAN_PARAM.DESTINATION_COUNT, "Number of Destinations"],
  [LAN_PARAM.DESTINATION_TYPE, "Destination Type"],
  [LAN_PARAM.DESTINATION_ADDRESSES, "Destination Addresses"],
  [LAN_PARAM.VLAN_ID, "802.1q VLAN ID"],
  [LAN_PARAM.VLAN_PRIORITY, "802.1q VLAN Priority"],
  [LAN_PARAM.CIPHER_SUITE_ENTRY_SUPPORT, "RMCP+ Messaging Cipher Suite Entry Support"],
  [LAN_PARAM.CIPHER_SUITE_ENTRIES, "RMCP+ Messaging Cipher Suite Entries"],
  [LAN_PARAM.CIPHER_SUITE_PRIVILEGES, "RMCP+ Messaging Cipher Suite Privilege Levels"],
  [LAN_PARAM.DESTINATION_VLAN_TAGS, "Destination Address VLAN TAGs"],
  [LAN_PARAM.BAD_PASSWORD_THRESHOLD, "Bad Password Threshold"],
]);

const lanParameter = lookup(LAN_PARAMETERS, (p) => (p >= 0xc0 ? "OEM" : "Reserved"));

/** Authentication type bits (parameters 1 and 2; the same bits as Get Channel Authentication Capabilities). */
export const AUTH_TYPE_BIT = { NONE: 0x01, MD2: 0x02, MD5: 0x04, STRAIGHT: 0x10, OEM: 0x20 } as const;

const AUTH_TYPE_FLAGS: readonly BitName[] = [
  [5, "OEM proprietary"],
  [4, "Straight password / key"],
  [2, "MD5"],
  [1, "MD2"],
  [0, "None"],
];

const SET_IN_PROGRESS_STATES: ReadonlyMap<number, string> = new Map([
  [0, "Set complete"],
  [1, "Set in progress"],
  [2, "Commit write"],
]);

const IP_ADDRESS_SOURCES: ReadonlyMap<number, string> = new Map([
  [0, "Unspecified"],
  [1, "Static address (manually configured)"],
  [2, "Address obtained by BMC running DHCP"],
  [3, "Address loaded by the BIOS or system software"],
  [4, "Address obtained by BMC running other address assignment protocol"],
]);

/** IPv4 addresses are sent MS byte first (table 23-4). */
const ipv4 = (b: Uint8Array) => [...b].join(".");
const mac = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, "0")).join(":");
const ENTRY = (i: number) => String.fromCharCode(0x41 + i);

/** Parameter 23: the cipher suite IDs, entry A first. */
function cipherSuiteEntries(b: Uint8Array) {
  return {
    value: b.length === 0 ? "none" : [...b].join(", "),
    children: [...b].map((id, i) => {
      const suite = cipherSuite(id);
      return field(`Entry ${ENTRY(i)}`, suite ? cipherSuiteLabel(suite) : `${id} (${hexByte(id)})`);
    }),
  };
}

/** Parameter 24: the maximum privilege of each entry, two to a byte, entry A in the low nibble. */
function cipherSuitePrivileges(b: Uint8Array) {
  const children = [];
  for (let i = 0; i < 2 * b.length; i++) {
    const level = (b[i >> 1]! >> (i & 1 ? 4 : 0)) & 0x0f;
    children.push(field(`Entry ${ENTRY(i)}`, level === 0 ? "unused (0h)" : PRIVILEGE_LEVELS.label(level)));
  }
  return { value: hexText(b), children };
}

const authTypeFlags = (label: string) => u8(label, flags(AUTH_TYPE_FLAGS));
const port = (label: string) => u16(label, dec);

/** How each parameter's data reads (table 23-4), for people; parameters not listed show as hex. */
const PARAMETER_FIELDS: ReadonlyMap<number, Codec<unknown, never>> = new Map<number, Codec<unknown, never>>([
  [
    LAN_PARAM.SET_IN_PROGRESS,
    bits(1, {
      state: bit("Set in progress", 0, 1, lookup(SET_IN_PROGRESS_STATES)),
      reserved: bit(undefined, 2, 7),
    }),
  ],
  [LAN_PARAM.AUTH_TYPE_SUPPORT, authTypeFlags("Authentication type support")],
  [
    LAN_PARAM.AUTH_TYPE_ENABLES,
    struct({
      callback: authTypeFlags("Callback level"),
      user: authTypeFlags("User level"),
      operator: authTypeFlags("Operator level"),
      administrator: authTypeFlags("Administrator level"),
      oem: authTypeFlags("OEM level"),
    }),
  ],
  [LAN_PARAM.IP_ADDRESS, bytesOf("IP address", 4, ipv4)],
  [
    LAN_PARAM.IP_ADDRESS_SOURCE,
    bits(1, {
      source: bit("IP address source", 0, 3, lookup(IP_ADDRESS_SOURCES)),
      reserved: bit(undefined, 4, 7),
    }),
  ],
  [LAN_PARAM.MAC_ADDRESS, bytesOf("MAC address", 6, mac)],
  [LAN_PARAM.SUBNET_MASK, bytesOf("Subnet mask", 4, ipv4)],
  [
    LAN_PARAM.IPV4_HEADER,
    struct({
      ttl: u8("Time-to-live", dec),
      flags: u8("IP header flags"),
      service: u8("Precedence and type of service"),
    }),
  ],
  [LAN_PARAM.PRIMARY_RMCP_PORT, port("Primary RMCP port")],
  [LAN_PARAM.SECONDARY_RMCP_PORT, port("Secondary RMCP port")],
  [
    LAN_PARAM.ARP_CONTROL,
    u8(
      "BMC-generated ARP control",
      flags([
        [1, "BMC-generated ARP responses"],
        [0, "BMC-generated gratuitous ARPs"],
      ]),
    ),
  ],
  [LAN_PARAM.GRATUITOUS_ARP_INTERVAL, u8("Gratuitous ARP interval", (v) => seconds(v / 2))],
  [LAN_PARAM.DEFAULT_GATEWAY, bytesOf("Default gateway address", 4, ipv4)],
  [LAN_PARAM.DEFAULT_GATEWAY_MAC, bytesOf("Default gateway MAC address", 6, mac)],
  [LAN_PARAM.BACKUP_GATEWAY, bytesOf("Backup gateway address", 4, ipv4)],
  [LAN_PARAM.BACKUP_GATEWAY_MAC, bytesOf("Backup gateway MAC address", 6, mac)],
  [LAN_PARAM.COMMUNITY_STRING, bytesOf("Community string", 18, communityText)],
  [
    LAN_PARAM.DESTINATION_COUNT,
    bits(1, { count: bit("LAN alert destinations", 0, 3), reserved: bit(undefined, 4, 7) }),
  ],
  [
    LAN_PARAM.VLAN_ID,
    bits(2, {
      enabled: flag("VLAN enabled", 15),
      reserved: bit(undefined, 12, 14),
      id: bit("VLAN ID", 0, 11),
    }),
  ],
  [
    LAN_PARAM.VLAN_PRIORITY,
    bits(1, { priority: bit("VLAN priority", 0, 2), reserved: bit(undefined, 3, 7) }),
  ],
  [
    LAN_PARAM.CIPHER_SUITE_ENTRY_SUPPORT,
    bits(1, { count: bit("Cipher suite entries", 0, 4), reserved: bit(undefined, 5, 7) }),
  ],
  [
    LAN_PARAM.CIPHER_SUITE_ENTRIES,
    struct({ reserved: u8("Reserved"), entries: rest("Cipher suite IDs", 16, cipherSuiteEntries) }),
  ],
  [
    LAN_PARAM.CIPHER_SUITE_PRIVILEGES,
    struct({
      reserved: u8("Reserved"),
      levels: bytesOf("Maximum privilege levels", 8, cipherSuitePrivileges),
    }),
  ],
]);

/** Parameter 16: printable ASCII, 00h-padded. */
function communityText(b: Uint8Array): string {
  const end = b.indexOf(0);
  const text = b.subarray(0, end < 0 ? b.length : end);
  return text.every((c) => c >= 0x20 && c <= 0x7e)
    ? JSON.stringify(String.fromCharCode(...text))
    : hexText(b);
}

/** Exactly `n` bytes shown by `format` (a display-only field of PARAMETER_FIELDS). */
function bytesOf(
  label: string,
  n: number,
  format: (b: Uint8Array) => string | ReturnType<typeof cipherSuitePrivileges>,
): Codec<Uint8Array, never> {
  return {
    minLength: n,
    maxLength: n,
    read(c, tree) {
      const b = c.take(n);
      if (b === SHORT) return SHORT;
      tree?.push(field(label, format(b), toHex(b)));
      return b.slice();
    },
    write() {
      throw new Error(`${label} is shown, not written`);
    },
  };
}

/** Most bytes of parameter data a request or response carries (OEM parameters may be long). */
const MAX_PARAMETER_DATA = 253;

/**
 * A parameter's data: its bytes, whatever the parameter, so a handler reads and writes bytes
 * and checks their length itself (a parameter this BMC does not support answers 80h, not
 * C7h). The dashboard sees the fields table 23-4 gives the parameter when the bytes fit
 * them, and the hex otherwise.
 */
function parameterData(
  selector: number | undefined,
  shapes: ReadonlyMap<number, Codec<unknown, never>> = PARAMETER_FIELDS,
): Codec<Uint8Array, Bytes> {
  const raw = rest("Parameter data", MAX_PARAMETER_DATA);
  return {
    minLength: 0,
    maxLength: MAX_PARAMETER_DATA,
    toEnd: true,
    read(c, tree) {
      const b = raw.read(c) as Uint8Array;
      if (!tree || b.length === 0) return b;
      const shape = selector === undefined ? undefined : shapes.get(selector);
      if (shape) {
        const sub = new Cursor(b);
        const fields: Tree = [];
        if (shape.read(sub, fields) !== SHORT && sub.remaining === 0) {
          tree.push(...fields);
          return b;
        }
      }
      tree.push(field("Parameter data", hexText(b), toHex(b)));
      return b;
    },
    write: (w, v) => raw.write(w, v),
  };
}

/** The selector of a struct's `parameter` byte, when it was read. */
function selectorOf(earlier: Earlier): number | undefined {
  return typeof earlier.parameter === "number" ? earlier.parameter : undefined;
}

/** Set / Get LAN Configuration Parameters completion codes (23.1, 23.2). */
export const CC_LAN_PARAMETER_NOT_SUPPORTED = 0x80;
export const CC_LAN_SET_IN_PROGRESS = 0x81;
export const CC_LAN_READ_ONLY = 0x82;

/** Get LAN Configuration Parameters byte 1 of the answer: present revision 1, backward compatible with 1. */
export const LAN_PARAMETER_REVISION = 0x11;

export const setLanConfigurationParameters = command({
  netFn: NF,
  cmd: 0x01,
  name: "Set LAN Configuration Parameters",
  privilege: "admin",
  completionCodes: {
    [CC_LAN_PARAMETER_NOT_SUPPORTED]: "Parameter not supported",
    [CC_LAN_SET_IN_PROGRESS]:
      "Attempt to set the 'set in progress' value when not in the 'set complete' state",
    [CC_LAN_READ_ONLY]: "Attempt to write read-only parameter",
  },
  request: struct({
    channel: bits(1, { channel: bit("Channel number", 0, 3, channelLabel), reserved: bit(undefined, 4, 7) }),
    parameter: u8("Parameter selector", lanParameter),
    data: dependent({ minLength: 0, maxLength: MAX_PARAMETER_DATA }, (e) => parameterData(selectorOf(e))),
  }),
  response: empty,
});

/** The answer's parameter data is laid out by the request's selector (byte 2), which it does not repeat. */
const answeredParameterData: Codec<Uint8Array, Bytes> = {
  minLength: 0,
  maxLength: MAX_PARAMETER_DATA,
  toEnd: true,
  read: (c, tree) => parameterData(c.context.request?.[1]).read(c, tree),
  write: (w, v) => parameterData(undefined).write(w, v),
};

export const getLanConfigurationParameters = command({
  netFn: NF,
  cmd: 0x02,
  name: "Get LAN Configuration Parameters",
  privilege: "operator",
  completionCodes: { [CC_LAN_PARAMETER_NOT_SUPPORTED]: "Parameter not supported" },
  request: struct({
    channel: bits(1, {
      revisionOnly: flag("Get parameter revision only", 7),
      reserved: bit(undefined, 4, 6),
      channel: bit("Channel number", 0, 3, channelLabel),
    }),
    parameter: u8("Parameter selector", lanParameter),
    setSelector: u8("Set selector", dec),
    blockSelector: u8("Block selector", dec),
  }),
  response: struct({
    revision: u8("Parameter revision", (v) => `${v >> 4}, compatible with ${v & 0x0f} (${hexByte(v)})`),
    data: answeredParameterData,
  }),
});

// ---- SOL configuration parameters (section 26.2, 26.3, table 26-5) ---------------------------------

/** SOL configuration parameter selectors (table 26-5). */
export const SOL_PARAM = {
  SET_IN_PROGRESS: 0,
  ENABLE: 1,
  AUTHENTICATION: 2,
  ACCUMULATE: 3,
  RETRY: 4,
  NON_VOLATILE_BIT_RATE: 5,
  VOLATILE_BIT_RATE: 6,
  PAYLOAD_CHANNEL: 7,
  PAYLOAD_PORT: 8,
} as const;

const SOL_PARAMETERS: ReadonlyMap<number, string> = new Map([
  [SOL_PARAM.SET_IN_PROGRESS, "Set In Progress"],
  [SOL_PARAM.ENABLE, "SOL Enable"],
  [SOL_PARAM.AUTHENTICATION, "SOL Authentication"],
  [SOL_PARAM.ACCUMULATE, "Character Accumulate Interval & Send Threshold"],
  [SOL_PARAM.RETRY, "SOL Retry"],
  [SOL_PARAM.NON_VOLATILE_BIT_RATE, "SOL non-volatile bit rate"],
  [SOL_PARAM.VOLATILE_BIT_RATE, "SOL volatile bit rate"],
  [SOL_PARAM.PAYLOAD_CHANNEL, "SOL Payload Channel"],
  [SOL_PARAM.PAYLOAD_PORT, "SOL Payload Port Number"],
]);

const solParameter = lookup(SOL_PARAMETERS, (p) => (p >= 0xc0 ? "OEM" : "Reserved"));

/** Parameters 5 and 6, bits 3:0: the bit rate codes and their bits per second (0: the serial/modem setting). */
export const SOL_BIT_RATES: ReadonlyMap<number, number> = new Map([
  [0x06, 9600],
  [0x07, 19200],
  [0x08, 38400],
  [0x09, 57600],
  [0x0a, 115200],
]);

const solBitRate = bits(1, {
  rate: bit("Bit rate", 0, 3, (v) =>
    v === 0
      ? "the serial/modem configuration's rate (0h)"
      : SOL_BIT_RATES.has(v)
        ? `${SOL_BIT_RATES.get(v)} bps`
        : "Reserved",
  ),
  reserved: bit(undefined, 4, 7),
});

/** How each SOL parameter's data reads (table 26-5); parameters not listed show as hex. */
const SOL_PARAMETER_FIELDS: ReadonlyMap<number, Codec<unknown, never>> = new Map<
  number,
  Codec<unknown, never>
>([
  [SOL_PARAM.SET_IN_PROGRESS, PARAMETER_FIELDS.get(LAN_PARAM.SET_IN_PROGRESS)!],
  [SOL_PARAM.ENABLE, bits(1, { enabled: flag("SOL enable", 0), reserved: bit(undefined, 1, 7) })],
  [
    SOL_PARAM.AUTHENTICATION,
    bits(1, {
      forceEncryption: flag("Force SOL payload encryption", 7),
      forceAuthentication: flag("Force SOL payload authentication", 6),
      reserved: bit(undefined, 4, 5),
      privilege: bit("SOL privilege level", 0, 3, PRIVILEGE_LEVELS.label),
    }),
  ],
  [
    SOL_PARAM.ACCUMULATE,
    struct({
      interval: u8("Character accumulate interval", (v) => `${v * 5} ms (${v} × 5 ms)`),
      threshold: u8("Character send threshold", (v) => `${v} characters`),
    }),
  ],
  [
    SOL_PARAM.RETRY,
    struct({
      count: bits(1, { count: bit("Retry count", 0, 2, dec), reserved: bit(undefined, 3, 7) }),
      interval: u8("Retry interval", (v) => `${v * 10} ms (${v} × 10 ms)`),
    }),
  ],
  [SOL_PARAM.NON_VOLATILE_BIT_RATE, solBitRate],
  [SOL_PARAM.VOLATILE_BIT_RATE, solBitRate],
  [
    SOL_PARAM.PAYLOAD_CHANNEL,
    bits(1, { channel: bit("SOL payload channel", 0, 3, channelLabel), reserved: bit(undefined, 4, 7) }),
  ],
  [SOL_PARAM.PAYLOAD_PORT, port("SOL payload port")],
]);

/** Set / Get SOL Configuration Parameters completion codes (26.2, 26.3): those of the LAN parameters. */
export const CC_SOL_PARAMETER_NOT_SUPPORTED = 0x80;
export const CC_SOL_SET_IN_PROGRESS = 0x81;
export const CC_SOL_READ_ONLY = 0x82;

/** Get SOL Configuration Parameters byte 1 of the answer: present revision 1, backward compatible with 1. */
export const SOL_PARAMETER_REVISION = 0x11;

export const setSolConfigurationParameters = command({
  netFn: NF,
  cmd: 0x21,
  name: "Set SOL Configuration Parameters",
  privilege: "admin",
  completionCodes: {
    [CC_SOL_PARAMETER_NOT_SUPPORTED]: "Parameter not supported",
    [CC_SOL_SET_IN_PROGRESS]:
      "Attempt to set the 'set in progress' value when not in the 'set complete' state",
    [CC_SOL_READ_ONLY]: "Attempt to write read-only parameter",
  },
  request: struct({
    channel: bits(1, { channel: bit("Channel number", 0, 3, channelLabel), reserved: bit(undefined, 4, 7) }),
    parameter: u8("Parameter selector", solParameter),
    data: dependent({ minLength: 0, maxLength: MAX_PARAMETER_DATA }, (e) =>
      parameterData(selectorOf(e), SOL_PARAMETER_FIELDS),
    ),
  }),
  response: empty,
});

/** The answer's parameter data, laid out by the request's selector (byte 2). */
const answeredSolParameterData: Codec<Uint8Array, Bytes> = {
  minLength: 0,
  maxLength: MAX_PARAMETER_DATA,
  toEnd: true,
  read: (c, tree) => parameterData(c.context.request?.[1], SOL_PARAMETER_FIELDS).read(c, tree),
  write: (w, v) => parameterData(undefined).write(w, v),
};

export const getSolConfigurationParameters = command({
  netFn: NF,
  cmd: 0x22,
  name: "Get SOL Configuration Parameters",
  privilege: "user",
  completionCodes: { [CC_SOL_PARAMETER_NOT_SUPPORTED]: "Parameter not supported" },
  request: struct({
    channel: bits(1, {
      revisionOnly: flag("Get parameter revision only", 7),
      reserved: bit(undefined, 4, 6),
      channel: bit("Channel number", 0, 3, channelLabel),
    }),
    parameter: u8("Parameter selector", solParameter),
    setSelector: u8("Set selector", dec),
    blockSelector: u8("Block selector", dec),
  }),
  response: struct({
    revision: u8("Parameter revision", (v) => `${v >> 4}, compatible with ${v & 0x0f} (${hexByte(v)})`),
    data: answeredSolParameterData,
  }),
});

export const TRANSPORT_COMMANDS: readonly Command[] = [
  // LAN Device Commands
  setLanConfigurationParameters,
  getLanConfigurationParameters,
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
  setSolConfigurationParameters,
  getSolConfigurationParameters,
  // Command Forwarding Commands
  named({ netFn: NF, cmd: 0x30, name: "Forwarded Command", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x31, name: "Set Forwarded Commands", privilege: "admin" }),
  named({ netFn: NF, cmd: 0x32, name: "Get Forwarded Commands", privilege: "user" }),
  named({ netFn: NF, cmd: 0x33, name: "Enable Forwarded Commands", privilege: "admin" }),
];
