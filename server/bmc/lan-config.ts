/**
 * The LAN channel's configuration parameters (IPMI 2.0 section 23.1, table 23-4), as
 * Set / Get LAN Configuration Parameters carry them, reporting what the LAN bus really
 * does, and the security settings the session code asks about (which IPMI 1.5
 * authentication types and RMCP+ cipher suites a login may use, at which privilege).
 *
 * Implemented parameters:
 * - 0 set in progress: "set in progress" is a lock (81h when already set), writes take
 *   effect at once and "commit write" completes the set (as boot options do);
 * - 1 authentication type support (read only): none, MD5, straight password;
 * - 2 authentication type enables, per privilege level (the profile's `lan.authTypes`);
 * - 3 IP address, 4 IP address source (static), 5 MAC address, 6 subnet mask, 8 primary
 *   RMCP port, 12 default gateway, 13 default gateway MAC (read only): where the LAN bus
 *   listens (LAN_HOST / LAN_PORT), and what the host's interface of that address says;
 *   no gateway (00h) since the bus does not route;
 * - 16 community string;
 * - 22 cipher suite entry support, 23 cipher suite entries (read only: the profile's
 *   `lan.cipherSuites`), 24 the maximum privilege of each entry (0 = entry unused).
 * Every other parameter answers 80h, parameter not supported; a read-only one 82h on Set.
 *
 * What an administrator changes persists (the store's "ipmi-lan" setting).
 */
import { networkInterfaces } from "node:os";
import { z } from "zod";
import {
  AUTH_TYPE_BIT,
  CC_LAN_PARAMETER_NOT_SUPPORTED,
  CC_LAN_READ_ONLY,
  CC_LAN_SET_IN_PROGRESS,
  LAN_PARAM,
} from "../ipmi/commands/transport";
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/ipmi-error";
import type { Logger } from "../logger";
import { Emitter } from "./emitter";
import { invalidField } from "./invalid-field";
import type { BmcProfile, LanAuthTypeName, LanProfile } from "./profile";
import type { ResetKind } from "./reset";

/** Where the LAN bus listens; null while it does not. */
export interface LanAddress {
  ip: string;
  port: number;
}

/** What the host says of the interface carrying an address. */
export interface LanInterface {
  /** "aa:bb:cc:dd:ee:ff". */
  mac: string;
  /** "255.255.255.0". */
  netmask: string;
}

/** IPMI 1.5 authentication types (table 13-17's session header codes). */
export const AUTH_TYPE = { NONE: 0, MD2: 1, MD5: 2, STRAIGHT: 4, OEM: 5 } as const;

/** What this BMC's session code implements (parameter 1): none, MD5, straight password. */
export const AUTH_TYPE_SUPPORT = AUTH_TYPE_BIT.NONE | AUTH_TYPE_BIT.MD5 | AUTH_TYPE_BIT.STRAIGHT;

const AUTH_BITS_OF: Readonly<Record<LanAuthTypeName, number>> = {
  none: AUTH_TYPE_BIT.NONE,
  md5: AUTH_TYPE_BIT.MD5,
  straight: AUTH_TYPE_BIT.STRAIGHT,
};

/** Parameter 2's five bytes: callback, user, operator, administrator, OEM. */
const PRIVILEGE_LEVELS = 5;
/** Parameter 16. */
const COMMUNITY_BYTES = 18;
/** Parameter 24: eight bytes, two entries each. */
const PRIVILEGE_BYTES = 8;
/** Parameter 4: static address (the bus's address is configured, LAN_HOST). */
const SOURCE_STATIC = 0x01;
const ADMINISTRATOR = 0x04;

const SET_COMPLETE = 0;
const SET_IN_PROGRESS = 1;
const COMMIT_WRITE = 2;

/** Parameters Set answers 82h to: table 23-4's read-only ones, and what the bus's configuration decides. */
const READ_ONLY: ReadonlySet<number> = new Set([
  LAN_PARAM.AUTH_TYPE_SUPPORT,
  LAN_PARAM.IP_ADDRESS,
  LAN_PARAM.IP_ADDRESS_SOURCE,
  LAN_PARAM.MAC_ADDRESS,
  LAN_PARAM.SUBNET_MASK,
  LAN_PARAM.PRIMARY_RMCP_PORT,
  LAN_PARAM.DEFAULT_GATEWAY,
  LAN_PARAM.DEFAULT_GATEWAY_MAC,
  LAN_PARAM.CIPHER_SUITE_ENTRY_SUPPORT,
  LAN_PARAM.CIPHER_SUITE_ENTRIES,
]);

/** Data bytes of the parameters Set may write. */
const WRITABLE_LENGTH: ReadonlyMap<number, number> = new Map([
  [LAN_PARAM.SET_IN_PROGRESS, 1],
  [LAN_PARAM.AUTH_TYPE_ENABLES, PRIVILEGE_LEVELS],
  [LAN_PARAM.COMMUNITY_STRING, COMMUNITY_BYTES],
  [LAN_PARAM.CIPHER_SUITE_PRIVILEGES, 1 + PRIVILEGE_BYTES],
]);

const SUPPORTED: ReadonlySet<number> = new Set([...READ_ONLY, ...WRITABLE_LENGTH.keys()]);

const savedLan = z.object({
  version: z.literal(1),
  authEnables: z.array(z.number().int().min(0).max(0xff)).length(PRIVILEGE_LEVELS),
  /** Parameter 16's 18 bytes, hex. */
  community: z.string().regex(/^([0-9a-f]{2}){18}$/),
  /** [cipher suite ID, maximum privilege]. */
  cipherPrivileges: z.array(z.tuple([z.number().int().min(0).max(0xff), z.number().int().min(0).max(4)])),
});
export type SavedLan = z.infer<typeof savedLan>;

export interface LanConfigOptions {
  profile: Pick<BmcProfile, "lan" | "channels">;
  /** The store's "ipmi-lan" setting at start. */
  saved?: unknown;
  /** Where the LAN bus listens (the runtime's bus); default: nowhere yet. */
  address?: () => LanAddress | null;
  /** The host's interface of an IPv4 address; default: os.networkInterfaces(). */
  interfaceOf?: (ip: string) => LanInterface | undefined;
  log?: Logger;
}

function hostInterfaceOf(ip: string): LanInterface | undefined {
  for (const list of Object.values(networkInterfaces())) {
    const found = list?.find((i) => i.family === "IPv4" && i.address === ip);
    if (found) return { mac: found.mac, netmask: found.netmask };
  }
  return undefined;
}

/** "192.0.2.1" -> its four bytes; 0.0.0.0 for anything that is not an IPv4 address. */
function ipv4Bytes(ip: string | undefined): number[] {
  const parts = ip?.split(".").map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN)) ?? [];
  return parts.length === 4 && parts.every((p) => p <= 255) ? parts : [0, 0, 0, 0];
}

function macBytes(mac: string | undefined): number[] {
  const parts =
    mac?.split(":").map((p) => (/^[0-9a-f]{2}$/i.test(p) ? Number.parseInt(p, 16) : Number.NaN)) ?? [];
  return parts.length === 6 && parts.every((p) => !Number.isNaN(p)) ? parts : [0, 0, 0, 0, 0, 0];
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

export class LanConfig {
  /** The LAN channel these parameters are of (the profile's first 802.3 channel). */
  readonly channel: number;
  /** Most sessions at once on the channel (profile `lan.sessionLimit`). */
  readonly sessionLimit: number;
  readonly idleTimeoutSeconds: number;
  private readonly lan: LanProfile;
  private readonly entries: readonly number[];
  private setInProgress = SET_COMPLETE;
  private authEnables: number[];
  private community: Uint8Array;
  /** Maximum privilege of each entry, by index into `entries`. */
  private privileges: number[];
  private address: () => LanAddress | null;
  private readonly interfaceOf: (ip: string) => LanInterface | undefined;
  private readonly changes = new Emitter<number>();

  constructor(options: LanConfigOptions) {
    const { lan, channels } = options.profile;
    this.lan = lan;
    this.channel = channels.find((c) => c.medium === 0x04)?.number ?? 1;
    this.sessionLimit = lan.sessionLimit;
    this.idleTimeoutSeconds = lan.idleTimeoutSeconds;
    this.entries = [...lan.cipherSuites];
    this.address = options.address ?? (() => null);
    this.interfaceOf = options.interfaceOf ?? hostInterfaceOf;
    const bits = lan.authTypes.reduce((m, t) => m | AUTH_BITS_OF[t], 0);
    this.authEnables = new Array<number>(PRIVILEGE_LEVELS).fill(bits);
    this.community = new Uint8Array(COMMUNITY_BYTES);
    this.community.set(new TextEncoder().encode(lan.communityString));
    this.privileges = this.entries.map(() => ADMINISTRATOR);
    if (options.saved !== undefined) this.restore(options.saved, options.log);
  }

  private restore(saved: unknown, log: Logger | undefined): void {
    const parsed = savedLan.safeParse(saved);
    if (!parsed.success) {
      log?.warn(
        `bmc: saved LAN configuration is not usable (${parsed.error.issues[0]?.message}); using the profile's`,
      );
      return;
    }
    const s = parsed.data;
    this.authEnables = s.authEnables.map((b) => b & AUTH_TYPE_SUPPORT);
    this.community = Uint8Array.from(Buffer.from(s.community, "hex"));
    const kept = new Map(s.cipherPrivileges);
    // Suites the profile lists now; one it added since starts at administrator.
    this.privileges = this.entries.map((id) => kept.get(id) ?? ADMINISTRATOR);
  }

  /** Where the LAN bus listens, for parameters 3-6 and 8. */
  takeAddressFrom(address: () => LanAddress | null): void {
    this.address = address;
  }

  // ---- what the session code asks ------------------------------------------------------------

  /** Parameter 1's bits: the authentication types the session code implements. */
  authTypeSupport(): number {
    return AUTH_TYPE_SUPPORT;
  }

  /**
   * Whether an IPMI 1.5 session may use `authType` (0 none, 1 MD2, 2 MD5, 4 straight
   * password, 5 OEM) at `privilege` (1 callback .. 4 administrator, 5 OEM).
   */
  authTypeEnabled(privilege: number, authType: number): boolean {
    const levels = this.authEnables[privilege - 1];
    if (levels === undefined || !Number.isInteger(authType) || authType < 0 || authType > 5) return false;
    const bit = 1 << authType;
    return (levels & bit & AUTH_TYPE_SUPPORT) !== 0;
  }

  /** The authentication type bits enabled at `privilege` (1..5), as parameter 2 holds them. */
  authTypesAt(privilege: number): number {
    return this.authEnables[privilege - 1] ?? 0;
  }

  /** The cipher suites a session may open with: the entries whose maximum privilege is not 0, in entry order. */
  enabledCipherSuites(): number[] {
    return this.entries.filter((_, i) => this.privileges[i]! > 0);
  }

  /** The highest privilege a session of `suiteId` may reach (1..4); 0 when the suite cannot be used. */
  cipherSuitePrivilege(suiteId: number): number {
    const i = this.entries.indexOf(suiteId);
    return i < 0 ? 0 : this.privileges[i]!;
  }

  /** User 1 (no name) may log in with its password (profile `lan.allowNullUser`). */
  nullUserAllowed(): boolean {
    return this.lan.allowNullUser;
  }

  /** User 1 may log in without a password (profile `lan.allowAnonymous`). */
  anonymousAllowed(): boolean {
    return this.lan.allowAnonymous;
  }

  // ---- Set / Get LAN Configuration Parameters ---------------------------------------------------

  /** Whether Get / Set know the parameter; throws IpmiError 80h otherwise. */
  requireSupported(parameter: number): void {
    if (!SUPPORTED.has(parameter)) {
      throw new IpmiError(CC_LAN_PARAMETER_NOT_SUPPORTED, `LAN parameter ${parameter} is not supported`);
    }
  }

  /** Get LAN Configuration Parameters (23.2): the parameter's data; 80h for one not supported. */
  get(parameter: number): Uint8Array {
    this.requireSupported(parameter);
    const address = this.address();
    const ip = address?.ip;
    const iface = ip === undefined ? undefined : this.interfaceOf(ip);
    switch (parameter) {
      case LAN_PARAM.SET_IN_PROGRESS:
        return Uint8Array.of(this.setInProgress);
      case LAN_PARAM.AUTH_TYPE_SUPPORT:
        return Uint8Array.of(AUTH_TYPE_SUPPORT);
      case LAN_PARAM.AUTH_TYPE_ENABLES:
        return Uint8Array.from(this.authEnables);
      case LAN_PARAM.IP_ADDRESS:
        return Uint8Array.from(ipv4Bytes(ip));
      case LAN_PARAM.IP_ADDRESS_SOURCE:
        return Uint8Array.of(SOURCE_STATIC);
      case LAN_PARAM.MAC_ADDRESS:
        return Uint8Array.from(macBytes(iface?.mac));
      case LAN_PARAM.SUBNET_MASK:
        return Uint8Array.from(ipv4Bytes(iface?.netmask));
      case LAN_PARAM.PRIMARY_RMCP_PORT: {
        const port = address?.port ?? 0;
        return Uint8Array.of(port & 0xff, (port >> 8) & 0xff);
      }
      case LAN_PARAM.DEFAULT_GATEWAY:
        return new Uint8Array(4);
      case LAN_PARAM.DEFAULT_GATEWAY_MAC:
        return new Uint8Array(6);
      case LAN_PARAM.COMMUNITY_STRING:
        return Uint8Array.from(this.community);
      case LAN_PARAM.CIPHER_SUITE_ENTRY_SUPPORT:
        return Uint8Array.of(this.entries.length);
      case LAN_PARAM.CIPHER_SUITE_ENTRIES:
        return Uint8Array.of(0, ...this.entries);
      case LAN_PARAM.CIPHER_SUITE_PRIVILEGES: {
        const out = new Uint8Array(1 + PRIVILEGE_BYTES);
        this.privileges.forEach((p, i) => {
          const at = 1 + (i >> 1);
          out[at] = (out[at] ?? 0) | (i & 1 ? p << 4 : p);
        });
        return out;
      }
      default:
        throw new IpmiError(CC_LAN_PARAMETER_NOT_SUPPORTED, `LAN parameter ${parameter} is not supported`);
    }
  }

  /**
   * Set LAN Configuration Parameters (23.1). 80h for a parameter not supported, 82h for a
   * read-only one, C7h/C8h for data of the wrong length, CCh for reserved bits and values,
   * 81h for "set in progress" while a set is in progress.
   */
  set(parameter: number, data: Uint8Array): void {
    this.requireSupported(parameter);
    if (READ_ONLY.has(parameter)) {
      throw new IpmiError(CC_LAN_READ_ONLY, `LAN parameter ${parameter} is read-only`);
    }
    const length = WRITABLE_LENGTH.get(parameter)!;
    if (data.length < length) {
      throw new IpmiError(CC.REQUEST_LENGTH_INVALID, `LAN parameter ${parameter} takes ${length} bytes`);
    }
    if (data.length > length) {
      throw new IpmiError(
        CC.REQUEST_FIELD_LENGTH_EXCEEDED,
        `LAN parameter ${parameter} takes ${length} bytes`,
      );
    }
    switch (parameter) {
      case LAN_PARAM.SET_IN_PROGRESS: {
        const v = data[0]!;
        if (v & 0xfc) invalidField("set in progress bits 7:2 are reserved");
        if (v === 3) invalidField("set in progress value 11b is reserved");
        if (v === SET_IN_PROGRESS && this.setInProgress === SET_IN_PROGRESS) {
          throw new IpmiError(CC_LAN_SET_IN_PROGRESS, "a set is already in progress");
        }
        // Writes take effect at once, so a commit write completes the set.
        this.setInProgress = v === COMMIT_WRITE ? SET_COMPLETE : v;
        break;
      }
      case LAN_PARAM.AUTH_TYPE_ENABLES: {
        for (const [i, b] of data.entries()) {
          if (b & ~AUTH_TYPE_SUPPORT) {
            invalidField(
              `authentication type enables byte ${i + 1} (${b.toString(16)}h) enables a type this BMC does not support`,
            );
          }
        }
        this.authEnables = [...data];
        break;
      }
      case LAN_PARAM.COMMUNITY_STRING:
        this.community = Uint8Array.from(data);
        break;
      case LAN_PARAM.CIPHER_SUITE_PRIVILEGES: {
        if (data[0] !== 0) invalidField("cipher suite privilege levels byte 1 is reserved");
        const next = this.entries.map((_, i) => (data[1 + (i >> 1)]! >> (i & 1 ? 4 : 0)) & 0x0f);
        const bad = next.findIndex((p) => p > ADMINISTRATOR);
        if (bad >= 0) {
          invalidField(`cipher suite entry ${bad} privilege ${next[bad]} is not 0 (unused) or 1..4`);
        }
        this.privileges = next;
        break;
      }
    }
    this.changes.emit(parameter);
  }

  /** Called with the parameter after each Set. */
  onChange(listener: (parameter: number) => void): () => void {
    return this.changes.on(listener);
  }

  /** Cold Reset: a set in progress is over. */
  reset(kind: ResetKind): void {
    if (kind === "cold") this.setInProgress = SET_COMPLETE;
  }

  /** The store's form. */
  persisted(): SavedLan {
    return {
      version: 1,
      authEnables: [...this.authEnables],
      community: hex(this.community),
      cipherPrivileges: this.entries.map((id, i) => [id, this.privileges[i]!] as [number, number]),
    };
  }
}

// ---- what weakens the channel --------------------------------------------------------------------

interface Weakenings {
  none: boolean;
  straight: boolean;
  suite0: boolean;
  nullUser: boolean;
  anonymous: boolean;
}

function weakeningsOf(source: BmcProfile | LanProfile | LanConfig): Weakenings {
  if (source instanceof LanConfig) {
    const levels = [1, 2, 3, 4, 5];
    return {
      none: levels.some((p) => source.authTypeEnabled(p, AUTH_TYPE.NONE)),
      straight: levels.some((p) => source.authTypeEnabled(p, AUTH_TYPE.STRAIGHT)),
      suite0: source.enabledCipherSuites().includes(0),
      nullUser: source.nullUserAllowed(),
      anonymous: source.anonymousAllowed(),
    };
  }
  const lan = "lan" in source ? source.lan : source;
  return {
    none: lan.authTypes.includes("none"),
    straight: lan.authTypes.includes("straight"),
    suite0: lan.cipherSuites.includes(0),
    nullUser: lan.allowNullUser,
    anonymous: lan.allowAnonymous,
  };
}

/**
 * What the LAN channel's settings weaken, one sentence each, for the dashboard and the
 * start log: an empty list when only the safe defaults are on. From a profile (what it
 * starts with) or the live configuration (what an administrator set since).
 */
export function lanSecurityWarnings(source: BmcProfile | LanProfile | LanConfig): string[] {
  const w = weakeningsOf(source);
  const out: string[] = [];
  if (w.none) {
    out.push('IPMI 1.5 authentication type "none" is enabled: sessions without any authentication');
  }
  if (w.straight) {
    out.push(
      'IPMI 1.5 authentication type "straight password" is enabled: the password crosses the network in clear',
    );
  }
  if (w.suite0) {
    out.push("RMCP+ cipher suite 0 is enabled: sessions without authentication, integrity or encryption");
  }
  if (w.nullUser) out.push("the null user (user 1, no name) may log in");
  if (w.anonymous) out.push("anonymous login (the null user without a password) is allowed");
  return out;
}
