import { describe, expect, it } from "vitest";
import type { IpmiUserInfo } from "../../server/contract/lan";
import {
  accessOn,
  formatDuration,
  ipmitoolHint,
  isPrivilegeChoice,
  isUnused,
  nameProblem,
  nearIdleTimeout,
  passwordProblem,
  passwordState,
  privilegeName,
  sessionIdHex,
  sessionPrivilege,
  sessionProtocol,
  sessionUser,
  userChannels,
} from "./lanFormat";

function user(id: number, overrides: Partial<IpmiUserInfo> = {}): IpmiUserInfo {
  return {
    id,
    name: "",
    enabled: false,
    hasPassword: false,
    passwordSize: 16,
    access: [],
    ...overrides,
  };
}

describe("sessions", () => {
  it("writes a session ID as the spec does, 8 hex digits with h", () => {
    expect(sessionIdHex(0x0200a1b2)).toBe("0200A1B2h");
    expect(sessionIdHex(1)).toBe("00000001h");
    expect(sessionIdHex(0xffffffff)).toBe("FFFFFFFFh");
  });

  it("names the protocol: the cipher suite for RMCP+, the auth type for IPMI 1.5", () => {
    const plus = sessionProtocol({ protocol: "rmcp+", cipherSuite: 3, authType: null });
    expect(plus.short).toBe("RMCP+ suite 3");
    expect(plus.long).toContain("RAKP-HMAC-SHA1");
    expect(plus.long).toContain("AES-CBC-128");
    expect(sessionProtocol({ protocol: "rmcp+", cipherSuite: 99, authType: null }).long).toContain("99");
    const v15 = sessionProtocol({ protocol: "ipmi-1.5", cipherSuite: null, authType: "MD5" });
    expect(v15.short).toBe("IPMI 1.5, MD5");
    expect(sessionProtocol({ protocol: "ipmi-1.5", cipherSuite: null, authType: null }).short).toBe(
      "IPMI 1.5, unknown",
    );
  });

  it("shows the privilege with its maximum only when they differ", () => {
    expect(sessionPrivilege({ privilege: "admin", maxPrivilege: "admin" })).toBe("Administrator");
    expect(sessionPrivilege({ privilege: "user", maxPrivilege: "operator" })).toBe("User (max Operator)");
  });

  it("names the user with its ID, the null user by role", () => {
    expect(sessionUser({ user: "alice", userId: 3 })).toBe("alice (3)");
    expect(sessionUser({ user: "", userId: 1 })).toBe("(null user) (1)");
  });

  it("formats idle time in s, min s and h min", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(-500)).toBe("0 s");
    expect(formatDuration(Number.NaN)).toBe("0 s");
    expect(formatDuration(42_999)).toBe("42 s");
    expect(formatDuration(64_000)).toBe("1 min 04 s");
    expect(formatDuration(3_600_000 + 5 * 60_000 + 7_000)).toBe("1 h 05 min");
  });

  it("flags a session close to its idle timeout", () => {
    expect(nearIdleTimeout(44_000, 60)).toBe(false);
    expect(nearIdleTimeout(45_000, 60)).toBe(true);
    expect(nearIdleTimeout(1_000_000, 0)).toBe(false);
  });

  it("suggests an ipmitool command for the listening address", () => {
    expect(ipmitoolHint("udp 127.0.0.1:6230")).toBe(
      "ipmitool -I lanplus -H 127.0.0.1 -p 6230 -U <user> -P <password> session info active",
    );
    expect(ipmitoolHint("udp [::1]:623")).toContain("-H ::1 -p 623 ");
    expect(ipmitoolHint("somewhere")).toBeNull();
  });
});

describe("IPMI users", () => {
  it("lists the channels any user has access entries for, ascending", () => {
    const users = [
      user(2, { access: [{ channel: 1, privilege: "admin", ipmiMessaging: true }] }),
      user(3, {
        access: [
          { channel: 6, privilege: "user", ipmiMessaging: false },
          { channel: 1, privilege: "no access", ipmiMessaging: false },
        ],
      }),
    ];
    expect(userChannels(users)).toEqual([1, 6]);
    expect(userChannels([])).toEqual([]);
  });

  it("reads a missing access entry as no access", () => {
    const u = user(4, { access: [{ channel: 1, privilege: "operator", ipmiMessaging: true }] });
    expect(accessOn(u, 1).privilege).toBe("operator");
    expect(accessOn(u, 6)).toEqual({ channel: 6, privilege: "no access", ipmiMessaging: false });
  });

  it("tells unused IDs from the null user and from users in use", () => {
    expect(isUnused(user(5))).toBe(true);
    expect(isUnused(user(1))).toBe(false);
    expect(isUnused(user(5, { name: "bob" }))).toBe(false);
    expect(isUnused(user(5, { hasPassword: true }))).toBe(false);
  });

  it("says whether a password is set and in which form", () => {
    expect(passwordState(user(2, { hasPassword: true, passwordSize: 20 }))).toBe("yes (20-byte form)");
    expect(passwordState(user(2))).toBe("no");
  });

  it("offers exactly the privilege limits the PATCH body takes", () => {
    expect(isPrivilegeChoice("admin")).toBe(true);
    expect(isPrivilegeChoice("no access")).toBe(true);
    expect(isPrivilegeChoice("oem")).toBe(false);
    expect(privilegeName("no access")).toBe("No access");
    expect(privilegeName("oem")).toBe("OEM");
  });

  it("checks a password before sending: 1-20 printable characters, never echoing it", () => {
    expect(passwordProblem("")).toMatch(/1-20/);
    expect(passwordProblem("x".repeat(20))).toBeNull();
    expect(passwordProblem("s3cret pass!")).toBeNull();
    const long = passwordProblem("y".repeat(21));
    expect(long).toMatch(/at most 20/);
    expect(long).not.toContain("yyyy");
    expect(passwordProblem("pässword")).toMatch(/printable/);
  });

  it("checks a name before sending, and refuses user 1's", () => {
    expect(nameProblem(3, "operator1")).toBeNull();
    expect(nameProblem(3, "")).toBeNull();
    expect(nameProblem(3, "n".repeat(17))).toMatch(/at most 16/);
    expect(nameProblem(3, "tab\there")).toMatch(/printable/);
    expect(nameProblem(1, "anyone")).toMatch(/null user/);
  });
});
