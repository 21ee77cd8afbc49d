/**
 * Bytes in arrival order, as a list of chunks (no copying on push), with a cap: pushing
 * past it drops the oldest bytes and counts them. One reader's buffer in ConsoleStream.
 */
export class ByteQueue {
  private chunks: Uint8Array[] = [];
  private head = 0;
  private size = 0;
  /** Bytes dropped since the last take(). */
  private dropped = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity ${capacity} must be >= 1`);
  }

  get length(): number {
    return this.size;
  }

  /** Bytes dropped (oldest first) since the last take(). */
  get skipped(): number {
    return this.dropped;
  }

  /** Appends; past the capacity the oldest bytes go. The caller must not change `bytes` afterwards. */
  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    if (bytes.length >= this.capacity) {
      // Everything queued and the head of this chunk go.
      this.dropped += this.size + bytes.length - this.capacity;
      this.chunks = [bytes.subarray(bytes.length - this.capacity)];
      this.head = 0;
      this.size = this.capacity;
      return;
    }
    this.chunks.push(bytes);
    this.size += bytes.length;
    if (this.size > this.capacity) this.drop(this.size - this.capacity);
  }

  /**
   * Takes up to `max` bytes from the front (copied into one array) and the count of bytes
   * dropped before them, which it resets.
   */
  take(max = Number.POSITIVE_INFINITY): { data: Uint8Array; skipped: number } {
    const n = Math.min(this.size, Math.max(0, Math.floor(max)));
    const data = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const first = this.chunks[0]!;
      const available = first.length - this.head;
      const count = Math.min(available, n - at);
      data.set(first.subarray(this.head, this.head + count), at);
      at += count;
      this.consume(count);
    }
    const skipped = this.dropped;
    this.dropped = 0;
    return { data, skipped };
  }

  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.size = 0;
    this.dropped = 0;
  }

  private drop(n: number): void {
    this.dropped += n;
    let left = n;
    while (left > 0) {
      const count = Math.min(this.chunks[0]!.length - this.head, left);
      this.consume(count);
      left -= count;
    }
  }

  private consume(count: number): void {
    this.head += count;
    this.size -= count;
    if (this.head === this.chunks[0]!.length) {
      this.chunks.shift();
      this.head = 0;
    }
  }
}

/** The last `capacity` bytes written, for a new reader's scrollback. */
export class ByteRing {
  private readonly buffer: Uint8Array;
  /** Where the next byte goes. */
  private end = 0;
  private filled = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`capacity ${capacity} must be >= 1`);
    this.buffer = new Uint8Array(capacity);
  }

  get length(): number {
    return this.filled;
  }

  write(bytes: Uint8Array): void {
    const src = bytes.length > this.capacity ? bytes.subarray(bytes.length - this.capacity) : bytes;
    const first = Math.min(src.length, this.capacity - this.end);
    this.buffer.set(src.subarray(0, first), this.end);
    this.buffer.set(src.subarray(first), 0);
    this.end = (this.end + src.length) % this.capacity;
    this.filled = Math.min(this.capacity, this.filled + src.length);
  }

  /** A copy of the newest `max` bytes (all by default), oldest first. */
  contents(max = this.capacity): Uint8Array {
    const n = Math.min(this.filled, Math.max(0, Math.floor(max)));
    const out = new Uint8Array(n);
    const start = (this.end - n + this.capacity) % this.capacity;
    const first = Math.min(n, this.capacity - start);
    out.set(this.buffer.subarray(start, start + first), 0);
    out.set(this.buffer.subarray(0, n - first), first);
    return out;
  }

  clear(): void {
    this.end = 0;
    this.filled = 0;
  }
}
