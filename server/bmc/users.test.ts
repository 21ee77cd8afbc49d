import { describe, expect, it } from "vitest";
import type { Logger } from "../logger";
import { openBmc } from "./index";
import { defaultProfile } from "./profile";
import { SecretBox } from "./secret-box";
import { MemoryBmcStore, SETTING } from "./store";
import { manualClock, profileWith, T0 } from "./test-harness";
import {
  bootstrapAdmin,
  generatePassword,
  IpmiUsers,
  MAX_USER_ID,
  NO_ACCESS,
  PRIVILEGE,
  type SavedUsers,
  UserTableError,
} from "./users";

const bytes = (s: string) => new TextEncoder().encode(s);
const padded = (s: string, n: number) => {
  const out = new Uint8Array(n);
  out.set(bytes(s));
  return out;
};

/** A profile with test credentials: user 3 "operator" (16-byte password), user 4 "longpass" (20-byte). */
const testProfile = () =>
  profileWith((p) => {
    p.users.push(
      { id: 3, name: "operator", password: "op-secret", privilege: "operator" },
      { id: 4, name: "longpass", password: "a-password-of-20-chr", privilege: "user", enabled: false },
    );
  });

const table = (profile = testProfile(), secrets = SecretBox.ephemeral(), saved?: unknown) =>
  new IpmiUsers({ profile, secrets, ...(saved === undefined ? {} : { saved }) });

function recordingLog() {
  const lines: string[] = [];
  const log: Logger = {
    debug: () => {},
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
  return { log, lines };
}

describe("IpmiUsers from the profile", () => {
  it("has 16 user IDs; user 1 is the null user; the shipped admin has no password", () => {
    const users = table(defaultProfile());
    expect(users.restored).toBe(false);
    expect(users.list().map((u) => u.id)).toEqual(Array.from({ length: MAX_USER_ID }, (_, i) => i + 1));
    const nullUser = users.byId(1)!;
    expect(nullUser).toMatchObject({ name: "", enabled: false, password: null });
    const admin = users.byName("admin")!;
    expect(admin).toMatchObject({ id: 2, enabled: true, password: null, passwordSize: 16 });
    expect(users.hasPassword(admin)).toBe(false);
    // Privilege and channels become the channel's access, with IPMI messaging.
    expect(users.channelAccess(admin, 1)).toEqual({
      privilegeLimit: PRIVILEGE.ADMINISTRATOR,
      ipmiMessaging: true,
      linkAuth: false,
      callbackOnly: false,
      sessionLimit: 0,
    });
    expect(users.channelAccess(admin, 7)).toEqual(NO_ACCESS);
    expect(users.byId(16)).toMatchObject({ name: "", enabled: false, password: null });
    expect(users.byId(0)).toBeUndefined();
    expect(users.byId(17)).toBeUndefined();
    expect(users.enabledCount()).toBe(1);
    expect(users.channels).toEqual([1]);
  });

  it("keeps a profile password exactly, padded to 16 or, past 16 characters, to 20 bytes", () => {
    const users = table();
    const op = users.byName("operator")!;
    expect(op.password).toEqual(padded("op-secret", 16));
    expect(op.passwordSize).toBe(16);
    expect(users.fitsIn16(op)).toBe(true);
    expect(users.passwordKey(op, 16)).toEqual(padded("op-secret", 16));
    expect(users.passwordKey(op, 20)).toEqual(padded("op-secret", 20));
    const long = users.byName("longpass")!;
    expect(long).toMatchObject({ enabled: false, passwordSize: 20 });
    expect(users.fitsIn16(long)).toBe(false);
    expect(users.passwordKey(long, 20)).toEqual(bytes("a-password-of-20-chr"));
    // Never truncated for IPMI 1.5.
    expect(() => users.passwordKey(long, 16)).toThrow(RangeError);
  });

  it("finds users by exact name, the lowest ID first; the empty name is the null user", () => {
    const users = table();
    expect(users.byName("operator")?.id).toBe(3);
    expect(users.byName("Operator")).toBeUndefined();
    expect(users.byName("operator ")).toBeUndefined();
    expect(users.byName("")?.id).toBe(1);
    expect(users.byName("longpass")?.enabled).toBe(false);
  });
});

describe("IpmiUsers changes", () => {
  it("sets names: printable ASCII, at most 16 bytes, unique; user 1's is fixed", () => {
    const users = table();
    const seen: number[] = [];
    users.onChange((u) => seen.push(u.id));
    users.setName(5, "bob");
    expect(users.byName("bob")?.id).toBe(5);
    expect(seen).toEqual([5]);
    users.setName(5, "bob");
    expect(seen).toEqual([5]);
    expect(() => users.setName(6, "bob")).toThrow(/already named "bob"/);
    expect(() => users.setName(6, "x".repeat(17))).toThrow(UserTableError);
    expect(() => users.setName(6, "tab\there")).toThrow(/printable ASCII/);
    expect(() => users.setName(1, "root")).toThrow(/null user/);
    users.setName(1, "");
    expect(() => users.setName(17, "x")).toThrow(/not 1..16/);
    users.setName(5, "");
    expect(users.byId(5)?.name).toBe("");
  });

  it("sets and tests passwords in both sizes (22.30)", () => {
    const users = table();
    users.setPassword(5, "pw", 16);
    expect(users.byId(5)?.password).toEqual(padded("pw", 16));
    expect(users.testPassword(5, "pw", 16)).toBe("ok");
    expect(users.testPassword(5, padded("pw", 16), 16)).toBe("ok");
    expect(users.testPassword(5, "pW", 16)).toBe("wrong");
    expect(users.testPassword(5, "pw", 20)).toBe("size");
    users.setPassword(5, bytes("twenty-byte-password"), 20);
    expect(users.byId(5)).toMatchObject({ passwordSize: 20, password: bytes("twenty-byte-password") });
    expect(users.testPassword(5, "twenty-byte-password", 20)).toBe("ok");
    expect(users.testPassword(5, "twenty-byte-password".slice(0, 16), 16)).toBe("size");
    // A 20-byte-form password of at most 16 characters still fits IPMI 1.5.
    users.setPassword(5, "short", 20);
    expect(users.fitsIn16(users.byId(5)!)).toBe(true);
    expect(users.passwordKey(users.byId(5)!, 16)).toEqual(padded("short", 16));
    expect(() => users.setPassword(5, "x".repeat(17), 16)).toThrow(/at most 16 bytes/);
    // No password: the empty (all 00h) one tests as set; clearing returns to none.
    users.setPassword(5, null, 16);
    expect(users.byId(5)?.password).toBeNull();
    expect(users.testPassword(5, "", 16)).toBe("ok");
    expect(users.testPassword(5, "x", 16)).toBe("wrong");
    expect(users.passwordKey(users.byId(5)!, 20)).toEqual(new Uint8Array(20));
    users.setPassword(5, "", 16);
    expect(users.hasPassword(users.byId(5)!)).toBe(false);
  });

  it("enables, disables and sets access on session-based channels only", () => {
    const users = table();
    const seen: number[] = [];
    users.onChange((u) => seen.push(u.id));
    users.setEnabled(4, true);
    users.setEnabled(4, true);
    expect(users.byId(4)?.enabled).toBe(true);
    users.setAccess(4, 1, { linkAuth: true });
    expect(users.channelAccess(users.byId(4)!, 1)).toEqual({
      privilegeLimit: PRIVILEGE.USER,
      ipmiMessaging: true,
      linkAuth: true,
      callbackOnly: false,
      sessionLimit: 0,
    });
    users.setAccess(6, 1, { privilegeLimit: PRIVILEGE.OPERATOR, sessionLimit: 2 });
    expect(users.channelAccess(users.byId(6)!, 1)).toMatchObject({
      privilegeLimit: 3,
      ipmiMessaging: false,
      sessionLimit: 2,
    });
    expect(seen).toEqual([4, 4, 6]);
    expect(() => users.setAccess(6, 0, { privilegeLimit: 2 })).toThrow(/not a session-based channel/);
    expect(() => users.setAccess(6, 15, { privilegeLimit: 2 })).toThrow(UserTableError);
    expect(() => users.setAccess(6, 1, { privilegeLimit: 0 })).toThrow(/reserved/);
    expect(() => users.setAccess(6, 1, { privilegeLimit: 6 })).toThrow(/reserved/);
    expect(() => users.setAccess(6, 1, { sessionLimit: 16 })).toThrow(/0..15/);
    users.setAccess(6, 1, { privilegeLimit: PRIVILEGE.NO_ACCESS });
    expect(users.channelAccess(users.byId(6)!, 1).privilegeLimit).toBe(0x0f);
  });
});

describe("the stored table", () => {
  it("holds no password in plain text, and reads back with the same key", () => {
    const secrets = SecretBox.ephemeral();
    const users = table(testProfile(), secrets);
    users.setPassword(5, "Sw0rdfish-Secret", 16);
    const saved = users.persisted();
    const json = JSON.stringify(saved);
    for (const pw of ["op-secret", "a-password-of-20-chr", "Sw0rdfish-Secret"]) {
      expect(json).not.toContain(pw);
      expect(json).not.toContain(Buffer.from(pw).toString("base64").slice(0, 8));
      expect(json).not.toContain(Buffer.from(pw).toString("hex"));
    }
    const again = table(testProfile(), secrets, structuredClone(saved));
    expect(again.restored).toBe(true);
    for (const id of [2, 3, 4, 5]) {
      expect(again.byId(id)).toEqual(users.byId(id));
    }
  });

  it("comes from the store, not the profile, once there is one", () => {
    const secrets = SecretBox.ephemeral();
    const users = table(testProfile(), secrets);
    users.setName(3, "renamed");
    const later = table(testProfile(), secrets, users.persisted());
    expect(later.byName("operator")).toBeUndefined();
    expect(later.byName("renamed")?.id).toBe(3);
  });

  it("leaves a password that does not open with this key unset, saying so", () => {
    const users = table(testProfile(), SecretBox.ephemeral());
    const { log, lines } = recordingLog();
    const other = new IpmiUsers({
      profile: testProfile(),
      secrets: SecretBox.ephemeral(),
      saved: users.persisted(),
      log,
    });
    expect(other.restored).toBe(true);
    expect(other.byName("operator")).toMatchObject({ id: 3, password: null });
    expect(lines.filter((l) => l.startsWith("error"))).toHaveLength(2);
    expect(lines[0]).toMatch(/user 3 \(operator\) does not open/);
  });

  it("starts from the profile when the stored table is not usable", () => {
    const { log, lines } = recordingLog();
    const users = new IpmiUsers({
      profile: testProfile(),
      secrets: SecretBox.ephemeral(),
      saved: { version: 2, users: [] },
      log,
    });
    expect(users.restored).toBe(false);
    expect(users.byName("operator")?.id).toBe(3);
    expect(lines).toEqual([expect.stringMatching(/^warn bmc: saved IPMI users are not usable/)]);
  });
});

describe("bootstrapAdmin", () => {
  it("gives admin a generated password at the first start, printable once", () => {
    const users = table(defaultProfile());
    const result = bootstrapAdmin(users);
    expect(result).toMatchObject({ name: "admin", generated: true });
    expect(result?.password).toMatch(/^[A-Za-z0-9]{16}$/);
    const admin = users.byId(2)!;
    expect(admin).toMatchObject({ name: "admin", enabled: true, passwordSize: 16 });
    expect(users.testPassword(2, result!.password, 16)).toBe("ok");
    expect(users.channelAccess(admin, 1)).toMatchObject({ privilegeLimit: 4, ipmiMessaging: true });
  });

  it("uses IPMI_ADMIN_PASSWORD when given, in the 20-byte form past 16 characters", () => {
    const users = table(defaultProfile());
    expect(bootstrapAdmin(users, { password: "s3cret" })).toEqual({
      name: "admin",
      password: "s3cret",
      generated: false,
    });
    expect(users.testPassword(2, "s3cret", 16)).toBe("ok");
    const long = table(defaultProfile());
    bootstrapAdmin(long, { password: "an-admin-password-20" });
    expect(long.byId(2)?.passwordSize).toBe(20);
    expect(() => bootstrapAdmin(table(defaultProfile()), { password: "x".repeat(21) })).toThrow(
      UserTableError,
    );
  });

  it("does nothing on a later start, nor to a test profile's own admin password", () => {
    const secrets = SecretBox.ephemeral();
    const first = table(defaultProfile(), secrets);
    bootstrapAdmin(first, { password: "first" });
    const later = table(defaultProfile(), secrets, first.persisted());
    expect(bootstrapAdmin(later, { password: "second" })).toBeNull();
    expect(later.testPassword(2, "first", 16)).toBe("ok");
    const withCredential = profileWith((p) => {
      p.users[1].password = "simulator";
    });
    const users = table(withCredential);
    expect(bootstrapAdmin(users)).toBeNull();
    expect(users.testPassword(2, "simulator", 16)).toBe("ok");
    // IPMI_ADMIN_PASSWORD wins over the profile's.
    const overridden = table(withCredential);
    expect(bootstrapAdmin(overridden, { password: "from-env" })?.password).toBe("from-env");
  });

  it("generates distinct letters-and-digits passwords", () => {
    const seen = new Set(Array.from({ length: 50 }, () => generatePassword()));
    expect(seen.size).toBe(50);
    for (const p of seen) expect(p).toMatch(/^[A-Za-z0-9]{16}$/);
  });
});

describe("through the BMC and its store", () => {
  it("persists the users across a restart, sealed, from their first change on", async () => {
    const store = new MemoryBmcStore();
    const secrets = SecretBox.ephemeral();
    const clock = manualClock(T0);
    const first = await openBmc({ store, secrets, clock, profile: testProfile() });
    expect(first.users.restored).toBe(false);
    expect((await store.load()).settings.has(SETTING.IPMI_USERS)).toBe(false);
    const boot = bootstrapAdmin(first.users);
    expect((await store.load()).settings.has(SETTING.IPMI_USERS)).toBe(true);
    first.users.setName(7, "carol");
    first.users.setPassword(7, "carol-pw", 16);
    first.users.setAccess(7, 1, { privilegeLimit: PRIVILEGE.OPERATOR, ipmiMessaging: true });
    await first.stop();

    const saved = (await store.load()).settings.get(SETTING.IPMI_USERS) as SavedUsers;
    const json = JSON.stringify(saved);
    expect(json).not.toContain("carol-pw");
    expect(json).not.toContain("op-secret");
    expect(json).not.toContain(boot!.password);
    expect(saved.users.find((u) => u.id === 7)?.password).toEqual(expect.any(String));

    const second = await openBmc({ store, secrets, clock, profile: testProfile() });
    expect(second.users.restored).toBe(true);
    expect(bootstrapAdmin(second.users)).toBeNull();
    expect(second.users.testPassword(2, boot!.password, 16)).toBe("ok");
    expect(second.users.testPassword(7, "carol-pw", 16)).toBe("ok");
    expect(second.users.channelAccess(second.users.byName("carol")!, 1).privilegeLimit).toBe(3);
    await second.stop();
  });
});
