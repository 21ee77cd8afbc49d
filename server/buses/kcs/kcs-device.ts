/**
 * A KCS transport on the Linux kcs_bmc_cdev_ipmi character device (/dev/ipmi-kcsN, N the
 * KCS channel; drivers/char/ipmi/kcs_bmc_cdev_ipmi.c over kcs_bmc.c and the ASPEED/Nuvoton
 * LPC drivers), whose other end is the host's KCS interface (IPMI 2.0 section 9):
 * - one opener (`running`): a second open() fails with EBUSY; closing force-aborts the
 *   interface (the host's transfer ends in the KCS error state);
 * - read() blocks until the host's WRITE_END byte and returns the whole request
 *   `[netfn<<2|lun, cmd, data...]` (up to KCS_MSG_BUFSIZ, 1000; a smaller buffer aborts the
 *   transfer and fails with EOVERFLOW);
 * - write() takes one whole response `[netfn<<2|lun, cmd, cc, data...]` of 3 to 1000 bytes
 *   (else EINVAL) and never blocks: it is accepted only while the driver waits for the
 *   answer to the request last read (phase WAIT_READ). Before the host has read the previous
 *   response, after the host aborted, or once it started a new request: EINVAL.
 * - ioctls (include/uapi/linux/ipmi_bmc.h, magic 0xB1): IPMI_BMC_IOCTL_SET_SMS_ATN
 *   _IO(0xB1,0) = 0xB100 and IPMI_BMC_IOCTL_CLEAR_SMS_ATN _IO(0xB1,1) = 0xB101 set and clear
 *   the status register's SMS_ATN bit (KCS leaves clearing it to the BMC, unlike BT);
 *   IPMI_BMC_IOCTL_FORCE_ABORT _IO(0xB1,2) = 0xB102 puts the interface in the error state.
 *
 * The host (Linux ipmi_si, ipmi_kcs_sm.c) waits OBF_RETRY_TIMEOUT, 5 s, for each response
 * byte, then aborts with GET_STATUS/ABORT and restarts the same request (up to 10 times).
 */
import {
  type DeviceLog,
  errorCode,
  errorText,
  type IoctlDeviceFile,
  ioNone,
  NO_LOG,
  openCharDevice,
} from "../device/char-device";
import { SiDeviceTransport } from "../device/si-device-transport";
import { KCS_MSG_BUFSIZ, SI_RESPONSE_HEADER } from "./kcs-codec";

/** __IPMI_BMC_IOCTL_MAGIC. */
const IPMI_BMC_IOCTL_MAGIC = 0xb1;
export const IPMI_BMC_IOCTL_SET_SMS_ATN = ioNone(IPMI_BMC_IOCTL_MAGIC, 0x00);
export const IPMI_BMC_IOCTL_CLEAR_SMS_ATN = ioNone(IPMI_BMC_IOCTL_MAGIC, 0x01);
export const IPMI_BMC_IOCTL_FORCE_ABORT = ioNone(IPMI_BMC_IOCTL_MAGIC, 0x02);

/** OBF_RETRY_TIMEOUT in the host's drivers/char/ipmi/ipmi_kcs_sm.c. */
export const KCS_HOST_TIMEOUT_MS = 5000;

export type KcsDeviceFile = IoctlDeviceFile;
export type KcsDeviceOpener = (path: string) => Promise<KcsDeviceFile>;

export interface KcsDeviceTransportOptions {
  path: string;
  /** How to open the device; Node's fs (and python3 for the ioctls) by default. */
  open?: KcsDeviceOpener;
  hostTimeoutMs?: number;
  log?: DeviceLog;
  now?: () => number;
}

export class KcsDeviceTransport extends SiDeviceTransport<KcsDeviceFile> {
  private readonly log: DeviceLog;
  private ioctlWarned = false;
  /** The SMS_ATN state last asked for, so a repeat makes no ioctl. */
  private attention: boolean | undefined;

  constructor(options: KcsDeviceTransportOptions) {
    super(
      {
        name: "KCS",
        driver: "kcs_bmc",
        readBufferSize: KCS_MSG_BUFSIZ,
        minWrite: SI_RESPONSE_HEADER,
        maxWrite: KCS_MSG_BUFSIZ,
        openHints: {
          holders:
            "kcs_bmc allows one opener and another process has it open (OpenBMC's kcsbridged or another console?)",
          missing:
            "is CONFIG_IPMI_KCS_BMC_CDEV_IPMI enabled, with the KCS channel's LPC node (aspeed,ast2500-kcs-bmc-v2 / nuvoton,npcm750-kcs-bmc) enabled in the device tree?",
        },
      },
      {
        path: options.path,
        open: options.open ?? openCharDevice,
        hostTimeoutMs: options.hostTimeoutMs ?? KCS_HOST_TIMEOUT_MS,
        ...(options.log ? { log: options.log } : {}),
        ...(options.now ? { now: options.now } : {}),
      },
    );
    this.log = options.log ?? NO_LOG;
  }

  /**
   * Sets (pending) or clears SMS_ATN in the KCS status register: the host's driver sees it
   * on its next status read and fetches the message flags. On KCS the BMC clears it too,
   * once nothing is pending.
   */
  setAttention(pending: boolean): void {
    if (this.attention === pending) return;
    this.attention = pending;
    this.ioctl(pending ? IPMI_BMC_IOCTL_SET_SMS_ATN : IPMI_BMC_IOCTL_CLEAR_SMS_ATN, "SMS_ATN");
  }

  /** Puts the interface in the KCS error state: the host's transfer aborts and it retries. */
  forceAbort(): void {
    this.ioctl(IPMI_BMC_IOCTL_FORCE_ABORT, "force abort");
  }

  private ioctl(request: number, what: string): void {
    const file = this.link.openFile;
    if (!file) return;
    file.ioctl(request).catch((err: unknown) => {
      if (request !== IPMI_BMC_IOCTL_FORCE_ABORT) this.attention = undefined;
      if (this.ioctlWarned) return;
      this.ioctlWarned = true;
      this.log.warn(
        errorCode(err) === "ENOPYTHON"
          ? `cannot make KCS ioctls (${what}) without python3; the host finds pending messages by polling Get Message Flags`
          : `KCS ioctl (${what}) failed: ${errorText(err)}`,
      );
    });
  }
}
