/**
 * The LAN routes' pure parts (/api/lan/sessions/[id], /api/ipmi-users/[id]): their path
 * parameters, plain decimal integers in range or a 400 that says what was wrong, and what
 * the audit trail keeps of a user change.
 */
import type { IpmiUserPatch } from "../contract/lan";
import { HttpError } from "./route-helpers";

/** User IDs 1..16 (Get User Access: the BMC has 16). */
export const MAX_IPMI_USER_ID = 16;
const MAX_SESSION_ID = 0xffff_ffff;

function decimal(raw: string, what: string, min: number, max: number, range: string): number {
  const text = raw.trim();
  if (!/^\d{1,10}$/.test(text))
    throw new HttpError(400, `invalid ${what} '${raw}': give ${range} in decimal`);
  const n = Number(text);
  if (n < min || n > max) throw new HttpError(400, `invalid ${what} ${n}: give ${range}`);
  return n;
}

/** An IPMI user ID from the path: an integer 1..16. */
export function ipmiUserIdParam(raw: string): number {
  return decimal(raw, "IPMI user ID", 1, MAX_IPMI_USER_ID, `an integer 1-${MAX_IPMI_USER_ID}`);
}

/** A BMC session ID from the path: a positive 32-bit integer (0 means "no session" in IPMI). */
export function lanSessionIdParam(raw: string): number {
  return decimal(raw, "session ID", 1, MAX_SESSION_ID, `a positive 32-bit integer (1-${MAX_SESSION_ID})`);
}

/** What the audit trail keeps of an IPMI user change: every field, the password only as "(set)". */
export function auditedUserChange(patch: IpmiUserPatch): Record<string, unknown> {
  const { password, ...rest } = patch;
  return password === undefined ? rest : { ...rest, password: "(set)" };
}
