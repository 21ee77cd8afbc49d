import { describe, expect, it } from "vitest";
import { IpmiError } from "../ipmi/ipmi-error";
import { AUTH_TYPE, LanConfig, lanSecurityWarnings } from "./lan-config";
import { type BmcProfile, defaultProfile, ProfileError } from "./profile";
import { profileWith } from "./test-harness";

const address = () => ({ ip: "192.0.2.10", port: 6230 });
const interfaceOf = (ip: string) =>
  ip === "192.0.2.10" ? { mac: "52:54:00:12:34:56", netmask: "255.255.255.0" } : undefined;

const config = (profile: BmcProfile = defaultProfile(), saved?: unknown) =>
  new LanConfig({ profile, address, interfaceOf, ...(saved === undefined ? {} : { saved }) });

function cc(f: () => unknown): number | "ok" {
  try {
    f();
    return "ok";
  } catch (err) {
    if (err instanceof IpmiError) return err.cc;
    throw err;
  }
}

function refused(edit: Parameters<typeof profileWith>[0]): string[] {
  try {
    profileWith(edit);
  } catch (err) {
    if (err instanceof ProfileError) return err.problems;
    throw err;
  }
  throw new Error("the profile was accepted");
}

describe("the profile's lan section", () => {
  it("defaults to MD5, suites 3 and 17, no null user, no anonymous login, 8 sessions, 60 s", () => {
    const withoutLan = profileWith((p) => {
      delete p.lan;
    });
    expect(withoutLan.lan).toEqual({
      authTypes: ["md5"],
      cipherSuites: [3, 17],
      allowNullUser: false,
      allowAnonymous: false,
      sessionLimit: 8,
      idleTimeoutSeconds: 60,
      communityString: "public",
    });
    expect(defaultProfile().lan).toEqual(withoutLan.lan);
    expect(lanSecurityWarnings(defaultProfile())).toEqual([]);
  });

  it("takes none, straight and suite 0 only when written, and names each as a weakening", () => {
    const weak = profileWith((p) => {
      p.lan = {
        authTypes: ["none", "md5", "straight"],
        cipherSuites: [0, 3],
        allowNullUser: true,
        allowAnonymous: true,
      };
    });
    const warnings = lanSecurityWarnings(weak);
    expect(warnings).toHaveLength(5);
    expect(warnings.join("\n")).toMatch(/"none"/);
    expect(warnings.join("\n")).toMatch(/straight password.*in clear/);
    expect(warnings.join("\n")).toMatch(/cipher suite 0/);
    expect(warnings.join("\n")).toMatch(/null user/);
    expect(warnings.join("\n")).toMatch(/anonymous/);
    expect(lanSecurityWarnings(weak.lan)).toEqual(warnings);
    expect(lanSecurityWarnings(config(weak))).toEqual(warnings);
  });

  it("refuses what the session code cannot do", () => {
    expect(refused((p) => (p.lan = { authTypes: ["md2"] }))).toEqual([
      expect.stringMatching(/^lan\.authTypes\[0\]: one of none, md5, straight/),
    ]);
    expect(refused((p) => (p.lan = { cipherSuites: [3, 8] }))).toEqual([
      expect.stringMatching(
        /^lan\.cipherSuites\[1\]: this BMC implements cipher suites 0, 1, 2, 3, 15, 16, 17/,
      ),
    ]);
    expect(refused((p) => (p.lan = { cipherSuites: [3, 3] }))).toEqual([
      expect.stringMatching(/each cipher suite once/),
    ]);
    expect(refused((p) => (p.lan = { authTypes: ["md5", "md5"] }))).toEqual([
      expect.stringMatching(/each authentication type once/),
    ]);
    expect(refused((p) => (p.lan = { sessionLimit: 0 }))[0]).toMatch(/^lan\.sessionLimit/);
    expect(refused((p) => (p.lan = { typo: true }))[0]).toMatch(/typo/);
  });

  it("checks the users: IDs 1..16, user 1 nameless, unique names, session-based channels", () => {
    expect(refused((p) => p.users.push({ id: 17, name: "x" }))[0]).toMatch(/^users\[2\]\.id/);
    expect(refused((p) => (p.users[0].name = "anon"))).toEqual([
      "users[0].name: user 1 is the null user: its name is empty",
    ]);
    expect(refused((p) => p.users.push({ id: 3, name: "admin" }))).toEqual([
      'users[2].name: user name "admin" is already users[1]',
    ]);
    expect(refused((p) => p.users.push({ id: 3, name: "ipmb", channels: [0] }))).toEqual([
      "users[2].channels: channel 0 is session-less: users log in on session-based channels",
    ]);
  });
});

describe("LanConfig", () => {
  it("answers the parameters ipmitool `lan print` reads", () => {
    const lan = config();
    expect(lan.channel).toBe(1);
    expect([...lan.get(0)]).toEqual([0x00]);
    // None, MD5, straight password: what the session code implements.
    expect([...lan.get(1)]).toEqual([0x15]);
    // MD5 at every level.
    expect([...lan.get(2)]).toEqual([0x04, 0x04, 0x04, 0x04, 0x04]);
    expect([...lan.get(3)]).toEqual([192, 0, 2, 10]);
    expect([...lan.get(4)]).toEqual([0x01]);
    expect([...lan.get(5)]).toEqual([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
    expect([...lan.get(6)]).toEqual([255, 255, 255, 0]);
    // Port 6230 = 1856h, LS byte first.
    expect([...lan.get(8)]).toEqual([0x56, 0x18]);
    expect([...lan.get(12)]).toEqual([0, 0, 0, 0]);
    expect([...lan.get(13)]).toEqual([0, 0, 0, 0, 0, 0]);
    expect([...lan.get(16)]).toEqual([..."public"].map((c) => c.charCodeAt(0)).concat(new Array(12).fill(0)));
    expect([...lan.get(22)]).toEqual([0x02]);
    expect([...lan.get(23)]).toEqual([0x00, 0x03, 0x11]);
    expect([...lan.get(24)]).toEqual([0x00, 0x44, 0, 0, 0, 0, 0, 0, 0]);
    for (const p of [7, 9, 10, 11, 14, 15, 17, 18, 19, 20, 21, 25, 26, 0xc0]) {
      expect(
        cc(() => lan.get(p)),
        `parameter ${p}`,
      ).toBe(0x80);
    }
  });

  it("reports zeros while the bus is not listening, and asks the address again each time", () => {
    const lan = new LanConfig({ profile: defaultProfile(), interfaceOf });
    expect([...lan.get(3)]).toEqual([0, 0, 0, 0]);
    expect([...lan.get(8)]).toEqual([0, 0]);
    lan.takeAddressFrom(address);
    expect([...lan.get(3)]).toEqual([192, 0, 2, 10]);
    lan.takeAddressFrom(() => ({ ip: "::1", port: 623 }));
    expect([...lan.get(3)]).toEqual([0, 0, 0, 0]);
    expect([...lan.get(5)]).toEqual([0, 0, 0, 0, 0, 0]);
    expect([...lan.get(8)]).toEqual([0x6f, 0x02]);
  });

  it("tells the session code what a login may use", () => {
    const lan = config();
    expect(lan.authTypeSupport()).toBe(0x15);
    for (const p of [1, 2, 3, 4]) {
      expect(lan.authTypeEnabled(p, AUTH_TYPE.MD5)).toBe(true);
      expect(lan.authTypeEnabled(p, AUTH_TYPE.NONE)).toBe(false);
      expect(lan.authTypeEnabled(p, AUTH_TYPE.STRAIGHT)).toBe(false);
      expect(lan.authTypeEnabled(p, AUTH_TYPE.MD2)).toBe(false);
    }
    expect(lan.authTypeEnabled(0, AUTH_TYPE.MD5)).toBe(false);
    expect(lan.authTypeEnabled(6, AUTH_TYPE.MD5)).toBe(false);
    expect(lan.enabledCipherSuites()).toEqual([3, 17]);
    expect(lan.cipherSuitePrivilege(3)).toBe(4);
    expect(lan.cipherSuitePrivilege(17)).toBe(4);
    expect(lan.cipherSuitePrivilege(0)).toBe(0);
    expect(lan.cipherSuitePrivilege(1)).toBe(0);
    expect(lan.nullUserAllowed()).toBe(false);
    expect(lan.anonymousAllowed()).toBe(false);
    expect(lan.sessionLimit).toBe(8);
    expect(lan.idleTimeoutSeconds).toBe(60);
  });

  it("sets the authentication type enables, refusing types it does not support", () => {
    const lan = config();
    const seen: number[] = [];
    lan.onChange((p) => seen.push(p));
    // Straight password for callback and user only.
    lan.set(2, Uint8Array.of(0x14, 0x14, 0x04, 0x04, 0x04));
    expect(lan.authTypeEnabled(1, AUTH_TYPE.STRAIGHT)).toBe(true);
    expect(lan.authTypeEnabled(4, AUTH_TYPE.STRAIGHT)).toBe(false);
    expect(lanSecurityWarnings(lan)).toEqual([expect.stringMatching(/straight password/)]);
    expect(seen).toEqual([2]);
    // MD2 (bit 1), OEM (bit 5), reserved bits.
    for (const b of [0x02, 0x20, 0x08, 0x40]) {
      expect(cc(() => lan.set(2, Uint8Array.of(0x04, 0x04, 0x04, b, 0x04)))).toBe(0xcc);
    }
    expect(cc(() => lan.set(2, Uint8Array.of(0x04, 0x04, 0x04, 0x04)))).toBe(0xc7);
    expect(cc(() => lan.set(2, Uint8Array.of(0x04, 0x04, 0x04, 0x04, 0x04, 0x04)))).toBe(0xc8);
    expect([...lan.get(2)]).toEqual([0x14, 0x14, 0x04, 0x04, 0x04]);
  });

  it("sets the cipher suite privileges; 0 takes a suite out of use", () => {
    const lan = config();
    // Suite 3 (entry A) operator, suite 17 (entry B) unused.
    lan.set(24, Uint8Array.of(0x00, 0x03, 0, 0, 0, 0, 0, 0, 0));
    expect(lan.cipherSuitePrivilege(3)).toBe(3);
    expect(lan.cipherSuitePrivilege(17)).toBe(0);
    expect(lan.enabledCipherSuites()).toEqual([3]);
    expect([...lan.get(24)]).toEqual([0x00, 0x03, 0, 0, 0, 0, 0, 0, 0]);
    // Entries past the suites listed are ignored.
    lan.set(24, Uint8Array.of(0x00, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44, 0x44));
    expect([...lan.get(24)]).toEqual([0x00, 0x44, 0, 0, 0, 0, 0, 0, 0]);
    // OEM (5) and reserved levels; the reserved first byte.
    expect(cc(() => lan.set(24, Uint8Array.of(0x00, 0x54, 0, 0, 0, 0, 0, 0, 0)))).toBe(0xcc);
    expect(cc(() => lan.set(24, Uint8Array.of(0x00, 0x4f, 0, 0, 0, 0, 0, 0, 0)))).toBe(0xcc);
    expect(cc(() => lan.set(24, Uint8Array.of(0x01, 0x44, 0, 0, 0, 0, 0, 0, 0)))).toBe(0xcc);
  });

  it("keeps the set-in-progress lock: 81h for a second set, commit completes it", () => {
    const lan = config();
    lan.set(0, Uint8Array.of(0x01));
    expect([...lan.get(0)]).toEqual([0x01]);
    expect(cc(() => lan.set(0, Uint8Array.of(0x01)))).toBe(0x81);
    // Writes take effect at once.
    lan.set(16, new Uint8Array(18).fill(0x41));
    expect(lan.get(16)[0]).toBe(0x41);
    lan.set(0, Uint8Array.of(0x02));
    expect([...lan.get(0)]).toEqual([0x00]);
    lan.set(0, Uint8Array.of(0x01));
    lan.reset("warm");
    expect([...lan.get(0)]).toEqual([0x01]);
    lan.reset("cold");
    expect([...lan.get(0)]).toEqual([0x00]);
    lan.set(0, Uint8Array.of(0x01));
    lan.set(0, Uint8Array.of(0x00));
    expect(cc(() => lan.set(0, Uint8Array.of(0x03)))).toBe(0xcc);
    expect(cc(() => lan.set(0, Uint8Array.of(0x04)))).toBe(0xcc);
  });

  it("answers 82h to read-only parameters and 80h to the others", () => {
    const lan = config();
    for (const p of [1, 3, 4, 5, 6, 8, 12, 13, 22, 23]) {
      expect(
        cc(() => lan.set(p, new Uint8Array(4))),
        `parameter ${p}`,
      ).toBe(0x82);
    }
    for (const p of [7, 9, 10, 11, 14, 15, 17, 20, 21, 25, 0xff]) {
      expect(
        cc(() => lan.set(p, new Uint8Array(1))),
        `parameter ${p}`,
      ).toBe(0x80);
    }
  });

  it("persists what an administrator set; a suite the profile adds starts at administrator", () => {
    const lan = config();
    lan.set(2, Uint8Array.of(0x04, 0x04, 0x04, 0x14, 0x04));
    lan.set(16, Uint8Array.from([..."private"].map((c) => c.charCodeAt(0)).concat(new Array(11).fill(0))));
    lan.set(24, Uint8Array.of(0x00, 0x02, 0, 0, 0, 0, 0, 0, 0));
    lan.set(0, Uint8Array.of(0x01));
    const saved = structuredClone(lan.persisted());
    const again = config(defaultProfile(), saved);
    expect([...again.get(2)]).toEqual([0x04, 0x04, 0x04, 0x14, 0x04]);
    expect(again.get(16)[1]).toBe(0x72);
    expect(again.cipherSuitePrivilege(3)).toBe(2);
    expect(again.cipherSuitePrivilege(17)).toBe(0);
    // A set in progress does not survive a restart.
    expect([...again.get(0)]).toEqual([0x00]);
    const more = config(
      profileWith((p) => {
        p.lan.cipherSuites = [17, 3, 16];
      }),
      saved,
    );
    expect(more.enabledCipherSuites()).toEqual([3, 16]);
    expect([...more.get(24)]).toEqual([0x00, 0x20, 0x04, 0, 0, 0, 0, 0, 0]);
    // An unusable save is ignored.
    expect([...config(defaultProfile(), { version: 1 }).get(2)]).toEqual([4, 4, 4, 4, 4]);
  });
});
