/**
 * The layouts of the RMCP+ payload commands (IPMI 2.0 section 24, App netFn 06h): Activate
 * Payload (48h, 24.1, table 24-2), Deactivate Payload (49h, 24.2), Get Payload Activation
 * Status (4Ah, 24.4), Get Payload Instance Info (4Bh, 24.5), Get Channel Payload Support
 * (4Eh, 24.8), and their own completion codes. The table entries are in
 * `server/ipmi/commands/app.ts`. Cross-checked with FreeIPMI's
 * ipmi-rmcpplus-support-and-payload-cmds-templates.h and ipmitool's lib/ipmi_sol.c.
 */
import { PAYLOAD_TYPES } from "../lan/rmcp-plus";
import { bit, bits, bytes, flag, struct, u8, u16, u32 } from "../layout/codec";
import { type Described, dec, h16, hexN, lookup } from "../layout/format";
import { channelLabel } from "../spec/labels";

/** Activate Payload's own completion codes (24.1). */
export const ACTIVATE_PAYLOAD_CC = {
  ALREADY_ACTIVE: 0x80,
  TYPE_DISABLED: 0x81,
  ACTIVATION_LIMIT: 0x82,
  CANNOT_WITH_ENCRYPTION: 0x83,
  CANNOT_WITHOUT_ENCRYPTION: 0x84,
} as const;

export const ACTIVATE_PAYLOAD_CODES: Readonly<Record<number, string>> = {
  [ACTIVATE_PAYLOAD_CC.ALREADY_ACTIVE]: "Payload already active on another session",
  [ACTIVATE_PAYLOAD_CC.TYPE_DISABLED]: "Payload type is disabled",
  [ACTIVATE_PAYLOAD_CC.ACTIVATION_LIMIT]: "Payload activation limit reached",
  [ACTIVATE_PAYLOAD_CC.CANNOT_WITH_ENCRYPTION]: "Cannot activate payload with encryption",
  [ACTIVATE_PAYLOAD_CC.CANNOT_WITHOUT_ENCRYPTION]: "Cannot activate payload without encryption",
};

/** Deactivate Payload's own completion codes (24.2). */
export const DEACTIVATE_PAYLOAD_CC = { ALREADY_DEACTIVATED: 0x80, TYPE_DISABLED: 0x81 } as const;

export const DEACTIVATE_PAYLOAD_CODES: Readonly<Record<number, string>> = {
  [DEACTIVATE_PAYLOAD_CC.ALREADY_DEACTIVATED]: "Payload already deactivated",
  [DEACTIVATE_PAYLOAD_CC.TYPE_DISABLED]: "Payload type is disabled",
};

/** Activate Payload (SOL) byte 3 bits 3:2: how the serial port's alerts behave while SOL is active. */
const SERIAL_ALERT_BEHAVIOUR: ReadonlyMap<number, string> = new Map([
  [0, "Serial/modem alerts fail while SOL is active"],
  [1, "Serial/modem alerts deferred while SOL is active"],
  [2, "Serial/modem alerts succeed while SOL is active"],
]);

const payloadType = bits(1, {
  type: bit("Payload type", 0, 5, PAYLOAD_TYPES.label),
  reserved: bit(undefined, 6, 7),
});

const payloadInstance = bits(1, {
  instance: bit("Payload instance", 0, 3, dec),
  reserved: bit(undefined, 4, 7),
});

/**
 * Activate Payload request bytes 3-6, as table 24-2 defines them for SOL (the only payload
 * this BMC activates). ipmitool's `sol activate` sends C6h 00 00 00: encryption,
 * authentication, alerts deferred, the BMC not asserting CTS/DCD until the console asks.
 */
const activateAuxiliary = bits(4, {
  reserved: bit(undefined, 0),
  startupHandshake: flag("SOL startup handshake", 1, (v) =>
    v ? "CTS and DCD/DSR deasserted until the console's first packet" : "BMC asserts CTS and DCD/DSR at once",
  ),
  serialAlerts: bit("Shared serial alert behaviour", 2, 3, lookup(SERIAL_ALERT_BEHAVIOUR)),
  testMode: flag("Test mode", 4),
  reserved2: bit(undefined, 5),
  authentication: flag("Authentication activation", 6),
  encryption: flag("Encryption activation", 7),
  reserved3: bit(undefined, 8, 31),
});

export const activatePayloadRequest = struct({
  payload: payloadType,
  instance: payloadInstance,
  auxiliary: activateAuxiliary,
});

const size = (v: number) => `${v} bytes`;

/** Table 24-2's response: 12 bytes after the completion code (ipmitool checks the length). */
export const activatePayloadResponse = struct({
  auxiliary: bits(4, { testMode: flag("Test mode", 0), reserved: bit(undefined, 1, 31) }),
  inboundPayloadSize: u16("Inbound payload size", size),
  outboundPayloadSize: u16("Outbound payload size", size),
  port: u16("Payload UDP port", dec),
  vlan: u16("Payload VLAN number", (v) => (v === 0xffff ? "no VLAN (FFFFh)" : `${v} (${h16(v)})`)),
});

export const deactivatePayloadRequest = struct({
  payload: payloadType,
  instance: payloadInstance,
  auxiliary: bytes("Payload auxiliary data", 4),
});

/** Instances 1-16, one bit each, instance 1 in bit 0 of the first byte. */
function instanceList(v: number): Described {
  const active: number[] = [];
  for (let i = 0; i < 16; i++) if (v & (1 << i)) active.push(i + 1);
  return active.length === 0 ? "none" : active.join(", ");
}

export const getPayloadActivationStatusRequest = struct({ payload: payloadType });

export const getPayloadActivationStatusResponse = struct({
  capacity: bits(1, { capacity: bit("Instance capacity", 0, 3, dec), reserved: bit(undefined, 4, 7) }),
  active: u16("Active instances", instanceList),
});

export const getPayloadInstanceInfoRequest = struct({
  payload: payloadType,
  instance: u8("Payload instance", dec),
});

/** 24.5: the session the instance is active on (0 when inactive), then 8 payload-specific bytes (SOL: the port). */
export const getPayloadInstanceInfoResponse = struct({
  sessionId: u32("Session ID", (v) => (v === 0 ? "none (0)" : hexN(v, 8))),
  portNumber: u8("Port number", dec),
  reserved: bytes("Reserved", 7),
});

export const getChannelPayloadSupportRequest = struct({
  channel: bits(1, { channel: bit("Channel number", 0, 3, channelLabel), reserved: bit(undefined, 4, 7) }),
});

/** A 16-bit mask of payload types `base`..`base`+15, bit 0 first. */
function payloadMask(base: number): (v: number) => Described {
  return (v) => {
    const types: string[] = [];
    for (let i = 0; i < 16; i++) if (v & (1 << i)) types.push(PAYLOAD_TYPES.label(base + i));
    return types.length === 0 ? "none" : types.join(", ");
  };
}

/** 24.8: standard payloads 0-15, session set-up payloads 10h-1Fh, OEM payloads 20h-2Fh, two reserved bytes. */
export const getChannelPayloadSupportResponse = struct({
  standard: u16("Standard payload types", payloadMask(0x00)),
  sessionSetup: u16("Session setup payload types", payloadMask(0x10)),
  oem: u16("OEM payload types", payloadMask(0x20)),
  reserved: u16("Reserved"),
});
