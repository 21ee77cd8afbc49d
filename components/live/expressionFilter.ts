/**
 * The filter language (server/traffic/filter/, docs/filters.md) in the browser: the same
 * parser and evaluator the server runs, for the highlight box and for the rows the page
 * already holds when the filter changes (the server filters what it sends from then on).
 */

import { bytesOf } from "@/components/format";
import type { Exchange, ExchangeDto } from "@/server/contract/exchange";
import { evaluate } from "@/server/traffic/filter/evaluate";
import { FilterSyntaxError } from "@/server/traffic/filter/lexer";
import { parseFilterAst } from "@/server/traffic/filter/parser";

export type ClientFilter =
  | { ok: true; test: (x: ExchangeDto) => boolean }
  | { ok: false; error: string; position: number };

function toExchange(x: ExchangeDto): Exchange {
  return {
    ...x,
    request: bytesOf(x.request),
    response: x.response === null ? null : bytesOf(x.response),
    frame: x.frame === null ? null : bytesOf(x.frame),
    responseFrame: x.responseFrame === null ? null : bytesOf(x.responseFrame),
  };
}

/** Null for a blank expression (everything matches). */
export function compileClientFilter(text: string): ClientFilter | null {
  if (text.trim() === "") return null;
  try {
    const ast = parseFilterAst(text);
    const cache = new WeakMap<ExchangeDto, boolean>();
    return {
      ok: true,
      test: (x) => {
        let v = cache.get(x);
        if (v === undefined) {
          v = evaluate(ast, toExchange(x));
          cache.set(x, v);
        }
        return v;
      },
    };
  } catch (err) {
    if (err instanceof FilterSyntaxError) return { ok: false, error: err.message, position: err.position };
    return { ok: false, error: err instanceof Error ? err.message : String(err), position: 0 };
  }
}
