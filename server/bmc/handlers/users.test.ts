/**
 * The user commands (22.26-22.30) byte for byte, as ipmitool's `user` and `channel
 * getaccess/setaccess` commands send them.
 */
import { describe, expect, it } from "vitest";
import { decodeRequest, decodeResponse } from "../../ipmi/commands";
import { CC } from "../../ipmi/completion-codes";
import { values } from "../../ipmi/layout/test-helpers";
import type { Requester } from "../../router/types";
import { SecretBox } from "../secret-box";
import { MemoryBmcStore, SETTING } from "../store";
import { call, testBmc } from "../test-harness";
import { bootstrapAdmin } from "../users";

const ascii = (s: string, n: number) => {
  const out = new Array<number>(n).fill(0);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
};

const lanSession: Requester = {
  channel: 1,
  peer: "192.0.2.7:50123",
  sessionId: 0x0200_0001,
  user: "admin",
  privilege: "admin",
};

describe("Get User Name (06h/46h) and Set User Name (06h/45h)", () => {
  it("answers the name 00h-padded to 16 bytes, and 16 00h for the null user and unused IDs", async () => {
    const b = testBmc();
    expect(await b.ask("app.get-user-name", [0x02])).toEqual({ cc: CC.OK, data: ascii("admin", 16) });
    expect(await b.ask("app.get-user-name", [0x01])).toEqual({ cc: CC.OK, data: ascii("", 16) });
    expect(await b.ask("app.get-user-name", [0x10])).toEqual({ cc: CC.OK, data: ascii("", 16) });
  });

  it("names a user as `ipmitool user set name 3 bob` does", async () => {
    const b = testBmc();
    expect(await b.ask("app.set-user-name", [0x03, ...ascii("bob", 16)])).toEqual({ cc: CC.OK, data: [] });
    expect((await b.ask("app.get-user-name", [0x03])).data).toEqual(ascii("bob", 16));
    expect(b.users.byName("bob")?.id).toBe(3);
    // A full 16-character name has no terminator.
    expect((await b.ask("app.set-user-name", [0x04, ...ascii("sixteen-chars-ok", 16)])).cc).toBe(CC.OK);
    expect(b.users.byId(4)?.name).toBe("sixteen-chars-ok");
  });

  it("answers CCh to user 0, IDs past 16, reserved bits, user 1, bytes after 00h, duplicates, non-ASCII", async () => {
    const b = testBmc();
    const name = ascii("bob", 16);
    for (const request of [
      [0x00, ...name],
      [0x11, ...name],
      [0x43, ...name],
      [0x01, ...name],
      [0x03, ...ascii("ab\0cd", 16)],
      [0x03, ...ascii("admin", 16)],
      [0x03, 0x62, 0xff, ...ascii("", 14)],
    ]) {
      expect((await b.ask("app.set-user-name", request)).cc, JSON.stringify(request)).toBe(
        CC.INVALID_DATA_FIELD,
      );
    }
    expect((await b.ask("app.get-user-name", [0x00])).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await b.ask("app.get-user-name", [0x11])).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await b.ask("app.get-user-name", [0x82])).cc).toBe(CC.INVALID_DATA_FIELD);
    expect(b.users.byId(3)?.name).toBe("");
  });

  it("answers C7h/C8h to a name field that is not 16 bytes", async () => {
    const b = testBmc();
    expect((await b.ask("app.set-user-name", [0x03, ...ascii("bob", 15)])).cc).toBe(
      CC.REQUEST_LENGTH_INVALID,
    );
    expect((await b.ask("app.set-user-name", [0x03, ...ascii("bob", 17)])).cc).toBe(
      CC.REQUEST_FIELD_LENGTH_EXCEEDED,
    );
    expect((await b.ask("app.get-user-name", [])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
  });
});

describe("Set User Password (06h/47h)", () => {
  it("sets, tests, enables and disables as `ipmitool user set password / test / enable / disable` do", async () => {
    const b = testBmc();
    const pw16 = ascii("s3cret", 16);
    // ipmitool user set password 3 s3cret
    expect(await b.ask("app.set-user-password", [0x03, 0x02, ...pw16])).toEqual({ cc: CC.OK, data: [] });
    expect(b.users.byId(3)).toMatchObject({ passwordSize: 16, password: Uint8Array.from(pw16) });
    // ipmitool user test 3 16 s3cret
    expect(await b.ask("app.set-user-password", [0x03, 0x03, ...pw16])).toEqual({ cc: CC.OK, data: [] });
    // 80h: right size, wrong password.
    expect((await b.ask("app.set-user-password", [0x03, 0x03, ...ascii("S3cret", 16)])).cc).toBe(0x80);
    // 81h: the password was set in the 16-byte form.
    expect((await b.ask("app.set-user-password", [0x83, 0x03, ...ascii("s3cret", 20)])).cc).toBe(0x81);
    // ipmitool user enable 3 / disable 3 send 16 bytes of 00h; FreeIPMI none.
    expect((await b.ask("app.set-user-password", [0x03, 0x01, ...ascii("", 16)])).cc).toBe(CC.OK);
    expect(b.users.byId(3)?.enabled).toBe(true);
    expect((await b.ask("app.set-user-password", [0x03, 0x00])).cc).toBe(CC.OK);
    expect(b.users.byId(3)?.enabled).toBe(false);
    // The password is untouched by enable/disable.
    expect(b.users.testPassword(3, "s3cret", 16)).toBe("ok");
  });

  it("keeps the 20-byte form (byte 1 bit 7) and tests it", async () => {
    const b = testBmc();
    const pw20 = ascii("twenty-byte-password", 20);
    expect((await b.ask("app.set-user-password", [0x84, 0x02, ...pw20])).cc).toBe(CC.OK);
    expect(b.users.byId(4)).toMatchObject({ passwordSize: 20, password: Uint8Array.from(pw20) });
    expect(b.users.fitsIn16(b.users.byId(4)!)).toBe(false);
    expect((await b.ask("app.set-user-password", [0x84, 0x03, ...pw20])).cc).toBe(CC.OK);
    expect((await b.ask("app.set-user-password", [0x04, 0x03, ...ascii("twenty-byte-pass", 16)])).cc).toBe(
      0x81,
    );
    expect(
      (await b.ask("app.set-user-password", [0x84, 0x03, ...ascii("twenty-byte-passworD", 20)])).cc,
    ).toBe(0x80);
  });

  it("answers C7h to a password of the wrong size or none, C8h to extra bytes", async () => {
    const b = testBmc();
    expect((await b.ask("app.set-user-password", [0x03, 0x02])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
    expect((await b.ask("app.set-user-password", [0x03, 0x03])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
    expect((await b.ask("app.set-user-password", [0x83, 0x02, ...ascii("x", 16)])).cc).toBe(
      CC.REQUEST_LENGTH_INVALID,
    );
    expect((await b.ask("app.set-user-password", [0x03, 0x02, ...ascii("x", 17)])).cc).toBe(
      CC.REQUEST_FIELD_LENGTH_EXCEEDED,
    );
    expect((await b.ask("app.set-user-password", [0x03])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
    expect(b.users.byId(3)?.password).toBeNull();
  });

  it("answers CCh to user 0, IDs past 16 and reserved bits", async () => {
    const b = testBmc();
    const pw = ascii("x", 16);
    for (const request of [
      [0x00, 0x02, ...pw],
      [0x11, 0x02, ...pw],
      [0x43, 0x02, ...pw],
      [0x03, 0x06, ...pw],
      [0x03, 0x81],
    ]) {
      expect((await b.ask("app.set-user-password", request)).cc, JSON.stringify(request)).toBe(
        CC.INVALID_DATA_FIELD,
      );
    }
  });

  it("lets the admin bootstrap's password be tested over IPMI", async () => {
    const b = testBmc();
    bootstrapAdmin(b.users, { password: "from-env" });
    expect((await b.ask("app.set-user-password", [0x02, 0x03, ...ascii("from-env", 16)])).cc).toBe(CC.OK);
  });
});

describe("Get User Access (06h/44h) and Set User Access (06h/43h)", () => {
  it("answers `ipmitool channel getaccess 1 2` for the shipped admin", async () => {
    const b = testBmc();
    // 16 user IDs; admin enabled (01b), 1 enabled; 1 fixed name; IPMI messaging, administrator.
    expect(await b.ask("app.get-user-access", [0x01, 0x02])).toEqual({
      cc: CC.OK,
      data: [0x10, 0x41, 0x01, 0x14],
    });
    // The null user: disabled (10b); the profile's default privilege (user) with IPMI messaging.
    expect(await b.ask("app.get-user-access", [0x01, 0x01])).toEqual({
      cc: CC.OK,
      data: [0x10, 0x81, 0x01, 0x12],
    });
    // An unused ID: no access.
    expect(await b.ask("app.get-user-access", [0x01, 0x09])).toEqual({
      cc: CC.OK,
      data: [0x10, 0x81, 0x01, 0x0f],
    });
  });

  it("sets privilege and, with bit 7, the callback / link / messaging bits", async () => {
    const b = testBmc();
    // ipmitool channel setaccess 1 3 callin=off ipmi=on link=on privilege=3
    expect(await b.ask("app.set-user-access", [0xb1, 0x03, 0x03, 0x00])).toEqual({ cc: CC.OK, data: [] });
    expect((await b.ask("app.get-user-access", [0x01, 0x03])).data).toEqual([0x10, 0x81, 0x01, 0x33]);
    // Bit 7 clear: only the privilege limit changes, the bits stay.
    expect((await b.ask("app.set-user-access", [0x01, 0x03, 0x02])).cc).toBe(CC.OK);
    expect((await b.ask("app.get-user-access", [0x01, 0x03])).data[3]).toBe(0x32);
    // Callback only, and the optional session limit.
    expect((await b.ask("app.set-user-access", [0xc1, 0x03, 0x01, 0x02])).cc).toBe(CC.OK);
    expect((await b.ask("app.get-user-access", [0x01, 0x03])).data[3]).toBe(0x41);
    expect(b.users.channelAccess(b.users.byId(3)!, 1).sessionLimit).toBe(2);
    // No access.
    expect((await b.ask("app.set-user-access", [0x01, 0x03, 0x0f])).cc).toBe(CC.OK);
    expect((await b.ask("app.get-user-access", [0x01, 0x03])).data[3]).toBe(0x4f);
  });

  it("reads 0Eh as the channel the request came in on", async () => {
    const b = testBmc();
    expect(await call(b.h("app.get-user-access"), [0x0e, 0x02], "lan", lanSession)).toEqual({
      cc: CC.OK,
      data: [0x10, 0x41, 0x01, 0x14],
    });
    // From the system interface, 0Eh is channel 0Fh: session-less, no users.
    expect((await b.ask("app.get-user-access", [0x0e, 0x02])).cc).toBe(CC.INVALID_DATA_FIELD);
    expect((await call(b.h("app.set-user-access"), [0x9e, 0x05, 0x02], "lan", lanSession)).cc).toBe(CC.OK);
    expect(b.users.channelAccess(b.users.byId(5)!, 1)).toMatchObject({
      privilegeLimit: 2,
      ipmiMessaging: true,
    });
  });

  it("answers CCh to session-less or missing channels, bad user IDs, reserved bits and limits", async () => {
    const b = testBmc();
    for (const [id, request] of [
      ["app.get-user-access", [0x00, 0x02]],
      ["app.get-user-access", [0x0f, 0x02]],
      ["app.get-user-access", [0x07, 0x02]],
      ["app.get-user-access", [0x01, 0x00]],
      ["app.get-user-access", [0x01, 0x11]],
      ["app.get-user-access", [0x01, 0x42]],
      ["app.get-user-access", [0x11, 0x02]],
      ["app.set-user-access", [0x90, 0x03, 0x02]],
      ["app.set-user-access", [0x9f, 0x03, 0x02]],
      ["app.set-user-access", [0x91, 0x00, 0x02]],
      ["app.set-user-access", [0x91, 0x11, 0x02]],
      ["app.set-user-access", [0x91, 0x83, 0x02]],
      ["app.set-user-access", [0x91, 0x03, 0x00]],
      ["app.set-user-access", [0x91, 0x03, 0x06]],
      ["app.set-user-access", [0x91, 0x03, 0x0e]],
      ["app.set-user-access", [0x91, 0x03, 0x12]],
      ["app.set-user-access", [0x91, 0x03, 0x02, 0x10]],
    ] as const) {
      expect((await b.ask(id, request)).cc, `${id} ${JSON.stringify(request)}`).toBe(CC.INVALID_DATA_FIELD);
    }
    expect((await b.ask("app.set-user-access", [0x91, 0x03])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
    expect((await b.ask("app.set-user-access", [0x91, 0x03, 0x02, 0x00, 0x00])).cc).toBe(
      CC.REQUEST_FIELD_LENGTH_EXCEEDED,
    );
    expect((await b.ask("app.get-user-access", [0x01])).cc).toBe(CC.REQUEST_LENGTH_INVALID);
    expect(b.users.channelAccess(b.users.byId(3)!, 1).privilegeLimit).toBe(0x0f);
  });
});

describe("the user commands' changes", () => {
  it("persist across a restart, the password sealed in the store", async () => {
    const store = new MemoryBmcStore();
    const secrets = SecretBox.ephemeral();
    const first = testBmc({ store, secrets });
    await first.ask("app.set-user-name", [0x05, ...ascii("dave", 16)]);
    await first.ask("app.set-user-password", [0x05, 0x02, ...ascii("dave-pw-123", 16)]);
    await first.ask("app.set-user-password", [0x05, 0x01]);
    await first.ask("app.set-user-access", [0x91, 0x05, 0x03]);
    await first.stop();
    const persisted = await store.load();
    expect(JSON.stringify(persisted.settings.get(SETTING.IPMI_USERS))).not.toContain("dave-pw-123");

    const second = testBmc({ store, secrets, persisted });
    expect((await second.ask("app.get-user-name", [0x05])).data).toEqual(ascii("dave", 16));
    expect((await second.ask("app.set-user-password", [0x05, 0x03, ...ascii("dave-pw-123", 16)])).cc).toBe(
      CC.OK,
    );
    expect((await second.ask("app.get-user-access", [0x01, 0x05])).data).toEqual([0x10, 0x42, 0x01, 0x13]);
  });
});

describe("decoding the user commands for the dashboard", () => {
  const APP = 0x06;
  const rq = (cmd: number, data: number[]) => decodeRequest(APP, cmd, Uint8Array.from(data));

  it("names the fields, and does not show a password", () => {
    expect(values(rq(0x47, [0x83, 0x02, ...ascii("s3cret", 20)]))).toEqual({
      "Password size": "20 bytes",
      "User ID": "3",
      Operation: "Set password (02h)",
      Password: "20 bytes",
    });
    expect(values(rq(0x47, [0x03, 0x00]))).toEqual({
      "Password size": "16 bytes",
      "User ID": "3",
      Operation: "Disable user (00h)",
    });
    expect(values(rq(0x45, [0x03, ...ascii("bob", 16)]))).toEqual({ "User ID": "3", "User name": '"bob"' });
    expect(values(decodeResponse(APP, 0x46, 0x00, Uint8Array.from(ascii("", 16))))).toEqual({
      "User name": "(none)",
    });
    expect(values(rq(0x43, [0xb1, 0x03, 0x03, 0x02]))).toEqual({
      "Change bits 6:4": "yes",
      "User restricted to callback": "no",
      "User link authentication": "enabled",
      "User IPMI messaging": "enabled",
      "Channel number": "1",
      "User ID": "3",
      "User privilege level limit": "Operator (03h)",
      "User simultaneous session limit": "2",
    });
    expect(values(decodeResponse(APP, 0x44, 0x00, Uint8Array.of(0x10, 0x41, 0x01, 0x14)))).toEqual({
      "Maximum user IDs": "16",
      "User ID enable status": "Enabled (Set User Password) (01h)",
      "Enabled user IDs": "1",
      "User IDs with fixed names": "1",
      "User restricted to callback": "no",
      "User link authentication": "disabled",
      "User IPMI messaging": "enabled",
      "User privilege level limit": "Administrator (04h)",
    });
    expect(decodeResponse(APP, 0x47, 0x81, new Uint8Array())?.[0]?.value).toBe(
      "81h Password test failed: wrong password size was used",
    );
  });
});
