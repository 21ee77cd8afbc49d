/**
 * Filter text to a syntax tree. Precedence, loosest first: `or` (`||`), `and` (`&&`),
 * `not` (`!`), then a comparison `field op value` or a parenthesised expression.
 * Values are resolved here against the field table (fields.ts), so the tree holds
 * numbers, text, bytes and command pairs, never unparsed text.
 */
import {
  bytesValue,
  type CompareOp,
  FIELD_NAMES,
  type FieldDef,
  type FilterValue,
  fieldNamed,
  LATENCY_UNITS,
  looksLikeHex,
  OPERATORS,
  scalarValue,
  TYPE_NAMES,
} from "./fields";
import { FilterSyntaxError, type Token, tokenize } from "./lexer";

export type { CompareOp, FilterValue } from "./fields";

export type FilterAst =
  | { kind: "and"; left: FilterAst; right: FilterAst }
  | { kind: "or"; left: FilterAst; right: FilterAst }
  | { kind: "not"; operand: FilterAst }
  /** `field` is the canonical field name (fields.ts). */
  | { kind: "compare"; field: string; op: CompareOp; value: FilterValue };

const KEYWORDS = new Set(["and", "or", "not", "contains", "startswith", "null"]);

function isKeyword(token: Token, keyword?: string): boolean {
  if (token.kind !== "word") return false;
  const lower = token.text.toLowerCase();
  return keyword === undefined ? KEYWORDS.has(lower) : lower === keyword;
}

function shown(token: Token): string {
  return token.kind === "end"
    ? "the end of the filter"
    : token.kind === "string"
      ? `"${token.text}"`
      : `'${token.text}'`;
}

/** Parses filter text; throws FilterSyntaxError with the offending 0-based offset. */
export function parseFilterAst(text: string): FilterAst {
  const tokens = tokenize(text);
  let at = 0;
  const peek = (): Token => tokens[at]!;
  const next = (): Token => tokens[at++]!;

  if (peek().kind === "end") throw new FilterSyntaxError("empty filter", 0);

  function orExpr(): FilterAst {
    let left = andExpr();
    while (isKeyword(peek(), "or") || (peek().kind === "op" && peek().text === "||")) {
      next();
      left = { kind: "or", left, right: andExpr() };
    }
    return left;
  }

  function andExpr(): FilterAst {
    let left = unary();
    while (isKeyword(peek(), "and") || (peek().kind === "op" && peek().text === "&&")) {
      next();
      left = { kind: "and", left, right: unary() };
    }
    return left;
  }

  function unary(): FilterAst {
    if (isKeyword(peek(), "not") || (peek().kind === "op" && peek().text === "!")) {
      next();
      return { kind: "not", operand: unary() };
    }
    return primary();
  }

  function primary(): FilterAst {
    const token = peek();
    if (token.kind === "lparen") {
      next();
      if (peek().kind === "rparen") throw new FilterSyntaxError("empty parentheses", token.position);
      const inner = orExpr();
      const close = peek();
      if (close.kind !== "rparen") {
        throw new FilterSyntaxError(
          `expected ')' to close the '(' at ${token.position}, got ${shown(close)}`,
          close.position,
        );
      }
      next();
      return inner;
    }
    return comparison();
  }

  function comparison(): FilterAst {
    const token = next();
    if (token.kind !== "word" || isKeyword(token)) {
      throw new FilterSyntaxError(`expected a field name, got ${shown(token)}`, token.position);
    }
    const field = fieldNamed(token.text);
    if (!field) {
      throw new FilterSyntaxError(
        `unknown field '${token.text}' (fields: ${FIELD_NAMES.join(", ")})`,
        token.position,
      );
    }
    const opToken = next();
    const op = operatorOf(opToken);
    if (op === undefined) {
      throw new FilterSyntaxError(
        `expected an operator after '${token.text}' (${OPERATORS[field.type].join(" ")}), got ${shown(opToken)}`,
        opToken.position,
      );
    }
    const valueToken = peek();
    if (isKeyword(valueToken, "null")) {
      next();
      if (op !== "==" && op !== "!=") {
        throw new FilterSyntaxError(`null compares with == or != only, not ${op}`, valueToken.position);
      }
      return { kind: "compare", field: field.name, op, value: { kind: "null" } };
    }
    if (!OPERATORS[field.type].includes(op)) {
      throw new FilterSyntaxError(
        `operator ${op} does not apply to ${field.name} (${TYPE_NAMES[field.type]}; use ${OPERATORS[field.type].join(" ")})`,
        opToken.position,
      );
    }
    return { kind: "compare", field: field.name, op, value: value(field, op, opToken) };
  }

  function value(field: FieldDef, op: CompareOp, opToken: Token): FilterValue {
    const first = peek();
    if ((first.kind !== "word" && first.kind !== "string") || isKeyword(first)) {
      throw new FilterSyntaxError(`expected a value after ${op}, got ${shown(first)}`, first.position);
    }
    if (field.type === "bytes") {
      if (first.kind === "string") return { kind: "bytes", value: bytesValue([next()]) };
      const words: Token[] = [];
      while (peek().kind === "word" && !isKeyword(peek())) {
        const word = peek();
        // A word that cannot be hex ends the bytes only once some are read (then: trailing garbage).
        if (words.length > 0 && !looksLikeHex(word.text)) break;
        words.push(next());
      }
      if (words.length === 0)
        throw new FilterSyntaxError(`expected hex bytes after ${opToken.text}`, first.position);
      return { kind: "bytes", value: bytesValue(words) };
    }
    next();
    let unit: Token | undefined;
    if (
      field.type === "latency" &&
      first.kind === "word" &&
      /^([0-9]+(\.[0-9]+)?|0x[0-9a-f]+)$/i.test(first.text) &&
      peek().kind === "word" &&
      LATENCY_UNITS.includes(peek().text.toLowerCase())
    ) {
      unit = next();
    }
    return scalarValue(field, op, first, unit);
  }

  const ast = orExpr();
  const rest = peek();
  if (rest.kind !== "end") {
    throw new FilterSyntaxError(
      rest.kind === "rparen"
        ? "unmatched ')'"
        : `unexpected ${shown(rest)}: expected 'and', 'or' or the end of the filter`,
      rest.position,
    );
  }
  return ast;
}

function operatorOf(token: Token): CompareOp | undefined {
  if (token.kind === "op") {
    return ["==", "!=", "<", "<=", ">", ">="].includes(token.text) ? (token.text as CompareOp) : undefined;
  }
  if (token.kind === "word") {
    const lower = token.text.toLowerCase();
    if (lower === "contains" || lower === "startswith") return lower;
  }
  return undefined;
}
