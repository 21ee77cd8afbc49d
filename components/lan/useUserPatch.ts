"use client";

import { useState } from "react";
import { messageOf } from "@/components/api";
import type { IpmiUserInfo, IpmiUserPatch } from "@/server/contract/lan";
import { patchIpmiUser } from "./lanApi";

/** Which editor of a user row sent the change in flight. */
export type UserField = "name" | "password" | "enabled" | `access-${number}`;

export interface UserPatcher {
  /** The editor whose change is in flight; null when none. */
  busy: UserField | null;
  /** Why the last change failed (the server's message); null after a good one. */
  error: string | null;
  /** Sends one change; resolves true when the server took it. */
  send: (field: UserField, patch: IpmiUserPatch) => Promise<boolean>;
  /** Shows a problem found before sending (an empty password, ...). */
  refuse: (message: string) => void;
}

/** One user row's PATCHes: one at a time, the answer handed to `onChanged`, failures kept for the row. */
export function useUserPatch(userId: number, onChanged: (user: IpmiUserInfo) => void): UserPatcher {
  const [busy, setBusy] = useState<UserField | null>(null);
  const [error, setError] = useState<string | null>(null);

  const send = async (field: UserField, patch: IpmiUserPatch): Promise<boolean> => {
    setBusy(field);
    setError(null);
    try {
      onChanged(await patchIpmiUser(userId, patch));
      return true;
    } catch (e) {
      setError(messageOf(e));
      return false;
    } finally {
      setBusy(null);
    }
  };

  return { busy, error, send, refuse: setError };
}
