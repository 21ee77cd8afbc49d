/**
 * An SSIF transport on the Linux ssif_bmc character device (/dev/ipmi-ssif-host;
 * drivers/char/ipmi/ssif_bmc.c, an I2C slave backend), whose other end is the host's SSIF
 * (IPMI 2.0 section 12, SMBus):
 * - one opener (`running`): a second open() fails with EBUSY; closing changes nothing else;
 * - read() blocks until a whole request has arrived (multi-part writes already reassembled)
 *   and returns `struct ipmi_ssif_msg` cut to 4 + len bytes (./ssif-codec.ts); a buffer
 *   smaller than that fails with EINVAL. The driver holds one request: a newer one replaces
 *   an unread one;
 * - write() takes 4 to 260 bytes whose len is 1..254 and covered by the count (else EINVAL);
 *   it blocks while the previous response is still being read by the host, then fails with
 *   EINVAL if no request is waiting for an answer: none was received, or the driver's own
 *   RESPONSE_TIMEOUT (500 ms after the request) has passed and it dropped the exchange;
 * - no ioctl: SSIF has no status register, so no SMS_ATN. The host polls Get Message Flags
 *   (or waits for SMBALERT#, which ssif_bmc does not drive).
 *
 * Timeouts: the host's ipmi_ssif.c retries a response read SSIF_RECV_RETRIES (250) times
 * SSIF_MSG_USEC (60 ms) apart, about 15 s, while ssif_bmc NACKs (busy); but ssif_bmc itself
 * gives up after 500 ms, and a later write is refused. So 500 ms is the host timeout that
 * counts on this device.
 */
import { type CharDeviceFile, type DeviceLog, openCharDevice } from "../device/char-device";
import { SiDeviceTransport } from "../device/si-device-transport";
import { SSIF_LEN_FIELD, SSIF_MSG_SIZE } from "./ssif-codec";

/** ssif_bmc.c RESPONSE_TIMEOUT: after this the driver refuses the response. */
export const SSIF_BMC_RESPONSE_TIMEOUT_MS = 500;
/** How long the host's ipmi_ssif.c keeps retrying the response read: 250 x 60 ms. */
export const SSIF_HOST_RETRY_WINDOW_MS = 250 * 60;

export type SsifDeviceFile = CharDeviceFile;
export type SsifDeviceOpener = (path: string) => Promise<SsifDeviceFile>;

export interface SsifDeviceTransportOptions {
  path: string;
  open?: SsifDeviceOpener;
  hostTimeoutMs?: number;
  log?: DeviceLog;
  now?: () => number;
}

export class SsifDeviceTransport extends SiDeviceTransport<SsifDeviceFile> {
  constructor(options: SsifDeviceTransportOptions) {
    super(
      {
        name: "SSIF",
        driver: "ssif_bmc",
        readBufferSize: SSIF_MSG_SIZE,
        // len >= 1 plus the length field; a real response has at least netfn, cmd, cc.
        minWrite: SSIF_LEN_FIELD + 1,
        maxWrite: SSIF_MSG_SIZE,
        openHints: {
          holders:
            "ssif_bmc allows one opener and another process has it open (OpenBMC's ssifbridged or another console?)",
          missing:
            'is CONFIG_SSIF_IPMI_BMC enabled, with an "ssif-bmc" node at the slave address on the host-facing I2C bus in the device tree?',
        },
      },
      {
        path: options.path,
        open: options.open ?? openCharDevice,
        hostTimeoutMs: options.hostTimeoutMs ?? SSIF_BMC_RESPONSE_TIMEOUT_MS,
        ...(options.log ? { log: options.log } : {}),
        ...(options.now ? { now: options.now } : {}),
      },
    );
  }
}
