/**
 * The router's hook for operator control: before a request reaches its handler, an
 * interceptor (the response rules) may answer it, drop it, delay it, or hold it for a
 * person. The router keeps the exactly-once guarantee; the interceptor only decides.
 */
import type { BusKind } from "./types";

export interface InterceptContext {
  readonly id: number;
  readonly busId: string;
  readonly busKind: BusKind;
  readonly origin: "host" | "injected" | "replay";
  readonly seq: number | null;
  readonly netFn: number;
  readonly lun: number;
  readonly cmd: number;
  readonly data: Uint8Array;
}

export type InterceptVerdict =
  | { kind: "answer"; ruleId: number; cc: number; data: Uint8Array; note: string }
  | { kind: "drop"; ruleId: number; note: string }
  | { kind: "delay"; ruleId: number; ms: number; note: string }
  | { kind: "hold"; ruleId: number; note: string; onHeld(held: HeldExchange): void };

export interface Interceptor {
  intercept(ctx: InterceptContext): InterceptVerdict | undefined;
}

/** What the handler would answer, computed without letting a state-changing command run. */
export type Preview = { cc: number; data: Uint8Array; handlerId: string | null } | { skipped: string };

/**
 * A request held for a person. Each method settles it and returns true, or returns
 * false when it was already settled (by another operator, by expiry, ...).
 */
export interface HeldExchange {
  readonly context: InterceptContext;
  answer(cc: number, data: Uint8Array, note: string): boolean;
  /** Lets the handler answer, as if no rule had acted. */
  pass(note: string): boolean;
  /** Sends nothing: the host times out. */
  drop(note: string): boolean;
  /** Answers C3h. */
  timeout(note: string): boolean;
  readonly settled: boolean;
  /** Resolves with the exchange once it is recorded. */
  readonly recorded: Promise<import("../contract/exchange").Exchange>;
  preview(): Promise<Preview>;
}
