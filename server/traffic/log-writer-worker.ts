/**
 * The log writer's statements, run in a worker thread with a Prisma client of its own:
 * better-sqlite3 is synchronous, so in the main thread every batch would hold the
 * router's event loop (about 10 ms per 500 rows). One message in, one answer out;
 * the writer never has more than one statement in flight.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openDatabase } from "../persistence/database";
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

try {
  const db = await openDatabase((workerData as { url: string }).url);
  port.on("message", async (m: WorkerRequest) => {
    if (m.type === "close") {
      await db.$disconnect();
      port.close();
      return;
    }
    try {
      await db.$executeRawUnsafe(INSERT_SQL, m.rowsJson);
      reply({ type: "done", id: m.id });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      reply({ type: "failed", id: m.id, message, recordError: isRecordError(err) });
    }
  });
  reply({ type: "ready" });
} catch (err) {
  reply({ type: "open-failed", message: err instanceof Error ? err.message : String(err) });
}
