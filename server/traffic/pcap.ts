/**
 * Pure writer of classic libpcap files (no I/O): the global header, one record per
 * packet, little-endian, microsecond timestamps. export.ts feeds it pages read from the
 * database.
 *
 * `format=pcap` uses LINKTYPE_IPMI_HPM_2 (260): each packet is a PICMG HPM.2 trace data
 * block as Wireshark's ipmi-trace dissector (epan/dissectors/packet-ipmi-trace.c) reads it:
 *
 *   offset  size  field
 *   0       1     bits 5:4 block type (0 = IPMI trace packet data), bits 3:0 channel number
 *   1       4     timestamp, seconds (little-endian)
 *   5       2     timestamp, milliseconds (little-endian)
 *   7       1     trace data type: 05h = KCS (handed to Wireshark's "kcs" dissector)
 *   8       2     protocol data (little-endian): bit 7 direction, 1 = to the IPM controller
 *   10      1     data length
 *   11      n     the message in KCS form: [netFn<<2 | lun, cmd, (cc,) data...]
 */
import type { Exchange } from "../contract/exchange";

export const PCAP_MAGIC = 0xa1b2c3d4;
export const PCAP_SNAPLEN = 65535;
/** LINKTYPE_IPMI_HPM_2: "IPMI trace packets, as specified by PICMG HPM.2". */
export const LINKTYPE_IPMI_HPM_2 = 260;
/** LINKTYPE_RAW: a raw IPv4 or IPv6 packet. */
export const LINKTYPE_RAW = 101;

export const PCAP_GLOBAL_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;
export const HPM2_HEADER_LENGTH = 11;

/** HPM.2 trace data type of a KCS message ([netFn/LUN, cmd, (cc), data]). */
export const HPM2_DATA_TYPE_KCS = 0x05;
/** Direction bit of the protocol data: set for a message to the IPM controller (a request). */
export const HPM2_DIR_TO_CONTROLLER = 0x80;

/** The 24-byte global header: magic a1b2c3d4, version 2.4, thiszone 0, sigfigs 0, snaplen, linktype. */
export function pcapGlobalHeader(linktype: number, snaplen = PCAP_SNAPLEN): Uint8Array {
  const out = new Uint8Array(PCAP_GLOBAL_HEADER_LENGTH);
  const v = new DataView(out.buffer);
  v.setUint32(0, PCAP_MAGIC, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setInt32(8, 0, true);
  v.setUint32(12, 0, true);
  v.setUint32(16, snaplen, true);
  v.setUint32(20, linktype, true);
  return out;
}

/**
 * One record: 16-byte header (ts_sec, ts_usec, incl_len, orig_len) and the packet.
 * `timeMs` is ms since the epoch (sub-ms digits give the microseconds); packets longer than
 * the snaplen are cut to it, orig_len keeping their length.
 */
export function pcapRecord(timeMs: number, packet: Uint8Array, snaplen = PCAP_SNAPLEN): Uint8Array {
  const totalUs = Math.round(timeMs * 1000);
  const sec = Math.floor(totalUs / 1_000_000);
  const usec = totalUs - sec * 1_000_000;
  const incl = Math.min(packet.length, snaplen);
  const out = new Uint8Array(PCAP_RECORD_HEADER_LENGTH + incl);
  const v = new DataView(out.buffer);
  v.setUint32(0, sec >>> 0, true);
  v.setUint32(4, usec, true);
  v.setUint32(8, incl, true);
  v.setUint32(12, packet.length, true);
  out.set(packet.subarray(0, incl), PCAP_RECORD_HEADER_LENGTH);
  return out;
}

export interface Hpm2Message {
  /** ms since the epoch; the block carries whole seconds and milliseconds. */
  timeMs: number;
  /** IPMI channel number (4 bits): 0Fh the system interface, 1 the LAN channel. */
  channel: number;
  /** true for a request (to the IPM controller), false for a response. */
  toController: boolean;
  /** The message in KCS form: [netFn<<2 | lun, cmd, (cc,) data...]. */
  message: Uint8Array;
}

/** An HPM.2 trace data block (type 0, IPMI trace packet data) carrying one KCS-form message. */
export function hpm2TraceBlock(m: Hpm2Message): Uint8Array {
  const out = new Uint8Array(HPM2_HEADER_LENGTH + m.message.length);
  const v = new DataView(out.buffer);
  const totalMs = Math.floor(m.timeMs);
  const sec = Math.floor(totalMs / 1000);
  out[0] = m.channel & 0x0f; // block type 0 in bits 5:4
  v.setUint32(1, sec >>> 0, true);
  v.setUint16(5, totalMs - sec * 1000, true);
  out[7] = HPM2_DATA_TYPE_KCS;
  v.setUint16(8, m.toController ? HPM2_DIR_TO_CONTROLLER : 0, true);
  // One byte: a longer message (none the product sends) says 255; the dissector reads to the end.
  out[10] = Math.min(m.message.length, 0xff);
  out.set(m.message, HPM2_HEADER_LENGTH);
  return out;
}

/** The IPMI channel a record's bus is: LAN channel 1, IPMB 0, else the system interface (0Fh). */
export function channelOfBus(busKind: Exchange["busKind"]): number {
  if (busKind === "lan") return 1;
  if (busKind === "ipmb") return 0;
  return 0x0f;
}

/** The KCS form of a request: [netFn<<2 | lun, cmd, data...]. */
export function kcsRequest(netFn: number, lun: number, cmd: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + data.length);
  out[0] = ((netFn & 0x3f) << 2) | (lun & 3);
  out[1] = cmd & 0xff;
  out.set(data, 2);
  return out;
}

/** The KCS form of a response: [(netFn|1)<<2 | lun, cmd, cc, data...]. */
export function kcsResponse(
  netFn: number,
  lun: number,
  cmd: number,
  cc: number,
  data: Uint8Array,
): Uint8Array {
  const out = new Uint8Array(3 + data.length);
  out[0] = (((netFn | 1) & 0x3f) << 2) | (lun & 3);
  out[1] = cmd & 0xff;
  out[2] = cc & 0xff;
  out.set(data, 3);
  return out;
}

/**
 * The pcap records (LINKTYPE_IPMI_HPM_2) of one exchange: its request at receivedAt and,
 * when a response was recorded, the response at answeredAt. A record that is no IPMI
 * message (malformed frame, session-layer payload: netFn null) gives none.
 */
export function exchangeHpm2Records(x: Exchange): Uint8Array[] {
  if (x.netFn === null || x.cmd === null || x.payload !== null) return [];
  const lun = x.lun ?? 0;
  const channel = channelOfBus(x.busKind);
  const out = [
    pcapRecord(
      x.receivedAt,
      hpm2TraceBlock({
        timeMs: x.receivedAt,
        channel,
        toController: true,
        message: kcsRequest(x.netFn, lun, x.cmd, x.request),
      }),
    ),
  ];
  if (x.response !== null && x.cc !== null) {
    const at = x.answeredAt ?? x.receivedAt;
    out.push(
      pcapRecord(
        at,
        hpm2TraceBlock({
          timeMs: at,
          channel,
          toController: false,
          message: kcsResponse(x.netFn, lun, x.cmd, x.cc, x.response),
        }),
      ),
    );
  }
  return out;
}

/** Joins byte arrays into one. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

// ---- pcap-wire: the LAN bus's UDP datagrams (LINKTYPE_RAW, synthesized IPv4/UDP) -------------

/**
 * The BMC's port in the synthesized headers: RMCP's registered port (623), whatever port
 * the LAN bus listened on (the record does not keep it), so Wireshark dissects RMCP without
 * a "Decode As".
 */
export const RMCP_PORT = 623;
const LOOPBACK = Uint8Array.of(127, 0, 0, 1);
const IPV4_HEADER_LENGTH = 20;
const UDP_HEADER_LENGTH = 8;

/** The internet checksum (RFC 1071) of `bytes`, added onto `initial`. */
function onesComplementSum(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  for (let i = 0; i + 1 < bytes.length; i += 2) sum += (bytes[i]! << 8) | bytes[i + 1]!;
  if (bytes.length % 2 === 1) sum += bytes[bytes.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

export interface UdpEndpoint {
  /** IPv4 address, 4 bytes. */
  address: Uint8Array;
  port: number;
}

/**
 * An IPv4 packet (no options, TTL 64, DF, identification `id`) carrying one UDP datagram,
 * both checksums computed.
 */
export function ipv4UdpPacket(src: UdpEndpoint, dst: UdpEndpoint, payload: Uint8Array, id = 0): Uint8Array {
  const udpLength = UDP_HEADER_LENGTH + payload.length;
  const total = IPV4_HEADER_LENGTH + udpLength;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  out[0] = 0x45; // version 4, IHL 5
  v.setUint16(2, total);
  v.setUint16(4, id & 0xffff);
  v.setUint16(6, 0x4000); // don't fragment
  out[8] = 64; // TTL
  out[9] = 17; // UDP
  out.set(src.address, 12);
  out.set(dst.address, 16);
  v.setUint16(10, ~onesComplementSum(out.subarray(0, IPV4_HEADER_LENGTH)) & 0xffff);
  const udp = out.subarray(IPV4_HEADER_LENGTH);
  v.setUint16(20, src.port);
  v.setUint16(22, dst.port);
  v.setUint16(24, udpLength);
  udp.set(payload, UDP_HEADER_LENGTH);
  const pseudo = new Uint8Array(12);
  pseudo.set(src.address, 0);
  pseudo.set(dst.address, 4);
  pseudo[9] = 17;
  new DataView(pseudo.buffer).setUint16(10, udpLength);
  const sum = ~onesComplementSum(udp, onesComplementSum(pseudo)) & 0xffff;
  v.setUint16(26, sum === 0 ? 0xffff : sum);
  return out;
}

/** "127.0.0.1:50123" -> the client's endpoint; an IPv6 or unparsable address becomes 127.0.0.1. */
export function peerEndpoint(peer: string | null): UdpEndpoint {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3}):(\d{1,5})$/.exec(peer ?? "");
  if (!m) {
    const port = Number(/:(\d{1,5})$/.exec(peer ?? "")?.[1] ?? 0);
    return { address: LOOPBACK, port: port <= 0xffff ? port : 0 };
  }
  const octets = m.slice(1, 5).map(Number);
  const port = Number(m[5]);
  if (octets.some((o) => o > 255) || port > 0xffff) return { address: LOOPBACK, port: 0 };
  return { address: Uint8Array.from(octets), port };
}

/**
 * The pcap records (LINKTYPE_RAW) of one LAN exchange: the request datagram (`frame`) from
 * the client to the BMC at receivedAt and the response datagram (`responseFrame`) back at
 * answeredAt, session-layer records (ping, Open Session, RAKP) included. Records of other
 * buses, or without the bytes, give none (or only the request).
 */
export function exchangeWireRecords(x: Exchange): Uint8Array[] {
  if (x.busKind !== "lan") return [];
  const client = peerEndpoint(x.peer);
  const bmc: UdpEndpoint = { address: LOOPBACK, port: RMCP_PORT };
  const out: Uint8Array[] = [];
  if (x.frame !== null && x.frame.length > 0)
    out.push(pcapRecord(x.receivedAt, ipv4UdpPacket(client, bmc, x.frame, x.id * 2)));
  if (x.responseFrame !== null && x.responseFrame.length > 0)
    out.push(
      pcapRecord(x.answeredAt ?? x.receivedAt, ipv4UdpPacket(bmc, client, x.responseFrame, x.id * 2 + 1)),
    );
  return out;
}
