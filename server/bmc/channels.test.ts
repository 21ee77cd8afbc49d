import { describe, expect, it } from "vitest";
import type { HandlerContext, Requester } from "../router/types";
import { ACCESS_MODE, ChannelAccessError, Channels, requestChannel } from "./channels";
import { defaultProfile } from "./profile";
import { profileWith } from "./test-harness";

const ctx = (busKind: HandlerContext["busKind"], requester: Requester | null = null) =>
  ({ busKind, requester }) as HandlerContext<unknown>;

const lanRequester: Requester = {
  channel: 1,
  peer: "192.0.2.7:50123",
  sessionId: 0x1234,
  user: "admin",
  privilege: "admin",
};

describe("Channels", () => {
  it("starts both copies of each session-based channel from the profile", () => {
    const c = new Channels({ profile: defaultProfile() });
    expect(c.numbers()).toEqual([0, 1, 15]);
    expect(c.sessionChannels()).toEqual([1]);
    expect(c.lanChannel()).toBe(1);
    const expected = {
      mode: ACCESS_MODE.ALWAYS,
      privilegeLimit: 4,
      perMessageAuth: true,
      userLevelAuth: true,
      pefAlerting: false,
    };
    expect(c.get(1, "volatile")).toEqual(expected);
    expect(c.get(1, "non-volatile")).toEqual(expected);
    expect(c.get(0, "volatile")).toBeUndefined();
    expect(c.get(15, "volatile")).toBeUndefined();
    expect(c.sessionsAllowed(1)).toBe(true);
    expect(c.sessionsAllowed(15)).toBe(false);
  });

  it("changes one copy at a time and says which", () => {
    const c = new Channels({ profile: defaultProfile() });
    const seen: unknown[] = [];
    c.onChange((x) => seen.push(x));
    c.set(1, "volatile", { mode: ACCESS_MODE.DISABLED });
    expect(c.get(1, "volatile")?.mode).toBe(0);
    expect(c.get(1, "non-volatile")?.mode).toBe(2);
    expect(c.sessionsAllowed(1)).toBe(false);
    c.set(1, "non-volatile", { privilegeLimit: 3, pefAlerting: true });
    c.set(1, "non-volatile", { privilegeLimit: 3 });
    expect(seen).toEqual([
      { channel: 1, which: "volatile" },
      { channel: 1, which: "non-volatile" },
    ]);
    expect(c.persisted()).toEqual({
      version: 1,
      channels: [
        {
          number: 1,
          mode: 2,
          privilegeLimit: 3,
          perMessageAuth: true,
          userLevelAuth: true,
          pefAlerting: true,
        },
      ],
    });
  });

  it("refuses channels without sessions, unsupported modes and reserved limits", () => {
    const c = new Channels({ profile: defaultProfile() });
    const reason = (f: () => void) => {
      try {
        f();
      } catch (err) {
        return err instanceof ChannelAccessError ? err.reason : String(err);
      }
      return "accepted";
    };
    expect(reason(() => c.set(7, "volatile", { mode: 2 }))).toBe("no-channel");
    expect(reason(() => c.set(15, "volatile", { mode: 2 }))).toBe("session-less");
    expect(reason(() => c.set(1, "volatile", { mode: ACCESS_MODE.PRE_BOOT }))).toBe("mode");
    expect(reason(() => c.set(1, "volatile", { mode: ACCESS_MODE.SHARED }))).toBe("mode");
    expect(reason(() => c.set(1, "volatile", { privilegeLimit: 0 }))).toBe("privilege");
    expect(reason(() => c.set(1, "volatile", { privilegeLimit: 0x0f }))).toBe("privilege");
    expect(reason(() => c.set(1, "volatile", { privilegeLimit: 5 }))).toBe("accepted");
  });

  it("restores the non-volatile copy into both; a Cold Reset reloads the volatile one", () => {
    const first = new Channels({ profile: defaultProfile() });
    first.set(1, "non-volatile", { privilegeLimit: 2 });
    first.set(1, "volatile", { privilegeLimit: 3 });
    const second = new Channels({ profile: defaultProfile(), saved: first.persisted() });
    expect(second.get(1, "volatile")?.privilegeLimit).toBe(2);
    expect(second.get(1, "non-volatile")?.privilegeLimit).toBe(2);
    const seen: unknown[] = [];
    first.onChange((x) => seen.push(x));
    first.reset("warm");
    expect(first.get(1, "volatile")?.privilegeLimit).toBe(3);
    first.reset("cold");
    expect(first.get(1, "volatile")?.privilegeLimit).toBe(2);
    expect(seen).toEqual([{ channel: 1, which: "volatile" }]);
  });

  it("ignores saved channels that are gone or no longer session-based, and unusable saves", () => {
    const noLan = profileWith((p) => {
      p.channels = p.channels.filter((ch: { number: number }) => ch.number !== 1);
      p.users = [{ id: 1, name: "", enabled: false }];
    });
    const saved = new Channels({ profile: defaultProfile() }).persisted();
    expect(new Channels({ profile: noLan, saved }).sessionChannels()).toEqual([]);
    const bad = new Channels({ profile: defaultProfile(), saved: { version: 1, channels: [{ number: 1 }] } });
    expect(bad.get(1, "volatile")?.privilegeLimit).toBe(4);
  });

  it("answers Get Channel Info with the session table's count", () => {
    const c = new Channels({ profile: defaultProfile(), activeSessions: (ch) => (ch === 1 ? 3 : 9) });
    expect(c.info(1)).toEqual({
      number: 1,
      medium: 0x04,
      protocol: 0x01,
      sessionSupport: 2,
      activeSessions: 3,
      vendorId: 7154,
      auxInfo: [0xff, 0xff],
    });
    // Session-less channels have none, whatever the table says.
    expect(c.info(15)?.activeSessions).toBe(0);
    c.countSessionsWith(() => 99);
    expect(c.info(1)?.activeSessions).toBe(63);
    expect(c.info(5)).toBeUndefined();
  });
});

describe("requestChannel", () => {
  it("reads 0Eh as the requester's channel, else the bus's", () => {
    const channels = defaultProfile().channels;
    expect(requestChannel(0x0e, ctx("lan", { ...lanRequester, channel: 3 }), channels)).toBe(3);
    expect(requestChannel(0x0e, ctx("bt"), channels)).toBe(0x0f);
    expect(requestChannel(0x0e, ctx("lan"), channels)).toBe(1);
    expect(requestChannel(0x0e, ctx("ipmb"), channels)).toBe(0);
    expect(requestChannel(0x01, ctx("bt"), channels)).toBe(1);
  });
});
