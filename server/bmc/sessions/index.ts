/**
 * The BMC's LAN sessions, built from its users, channel access and LAN configuration: the
 * session table, the login logic (lan-login.ts) and the session commands' handlers. The
 * runtime builds this beside the BMC when the LAN bus is on and hands `login` to the bus.
 */
import type { Channels } from "../channels";
import { sessionHandlers } from "../handlers/session";
import type { LanConfig } from "../lan-config";
import type { BmcProfile } from "../profile";
import type { IpmiUsers } from "../users";
import { LanLogin, type LoginPolicy } from "./lan-login";
import { SessionTable } from "./session-table";

export interface LanSessionParts {
  profile: Pick<BmcProfile, "lan">;
  users: IpmiUsers;
  channels: Channels;
  lanConfig: LanConfig;
  /** The system GUID as Get System GUID sends it (RAKP 2 carries it). */
  guid: () => Uint8Array;
}

/** Channel access and LAN configuration as the login logic asks for them. */
export function loginPolicy(channels: Channels, lanConfig: LanConfig): LoginPolicy {
  return {
    channelPrivilegeLimit: (channel) =>
      channels.sessionsAllowed(channel) ? (channels.get(channel, "volatile")?.privilegeLimit ?? 0) : 0,
    userLevelAuth: (channel) => channels.get(channel, "volatile")?.userLevelAuth ?? true,
    authTypeEnabled: (privilege, authType) => lanConfig.authTypeEnabled(privilege, authType),
    enabledCipherSuites: () => lanConfig.enabledCipherSuites(),
    cipherSuitePrivilege: (id) => lanConfig.cipherSuitePrivilege(id),
    nullUserAllowed: () => lanConfig.nullUserAllowed(),
    anonymousAllowed: () => lanConfig.anonymousAllowed(),
  };
}

export function createLanSessions(parts: LanSessionParts) {
  const channel = parts.channels.lanChannel() ?? 1;
  const table = new SessionTable({
    limit: parts.profile.lan.sessionLimit,
    idleTimeoutMs: parts.profile.lan.idleTimeoutSeconds * 1000,
  });
  parts.channels.countSessionsWith((c) => table.count(c));
  const { users } = parts;
  const login = new LanLogin({
    table,
    channel,
    users: {
      byName: (name) => users.byName(name),
      passwordKey: (u, length) => users.passwordKey(users.byId(u.id)!, length),
      fitsIn16: (u) => users.fitsIn16(users.byId(u.id)!),
      hasPassword: (u) => users.hasPassword(users.byId(u.id)!),
      channelAccess: (u, c) => users.channelAccess(users.byId(u.id)!, c),
    },
    policy: loginPolicy(parts.channels, parts.lanConfig),
    guid: parts.guid,
  });
  return { table, login, handlers: sessionHandlers(login) };
}

export type LanSessions = ReturnType<typeof createLanSessions>;
