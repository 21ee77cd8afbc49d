/**
 * The filter language's tokens. A word is a run of letters, digits and `_ . : / + -`
 * (field names, keywords, numbers such as `0x0a` or `2ms`, hex bytes, bare values such
 * as `lan0` or `app.get-device-id`); a string is double-quoted with `\"` and `\\`
 * escapes; everything else is an operator or a parenthesis. Every token keeps the
 * 0-based offset it starts at, for error messages.
 */

export type TokenKind = "word" | "string" | "op" | "lparen" | "rparen" | "end";

export interface Token {
  kind: TokenKind;
  /** The word, the string's unescaped content, or the operator as written. */
  text: string;
  /** 0-based character offset of the token's first character. */
  position: number;
}

export class FilterSyntaxError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

const WORD_CHAR = /[A-Za-z0-9_.:/+-]/;
const OPERATORS = ["==", "!=", "<=", ">=", "&&", "||", "<", ">", "!"] as const;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === "(" || c === ")") {
      tokens.push({ kind: c === "(" ? "lparen" : "rparen", text: c, position: start });
      i++;
    } else if (c === '"') {
      i++;
      let value = "";
      for (;;) {
        if (i >= text.length) throw new FilterSyntaxError("unterminated string", start);
        const d = text[i]!;
        if (d === '"') break;
        if (d === "\\") {
          const next = text[i + 1];
          if (next !== '"' && next !== "\\") {
            throw new FilterSyntaxError('bad escape in string: only \\" and \\\\ are allowed', i);
          }
          value += next;
          i += 2;
        } else {
          value += d;
          i++;
        }
      }
      i++;
      tokens.push({ kind: "string", text: value, position: start });
    } else if (WORD_CHAR.test(c)) {
      while (i < text.length && WORD_CHAR.test(text[i]!)) i++;
      tokens.push({ kind: "word", text: text.slice(start, i), position: start });
    } else {
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      if (op === undefined) {
        const hint =
          c === "="
            ? " (compare with ==)"
            : c === "&"
              ? " (use && or and)"
              : c === "|"
                ? " (use || or or)"
                : "";
        throw new FilterSyntaxError(`unexpected character '${c}'${hint}`, start);
      }
      tokens.push({ kind: "op", text: op, position: start });
      i += op.length;
    }
  }
  tokens.push({ kind: "end", text: "", position: text.length });
  return tokens;
}
