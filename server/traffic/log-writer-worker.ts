/**
 * The log writer's statements, run in a worker thread on a connection of its own:
 * better-sqlite3 is synchronous, so in the main thread every batch would hold the
 * router's event loop (about 10 ms per 500 rows). One message in, one answer out;
 * the writer never has more than one statement in flight.
 *
 * The statement goes through Prisma's better-sqlite3 driver adapter (the layer under
 * PrismaClient), not through PrismaClient.$executeRawUnsafe: the client passes every
 * parameter through its query compiler (WebAssembly), about 0.4 ms a statement plus
 * 30 ns per byte of the batch's JSON, which capped the writer near 45k rows/s against
 * 70k for the same statement on the adapter (`npm run bench -- router`). A raw
 * statement has nothing for the compiler to do.
 */
import { parentPort, workerData } from "node:worker_threads";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { INSERT_SQL, isRecordError } from "./log-writer";

export type WorkerRequest = { type: "run"; id: number; rowsJson: string } | { type: "close" };
export type WorkerReply =
  | { type: "ready" }
  | { type: "done"; id: number }
  | { type: "failed"; id: number; message: string; recordError: boolean }
  | { type: "open-failed"; message: string };

const port = parentPort;
if (!port) throw new Error("log-writer-worker runs as a worker thread");
const reply = (m: WorkerReply) => port.postMessage(m);

/** SQLite's own words where the adapter wrapped them ("database or disk is full"). */
function messageOf(err: unknown): string {
  const cause = (err as { cause?: { originalMessage?: unknown } })?.cause;
  if (typeof cause?.originalMessage === "string") return cause.originalMessage;
  return err instanceof Error ? err.message : String(err);
}

const TEXT_ARG = [{ scalarType: "string", arity: "scalar" }] as const;

try {
  const adapter = await new PrismaBetterSQLite3({ url: (workerData as { url: string }).url }).connect();
  // As openDatabase() sets them for every connection of the product (persistence/database.ts).
  await adapter.queryRaw({ sql: "PRAGMA journal_mode = WAL", args: [], argTypes: [] });
  await adapter.executeRaw({ sql: "PRAGMA synchronous = NORMAL", args: [], argTypes: [] });
  port.on("message", async (m: WorkerRequest) => {
    if (m.type === "close") {
      await adapter.dispose();
      port.close();
      return;
    }
    try {
      await adapter.executeRaw({ sql: INSERT_SQL, args: [m.rowsJson], argTypes: [...TEXT_ARG] });
      reply({ type: "done", id: m.id });
    } catch (err) {
      reply({ type: "failed", id: m.id, message: messageOf(err), recordError: isRecordError(err) });
    }
  });
  reply({ type: "ready" });
} catch (err) {
  reply({ type: "open-failed", message: messageOf(err) });
}
