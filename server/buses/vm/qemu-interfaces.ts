/**
 * What each of QEMU's IPMI interfaces does to the messages it passes between its guest
 * and `ipmi-bmc-extern`, and so what a VM bus behind it must respect. The interface is
 * QEMU's side (`-device isa-ipmi-bt`, `isa-ipmi-kcs` or `smbus-ipmi`); the VM protocol
 * in between is the same for all three.
 */
import type { BusKind } from "../../router/types";

export const QEMU_INTERFACES = ["bt", "kcs", "ssif"] as const;

export type QemuInterface = (typeof QEMU_INTERFACES)[number];

export interface QemuInterfaceFacts {
  kind: BusKind & QemuInterface;
  /** For people: "KCS". */
  label: string;
  /** The QEMU device that gives the guest this interface. */
  device: string;
  /** Most request data bytes (after netfn and cmd) QEMU passes on from its guest. */
  maxRequestData: number;
  /** Most response data bytes (after the completion code) QEMU hands its guest. */
  maxResponseData: number;
  /** QEMU gives the guest C3h after this long without our answer. */
  hostTimeoutMs: number;
}

/**
 * QEMU's largest IPMI message, netfn and cmd included (MAX_IPMI_MSG_SIZE in
 * include/hw/ipmi/ipmi.h): the size of the KCS and BT interfaces' buffers.
 */
const QEMU_MAX_IPMI_MSG = 300;

/**
 * ipmi-bmc-extern arms one timer per request, whatever the interface: "Make sure we get
 * a response within 4 seconds" (continue_send() in hw/ipmi/ipmi_bmc_extern.c), then
 * extern_timeout() answers the guest C3h itself. The guests' own drivers wait longer
 * (Linux ipmi_si 5 s), so QEMU's 4 s is the host timeout on every interface.
 */
const EXTERN_TIMEOUT_MS = 4000;

export const QEMU_INTERFACE_FACTS: Readonly<Record<QemuInterface, QemuInterfaceFacts>> = {
  bt: {
    kind: "bt",
    label: "BT",
    device: "isa-ipmi-bt",
    // The guest's BT frame has a one-byte length counting netfn, seq, cmd and data
    // (IPMI 2.0 section 11): 255 - 3. QEMU passes the frame on without the seq.
    maxRequestData: 255 - 3,
    // hw/ipmi/ipmi_bt.c rebuilds the guest's frame as len, netfn, seq, cmd, cc, data with
    // `outmsg[0] = rsp_len + 1` in one byte: netfn, seq, cmd, cc and at most 251 data bytes.
    maxResponseData: 255 - 4,
    hostTimeoutMs: EXTERN_TIMEOUT_MS,
  },
  kcs: {
    kind: "kcs",
    label: "KCS",
    device: "isa-ipmi-kcs",
    // KCS has no length field (IPMI 2.0 section 9: the host writes bytes until WRITE_END);
    // the limits are QEMU's buffers, inmsg and outmsg[MAX_IPMI_MSG_SIZE] in
    // hw/ipmi/ipmi_kcs.c: netfn, cmd and 298 request bytes; netfn, cmd, cc and 297 response
    // bytes (more, and ipmi_kcs_handle_rsp answers CAh instead).
    maxRequestData: QEMU_MAX_IPMI_MSG - 2,
    maxResponseData: QEMU_MAX_IPMI_MSG - 3,
    hostTimeoutMs: EXTERN_TIMEOUT_MS,
  },
  ssif: {
    kind: "ssif",
    label: "SSIF",
    device: "smbus-ipmi",
    // SSIF carries at most 32 bytes per SMBus block and longer messages in multi-part
    // transactions (IPMI 2.0 section 12); QEMU's smbus-ipmi caps a whole message at
    // MAX_SSIF_IPMI_MSG_SIZE = 255 bytes with netfn and cmd (hw/ipmi/smbus_ipmi.c), and
    // truncates a longer response with C6h.
    maxRequestData: 255 - 2,
    maxResponseData: 255 - 3,
    hostTimeoutMs: EXTERN_TIMEOUT_MS,
  },
};
