/**
 * Rows for the fleet store's benchmarks, made by PostgreSQL itself (generate_series): the
 * router's small commands (4-byte request, 16-byte response, frames), ids spread over
 * `nodes` nodes named node-0.., about one in a thousand an error with cc C1h; `at` is the
 * SQL for row i's receivedAt.
 */
export function fleetSeedSql(from: number, to: number, at: string, nodes: number): string {
  return `INSERT INTO "FleetExchange" ("node", "id", "busId", "busKind", "origin", "seq", "netFn", "lun", "cmd",
    "request", "cc", "response", "handlerId", "status", "receivedAt", "answeredAt", "latencyUs", "frame", "responseFrame")
  SELECT 'node-' || (i % ${nodes}), i, 'bt0', 'bt', 'host', i % 64, 6, 0, i % 64,
    '\\x18010000'::bytea, CASE WHEN i % 997 = 0 THEN 193 ELSE 0 END, decode(md5(i::text), 'hex'),
    'app.get-device-id', CASE WHEN i % 997 = 0 THEN 'error' ELSE 'ok' END, ${at}, ${at} + 0.2, 100 + i % 400,
    '\\x0418010000'::bytea, decode(md5((i + 1)::text), 'hex')
  FROM generate_series(${from}, ${to}) AS i`;
}
