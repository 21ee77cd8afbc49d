/** The columns of the "Exchange" table (prisma/schema.prisma), in the order the writer binds them. */
export const EXCHANGE_COLUMNS = [
  "id",
  "busId",
  "busKind",
  "origin",
  "seq",
  "netFn",
  "lun",
  "cmd",
  "request",
  "cc",
  "response",
  "handlerId",
  "status",
  "receivedAt",
  "answeredAt",
  "latencyUs",
  "note",
  "frame",
  "relatedId",
  "ruleId",
] as const;

/** '"id", "busId", ...' for a statement's column list. */
export const EXCHANGE_COLUMN_LIST = EXCHANGE_COLUMNS.map((c) => `"${c}"`).join(", ");
