import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CC } from "../ipmi/completion-codes";
import { openBmc } from "./index";
import { defaultProfile, loadProfile, loadProfileFile, ProfileError, parseProfile } from "./profile";
import defaultJson from "./profiles/default.json" with { type: "json" };
import { call, find, type ProfileJson, profileWith } from "./test-harness";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempFile(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "bmc-profile-test-"));
  dirs.push(dir);
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

function problems(edit: (json: ProfileJson) => void): string[] {
  try {
    profileWith(edit);
  } catch (err) {
    if (err instanceof ProfileError) return err.problems;
    throw err;
  }
  throw new Error("the profile was accepted");
}

describe("the shipped default profile", () => {
  it("passes the schema: identity, 13 sensors, 2 FRU devices, 3 channels, 2 users", () => {
    const p = defaultProfile();
    expect(p.device).toMatchObject({
      deviceId: 0x20,
      manufacturerId: 32473,
      productId: 1,
      ipmiVersion: 0x02,
    });
    expect(p.sensors.map((s) => s.number)).toEqual([
      0x01, 0x02, 0x03, 0x10, 0x11, 0x12, 0x13, 0x20, 0x21, 0x30, 0x31, 0x40, 0x41,
    ]);
    expect(p.fru.map((f) => [f.id, f.size])).toEqual([
      [0, 512],
      [1, 128],
    ]);
    expect(p.channels.map((c) => c.number)).toEqual([0, 1, 15]);
    expect(p.sel.capacity).toBe(512);
  });

  it("is what loadProfile() gives when BMC_PROFILE is not set", async () => {
    expect(await loadProfile(undefined)).toBe(defaultProfile());
  });

  it("is the example docs/profile.md shows, verbatim", async () => {
    const doc = await readFile(new URL("../../docs/profile.md", import.meta.url), "utf8");
    const block = /```json\n([\s\S]*?)\n```/.exec(doc.slice(doc.indexOf("## The shipped default")));
    expect(block, "docs/profile.md has the default profile in a json block").not.toBeNull();
    expect(JSON.parse(block![1]!)).toEqual(defaultJson);
  });
});

describe("a bad profile is refused with each field and the reason", () => {
  it.each<[string, (p: ProfileJson) => void, RegExp]>([
    ["an unknown key", (p) => (p.sensorz = []), /^\(profile\): Unrecognized key: "sensorz"/],
    ["a missing field", (p) => delete p.device.manufacturerId, /^device\.manufacturerId: is required/],
    [
      "a number out of range",
      (p) => (p.device.manufacturerId = 0x100000),
      /^device\.manufacturerId: must be an integer in 0\.\.1048575, is 1048576/,
    ],
    ["a bad hex string", (p) => (p.device.productId = "0xZZ"), /^device\.productId: must be an integer/],
    ["a bad GUID", (p) => (p.systemGuid = "nope"), /^systemGuid: an RFC 4122 GUID/],
    [
      "an unknown sensor type",
      (p) => (p.sensors[0].type = "temprature"),
      /^sensors\[0\]\.type: "temprature" is not a sensor type/,
    ],
    [
      "a sensor without a kind",
      (p) => delete p.sensors[2].kind,
      /^sensors\[2\]\.kind: each sensor needs "kind"/,
    ],
    [
      "a threshold the raw byte cannot carry",
      (p) => (p.sensors[0].thresholds.unr = 300),
      /^sensors\[0\]\.thresholds\.unr: 300 needs a raw reading outside 0\.\.255 with M=1/,
    ],
    [
      "thresholds out of order",
      (p) => (p.sensors[3].thresholds.uc = 12.0),
      /^sensors\[3\]\.thresholds\.uc: uc \(12\) must be at or above unc \(12\.6\)/,
    ],
    [
      "a wave that leaves the raw range",
      (p) => (p.sensors[0].movement.amplitude = 250),
      /^sensors\[0\]\.movement\.amplitude: reading 45 ± 250 leaves the raw range/,
    ],
    [
      "a duplicate sensor number",
      (p) => (p.sensors[1].number = 1),
      /^sensors\[1\]\.number: sensor number 0x1 on LUN 0 is already sensors\[0\]/,
    ],
    [
      "an asserted state the sensor has not got",
      (p) => (p.sensors[9].asserted = [5]),
      /^sensors\[9\]\.asserted: state 5 is not in "states"/,
    ],
    [
      "a settable threshold that is not defined",
      (p) => (p.sensors[0].settable = ["lnc"]),
      /^sensors\[0\]\.settable: threshold lnc/,
    ],
    [
      "a FRU device too small for its areas",
      (p) => (p.fru[1].size = 16),
      /^fru\[1\]\.size: the areas take 64 bytes, more than the size of 16/,
    ],
    [
      "a one-character FRU field",
      (p) => (p.fru[0].product.version = "A"),
      /^fru\[0\]\.product\.version: .*C1h/,
    ],
    [
      "FRU text in an area whose language is not English (FRU spec 13: type 11b is Unicode there)",
      (p) => (p.fru[0].board.language = 5),
      /^fru\[0\]\.board\.manufacturer: Board manufacturer: "Example Systems" cannot be 8-bit ASCII \+ Latin 1 here.*2-byte Unicode/,
    ],
    [
      "a FRU area longer than its length byte counts",
      (p) => (p.fru[0].chassis.custom = Array.from({ length: 33 }, () => "x".repeat(63))),
      /^fru\[0\]\.chassis: the area takes \d+ bytes, more than its length byte counts \(2040\)/,
    ],
    ["a SEL of no entries", (p) => (p.sel.capacity = 0), /^sel\.capacity: must be an integer in 1\.\.65534/],
    [
      "an unknown restore policy",
      (p) => (p.chassis.restorePolicy = "sometimes"),
      /^chassis\.restorePolicy: /,
    ],
    [
      "a user on a channel that does not exist",
      (p) => (p.users[1].channels = [7]),
      /^users\[1\]\.channels: channel 7 is not in "channels"/,
    ],
    [
      "a SDR name longer than 16",
      (p) => (p.sensors[0].name = "CPU Temperature Sensor"),
      /^sensors\[0\]\.name: at most 16 characters/,
    ],
  ])("%s", (_name, edit, message) => {
    const found = problems(edit);
    expect(
      found.some((m) => message.test(m)),
      found.join("\n"),
    ).toBe(true);
  });

  it("reports a FRU field the schema refuses once, not again from the area's layout", () => {
    expect(problems((p) => (p.fru[0].product.name = "x".repeat(64)))).toEqual([
      "fru[0].product.name: at most 63 characters",
    ]);
  });

  it("lists every problem at once", () => {
    const found = problems((p) => {
      p.device.deviceRevision = 16;
      p.deviceGuid = "x";
    });
    expect(found).toEqual([
      expect.stringMatching(/^device\.deviceRevision: /),
      expect.stringMatching(/^deviceGuid: /),
    ]);
  });

  it("names the file, and says so when it cannot be read or is not JSON", async () => {
    await expect(loadProfileFile("/nonexistent/profile.json")).rejects.toThrow(
      /BMC profile \/nonexistent\/profile\.json refused:\n {2}- cannot read the file/,
    );
    const bad = await tempFile("bad.json", "{ not json");
    await expect(loadProfileFile(bad)).rejects.toThrow(/not valid JSON/);
    const wrong = await tempFile("wrong.json", JSON.stringify({ ...defaultJson, name: "" }));
    await expect(openBmc({ profilePath: wrong })).rejects.toThrow(ProfileError);
    await expect(openBmc({ profilePath: wrong })).rejects.toThrow(/wrong\.json refused:\n {2}- name: /);
  });
});

describe("another profile, selected by file (BMC_PROFILE)", () => {
  it("changes what the BMC answers", async () => {
    const other = structuredClone(defaultJson) as ProfileJson;
    other.name = "tiny";
    other.device.productId = "0x0042";
    other.device.firmwareRevision = "2.17";
    other.sensors = other.sensors.slice(0, 2);
    other.fru = [];
    const file = await tempFile("tiny.json", JSON.stringify(other));
    const bmc = await openBmc({ profilePath: file });
    expect(bmc.profile.name).toBe("tiny");
    const id = await call(find(bmc.handlers, "app.get-device-id"));
    // fw 2.17 (BCD 17h), no FRU device: support 87h, product 0042h.
    expect(id.data.slice(2, 11)).toEqual([0x02, 0x17, 0x02, 0x87, 0xd9, 0x7e, 0x00, 0x42, 0x00]);
    expect((await call(find(bmc.handlers, "storage.get-sdr-repository-info"))).data.slice(1, 3)).toEqual([
      0x03, 0x00,
    ]);
    expect((await call(find(bmc.handlers, "storage.get-fru-inventory-area-info"), [0])).cc).toBe(
      CC.NOT_PRESENT,
    );
    await bmc.stop();
  });

  it("parses a profile given as a value as well", () => {
    expect(parseProfile(structuredClone(defaultJson), "inline").name).toBe(defaultProfile().name);
  });
});
