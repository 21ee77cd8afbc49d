/**
 * What the dashboard reads and changes of the LAN channel: open sessions (close one) and
 * IPMI users (rename, set a password, enable, disable, change a channel's privilege
 * limit). The routes authenticate, validate and audit; this only maps and applies.
 */

import type { LanSession, SessionTable } from "../bmc/sessions/session-table";
import { privilegeName } from "../bmc/sessions/session-table";
import { type IpmiUser, type IpmiUsers, PRIVILEGE, UserTableError } from "../bmc/users";
import type { IpmiUserInfo, IpmiUserPatch, IpmiUsersResponse, LanSessionInfo } from "../contract/lan";
import { AUTH_TYPE_NAMES } from "../ipmi/lan/auth15";
import type { LanServices } from "../services";

const PRIVILEGE_LIMIT: Record<NonNullable<IpmiUserPatch["access"]>["privilege"], number> = {
  callback: PRIVILEGE.CALLBACK,
  user: PRIVILEGE.USER,
  operator: PRIVILEGE.OPERATOR,
  admin: PRIVILEGE.ADMINISTRATOR,
  "no access": PRIVILEGE.NO_ACCESS,
};

export function sessionInfo(s: LanSession): LanSessionInfo {
  return {
    id: s.id,
    handle: s.handle,
    channel: s.channel,
    userId: s.userId,
    user: s.userName,
    privilege: privilegeName(s.privilege),
    maxPrivilege: privilegeName(s.maxPrivilege),
    peer: s.peer,
    protocol: s.protection.kind,
    cipherSuite: s.protection.kind === "rmcp+" ? s.protection.cipherSuite : null,
    authType: s.protection.kind === "ipmi-1.5" ? (AUTH_TYPE_NAMES.get(s.protection.authType) ?? null) : null,
    openedAt: s.createdAt,
    lastActivityAt: s.lastActivity,
  };
}

export function userInfo(users: IpmiUsers, u: IpmiUser): IpmiUserInfo {
  return {
    id: u.id,
    name: u.name,
    enabled: u.enabled,
    hasPassword: users.hasPassword(u),
    passwordSize: u.passwordSize,
    access: users.channels.map((channel) => {
      const a = users.channelAccess(u, channel);
      const limit = a.privilegeLimit;
      return {
        channel,
        privilege: limit === PRIVILEGE.NO_ACCESS ? "no access" : limit === 5 ? "oem" : privilegeName(limit),
        ipmiMessaging: a.ipmiMessaging,
      };
    }),
  };
}

export interface LanAdminParts {
  users: IpmiUsers;
  /** Absent when the LAN bus is off. */
  table: SessionTable | undefined;
  warnings: () => string[];
  listening: () => string | null;
  idleTimeoutSeconds: number;
  limit: number;
}

export function lanServices(p: LanAdminParts): LanServices {
  return {
    sessions: () => ({
      sessions: (p.table?.list() ?? []).map(sessionInfo),
      limit: p.limit,
      idleTimeoutSeconds: p.idleTimeoutSeconds,
      warnings: p.warnings(),
      listening: p.listening(),
    }),
    closeSession: (id, reason) => p.table?.close(id, reason) ?? false,
    users: (): IpmiUsersResponse => ({ users: p.users.list().map((u) => userInfo(p.users, u)) }),
    updateUser(id, patch) {
      if (!p.users.byId(id)) return null;
      try {
        if (patch.name !== undefined) p.users.setName(id, patch.name);
        if (patch.password !== undefined)
          p.users.setPassword(id, patch.password, patch.password.length > 16 ? 20 : 16);
        if (patch.enabled !== undefined) p.users.setEnabled(id, patch.enabled);
        if (patch.access !== undefined) {
          const { channel, privilege, ipmiMessaging } = patch.access;
          p.users.setAccess(id, channel, {
            privilegeLimit: PRIVILEGE_LIMIT[privilege],
            ...(ipmiMessaging === undefined ? {} : { ipmiMessaging }),
          });
        }
      } catch (err) {
        if (err instanceof UserTableError) return { error: err.message };
        throw err;
      }
      return userInfo(p.users, p.users.byId(id)!);
    },
  };
}
