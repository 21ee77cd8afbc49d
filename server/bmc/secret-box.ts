/**
 * Encrypts the BMC's IPMI passwords at rest (docs/security.md). IPMI cannot keep a hash:
 * RAKP (RMCP+) and the MD5 / straight password AuthCodes of IPMI 1.5 compute with the
 * password itself, so the BMC must be able to read it back. What the database holds is
 * AES-256-GCM ciphertext; the key lives in a file of its own beside the database
 * (`ipmi-secrets.key`, 32 random bytes, mode 0600), so a copy of the database alone
 * does not give the passwords away.
 *
 * Sealed form: base64 of iv (12 bytes) | tag (16 bytes) | ciphertext. GCM's tag makes a
 * changed byte, or a different key, fail `open` instead of returning garbage.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Logger } from "../logger";

/** The key file's name, beside the SQLite database file. */
export const SECRET_KEY_FILE = "ipmi-secrets.key";

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Bound into every seal (GCM's additional data): a sealed value of another purpose does not open. */
const PURPOSE = Buffer.from("bmc-console ipmi password v1");

/** A key file that cannot be used, or a sealed value that does not open (changed, or another key). */
export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretBoxError";
  }
}

export class SecretBox {
  private constructor(
    private readonly key: Buffer,
    /** The key file, or null for an in-memory key (tests, a BMC without a database). */
    readonly keyPath: string | null,
  ) {}

  /**
   * The key in `keyPath`: created (32 random bytes, mode 0600, never overwriting) when
   * there is none, read when there is. A file of another length is refused; a file that
   * others may read is used, with a warning.
   */
  static open(keyPath: string, log?: Logger): SecretBox {
    const fresh = randomBytes(KEY_BYTES);
    try {
      writeFileSync(keyPath, fresh, { mode: 0o600, flag: "wx" });
      log?.info(`secrets: created ${keyPath} (the key of the IPMI passwords; back it up with the database)`);
      return new SecretBox(fresh, keyPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") {
        throw new SecretBoxError(`cannot create the key file ${keyPath}: ${(err as Error).message}`);
      }
    }
    let key: Buffer;
    try {
      key = readFileSync(keyPath);
    } catch (err) {
      throw new SecretBoxError(`cannot read the key file ${keyPath}: ${(err as Error).message}`);
    }
    if (key.length !== KEY_BYTES) {
      throw new SecretBoxError(
        `the key file ${keyPath} has ${key.length} bytes, a key has ${KEY_BYTES}: ` +
          "restore the file that belongs to this database (without it the IPMI passwords must be set again)",
      );
    }
    if (process.platform !== "win32") {
      const mode = statSync(keyPath).mode & 0o777;
      if (mode & 0o077) {
        log?.warn(
          `secrets: ${keyPath} has mode ${mode.toString(8).padStart(4, "0")}: others may read the IPMI ` +
            "password key; chmod 600 it",
        );
      }
    }
    return new SecretBox(key, keyPath);
  }

  /** A key in memory only: what it sealed opens only in this process. */
  static ephemeral(): SecretBox {
    return new SecretBox(randomBytes(KEY_BYTES), null);
  }

  /** base64 of iv | tag | ciphertext. */
  seal(plain: Uint8Array): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(PURPOSE);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64");
  }

  /** The plain bytes; throws SecretBoxError when the value was changed or sealed with another key. */
  open(sealed: string): Uint8Array {
    const raw = Buffer.from(sealed, "base64");
    if (raw.length < IV_BYTES + TAG_BYTES || raw.toString("base64") !== sealed) {
      throw new SecretBoxError("not a sealed value");
    }
    const decipher = createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(PURPOSE);
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    try {
      return Uint8Array.from(
        Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]),
      );
    } catch {
      throw new SecretBoxError("the sealed value does not open with this key (changed, or another key)");
    }
  }
}

/**
 * Where the key of a database lives: `ipmi-secrets.key` in the database file's directory.
 * Null for a database without a file (":memory:").
 */
export function secretKeyPathFor(databaseUrl: string): string | null {
  const file = databaseUrl.replace(/^file:/, "").replace(/\?.*$/, "");
  if (file === "" || file === ":memory:") return null;
  return path.join(path.dirname(file), SECRET_KEY_FILE);
}
