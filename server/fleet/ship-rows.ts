/**
 * What the shipper ships, stream by stream: the local table, the store's table and mark, the
 * columns with their kinds, and the one function that turns local rows into the JSON text
 * the ship statement takes as `json_to_recordset($2)`. Both readers (Prisma in this thread,
 * better-sqlite3 in ship-reader-worker.ts) go through batchJson, so their output can only
 * differ where the drivers hand back different values, which ship-reader.test.ts checks.
 *
 * No Prisma import here, nor anything that pulls one in: the worker's bundle includes this.
 */
import { EXCHANGE_COLUMN_KINDS } from "../traffic/columns";

export type StreamName = "exchange" | "audit" | "console";
export const STREAMS: readonly StreamName[] = ["exchange", "audit", "console"];

export type Kind = "int" | "float" | "text" | "bytes";

export interface StreamSpec {
  /** The node's SQLite table. */
  localTable: string;
  /** The store's table. */
  table: string;
  mark: "shippedExchangeId" | "shippedAuditId" | "shippedConsoleId";
  /** In the order the JSON objects hold them; "id" is every stream's key. */
  columns: Record<string, Kind>;
}

/** The local Exchange table's columns; "node" is the store's own (the shipper sets it). */
const exchangeColumns: Record<string, Kind> = Object.fromEntries(
  Object.entries(EXCHANGE_COLUMN_KINDS)
    .filter(([name]) => name !== "node")
    .map(([name, kind]) => [name, kind.replace("?", "") as Kind]),
);

export const SPECS: Record<StreamName, StreamSpec> = {
  exchange: {
    localTable: "Exchange",
    table: "FleetExchange",
    mark: "shippedExchangeId",
    columns: exchangeColumns,
  },
  audit: {
    localTable: "AuditEntry",
    table: "FleetAudit",
    mark: "shippedAuditId",
    columns: { id: "int", at: "float", actor: "text", action: "text", target: "text", detail: "text" },
  },
  console: {
    localTable: "ConsoleChunk",
    table: "FleetConsoleChunk",
    mark: "shippedConsoleId",
    // Text only: the bytes stay on the node (the schema's FleetConsoleChunk).
    columns: { id: "int", receivedAt: "float", direction: "text", source: "text", text: "text" },
  },
};

/** A batch as read: what the ship statement needs, and what the shipper counts. */
export interface ShipBatch {
  /** Rows read; 0 when there is nothing past `after`. */
  count: number;
  /** The last row's id; `after` when nothing was read. */
  lastId: number;
  /** The rows for json_to_recordset: an array of objects, keys in `columns` order. */
  json: string;
}

/** The worker's statement: the spec's columns only, so the console's bytes are never read. */
export function selectSql(stream: StreamName): string {
  const spec = SPECS[stream];
  const cols = Object.keys(spec.columns)
    .map((c) => `"${c}"`)
    .join(", ");
  return `SELECT ${cols} FROM "${spec.localTable}" WHERE "id" > ? ORDER BY "id" ASC LIMIT ?`;
}

const hex = (b: Uint8Array | null): string | null =>
  b === null ? null : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");

type LocalValue = number | string | Uint8Array | null;

/** Local rows (each holding at least the spec's columns) as one ShipBatch. */
export function batchOf(
  stream: StreamName,
  after: number,
  rows: readonly Record<string, unknown>[],
): ShipBatch {
  const columns = Object.entries(SPECS[stream].columns);
  const values = rows.map((r) => {
    const out: Record<string, number | string | null> = {};
    for (const [name, kind] of columns) {
      const v = r[name] as LocalValue | undefined;
      // A column the row lacks is null, as json_to_recordset reads a missing key.
      out[name] =
        v === undefined
          ? null
          : kind === "bytes"
            ? hex(v as Uint8Array | null)
            : (v as number | string | null);
    }
    return out;
  });
  const last = rows[rows.length - 1];
  return { count: rows.length, lastId: last ? Number(last.id) : after, json: JSON.stringify(values) };
}
