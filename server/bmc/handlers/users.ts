/**
 * The user commands (IPMI 2.0 sections 22.26-22.30): Set / Get User Access, Set / Get User
 * Name, Set User Password, laid out in `server/ipmi/commands/app.ts`, on the user table
 * (users.ts). Reserved bits, user IDs outside 1..16 and channels without sessions answer
 * CCh; a password test answers 80h (mismatch) or 81h (set in the other size).
 */
import {
  CC_PASSWORD_TEST_FAILED,
  CC_PASSWORD_WRONG_SIZE,
  getUserAccess,
  getUserName,
  PASSWORD_OPERATION,
  setUserAccess,
  setUserName,
  setUserPassword,
} from "../../ipmi/commands/app";
import { CC } from "../../ipmi/completion-codes";
import { IpmiError } from "../../ipmi/ipmi-error";
import { handlerFor } from "../../router/handler";
import type { HandlerContext, HandlerSpec } from "../../router/types";
import type { Bmc } from "../bmc";
import { requestChannel } from "../channels";
import { invalidField } from "../invalid-field";
import { isPrivilegeLimit, MAX_USER_ID, NULL_USER_ID, USER_NAME_BYTES, UserTableError } from "../users";

/** User IDs with fixed names (Get User Access byte 3): the null user. */
const FIXED_NAMES = 1;
/** Get User Access byte 2 bits 7:6. */
const ENABLE_STATUS = { ENABLED: 1, DISABLED: 2 } as const;

/** A change the user table refused answers CCh with its reason. */
function refusedAsInvalid<T>(change: () => T): T {
  try {
    return change();
  } catch (err) {
    if (err instanceof UserTableError) invalidField(err.message);
    throw err;
  }
}

function userId(user: { id: number; reserved: number }): number {
  if (user.reserved !== 0) invalidField("user ID bits 7:6 are reserved");
  if (user.id < 1 || user.id > MAX_USER_ID) invalidField(`user ID ${user.id} is not 1..${MAX_USER_ID}`);
  return user.id;
}

export function userHandlers(bmc: Bmc): HandlerSpec[] {
  const { users, channels, profile } = bmc;

  /** A session-based channel named in a request (0Eh: the one it came in on); CCh otherwise. */
  const sessionChannel = (number: number, ctx: HandlerContext<unknown>): number => {
    const channel = requestChannel(number, ctx, profile.channels);
    if (!channels.isSessionBased(channel)) {
      invalidField(
        channels.exists(channel)
          ? `channel ${channel} is session-less: it has no users`
          : `channel ${channel} does not exist`,
      );
    }
    return channel;
  };

  return [
    handlerFor(setUserAccess, {
      handle: (ctx) => {
        const { channel: c, user, limit, sessions } = ctx.request;
        const id = userId(user);
        if (limit.reserved !== 0) invalidField("privilege limit bits 7:4 are reserved");
        if (sessions !== undefined && sessions.reserved !== 0)
          invalidField("session limit bits 7:4 are reserved");
        if (!isPrivilegeLimit(limit.privilege))
          invalidField(`privilege limit ${limit.privilege} is reserved`);
        const channel = sessionChannel(c.channel, ctx);
        refusedAsInvalid(() =>
          users.setAccess(id, channel, {
            privilegeLimit: limit.privilege,
            // Byte 1 bit 7: bits 6:4 change only when it is set.
            ...(c.change
              ? { callbackOnly: c.callbackOnly, linkAuth: c.linkAuth, ipmiMessaging: c.ipmiMessaging }
              : {}),
            ...(sessions === undefined ? {} : { sessionLimit: sessions.limit }),
          }),
        );
      },
    }),
    handlerFor(getUserAccess, {
      handle: (ctx) => {
        const { channel: c, user } = ctx.request;
        if (c.reserved !== 0) invalidField("channel byte bits 7:4 are reserved");
        const id = userId(user);
        const channel = sessionChannel(c.channel, ctx);
        const u = users.byId(id)!;
        const access = users.channelAccess(u, channel);
        return {
          maxUsers: { count: MAX_USER_ID, reserved: 0 },
          enabled: {
            status: u.enabled ? ENABLE_STATUS.ENABLED : ENABLE_STATUS.DISABLED,
            count: users.enabledCount(),
          },
          fixedNames: { count: FIXED_NAMES, reserved: 0 },
          access: {
            reserved: 0,
            callbackOnly: access.callbackOnly,
            linkAuth: access.linkAuth,
            ipmiMessaging: access.ipmiMessaging,
            privilege: access.privilegeLimit,
          },
        };
      },
    }),
    handlerFor(setUserName, {
      handle: ({ request: { user, name } }) => {
        const id = userId(user);
        // ASCII, 00h-terminated and 00h-padded (22.28): nothing but 00h after the first 00h.
        const end = name.indexOf(0);
        const text = end < 0 ? name : name.subarray(0, end);
        if (end >= 0 && name.subarray(end).some((b) => b !== 0)) {
          invalidField("the user name has bytes after its terminating 00h");
        }
        if (id === NULL_USER_ID && text.length > 0)
          invalidField("user 1 is the null user: its name is fixed");
        refusedAsInvalid(() => users.setName(id, String.fromCharCode(...text)));
      },
    }),
    handlerFor(getUserName, {
      handle: ({ request: { user } }) => {
        const u = users.byId(userId(user))!;
        const name = new Uint8Array(USER_NAME_BYTES);
        for (let i = 0; i < u.name.length; i++) name[i] = u.name.charCodeAt(i);
        return { name };
      },
    }),
    handlerFor(setUserPassword, {
      handle: ({ request: { user, operation, password } }) => {
        if (user.reserved !== 0) invalidField("user ID byte bit 6 is reserved");
        if (operation.reserved !== 0) invalidField("operation bits 7:2 are reserved");
        const id = userId({ id: user.id, reserved: 0 });
        const size = user.twentyBytes ? 20 : 16;
        switch (operation.operation) {
          case PASSWORD_OPERATION.DISABLE:
            users.setEnabled(id, false);
            return;
          case PASSWORD_OPERATION.ENABLE:
            users.setEnabled(id, true);
            return;
        }
        if (password === undefined) {
          throw new IpmiError(
            CC.REQUEST_LENGTH_INVALID,
            `setting or testing a password takes ${size} bytes of it`,
          );
        }
        if (operation.operation === PASSWORD_OPERATION.SET) {
          refusedAsInvalid(() => users.setPassword(id, password, size));
          return;
        }
        const result = refusedAsInvalid(() => users.testPassword(id, password, size));
        if (result === "size") {
          throw new IpmiError(CC_PASSWORD_WRONG_SIZE, `user ${id}'s password was set in the other size`);
        }
        if (result === "wrong")
          throw new IpmiError(CC_PASSWORD_TEST_FAILED, `user ${id}'s password does not match`);
      },
    }),
  ];
}
