import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BUS_KINDS,
  BUS_TRANSPORTS,
  BusListError,
  busesFromLegacy,
  describeSpec,
  parseBusList,
} from "./bus-list";

const defaults = {
  btDevice: "/dev/ipmi-bt-host",
  qemu: { host: "127.0.0.1", port: 9002 },
  lan: { host: "127.0.0.1", port: 6230 },
};
const parse = (text: string) => parseBusList(text, defaults);

describe("parseBusList", () => {
  it("reads the issue's example: ids in order per kind, addresses and defaults", () => {
    const specs = parse(
      "bt:sim, kcs:qemu@127.0.0.1:9003, kcs:device@/dev/ipmi-kcs3, ipmb:device@/dev/ipmb-0, lan@127.0.0.1:6230",
    );
    expect(specs).toEqual([
      { id: "bt0", entry: "bt:sim", kind: "bt", transport: "sim" },
      {
        id: "kcs0",
        entry: "kcs:qemu@127.0.0.1:9003",
        kind: "kcs",
        transport: "qemu",
        host: "127.0.0.1",
        port: 9003,
      },
      {
        id: "kcs1",
        entry: "kcs:device@/dev/ipmi-kcs3",
        kind: "kcs",
        transport: "device",
        path: "/dev/ipmi-kcs3",
      },
      {
        id: "ipmb0",
        entry: "ipmb:device@/dev/ipmb-0",
        kind: "ipmb",
        transport: "device",
        path: "/dev/ipmb-0",
      },
      {
        id: "lan0",
        entry: "lan@127.0.0.1:6230",
        kind: "lan",
        transport: "udp",
        host: "127.0.0.1",
        port: 6230,
      },
    ]);
  });

  it("fills what an entry leaves out: the kind's first transport, the device, QEMU_BMC, LAN_HOST:LAN_PORT", () => {
    expect(parse("bt, ipmb, lan, kcs:qemu, ssif:device, bt:device").map(describeSpec)).toEqual([
      "bt:sim",
      "ipmb:sim",
      "lan:udp@127.0.0.1:6230",
      "kcs:qemu@127.0.0.1:9002",
      "ssif:device@/dev/ipmi-ssif-host",
      "bt:device@/dev/ipmi-bt-host",
    ]);
  });

  it("takes IPv6 in brackets, upper case kinds, lines and # comments as a file has them", () => {
    const specs = parse("# the lab's BMC\nKCS:QEMU@[::1]:9003\n\nlan@[::1]:0 # loopback only\n");
    expect(specs.map((s) => [s.id, describeSpec(s)])).toEqual([
      ["kcs0", "kcs:qemu@[::1]:9003"],
      ["lan0", "lan:udp@[::1]:0"],
    ]);
  });

  it.each([
    ["usb:sim", "entry 1 'usb:sim': unknown kind 'usb': one of bt, kcs, ssif, ipmb, lan"],
    [
      "bt:sim, kcs:sim",
      "entry 2 'kcs:sim': kcs has no transport 'sim': one of device, qemu (the simulated host speaks BT: bt:sim)",
    ],
    ["kcs:qemu@9003", "entry 1 'kcs:qemu@9003': '9003' is not host:port (e.g. 127.0.0.1:9003 or [::1]:9003)"],
    [
      "lan@127.0.0.1:99999",
      "entry 1 'lan@127.0.0.1:99999': '127.0.0.1:99999' is not host:port (e.g. 127.0.0.1:6230)",
    ],
    ["kcs:device@ipmi-kcs3", "entry 1 'kcs:device@ipmi-kcs3': 'ipmi-kcs3' is not a device path (/dev/...)"],
    ["bt:sim@x", "entry 1 'bt:sim@x': a simulated bus takes no address"],
    ["bt:qemu:x", "entry 1 'bt:qemu:x': write kind:transport@address, e.g. kcs:qemu@127.0.0.1:9003"],
    ["lan@", "entry 1 'lan@': '@' with no address after it"],
    [
      "bt:qemu, kcs:qemu",
      "entry 2 'kcs:qemu': a second QEMU bus needs its own address (kcs:qemu@127.0.0.1:9003): QEMU_BMC is the first one's",
    ],
    [
      "kcs:device@/dev/ipmi-kcs3, kcs:device",
      "entry 2 'kcs:device': uses the same device /dev/ipmi-kcs3 as kcs0 ('kcs:device@/dev/ipmi-kcs3')",
    ],
    [
      "bt:qemu@127.0.0.1:9002, kcs:qemu@127.0.0.1:9002",
      "entry 2 'kcs:qemu@127.0.0.1:9002': uses the same address 127.0.0.1:9002 as bt0 ('bt:qemu@127.0.0.1:9002')",
    ],
    [" , ,", "the bus list is empty: name at least one bus"],
  ])("refuses %j naming the entry", (text, message) => {
    expect(() => parse(text)).toThrow(new BusListError(message));
  });

  it("lets several buses ask for any free port (0) on the same host", () => {
    expect(parse("bt:qemu@127.0.0.1:0, kcs:qemu@127.0.0.1:0, lan@127.0.0.1:0").map((s) => s.id)).toEqual([
      "bt0",
      "kcs0",
      "lan0",
    ]);
  });

  it("gives every valid list ids that are unique and numbered in order per kind, and reads back what describeSpec writes", () => {
    const entry = fc.constantFrom(
      ...BUS_KINDS.flatMap((kind) =>
        BUS_TRANSPORTS[kind].map((t) =>
          t === "qemu" || t === "udp" ? `${kind}:${t}@127.0.0.1:0` : `${kind}:${t}`,
        ),
      ),
    );
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 12 }), (entries) => {
        // Device entries with the default path may clash: a valid list names each device once.
        const seen = new Set<string>();
        const list = entries.filter((e) => !e.includes(":device") || (!seen.has(e) && seen.add(e)));
        const specs = parse(list.join(","));
        expect(new Set(specs.map((s) => s.id)).size).toBe(specs.length);
        for (const kind of BUS_KINDS) {
          const ids = specs.filter((s) => s.kind === kind).map((s) => s.id);
          expect(ids).toEqual(ids.map((_, i) => `${kind}${i}`));
        }
        const again = parse(specs.map(describeSpec).join(","));
        expect(again.map(({ entry: _e, ...rest }) => rest)).toEqual(
          specs.map(({ entry: _e, ...rest }) => rest),
        );
      }),
    );
  });
});

describe("busesFromLegacy", () => {
  const legacy = (HOST_TRANSPORT: "sim" | "device" | "qemu" | "none", LAN_PORT: number | "off" = 6230) =>
    busesFromLegacy({ HOST_TRANSPORT, QEMU_INTERFACE: "kcs", LAN_PORT }, defaults).map(describeSpec);

  it("reads HOST_TRANSPORT, QEMU_INTERFACE and LAN_PORT as the list they stand for, with the IPMB satellite", () => {
    expect(legacy("sim")).toEqual(["bt:sim", "ipmb:sim", "lan:udp@127.0.0.1:6230"]);
    expect(legacy("device")).toEqual(["bt:device@/dev/ipmi-bt-host", "ipmb:sim", "lan:udp@127.0.0.1:6230"]);
    expect(legacy("qemu")).toEqual(["kcs:qemu@127.0.0.1:9002", "ipmb:sim", "lan:udp@127.0.0.1:6230"]);
    expect(legacy("none", "off")).toEqual(["ipmb:sim"]);
  });
});
