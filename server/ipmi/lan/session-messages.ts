/**
 * Field layouts of the session commands that are IPMI messages (IPMI 2.0 sections 22.13,
 * 22.18-22.20): Get Channel Authentication Capabilities, Set Session Privilege Level,
 * Close Session and Get Session Info. The command table (commands/app.ts) names them;
 * the BMC's session code (server/bmc/sessions/) answers them.
 */
import { bit, bits, bytes, flag, optional, rest, struct, u8, u16, u24, u32 } from "../layout/codec";
import { hexN, lookup } from "../layout/format";
import { ianaLabel, PRIVILEGE_LEVELS } from "../spec/tables";

const privilegeLevel = lookup(PRIVILEGE_LEVELS);
const sessionIdLabel = (v: number) => hexN(v, 8);

/** The authentication type bits of table 22-15 byte 2 (and LAN configuration parameter 1). */
export const AUTH_TYPE_BIT = { NONE: 0x01, MD2: 0x02, MD5: 0x04, PASSWORD: 0x10, OEM: 0x20 } as const;

/** Get Channel Authentication Capabilities request (22.13): channel (bit 7: IPMI v2.0 data), privilege. */
export const getChannelAuthCapabilitiesRequest = struct({
  channel: bits(1, {
    channel: bit("Channel number", 0, 3, (v) => (v === 0x0e ? "this channel (0Eh)" : String(v))),
    reserved: bit(undefined, 4, 6),
    v20: flag("Get IPMI v2.0+ extended data", 7),
  }),
  privilege: bits(1, {
    level: bit("Requested maximum privilege level", 0, 3, privilegeLevel),
    reserved: bit(undefined, 4, 7),
  }),
});

/** Get Channel Authentication Capabilities response (22.13, table 22-15). */
export const getChannelAuthCapabilitiesResponse = struct({
  channel: u8("Channel number", String),
  authTypes: bits(1, {
    none: flag("none", 0),
    md2: flag("MD2", 1),
    md5: flag("MD5", 2),
    reserved: bit(undefined, 3),
    password: flag("straight password / key", 4),
    oem: flag("OEM proprietary", 5),
    reserved2: bit(undefined, 6),
    v20: flag("IPMI v2.0+ extended capabilities available", 7),
  }),
  status: bits(1, {
    anonymous: flag("Anonymous login enabled (null user, null password)", 0),
    nullUsers: flag("Null user names enabled", 1),
    nonNullUsers: flag("Non-null user names enabled", 2),
    userLevelAuthDisabled: flag("User level authentication disabled", 3),
    perMessageAuthDisabled: flag("Per-message authentication disabled", 4),
    kgSet: flag("KG set to a non-zero value", 5),
    reserved: bit(undefined, 6, 7),
  }),
  extended: bits(1, {
    v15: flag("IPMI v1.5 connections", 0),
    v20: flag("IPMI v2.0 connections", 1),
    reserved: bit(undefined, 2, 7),
  }),
  oemId: u24("OEM ID", ianaLabel),
  oemAux: u8("OEM auxiliary data"),
});

/** Set Session Privilege Level request (22.18): 0h asks for the present level. */
export const setSessionPrivilegeRequest = struct({
  privilege: bits(1, {
    level: bit("Requested privilege level", 0, 3, (v) =>
      v === 0 ? "no change: present level (0h)" : privilegeLevel(v),
    ),
    reserved: bit(undefined, 4, 7),
  }),
});

export const setSessionPrivilegeResponse = struct({
  privilege: bits(1, {
    level: bit("New privilege level", 0, 3, privilegeLevel),
    reserved: bit(undefined, 4, 7),
  }),
});

/** Set Session Privilege Level completion codes (22.18). */
export const SET_SESSION_PRIVILEGE_CC = {
  NOT_AVAILABLE_FOR_USER: 0x80,
  EXCEEDS_LIMIT: 0x81,
  CANNOT_DISABLE_USER_LEVEL_AUTH: 0x82,
} as const;

/** Close Session request (22.19): session ID; with ID 0, a session handle follows. */
export const closeSessionRequest = struct({
  sessionId: u32("Session ID", sessionIdLabel),
  handle: optional(u8("Session handle")),
});

/** Close Session completion codes (22.19). */
export const CLOSE_SESSION_CC = { INVALID_SESSION_ID: 0x87, INVALID_HANDLE: 0x88 } as const;

/** Get Session Info request (22.20): index 0 = this session, N = the Nth active, FEh by handle, FFh by ID. */
export const getSessionInfoRequest = struct({
  index: u8("Session index", (v) =>
    v === 0
      ? "current session (00h)"
      : v === 0xfe
        ? "by handle (FEh)"
        : v === 0xff
          ? "by session ID (FFh)"
          : `active session ${v}`,
  ),
  /** FEh: the handle (1 byte); FFh: the session ID (4 bytes, LS first). */
  selector: rest("Session handle or ID", 4),
});

/** The LAN channel's part of Get Session Info (22.20, table 22-26, channel type 802.3 LAN). */
const lanSessionInfo = struct({
  ip: bytes("Remote console IP address", 4, (b) => [...b].join(".")),
  mac: bytes("Remote console MAC address", 6, (b) => [...b].map((x) => hexN(x, 2).slice(0, 2)).join(":")),
  port: u16("Remote console port", String),
});

/** Get Session Info response (22.20): handle 0 and two counts only when there is no such session. */
export const getSessionInfoResponse = struct({
  handle: u8("Session handle"),
  possible: bits(1, { count: bit("Possible active sessions", 0, 5), reserved: bit(undefined, 6, 7) }),
  active: bits(1, { count: bit("Currently active sessions", 0, 5), reserved: bit(undefined, 6, 7) }),
  session: optional(
    struct({
      user: bits(1, { id: bit("User ID", 0, 5), reserved: bit(undefined, 6, 7) }),
      privilege: bits(1, {
        level: bit("Operating privilege level", 0, 3, privilegeLevel),
        reserved: bit(undefined, 4, 7),
      }),
      channel: bits(1, {
        channel: bit("Channel number", 0, 3),
        protocol: bit("Session protocol", 4, 7, (v) =>
          v === 0 ? "IPMI v1.5 (0h)" : v === 1 ? "IPMI v2.0 / RMCP+ (1h)" : String(v),
        ),
      }),
      lan: optional(lanSessionInfo),
    }),
  ),
});

/** Get Session Info's "invalid session handle in request" (22.20). */
export const GET_SESSION_INFO_CC = { INVALID_HANDLE: 0x88 } as const;
