/**
 * Which buses the server runs, as `BUSES` (or a `BUSES_FILE`) lists them: comma- or
 * line-separated entries `kind[:transport][@address]`, e.g.
 *
 *   bt:sim, kcs:qemu@127.0.0.1:9003, kcs:device@/dev/ipmi-kcs3, ipmb:sim, lan@127.0.0.1:6230
 *
 * Pure: no I/O. Ids are given in order per kind (bt0, kcs0, kcs1, ...), so the same list
 * always gives the same ids, and the log and the dashboard can name a bus stably. A bad
 * entry is refused with its position and text, so a typo stops the server saying where.
 *
 * Without BUSES, the older variables say the same thing in short (busesFromLegacy):
 * HOST_TRANSPORT (+ QEMU_INTERFACE, BT_DEVICE, QEMU_BMC) picks the host's bus, LAN_PORT
 * the LAN bus, and a simulated IPMB satellite is always there to bridge to.
 */

/** The interface kinds a bus can have (router/types.ts BusKind without "inject"). */
export const BUS_KINDS = ["bt", "kcs", "ssif", "ipmb", "lan"] as const;
export type ConfiguredBusKind = (typeof BUS_KINDS)[number];

/** How each kind may be carried, the first being the default when an entry names none. */
export const BUS_TRANSPORTS = {
  bt: ["sim", "device", "qemu"],
  kcs: ["device", "qemu"],
  ssif: ["device", "qemu"],
  ipmb: ["sim", "device"],
  lan: ["udp"],
} as const satisfies Record<ConfiguredBusKind, readonly string[]>;

/** The Linux device each kind's `device` transport opens when the entry names no path. */
export const DEFAULT_DEVICES: Readonly<Record<"bt" | "kcs" | "ssif" | "ipmb", string>> = {
  bt: "/dev/ipmi-bt-host",
  // ASPEED's BMCs give the host KCS on channel 3 (drivers/char/ipmi/kcs_bmc_aspeed.c: the
  // device is named after its channel, ipmi-kcs3 on most boards' device trees).
  kcs: "/dev/ipmi-kcs3",
  ssif: "/dev/ipmi-ssif-host",
  ipmb: "/dev/ipmb-0",
};

interface SpecBase {
  /** "kcs0": the kind and its index among the buses of that kind, in list order. */
  id: string;
  /** The entry as written (after trimming), for messages and the dashboard. */
  entry: string;
}

export type SystemInterfaceKind = "bt" | "kcs" | "ssif";

export type BusSpec =
  | (SpecBase & { kind: "bt"; transport: "sim" })
  | (SpecBase & { kind: SystemInterfaceKind; transport: "device"; path: string })
  | (SpecBase & { kind: SystemInterfaceKind; transport: "qemu"; host: string; port: number })
  | (SpecBase & { kind: "ipmb"; transport: "sim" })
  | (SpecBase & { kind: "ipmb"; transport: "device"; path: string })
  | (SpecBase & { kind: "lan"; transport: "udp"; host: string; port: number });

/** Where an address-less entry goes: the older variables' values. */
export interface BusDefaults {
  /** BT_DEVICE. */
  btDevice: string;
  /** QEMU_BMC, for the first QEMU bus; later ones must name their own. */
  qemu: { host: string; port: number };
  /** LAN_HOST and LAN_PORT. */
  lan: { host: string; port: number };
}

export class BusListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BusListError";
  }
}

/** "127.0.0.1:9002" or "[::1]:9002" -> { host, port }; null when it is not host:port. */
export function splitHostPort(value: string): { host: string; port: number } | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s[\]@,]+):(\d{1,5})$/.exec(value);
  if (!m) return null;
  const port = Number(m[2]);
  if (port > 65535) return null;
  const host = m[1]!.startsWith("[") ? m[1]!.slice(1, -1) : m[1]!;
  return { host, port };
}

/** Splits a list as written in BUSES (commas) or a file (lines, commas, `#` comments). */
export function splitBusList(text: string): string[] {
  return text
    .split("\n")
    .map((line) => line.replace(/#.*$/, ""))
    .join(",")
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e !== "");
}

/** Parses a whole list; throws BusListError naming the first bad entry. */
export function parseBusList(text: string, defaults: BusDefaults): BusSpec[] {
  const entries = splitBusList(text);
  if (entries.length === 0) throw new BusListError("the bus list is empty: name at least one bus");
  const counts = new Map<ConfiguredBusKind, number>();
  const specs: BusSpec[] = [];
  let qemuSeen = false;
  entries.forEach((entry, i) => {
    const where = `entry ${i + 1} '${entry}'`;
    try {
      const spec = parseEntry(entry, defaults, {
        nextId: (kind) => {
          const n = counts.get(kind) ?? 0;
          counts.set(kind, n + 1);
          return `${kind}${n}`;
        },
        firstQemu: !qemuSeen,
      });
      if (spec.transport === "qemu") qemuSeen = true;
      const clash = specs.find((s) => sameEndpoint(s, spec));
      if (clash)
        throw new BusListError(`uses the same ${endpointWord(spec)} as ${clash.id} ('${clash.entry}')`);
      specs.push(spec);
    } catch (err) {
      if (err instanceof BusListError) throw new BusListError(`${where}: ${err.message}`);
      throw err;
    }
  });
  return specs;
}

function parseEntry(
  entry: string,
  defaults: BusDefaults,
  ctx: { nextId: (kind: ConfiguredBusKind) => string; firstQemu: boolean },
): BusSpec {
  const at = entry.indexOf("@");
  const head = (at < 0 ? entry : entry.slice(0, at)).trim().toLowerCase();
  const address = at < 0 ? undefined : entry.slice(at + 1).trim();
  if (address === "") throw new BusListError("'@' with no address after it");
  const [kindText, transportText, ...extra] = head.split(":");
  if (extra.length > 0) throw new BusListError("write kind:transport@address, e.g. kcs:qemu@127.0.0.1:9003");
  if (!isKind(kindText)) {
    throw new BusListError(`unknown kind '${kindText}': one of ${BUS_KINDS.join(", ")}`);
  }
  const kind = kindText;
  const allowed: readonly string[] = BUS_TRANSPORTS[kind];
  const transport = transportText === undefined || transportText === "" ? allowed[0]! : transportText;
  if (!allowed.includes(transport)) {
    const hint = transport === "sim" ? " (the simulated host speaks BT: bt:sim)" : "";
    throw new BusListError(`${kind} has no transport '${transport}': one of ${allowed.join(", ")}${hint}`);
  }
  const entryText = entry.trim();
  switch (transport) {
    case "sim":
      if (address !== undefined) throw new BusListError("a simulated bus takes no address");
      if (kind === "bt") return { id: ctx.nextId(kind), entry: entryText, kind, transport };
      if (kind === "ipmb") return { id: ctx.nextId(kind), entry: entryText, kind, transport };
      break;
    case "device": {
      if (kind === "lan") break;
      const path = address ?? (kind === "bt" ? defaults.btDevice : DEFAULT_DEVICES[kind]);
      if (!path.startsWith("/")) throw new BusListError(`'${path}' is not a device path (/dev/...)`);
      if (kind === "ipmb") return { id: ctx.nextId(kind), entry: entryText, kind, transport, path };
      return { id: ctx.nextId(kind), entry: entryText, kind, transport, path };
    }
    case "qemu": {
      if (kind === "lan" || kind === "ipmb") break;
      if (address === undefined && !ctx.firstQemu) {
        throw new BusListError(
          "a second QEMU bus needs its own address (kcs:qemu@127.0.0.1:9003): QEMU_BMC is the first one's",
        );
      }
      const hp = address === undefined ? defaults.qemu : splitHostPort(address);
      if (!hp) throw new BusListError(`'${address}' is not host:port (e.g. 127.0.0.1:9003 or [::1]:9003)`);
      return { id: ctx.nextId(kind), entry: entryText, kind, transport, ...hp };
    }
    case "udp": {
      if (kind !== "lan") break;
      const hp = address === undefined ? defaults.lan : splitHostPort(address);
      if (!hp) throw new BusListError(`'${address}' is not host:port (e.g. 127.0.0.1:6230)`);
      return { id: ctx.nextId(kind), entry: entryText, kind, transport, ...hp };
    }
  }
  // BUS_TRANSPORTS and the switch above disagree: a programming error, not bad input.
  throw new Error(`bus-list: ${kind}:${transport} is allowed but not built`);
}

function isKind(text: string | undefined): text is ConfiguredBusKind {
  return (BUS_KINDS as readonly string[]).includes(text ?? "");
}

/** Two buses cannot share a device or a listening address (port 0 is "any free port": never a clash). */
function sameEndpoint(a: BusSpec, b: BusSpec): boolean {
  if ("path" in a && "path" in b) return a.path === b.path;
  if ("port" in a && "port" in b) {
    return a.transport === b.transport && a.port !== 0 && a.port === b.port && a.host === b.host;
  }
  return false;
}

function endpointWord(spec: BusSpec): string {
  return "path" in spec
    ? `device ${spec.path}`
    : "port" in spec
      ? `address ${spec.host}:${spec.port}`
      : "endpoint";
}

/** What the older variables meant, as a bus list (used when BUSES is unset). */
export interface LegacyBusVariables {
  HOST_TRANSPORT: "sim" | "device" | "qemu" | "none";
  QEMU_INTERFACE: SystemInterfaceKind;
  LAN_PORT: number | "off";
}

export function busesFromLegacy(vars: LegacyBusVariables, defaults: BusDefaults): BusSpec[] {
  const entries: string[] = [];
  switch (vars.HOST_TRANSPORT) {
    case "sim":
      entries.push("bt:sim");
      break;
    case "device":
      entries.push("bt:device");
      break;
    case "qemu":
      entries.push(`${vars.QEMU_INTERFACE}:qemu`);
      break;
    case "none":
      break;
  }
  // The satellite answers only what is bridged to it: idle unless asked.
  entries.push("ipmb:sim");
  if (vars.LAN_PORT !== "off") entries.push("lan");
  return parseBusList(entries.join(","), defaults);
}

/** For people: "kcs:qemu@127.0.0.1:9003". */
export function describeSpec(spec: BusSpec): string {
  switch (spec.transport) {
    case "sim":
      return `${spec.kind}:sim`;
    case "device":
      return `${spec.kind}:device@${spec.path}`;
    case "qemu":
    case "udp": {
      const host = spec.host.includes(":") ? `[${spec.host}]` : spec.host;
      return `${spec.kind}:${spec.transport}@${host}:${spec.port}`;
    }
  }
}
