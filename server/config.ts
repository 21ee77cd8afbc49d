/**
 * Configuration from the environment, checked against a schema at start so a typo
 * stops the server with the variable's name and the reason instead of odd behaviour.
 */
import { readFileSync } from "node:fs";
import os from "node:os";
import { z } from "zod";
import { BusListError, type BusSpec, busesFromLegacy, parseBusList, splitHostPort } from "./buses/bus-list";
import { QEMU_INTERFACES } from "./buses/vm/qemu-interfaces";
import { type HostSerialSpec, parseHostSerial } from "./console/parse-host-serial";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

/** Beyond loopback, sign-in still protects everything, but passwords cross the network. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host);
}

const rate = z
  .string()
  .trim()
  .transform((s, ctx) => {
    if (/^(max|flat-?out|inf(inity)?)$/i.test(s)) return Number.POSITIVE_INFINITY;
    const n = Number(s);
    if (!Number.isFinite(n) || n <= 0 || n > 100_000) {
      ctx.addIssue({
        code: "custom",
        message: "a number of messages per second (0 < rate <= 100000) or 'max'",
      });
      return z.NEVER;
    }
    return n;
  });

/** Who is on the host side of the BMC (README, docs/real-bmc.md). */
export const HOST_TRANSPORTS = ["sim", "device", "qemu", "none"] as const;

/** The environment variables, as they are read. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .regex(/^file:.+/, "a SQLite URL such as file:./data/bmc.db")
    .default("file:./data/bmc.db"),
  /** The host side: the simulated host (BT), the bt-bmc device (BT), a QEMU guest, or nobody. */
  HOST_TRANSPORT: z.enum(HOST_TRANSPORTS).optional(),
  /** HOST_TRANSPORT's old name, still accepted so existing scripts keep working. */
  BT_TRANSPORT: z.enum(HOST_TRANSPORTS).optional(),
  /** HOST_TRANSPORT=qemu: the guest's IPMI interface in QEMU (isa-ipmi-bt, isa-ipmi-kcs, smbus-ipmi). */
  QEMU_INTERFACE: z.enum(QEMU_INTERFACES).optional(),
  /**
   * Every bus the server runs, `kind[:transport][@address]` comma-separated (server/buses/bus-list.ts,
   * README): replaces HOST_TRANSPORT and QEMU_INTERFACE, which remain its shorthands.
   */
  BUSES: z.string().trim().min(1).optional(),
  /** A file with the BUSES list (one entry per line or comma-separated, `#` comments). */
  BUSES_FILE: z.string().trim().min(1).optional(),
  /** HOST_TRANSPORT=device: the Linux bt-bmc character device. */
  BT_DEVICE: z.string().min(1).default("/dev/ipmi-bt-host"),
  /** HOST_TRANSPORT=qemu: where QEMU's ipmi-bmc-extern chardev meets us, host:port (port 0: any free one). */
  QEMU_BMC: z
    .string()
    .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5}$/, "host:port, e.g. 127.0.0.1:9002 or [::1]:9002")
    .refine((v) => Number(v.slice(v.lastIndexOf(":") + 1)) <= 65535, "port above 65535")
    .default("127.0.0.1:9002"),
  /** listen: QEMU connects to us (-chardev socket,...,reconnect=1); connect: we dial a QEMU that listens. */
  QEMU_MODE: z.enum(["listen", "connect"]).default("listen"),
  /** Optional: QEMU's QMP socket (unix:/path or host:port), how the BMC hears of VM resets. */
  QEMU_QMP: z
    .string()
    .regex(/^(unix:.+|(tcp:)?(\[[0-9a-fA-F:.]+\]|[^:\s]+):\d{1,5})$/, "unix:/path/qmp.sock or host:port")
    .optional(),
  SIM_RATE: rate.default(10),
  HANDLER_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(2000),
  /** Path of a BMC profile JSON (docs/profile.md); unset: the shipped server/bmc/profiles/default.json. */
  BMC_PROFILE: z.string().trim().min(1).optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "silent"]).default("info"),
  /** With no operator yet, creates "admin" with this password (scripts, tests). */
  DASHBOARD_ADMIN_PASSWORD: z.string().min(10, "at least 10 characters").max(256).optional(),
  /** How long a request may be held for an operator (each bus's own deadline, before its host gives up, applies too). */
  HOLD_DEADLINE_MS: z.coerce.number().int().min(100).max(600_000).default(4000),
  /** What an expired hold does: let the handler answer, or answer C3h. */
  HOLD_EXPIRY: z.enum(["handler", "timeout"]).default("handler"),
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  /** The LAN bus (RMCP/RMCP+ on UDP): where it listens. Loopback unless asked. */
  LAN_HOST: z.string().trim().min(1).default("127.0.0.1"),
  /** The LAN bus's UDP port; "off" runs without it. 623 is IPMI's own port (needs root). */
  LAN_PORT: z.union([z.literal("off"), z.coerce.number().int().min(0).max(65535)]).default(6230),
  /** The password user 2 ("admin") gets at the first start on a database; unset: one is generated and printed once. */
  IPMI_ADMIN_PASSWORD: z
    .string()
    .min(1)
    .max(20, "IPMI passwords are at most 20 bytes")
    .regex(/^[\x20-\x7e]+$/, "printable ASCII")
    .optional(),
  /**
   * The host's serial line, the console the BMC owns: `qemu:127.0.0.1:9004` (a QEMU guest's
   * serial chardev connects to us) or `tty:/dev/ttyVUART0@115200` (a BMC's virtual UART).
   */
  HOST_SERIAL: z
    .string()
    .trim()
    .min(1)
    .transform((value, ctx): HostSerialSpec => {
      const parsed = parseHostSerial(value);
      if (parsed.ok) return parsed.spec;
      ctx.addIssue({ code: "custom", message: parsed.error });
      return z.NEVER;
    })
    .optional(),
  /** Keep the exchange log to this many days (oldest exchanges by id go first); unset keeps everything. */
  RETENTION_DAYS: z.coerce.number().int().positive().optional(),
  /** Keep at most this many exchanges in the log (the newest); unset keeps everything. */
  RETENTION_ROWS: z.coerce.number().int().positive().optional(),
  /** Exchanges the log writer keeps while the database refuses writes; past it new ones are dropped and counted. */
  LOG_BUFFER_RECORDS: z.coerce.number().int().min(1).max(10_000_000).default(100_000),
  /**
   * The fleet's shared store (docs/scaling.md): `postgresql://user:pw@host:5432/db`. Unset,
   * the node runs alone on its SQLite log, as always.
   */
  FLEET_DATABASE_URL: z
    .string()
    .trim()
    .regex(/^postgres(ql)?:\/\/\S+$/, "a postgresql:// URL")
    .optional(),
  /** The dashboard address other nodes and people are given (default: http://HOST:PORT as it listens). */
  FLEET_ADVERTISE_URL: z
    .string()
    .trim()
    .url()
    .regex(/^https?:\/\//, "an http:// or https:// URL")
    .optional(),
  /** A node not seen for this long lists as gone (it beats at least three times as often). */
  FLEET_GONE_AFTER_MS: z.coerce.number().int().min(300).max(3_600_000).default(15_000),
  /**
   * Days of exchanges, audit entries and console text the shared store keeps (one node at a
   * time prunes older rows, server/fleet/fleet-retention.ts); 0 keeps everything. Unset means
   * 30, not "everything" as RETENTION_DAYS does for the local log: a node's own log is
   * bounded by its own disk and its operator, but the store takes every node's rows, about
   * 1.3 GB a day per node at 50 exchanges/s (docs/scaling.md), and would fill by default.
   */
  FLEET_RETENTION_DAYS: z.coerce.number().int().min(0).max(36_500).default(30),
  /** This node's name in the fleet: letters, digits, '.', '_' and '-' (default: the host name). */
  NODE_NAME: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, "1-63 letters, digits, '.', '_' or '-'")
    .default(
      () =>
        os
          .hostname()
          .replace(/[^A-Za-z0-9._-]/g, "-")
          .slice(0, 63) || "node",
    ),
});

/** The configuration: BT_TRANSPORT folded into HOST_TRANSPORT, the bus list parsed into `buses`. */
export const configSchema = envSchema
  .superRefine((env, ctx) => {
    if (env.BUSES !== undefined) {
      for (const old of ["HOST_TRANSPORT", "BT_TRANSPORT", "QEMU_INTERFACE"] as const) {
        if (env[old] !== undefined) {
          ctx.addIssue({
            code: "custom",
            path: [old],
            message: `BUSES lists the buses; ${old} is its older shorthand: set one of the two`,
          });
        }
      }
    }
  })
  .superRefine((env, ctx) => {
    if (env.HOST_TRANSPORT && env.BT_TRANSPORT && env.HOST_TRANSPORT !== env.BT_TRANSPORT) {
      ctx.addIssue({
        code: "custom",
        path: ["HOST_TRANSPORT"],
        message: `'${env.HOST_TRANSPORT}' but BT_TRANSPORT (its old name) says '${env.BT_TRANSPORT}'; set only HOST_TRANSPORT`,
      });
    }
  })
  .transform(({ BT_TRANSPORT, HOST_TRANSPORT, QEMU_INTERFACE, BUSES, BUSES_FILE: _file, ...rest }, ctx) => {
    const host = HOST_TRANSPORT ?? BT_TRANSPORT ?? "sim";
    const iface = QEMU_INTERFACE ?? "bt";
    const defaults = {
      btDevice: rest.BT_DEVICE,
      // Both already checked against their schemas: host:port.
      qemu: splitHostPort(rest.QEMU_BMC) ?? { host: "127.0.0.1", port: 9002 },
      lan: { host: rest.LAN_HOST, port: rest.LAN_PORT === "off" ? 6230 : rest.LAN_PORT },
    };
    let buses: BusSpec[];
    try {
      buses =
        BUSES === undefined
          ? busesFromLegacy(
              { HOST_TRANSPORT: host, QEMU_INTERFACE: iface, LAN_PORT: rest.LAN_PORT },
              defaults,
            )
          : parseBusList(BUSES, defaults);
    } catch (err) {
      if (!(err instanceof BusListError)) throw err;
      ctx.addIssue({ code: "custom", path: ["BUSES"], message: err.message });
      return z.NEVER;
    }
    if (BUSES !== undefined && rest.LAN_PORT === "off" && buses.some((b) => b.kind === "lan")) {
      ctx.addIssue({ code: "custom", path: ["BUSES"], message: "lists a LAN bus but LAN_PORT is off" });
      return z.NEVER;
    }
    return { ...rest, HOST_TRANSPORT: host, QEMU_INTERFACE: iface, buses };
  });

export type Config = z.output<typeof configSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") picked[key] = value;
  }
  if (picked.BUSES_FILE !== undefined) {
    if (picked.BUSES !== undefined) throw new ConfigError(["BUSES_FILE: set BUSES or BUSES_FILE, not both"]);
    try {
      picked.BUSES = readFileSync(picked.BUSES_FILE, "utf8");
    } catch (err) {
      throw new ConfigError([`BUSES_FILE: cannot read ${picked.BUSES_FILE}: ${(err as Error).message}`]);
    }
  }
  const parsed = configSchema.safeParse(picked);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join(".") || "config"}: ${i.message}`));
  }
  return parsed.data;
}
