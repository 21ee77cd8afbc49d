"use client";

import { type FormEvent, useState } from "react";
import type { IpmiUserInfo } from "@/server/contract/lan";
import {
  accessOn,
  isPrivilegeChoice,
  NULL_USER_ID,
  nameProblem,
  PRIVILEGE_CHOICES,
  passwordProblem,
  privilegeName,
} from "./lanFormat";
import type { UserPatcher } from "./useUserPatch";

interface EditorProps {
  user: IpmiUserInfo;
  patcher: UserPatcher;
}

/** The name, editable in place: "Rename" sends it once it differs (Enter too). */
export function NameEditor({ user, patcher }: EditorProps) {
  // null: not being edited, show the server's name (it may change under us: Set User Name over IPMI).
  const [draft, setDraft] = useState<string | null>(null);
  const value = draft ?? user.name;
  const fixed = user.id === NULL_USER_ID;
  const dirty = draft !== null && draft !== user.name;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!dirty) return;
    const problem = nameProblem(user.id, value);
    if (problem !== null) return patcher.refuse(problem);
    if (await patcher.send("name", { name: value })) setDraft(null);
  };

  return (
    <form className="lan-editor" onSubmit={submit}>
      <input
        className="input lan-name"
        value={fixed ? "" : value}
        placeholder={fixed ? "(null user)" : "(unused)"}
        maxLength={16}
        disabled={fixed || patcher.busy !== null}
        title={
          fixed ? "User 1 is the null user: its name is always empty" : "At most 16 printable characters"
        }
        aria-label={`Name of IPMI user ${user.id}`}
        onChange={(e) => setDraft(e.target.value)}
        data-testid={`ipmi-user-name-${user.id}`}
      />
      {!fixed && (
        <button
          type="submit"
          className="btn"
          disabled={!dirty || patcher.busy !== null}
          data-testid={`ipmi-user-rename-${user.id}`}
        >
          {patcher.busy === "name" ? "Renaming…" : "Rename"}
        </button>
      )}
    </form>
  );
}

/** A new password: masked, 1-20 printable characters, never shown again (the server keeps no plain text for us). */
export function PasswordEditor({ user, patcher }: EditorProps) {
  const [password, setPassword] = useState("");

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problem = passwordProblem(password);
    if (problem !== null) return patcher.refuse(problem);
    if (await patcher.send("password", { password })) setPassword("");
  };

  return (
    <form className="lan-editor" onSubmit={submit}>
      <input
        className="input lan-password"
        type="password"
        autoComplete="new-password"
        value={password}
        maxLength={20}
        placeholder="new password"
        disabled={patcher.busy !== null}
        aria-label={`New password for IPMI user ${user.id}`}
        onChange={(e) => setPassword(e.target.value)}
        data-testid={`ipmi-user-password-${user.id}`}
      />
      <button
        type="submit"
        className="btn"
        disabled={password === "" || patcher.busy !== null}
        data-testid={`ipmi-user-set-password-${user.id}`}
      >
        {patcher.busy === "password" ? "Setting…" : "Set"}
      </button>
    </form>
  );
}

/** The enabled switch. */
export function EnabledSwitch({ user, patcher, readOnly }: EditorProps & { readOnly: boolean }) {
  const pending = patcher.busy === "enabled";
  return (
    <label
      className="switch"
      title={
        readOnly
          ? user.enabled
            ? "Enabled"
            : "Disabled"
          : user.enabled
            ? "Enabled: click to disable"
            : "Disabled: click to enable"
      }
    >
      <input
        type="checkbox"
        role="switch"
        aria-checked={user.enabled}
        aria-label={`Enable IPMI user ${user.id}`}
        aria-busy={pending}
        checked={user.enabled}
        disabled={readOnly || patcher.busy !== null}
        onChange={() => void patcher.send("enabled", { enabled: !user.enabled })}
        data-testid={`ipmi-user-enabled-${user.id}`}
      />
      <span className="switch-track" aria-hidden="true" />
    </label>
  );
}

/** A channel's privilege limit (select) and IPMI messaging (checkbox); read-only text for viewers. */
export function ChannelAccessEditor({
  user,
  patcher,
  channel,
  readOnly,
}: EditorProps & { channel: number; readOnly: boolean }) {
  const access = accessOn(user, channel);
  const field = `access-${channel}` as const;
  if (readOnly) {
    return (
      <span data-testid={`ipmi-user-access-${user.id}-${channel}`} data-privilege={access.privilege}>
        {privilegeName(access.privilege)}
        {access.privilege !== "no access" && !access.ipmiMessaging && (
          <span className="muted"> (no IPMI messaging)</span>
        )}
      </span>
    );
  }
  const settable = isPrivilegeChoice(access.privilege);
  return (
    <span className="lan-editor">
      <select
        className="input"
        value={access.privilege}
        disabled={patcher.busy !== null}
        aria-label={`Privilege limit of IPMI user ${user.id} on channel ${channel}`}
        onChange={(e) => {
          const privilege = e.target.value;
          if (isPrivilegeChoice(privilege)) void patcher.send(field, { access: { channel, privilege } });
        }}
        data-testid={`ipmi-user-privilege-${user.id}-${channel}`}
      >
        {!settable && (
          <option value={access.privilege} disabled>
            {privilegeName(access.privilege)}
          </option>
        )}
        {PRIVILEGE_CHOICES.map((p) => (
          <option key={p} value={p}>
            {privilegeName(p)}
          </option>
        ))}
      </select>
      <label
        className="check"
        title="IPMI messaging: whether the user may send IPMI commands on this channel"
      >
        <input
          type="checkbox"
          checked={access.ipmiMessaging}
          disabled={!settable || patcher.busy !== null}
          onChange={() => {
            if (isPrivilegeChoice(access.privilege))
              void patcher.send(field, {
                access: { channel, privilege: access.privilege, ipmiMessaging: !access.ipmiMessaging },
              });
          }}
          data-testid={`ipmi-user-messaging-${user.id}-${channel}`}
        />
        msg
      </label>
    </span>
  );
}
