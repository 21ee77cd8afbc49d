import { describe, expect, it } from "vitest";
import { formatHostSerial, parseHostSerial } from "./parse-host-serial";

describe("parseHostSerial", () => {
  it.each([
    ["qemu:127.0.0.1:9004", { kind: "qemu", host: "127.0.0.1", port: 9004 }],
    ["qemu:localhost:0", { kind: "qemu", host: "localhost", port: 0 }],
    ["qemu:[::1]:9004", { kind: "qemu", host: "::1", port: 9004 }],
    [" QEMU:0.0.0.0:9004 ", { kind: "qemu", host: "0.0.0.0", port: 9004 }],
    ["tty:/dev/ttyVUART0", { kind: "tty", path: "/dev/ttyVUART0", baud: 115200 }],
    ["tty:/dev/ttyS4@9600", { kind: "tty", path: "/dev/ttyS4", baud: 9600 }],
    [
      "tty:/dev/serial/by-id/usb-x@y@921600",
      { kind: "tty", path: "/dev/serial/by-id/usb-x@y", baud: 921600 },
    ],
  ])("reads %s", (value, spec) => {
    expect(parseHostSerial(value)).toEqual({ ok: true, spec });
  });

  it.each([
    ["", "expected qemu:<host>:<port> or tty:<device>[@<baud>]"],
    ["/dev/ttyVUART0", "expected qemu:<host>:<port> or tty:<device>[@<baud>]"],
    ["serial:/dev/ttyS0", 'unknown kind "serial"'],
    ["qemu:127.0.0.1", "missing the port"],
    ["qemu::9004", "missing the host"],
    ["qemu:127.0.0.1:90x4", 'port "90x4" is not a number'],
    ["qemu:127.0.0.1:70000", "port 70000 is out of range (0-65535)"],
    ["qemu:::1:9004", "an IPv6 host goes in brackets"],
    ["qemu:[::1:9004", 'closing "]"'],
    ["qemu:bad host:1", '"bad host" is not a host name or address'],
    ["tty:", "missing the device"],
    ["tty:ttyS0", 'device "ttyS0" must be an absolute path'],
    ["tty:/dev/ttyS0@fast", 'baud rate "fast" is not a number'],
    ["tty:/dev/ttyS0@12345", "baud rate 12345 is not a standard rate (1200, 2400"],
  ])("refuses %j, saying what is wrong", (value, message) => {
    const result = parseHostSerial(value);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error).toContain(`HOST_SERIAL "${value}"`);
      expect(result.error).toContain(message);
    }
  });

  it("formats back to a value it reads", () => {
    for (const value of ["qemu:[::1]:9004", "qemu:127.0.0.1:9004", "tty:/dev/ttyVUART0@115200"]) {
      const r = parseHostSerial(value);
      if (!r.ok) throw new Error(r.error);
      expect(formatHostSerial(r.spec)).toBe(value);
    }
  });
});
