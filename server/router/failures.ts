/**
 * The one mapping from "what went wrong" to the completion code the requester gets.
 * Every failure maps to a standard completion code of IPMI 2.0 table 5-2, never to an errno.
 */
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/ipmi-error";
import { LayoutError } from "../ipmi/layout/cursor";

export const FAILURE_CC = {
  /** No handler registered for the key, or every one of them disabled. */
  noHandler: CC.INVALID_COMMAND,
  /** A 2Ch/2Eh request without its body code / IANA number. */
  missingGroupKey: CC.REQUEST_LENGTH_INVALID,
  /** The handler did not answer within its timeout. */
  timeout: CC.TIMEOUT,
  /** The handler threw something that is not an IpmiError. */
  handlerThrew: CC.UNSPECIFIED,
  /** The handler answered with bytes that cannot go on the wire. */
  invalidReply: CC.UNSPECIFIED,
} as const;

/** What a failed handler means for the requester, and a note for the log. */
export function failureFromError(err: unknown): { cc: number; note: string } {
  if (err instanceof IpmiError) return { cc: err.cc, note: err.message };
  // The handler's answer does not fit its command's response layout: a bug, never sent.
  if (err instanceof LayoutError)
    return { cc: FAILURE_CC.invalidReply, note: `answer does not fit its layout: ${err.message}` };
  const text = err instanceof Error ? err.message : String(err);
  return { cc: FAILURE_CC.handlerThrew, note: `handler threw: ${text}` };
}
