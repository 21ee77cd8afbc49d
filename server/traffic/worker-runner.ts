/**
 * Runs the log writer's statements in a worker thread (log-writer-worker.ts), so the
 * router's event loop only builds the batch's JSON. A worker that dies is started
 * again on the next statement; its statement fails and the writer retries it.
 */
import { Worker } from "node:worker_threads";
import type { StatementRunner } from "./log-writer";
import type { WorkerReply, WorkerRequest } from "./log-writer-worker";

/** Carries the worker's verdict on whether retrying the records can ever succeed. */
export class StatementError extends Error {
  constructor(
    message: string,
    readonly recordError: boolean,
  ) {
    super(message);
    this.name = "StatementError";
  }
}

/** The worker's file: beside the bundle in dist/, or from the sources through tsx. */
function workerFile(): URL {
  const fromSource = import.meta.url.endsWith(".ts");
  return new URL(fromSource ? "./log-writer-worker.dev.mjs" : "./log-writer-worker.mjs", import.meta.url);
}

export class WorkerStatementRunner implements StatementRunner {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(): void; reject(err: Error): void }>();

  constructor(private readonly databaseUrl: string) {}

  async run(rowsJson: string): Promise<void> {
    await this.start();
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker!.postMessage({ type: "run", id, rowsJson } satisfies WorkerRequest);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    this.ready = undefined;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.postMessage({ type: "close" } satisfies WorkerRequest);
    await exited;
  }

  private start(): Promise<void> {
    if (this.ready) return this.ready;
    const worker = new Worker(workerFile(), { workerData: { url: this.databaseUrl } });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      worker.on("message", (m: WorkerReply) => {
        if (m.type === "ready") resolve();
        else if (m.type === "open-failed") reject(new Error(`log writer worker: ${m.message}`));
        else {
          const p = this.pending.get(m.id);
          this.pending.delete(m.id);
          if (m.type === "done") p?.resolve();
          else p?.reject(new StatementError(m.message, m.recordError));
        }
      });
      worker.once("exit", (code) => {
        if (this.worker === worker) {
          this.worker = undefined;
          this.ready = undefined;
        }
        const err = new Error(`log writer worker exited (${code})`);
        reject(err);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
      worker.once("error", (err) => reject(err));
    });
    return this.ready;
  }
}
