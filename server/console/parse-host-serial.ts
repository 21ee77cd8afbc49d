/**
 * HOST_SERIAL: where the host's serial console is.
 *
 * - `qemu:<host>:<port>`: we listen on that TCP address and a QEMU guest's serial chardev
 *   connects to it (`-chardev socket,id=serial0,host=<host>,port=<port>,reconnect=1
 *   -serial chardev:serial0`). An IPv6 host goes in brackets (`qemu:[::1]:9004`); port 0
 *   takes any free port (tests).
 * - `tty:<device>[@<baud>]`: a tty device, e.g. a BMC's virtual UART `/dev/ttyVUART0`, set
 *   raw at `baud` (default 115200). Only the standard termios rates: stty (and the kernel's
 *   B* constants) know no others, and a UART between two ends must agree on one anyway.
 *
 * Pure and zod-free: server/config.ts wraps it.
 */

export const DEFAULT_BAUD = 115200;

/** Linux termios rates from 1200 up (asm-generic/termbits.h B*); IPMI SOL uses 9600-115200 (table 26-5). */
export const STANDARD_BAUD_RATES: readonly number[] = [
  1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 500000, 576000, 921600, 1000000,
  1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000,
];

export type HostSerialSpec =
  | { kind: "qemu"; host: string; port: number }
  | { kind: "tty"; path: string; baud: number };

export type HostSerialParse = { ok: true; spec: HostSerialSpec } | { ok: false; error: string };

const FORMS = "qemu:<host>:<port> or tty:<device>[@<baud>]";

function fail(value: string, why: string): HostSerialParse {
  return { ok: false, error: `HOST_SERIAL "${value}": ${why}` };
}

export function parseHostSerial(value: string): HostSerialParse {
  const raw = value.trim();
  const colon = raw.indexOf(":");
  if (colon < 0) return fail(value, `expected ${FORMS}`);
  const kind = raw.slice(0, colon).toLowerCase();
  const rest = raw.slice(colon + 1);
  if (kind === "qemu") return parseQemu(value, rest);
  if (kind === "tty") return parseTty(value, rest);
  return fail(value, `unknown kind "${raw.slice(0, colon)}": expected ${FORMS}`);
}

function parseQemu(value: string, rest: string): HostSerialParse {
  let host: string;
  let portText: string;
  if (rest.startsWith("[")) {
    const close = rest.indexOf("]");
    if (close < 0) return fail(value, 'an IPv6 host needs its closing "]"');
    host = rest.slice(1, close);
    if (rest[close + 1] !== ":") return fail(value, `expected ":<port>" after [${host}]`);
    portText = rest.slice(close + 2);
  } else {
    const last = rest.lastIndexOf(":");
    if (last < 0) return fail(value, "missing the port: qemu:<host>:<port>, e.g. qemu:127.0.0.1:9004");
    host = rest.slice(0, last);
    portText = rest.slice(last + 1);
    if (host.includes(":")) return fail(value, "an IPv6 host goes in brackets: qemu:[::1]:9004");
  }
  if (host === "") return fail(value, "missing the host: qemu:<host>:<port>, e.g. qemu:127.0.0.1:9004");
  if (!/^[A-Za-z0-9.:_-]+$/.test(host)) return fail(value, `"${host}" is not a host name or address`);
  if (!/^\d+$/.test(portText)) return fail(value, `port "${portText}" is not a number`);
  const port = Number(portText);
  if (port > 65535) return fail(value, `port ${port} is out of range (0-65535)`);
  return { ok: true, spec: { kind: "qemu", host, port } };
}

function parseTty(value: string, rest: string): HostSerialParse {
  const at = rest.lastIndexOf("@");
  const path = at < 0 ? rest : rest.slice(0, at);
  const baudText = at < 0 ? undefined : rest.slice(at + 1);
  if (path === "") return fail(value, "missing the device: tty:/dev/ttyVUART0[@115200]");
  if (!path.startsWith("/"))
    return fail(value, `device "${path}" must be an absolute path, e.g. /dev/ttyVUART0`);
  if (/\s/.test(path)) return fail(value, `device "${path}" contains white space`);
  if (baudText === undefined) return { ok: true, spec: { kind: "tty", path, baud: DEFAULT_BAUD } };
  if (!/^\d+$/.test(baudText)) return fail(value, `baud rate "${baudText}" is not a number`);
  const baud = Number(baudText);
  if (!STANDARD_BAUD_RATES.includes(baud)) {
    return fail(value, `baud rate ${baud} is not a standard rate (${STANDARD_BAUD_RATES.join(", ")})`);
  }
  return { ok: true, spec: { kind: "tty", path, baud } };
}

/** Back to the HOST_SERIAL form (for messages and the health answer). */
export function formatHostSerial(spec: HostSerialSpec): string {
  if (spec.kind === "tty") return `tty:${spec.path}@${spec.baud}`;
  return `qemu:${spec.host.includes(":") ? `[${spec.host}]` : spec.host}:${spec.port}`;
}
