/**
 * Operator control contract: sign-in, response rules, held requests, injection and
 * the audit trail. Request bodies are zod schemas (validated at the boundary);
 * responses and live events are plain types. Shared by server, UI and tests.
 */
import { z } from "zod";
import { parseHex } from "../ipmi/hex";
import type { ExchangeDto } from "./exchange";
import { targetNode } from "./fleet";

// ---- operators and sessions ----------------------------------------------------

export const ROLES = ["viewer", "operator"] as const;
export type Role = (typeof ROLES)[number];

export interface OperatorInfo {
  id: number;
  username: string;
  role: Role;
}

const username = z
  .string()
  .min(1, "a user name is needed")
  .max(64)
  .regex(/^[A-Za-z0-9._@-]+$/, "user names are letters, digits and . _ @ -");
const password = z.string().min(1, "a password is needed").max(256);

export const loginBody = z.object({ username, password }).strict();
export type LoginBody = z.infer<typeof loginBody>;

/** The first admin (only while no operator exists) and, later, new operators. */
export const newOperatorBody = z
  .object({
    username,
    password: z.string().min(10, "passwords have at least 10 characters").max(256),
    role: z.enum(ROLES).default("operator"),
  })
  .strict();
export type NewOperatorBody = z.infer<typeof newOperatorBody>;

export interface SessionResponse {
  operator: OperatorInfo | null;
  /** True while no operator exists: the UI offers the setup page. */
  setupNeeded: boolean;
}

// ---- bytes in JSON ----------------------------------------------------------------

/** Hex text ("20 01", "2001", "0x20,0x01") checked and turned into bytes. */
export const hexBytes = (max = 255) =>
  z.string().transform((text, ctx) => {
    const parsed = parseHex(text);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", message: parsed.error });
      return z.NEVER;
    }
    if (parsed.bytes.length > max) {
      ctx.addIssue({ code: "custom", message: `at most ${max} bytes` });
      return z.NEVER;
    }
    return parsed.bytes;
  });

const byte = z.number().int().min(0).max(255);
const completionCode = byte;

// ---- response rules ------------------------------------------------------------

export const RULE_ACTIONS = ["answer", "error", "delay", "drop", "hold"] as const;
export type RuleActionType = (typeof RULE_ACTIONS)[number];

export const ruleAction = z.discriminatedUnion("type", [
  /** A canned response: this completion code and these data bytes. */
  z.object({
    type: z.literal("answer"),
    cc: completionCode.default(0),
    data: hexBytes().default(new Uint8Array()),
  }),
  /** Only a completion code. */
  z.object({ type: z.literal("error"), cc: completionCode }),
  /** Wait, then let the handler answer. */
  z.object({ type: z.literal("delay"), ms: z.number().int().min(1).max(60_000) }),
  /** Send nothing: the host times out. */
  z.object({ type: z.literal("drop") }),
  /** Hold the request for a person to answer, pass or drop. */
  z.object({ type: z.literal("hold") }),
]);
export type RuleAction = z.output<typeof ruleAction>;

export const ruleMatch = z
  .object({
    busId: z.string().min(1).max(64).optional(),
    netFn: z.number().int().min(0).max(0x3e).optional(),
    cmd: byte.optional(),
    /** The request data must start with these bytes (under the mask). */
    dataPrefix: hexBytes(32).optional(),
    /** Bits of the prefix that count; default all. Same length as the prefix. */
    dataMask: hexBytes(32).optional(),
  })
  .strict()
  .refine((m) => m.dataMask === undefined || m.dataPrefix?.length === m.dataMask.length, {
    message: "dataMask needs a dataPrefix of the same length",
    path: ["dataMask"],
  });

export const newRuleBody = z
  .object({
    name: z.string().min(1).max(100),
    enabled: z.boolean().default(true),
    match: ruleMatch,
    action: ruleAction,
  })
  .strict();
export type NewRuleBody = z.output<typeof newRuleBody>;

export const patchRuleBody = z
  .object({
    name: z.string().min(1).max(100).optional(),
    enabled: z.boolean().optional(),
    match: ruleMatch.optional(),
    action: ruleAction.optional(),
    /** Move to this index in the order (0 = first). */
    position: z.number().int().min(0).optional(),
  })
  .strict();
export type PatchRuleBody = z.output<typeof patchRuleBody>;

/** A rule as the API and live events show it (bytes as hex). */
export interface RuleDto {
  id: number;
  position: number;
  name: string;
  enabled: boolean;
  match: {
    busId: string | null;
    netFn: number | null;
    cmd: number | null;
    dataPrefix: string | null;
    dataMask: string | null;
  };
  action:
    | { type: "answer"; cc: number; data: string }
    | { type: "error"; cc: number }
    | { type: "delay"; ms: number }
    | { type: "drop" }
    | { type: "hold" };
  hits: number;
}

// ---- held requests -------------------------------------------------------------

export interface HeldRequestDto {
  /** The exchange id the request will be logged under. */
  id: number;
  busId: string;
  seq: number | null;
  netFn: number;
  lun: number;
  cmd: number;
  request: string;
  ruleId: number;
  heldAt: number;
  /** ms since the epoch; past it the hold falls back (see `onExpiry`). */
  deadline: number;
  onExpiry: "handler" | "timeout";
  /** What the handler would answer, for the editor; null when the handler was not run (it changes state). */
  suggested: { cc: number; data: string; handlerId: string | null } | null;
  suggestedNote: string | null;
}

export const answerHeldBody = z
  .object({ cc: completionCode, data: hexBytes().default(new Uint8Array()) })
  .strict();
export type AnswerHeldBody = z.output<typeof answerHeldBody>;

export type HoldResolution = "answered" | "passed" | "dropped" | "expired";

// ---- injection -----------------------------------------------------------------

export const injectBody = z
  .object({
    bus: z.string().min(1).max(64),
    netFn: z
      .number()
      .int()
      .min(0)
      .max(0x3e)
      .refine((n) => n % 2 === 0, "a request netFn is even"),
    lun: z.number().int().min(0).max(3).default(0),
    cmd: byte,
    data: hexBytes().default(new Uint8Array()),
  })
  .strict();
export type InjectBody = z.output<typeof injectBody>;

export interface InjectResponse {
  exchange: ExchangeDto;
}

// ---- audit trail ---------------------------------------------------------------

export interface AuditEntryDto {
  /** The node that recorded it: set on entries read from the fleet's store (`?node=`). */
  node?: string;
  id: number;
  at: number;
  actor: string;
  action: string;
  target: string | null;
  detail: unknown;
}

export const auditQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    /** Only entries with a smaller id (this node's trail, or one other node's). */
    before: z.coerce.number().int().positive().optional(),
    /** The previous page's `nextCursor`: the next page whatever trail it reads (wins over `before`). */
    cursor: z.string().min(1).max(300).optional(),
    /**
     * Whose trail, as for the history: absent or this node's name = this node's own log;
     * another node's name or "all" = the fleet's shared store (FleetAudit).
     */
    node: targetNode,
  })
  .strict();
export type AuditQuery = z.infer<typeof auditQuery>;

export const auditExportQuery = z.object({ format: z.enum(["csv", "ndjson"]), node: targetNode }).strict();
export type AuditExportQuery = z.infer<typeof auditExportQuery>;

export interface AuditPage {
  entries: AuditEntryDto[];
  /** Pass as `before` for the next (older) page; null at the end (or when the page spans nodes). */
  nextBefore: number | null;
  /** Pass as `cursor` for the next (older) page, of one node's trail or of every node's; null at the end. */
  nextCursor: string | null;
}
