/**
 * The BMC profile: everything that makes one simulated platform differ from another
 * (identity, GUIDs, sensors with their SDR fields, FRU inventory, SEL size, chassis,
 * channels and users), as JSON checked against a zod schema. A profile that does not
 * pass is refused at start with each field and the reason (ProfileError). The format
 * is documented in docs/profile.md; profiles/default.json is the shipped default.
 *
 * Numbers may be written as JSON numbers or as "0x.." strings; sensor types, units,
 * entities, channel media/protocols and privileges also take the names the spec's code
 * tables give them (server/ipmi/spec/tables.ts).
 * Thresholds, readings and ranges of threshold sensors are engineering values (°C, V,
 * RPM); the BMC converts them to raw bytes with the sensor's M, B and exponents.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { IMPLEMENTED_CIPHER_SUITES } from "../ipmi/lan/cipher-suites";
import { FRU_DATE_EPOCH_MS } from "../ipmi/records/fru";
import { type LinearFactors, rawDomain, valueToRaw } from "../ipmi/spec/linear";
import {
  ACCESS_MODES,
  CHANNEL_MEDIUM_TYPES,
  CHANNEL_PROTOCOL_TYPES,
  CHASSIS_TYPES,
  ENTITY_IDS,
  PRIVILEGE_LEVELS,
  SENSOR_TYPES,
  SENSOR_UNITS,
  SESSION_SUPPORT,
} from "../ipmi/spec/tables";
import { buildFruImage, FruImageError } from "./fru-image";
import defaultProfileJson from "./profiles/default.json" with { type: "json" };

// ---- field helpers ---------------------------------------------------------------

const hex = (n: number) => `0x${n.toString(16)}`;

function parseIntLike(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v !== "string") return Number.NaN;
  const s = v.trim();
  if (/^0x[0-9a-f]+$/i.test(s)) return Number.parseInt(s.slice(2), 16);
  if (/^-?\d+$/.test(s)) return Number(s);
  return Number.NaN;
}

/** An integer in min..max, as a JSON number or a "0x.." / decimal string. */
function int(min: number, max: number) {
  return z.unknown().transform((v, ctx) => {
    if (v === undefined) {
      ctx.addIssue({ code: "custom", message: "is required" });
      return z.NEVER;
    }
    const n = parseIntLike(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      const range = max > 255 ? `${min}..${max}` : `${min}..${max} (${hex(min)}..${hex(max)})`;
      ctx.addIssue({ code: "custom", message: `must be an integer in ${range}, is ${JSON.stringify(v)}` });
      return z.NEVER;
    }
    return n;
  });
}

const byte = int(0, 0xff);

/** A name from `table` or an integer in 0..max. */
function code(table: Readonly<Record<string, number>>, what: string, max = 0xff) {
  return z.unknown().transform((v, ctx) => {
    if (typeof v === "string" && Object.hasOwn(table, v)) return table[v]!;
    const n = parseIntLike(v);
    if (Number.isInteger(n) && n >= 0 && n <= max) return n;
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(v)} is not a ${what}: use a number 0..${hex(max)} or one of ${Object.keys(table).join(", ")}`,
    });
    return z.NEVER;
  });
}

/** A finite number (engineering value). */
const real = z.number({ message: "must be a number" }).refine(Number.isFinite, "must be a finite number");

/** Printable ASCII, for SDR ID strings and FRU fields (8-bit ASCII type/length codes). */
function ascii(max: number) {
  return z
    .string()
    .max(max, `at most ${max} characters`)
    .regex(/^[\x20-\x7e]*$/, "printable ASCII only");
}

/** A FRU text field: FRU spec 1.0 section 13 forbids a 1-byte 8-bit ASCII field (C1h ends the fields). */
const fruText = ascii(63).refine(
  (s) => s.length !== 1,
  "a FRU field of exactly 1 character would encode as C1h, the end-of-fields marker",
);

const guid = z
  .string()
  .regex(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
    "an RFC 4122 GUID such as 8f3b2c1d-5e6f-4a7b-9c8d-0e1f2a3b4c5d",
  );

const entity = z.strictObject({
  id: code(ENTITY_IDS.codes, "entity id"),
  instance: int(0, 0x7f).default(1),
  /** Entity instance byte bit 7: 1 = logical container entity (device-relative instance 60h-7Fh). */
  logical: z.boolean().default(false),
});

// ---- device ------------------------------------------------------------------------

const firmwareRevision = z
  .string()
  .regex(/^\d{1,3}\.\d{2}$/, 'a revision like "1.05": major 0..127, two minor digits')
  .transform((s, ctx) => {
    const [major, minor] = s.split(".").map(Number) as [number, number];
    if (major > 127) {
      ctx.addIssue({ code: "custom", message: "major revision must be 0..127 (7 bits)" });
      return z.NEVER;
    }
    return { major, minor };
  });

const ipmiVersion = z
  .enum(["1.0", "1.5", "2.0"], { message: 'one of "1.0", "1.5", "2.0"' })
  .transform((s) => {
    const [major, minor] = s.split(".").map(Number) as [number, number];
    return (minor << 4) | major;
  });

const device = z.strictObject({
  deviceId: byte.default(0x20),
  deviceRevision: int(0, 0x0f).default(1),
  firmwareRevision: firmwareRevision.default({ major: 1, minor: 0 }),
  ipmiVersion: ipmiVersion.default(0x02),
  manufacturerId: int(0, 0xfffff),
  productId: int(0, 0xffff),
  auxFirmwareRevision: z.array(byte).length(4, "exactly 4 bytes").nullable().default(null),
  providesDeviceSdrs: z.boolean().default(false),
  /** Get Device ID byte 6; when absent it follows what this BMC implements (sensors, SDR, SEL, FRU, chassis). */
  additionalDeviceSupport: byte.optional(),
  /** The BMC's IPMB slave address: SDR owner IDs, Get Chassis Capabilities addresses. */
  slaveAddress: byte.default(0x20),
  /** ID string of the Management Controller Device Locator record. */
  name: ascii(16).min(1).default("BMC"),
  entity: entity.prefault({ id: "system-management-module", instance: 1 }),
});

// ---- sensors -----------------------------------------------------------------------

export const THRESHOLD_NAMES = ["lnc", "lc", "lnr", "unc", "uc", "unr"] as const;
export type ThresholdName = (typeof THRESHOLD_NAMES)[number];
/** Threshold event names, bit n of the SDR's 12-bit assertion/deassertion masks. */
export const THRESHOLD_EVENT_NAMES = [
  "lnc-low",
  "lnc-high",
  "lc-low",
  "lc-high",
  "lnr-low",
  "lnr-high",
  "unc-low",
  "unc-high",
  "uc-low",
  "uc-high",
  "unr-low",
  "unr-high",
] as const;
export type ThresholdEventName = (typeof THRESHOLD_EVENT_NAMES)[number];

const movement = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("constant") }),
  z.strictObject({
    kind: z.literal("sine"),
    /** Engineering units either side of `reading`. */
    amplitude: real.refine((n) => n >= 0, "must be >= 0"),
    periodSeconds: real.refine((n) => n > 0, "must be > 0"),
    /** Where in its period the wave is at clock time 0, degrees. */
    phaseDegrees: real.default(0),
  }),
]);

const sensorCommon = {
  number: int(0, 0xfe),
  lun: int(0, 3).default(0),
  name: ascii(16).min(1, "needs a name (the SDR ID string)"),
  type: code(SENSOR_TYPES.codes, "sensor type"),
  entity: entity,
  /** The reading is unavailable (Get Sensor Reading byte 2 bit 5) while the chassis is powered off. */
  requiresHostPower: z.boolean().default(false),
};

const thresholdValues = z.strictObject({
  lnc: real.optional(),
  lc: real.optional(),
  lnr: real.optional(),
  unc: real.optional(),
  uc: real.optional(),
  unr: real.optional(),
});

const thresholdSensor = z.strictObject({
  ...sensorCommon,
  kind: z.literal("threshold"),
  unit: code(SENSOR_UNITS.codes, "unit"),
  percentage: z.boolean().default(false),
  format: z.enum(["unsigned", "twos-complement"]).default("unsigned"),
  m: int(1, 511),
  b: int(-512, 511).default(0),
  bExp: int(-8, 7).default(0),
  rExp: int(-8, 7).default(0),
  tolerance: int(0, 63).default(0),
  accuracy: int(0, 1023).default(0),
  accuracyExp: int(0, 3).default(0),
  /** The reading at clock time 0 (and the centre of its movement). */
  reading: real,
  movement: movement.default({ kind: "constant" }),
  thresholds: thresholdValues.default({}),
  /** Which thresholds Set Sensor Threshold may change; default: every one the profile defines. */
  settable: z.array(z.enum(THRESHOLD_NAMES)).optional(),
  hysteresis: z.strictObject({ positive: byte.default(0), negative: byte.default(0) }).prefault({}),
  nominal: real.optional(),
  normalMin: real.optional(),
  normalMax: real.optional(),
  /** Sensor minimum and maximum readings (SDR bytes 35-36); default: the ends of the raw range. */
  min: real.optional(),
  max: real.optional(),
  /** Event masks; default: going-high for each upper and going-low for each lower threshold defined. */
  events: z
    .strictObject({
      assertion: z.array(z.enum(THRESHOLD_EVENT_NAMES)).optional(),
      deassertion: z.array(z.enum(THRESHOLD_EVENT_NAMES)).optional(),
    })
    .prefault({}),
});

const offset = int(0, 14);

const discreteSensor = z.strictObject({
  ...sensorCommon,
  kind: z.literal("discrete"),
  /** Event/reading type code: 02h-0Ch generic, 6Fh sensor-specific, 70h-7Fh OEM. */
  eventReadingType: int(0x02, 0x7f)
    .refine(
      (n) => n <= 0x0c || n >= 0x6f,
      "must be 02h-0Ch (generic), 6Fh (sensor-specific) or 70h-7Fh (OEM)",
    )
    .default(0x6f),
  /** The state offsets this sensor can report (the SDR's discrete reading mask). */
  states: z.array(offset).min(1, "list at least one state offset"),
  /** The states asserted at start. */
  asserted: z.array(offset).default([]),
  events: z
    .strictObject({ assertion: z.array(offset).optional(), deassertion: z.array(offset).optional() })
    .prefault({}),
});

const sensor = z.discriminatedUnion("kind", [thresholdSensor, discreteSensor], {
  message: 'each sensor needs "kind": "threshold" or "discrete"',
});

// ---- FRU ---------------------------------------------------------------------------

const fruDevice = z.strictObject({
  id: int(0, 0xfe),
  /** ID string of the FRU Device Locator record. */
  name: ascii(16).min(1),
  /** Bytes of the FRU inventory area (Get FRU Inventory Area Info); the rest after the areas is 00h. */
  size: int(8, 0xffff).default(256),
  entity: entity.prefault({ id: "system-board", instance: 1 }),
  chassis: z
    .strictObject({
      type: code(CHASSIS_TYPES.codes, "chassis type"),
      partNumber: fruText.default(""),
      serialNumber: fruText.default(""),
      custom: z.array(fruText).default([]),
    })
    .optional(),
  board: z
    .strictObject({
      language: byte.default(0),
      /** ISO date-time; stored as minutes since 1996-01-01 00:00 UTC. */
      manufacturedAt: z.iso
        .datetime({ offset: true, message: 'an ISO date-time such as "2024-03-01T08:00:00Z"' })
        .transform((s, ctx) => {
          const minutes = Math.floor((Date.parse(s) - FRU_DATE_EPOCH_MS) / 60_000);
          if (!(minutes >= 0 && minutes <= 0xffffff)) {
            ctx.addIssue({ code: "custom", message: "must fall between 1996-01-01 and 2027-11-24" });
            return z.NEVER;
          }
          return minutes;
        })
        .optional(),
      manufacturer: fruText.default(""),
      productName: fruText.default(""),
      serialNumber: fruText.default(""),
      partNumber: fruText.default(""),
      fruFileId: fruText.default(""),
      custom: z.array(fruText).default([]),
    })
    .optional(),
  product: z
    .strictObject({
      language: byte.default(0),
      manufacturer: fruText.default(""),
      name: fruText.default(""),
      partNumber: fruText.default(""),
      version: fruText.default(""),
      serialNumber: fruText.default(""),
      assetTag: fruText.default(""),
      fruFileId: fruText.default(""),
      custom: z.array(fruText).default([]),
    })
    .optional(),
});

// ---- channels and users ------------------------------------------------------------

const channel = z.strictObject({
  /** 0 is the primary IPMB, 1..0Bh implementation-specific, 0Fh the system interface. */
  number: int(0, 0x0f).refine((n) => n <= 0x0b || n === 0x0f, "channel numbers are 0..0Bh or 0Fh"),
  medium: code(CHANNEL_MEDIUM_TYPES.codes, "channel medium type", 0x7f),
  protocol: code(CHANNEL_PROTOCOL_TYPES.codes, "channel protocol type", 0x1f),
  sessionSupport: z.enum(Object.keys(SESSION_SUPPORT.codes) as [keyof typeof SESSION_SUPPORT.codes]),
  /** Get Channel Info bytes 8-9; for the system interface the SMS and event buffer interrupt types (FFh: none). */
  auxInfo: z.array(byte).length(2).default([0xff, 0xff]),
  /** Get Channel Access (session-based channels only). */
  access: z
    .strictObject({
      mode: z
        .enum(Object.keys(ACCESS_MODES.codes) as [keyof typeof ACCESS_MODES.codes])
        .default("always-available"),
      privilegeLimit: code(PRIVILEGE_LEVELS.codes, "privilege level", 5).default(
        PRIVILEGE_LEVELS.codes.administrator,
      ),
      pefAlerting: z.boolean().default(false),
      perMessageAuth: z.boolean().default(true),
      userLevelAuth: z.boolean().default(true),
    })
    .prefault({}),
});

const user = z.strictObject({
  /** User 1 is the null user (no name); this BMC has 16 user IDs. */
  id: int(1, 16),
  name: ascii(16).default(""),
  /**
   * The simulator's credential, plain text (test profiles): never a real BMC's. IPMI 2.0
   * passwords take up to 20 bytes; "" sets none. The shipped profile sets none: user 2
   * gets IPMI_ADMIN_PASSWORD or a generated one at the first start (users.ts).
   */
  password: ascii(20).default(""),
  enabled: z.boolean().default(true),
  privilege: code(PRIVILEGE_LEVELS.codes, "privilege level", 5).default(PRIVILEGE_LEVELS.codes.user),
  /** Channels the user may use; default: every session-based channel. */
  channels: z.array(int(0, 0x0f)).optional(),
});

// ---- the LAN channel's security ------------------------------------------------------

/** IPMI 1.5 authentication types a profile may enable (MD2 and OEM are not implemented). */
export const LAN_AUTH_TYPES = ["none", "md5", "straight"] as const;
export type LanAuthTypeName = (typeof LAN_AUTH_TYPES)[number];

/**
 * What the LAN channel accepts (lan-config.ts). The defaults are the safe ones: IPMI 1.5
 * with MD5 only, RMCP+ cipher suites 3 and 17, no null user, no anonymous login. "none",
 * "straight", suite 0 and the two `allow` switches weaken it and are only on when the
 * profile writes them (docs/profile.md, docs/security.md); the start log and the
 * dashboard say so (lanSecurityWarnings).
 */
const lan = z.strictObject({
  authTypes: z
    .array(z.enum(LAN_AUTH_TYPES, { message: `one of ${LAN_AUTH_TYPES.join(", ")}` }))
    .default(["md5"])
    .refine((a) => new Set(a).size === a.length, "each authentication type once"),
  cipherSuites: z
    .array(
      int(0, 0xff).refine(
        (n) => IMPLEMENTED_CIPHER_SUITES.includes(n),
        `this BMC implements cipher suites ${IMPLEMENTED_CIPHER_SUITES.join(", ")}`,
      ),
    )
    .max(16, "at most 16 cipher suites (LAN parameter 23)")
    .default([3, 17])
    .refine((a) => new Set(a).size === a.length, "each cipher suite once"),
  /** User 1 (no name) may log in with its password. */
  allowNullUser: z.boolean().default(false),
  /** User 1 may log in without a password (anonymous login). */
  allowAnonymous: z.boolean().default(false),
  /** Most sessions at once on the LAN channel. */
  sessionLimit: int(1, 63).default(8),
  /** A session idle this long is closed. */
  idleTimeoutSeconds: int(1, 3600).default(60),
  /** LAN parameter 16, the SNMP trap community string. */
  communityString: ascii(18).default("public"),
});

// ---- the profile ---------------------------------------------------------------------

const RESTORE_POLICIES = ["always-off", "previous", "always-on"] as const;

const profileShape = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  device,
  deviceGuid: guid,
  systemGuid: guid,
  selfTest: z.strictObject({ result: byte.default(0x55), detail: byte.default(0x00) }).prefault({}),
  /** Set/Get BMC Global Enables at start (bit 4 reserved). */
  globalEnables: byte.refine((n) => (n & 0x10) === 0, "bit 4 is reserved").default(0x08),
  btInterface: z
    .strictObject({
      outstandingRequests: byte.default(1),
      inputBufferSize: byte.default(0x3f),
      outputBufferSize: byte.default(0x3f),
      requestToResponseSeconds: byte.default(5),
      retries: byte.default(1),
    })
    .prefault({}),
  chassis: z
    .strictObject({
      restorePolicy: z.enum(RESTORE_POLICIES).default("previous"),
      /** Power state at the first start on a database, before there is a previous state to restore. */
      initialPower: z.enum(["on", "off"]).default("on"),
      capabilities: z
        .strictObject({
          intrusionSensor: z.boolean().default(false),
          frontPanelLockout: z.boolean().default(false),
          diagnosticInterrupt: z.boolean().default(true),
          powerInterlock: z.boolean().default(false),
        })
        .prefault({}),
      /** Get Chassis Status byte 4 (front panel button capabilities); null leaves it out. */
      frontPanelButtons: byte.nullable().default(null),
      pohMinutesPerCount: int(1, 0xff).default(60),
      /** Get POH Counter reading at the first start. */
      pohCounter: int(0, 0xffffffff).default(0),
    })
    .prefault({}),
  sel: z.strictObject({ capacity: int(1, 0xfffe).default(512) }).prefault({}),
  sensors: z.array(sensor).default([]),
  fru: z.array(fruDevice).default([]),
  channels: z.array(channel).default([]),
  users: z.array(user).default([]),
  lan: lan.prefault({}),
});

export type BmcProfile = z.output<typeof profileShape>;
export type SensorProfile = BmcProfile["sensors"][number];
export type ThresholdSensorProfile = Extract<SensorProfile, { kind: "threshold" }>;
export type DiscreteSensorProfile = Extract<SensorProfile, { kind: "discrete" }>;
export type FruProfile = BmcProfile["fru"][number];
export type ChannelProfile = BmcProfile["channels"][number];
export type UserProfile = BmcProfile["users"][number];
export type LanProfile = BmcProfile["lan"];

export function linearFactors(s: ThresholdSensorProfile): LinearFactors {
  return { m: s.m, b: s.b, bExp: s.bExp, rExp: s.rExp, format: s.format };
}

export const profileSchema = profileShape.superRefine(crossCheck);

type CheckCtx = z.core.$RefinementCtx<BmcProfile>;

/** Checks that need more than one field: uniqueness, raw ranges, threshold order. */
function crossCheck(p: BmcProfile, ctx: CheckCtx): void {
  const issue = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: "custom", path, message });

  const seenSensors = new Map<string, number>();
  p.sensors.forEach((s, i) => {
    const key = `${s.lun}:${s.number}`;
    const first = seenSensors.get(key);
    if (first !== undefined)
      issue(
        ["sensors", i, "number"],
        `sensor number ${hex(s.number)} on LUN ${s.lun} is already sensors[${first}]`,
      );
    else seenSensors.set(key, i);
    if (s.kind === "threshold") checkThresholdSensor(s, (path, m) => issue(["sensors", i, ...path], m));
    else {
      for (const a of s.asserted)
        if (!s.states.includes(a)) issue(["sensors", i, "asserted"], `state ${a} is not in "states"`);
      for (const which of ["assertion", "deassertion"] as const)
        for (const e of s.events[which] ?? [])
          if (!s.states.includes(e)) issue(["sensors", i, "events", which], `state ${e} is not in "states"`);
    }
  });

  const seenFru = new Map<number, number>();
  p.fru.forEach((f, i) => {
    const first = seenFru.get(f.id);
    if (first !== undefined) issue(["fru", i, "id"], `FRU device ${f.id} is already fru[${first}]`);
    else seenFru.set(f.id, i);
    // The areas' layouts refuse what the FRU spec cannot hold, naming the field; a field the
    // schema already refused (a text too long, a one-character text) is not reported twice.
    try {
      buildFruImage(f);
    } catch (err) {
      const at = ["fru", i, ...(err instanceof FruImageError ? err.path : ["size"])];
      const known = ctx.issues.some((x) => at.every((part, k) => x.path?.[k] === part));
      if (!known) issue(at, err instanceof Error ? err.message : String(err));
    }
  });

  const seenChannels = new Map<number, number>();
  p.channels.forEach((c, i) => {
    const first = seenChannels.get(c.number);
    if (first !== undefined)
      issue(["channels", i, "number"], `channel ${c.number} is already channels[${first}]`);
    else seenChannels.set(c.number, i);
    if (c.number === 0x0f && c.medium !== CHANNEL_MEDIUM_TYPES.codes["system-interface"])
      issue(["channels", i, "medium"], 'channel 0Fh is the system interface: medium "system-interface"');
  });

  const seenUsers = new Map<number, number>();
  const seenNames = new Map<string, number>();
  p.users.forEach((u, i) => {
    const first = seenUsers.get(u.id);
    if (first !== undefined) issue(["users", i, "id"], `user ${u.id} is already users[${first}]`);
    else seenUsers.set(u.id, i);
    for (const c of u.channels ?? []) {
      const at = seenChannels.get(c);
      if (at === undefined) issue(["users", i, "channels"], `channel ${c} is not in "channels"`);
      else if (p.channels[at]?.sessionSupport === "session-less")
        issue(
          ["users", i, "channels"],
          `channel ${c} is session-less: users log in on session-based channels`,
        );
    }
    if (u.id === 1 && u.name !== "")
      issue(["users", i, "name"], "user 1 is the null user: its name is empty");
    const named = u.name === "" ? undefined : seenNames.get(u.name);
    if (named !== undefined) issue(["users", i, "name"], `user name "${u.name}" is already users[${named}]`);
    else if (u.name !== "") seenNames.set(u.name, i);
  });
}

function checkThresholdSensor(
  s: ThresholdSensorProfile,
  issue: (path: (string | number)[], message: string) => void,
): void {
  const f = linearFactors(s);
  const { min, max } = rawDomain(f.format);
  const toRaw = (path: (string | number)[], value: number | undefined) => {
    if (value === undefined) return undefined;
    const raw = valueToRaw(value, f);
    if (raw === null) {
      issue(
        path,
        `${value} needs a raw reading outside ${min}..${max} with M=${f.m}, B=${f.b}, Bexp=${f.bExp}, Rexp=${f.rExp}`,
      );
    }
    return raw ?? undefined;
  };
  toRaw(["reading"], s.reading);
  for (const k of ["nominal", "normalMin", "normalMax", "min", "max"] as const) toRaw([k], s[k]);
  // Values that convert, in engineering units (M > 0, so raw order is value order).
  const values: Partial<Record<ThresholdName, number>> = {};
  for (const name of THRESHOLD_NAMES) {
    if (toRaw(["thresholds", name], s.thresholds[name]) !== undefined) values[name] = s.thresholds[name];
  }
  // Lower thresholds below upper ones, each in its severity order.
  const order: ThresholdName[] = ["lnr", "lc", "lnc", "unc", "uc", "unr"];
  const defined = order.filter((n) => values[n] !== undefined);
  for (let i = 1; i < defined.length; i++) {
    const lo = defined[i - 1]!;
    const hi = defined[i]!;
    const a = values[lo]!;
    const b = values[hi]!;
    const strict = lo.startsWith("l") && hi.startsWith("u");
    if (strict ? !(a < b) : !(a <= b)) {
      issue(["thresholds", hi], `${hi} (${b}) must be ${strict ? "above" : "at or above"} ${lo} (${a})`);
    }
  }
  for (const name of s.settable ?? []) {
    if (s.thresholds[name] === undefined)
      issue(["settable"], `threshold ${name} is settable but not defined`);
  }
  if (s.movement.kind === "sine" && s.movement.amplitude > 0) {
    // Readings are clamped to the raw range; a wave that leaves it would flatten.
    for (const edge of [s.reading - s.movement.amplitude, s.reading + s.movement.amplitude]) {
      if (valueToRaw(edge, f) === null) {
        issue(
          ["movement", "amplitude"],
          `reading ${s.reading} ± ${s.movement.amplitude} leaves the raw range`,
        );
        break;
      }
    }
  }
}

// ---- loading -----------------------------------------------------------------------

export class ProfileError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`BMC profile ${source} refused:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ProfileError";
  }
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || "(profile)";
}

/** Checks a parsed JSON value; throws ProfileError naming each bad field and why. */
export function parseProfile(json: unknown, source = "(inline)"): BmcProfile {
  const parsed = profileSchema.safeParse(json);
  if (!parsed.success) {
    throw new ProfileError(
      source,
      parsed.error.issues.map((i) => `${formatPath(i.path)}: ${i.message}`),
    );
  }
  return parsed.data;
}

/** Reads and checks a profile file. */
export async function loadProfileFile(path: string): Promise<BmcProfile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    throw new ProfileError(path, [
      `cannot read the file: ${err instanceof Error ? err.message : String(err)}`,
    ]);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ProfileError(path, [`not valid JSON: ${err instanceof Error ? err.message : String(err)}`]);
  }
  return parseProfile(json, path);
}

let cachedDefault: BmcProfile | undefined;

/** The shipped default profile (server/bmc/profiles/default.json), parsed once; treat as read-only. */
export function defaultProfile(): BmcProfile {
  cachedDefault ??= parseProfile(defaultProfileJson, "profiles/default.json");
  return cachedDefault;
}

/** BMC_PROFILE unset: the shipped default; set: that file. */
export function loadProfile(path?: string): Promise<BmcProfile> {
  return path ? loadProfileFile(path) : Promise.resolve(defaultProfile());
}
