/**
 * The LAN pages' pure parts (lanFormat.test.ts): sessions and IPMI users as people read
 * them, and the checks the user editors make before sending. Relative imports keep it
 * loadable by a bare vitest, as components/format.ts.
 */
import type { IpmiUserInfo, IpmiUserPatch, LanSessionInfo } from "../../server/contract/lan";
import { ipmiUserPatchSchema } from "../../server/contract/lan";
import { cipherSuite, cipherSuiteLabel } from "../../server/ipmi/lan/cipher-suites";
import { hexN } from "../../server/ipmi/layout/format";
import { NULL_USER_LABEL } from "../format";

/** A BMC session ID as the spec writes it: "0200A1B2h". */
export function sessionIdHex(id: number): string {
  return hexN(id >>> 0, 8);
}

/** "RMCP+ suite 3" / "IPMI 1.5, MD5", and the long form for a tooltip. */
export function sessionProtocol(s: Pick<LanSessionInfo, "protocol" | "cipherSuite" | "authType">): {
  short: string;
  long: string;
} {
  if (s.protocol === "rmcp+") {
    if (s.cipherSuite === null) return { short: "RMCP+", long: "RMCP+ (IPMI 2.0)" };
    const suite = cipherSuite(s.cipherSuite);
    return {
      short: `RMCP+ suite ${s.cipherSuite}`,
      long: `RMCP+ (IPMI 2.0), cipher suite ${suite ? cipherSuiteLabel(suite) : s.cipherSuite}`,
    };
  }
  const auth = s.authType ?? "unknown";
  return { short: `IPMI 1.5, ${auth}`, long: `IPMI 1.5 session, authentication type ${auth}` };
}

/** A span of time for people: "0 s", "42 s", "3 min 04 s", "2 h 05 min". Negative counts as 0. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor((Number.isFinite(ms) ? ms : 0) / 1000));
  if (total < 60) return `${total} s`;
  const minutes = Math.floor(total / 60);
  if (minutes < 60) return `${minutes} min ${String(total % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** Whether a session has been idle for at least `fraction` of the idle timeout (close to being closed). */
export function nearIdleTimeout(idleMs: number, idleTimeoutSeconds: number, fraction = 0.75): boolean {
  return idleTimeoutSeconds > 0 && idleMs >= idleTimeoutSeconds * 1000 * fraction;
}

const PRIVILEGE_NAMES: Readonly<Record<string, string>> = {
  none: "None",
  callback: "Callback",
  user: "User",
  operator: "Operator",
  admin: "Administrator",
  oem: "OEM",
  "no access": "No access",
};

/** "Operator", "Administrator", "No access". */
export function privilegeName(p: string): string {
  return PRIVILEGE_NAMES[p] ?? p;
}

/** "Operator (max Administrator)", or one name when the session already runs at its maximum. */
export function sessionPrivilege(s: Pick<LanSessionInfo, "privilege" | "maxPrivilege">): string {
  return s.privilege === s.maxPrivilege
    ? privilegeName(s.privilege)
    : `${privilegeName(s.privilege)} (max ${privilegeName(s.maxPrivilege)})`;
}

/** "alice (3)", "(null user) (1)". */
export function sessionUser(s: Pick<LanSessionInfo, "user" | "userId">): string {
  return `${s.user === "" ? NULL_USER_LABEL : s.user} (${s.userId})`;
}

// ---- IPMI users ---------------------------------------------------------------------------

/** The privilege limits a channel's select offers, highest first (what the PATCH body takes). */
export const PRIVILEGE_CHOICES = ["admin", "operator", "user", "callback", "no access"] as const;
export type PrivilegeChoice = (typeof PRIVILEGE_CHOICES)[number];

export function isPrivilegeChoice(v: string): v is PrivilegeChoice {
  return (PRIVILEGE_CHOICES as readonly string[]).includes(v);
}

/** User 1: the null user, whose name is fixed empty. */
export const NULL_USER_ID = 1;

/** The channels any user has an entry for, ascending: the users table's channel columns. */
export function userChannels(users: readonly IpmiUserInfo[]): number[] {
  const set = new Set<number>();
  for (const u of users) for (const a of u.access) set.add(a.channel);
  return [...set].sort((a, b) => a - b);
}

/** A user's access on a channel; no entry means no access. */
export function accessOn(user: IpmiUserInfo, channel: number): IpmiUserInfo["access"][number] {
  return (
    user.access.find((a) => a.channel === channel) ?? {
      channel,
      privilege: "no access",
      ipmiMessaging: false,
    }
  );
}

/** An unused user ID: no name, not enabled, no password (the null user is never "unused"). */
export function isUnused(user: IpmiUserInfo): boolean {
  return user.id !== NULL_USER_ID && user.name === "" && !user.enabled && !user.hasPassword;
}

/** "yes (20-byte form)" / "no". */
export function passwordState(user: Pick<IpmiUserInfo, "hasPassword" | "passwordSize">): string {
  return user.hasPassword ? `yes (${user.passwordSize}-byte form)` : "no";
}

/**
 * What the server would say about this change, checked with the contract's own schema:
 * null when it may be sent, else the first problem ("password: at most 20 characters").
 * The message never contains the value.
 */
export function patchProblem(patch: IpmiUserPatch): string | null {
  const parsed = ipmiUserPatchSchema.safeParse(patch);
  if (parsed.success) return null;
  const issue = parsed.error.issues[0];
  if (issue === undefined) return "invalid change";
  const path = issue.path.join(".");
  return path === "" ? issue.message : `${path}: ${issue.message}`;
}

/** The problem with a new password before it is sent: 1-20 printable ASCII characters. */
export function passwordProblem(password: string): string | null {
  if (password.length === 0) return "type a password (1-20 printable characters)";
  return patchProblem({ password });
}

/** The problem with a new user name before it is sent (user 1's cannot be set at all). */
export function nameProblem(userId: number, name: string): string | null {
  if (userId === NULL_USER_ID) return "user 1 is the null user: its name cannot be set";
  return patchProblem({ name });
}

/**
 * An ipmitool command line that opens a session with the LAN bus at `listening`
 * ("udp 127.0.0.1:6230"); null when the address is not in that form.
 */
export function ipmitoolHint(listening: string): string | null {
  const m = /^(?:udp\s+)?(\[[^\]]+\]|[^\s:]+):(\d+)$/.exec(listening.trim());
  if (m === null) return null;
  const host = m[1]!.replace(/^\[(.*)\]$/, "$1");
  return `ipmitool -I lanplus -H ${host} -p ${m[2]} -U <user> -P <password> session info active`;
}
