/**
 * The LAN channel as the dashboard sees it: open sessions and IPMI users (issue 9), and
 * the bodies the API takes to change them. Shared by the server and the UI.
 */
import { z } from "zod";
import type { Privilege } from "../ipmi/commands/define";

/** One open LAN session (IPMI 1.5 or RMCP+). */
export interface LanSessionInfo {
  /** The BMC's session ID. */
  id: number;
  /** 1..limit: what Get Session Info and Close Session call it. */
  handle: number;
  channel: number;
  userId: number;
  user: string;
  /** Operating privilege, and the highest it may switch to. */
  privilege: Privilege;
  maxPrivilege: Privilege;
  /** "127.0.0.1:50123". */
  peer: string;
  protocol: "ipmi-1.5" | "rmcp+";
  /** RMCP+: the cipher suite ID. */
  cipherSuite: number | null;
  /** IPMI 1.5: "MD5", "straight password" or "none". */
  authType: string | null;
  /** ms since the epoch. */
  openedAt: number;
  lastActivityAt: number;
}

export interface LanSessionsResponse {
  sessions: LanSessionInfo[];
  /** Sessions the channel takes at once. */
  limit: number;
  idleTimeoutSeconds: number;
  /** What the profile weakened (straight password, auth type none, suite 0, null user, anonymous); empty when nothing. */
  warnings: string[];
  /** The LAN bus's address ("udp 127.0.0.1:6230"), or null when LAN is off. */
  listening: string | null;
}

/** One IPMI user (IDs 1..16; unused IDs have no name and are disabled). */
export interface IpmiUserInfo {
  id: number;
  name: string;
  enabled: boolean;
  hasPassword: boolean;
  /** The form the password was set in (16: IPMI 1.5, 20: IPMI 2.0). */
  passwordSize: 16 | 20;
  /** Per session-based channel. */
  access: Array<{
    channel: number;
    /** "no access" when the user may not use the channel. */
    privilege: Privilege | "oem" | "no access";
    ipmiMessaging: boolean;
  }>;
}

export interface IpmiUsersResponse {
  users: IpmiUserInfo[];
}

const PRINTABLE = /^[\x20-\x7e]*$/;

/** PATCH /api/ipmi-users/[id]: any of these; each change is audited. */
export const ipmiUserPatchSchema = z
  .strictObject({
    name: z.string().max(16, "at most 16 characters").regex(PRINTABLE, "printable ASCII").optional(),
    password: z
      .string()
      .min(1)
      .max(20, "at most 20 characters")
      .regex(PRINTABLE, "printable ASCII")
      .optional(),
    enabled: z.boolean().optional(),
    /** Privilege limit and IPMI messaging on a channel. */
    access: z
      .strictObject({
        channel: z.number().int().min(0).max(15),
        privilege: z.enum(["callback", "user", "operator", "admin", "no access"]),
        ipmiMessaging: z.boolean().optional(),
      })
      .optional(),
  })
  .refine((b) => Object.keys(b).length > 0, "nothing to change");

export type IpmiUserPatch = z.infer<typeof ipmiUserPatchSchema>;
