/**
 * What the nodes of a fleet say to each other over socket.io's PostgreSQL adapter
 * (server-side events of the live namespace). Everything that arrives came from another
 * process, perhaps of another version: each payload is checked here before anyone uses it,
 * and unknown keys are stripped, so a newer node's extra fields do no harm.
 */
import { z } from "zod";
import { EXCHANGE_STATUSES, type ExchangeDto } from "../contract/exchange";

/** The events, each with an `unknown` payload: typed only after the schemas below accept it. */
export interface FleetServerSideEvents {
  /** A batch of one node's exchanges, for the others' live clients. */
  "fleet:exchanges": (batch: unknown) => void;
  /** "I am here": sent at start, every few seconds, and in answer to a newcomer's. */
  "fleet:hello": (hello: unknown) => void;
  /** A control action for one node (the others ignore it). */
  "fleet:control": (request: unknown) => void;
  /** The target node's answer to a control action, for the node that sent it. */
  "fleet:control-reply": (reply: unknown) => void;
}

/** As config.ts's NODE_NAME. */
export const nodeName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/);

const hex = (max: number) =>
  z
    .string()
    .max(max * 3)
    .regex(/^[0-9a-fA-F ]*$/);
const int = z.number().int();
const nullableInt = int.nullable();

/** Bounds are generous (a LAN datagram is under 64 KiB): they stop garbage, not traffic. */
export const exchangeDtoSchema = z.object({
  id: int.nonnegative(),
  busId: z.string().max(64),
  busKind: z.enum(["bt", "kcs", "ssif", "lan", "ipmb", "inject"]),
  origin: z.enum(["host", "injected", "replay", "bridged"]),
  seq: nullableInt,
  netFn: nullableInt,
  lun: nullableInt,
  cmd: nullableInt,
  request: hex(65_536),
  cc: nullableInt,
  response: hex(65_536).nullable(),
  handlerId: z.string().max(200).nullable(),
  status: z.enum(EXCHANGE_STATUSES as [ExchangeDto["status"], ...ExchangeDto["status"][]]),
  receivedAt: z.number(),
  answeredAt: z.number().nullable(),
  latencyUs: z.number().nullable(),
  note: z.string().max(10_000).nullable(),
  frame: hex(65_536).nullable(),
  responseFrame: hex(65_536).nullable(),
  relatedId: nullableInt,
  ruleId: nullableInt,
  payload: z.enum(["presence-ping", "open-session", "rakp-1", "rakp-3"]).nullable(),
  peer: z.string().max(200).nullable(),
  user: z.string().max(64).nullable(),
  privilege: z.enum(["none", "callback", "user", "operator", "admin"]).nullable(),
  sessionId: nullableInt,
});

/** The most exchanges one batch may carry (the sender keeps below it: fanout.ts). */
export const MAX_BATCH = 500;

export const exchangeBatch = z.object({
  v: z.literal(1),
  node: nodeName,
  exchanges: z.array(exchangeDtoSchema).max(MAX_BATCH),
});
export type ExchangeBatch = z.infer<typeof exchangeBatch>;

export const helloMessage = z.object({ v: z.literal(1), node: nodeName, reply: z.boolean() });
export type HelloMessage = z.infer<typeof helloMessage>;

/** Who asked, as the origin node's gate resolved them: the target trusts the fleet (same store). */
export const remoteOperator = z.object({
  id: int,
  username: z.string().min(1).max(64),
  role: z.enum(["viewer", "operator"]),
});

/** A control action in flight; `command` is checked again by control-actions.ts on arrival. */
export const controlRequest = z.object({
  v: z.literal(1),
  requestId: z.string().min(8).max(64),
  from: nodeName,
  target: nodeName,
  operator: remoteOperator,
  command: z.unknown(),
});
export type ControlRequest = z.infer<typeof controlRequest>;

export const controlReply = z.object({
  v: z.literal(1),
  requestId: z.string().min(8).max(64),
  from: nodeName,
  to: nodeName,
  status: int.min(100).max(599),
  body: z.unknown(),
});
export type ControlReply = z.infer<typeof controlReply>;
