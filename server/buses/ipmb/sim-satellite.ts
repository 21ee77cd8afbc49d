/**
 * A simulated satellite management controller on the IPMB, for the default setup: what a
 * BMC finds behind `ipmitool -b 0 -t 0x72 ...` on a server with a second controller (a
 * chassis or power-supply controller). It sits on the far end of an in-process transport
 * with the same interface as the ipmb_dev_int device, so the IPMB bus cannot tell.
 *
 * Address 0x72: an even (8-bit) slave address that is none of the ones with a fixed role
 * on real servers (20h the BMC, 2Ch the Intel ME behind `-b 6 -t 0x2c`), so a bridged
 * exchange in the log cannot be mistaken for either; configurable.
 *
 * It answers, from its own identity (not the BMC's):
 * - Get Device ID (App 01h): device 72h, rev 1, firmware 1.05, IPMI 1.5 (satellites on
 *   IPMB commonly are), sensor device + FRU inventory, manufacturer 0 ("unspecified"),
 *   product 0072h;
 * - Get Self Test Results (App 04h): 55h 00h, no error;
 * - Get Sensor Reading (S/E 2Dh) for sensor 1 (inlet temperature, 1 °C per count: 27 °C)
 *   and sensor 2 (12 V rail, 0.0625 V per count: 12.125 V), CBh for any other sensor;
 * - anything else: C1h (invalid command), as IPMI 2.0 section 5.2 asks.
 */
import {
  decodeIpmbFrame,
  encodeIpmbRequest,
  encodeIpmbResponse,
  type IpmbRequest,
} from "../../ipmi/ipmb/ipmb-frame";
import { NETFN } from "../../ipmi/netfn";
import { errnoError, type IpmbTransport } from "./transport";

export const SIM_SATELLITE_ADDRESS = 0x72;

/** Get Device ID's response data (IPMI 2.0 section 20.1). */
export const SATELLITE_DEVICE_ID = Uint8Array.of(
  0x72, // device ID
  0x01, // device revision 1, no device SDRs
  0x01, // firmware 1.
  0x05, // .05 (BCD)
  0x51, // IPMI 1.5
  0x09, // additional device support: sensor device (bit 0), FRU inventory device (bit 3)
  0x00,
  0x00,
  0x00, // manufacturer ID 0: unspecified
  0x72,
  0x00, // product ID 0072h
);

interface Sensor {
  name: string;
  raw: number;
}

export class SimSatellite {
  /** Requests it answered, for tests and the dashboard's curiosity. */
  readonly stats = { requests: 0, answered: 0, ignored: 0 };
  readonly sensors = new Map<number, Sensor>([
    [1, { name: "Inlet Temp", raw: 27 }],
    [2, { name: "12V Rail", raw: 194 }],
  ]);
  private seq = 0;

  constructor(readonly address = SIM_SATELLITE_ADDRESS) {}

  /** The answer to one request, or undefined for a frame it ignores (not for it, bad checksum, a response). */
  answer(frame: Uint8Array): Uint8Array | undefined {
    const d = decodeIpmbFrame(frame);
    if (!d.ok || d.kind !== "request" || d.message.rsSA !== this.address) {
      this.stats.ignored++;
      return undefined;
    }
    this.stats.requests++;
    const q = d.message;
    const { cc, data } = this.handle(q);
    this.stats.answered++;
    return encodeIpmbResponse({
      rqSA: q.rqSA,
      netFn: q.netFn | 1,
      rqLUN: q.rqLUN,
      rsSA: this.address,
      rqSeq: q.rqSeq,
      rsLUN: q.rsLUN,
      cmd: q.cmd,
      cc,
      data,
    });
  }

  /** A request of its own to `rsSA` (the BMC), as a satellite sends one: Get Device ID by default. */
  requestFrame(rsSA: number, netFn = NETFN.APP, cmd = 0x01, data = new Uint8Array(0)): Uint8Array {
    const frame = encodeIpmbRequest({
      rsSA,
      netFn,
      rsLUN: 0,
      rqSA: this.address,
      rqSeq: this.seq,
      rqLUN: 0,
      cmd,
      data,
    });
    this.seq = (this.seq + 1) % 64;
    return frame;
  }

  private handle(q: IpmbRequest): { cc: number; data: Uint8Array } {
    const none = new Uint8Array(0);
    if (q.rsLUN !== 0) return { cc: 0xc2, data: none }; // only LUN 0 is implemented
    if (q.netFn === NETFN.APP && q.cmd === 0x01) return { cc: 0, data: SATELLITE_DEVICE_ID };
    if (q.netFn === NETFN.APP && q.cmd === 0x04) return { cc: 0, data: Uint8Array.of(0x55, 0x00) };
    if (q.netFn === NETFN.SENSOR_EVENT && q.cmd === 0x2d) {
      if (q.data.length !== 1) return { cc: 0xc7, data: none };
      const sensor = this.sensors.get(q.data[0]!);
      if (!sensor) return { cc: 0xcb, data: none };
      // Reading, then event messages and scanning enabled, then no threshold crossed (35.14).
      return { cc: 0, data: Uint8Array.of(sensor.raw, 0xc0, 0x00) };
    }
    return { cc: 0xc1, data: none };
  }
}

/**
 * The BMC's end of an in-process IPMB with one satellite on it: a frame to the satellite's
 * address is answered on the next turn of the event loop; any other address is NAKed
 * (ENXIO), as the I2C core reports an address nobody acknowledged.
 */
export class SimIpmbTransport implements IpmbTransport {
  private listener: ((frame: Uint8Array) => void) | undefined;
  private open_ = false;

  constructor(readonly satellite: SimSatellite) {}

  get description(): string {
    const a = this.satellite.address.toString(16).padStart(2, "0");
    return `simulated satellite controller at 0x${a}`;
  }

  onFrame(listener: (frame: Uint8Array) => void): void {
    this.listener = listener;
  }

  async open(): Promise<void> {
    this.open_ = true;
  }

  async close(): Promise<void> {
    this.open_ = false;
  }

  async write(frame: Uint8Array): Promise<void> {
    if (!this.open_) throw errnoError("EBADF", "the simulated IPMB is closed");
    if (frame.length === 0 || frame[0]! >> 1 !== this.satellite.address >> 1)
      throw errnoError("ENXIO", `no device acknowledged address 0x${(frame[0] ?? 0).toString(16)}`);
    const answer = this.satellite.answer(frame.slice());
    if (answer) setImmediate(() => this.deliver(answer));
  }

  /** The satellite sends a frame of its own (a request to the BMC, a garbled one in tests). */
  fromSatellite(frame: Uint8Array): void {
    this.deliver(frame);
  }

  private deliver(frame: Uint8Array): void {
    if (this.open_) this.listener?.(frame);
  }
}
