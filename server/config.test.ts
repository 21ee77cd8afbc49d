import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, isLoopback, loadConfig } from "./config";

describe("config", () => {
  it("has the documented defaults", () => {
    expect(loadConfig({})).toMatchObject({
      PORT: 3000,
      HOST: "127.0.0.1",
      DATABASE_URL: "file:./data/bmc.db",
      HOST_TRANSPORT: "sim",
      QEMU_INTERFACE: "bt",
      SIM_RATE: 10,
      LOG_LEVEL: "info",
    });
  });

  it("keeps everything unless RETENTION_DAYS or RETENTION_ROWS (positive integers) say otherwise", () => {
    const all = loadConfig({});
    expect(all.RETENTION_DAYS).toBeUndefined();
    expect(all.RETENTION_ROWS).toBeUndefined();
    expect(loadConfig({ RETENTION_DAYS: "30", RETENTION_ROWS: "1000000" })).toMatchObject({
      RETENTION_DAYS: 30,
      RETENTION_ROWS: 1_000_000,
    });
    for (const bad of [
      { RETENTION_DAYS: "0" },
      { RETENTION_ROWS: "-5" },
      { RETENTION_DAYS: "1.5" },
      { RETENTION_ROWS: "lots" },
    ]) {
      expect(() => loadConfig(bad), JSON.stringify(bad)).toThrow(ConfigError);
    }
  });

  it("takes 'max' as a flat-out simulated host", () => {
    expect(loadConfig({ SIM_RATE: "max" }).SIM_RATE).toBe(Number.POSITIVE_INFINITY);
    expect(loadConfig({ SIM_RATE: "2.5" }).SIM_RATE).toBe(2.5);
  });

  it("names every bad variable and why", () => {
    try {
      loadConfig({ PORT: "http", SIM_RATE: "-1", BT_TRANSPORT: "usb" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const text = (err as ConfigError).message;
      expect(text).toMatch(/PORT/);
      expect(text).toMatch(/SIM_RATE: a number of messages per second/);
      expect(text).toMatch(/BT_TRANSPORT/);
    }
  });

  it("takes HOST_TRANSPORT, and BT_TRANSPORT as its old name, refusing the two when they disagree", () => {
    expect(loadConfig({ HOST_TRANSPORT: "qemu" }).HOST_TRANSPORT).toBe("qemu");
    expect(loadConfig({ BT_TRANSPORT: "device" }).HOST_TRANSPORT).toBe("device");
    expect(loadConfig({ HOST_TRANSPORT: "none", BT_TRANSPORT: "none" }).HOST_TRANSPORT).toBe("none");
    expect(loadConfig({ BT_TRANSPORT: "qemu" })).not.toHaveProperty("BT_TRANSPORT");
    expect(() => loadConfig({ HOST_TRANSPORT: "qemu", BT_TRANSPORT: "sim" })).toThrow(
      "HOST_TRANSPORT: 'qemu' but BT_TRANSPORT (its old name) says 'sim'; set only HOST_TRANSPORT",
    );
    expect(() => loadConfig({ HOST_TRANSPORT: "kcs" })).toThrow(/HOST_TRANSPORT/);
  });

  it("takes the QEMU guest's interface: bt, kcs or ssif", () => {
    expect(loadConfig({ QEMU_INTERFACE: "kcs" }).QEMU_INTERFACE).toBe("kcs");
    expect(loadConfig({ QEMU_INTERFACE: "ssif" }).QEMU_INTERFACE).toBe("ssif");
    expect(() => loadConfig({ QEMU_INTERFACE: "smic" })).toThrow(/QEMU_INTERFACE/);
  });

  it("tells loopback addresses from others", () => {
    expect(isLoopback(loadConfig({}).HOST)).toBe(true);
    expect(isLoopback("::1")).toBe(true);
    expect(isLoopback("0.0.0.0")).toBe(false);
    expect(loadConfig({ HOST: "0.0.0.0" }).HOST).toBe("0.0.0.0");
  });

  it("takes BUSES as the list of buses, refusing it beside HOST_TRANSPORT or with LAN_PORT off, naming the bad entry", () => {
    expect(loadConfig({ BUSES: "bt:sim,kcs:qemu@127.0.0.1:9003,lan" }).buses.map((b) => b.id)).toEqual([
      "bt0",
      "kcs0",
      "lan0",
    ]);
    expect(loadConfig({}).buses.map((b) => b.id)).toEqual(["bt0", "ipmb0", "lan0"]);
    expect(() => loadConfig({ BUSES: "bt:sim", HOST_TRANSPORT: "qemu" })).toThrow(
      "HOST_TRANSPORT: BUSES lists the buses; HOST_TRANSPORT is its older shorthand: set one of the two",
    );
    expect(() => loadConfig({ BUSES: "lan", LAN_PORT: "off" })).toThrow(
      "BUSES: lists a LAN bus but LAN_PORT is off",
    );
    expect(() => loadConfig({ BUSES: "bt:sim,kcs:usb" })).toThrow(
      "BUSES: entry 2 'kcs:usb': kcs has no transport 'usb': one of device, qemu",
    );
  });

  it("reads BUSES_FILE, and says when it cannot", () => {
    const dir = mkdtempSync(join(tmpdir(), "buses-"));
    try {
      const file = join(dir, "buses.conf");
      writeFileSync(file, "# lab bench\nkcs:qemu@127.0.0.1:9003\nbt:qemu@127.0.0.1:9002\n");
      expect(loadConfig({ BUSES_FILE: file }).buses.map((b) => b.id)).toEqual(["kcs0", "bt0"]);
      expect(() => loadConfig({ BUSES_FILE: join(dir, "missing") })).toThrow(
        /BUSES_FILE: cannot read .*missing/,
      );
      expect(() => loadConfig({ BUSES_FILE: file, BUSES: "bt:sim" })).toThrow(
        "BUSES_FILE: set BUSES or BUSES_FILE, not both",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("takes HOST_SERIAL as the host's serial line, naming what is wrong", () => {
    expect(loadConfig({}).HOST_SERIAL).toBeUndefined();
    expect(loadConfig({ HOST_SERIAL: "qemu:127.0.0.1:9004" }).HOST_SERIAL).toEqual({
      kind: "qemu",
      host: "127.0.0.1",
      port: 9004,
    });
    expect(loadConfig({ HOST_SERIAL: "tty:/dev/ttyVUART0@57600" }).HOST_SERIAL).toEqual({
      kind: "tty",
      path: "/dev/ttyVUART0",
      baud: 57600,
    });
    expect(() => loadConfig({ HOST_SERIAL: "usb:/dev/x" })).toThrow(/HOST_SERIAL/);
    expect(() => loadConfig({ HOST_SERIAL: "tty:/dev/ttyS1@12345" })).toThrow(/HOST_SERIAL/);
  });
});
