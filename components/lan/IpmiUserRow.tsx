"use client";

import { NULL_USER_LABEL } from "@/components/format";
import type { IpmiUserInfo } from "@/server/contract/lan";
import { isUnused, NULL_USER_ID, passwordState } from "./lanFormat";
import { ChannelAccessEditor, EnabledSwitch, NameEditor, PasswordEditor } from "./UserEditors";
import { useUserPatch } from "./useUserPatch";

interface IpmiUserRowProps {
  user: IpmiUserInfo;
  channels: readonly number[];
  canControl: boolean;
  onChanged: (user: IpmiUserInfo) => void;
}

/** One user ID: its name, enabled state, password and per-channel access; editable by operators. */
export function IpmiUserRow({ user, channels, canControl, onChanged }: IpmiUserRowProps) {
  const patcher = useUserPatch(user.id, onChanged);
  const unused = isUnused(user);
  const readOnly = !canControl;
  return (
    <tr
      className={user.enabled ? undefined : "is-disabled"}
      data-testid={`ipmi-user-${user.id}`}
      data-name={user.name}
      data-enabled={user.enabled}
      data-has-password={user.hasPassword}
    >
      <td className="num mono">{user.id}</td>
      <td>
        {readOnly ? (
          <span data-testid={`ipmi-user-name-text-${user.id}`}>
            {user.id === NULL_USER_ID ? (
              <span className="muted">{NULL_USER_LABEL}</span>
            ) : unused ? (
              <span className="muted">(unused)</span>
            ) : (
              user.name
            )}
          </span>
        ) : (
          <NameEditor user={user} patcher={patcher} />
        )}
      </td>
      <td>
        <EnabledSwitch user={user} patcher={patcher} readOnly={readOnly} />
      </td>
      <td data-testid={`ipmi-user-has-password-${user.id}`}>
        <span
          className={user.hasPassword ? undefined : "muted"}
          title={
            user.hasPassword && user.passwordSize === 20
              ? "Set in the IPMI 2.0 form: a password longer than 16 characters cannot be used by IPMI 1.5 sessions"
              : undefined
          }
        >
          {passwordState(user)}
        </span>
      </td>
      {!readOnly && (
        <td>
          <PasswordEditor user={user} patcher={patcher} />
        </td>
      )}
      {channels.map((channel) => (
        <td key={channel}>
          <ChannelAccessEditor user={user} patcher={patcher} channel={channel} readOnly={readOnly} />
        </td>
      ))}
      <td className="lan-row-error">
        {patcher.error !== null && (
          <span
            className="error-text"
            role="alert"
            title={patcher.error}
            data-testid={`ipmi-user-error-${user.id}`}
          >
            {patcher.error}
          </span>
        )}
      </td>
    </tr>
  );
}
