/**
 * Where the shipper's batches come from. Reading 2,000 rows from SQLite, turning bytes into
 * hex and serialising the lot is 100-280 ms of synchronous work a batch: on the router's
 * thread, the router would stall that long for every batch of a backlog. So a node reads in
 * a worker thread (ship-reader-worker.ts) on a read-only connection of its own (WAL lets it
 * read while the log writer appends), and this thread only hands the text to PostgreSQL.
 * The in-process Prisma reader stays for databases without a file and for comparison.
 */
import { Worker } from "node:worker_threads";
import { type Database, databaseFilePath } from "../persistence/database";
import type { ReaderReply, ReaderRequest } from "./ship-reader-worker";
import { batchOf, type ShipBatch, type StreamName } from "./ship-rows";

export interface ShipReader {
  /** Up to `take` rows of `stream` with ids above `after`, in id order. */
  read(stream: StreamName, after: number, take: number): Promise<ShipBatch>;
  /** Ends whatever the reader holds (a worker thread); the shipper reads no more after it. */
  close(): Promise<void>;
}

/** Reads through this thread's Prisma client: blocks the event loop for the whole batch. */
export class PrismaShipReader implements ShipReader {
  constructor(private readonly db: Database) {}

  async read(stream: StreamName, after: number, take: number): Promise<ShipBatch> {
    const query = { where: { id: { gt: after } }, orderBy: { id: "asc" as const }, take };
    switch (stream) {
      case "exchange":
        return batchOf(stream, after, await this.db.exchange.findMany(query));
      case "audit":
        return batchOf(stream, after, await this.db.auditEntry.findMany(query));
      case "console":
        return batchOf(
          stream,
          after,
          await this.db.consoleChunk.findMany({
            ...query,
            select: { id: true, receivedAt: true, direction: true, source: true, text: true },
          }),
        );
    }
  }

  async close(): Promise<void> {}
}

/**
 * A read the worker has not answered by then is taken as a hung worker: it is ended, and
 * the read fails so the shipper backs off and starts another, rather than wait for ever.
 * SQLite's own busy wait (5 s) ends well before.
 */
const READ_TIMEOUT_MS = 30_000;

/** The worker's file: beside the bundle in dist/, or from the sources through tsx. */
function workerFile(): URL {
  const fromSource = import.meta.url.endsWith(".ts");
  return new URL(fromSource ? "./ship-reader-worker.dev.mjs" : "./ship-reader-worker.mjs", import.meta.url);
}

interface Pending {
  resolve(batch: ShipBatch): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** One worker and the reads it owes: a worker that ends fails its own reads, never its successor's. */
interface Thread {
  worker: Worker;
  ready: Promise<void>;
  pending: Map<number, Pending>;
}

/**
 * Reads in a worker thread, started on the first read and again on the read after it died
 * (the read it owed failed with the reason, so the shipper backed off in between).
 */
export class WorkerShipReader implements ShipReader {
  private thread: Thread | undefined;
  private nextId = 1;
  private closed = false;

  /** `file`: the SQLite file itself (not a URL). */
  constructor(
    private readonly file: string,
    private readonly timeoutMs = READ_TIMEOUT_MS,
  ) {}

  async read(stream: StreamName, after: number, take: number): Promise<ShipBatch> {
    const t = this.start();
    await t.ready;
    const id = this.nextId++;
    return new Promise<ShipBatch>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (!t.pending.delete(id)) return;
        reject(new Error(`ship reader worker: no answer in ${this.timeoutMs} ms, restarting it`));
        void this.end(t);
      }, this.timeoutMs);
      t.pending.set(id, { resolve, reject, timer });
      t.worker.postMessage({ type: "read", id, stream, after, take } satisfies ReaderRequest);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.thread) await this.end(this.thread);
  }

  private async end(t: Thread): Promise<void> {
    if (this.thread === t) this.thread = undefined;
    // terminate(), not a polite message: a worker stuck in a statement never reads one, and a
    // read-only connection has nothing to lose.
    await t.worker.terminate();
  }

  private start(): Thread {
    if (this.closed) throw new Error("ship reader is closed");
    if (this.thread) return this.thread;
    const worker = new Worker(workerFile(), { workerData: { file: this.file } });
    const pending = new Map<number, Pending>();
    const failAll = (err: Error) => {
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.reject(err);
      }
      pending.clear();
    };
    const ready = new Promise<void>((resolve, reject) => {
      worker.on("message", (m: ReaderReply) => {
        if (m.type === "ready") return resolve();
        if (m.type === "open-failed") return reject(new Error(`ship reader worker: ${m.message}`));
        const p = pending.get(m.id);
        if (!p) return;
        pending.delete(m.id);
        clearTimeout(p.timer);
        if (m.type === "batch") p.resolve({ count: m.count, lastId: m.lastId, json: m.json });
        else p.reject(new Error(`reading the local log: ${m.message}`));
      });
      worker.once("error", (err) => {
        reject(err);
        failAll(err);
      });
      worker.once("exit", (code) => {
        if (this.thread === t) this.thread = undefined;
        const err = new Error(`ship reader worker exited (${code})`);
        reject(err);
        failAll(err);
      });
    });
    const t: Thread = { worker, ready, pending };
    this.thread = t;
    // A worker that could not open the file is ended; the next read starts another.
    ready.catch(() => void this.end(t));
    return t;
  }
}

/** What a DATABASE_URL names when it names a file: the path; otherwise (in memory) undefined. */
export function sqliteFileOf(url: string): string | undefined {
  const file = databaseFilePath(url).replace(/\?.*$/, "");
  if (file === "" || file === ":memory:" || /[?&]mode=memory\b/.test(url)) return undefined;
  return file;
}

/** The worker on the log's file; Prisma in this thread when there is no file to open twice. */
export function shipReaderFor(url: string | undefined, db: Database): ShipReader {
  const file = url === undefined ? undefined : sqliteFileOf(url);
  return file === undefined ? new PrismaShipReader(db) : new WorkerShipReader(file);
}
