import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Logger } from "../logger";
import { SECRET_KEY_FILE, SecretBox, SecretBoxError, secretKeyPathFor } from "./secret-box";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "secret-box-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function recordingLog() {
  const lines: string[] = [];
  const log: Logger = {
    debug: (m) => lines.push(`debug ${m}`),
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
  };
  return { log, lines };
}

const bytes = (s: string) => new TextEncoder().encode(s);

describe("SecretBox", () => {
  it("opens what it sealed, and seals the same bytes differently each time", () => {
    const box = SecretBox.ephemeral();
    const plain = bytes("correct horse\0\0\0");
    const a = box.seal(plain);
    const b = box.seal(plain);
    expect(a).not.toBe(b);
    expect(box.open(a)).toEqual(plain);
    expect(box.open(b)).toEqual(plain);
    // iv 12 + tag 16 + 16 bytes of ciphertext.
    expect(Buffer.from(a, "base64")).toHaveLength(44);
    expect(Buffer.from(a, "base64").includes(Buffer.from("correct horse"))).toBe(false);
  });

  it("refuses a changed byte, a cut value and another key's seal", () => {
    const box = SecretBox.ephemeral();
    const sealed = Buffer.from(box.seal(bytes("secret")), "base64");
    for (const at of [0, 12, 28, sealed.length - 1]) {
      const changed = Buffer.from(sealed);
      changed[at]! ^= 0x01;
      expect(() => box.open(changed.toString("base64")), `byte ${at}`).toThrow(SecretBoxError);
    }
    expect(() => box.open(sealed.subarray(0, 20).toString("base64"))).toThrow(SecretBoxError);
    expect(() => box.open("not base64!")).toThrow(SecretBoxError);
    expect(() => SecretBox.ephemeral().open(sealed.toString("base64"))).toThrow(SecretBoxError);
  });

  it("creates the key file with mode 0600 and reads the same key back", () => {
    const keyPath = path.join(dir, SECRET_KEY_FILE);
    const { log, lines } = recordingLog();
    const first = SecretBox.open(keyPath, log);
    expect(readFileSync(keyPath)).toHaveLength(32);
    if (process.platform !== "win32") expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(lines.some((l) => l.startsWith("info") && l.includes(keyPath))).toBe(true);
    const sealed = first.seal(bytes("admin-password"));
    const second = SecretBox.open(keyPath, log);
    expect(second.keyPath).toBe(keyPath);
    expect(second.open(sealed)).toEqual(bytes("admin-password"));
    expect(lines.filter((l) => l.startsWith("warn"))).toEqual([]);
  });

  it("refuses a key file of the wrong length, leaving it as it is", () => {
    const keyPath = path.join(dir, SECRET_KEY_FILE);
    writeFileSync(keyPath, Buffer.alloc(16, 1), { mode: 0o600 });
    expect(() => SecretBox.open(keyPath)).toThrow(/has 16 bytes, a key has 32/);
    expect(readFileSync(keyPath)).toEqual(Buffer.alloc(16, 1));
    writeFileSync(keyPath, Buffer.alloc(0));
    expect(() => SecretBox.open(keyPath)).toThrow(SecretBoxError);
  });

  it.skipIf(process.platform === "win32")("warns when others may read the key file", () => {
    const keyPath = path.join(dir, SECRET_KEY_FILE);
    SecretBox.open(keyPath);
    chmodSync(keyPath, 0o644);
    const { log, lines } = recordingLog();
    SecretBox.open(keyPath, log);
    expect(lines.filter((l) => l.startsWith("warn"))).toEqual([
      expect.stringMatching(/mode 0644.*chmod 600/),
    ]);
  });

  it("cannot create the key where the directory does not exist", () => {
    expect(() => SecretBox.open(path.join(dir, "missing", SECRET_KEY_FILE))).toThrow(
      /cannot create the key file/,
    );
  });
});

describe("secretKeyPathFor", () => {
  it("puts the key beside the database file", () => {
    expect(secretKeyPathFor("file:./data/bmc.db")).toBe(path.join("data", SECRET_KEY_FILE));
    expect(secretKeyPathFor("file:/var/lib/bmc/bmc.db?connection_limit=1")).toBe(
      path.join("/var/lib/bmc", SECRET_KEY_FILE),
    );
    expect(secretKeyPathFor("file:bmc.db")).toBe(SECRET_KEY_FILE);
    expect(secretKeyPathFor("file::memory:")).toBeNull();
  });
});
