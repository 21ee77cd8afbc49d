"use client";

import { formatIso, formatTime } from "@/components/format";
import { useNow } from "@/components/useNow";
import type { LanSessionInfo } from "@/server/contract/lan";
import { CloseSessionButton } from "./CloseSessionButton";
import {
  formatDuration,
  nearIdleTimeout,
  sessionIdHex,
  sessionPrivilege,
  sessionProtocol,
  sessionUser,
} from "./lanFormat";

interface SessionsTableProps {
  sessions: readonly LanSessionInfo[];
  idleTimeoutSeconds: number;
  /** An operator: each row gets a Close button. */
  canControl: boolean;
  onClosed: () => void;
}

/** The open LAN sessions, with their idle time ticking. */
export function SessionsTable({ sessions, idleTimeoutSeconds, canControl, onClosed }: SessionsTableProps) {
  const now = useNow(1000, sessions.length > 0);
  return (
    <table className="htable lan-table" data-testid="lan-sessions-table">
      <thead>
        <tr>
          <th scope="col" className="num">
            #
          </th>
          <th scope="col">Session ID</th>
          <th scope="col">User</th>
          <th scope="col">Privilege</th>
          <th scope="col">Client</th>
          <th scope="col">Protocol</th>
          <th scope="col">Opened</th>
          <th scope="col" className="num">
            Idle
          </th>
          {canControl && <th scope="col" aria-label="Actions" />}
        </tr>
      </thead>
      <tbody>
        {sessions.map((s) => {
          const idle = now - s.lastActivityAt;
          const protocol = sessionProtocol(s);
          return (
            <tr
              key={s.id}
              data-testid="lan-session-row"
              data-session-id={s.id}
              data-user={s.user}
              data-peer={s.peer}
            >
              <td className="num mono">{s.handle}</td>
              <td className="mono" title={`channel ${s.channel}`}>
                {sessionIdHex(s.id)}
              </td>
              <td>{sessionUser(s)}</td>
              <td>{sessionPrivilege(s)}</td>
              <td className="mono">{s.peer}</td>
              <td title={protocol.long}>{protocol.short}</td>
              <td className="mono" title={formatIso(s.openedAt)}>
                {formatTime(s.openedAt)}
              </td>
              <td
                className={`num mono${nearIdleTimeout(idle, idleTimeoutSeconds) ? " lan-idle-late" : ""}`}
                title={`closed after ${idleTimeoutSeconds} s without a packet`}
                data-testid={`lan-session-idle-${s.id}`}
              >
                {formatDuration(idle)}
              </td>
              {canControl && (
                <td>
                  <CloseSessionButton session={s} onClosed={onClosed} />
                </td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
