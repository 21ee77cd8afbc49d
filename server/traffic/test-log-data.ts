/**
 * A large, realistic exchange log for the history benchmark and the million-row test:
 * `syntheticExchange(id)` is a pure function of the id (so a test can re-create any
 * record to check the database against), `fillExchangeLog` writes ids 1..count with
 * better-sqlite3 prepared inserts in one transaction.
 *
 * Mix: bt0 ~80%, kcs0 ~10%, lan0 ~10% (users admin, bob, alice; alice ~0.5% of all);
 * Get Sensor Reading ~50% and six other commands; status ok ~97.8%, error ~2%,
 * timeout ~0.1%, dropped ~0.05%, late ~0.05%; one exchange every 10 ms.
 */
import BetterSqlite3 from "better-sqlite3";
import type { Exchange, ExchangeStatus } from "../contract/exchange";
import type { BusKind } from "../router/types";
import { EXCHANGE_COLUMN_LIST, EXCHANGE_COLUMNS, exchangeValues } from "./columns";

export const LOG_DATA_BASE_TIME = Date.UTC(2026, 10, 1, 0, 0, 0);
export const LOG_DATA_INTERVAL_MS = 10;

/** A well-mixed 32-bit hash of the id (murmur3's finaliser). */
function mix(id: number, salt: number): number {
  let h = (id ^ salt) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

interface CommandMix {
  netFn: number;
  cmd: number;
  handlerId: string;
  /** Cumulative share out of 100. */
  upTo: number;
  response: Buffer;
}

const COMMAND_MIX: readonly CommandMix[] = [
  {
    netFn: 0x04,
    cmd: 0x2d,
    handlerId: "sensor.get-sensor-reading",
    upTo: 50,
    response: Buffer.from([0x00, 0x2a, 0xc0, 0x00]),
  },
  {
    netFn: 0x06,
    cmd: 0x31,
    handlerId: "app.get-message-flags",
    upTo: 62,
    response: Buffer.from([0x00, 0x00]),
  },
  {
    netFn: 0x00,
    cmd: 0x01,
    handlerId: "chassis.get-chassis-status",
    upTo: 72,
    response: Buffer.from([0x00, 0x01, 0x00, 0x00]),
  },
  { netFn: 0x06, cmd: 0x22, handlerId: "app.reset-watchdog-timer", upTo: 82, response: Buffer.from([0x00]) },
  {
    netFn: 0x06,
    cmd: 0x01,
    handlerId: "app.get-device-id",
    upTo: 90,
    response: Buffer.from([
      0x00, 0x20, 0x81, 0x02, 0x03, 0x02, 0xbf, 0x57, 0x01, 0x00, 0x34, 0x12, 0, 0, 0, 0,
    ]),
  },
  { netFn: 0x0a, cmd: 0x23, handlerId: "storage.get-sdr", upTo: 97, response: Buffer.alloc(22, 0x11) },
  { netFn: 0x0a, cmd: 0x43, handlerId: "storage.get-sel-entry", upTo: 100, response: Buffer.alloc(19, 0x22) },
];

const USERS = ["admin", "admin", "bob", "bob", "bob", "admin", "alice", "admin", "bob", "admin"] as const;

function pickCommand(r: number): CommandMix {
  const p = r % 100;
  return COMMAND_MIX.find((c) => p < c.upTo)!;
}

function pickStatus(r: number): ExchangeStatus {
  const p = r % 10_000;
  if (p < 10) return "timeout";
  if (p < 15) return "dropped";
  if (p < 20) return "late";
  if (p < 220) return "error";
  return "ok";
}

/** The record with this id (a pure function of it). */
export function syntheticExchange(id: number): Exchange {
  const r = mix(id, 0x9e3779b9);
  const busPick = r % 10;
  const bus: { id: string; kind: BusKind } =
    busPick < 8
      ? { id: "bt0", kind: "bt" }
      : busPick === 8
        ? { id: "kcs0", kind: "kcs" }
        : { id: "lan0", kind: "lan" };
  const r2 = mix(id, 0x7f4a7c15);
  const c = pickCommand(r2);
  const status = pickStatus(r2 >>> 8);
  const lan = bus.kind === "lan";
  const user = lan ? USERS[(r >>> 8) % USERS.length]! : null;
  const receivedAt = LOG_DATA_BASE_TIME + id * LOG_DATA_INTERVAL_MS + (r % 1000) / 1000;
  const answered = status === "ok" || status === "error" || status === "late";
  const latencyUs = answered ? 80 + ((r >>> 12) % 4000) : null;
  const cc = status === "ok" ? 0 : status === "error" ? 0xc9 : status === "timeout" ? 0xc3 : null;
  const request = c.netFn === 0x04 ? Buffer.from([(r >>> 4) & 0x3f]) : Buffer.alloc(0);
  const response = cc === null ? null : cc === 0 ? c.response : Buffer.from([cc]);
  return {
    id,
    busId: bus.id,
    busKind: bus.kind,
    origin: "host",
    seq: id & 0xff,
    netFn: c.netFn,
    lun: 0,
    cmd: c.cmd,
    request,
    cc,
    response,
    handlerId: status === "dropped" ? null : c.handlerId,
    status,
    receivedAt,
    answeredAt: latencyUs === null ? null : receivedAt + latencyUs / 1000,
    latencyUs,
    note: status === "error" ? "sensor not present" : null,
    frame:
      bus.kind === "bt"
        ? Buffer.from([request.length + 3, c.netFn << 2, id & 0xff, c.cmd, ...request])
        : null,
    responseFrame: null,
    relatedId: null,
    ruleId: status === "dropped" ? 1 : null,
    payload: null,
    peer: lan ? `192.0.2.${10 + ((r >>> 16) % 5)}:${40000 + ((r >>> 3) % 2000)}` : null,
    user,
    privilege: lan ? (user === "admin" ? "admin" : "operator") : null,
    sessionId: lan ? 0x1000 + ((r >>> 20) % 7) : null,
  };
}

/** Writes ids from..from+count-1 into the SQLite file (migrated). Answers the ms it took. */
export function fillExchangeLog(file: string, count: number, from = 1): number {
  const t0 = performance.now();
  const sqlite = new BetterSqlite3(file);
  try {
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = OFF");
    const placeholders = EXCHANGE_COLUMNS.map(() => "?").join(", ");
    const insert = sqlite.prepare(
      `INSERT INTO "Exchange" (${EXCHANGE_COLUMN_LIST}) VALUES (${placeholders})`,
    );
    const all = sqlite.transaction(() => {
      for (let id = from; id < from + count; id++) insert.run(exchangeValues(syntheticExchange(id)));
    });
    all();
    sqlite.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    sqlite.close();
  }
  return performance.now() - t0;
}
