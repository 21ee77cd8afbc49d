import type { Exchange } from "../contract/exchange";

/** How a column is stored; "?" means it may be null. */
export type ColumnKind = "int" | "int?" | "float" | "float?" | "text" | "text?" | "bytes" | "bytes?";

/**
 * The columns of the "Exchange" table (prisma/schema.prisma), in the order the writer
 * binds them, with their kinds. The names are the Exchange record's own keys.
 */
export const EXCHANGE_COLUMN_KINDS = {
  id: "int",
  busId: "text",
  busKind: "text",
  origin: "text",
  seq: "int?",
  netFn: "int?",
  lun: "int?",
  cmd: "int?",
  request: "bytes",
  cc: "int?",
  response: "bytes?",
  handlerId: "text?",
  status: "text",
  receivedAt: "float",
  answeredAt: "float?",
  latencyUs: "int?",
  note: "text?",
  frame: "bytes?",
  responseFrame: "bytes?",
  relatedId: "int?",
  ruleId: "int?",
  payload: "text?",
  peer: "text?",
  user: "text?",
  privilege: "text?",
  sessionId: "int?",
} as const satisfies Record<keyof Exchange, ColumnKind>;

export type ExchangeColumn = keyof typeof EXCHANGE_COLUMN_KINDS;

export const EXCHANGE_COLUMNS = Object.keys(EXCHANGE_COLUMN_KINDS) as ExchangeColumn[];

/** '"id", "busId", ...' for a statement's column list. */
export const EXCHANGE_COLUMN_LIST = EXCHANGE_COLUMNS.map((c) => `"${c}"`).join(", ");

/** The record's values in EXCHANGE_COLUMNS order. */
export function exchangeValues(x: Exchange): Exchange[ExchangeColumn][] {
  return EXCHANGE_COLUMNS.map((c) => x[c]);
}
