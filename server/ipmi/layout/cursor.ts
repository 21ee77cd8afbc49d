/**
 * The two ends of every layout: a Cursor that reads bytes and never throws (a read past
 * the end counts the bytes it lacked, so a decoder can go on to the end of its layout and
 * say exactly how many bytes were missing), and a Writer that appends them.
 */

/** What a read that ran out of bytes returns. Distinct from `undefined`, which an absent optional field reads as. */
export const SHORT: unique symbol = Symbol("short");
export type Short = typeof SHORT;

/** What a layout may need to know besides its own bytes: a response's request (Get SDR reads a record in parts). */
export interface ReadContext {
  readonly request?: Uint8Array;
}

export class Cursor {
  private position = 0;
  private lacking = 0;

  constructor(
    readonly data: Uint8Array,
    readonly context: ReadContext = {},
  ) {}

  get pos(): number {
    return this.position;
  }

  /** Bytes not read yet. */
  get remaining(): number {
    return this.data.length - this.position;
  }

  /** Bytes a read wanted past the end. */
  get missing(): number {
    return this.lacking;
  }

  /** Whether a read already ran past the end. */
  get short(): boolean {
    return this.lacking > 0;
  }

  /** The next `n` bytes, or SHORT (counted as missing) when fewer remain. */
  take(n: number): Uint8Array | Short {
    if (this.lacking > 0) {
      this.lacking += n;
      return SHORT;
    }
    const available = this.data.length - this.position;
    if (available < n) {
      this.lacking += n - available;
      this.position = this.data.length;
      return SHORT;
    }
    const out = this.data.subarray(this.position, this.position + n);
    this.position += n;
    return out;
  }

  /** The next `n` bytes (1-6) as a little-endian number, or SHORT; no view is made (the hot path of every integer field). */
  uint(n: number): number | Short {
    const at = this.position;
    if (this.lacking > 0 || this.data.length - at < n) {
      this.take(n);
      return SHORT;
    }
    const d = this.data;
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + d[at + i]!;
    this.position = at + n;
    return v;
  }

  /** Whatever bytes remain, at most `max` (possibly none). */
  rest(max = Number.POSITIVE_INFINITY): Uint8Array {
    const end = Math.min(this.data.length, this.position + max);
    const out = this.data.subarray(this.position, end);
    this.position = end;
    return out;
  }

  /** The bytes from `start` to where the cursor is now. */
  since(start: number): Uint8Array {
    return this.data.subarray(start, this.position);
  }
}

/** A value that does not fit its layout: a bug in the handler that produced it, never sent. */
export class LayoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LayoutError";
  }
}

export class Writer {
  private buf = new Uint8Array(64);
  private len = 0;

  get length(): number {
    return this.len;
  }

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(v: number): void {
    this.room(1);
    this.buf[this.len++] = v;
  }

  bytes(b: Uint8Array | readonly number[]): void {
    this.room(b.length);
    for (let i = 0; i < b.length; i++) this.buf[this.len++] = b[i]! & 0xff;
  }

  /** An unsigned little-endian integer of `n` bytes: IPMI sends multi-byte fields LS byte first. */
  uint(v: number, n: number): void {
    this.room(n);
    let x = v;
    for (let i = 0; i < n; i++) {
      this.buf[this.len++] = x % 256;
      x = Math.floor(x / 256);
    }
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Little-endian value of up to 6 bytes. */
export function le(b: Uint8Array): number {
  let v = 0;
  for (let i = b.length - 1; i >= 0; i--) v = v * 256 + b[i]!;
  return v;
}
