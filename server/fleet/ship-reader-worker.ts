/**
 * The shipper's reads, in a worker thread on a read-only connection of its own: better-sqlite3
 * is synchronous, and reading, hex-encoding and serialising a 2,000-row batch in the main
 * thread held the router's event loop for 100-280 ms. WAL lets this connection read while the
 * log writer's worker appends. One message in, one answer out; the shipper has at most one
 * read in flight.
 *
 * better-sqlite3 directly, not Prisma's adapter: nothing here is Prisma's to check, and a
 * plain prepared statement per stream is all a read needs.
 */
import { parentPort, workerData } from "node:worker_threads";
import BetterSqlite3 from "better-sqlite3";
import { batchOf, STREAMS, type StreamName, selectSql } from "./ship-rows";

export type ReaderRequest = { type: "read"; id: number; stream: StreamName; after: number; take: number };
export type ReaderReply =
  | { type: "ready" }
  | { type: "batch"; id: number; count: number; lastId: number; json: string }
  | { type: "failed"; id: number; message: string }
  | { type: "open-failed"; message: string };

const port = parentPort;
if (!port) throw new Error("ship-reader-worker runs as a worker thread");
const reply = (m: ReaderReply) => port.postMessage(m);
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

try {
  const db = new BetterSqlite3((workerData as { file: string }).file, {
    readonly: true,
    fileMustExist: true,
  });
  const statements = new Map(
    STREAMS.map((s) => [s, db.prepare<[number, number], Record<string, unknown>>(selectSql(s))]),
  );
  port.on("message", (m: ReaderRequest) => {
    try {
      const rows = statements.get(m.stream)!.all(m.after, m.take);
      reply({ type: "batch", id: m.id, ...batchOf(m.stream, m.after, rows) });
    } catch (err) {
      reply({ type: "failed", id: m.id, message: messageOf(err) });
    }
  });
  reply({ type: "ready" });
} catch (err) {
  reply({ type: "open-failed", message: messageOf(err) });
}
