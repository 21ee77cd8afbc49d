/**
 * Console history's batching writer. A serial console arrives a few bytes at a time (a UART
 * FIFO's worth, one keystroke), so bytes are coalesced per direction and source into batches
 * of up to `maxBatchBytes` (4 KiB) or `maxDelayMs` (100 ms) after a batch's first byte,
 * whichever comes first, and each batch is one row, one INSERT. At 115200 baud flat out
 * (11.5 KB/s) that is about 3 rows a second, so the writer goes through Prisma on the main
 * connection; the exchange log's worker (server/traffic/log-writer.ts) is for rates a
 * thousand times higher.
 *
 * Guarantees:
 * - one INSERT in flight; batches are written in the order they were sealed, so the rows
 *   of one direction and source are in id order as the bytes went by;
 * - a batch leaves the queue only once its INSERT committed; a failure is reported to
 *   `onError` and retried with backoff;
 * - close() seals what is pending and resolves only when everything is stored (it rejects,
 *   naming the bytes left, after CLOSE_ATTEMPTS failures in a row);
 * - memory is bounded: past `maxQueuedBytes` waiting for a database that does not answer,
 *   the oldest waiting batches are dropped and counted (`stats().droppedBytes`).
 *
 * `text` is the batch decoded as UTF-8 by one streaming decoder per direction and source,
 * so a character split across two batches is decoded whole (into the later batch's text)
 * and `data` stays byte-exact; bytes that are not UTF-8 become U+FFFD.
 */
import type { ConsoleChunkDto } from "../contract/console";
import type { Database } from "../persistence/database";
import { type ConsoleStream, consoleSource } from "./console-stream";

export type ConsoleDirection = "out" | "in";

export const DEFAULT_MAX_BATCH_BYTES = 4096;
export const DEFAULT_MAX_DELAY_MS = 100;
export const DEFAULT_MAX_INPUT_DELAY_MS = 5000;
export const DEFAULT_MAX_QUEUED_BYTES = 8 * 1024 * 1024;
const DEFAULT_RETRY_DELAY_MS = 50;
const DEFAULT_MAX_RETRY_DELAY_MS = 2000;
/** How often close() tries to write what is left before it gives up. */
export const CLOSE_ATTEMPTS = 3;

export interface ConsoleLogWriterOptions {
  maxBatchBytes?: number;
  maxDelayMs?: number;
  /**
   * How long typed input ("in") may gather before it is stored, unless a CR or LF ends the
   * line first. People type a few keys a second: with the output's 100 ms a command would
   * be stored a key or two per row, and a search for it would find nothing.
   */
  maxInputDelayMs?: number;
  maxQueuedBytes?: number;
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** ms since the epoch, for a write without its own time. */
  now?: () => number;
  onError?: (err: unknown) => void;
}

export interface ConsoleLogStats {
  /** Rows written. */
  rows: number;
  /** Bytes written. */
  bytes: number;
  /** Bytes waiting: in open batches and in sealed ones not yet stored. */
  pendingBytes: number;
  /** Bytes dropped because the database did not take them in time, or written after close. */
  droppedBytes: number;
}

interface OpenBatch {
  direction: ConsoleDirection;
  source: string | null;
  receivedAt: number;
  parts: Uint8Array[];
  size: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

interface SealedBatch {
  receivedAt: number;
  direction: ConsoleDirection;
  source: string | null;
  data: Uint8Array<ArrayBuffer>;
  text: string;
}

export class ConsoleLogWriter {
  private readonly maxBatchBytes: number;
  private readonly maxDelayMs: number;
  private readonly maxInputDelayMs: number;
  private readonly maxQueuedBytes: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly now: () => number;
  private readonly onError: (err: unknown) => void;
  private readonly open = new Map<string, OpenBatch>();
  private readonly decoders = new Map<string, TextDecoder>();
  private readonly ready: SealedBatch[] = [];
  private readyBytes = 0;
  private running: Promise<void> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private wakeRetry: (() => void) | undefined;
  private closing = false;
  private closed = false;
  private readonly counters = { rows: 0, bytes: 0, droppedBytes: 0 };
  private readonly storedListeners = new Set<(chunk: ConsoleChunkDto) => void>();

  constructor(
    private readonly db: Database,
    options: ConsoleLogWriterOptions = {},
  ) {
    this.maxBatchBytes = options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    this.maxDelayMs = options.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
    this.maxInputDelayMs = options.maxInputDelayMs ?? DEFAULT_MAX_INPUT_DELAY_MS;
    this.maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
    this.retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? DEFAULT_MAX_RETRY_DELAY_MS;
    this.now = options.now ?? Date.now;
    this.onError = options.onError ?? (() => {});
  }

  stats(): ConsoleLogStats {
    let open = 0;
    for (const b of this.open.values()) open += b.size;
    return { ...this.counters, pendingBytes: open + this.readyBytes };
  }

  /** Queues bytes that went by; `source` says who typed an "in" chunk. */
  write(direction: ConsoleDirection, bytes: Uint8Array, source: string | null = null, at?: number): void {
    if (bytes.length === 0) return;
    if (this.closing) {
      this.counters.droppedBytes += bytes.length;
      return;
    }
    const key = `${direction}\0${source ?? ""}`;
    let rest = bytes;
    while (rest.length > 0) {
      let batch = this.open.get(key);
      if (!batch) {
        batch = { direction, source, receivedAt: at ?? this.now(), parts: [], size: 0, timer: undefined };
        const opened = batch;
        batch.timer = setTimeout(
          () => {
            if (this.open.get(key) === opened) this.seal(key, false);
          },
          direction === "in" ? this.maxInputDelayMs : this.maxDelayMs,
        );
        this.open.set(key, batch);
      }
      const room = this.maxBatchBytes - batch.size;
      const part = rest.subarray(0, room);
      // A copy: the caller's buffer may be reused.
      batch.parts.push(Uint8Array.from(part));
      batch.size += part.length;
      rest = rest.subarray(part.length);
      // A typed line is stored when it ends (Enter sends CR; some consoles LF).
      const lineEnd = direction === "in" && (part.includes(0x0d) || part.includes(0x0a));
      if (batch.size >= this.maxBatchBytes || lineEnd) this.seal(key, false);
    }
  }

  /** Seals every open batch and resolves once all of them are stored. */
  async flush(): Promise<void> {
    for (const key of [...this.open.keys()]) this.seal(key, false);
    await this.drained();
  }

  /** Resolves when no sealed batch waits (open batches stay open). */
  async drained(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Stops taking bytes, stores everything pending; rejects if the database will not take it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closing = true;
    for (const key of [...this.open.keys()]) this.seal(key, true);
    this.decoders.clear();
    // A retry sleeping on its backoff tries again now.
    this.wakeRetry?.();
    await this.drained();
    this.closed = true;
    if (this.ready.length > 0) {
      throw new Error(
        `console history: ${this.readyBytes} bytes in ${this.ready.length} batch${this.ready.length === 1 ? "" : "es"} were not stored`,
      );
    }
  }

  /**
   * Tells `listener` about each chunk once its row is committed, with the row's id, so a
   * live view and the history show the very same chunks (the Live page's console lane).
   */
  onStored(listener: (chunk: ConsoleChunkDto) => void): () => void {
    this.storedListeners.add(listener);
    return () => {
      this.storedListeners.delete(listener);
    };
  }

  /** Subscribes to a console stream: host output as "out", input as "in" with who typed it. */
  record(stream: ConsoleStream): () => void {
    return stream.on((event) => {
      if (event.type === "output") this.write("out", event.bytes, null, event.at);
      else if (event.type === "input") this.write("in", event.bytes, consoleSource(event.owner), event.at);
    });
  }

  private seal(key: string, final: boolean): void {
    const batch = this.open.get(key);
    if (!batch) return;
    this.open.delete(key);
    clearTimeout(batch.timer);
    const data = new Uint8Array(batch.size);
    let at = 0;
    for (const p of batch.parts) {
      data.set(p, at);
      at += p.length;
    }
    let decoder = this.decoders.get(key);
    if (!decoder) {
      decoder = new TextDecoder("utf-8", { fatal: false });
      this.decoders.set(key, decoder);
    }
    const text = decoder.decode(data, { stream: !final });
    this.ready.push({
      receivedAt: batch.receivedAt,
      direction: batch.direction,
      source: batch.source,
      data,
      text,
    });
    this.readyBytes += data.length;
    this.bound();
    this.kick();
  }

  /** A listener that throws must not make a stored row look unstored (and be written again). */
  private tellStored(chunk: ConsoleChunkDto): void {
    for (const listener of this.storedListeners) {
      try {
        listener(chunk);
      } catch (err) {
        this.onError(err);
      }
    }
  }

  /** Drops the oldest waiting batches (never the one in flight) past maxQueuedBytes. */
  private bound(): void {
    while (this.readyBytes > this.maxQueuedBytes && this.ready.length > 1) {
      const [dropped] = this.ready.splice(1, 1);
      this.readyBytes -= dropped!.data.length;
      this.counters.droppedBytes += dropped!.data.length;
    }
  }

  private kick(): void {
    if (this.running) return;
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
  }

  private async run(): Promise<void> {
    let delay = this.retryDelayMs;
    let failures = 0;
    while (this.ready.length > 0) {
      const batch = this.ready[0]!;
      try {
        const row = await this.db.consoleChunk.create({
          data: {
            receivedAt: batch.receivedAt,
            direction: batch.direction,
            source: batch.source,
            data: batch.data,
            text: batch.text,
          },
          select: { id: true },
        });
        this.ready.shift();
        this.readyBytes -= batch.data.length;
        this.counters.rows++;
        this.counters.bytes += batch.data.length;
        delay = this.retryDelayMs;
        failures = 0;
        this.tellStored({
          id: row.id,
          receivedAt: batch.receivedAt,
          direction: batch.direction,
          source: batch.source,
          text: batch.text,
        });
      } catch (err) {
        this.onError(err);
        failures++;
        if (this.closing && failures >= CLOSE_ATTEMPTS) return;
        await new Promise<void>((resolve) => {
          this.wakeRetry = resolve;
          this.retryTimer = setTimeout(resolve, delay);
        });
        clearTimeout(this.retryTimer);
        this.wakeRetry = undefined;
        delay = Math.min(delay * 2, this.maxRetryDelayMs);
      }
    }
  }
}
