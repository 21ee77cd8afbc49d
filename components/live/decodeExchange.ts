/**
 * The decoded request and response fields of an exchange, for the detail pane. Pure;
 * relative imports keep it loadable by a bare vitest, as components/format.ts.
 */
import type { ExchangeDto } from "../../server/contract/exchange";
import { type DecodedField, decodeRequest, decodeResponse } from "../../server/ipmi/commands";
import { bytesOf } from "../format";

export interface DecodedExchange {
  /** Undefined when there is no decoder, or nothing to show (a command without request data). */
  request?: DecodedField[];
  response?: DecodedField[];
}

function nonEmpty(fields: DecodedField[] | undefined): DecodedField[] | undefined {
  return fields === undefined || fields.length === 0 ? undefined : fields;
}

export function decodeExchange(
  x: Pick<ExchangeDto, "netFn" | "cmd" | "request" | "cc" | "response">,
): DecodedExchange {
  if (x.netFn === null || x.cmd === null) return {};
  const request = bytesOf(x.request);
  const out: DecodedExchange = {};
  const rq = nonEmpty(decodeRequest(x.netFn, x.cmd, request));
  if (rq !== undefined) out.request = rq;
  if (x.cc !== null && x.response !== null) {
    const rs = nonEmpty(decodeResponse(x.netFn, x.cmd, x.cc, bytesOf(x.response), request));
    if (rs !== undefined) out.response = rs;
  }
  return out;
}
