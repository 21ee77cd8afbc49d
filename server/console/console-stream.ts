/**
 * One host's serial console: the host's output fanned out to any number of readers (SOL
 * sessions, browsers), the host's input from one writer at a time.
 *
 * - Output never waits for a reader. Each reader has a bounded buffer; a reader that does not
 *   keep up loses its oldest bytes and is told how many on its next take() (a slow browser
 *   must not stall the host's line or the SOL session beside it; a UART has no flow control
 *   towards us that we could use anyway).
 * - A ring of the newest output (64 KiB by default) is the scrollback a new reader gets
 *   first, so a console opened mid-boot shows what came before.
 * - Input: one writer at a time, because two people typing into one shell interleave
 *   keystrokes; a claim names the current writer when refused, and may take over. SOL's
 *   "payload already active" (IPMI 2.0 section 24.3, Activate Payload 80h) is the SOL layer's
 *   answer; this only says who holds the line.
 * - Every change is an event: output, input (with who typed it, for the audit and the
 *   history), readers attaching and leaving, the writer changing, the host line's state.
 *
 * Pure logic: no I/O, no timers; the clock is injected. A transport feeds `hostOutput()`
 * and takes input through the sink given to `setInput()` (see transport.ts).
 */
import { ByteQueue, ByteRing } from "./byte-queue";

export const DEFAULT_SCROLLBACK_BYTES = 64 * 1024;
export const DEFAULT_READER_BUFFER_BYTES = 256 * 1024;

export type ConsoleOwnerKind = "sol" | "browser";

/** Who reads or writes: a SOL session ("admin@10.0.0.5:623") or a browser tab (the operator's name). */
export interface ConsoleOwner {
  kind: ConsoleOwnerKind;
  /** Unique per kind: the SOL session id, the socket.io socket id. */
  id: string;
  /** For people: "admin@10.0.0.5:51234", "alice". */
  label: string;
}

export type HostLineState = "up" | "waiting" | "down";

export interface AttachedReader {
  /** The reader's own number (one owner may hold several readers). */
  handle: number;
  owner: ConsoleOwner;
  /** When it attached (the injected clock). */
  since: number;
}

export interface AttachedWriter {
  owner: ConsoleOwner;
  since: number;
}

export interface Attached {
  readers: AttachedReader[];
  writer: AttachedWriter | null;
}

export type WriterChange = "claimed" | "taken-over" | "released" | "detached";

export type ConsoleEvent =
  | { type: "output"; at: number; bytes: Uint8Array }
  | { type: "input"; at: number; bytes: Uint8Array; owner: ConsoleOwner }
  | { type: "attached"; at: number; reader: AttachedReader }
  | { type: "detached"; at: number; reader: AttachedReader }
  | {
      type: "writer";
      at: number;
      writer: ConsoleOwner | null;
      previous: ConsoleOwner | null;
      change: WriterChange;
    }
  | { type: "host"; at: number; state: HostLineState };

export type ClaimResult = { ok: true; previous: ConsoleOwner | null } | { ok: false; writer: ConsoleOwner };

export type WriteResult =
  | { ok: true }
  | { ok: false; reason: "not-writer"; writer: ConsoleOwner | null }
  | { ok: false; reason: "host-down" };

export interface ReaderOptions {
  /** Most bytes the reader's buffer holds before it drops the oldest. */
  bufferBytes?: number;
  /** Start with the scrollback (default true); capped at the buffer's size. */
  scrollback?: boolean;
}

export interface ConsoleReader {
  readonly handle: number;
  readonly owner: ConsoleOwner;
  /** Bytes waiting to be taken. */
  readonly pending: number;
  readonly closed: boolean;
  /**
   * Up to `max` bytes, oldest first, and how many bytes were dropped before them since the
   * last take (the reader fell behind). Empty data when nothing waits.
   */
  take(max?: number): { data: Uint8Array; skipped: number };
  /** Called after bytes were queued for this reader (synchronously, from hostOutput()). */
  onReadable(listener: () => void): () => void;
  /** Leaves the console; a writer claim by the same owner stays (see ConsoleStream.detach). */
  close(): void;
}

export interface ConsoleStreamOptions {
  scrollbackBytes?: number;
  readerBufferBytes?: number;
  /** ms since the epoch; events and attachments are stamped with it. */
  now?: () => number;
  /** A listener threw: it is isolated from the host and the other listeners. */
  onListenerError?: (err: unknown) => void;
}

export function sameOwner(a: ConsoleOwner, b: ConsoleOwner): boolean {
  return a.kind === b.kind && a.id === b.id;
}

/** "sol:admin@10.0.0.5:51234", "browser:alice": the history's `source` of what an owner typed. */
export function consoleSource(owner: ConsoleOwner): string {
  return `${owner.kind}:${owner.label}`;
}

class Reader implements ConsoleReader {
  readonly queue: ByteQueue;
  readonly listeners = new Set<() => void>();
  closed = false;

  constructor(
    readonly handle: number,
    readonly owner: ConsoleOwner,
    readonly since: number,
    bufferBytes: number,
    private readonly onClose: (reader: Reader) => void,
  ) {
    this.queue = new ByteQueue(bufferBytes);
  }

  get pending(): number {
    return this.queue.length;
  }

  take(max?: number): { data: Uint8Array; skipped: number } {
    return this.queue.take(max);
  }

  onReadable(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queue.clear();
    this.listeners.clear();
    this.onClose(this);
  }
}

export class ConsoleStream {
  private readonly ring: ByteRing;
  private readonly readerBufferBytes: number;
  private readonly now: () => number;
  private readonly onListenerError: (err: unknown) => void;
  private readonly readers = new Map<number, Reader>();
  private readonly listeners = new Set<(event: ConsoleEvent) => void>();
  private writer: AttachedWriter | null = null;
  private input: ((bytes: Uint8Array) => boolean) | undefined;
  private breakSink: (() => Promise<boolean>) | undefined;
  private nextHandle = 1;
  private host: HostLineState = "down";
  private outputBytes = 0;
  private inputBytes = 0;

  constructor(options: ConsoleStreamOptions = {}) {
    this.ring = new ByteRing(options.scrollbackBytes ?? DEFAULT_SCROLLBACK_BYTES);
    this.readerBufferBytes = options.readerBufferBytes ?? DEFAULT_READER_BUFFER_BYTES;
    this.now = options.now ?? Date.now;
    this.onListenerError = options.onListenerError ?? (() => {});
  }

  /** Every change, synchronously. Answers the unsubscribe. */
  on(listener: (event: ConsoleEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get hostState(): HostLineState {
    return this.host;
  }

  /** Bytes the host sent, and bytes written to it, since start. */
  stats(): { outputBytes: number; inputBytes: number; readers: number } {
    return { outputBytes: this.outputBytes, inputBytes: this.inputBytes, readers: this.readers.size };
  }

  /** The transport's state (up: the host's side is connected). */
  setHostState(state: HostLineState): void {
    if (state === this.host) return;
    this.host = state;
    this.emit({ type: "host", at: this.now(), state });
  }

  /** Where input goes: the transport's write; false when nothing took it (no host connected). */
  setInput(sink: ((bytes: Uint8Array) => boolean) | undefined): void {
    this.input = sink;
  }

  /** How a break reaches the line; undefined where the transport cannot send one. */
  setBreak(sink: (() => Promise<boolean>) | undefined): void {
    this.breakSink = sink;
  }

  /**
   * A break on the host's line, from whoever holds the input side. "unsupported": the
   * transport has none (QEMU's raw socket chardev carries bytes only).
   */
  async sendBreak(owner: ConsoleOwner): Promise<WriteResult | { ok: false; reason: "unsupported" }> {
    const current = this.writer;
    if (!current || !sameOwner(current.owner, owner)) {
      return { ok: false, reason: "not-writer", writer: current ? { ...current.owner } : null };
    }
    if (!this.breakSink) return { ok: false, reason: "unsupported" };
    return (await this.breakSink()) ? { ok: true } : { ok: false, reason: "host-down" };
  }

  /** Bytes from the host: into the scrollback and every reader's buffer. Never blocks. */
  hostOutput(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    // Readers keep a reference: a copy, so a transport reusing its buffer cannot change them.
    const own = Uint8Array.from(bytes);
    this.outputBytes += own.length;
    this.ring.write(own);
    const at = this.now();
    for (const reader of this.readers.values()) {
      reader.queue.push(own);
      for (const l of reader.listeners) this.call(l);
    }
    this.emit({ type: "output", at, bytes: own });
  }

  /** The newest output, oldest first (at most `max` bytes). */
  scrollback(max?: number): Uint8Array {
    return this.ring.contents(max);
  }

  /** Attaches a reader; it starts with the scrollback unless told not to. */
  addReader(owner: ConsoleOwner, options: ReaderOptions = {}): ConsoleReader {
    const bufferBytes = options.bufferBytes ?? this.readerBufferBytes;
    const reader = new Reader(this.nextHandle++, { ...owner }, this.now(), bufferBytes, (r) =>
      this.removeReader(r),
    );
    if (options.scrollback !== false) {
      const back = this.ring.contents(bufferBytes);
      if (back.length > 0) reader.queue.push(back);
    }
    this.readers.set(reader.handle, reader);
    this.emit({ type: "attached", at: this.now(), reader: this.describe(reader) });
    return reader;
  }

  /**
   * Takes the input side. Refused, naming the holder, while someone else holds it, unless
   * `takeOver` (the holder is told by a "writer" event with change "taken-over"). Claiming
   * again as the holder is fine.
   */
  claimWriter(owner: ConsoleOwner, options: { takeOver?: boolean } = {}): ClaimResult {
    const current = this.writer;
    if (current && sameOwner(current.owner, owner)) return { ok: true, previous: null };
    if (current && !options.takeOver) return { ok: false, writer: { ...current.owner } };
    this.writer = { owner: { ...owner }, since: this.now() };
    this.emit({
      type: "writer",
      at: this.now(),
      writer: { ...owner },
      previous: current ? { ...current.owner } : null,
      change: current ? "taken-over" : "claimed",
    });
    return { ok: true, previous: current ? { ...current.owner } : null };
  }

  /** Gives the input side up; false when `owner` did not hold it. */
  release(owner: ConsoleOwner): boolean {
    return this.dropWriter(owner, "released");
  }

  /** The owner leaves entirely: its readers close and its writer claim goes. */
  detach(owner: ConsoleOwner): void {
    for (const reader of [...this.readers.values()]) if (sameOwner(reader.owner, owner)) reader.close();
    this.dropWriter(owner, "detached");
  }

  /** Sends bytes to the host if `owner` holds the input side and a host is connected. */
  write(owner: ConsoleOwner, bytes: Uint8Array): WriteResult {
    const current = this.writer;
    if (!current || !sameOwner(current.owner, owner)) {
      return { ok: false, reason: "not-writer", writer: current ? { ...current.owner } : null };
    }
    if (bytes.length === 0) return { ok: true };
    const own = Uint8Array.from(bytes);
    if (!this.input?.(own)) return { ok: false, reason: "host-down" };
    this.inputBytes += own.length;
    this.emit({ type: "input", at: this.now(), bytes: own, owner: { ...current.owner } });
    return { ok: true };
  }

  /** Who is attached: for "who else is here" on the Console page and `sol info`-like answers. */
  attached(): Attached {
    return {
      readers: [...this.readers.values()].map((r) => this.describe(r)),
      writer: this.writer ? { owner: { ...this.writer.owner }, since: this.writer.since } : null,
    };
  }

  writerOwner(): ConsoleOwner | null {
    return this.writer ? { ...this.writer.owner } : null;
  }

  private dropWriter(owner: ConsoleOwner, change: WriterChange): boolean {
    const current = this.writer;
    if (!current || !sameOwner(current.owner, owner)) return false;
    this.writer = null;
    this.emit({ type: "writer", at: this.now(), writer: null, previous: { ...current.owner }, change });
    return true;
  }

  private removeReader(reader: Reader): void {
    if (!this.readers.delete(reader.handle)) return;
    this.emit({ type: "detached", at: this.now(), reader: this.describe(reader) });
  }

  private describe(reader: Reader): AttachedReader {
    return { handle: reader.handle, owner: { ...reader.owner }, since: reader.since };
  }

  private emit(event: ConsoleEvent): void {
    for (const l of this.listeners) this.call(() => l(event));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.onListenerError(err);
    }
  }
}
