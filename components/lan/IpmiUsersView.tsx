"use client";

import { useMemo } from "react";
import { useCanControl, useOperator } from "@/components/live/useLiveStream";
import { usePolling } from "@/components/usePolling";
import type { IpmiUserInfo } from "@/server/contract/lan";
import { IpmiUserRow } from "./IpmiUserRow";
import { fetchIpmiUsers } from "./lanApi";
import { userChannels } from "./lanFormat";

/** Users change over IPMI too (Set User Name, Set User Password from a console): read them now and then. */
const REFRESH_MS = 5000;

/** The IPMI Users page: user IDs 1-16 with their names, state, passwords and channel access. */
export function IpmiUsersView() {
  const canControl = useCanControl();
  const operator = useOperator();
  const { data: users, error, reload, replace } = usePolling(fetchIpmiUsers, REFRESH_MS);
  const channels = useMemo(() => userChannels(users ?? []), [users]);

  const onChanged = (user: IpmiUserInfo) => {
    replace((list) => list?.map((u) => (u.id === user.id ? user : u)) ?? null);
    reload();
  };

  const enabled = users?.filter((u) => u.enabled).length ?? 0;

  return (
    <div className="page lan">
      <div className="toolbar">
        <h1 className="page-title">IPMI users</h1>
        {users !== null && (
          <span className="muted" data-testid="ipmi-user-counts">
            {users.length} user IDs, {enabled} enabled · who may open a LAN session, with which password and
            privilege
          </span>
        )}
        {error !== null && (
          <span className="error-text" role="alert" data-testid="ipmi-users-error">
            Could not load the users: {error}
          </span>
        )}
      </div>
      <div className="page-scroll">
        {users === null ? (
          error === null && <p className="muted pad">Loading users…</p>
        ) : (
          <table className="htable lan-table" data-testid="ipmi-users-table">
            <thead>
              <tr>
                <th scope="col" className="num">
                  ID
                </th>
                <th scope="col">Name</th>
                <th scope="col">Enabled</th>
                <th scope="col">Password</th>
                {canControl && <th scope="col">Set password</th>}
                {channels.map((c) => (
                  <th key={c} scope="col" title={`Privilege limit and IPMI messaging on channel ${c}`}>
                    Channel {c}
                  </th>
                ))}
                <th scope="col" aria-label="Errors" />
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <IpmiUserRow
                  key={u.id}
                  user={u}
                  channels={channels}
                  canControl={canControl}
                  onChanged={onChanged}
                />
              ))}
            </tbody>
          </table>
        )}
        {operator?.role === "viewer" && (
          <p className="muted pad" data-testid="ipmi-users-readonly">
            Signed in as a viewer: IPMI users can be looked at, not changed.
          </p>
        )}
      </div>
    </div>
  );
}
